package main

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
	"time"

	_ "github.com/glebarez/go-sqlite" // the "sqlite" database/sql driver the store uses
	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// database is a run's own, empty database, and how to get rid of it.
type database struct {
	dialect string
	url     string // DATABASE_URL for the replicas and the store
	drop    func() error
}

// newDatabase makes a fresh database: a SQLite file in a new temporary directory, or
// a new PostgreSQL database on the server at c.PGURL.
func newDatabase(ctx context.Context, c config) (*database, error) {
	if c.DB == "sqlite" {
		dir, err := os.MkdirTemp("", "watchdog-bench-db-")
		if err != nil {
			return nil, fmt.Errorf("temporary directory for SQLite: %w", err)
		}
		return &database{dialect: c.DB, url: filepath.Join(dir, "watchdog.db"), drop: func() error { return os.RemoveAll(dir) }}, nil
	}
	u, err := url.Parse(c.PGURL)
	if err != nil {
		return nil, fmt.Errorf("-pg-url: %w", err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "watchdog_bench_" + hex.EncodeToString(b)
	if err := adminExec(ctx, c.PGURL, "CREATE DATABASE "+name); err != nil {
		return nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u.Path = "/" + name
	drop := func() error {
		// Its own deadline: the run's context may be what ended the run.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := adminExec(ctx, c.PGURL, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		return nil
	}
	return &database{dialect: c.DB, url: u.String(), drop: drop}, nil
}

// adminExec runs one statement on the PostgreSQL server's maintenance database.
func adminExec(ctx context.Context, adminURL, stmt string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", maskPassword(adminURL), err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	if _, err := conn.Exec(ctx, stmt); err != nil {
		return err
	}
	return nil
}

// pgReachable reports why the PostgreSQL server cannot be used, or nil.
func pgReachable(ctx context.Context, adminURL string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return adminExec(ctx, adminURL, "SELECT 1")
}

// maskPassword hides a URL's password before it is printed.
func maskPassword(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// quietLogger passes on the store's warnings and errors only.
func quietLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// createBatch is how many targets go to one CreateTargets call: big enough to be an
// import, small enough to keep one transaction's memory modest.
const createBatch = 5000

// seeded is what seed made.
type seeded struct {
	ids  []int64       // target ids by fleet index
	took time.Duration // creating them, migrations left out
	// budget is the longest one check may take (every target is alike).
	budget time.Duration
}

// seed migrates the database and creates c.N targets pointing at the fleet, through
// the store as an import would.
func seed(ctx context.Context, db *database, c config, f *fleet, logw io.Writer) (seeded, error) {
	var out seeded
	st, err := store.Open(ctx, db.url, quietLogger(logw))
	if err != nil {
		return out, fmt.Errorf("open store: %w", err)
	}
	defer func() { _ = st.Close() }()
	if _, err := st.Migrate(ctx); err != nil {
		return out, fmt.Errorf("migrate: %w", err)
	}
	var retries *int
	if c.Retries >= 0 {
		retries = &c.Retries
	}
	out.ids = make([]int64, 0, c.N)
	for from := 0; from < c.N; from += createBatch {
		batch := make([]target.Target, 0, min(createBatch, c.N-from))
		for i := from; i < from+cap(batch); i++ {
			t, err := target.New(target.Spec{
				Name: fmt.Sprintf("bench-%d", i), URL: f.url(i),
				IntervalSeconds: c.Interval, TimeoutSeconds: c.Timeout, Retries: retries,
			}, target.Limits{MinIntervalSeconds: 1})
			if err != nil {
				return out, fmt.Errorf("target %d: %w", i, err)
			}
			out.budget = t.CheckBudget()
			batch = append(batch, t)
		}
		began := time.Now()
		created, err := st.CreateTargets(ctx, batch)
		out.took += time.Since(began)
		if err != nil {
			return out, err
		}
		for _, t := range created {
			out.ids = append(out.ids, t.ID)
		}
	}
	return out, nil
}

// The harness reads and writes next_check_at directly in two places, as the store's
// own tests do, because no API sets a target's phase or tells whether a slot is still
// pending. Both go through openSQL.

// openSQL opens the run's database with database/sql, and returns the placeholder
// style's rewrite of a query written with ?.
func (d *database) openSQL() (*sql.DB, func(string) string, error) {
	if d.dialect == "sqlite" {
		conn, err := sql.Open("sqlite", "file:"+d.url+"?_pragma=busy_timeout(10000)")
		return conn, func(q string) string { return q }, err
	}
	conn, err := sql.Open("pgx", d.url)
	return conn, numberPlaceholders, err
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

// dbTime is a time as the store writes it: UTC to the microsecond. SQLite compares
// times as text, so any other form would sort wrongly against the store's.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// spreadPhases makes target k first due at from + k/N of an interval. CreateTargets
// makes every target due at once, and the product keeps a target's phase forever
// (slot + k × interval), so without this a run would measure one burst per interval
// rather than a fleet built up over time.
func spreadPhases(ctx context.Context, db *database, ids []int64, interval time.Duration, from time.Time) error {
	conn, q, err := db.openSQL()
	if err != nil {
		return fmt.Errorf("spread phases: open: %w", err)
	}
	defer func() { _ = conn.Close() }()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("spread phases: %w", err)
	}
	defer func() { _ = tx.Rollback() }() // a no-op after Commit
	stmt, err := tx.PrepareContext(ctx, q("UPDATE targets SET next_check_at = ? WHERE id = ?"))
	if err != nil {
		return fmt.Errorf("spread phases: %w", err)
	}
	defer func() { _ = stmt.Close() }()
	for k, id := range ids {
		at := dbTime(from.Add(interval * time.Duration(k) / time.Duration(len(ids))))
		if _, err := stmt.ExecContext(ctx, at, id); err != nil {
			return fmt.Errorf("spread phases: target %d: %w", id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("spread phases: commit: %w", err)
	}
	return nil
}

// pendingQuery counts active targets whose current slot is before a moment and not
// yet recorded: while a check runs its slot is in slot_at, otherwise next_check_at.
const pendingQuery = `SELECT COUNT(*) FROM targets WHERE is_active AND
	(CASE WHEN lease_token IS NULL THEN next_check_at ELSE slot_at END) < ?`

// coolDown keeps the replicas running after the window until every slot that fell in
// it has been checked and recorded, or until limit: stopping them at the window's end
// would cut off the checks of its last tick and those still retrying. It returns how
// many slots were still pending when it gave up.
func coolDown(ctx context.Context, db *database, windowEnd time.Time, limit time.Duration, died <-chan struct{}) (int, error) {
	conn, q, err := db.openSQL()
	if err != nil {
		return 0, fmt.Errorf("cool-down: open: %w", err)
	}
	defer func() { _ = conn.Close() }()
	deadline := time.NewTimer(limit)
	defer deadline.Stop()
	for {
		var pending int
		if err := conn.QueryRowContext(ctx, q(pendingQuery), dbTime(windowEnd)).Scan(&pending); err != nil {
			return 0, fmt.Errorf("cool-down: count pending slots: %w", err)
		}
		if pending == 0 {
			return 0, nil
		}
		select {
		case <-ctx.Done():
			return pending, ctx.Err()
		case <-died:
			return pending, nil // the caller reports the dead replica
		case <-deadline.C:
			return pending, nil
		case <-time.After(200 * time.Millisecond):
		}
	}
}
