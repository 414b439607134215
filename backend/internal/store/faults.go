package store

// What a database error is about, for both databases in one place. Two kinds matter
// to callers, because they call for opposite handling:
//
//   - the database itself cannot work now (its disk is full, an I/O error, it is
//     read-only, shutting down or unreachable): nothing is wrong with what was asked,
//     so it is kept and asked again later, readiness reports it and the API answers 503;
//   - the database answered and refused these rows (a constraint, an encoding or a
//     value it cannot store): asking again fails again, so the rows are dropped or the
//     request is refused.
//
// Anything else (a bug in a statement, a cancelled context) is neither.

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
	gosqlite "modernc.org/sqlite"
)

// SQLite's primary result codes (https://www.sqlite.org/rescode.html); an extended
// code carries its primary one in the low byte.
const (
	sqliteBusy       = 5
	sqliteLocked     = 6
	sqliteNoMem      = 7
	sqliteReadOnly   = 8
	sqliteIOErr      = 10
	sqliteCorrupt    = 11
	sqliteFull       = 13
	sqliteCantOpen   = 14
	sqliteProtocol   = 15
	sqliteTooBig     = 18
	sqliteConstraint = 19
	sqliteMismatch   = 20
	sqliteRange      = 25
	sqliteNotADB     = 26
)

// sqliteCauses names the result codes that mean the database itself cannot work.
// Busy and locked are here too: the busy timeout has run out waiting for another
// writer, which is not the rows' fault.
var sqliteCauses = map[int]string{
	sqliteBusy:     "busy",
	sqliteLocked:   "busy",
	sqliteNoMem:    "out of memory",
	sqliteReadOnly: "read-only",
	sqliteIOErr:    "I/O error",
	sqliteCorrupt:  "corrupt",
	sqliteFull:     "disk full",
	sqliteCantOpen: "cannot open the database file",
	sqliteProtocol: "locking protocol error",
	sqliteNotADB:   "not a database file",
}

// postgresCauses names the SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html)
// that mean the server cannot work, by code and then by class.
var postgresCauses = map[string]string{
	"25006": "read-only",            // read_only_sql_transaction: a standby, or default_transaction_read_only
	"53100": "disk full",            // disk_full
	"53200": "out of memory",        // out_of_memory
	"53300": "too many connections", // too_many_connections
	"57P01": "shutting down",        // admin_shutdown
	"57P02": "shutting down",        // crash_shutdown
	"57P03": "starting up",          // cannot_connect_now
	"58030": "I/O error",            // io_error
	"08":    "connection lost",      // connection_exception
	"53":    "out of resources",     // insufficient_resources
	"58":    "system error",         // system_error
}

// Unavailable reports whether err says the database itself cannot work now (full,
// I/O error, read-only, shutting down, unreachable) rather than anything about the
// statement or its rows, and names the cause in a few words ("disk full").
func Unavailable(err error) (cause string, ok bool) {
	if err == nil {
		return "", false
	}
	var sq *gosqlite.Error
	if errors.As(err, &sq) {
		cause, ok := sqliteCauses[sq.Code()&0xff]
		return cause, ok
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		if cause, ok := postgresCauses[pg.Code]; ok {
			return cause, true
		}
		if len(pg.Code) == 5 {
			cause, ok := postgresCauses[pg.Code[:2]]
			return cause, ok
		}
		return "", false
	}
	// A context ended by the caller is the caller's business, not the database's,
	// even when it surfaces as a network error.
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return "", false
	}
	var connect *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.As(err, &connect), errors.As(err, &netErr):
		return "unreachable", true
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		pgconn.SafeToRetry(err):
		return "connection lost", true
	}
	return "", false
}

// Refused reports whether the database answered and refused the rows themselves: a
// unique, foreign-key or check constraint, text it cannot encode (PostgreSQL takes no
// NUL), a value too big or out of range. Writing the same rows again fails again.
func Refused(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) || errors.Is(err, gorm.ErrForeignKeyViolated) ||
		errors.Is(err, gorm.ErrCheckConstraintViolated) {
		return true
	}
	var sq *gosqlite.Error
	if errors.As(err, &sq) {
		switch sq.Code() & 0xff {
		case sqliteConstraint, sqliteTooBig, sqliteMismatch, sqliteRange:
			return true
		}
		return false
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) && len(pg.Code) == 5 {
		// Class 22 is data exceptions (encoding, range, format), 23 integrity
		// constraints.
		return pg.Code[:2] == "22" || pg.Code[:2] == "23"
	}
	return false
}
