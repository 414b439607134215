package importer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// openSQLiteReadOnly opens a SQLite file that must not change.
//
// mode=ro makes every write fail. It is not enough alone: opening a WAL database
// read-only creates its -wal and -shm files when they are missing, leaving files
// beside the source. When no -wal file is there, the database file holds everything,
// and immutable=1 reads it without creating, locking or touching anything. When one
// is there, another process (a running Uptime Kuma) has the database open: it keeps
// its -shm, and reading through its log is the only way to see its latest writes.
func openSQLiteReadOnly(ctx context.Context, path string) (*sql.DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("open %s: is a directory", path)
	}
	params := "mode=ro"
	if _, err := os.Stat(abs + "-wal"); errors.Is(err, fs.ErrNotExist) {
		params += "&immutable=1"
	}
	// A SQLite URI: %, ? and # in the path must be escaped.
	escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(filepath.ToSlash(abs))
	db, err := sql.Open("sqlite", "file:"+escaped+"?"+params+"&_pragma=query_only(1)")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// columns lists a table's columns; none when the table does not exist.
func columns(ctx context.Context, db *sql.DB, table string) (map[string]bool, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		return nil, fmt.Errorf("read the columns of %s: %w", table, err)
	}
	defer func() { _ = rows.Close() }()
	cols := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("read the columns of %s: %w", table, err)
		}
		cols[name] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the columns of %s: %w", table, err)
	}
	return cols, nil
}

// selectRows reads the named columns of every row of table, ordered by id, as
// column→value maps. A column the table lacks (an older schema) reads as NULL.
func selectRows(ctx context.Context, db *sql.DB, table string, want []string) ([]map[string]any, error) {
	have, err := columns(ctx, db, table)
	if err != nil {
		return nil, err
	}
	if len(have) == 0 {
		return nil, fmt.Errorf("no %s table", table)
	}
	exprs := make([]string, len(want))
	for i, c := range want {
		if have[c] {
			exprs[i] = `"` + c + `"`
		} else {
			exprs[i] = "NULL"
		}
	}
	order := ""
	if have["id"] {
		order = " ORDER BY id"
	}
	rows, err := db.QueryContext(ctx, `SELECT `+strings.Join(exprs, ", ")+` FROM "`+table+`"`+order)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	defer func() { _ = rows.Close() }()
	var out []map[string]any
	for rows.Next() {
		vals := make([]any, len(want))
		ptrs := make([]any, len(want))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("read %s: %w", table, err)
		}
		row := make(map[string]any, len(want))
		for i, c := range want {
			if b, ok := vals[i].([]byte); ok {
				vals[i] = string(b)
			}
			row[c] = vals[i]
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	return out, nil
}
