package importer

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/manifest"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

// The target_url table as Flask-SQLAlchemy's db.create_all() made it for the
// original's TargetURL model, on each database.
const (
	seedSQLiteTable = `CREATE TABLE target_url (
	id INTEGER NOT NULL, 
	url VARCHAR(255) NOT NULL, 
	interval_minutes INTEGER, 
	is_active BOOLEAN, 
	last_pinged_at DATETIME, 
	PRIMARY KEY (id)
)`
	seedPostgresTable = `CREATE TABLE target_url (
	id SERIAL NOT NULL, 
	url VARCHAR(255) NOT NULL, 
	interval_minutes INTEGER, 
	is_active BOOLEAN, 
	last_pinged_at TIMESTAMP WITHOUT TIME ZONE, 
	PRIMARY KEY (id)
)`
)

// seedFixture rows: url, interval_minutes, is_active (nil is NULL).
var seedFixture = []struct {
	url     string
	minutes any
	active  any
}{
	{"https://myapp.onrender.com", 14, true},
	{"https://api.example.com/health", 5, true},
	{"https://api.example.com/v2/health/", 10, false},
	{"https://api.example.com/health", 5, true},
	{"http://portfolio.example.org/", nil, nil},
	{"ftp://files.example.com/", 5, true},
	{"https://slow.example.com", 2000, true},
	{"https://every-minute.example.com", 0, true},
}

func wantSeedTargets() []manifest.Target {
	targets := []manifest.Target{
		{Name: "myapp.onrender.com", URL: "https://myapp.onrender.com", IntervalSeconds: new(840), ExpectedStatus: new("100-599")},
		{Name: "api.example.com/health", URL: "https://api.example.com/health", IntervalSeconds: new(300), ExpectedStatus: new("100-599")},
		{Name: "api.example.com/v2/health", URL: "https://api.example.com/v2/health/", IntervalSeconds: new(600),
			ExpectedStatus: new("100-599"), Paused: true},
		{Name: "api.example.com/health (2)", URL: "https://api.example.com/health", IntervalSeconds: new(300), ExpectedStatus: new("100-599")},
		{Name: "portfolio.example.org", URL: "http://portfolio.example.org/", IntervalSeconds: new(300), ExpectedStatus: new("100-599"),
			Paused: true},
		{Name: "slow.example.com", URL: "https://slow.example.com", IntervalSeconds: new(86400), ExpectedStatus: new("100-599")},
		{Name: "every-minute.example.com", URL: "https://every-minute.example.com", IntervalSeconds: new(60), ExpectedStatus: new("100-599")},
	}
	// The original sent every request through curl-cffi as Chrome.
	for i := range targets {
		targets[i].Impersonate = new("chrome")
	}
	return targets
}

func assertSeedResult(t *testing.T, res Result) {
	t.Helper()
	assert.Equal(t, wantSeedTargets(), res.Document.Targets)
	assert.Empty(t, res.Document.Channels)
	assert.Equal(t, []string{
		"target_url row 6: invalid target: url: must be an absolute http or https URL",
	}, res.NotCarried())
	assert.Equal(t, []string{
		"target_url row 5: no interval: the original's default 5 min used",
		"target_url row 5: is_active not set: the original did not ping it, so it is paused",
		"target_url row 7: interval 2000 min lowered to the maximum 86400s",
		"target_url row 8: interval 0 min: the original pinged it every minute; 60s used",
	}, res.Changes())
	assert.Empty(t, res.Env)
	assert.Contains(t, res.String(), "seed: 7 carried over, 1 not carried over\n")
}

