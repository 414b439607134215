// Package storetest gives tests a fresh, migrated database: SQLite in a temporary
// directory, or a new PostgreSQL database created for the test and dropped after it.
// PostgreSQL is found at TEST_DATABASE_URL, else at the local default; when it cannot
// be reached the PostgreSQL half of a test is skipped, loudly, unless REQUIRE_ALL=1
// makes that a failure (as CI does).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // the "sqlite" database/sql driver behind the store

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

// EachB is Each for benchmarks.
func EachB(b *testing.B, fn func(b *testing.B, s *store.Store)) {
	b.Helper()
	b.Run("sqlite", func(b *testing.B) { fn(b, SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, Postgres(b)) })
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

// urls remembers which database each test store opened, for Exec.
var urls sync.Map // *store.Store -> string

// Open opens and migrates the database at databaseURL, closed when the test ends.
func Open(t testing.TB, databaseURL string) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, databaseURL, Logger(t))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	urls.Store(s, databaseURL)
	t.Cleanup(func() { urls.Delete(s); _ = s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

// RawRows reads every row of table over a connection of its own and returns each
// row's columns as text, for a test that must look at what is stored (no plaintext
// secret, say) rather than what the store hands back.
func RawRows(t testing.TB, s *store.Store, table string) []map[string]string {
	t.Helper()
	db := rawDB(t, s)
	defer func() { _ = db.Close() }()
	rows, err := db.Query("SELECT * FROM " + table)
	if err != nil {
		t.Fatalf("storetest.RawRows %s: %v", table, err)
	}
	defer func() { _ = rows.Close() }()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatalf("storetest.RawRows %s: %v", table, err)
	}
	var out []map[string]string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("storetest.RawRows %s: %v", table, err)
		}
		row := map[string]string{}
		for i, c := range cols {
			if b, ok := vals[i].([]byte); ok {
				row[c] = string(b)
			} else {
				row[c] = fmt.Sprint(vals[i])
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("storetest.RawRows %s: %v", table, err)
	}
	return out
}

// rawDB opens a connection of its own to a store's database.
func rawDB(t testing.TB, s *store.Store) *sql.DB {
	t.Helper()
	u, ok := urls.Load(s)
	if !ok {
		t.Fatalf("storetest: store not opened by storetest")
	}
	driver, dsn := "pgx", u.(string)
	if s.Dialect() == store.SQLite {
		driver, dsn = "sqlite", "file:"+s.SQLitePath()+"?_pragma=busy_timeout(10000)&_time_format=sqlite"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatalf("storetest: open: %v", err)
	}
	return db
}

// Exec runs one SQL statement on a store's database over a connection of its own,
// for a test that must put the data in a state the API would never produce (a target
// overdue by an hour, say). Times must be passed in UTC.
func Exec(t testing.TB, s *store.Store, query string, args ...any) {
	t.Helper()
	if s.Dialect() == store.Postgres {
		query = numberPlaceholders(query)
	}
	db := rawDB(t, s)
	defer func() { _ = db.Close() }()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("storetest.Exec %q: %v", query, err)
	}
}

// numberPlaceholders turns ? into PostgreSQL's $1, $2, …
func numberPlaceholders(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Logger returns a logger that discards, or writes to stderr when TEST_LOG=1. (Not
// to t.Log: background goroutines may still log after the test has ended.)
func Logger(testing.TB) *slog.Logger {
	if os.Getenv("TEST_LOG") == "1" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}
