package store

// The GORM dialect for the embedded SQLite database, on modernc.org/sqlite: SQLite
// translated to Go, so the binary needs no cgo. GORM's own SQLite dialect needs the
// cgo driver, and the pure-Go one it was forked into stopped following SQLite in 2023,
// so the store carries this small one. It only needs what the store uses: statements
// built by GORM (RETURNING, ON CONFLICT, LIMIT/OFFSET) and its error translation.
// The schema comes from the versioned migrations, never from GORM's migrator.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/callbacks"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"
	"gorm.io/gorm/migrator"
	"gorm.io/gorm/schema"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteDriver is the database/sql driver name modernc.org/sqlite registers.
const sqliteDriver = "sqlite"

// sqliteDialect opens a SQLite file through modernc.org/sqlite.
type sqliteDialect struct{ dsn string }

func (sqliteDialect) Name() string { return "sqlite" }

func (d sqliteDialect) Initialize(db *gorm.DB) error {
	conn, err := sql.Open(sqliteDriver, d.dsn)
	if err != nil {
		return err
	}
	db.ConnPool = conn
	var version string
	if err := conn.QueryRowContext(context.Background(), "SELECT sqlite_version()").Scan(&version); err != nil {
		_ = conn.Close()
		return err
	}
	// RETURNING came in SQLite 3.35; the store's statements rely on it.
	if !atLeast(version, 3, 35) {
		_ = conn.Close()
		return fmt.Errorf("sqlite %s is older than 3.35", version)
	}
	callbacks.RegisterDefaultCallbacks(db, &callbacks.Config{
		CreateClauses:        []string{"INSERT", "VALUES", "ON CONFLICT", "RETURNING"},
		UpdateClauses:        []string{"UPDATE", "SET", "FROM", "WHERE", "RETURNING"},
		DeleteClauses:        []string{"DELETE", "FROM", "WHERE", "RETURNING"},
		LastInsertIDReversed: true,
	})
	db.ClauseBuilders["LIMIT"] = buildLimit
	// SQLite has no row locks: a write transaction (BEGIN IMMEDIATE) already holds
	// the whole database, so FOR UPDATE / FOR SHARE are left out.
	db.ClauseBuilders["FOR"] = func(c clause.Clause, b clause.Builder) {
		if _, ok := c.Expression.(clause.Locking); !ok {
			c.Build(b)
		}
	}
	return nil
}

// atLeast says whether the dotted version is major.minor or later.
func atLeast(version string, major, minor int) bool {
	parts := strings.SplitN(version, ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
}

// buildLimit writes LIMIT and OFFSET; SQLite has no OFFSET without a LIMIT, so an
// offset alone gets LIMIT -1 (no limit).
func buildLimit(c clause.Clause, b clause.Builder) {
	l, ok := c.Expression.(clause.Limit)
	if !ok {
		c.Build(b)
		return
	}
	n := -1
	if l.Limit != nil && *l.Limit >= 0 {
		n = *l.Limit
	}
	if n < 0 && l.Offset <= 0 {
		return
	}
	b.WriteString("LIMIT " + strconv.Itoa(n))
	if l.Offset > 0 {
		b.WriteString(" OFFSET " + strconv.Itoa(l.Offset))
	}
}

// Migrator is GORM's generic one; the store migrates with its own SQL files.
func (d sqliteDialect) Migrator(db *gorm.DB) gorm.Migrator {
	return migrator.Migrator{Config: migrator.Config{DB: db, Dialector: d}}
}

func (sqliteDialect) DataTypeOf(field *schema.Field) string {
	switch field.DataType {
	case schema.Bool:
		return "numeric"
	case schema.Int, schema.Uint:
		if field.AutoIncrement {
			return "integer PRIMARY KEY AUTOINCREMENT"
		}
		return "integer"
	case schema.Float:
		return "real"
	case schema.String:
		return "text"
	case schema.Time:
		if t, ok := field.TagSettings["TYPE"]; ok {
			return t
		}
		return "datetime"
	case schema.Bytes:
		return "blob"
	}
	return string(field.DataType)
}

func (sqliteDialect) DefaultValueOf(field *schema.Field) clause.Expression {
	if field.AutoIncrement {
		return clause.Expr{SQL: "NULL"}
	}
	return clause.Expr{SQL: "DEFAULT"}
}

func (sqliteDialect) BindVarTo(w clause.Writer, _ *gorm.Statement, _ any) { _ = w.WriteByte('?') }

// QuoteTo quotes each dot-separated part of an identifier in backticks, doubling
// any backtick inside it.
func (sqliteDialect) QuoteTo(w clause.Writer, name string) {
	for i, part := range strings.Split(name, ".") {
		if i > 0 {
			_ = w.WriteByte('.')
		}
		if len(part) >= 2 && part[0] == '`' && part[len(part)-1] == '`' {
			_, _ = w.WriteString(part) // already quoted
			continue
		}
		_, _ = w.WriteString("`" + strings.ReplaceAll(part, "`", "``") + "`")
	}
}

func (sqliteDialect) Explain(sql string, vars ...any) string {
	return logger.ExplainSQL(sql, nil, `"`, vars...)
}

func (sqliteDialect) SavePoint(tx *gorm.DB, name string) error {
	return tx.Exec("SAVEPOINT " + name).Error
}

func (sqliteDialect) RollbackTo(tx *gorm.DB, name string) error {
	return tx.Exec("ROLLBACK TO SAVEPOINT " + name).Error
}

// Translate turns constraint failures into GORM's errors (with TranslateError on),
// which the store maps to domain errors.
func (sqliteDialect) Translate(err error) error {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return err
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return gorm.ErrDuplicatedKey
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return gorm.ErrForeignKeyViolated
	}
	return err
}
