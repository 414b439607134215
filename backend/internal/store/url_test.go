package store

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseDatabaseURL(t *testing.T) {
	tests := []struct {
		in      string
		dialect Dialect
		dsn     string
	}{
		{"", SQLite, DefaultSQLitePath},
		{"watchdog.db", SQLite, "watchdog.db"},
		{"/var/lib/watchdog/w.db", SQLite, "/var/lib/watchdog/w.db"},
		{"file:x.db?cache=shared", SQLite, "x.db"},
		{"sqlite:///local_test.db", SQLite, "local_test.db"},
		{"sqlite:////var/lib/w.db", SQLite, "/var/lib/w.db"},
		{"postgres://u:p@db:5432/w?sslmode=disable", Postgres, "postgres://u:p@db:5432/w?sslmode=disable"},
		{"postgresql://u:p@db/w", Postgres, "postgres://u:p@db/w"},
		{"POSTGRES://u:p@db/w", Postgres, "postgres://u:p@db/w"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			d, dsn, err := parseDatabaseURL(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.dialect, d)
			assert.Equal(t, tc.dsn, dsn)
		})
	}
	for _, bad := range []string{"pgx://u:secret@db/w", "postgresql+psycopg2://u:secret@db/w", "mysql://u:secret@db/w"} {
		t.Run(bad, func(t *testing.T) {
			_, _, err := parseDatabaseURL(bad)
			require.Error(t, err)
			assert.NotContains(t, err.Error(), "secret")
		})
	}
}
