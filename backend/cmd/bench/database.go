package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"

	wdconfig "github.com/watchdog-monitor/watchdog/backend/internal/config"
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
		return fmt.Errorf("connect to %s: %w", wdconfig.MaskURL(adminURL), err)
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

// quietLogger passes on the store's warnings and errors only.
func quietLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// createBatch is how many targets go to one CreateTargets call: big enough to be an
// import, small enough to keep one transaction's memory modest.
const createBatch = 5000

// seedTags is how many tags the targets are spread over, so the list's tag filter
// has a tenth of them to page through.
const seedTags = 10

// seedTag is target i's one tag.
func seedTag(i int) string { return fmt.Sprintf("group-%d", i%seedTags) }

// seeded is what seed made.
type seeded struct {
	ids   []int64       // target ids by fleet index
	types []target.Type // target types by fleet index
	took  time.Duration // creating them, migrations left out
	// budget is the longest one scheduled check may take.
	budget time.Duration
	// pingTokens are the heartbeats' tokens, as the store wrote them, in fleet order.
	pingTokens []string
}

// seed migrates the database and creates c.N targets pointing at the fleet, through
// the store as an import would.
func seed(ctx context.Context, db *database, c config, addrs fleetAddrs, logw io.Writer) (seeded, error) {
	var out seeded
	st, err := store.Open(ctx, db.url, quietLogger(logw))
	if err != nil {
		return out, fmt.Errorf("open store: %w", err)
	}
	defer func() { _ = st.Close() }()
	if _, err := st.Migrate(ctx); err != nil {
		return out, fmt.Errorf("migrate: %w", err)
	}
	out.ids = make([]int64, 0, c.N)
	out.types = make([]target.Type, 0, c.N)
	for from := 0; from < c.N; from += createBatch {
		batch := make([]target.Target, 0, min(createBatch, c.N-from))
		for i := from; i < from+cap(batch); i++ {
			t, err := target.New(targetSpec(c, addrs, i), target.Limits{MinIntervalSeconds: 1})
			if err != nil {
				return out, fmt.Errorf("target %d: %w", i, err)
			}
			if scheduled(t.Type) {
				out.budget = max(out.budget, t.CheckBudget())
			}
			batch = append(batch, t)
			out.types = append(out.types, t.Type)
		}
		began := time.Now()
		created, err := st.CreateTargets(ctx, batch)
		out.took += time.Since(began)
		if err != nil {
			return out, err
		}
		for _, t := range created {
			out.ids = append(out.ids, t.ID)
			if t.Type == target.TypeHeartbeat {
				out.pingTokens = append(out.pingTokens, t.PingToken)
			}
		}
	}
	return out, nil
}

// spreadPhases spreads the targets' first checks over one interval, as the product
// does with a backlog at start-up. CreateTargets makes every target due at once, and
// the product keeps a target's phase for good (slot + k × interval), so without this
// a run would measure one burst per interval rather than a fleet built up over time.
func spreadPhases(ctx context.Context, db *database, interval time.Duration, logw io.Writer) error {
	st, err := store.Open(ctx, db.url, quietLogger(logw))
	if err != nil {
		return fmt.Errorf("spread phases: %w", err)
	}
	defer func() { _ = st.Close() }()
	if _, err := st.SpreadBacklog(ctx, 0, interval); err != nil {
		return fmt.Errorf("spread phases: %w", err)
	}
	return nil
}

// coolDown keeps the replicas running after the window until every slot that fell in
// it has been checked and recorded, or until limit: stopping them at the window's end
// would cut off the checks of its last tick and those still retrying. It returns how
// many slots were still pending when it gave up.
func coolDown(ctx context.Context, db *database, windowEnd time.Time, limit time.Duration, died <-chan struct{}, logw io.Writer) (int, error) {
	st, err := store.Open(ctx, db.url, quietLogger(logw))
	if err != nil {
		return 0, fmt.Errorf("cool-down: %w", err)
	}
	defer func() { _ = st.Close() }()
	deadline := time.NewTimer(limit)
	defer deadline.Stop()
	for {
		pending, err := st.Backlog(ctx, windowEnd)
		if err != nil {
			return 0, fmt.Errorf("cool-down: %w", err)
		}
		if pending == 0 {
			return 0, nil
		}
		select {
		case <-ctx.Done():
			return int(pending), ctx.Err()
		case <-died:
			return int(pending), nil // the caller reports the dead replica
		case <-deadline.C:
			return int(pending), nil
		case <-time.After(200 * time.Millisecond):
		}
	}
}
