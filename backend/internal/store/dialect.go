package store

// The one seam between the two databases. Every statement the store runs is written
// once; where PostgreSQL and SQLite must be told something differently — how rows are
// claimed under a lease, what "now" is, how a row is locked — the statement asks its
// sqlDialect, and this file is the only place that spells either database's way.
//
// The difference underneath almost all of it: PostgreSQL serves many replicas at once,
// so it needs row locks, SKIP LOCKED and advisory locks, and its now() is the one clock
// the replicas share; SQLite has one writer in one process, whose write transaction
// already excludes everyone else, so the locks are no-ops there and the clock is the
// process's own.

import (
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// sqlDialect is what the store's statements say differently to each database.
type sqlDialect interface {
	// claim is the statement that leases rows: up to c.limit rows of c.table matching
	// c.due, taken in c.order, get c.set in the same statement, which returns them.
	claim(c leaseClaim) (string, []any)
	// now is the current time as one statement sees it.
	now() clock
	// after is the time `seconds` (an SQL expression over the row) after c.
	after(c clock, seconds string) any
	// afterDuration is the time d after c.
	afterDuration(c clock, d time.Duration) any
	// ago is the SQL for the database's now minus `seconds` (an SQL expression).
	ago(seconds string) string
	// randomSoon is the SQL for a random moment between now and `seconds` from now
	// (an SQL expression, which may hold parameters).
	randomSoon(seconds string) string
	// least is the SQL for the lesser of two values.
	least(a, b string) string
	// lock adds a row lock of strength (UPDATE, SHARE, KEY SHARE) to q.
	lock(q *gorm.DB, strength string) *gorm.DB
	// advisoryLock holds key until tx ends, so transactions holding it take turns.
	advisoryLock(tx *gorm.DB, key int64) error
	// param is a parameter of an SQL type where nothing around it gives one (VALUES).
	param(pgType string) string
	// rowID is the column naming a row's physical place, which every table has.
	rowID() string
	// lateral tells whether a subquery may read the row beside it (LATERAL), so
	// one statement can answer a per-row top-N.
	lateral() bool
	// movingCTE tells whether a WITH clause may delete rows whose values the rest of
	// the statement uses, making a take-and-reinsert one atomic statement.
	movingCTE() bool
}

// sql is the store's dialect, from the database it opened.
func (s *Store) sql() sqlDialect {
	if s.dialect == Postgres {
		return postgresSQL{}
	}
	return sqliteSQL{}
}

// leaseClaim describes one claim of rows under a lease.
type leaseClaim struct {
	table string
	// alias names table inside due (for correlated subqueries); may be empty.
	alias   string
	due     string
	dueArgs []any
	order   string
	limit   int
	set     string
	setArgs []any
	// clockAs, when set, names an extra returned column holding the database's now,
	// where the database keeps the clock (see clock).
	clockAs string
}

// clock is "now" for one statement: what the statement binds, and the time itself
// when the store chose it before the statement ran.
type clock struct {
	sql any
	// at is the store's time bound as now, or zero when the database reads its own
	// clock (it is then returned by the statement, see leaseClaim.clockAs).
	at time.Time
}

// postgresSQL is PostgreSQL's dialect.
type postgresSQL struct{}

// claim chooses the rows in a CTE with FOR UPDATE SKIP LOCKED, so replicas claiming at
// once each take different rows, never waiting on or double-claiming each other's.
func (postgresSQL) claim(c leaseClaim) (string, []any) {
	returning := c.table + ".*"
	if c.clockAs != "" {
		returning += ", now() AS " + c.clockAs
	}
	stmt := fmt.Sprintf(`
			WITH due AS (
				SELECT id FROM %[1]s %[2]s WHERE %[3]s
				ORDER BY %[4]s
				LIMIT ?
				FOR UPDATE SKIP LOCKED
			)
			UPDATE %[1]s SET %[5]s
			FROM due WHERE %[1]s.id = due.id
			RETURNING %[6]s`, c.table, c.alias, c.due, c.order, c.set, returning)
	args := append(append(append([]any{}, c.dueArgs...), c.limit), c.setArgs...)
	return stmt, args
}

// now is the database's clock, which every replica shares.
func (postgresSQL) now() clock { return clock{sql: gorm.Expr("now()")} }

func (postgresSQL) after(c clock, seconds string) any {
	return gorm.Expr("? + "+seconds+" * interval '1 second'", c.sql)
}

func (postgresSQL) afterDuration(c clock, d time.Duration) any {
	return gorm.Expr("? + ? * interval '1 second'", c.sql, int(d.Seconds()))
}

func (postgresSQL) ago(seconds string) string {
	return "now() - " + seconds + " * interval '1 second'"
}

func (postgresSQL) randomSoon(seconds string) string {
	return "now() + random() * " + seconds + " * interval '1 second'"
}

func (postgresSQL) least(a, b string) string { return "LEAST(" + a + ", " + b + ")" }

func (postgresSQL) lock(q *gorm.DB, strength string) *gorm.DB {
	return q.Clauses(clause.Locking{Strength: strength})
}

func (postgresSQL) advisoryLock(tx *gorm.DB, key int64) error {
	return tx.Exec("SELECT pg_advisory_xact_lock(?)", key).Error
}

// param casts: PostgreSQL types parameters from their context, and VALUES has none.
func (postgresSQL) param(pgType string) string { return "CAST(? AS " + pgType + ")" }
func (postgresSQL) rowID() string              { return "ctid" }
func (postgresSQL) lateral() bool              { return true }
func (postgresSQL) movingCTE() bool            { return true }

// sqliteSQL is SQLite's dialect.
type sqliteSQL struct{}

// claim chooses and updates the rows in one statement: SQLite has one writer, so
// nothing runs between the choice of rows and their update.
func (sqliteSQL) claim(c leaseClaim) (string, []any) {
	stmt := fmt.Sprintf(`
			UPDATE %[1]s SET %[2]s
			WHERE id IN (
				SELECT id FROM %[1]s %[3]s WHERE %[4]s
				ORDER BY %[5]s
				LIMIT ?)
			RETURNING *`, c.table, c.set, c.alias, c.due, c.order)
	args := append(append(append([]any{}, c.setArgs...), c.dueArgs...), c.limit)
	return stmt, args
}

// now is this process's time, bound as a value: there is one process per file, and
// the caller learns exactly the time the statement used.
func (sqliteSQL) now() clock {
	at := dbTime(time.Now())
	return clock{sql: at, at: at}
}

func (sqliteSQL) after(c clock, seconds string) any {
	return gorm.Expr(sqliteTime("?, '+' || "+seconds+" || ' seconds'"), c.sql)
}

func (sqliteSQL) afterDuration(c clock, d time.Duration) any {
	return c.at.Add(time.Duration(int(d.Seconds())) * time.Second)
}

func (sqliteSQL) ago(seconds string) string {
	return sqliteTime("'now', '-' || " + seconds + " || ' seconds'")
}

func (sqliteSQL) randomSoon(seconds string) string {
	return sqliteTime("'now', '+' || ((abs(random()) % (1000 * " + seconds + ")) / 1000.0) || ' seconds'")
}

func (sqliteSQL) least(a, b string) string { return "min(" + a + ", " + b + ")" }

// lock locks nothing: the write transaction already excludes every other writer.
func (sqliteSQL) lock(q *gorm.DB, _ string) *gorm.DB { return q }

// advisoryLock locks nothing, for the same reason.
func (sqliteSQL) advisoryLock(*gorm.DB, int64) error { return nil }

func (sqliteSQL) param(string) string { return "?" }
func (sqliteSQL) rowID() string       { return "rowid" }
func (sqliteSQL) lateral() bool       { return false }
func (sqliteSQL) movingCTE() bool     { return false }

// sqliteTime is SQLite's time for strftime's arguments, in the form its driver writes
// times (UTC with a +00:00 zone), so it compares correctly as text with stored ones.
func sqliteTime(args string) string {
	return "(strftime('%Y-%m-%d %H:%M:%f', " + args + ") || '+00:00')"
}
