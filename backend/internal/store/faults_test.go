package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

type fault struct {
	name    string
	err     error
	cause   string // "" when not an outage
	refused bool
}

// TestFaultsAreClassified: errors the databases really return are told apart into
// "the database cannot work" (with its cause) and "these rows are refused".
func TestFaultsAreClassified(t *testing.T) {
	var faults []fault

	// SQLite, through its driver.
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "f.db"))
	require.NoError(t, err)
	defer func() { _ = db.Close() }()
	db.SetMaxOpenConns(1)
	_, err = db.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
	require.NoError(t, err)
	_, err = db.Exec("INSERT INTO t VALUES (1, 'a')")
	require.NoError(t, err)
	_, err = db.Exec("INSERT INTO t VALUES (1, 'b')")
	faults = append(faults, fault{name: "sqlite: duplicate key", err: err, refused: true})
	_, err = db.Exec("INSERT INTO t VALUES (2, NULL)")
	faults = append(faults, fault{name: "sqlite: not null", err: err, refused: true})
	var pages int
	require.NoError(t, db.QueryRow("PRAGMA page_count").Scan(&pages))
	_, err = db.Exec(fmt.Sprintf("PRAGMA max_page_count = %d", pages))
	require.NoError(t, err)
	_, err = db.Exec("INSERT INTO t VALUES (3, ?)", strings.Repeat("x", 64<<10))
	faults = append(faults, fault{name: "sqlite: full", err: err, cause: "disk full"})
	ro, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "f.db")+"?_pragma=query_only(1)")
	require.NoError(t, err)
	defer func() { _ = ro.Close() }()
	_, err = ro.Exec("INSERT INTO t VALUES (4, 'd')")
	faults = append(faults, fault{name: "sqlite: read-only", err: err, cause: "read-only"})
	_, err = sql.Open("sqlite", "file:"+filepath.Join(dir, "missing", "f.db"))
	if err == nil {
		missing, _ := sql.Open("sqlite", "file:"+filepath.Join(dir, "missing", "f.db"))
		err = missing.Ping()
		_ = missing.Close()
	}
	faults = append(faults, fault{name: "sqlite: cannot open", err: err, cause: "cannot open the database file"})
	_, err = db.Exec("SELEC 1")
	faults = append(faults, fault{name: "sqlite: a bad statement is neither", err: err})

	// GORM translates SQLite's constraint errors to its own.
	faults = append(faults, fault{name: "gorm: duplicated key", err: fmt.Errorf("insert: %w", gorm.ErrDuplicatedKey), refused: true})

	// PostgreSQL, as far as a test database allows; disk full and I/O errors as the
	// server reports them.
	faults = append(faults,
		fault{name: "postgres: disk full", err: fmt.Errorf("record: %w", &pgconn.PgError{Code: "53100"}), cause: "disk full"},
		fault{name: "postgres: I/O", err: &pgconn.PgError{Code: "58030"}, cause: "I/O error"},
		fault{name: "postgres: serialization is neither", err: &pgconn.PgError{Code: "40001"}},
		fault{name: "a cancelled context is neither", err: fmt.Errorf("x: %w", context.Canceled)},
		fault{name: "nil", err: nil},
	)
	faults = append(faults, postgresFaults(t)...)

	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			if f.name != "nil" {
				require.Error(t, f.err)
			}
			cause, ok := store.Unavailable(f.err)
			assert.Equal(t, f.cause != "", ok, "unavailable: %v", f.err)
			assert.Equal(t, f.cause, cause, "%v", f.err)
			assert.Equal(t, f.refused, store.Refused(f.err), "refused: %v", f.err)
		})
	}
}

// postgresFaults has PostgreSQL return its errors, or returns none when it is not
// reachable (storetest says so).
func postgresFaults(t *testing.T) []fault {
	ctx := context.Background()
	dbURL := storetest.PostgresURL(t)
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer func() { _ = conn.Close(ctx) }()
	_, err = conn.Exec(ctx, "CREATE TABLE t (id int PRIMARY KEY, v text)")
	require.NoError(t, err)
	_, err = conn.Exec(ctx, "INSERT INTO t VALUES (1, 'a')")
	require.NoError(t, err)
	var faults []fault
	_, err = conn.Exec(ctx, "INSERT INTO t VALUES (1, 'b')")
	faults = append(faults, fault{name: "postgres: duplicate key", err: err, refused: true})
	_, err = conn.Exec(ctx, "INSERT INTO t VALUES (2, $1)", "evil\x00name")
	faults = append(faults, fault{name: "postgres: NUL in text", err: err, refused: true})

	ro, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer func() { _ = ro.Close(ctx) }()
	_, err = ro.Exec(ctx, "SET default_transaction_read_only = on")
	require.NoError(t, err)
	_, err = ro.Exec(ctx, "INSERT INTO t VALUES (3, 'c')")
	faults = append(faults, fault{name: "postgres: read-only", err: err, cause: "read-only"})

	victim, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer func() { _ = victim.Close(ctx) }()
	_, err = conn.Exec(ctx, "SELECT pg_terminate_backend($1)", victim.PgConn().PID())
	require.NoError(t, err)
	time.Sleep(100 * time.Millisecond)
	_, err = victim.Exec(ctx, "INSERT INTO t VALUES (4, 'd')")
	faults = append(faults, fault{name: "postgres: terminated by an administrator", err: err, cause: "shutting down"})
	if cause, _ := store.Unavailable(err); cause != "shutting down" {
		// The server's goodbye may be lost with the connection; then it is a lost connection.
		faults[len(faults)-1].cause = "connection lost"
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := ln.Addr().String()
	require.NoError(t, ln.Close())
	_, err = pgx.Connect(ctx, "postgres://postgres@"+closed+"/x?sslmode=disable&connect_timeout=2")
	faults = append(faults, fault{name: "postgres: unreachable", err: err, cause: "unreachable"})
	return faults
}
