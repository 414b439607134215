package importer

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/watchdog-monitor/watchdog/backend/internal/manifest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// seedRow is one row of the original WatchDog's target_url table. The original set
// interval_minutes (5) and is_active (true) in Python, so the columns allow NULL.
type seedRow struct {
	ID      int64
	URL     string
	Minutes *int
	Active  *bool
}

// seedDefaultMinutes is the original's interval when a row has none.
const seedDefaultMinutes = 5

// Seed reads the original WatchDog's target_url table (url, interval_minutes,
// is_active) from its database: a SQLite file (a path, or SQLAlchemy's
// sqlite:///relative.db and sqlite:////absolute.db) or PostgreSQL (postgres:// or
// postgresql://, with or without a +driver). Each row becomes a target named after
// its URL's host, with the path added when hosts repeat.
func Seed(ctx context.Context, databaseURL string) (Result, error) {
	kind, dsn, err := parseSeedURL(databaseURL)
	if err != nil {
		return Result{}, err
	}
	var rows []seedRow
	if kind == "postgres" {
		rows, err = readSeedPostgres(ctx, dsn)
	} else {
		rows, err = readSeedSQLite(ctx, dsn)
	}
	if err != nil {
		return Result{}, err
	}
	return convertSeed(rows), nil
}

// parseSeedURL tells a PostgreSQL URL from a SQLite file, reading the URL forms
// Flask-SQLAlchemy takes.
func parseSeedURL(raw string) (kind, dsn string, err error) {
	raw = strings.TrimSpace(raw)
	scheme, rest, hasScheme := strings.Cut(raw, "://")
	if hasScheme {
		base, _, _ := strings.Cut(strings.ToLower(scheme), "+") // postgresql+psycopg2
		switch base {
		case "postgres", "postgresql":
			return "postgres", "postgres://" + rest, nil
		case "sqlite", "sqlite3":
			// sqlite:///rel.db is rel.db, sqlite:////abs.db is /abs.db.
			path := strings.TrimPrefix(rest, "/")
			if i := strings.IndexByte(path, '?'); i >= 0 {
				path = path[:i]
			}
			if path == "" {
				return "", "", errors.New("seed: an in-memory SQLite database holds nothing to import")
			}
			return "sqlite", path, nil
		case "file":
			return "sqlite", rest, nil
		default:
			return "", "", fmt.Errorf("seed: unsupported database %q; give a PostgreSQL URL or a SQLite file", scheme)
		}
	}
	path := strings.TrimPrefix(strings.TrimPrefix(raw, "sqlite:"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		return "", "", errors.New("seed: no database given")
	}
	return "sqlite", path, nil
}

const seedQuery = `SELECT id, url, interval_minutes, is_active FROM target_url ORDER BY id`

func readSeedSQLite(ctx context.Context, path string) ([]seedRow, error) {
	db, err := openSQLiteReadOnly(ctx, path)
	if err != nil {
		if !strings.Contains(path, "/") {
			// Flask-SQLAlchemy 3 keeps sqlite:///name.db in the app's instance folder.
			return nil, fmt.Errorf("seed: %w (Flask-SQLAlchemy keeps a relative SQLite path in the app's instance/ folder)", err)
		}
		return nil, fmt.Errorf("seed: %w", err)
	}
	defer func() { _ = db.Close() }()
	rows, err := selectRows(ctx, db, "target_url", []string{"id", "url", "interval_minutes", "is_active"})
	if err != nil {
		return nil, fmt.Errorf("seed: %s is not the original WatchDog's database: %w", path, err)
	}
	out := make([]seedRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, seedRowOf(r["id"], r["url"], r["interval_minutes"], r["is_active"]))
	}
	return out, nil
}

// readSeedPostgres reads the rows inside a READ ONLY transaction, rolled back: the
// server itself refuses any write made through it.
func readSeedPostgres(ctx context.Context, dsn string) ([]seedRow, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("seed: connect: %w", err)
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("seed: begin read-only transaction: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	rows, err := tx.Query(ctx, seedQuery)
	if err != nil {
		return nil, seedQueryError(err)
	}
	defer rows.Close()
	var out []seedRow
	for rows.Next() {
		v, err := rows.Values()
		if err != nil {
			return nil, fmt.Errorf("seed: read target_url: %w", err)
		}
		out = append(out, seedRowOf(v[0], v[1], v[2], v[3]))
	}
	if err := rows.Err(); err != nil {
		return nil, seedQueryError(err)
	}
	return out, nil
}

func seedQueryError(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P01" { // undefined_table
		return fmt.Errorf("seed: no target_url table: is this the original WatchDog's database? %w", err)
	}
	return fmt.Errorf("seed: read target_url: %w", err)
}

func seedRowOf(id, u, minutes, active any) seedRow {
	r := seedRow{ID: asInt64(id), URL: strings.TrimSpace(asString(u))}
	if minutes != nil {
		r.Minutes = ptr(asInt(minutes))
	}
	if active != nil {
		r.Active = ptr(asBool(active, false))
	}
	return r
}

// seedHost splits a row's URL into what names it: its host, and its path (used too
// when another row has the same host).
func seedHost(raw string) (host, path string) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw, ""
	}
	return strings.ToLower(u.Host), strings.TrimSuffix(u.EscapedPath(), "/")
}

func convertSeed(rows []seedRow) Result {
	b := newBuilder("seed")
	b.literal = true
	b.report.Notes = append(b.report.Notes,
		"the original counted any HTTP answer as up, so targets expect 100-599; narrow expected_status (200-399) to be told of errors",
		"the original kept services warm: set platform on targets hosted on a sleeping free tier to plan keep-warm",
		"the original sent every request with Chrome's TLS fingerprint (curl-cffi), so targets impersonate chrome")
	hosts := map[string]int{}
	for _, r := range rows {
		h, _ := seedHost(r.URL)
		hosts[h]++
	}
	for _, r := range rows {
		e := Entry{Object: fmt.Sprintf("target_url row %d", r.ID)}
		host, path := seedHost(r.URL)
		name := host
		if hosts[host] > 1 && path != "" {
			name = host + path
		}
		t := manifest.Target{Name: uniqueName(b.targets, name, maxTargetName), URL: b.text(r.URL), ExpectedStatus: new("100-599"),
			Impersonate: new(string(target.ImpersonateChrome))}
		switch {
		case r.Minutes == nil:
			e.Changed = append(e.Changed, fmt.Sprintf("no interval: the original's default %d min used", seedDefaultMinutes))
			t.IntervalSeconds = new(seedDefaultMinutes * 60)
		case *r.Minutes <= 0:
			// The original's scheduler ran once a minute, so it pinged such a row each minute.
			e.Changed = append(e.Changed, fmt.Sprintf("interval %d min: the original pinged it every minute; 60s used", *r.Minutes))
			t.IntervalSeconds = new(60)
		default:
			t.IntervalSeconds = new(interval(*r.Minutes*60, fmt.Sprintf("%d min", *r.Minutes), &e))
		}
		switch {
		case r.Active == nil:
			e.Changed = append(e.Changed, "is_active not set: the original did not ping it, so it is paused")
			t.Paused = true
		case !*r.Active:
			t.Paused = true
		}
		b.addTarget(t, &e, b.mark())
		b.add(e)
	}
	return b.result()
}