func TestSeedSQLite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "local_test.db")
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	_, err = db.Exec(seedSQLiteTable)
	require.NoError(t, err)
	for _, r := range seedFixture {
		_, err := db.Exec(`INSERT INTO target_url (url, interval_minutes, is_active) VALUES (?, ?, ?)`, r.url, r.minutes, r.active)
		require.NoError(t, err)
	}
	require.NoError(t, db.Close())
	before := snapshot(t, dir)

	// SQLAlchemy's URL for an absolute path has four slashes.
	res, err := Seed(context.Background(), "sqlite:///"+path)
	require.NoError(t, err)
	assertSeedResult(t, res)
	assert.Equal(t, before, snapshot(t, dir), "the source is never written")

	res, err = Seed(context.Background(), path)
	require.NoError(t, err)
	assert.Equal(t, wantSeedTargets(), res.Document.Targets)

	_, err = Seed(context.Background(), filepath.Join(dir, "missing.db"))
	assert.Error(t, err)
	_, err = Seed(context.Background(), "missing.db")
	assert.ErrorContains(t, err, "instance/ folder")
}

func TestSeedPostgres(t *testing.T) {
	t.Parallel()
	dbURL := storetest.PostgresURL(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer func() { _ = conn.Close(ctx) }()
	_, err = conn.Exec(ctx, seedPostgresTable)
	require.NoError(t, err)
	for _, r := range seedFixture {
		_, err := conn.Exec(ctx, `INSERT INTO target_url (url, interval_minutes, is_active) VALUES ($1, $2, $3)`, r.url, r.minutes, r.active)
		require.NoError(t, err)
	}

	// The original's DATABASE_URL, as SQLAlchemy takes it.
	res, err := Seed(ctx, strings.Replace(dbURL, "postgres://", "postgresql+psycopg2://", 1))
	require.NoError(t, err)
	assertSeedResult(t, res)

	_, err = conn.Exec(ctx, `DROP TABLE target_url`)
	require.NoError(t, err)
	_, err = Seed(ctx, dbURL)
	assert.ErrorContains(t, err, "no target_url table")
}

// The PostgreSQL read runs in a transaction the server itself keeps read-only.
func TestSeedPostgresReadOnly(t *testing.T) {
	t.Parallel()
	dbURL := storetest.PostgresURL(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer func() { _ = conn.Close(ctx) }()
	// A "table" whose read writes: if the import's transaction allowed writes, the
	// view's function would insert a row.
	for _, stmt := range []string{
		`CREATE TABLE writes (n INTEGER)`,
		`CREATE FUNCTION note_read() RETURNS INTEGER LANGUAGE SQL VOLATILE AS 'INSERT INTO writes VALUES (1) RETURNING n'`,
		`CREATE VIEW target_url AS SELECT 1 AS id, 'https://a.example.com' AS url, note_read() AS interval_minutes, TRUE AS is_active`,
	} {
		_, err := conn.Exec(ctx, stmt)
		require.NoError(t, err, stmt)
	}
	_, err = Seed(ctx, dbURL)
	assert.ErrorContains(t, err, "read-only transaction")
	var n int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM writes`).Scan(&n))
	assert.Zero(t, n)
}

func TestParseSeedURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, kind, dsn string
		err           bool
	}{
		{in: "sqlite:///local_test.db", kind: "sqlite", dsn: "local_test.db"},
		{in: "sqlite:////var/lib/watchdog/app.db", kind: "sqlite", dsn: "/var/lib/watchdog/app.db"},
		{in: "/data/app.db", kind: "sqlite", dsn: "/data/app.db"},
		{in: "file:/data/app.db?mode=rw", kind: "sqlite", dsn: "/data/app.db"},
		{in: "postgresql://u:p@db.example.com/app", kind: "postgres", dsn: "postgres://u:p@db.example.com/app"},
		{in: "postgres://u@db/app?sslmode=require", kind: "postgres", dsn: "postgres://u@db/app?sslmode=require"},
		{in: "postgresql+psycopg2://u@db/app", kind: "postgres", dsn: "postgres://u@db/app"},
		{in: "mysql://u@db/app", err: true},
		{in: "sqlite://", err: true},
		{in: "", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			kind, dsn, err := parseSeedURL(tt.in)
			if tt.err {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.kind, kind)
			assert.Equal(t, tt.dsn, dsn)
		})
	}
}
