// Package store keeps WatchDog's data in PostgreSQL or in an embedded SQLite file,
// through GORM. It owns the schema and its migrations, turns rows into domain values
// and database errors into domain errors, implements the scheduler's claim and
// record queries, and runs the alerting policy's decisions in the transaction that
// records a check. What the two databases spell differently lives in dialect.go alone.
package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names the database behind a Store.
type Dialect string

// The supported databases.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// DefaultSQLitePath is where the embedded database lives when DATABASE_URL is unset.
const DefaultSQLitePath = "data/watchdog.db"

// Store is the database. It is safe for concurrent use.
type Store struct {
	db *gorm.DB
	// reads serves queries that only read. On SQLite it is a pool of read-only
	// connections beside the single writer: WAL lets them read while it writes, so
	// the dashboard's polls never queue behind the scheduler's batches. On PostgreSQL
	// it is db.
	reads      *gorm.DB
	dialect    Dialect
	sqlitePath string
	memos      memos
	// stopFresh ends the loop that keeps watched memo answers fresh, which fresh
	// holds; nil in a transaction's store, which reuses nothing.
	stopFresh context.CancelFunc
	fresh     sync.WaitGroup
	alerts    AlertPolicy
	// queued is called after a transaction that queued notifications commits, so
	// this replica's dispatcher sends them at once instead of at its next poll.
	queued func()
	health *Health
	// log reports the confirmed changes a recording transaction made, once it commits.
	log *slog.Logger
}

// Open connects to the database named by databaseURL: empty for the default SQLite
// file, a postgres:// URL, or a SQLite path (optionally as sqlite:// or file:).
// It does not migrate; call Migrate.
func Open(ctx context.Context, databaseURL string, log *slog.Logger) (*Store, error) {
	cfg := &gorm.Config{
		Logger:                 newGormLogger(log),
		TranslateError:         true,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
	s := &Store{memos: newMemos(), alerts: DefaultAlertPolicy(), queued: func() {}, health: newHealth(log), log: log}
	var dialector gorm.Dialector
	dialect, dsn, err := parseDatabaseURL(databaseURL)
	if err != nil {
		return nil, err
	}
	s.dialect = dialect
	switch dialect {
	case Postgres:
		dialector = postgres.New(postgres.Config{DSN: withExecMode(dsn)})
	default:
		s.sqlitePath = dsn
		if err := os.MkdirAll(filepath.Dir(s.sqlitePath), 0o750); err != nil {
			return nil, fmt.Errorf("create database directory: %w", err)
		}
		dialector = sqliteDialect{dsn: sqliteDSN(s.sqlitePath)}
	}
	db, err := gorm.Open(dialector, cfg)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", s.dialect, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", s.dialect, err)
	}
	if s.dialect == SQLite {
		// SQLite allows one writer at a time. One connection makes every write wait its
		// turn in Go instead of failing with SQLITE_BUSY, and the connection is kept
		// open for the process's life so its pragmas stay set.
		sqlDB.SetMaxOpenConns(1)
		sqlDB.SetConnMaxLifetime(0)
		sqlDB.SetConnMaxIdleTime(0)
	} else {
		sqlDB.SetMaxOpenConns(32)
		sqlDB.SetMaxIdleConns(16)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	s.db, s.reads = db, db
	if err := s.Ping(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, err
	}
	if dialect == SQLite {
		// Opened after the writer has put the file in WAL mode.
		if s.reads, err = openSQLiteReader(s.sqlitePath, cfg); err != nil {
			_ = sqlDB.Close()
			return nil, err
		}
	}
	fresh, stop := context.WithCancel(context.WithoutCancel(ctx))
	s.stopFresh = stop
	s.memos.live(fresh)
	s.fresh.Go(func() { s.memos.keepFresh(fresh) })
	return s, nil
}

