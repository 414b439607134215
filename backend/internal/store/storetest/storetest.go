// Package storetest gives tests a fresh, migrated database: SQLite in a temporary
// directory, or a new PostgreSQL database created for the test and dropped after it.
// PostgreSQL is found at TEST_DATABASE_URL, else at the local default; when it cannot
// be reached the PostgreSQL half of a test is skipped, loudly, unless REQUIRE_ALL=1
// makes that a failure (as CI does).
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watchdog-monitor/watchdog/backend/internal/store"
)

// DefaultAdminURL is the PostgreSQL server tried when TEST_DATABASE_URL is unset.
const DefaultAdminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Each runs fn as two subtests, "sqlite" and "postgres", each with its own fresh store.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite returns a migrated store on a new SQLite file, closed when the test ends.
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	return Open(t, SQLiteURL(t))
}

// SQLiteURL returns the path of a new SQLite file in the test's temporary directory.
func SQLiteURL(t testing.TB) string {
	return filepath.Join(t.TempDir(), "watchdog.db")
}

// Postgres returns a migrated store on a new PostgreSQL database.
func Postgres(t testing.TB) *store.Store {
	t.Helper()
	return Open(t, PostgresURL(t))
}

// PostgresURL creates an empty PostgreSQL database for the test, dropped when it ends,
// and returns its URL; for tests that open it more than once (several replicas).
func PostgresURL(t testing.TB) string {
	t.Helper()
	adminURL := os.Getenv("TEST_DATABASE_URL")
	if adminURL == "" {
		adminURL = DefaultAdminURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		Unavailable(t, "PostgreSQL at %s: %v", adminURL, err)
	}
	defer func() { _ = admin.Close(context.Background()) }()

	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "wdtest_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, adminURL)
		if err != nil {
			t.Logf("drop test database %s: %v", name, err)
			return
		}
		defer func() { _ = conn.Close(ctx) }()
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(adminURL)
	if err != nil {
		t.Fatalf("parse %s: %v", adminURL, err)
	}
	u.Path = "/" + name
	return u.String()
}

// Unavailable skips a test whose outside dependency is missing, or fails it when
// REQUIRE_ALL=1, because CI must never pass by skipping.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("REQUIRE_ALL") == "1" {
		t.Fatalf("REQUIRE_ALL=1 but unavailable: "+format, args...)
	}
	t.Skipf("SKIPPED, unavailable: "+format, args...)
}

// Open opens and migrates the database at databaseURL, closed when the test ends.
func Open(t testing.TB, databaseURL string) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, databaseURL, Logger(t))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

// Logger returns a logger that discards, or writes to stderr when TEST_LOG=1. (Not
// to t.Log: background goroutines may still log after the test has ended.)
func Logger(testing.TB) *slog.Logger {
	if os.Getenv("TEST_LOG") == "1" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}