// withExecMode makes pgx send each statement unprepared unless the URL says
// otherwise. By default pgx prepares and keeps every distinct statement text on each
// connection; the scheduler's batch statements differ with every batch size and run
// to tens of kilobytes, so that cache grew past a hundred megabytes under load.
func withExecMode(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn // pgx reports the error with more context
	}
	q := u.Query()
	if q.Get("default_query_exec_mode") == "" {
		q.Set("default_query_exec_mode", "exec")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// sqliteReaders is how many read-only connections SQLite gets.
const sqliteReaders = 4

func openSQLiteReader(path string, cfg *gorm.Config) (*gorm.DB, error) {
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "query_only(1)"} {
		q.Add("_pragma", p)
	}
	q.Set("_time_format", "sqlite")
	db, err := gorm.Open(sqliteDialect{dsn: "file:" + path + "?" + q.Encode()}, cfg)
	if err != nil {
		return nil, fmt.Errorf("open sqlite readers: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open sqlite readers: %w", err)
	}
	sqlDB.SetMaxOpenConns(sqliteReaders)
	sqlDB.SetMaxIdleConns(sqliteReaders)
	sqlDB.SetConnMaxIdleTime(0)
	sqlDB.SetConnMaxLifetime(0)
	return db, nil
}

// parseDatabaseURL tells PostgreSQL from SQLite and returns what the driver needs:
// the URL for PostgreSQL, the file path for SQLite. A URL of any other scheme is an
// error rather than a file name, so a typo never quietly starts an empty database.
// sqlite:///data/x.db is relative and sqlite:////var/x.db absolute, as in SQLAlchemy
// (the original WatchDog's convention).
func parseDatabaseURL(raw string) (Dialect, string, error) {
	if scheme, rest, ok := strings.Cut(raw, "://"); ok {
		switch strings.ToLower(scheme) {
		case "postgres", "postgresql":
			return Postgres, "postgres://" + rest, nil
		case "sqlite", "sqlite3":
			raw = strings.TrimPrefix(rest, "/")
		default:
			return "", "", fmt.Errorf("DATABASE_URL: unsupported scheme %q; use postgres://… or a SQLite file path", scheme)
		}
	}
	for _, prefix := range []string{"sqlite:", "file:"} {
		raw = strings.TrimPrefix(raw, prefix)
	}
	if i := strings.IndexByte(raw, '?'); i >= 0 {
		raw = raw[:i]
	}
	if raw == "" {
		raw = DefaultSQLitePath
	}
	return SQLite, raw, nil
}

// sqliteDSN sets the busy timeout before switching to WAL, so a file another process
// holds briefly is waited for rather than failing (the driver runs busy_timeout
// before every other pragma, whatever their order here); WAL lets readers go on while
// the writer writes; foreign keys are off in SQLite unless asked for.
func sqliteDSN(path string) string {
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	// Times as the earlier driver wrote them, and as sqliteTime's SQL computes them
	// ("2006-01-02 15:04:05.999999999-07:00"), so they compare as text and SQLite's
	// date functions read them; modernc.org/sqlite otherwise writes time.Time.String().
	q.Set("_time_format", "sqlite")
	return "file:" + path + "?" + q.Encode()
}

// Dialect tells which database the store uses.
func (s *Store) Dialect() Dialect { return s.dialect }

// SQLitePath is the database file, or "" on PostgreSQL.
func (s *Store) SQLitePath() string { return s.sqlitePath }

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// Close closes the connection pools.
func (s *Store) Close() error {
	if s.stopFresh != nil {
		s.stopFresh()
		s.fresh.Wait()
	}
	s.memos.wait()
	var errs []error
	for _, db := range []*gorm.DB{s.reads, s.db} {
		sqlDB, err := db.DB()
		if err == nil {
			err = sqlDB.Close()
		}
		errs = append(errs, err)
		if s.reads == s.db {
			break
		}
	}
	return errors.Join(errs...)
}

//go:embed migrations
var migrationFiles embed.FS

// migrationLock is the PostgreSQL advisory lock key held while migrating, so replicas
// starting together apply each migration once.
const migrationLock = 7_240_117

// Migrate applies every migration not yet recorded in schema_migrations, each in its
// own transaction, and returns how many it applied.
func (s *Store) Migrate(ctx context.Context) (int, error) {
	dir := "migrations/" + string(s.dialect)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return 0, fmt.Errorf("read migrations: %w", err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)

	applied := 0
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.sql().advisoryLock(tx, migrationLock); err != nil {
			return fmt.Errorf("lock migrations: %w", err)
		}
		if err := tx.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL)`).Error; err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		var done []int
		if err := tx.Raw("SELECT version FROM schema_migrations").Scan(&done).Error; err != nil {
			return fmt.Errorf("read schema_migrations: %w", err)
		}
		for _, name := range names {
			version, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
			if err != nil {
				return fmt.Errorf("migration %s: name must start with a number", name)
			}
			if slices.Contains(done, version) {
				continue
			}
			body, err := migrationFiles.ReadFile(dir + "/" + name)
			if err != nil {
				return fmt.Errorf("read migration %s: %w", name, err)
			}
			if err := execScript(tx, string(body)); err != nil {
				return fmt.Errorf("apply migration %s: %w", name, err)
			}
			if err := tx.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				version, name, time.Now().UTC()).Error; err != nil {
				return fmt.Errorf("record migration %s: %w", name, err)
			}
			applied++
		}
		return nil
	})
	return applied, err
}

// execScript runs the statements of a migration one by one (SQLite's driver runs only
// the first statement of a multi-statement string).
func execScript(tx *gorm.DB, script string) error {
	for _, stmt := range statements(script) {
		if err := tx.Exec(stmt).Error; err != nil {
			return err
		}
	}
	return nil
}

// statements splits a migration at the semicolons that end statements: not those in
// a PostgreSQL function body ($$ … $$) or in a SQLite trigger's BEGIN … END. Comment
// lines are dropped.
func statements(script string) []string {
	var b strings.Builder
	for line := range strings.SplitSeq(script, "\n") {
		if trimmed := strings.TrimSpace(line); strings.HasPrefix(trimmed, "--") {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	var out []string
	var stmt strings.Builder
	for part := range strings.SplitSeq(b.String(), ";") {
		stmt.WriteString(part)
		s := stmt.String()
		upper := strings.ToUpper(s)
		inBody := strings.Count(s, "$$")%2 == 1
		inTrigger := strings.Contains(upper, "CREATE TRIGGER") && strings.Contains(upper, "BEGIN") &&
			!strings.HasSuffix(strings.TrimSpace(upper), "END")
		if inBody || inTrigger {
			stmt.WriteString(";")
			continue
		}
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
		stmt.Reset()
	}
	return out
}

// dbTime is a time as both databases keep it: UTC, to the microsecond (PostgreSQL's
// precision), so what a write returns equals what a later read returns.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// notFound turns GORM's "no row" into the domain's sentinel.
func notFound(err, sentinel error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return sentinel
	}
	return err
}

// gormLogger sends GORM's own messages to slog: errors only, and "record not found"
// never, since that is an answer, not a fault.
type gormLogger struct{ log *slog.Logger }

func newGormLogger(log *slog.Logger) logger.Interface { return gormLogger{log: log} }

func (l gormLogger) LogMode(logger.LogLevel) logger.Interface { return l }
func (l gormLogger) Info(context.Context, string, ...any)     {}
func (l gormLogger) Warn(ctx context.Context, msg string, args ...any) {
	l.log.WarnContext(ctx, fmt.Sprintf(msg, args...))
}
func (l gormLogger) Error(ctx context.Context, msg string, args ...any) {
	l.log.ErrorContext(ctx, fmt.Sprintf(msg, args...))
}
func (l gormLogger) Trace(context.Context, time.Time, func() (string, int64), error) {}

// Atomically runs fn with a Store whose every statement belongs to one transaction:
// fn's writes commit together when it returns nil, and none of them otherwise. The
// store's memoised reads are not used inside it (the zero memos reuse nothing), and
// are dropped after.
func (s *Store) Atomically(ctx context.Context, fn func(tx *Store) error) error {
	err := s.db.WithContext(ctx).Transaction(func(db *gorm.DB) error {
		tx := &Store{db: db, reads: db, dialect: s.dialect, sqlitePath: s.sqlitePath, memos: memos{},
			alerts: s.alerts, queued: s.queued, health: s.health, log: s.log}
		return fn(tx)
	})
	s.memos.invalidate()
	return err
}

// configLock is the advisory lock key that keeps configuration applies one at a time.
const configLock = 0x77640002

// LockConfig, inside Atomically, waits until no other configuration apply runs and
// holds that until the transaction ends. On SQLite the write transaction already
// excludes every other writer.
func (s *Store) LockConfig(ctx context.Context) error {
	if err := s.sql().advisoryLock(s.db.WithContext(ctx), configLock); err != nil {
		return fmt.Errorf("lock configuration: %w", err)
	}
	return nil
}
