package config_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/config"
)

// TestReadEnvFileReferences: $NAME in an unquoted or double-quoted value is filled
// from the file's earlier lines, else the environment; one set in neither is an error
// naming the line and the variable, never the value. Single quotes and \$ keep a $.
func TestReadEnvFileReferences(t *testing.T) {
	t.Parallel()
	env := map[string]string{"HOST": "db.example", "QUOTED": "it's", "EMPTY": ""}
	tests := []struct {
		name string
		file string
		want map[string]string
		err  string
	}{
		{name: "no $", file: "A=1\n", want: map[string]string{"A": "1"}},
		{name: "from an earlier line", file: "A=x\nB=${A}y\n", want: map[string]string{"A": "x", "B": "xy"}},
		{name: "from the environment", file: "URL=\"postgres://$HOST/w\"\n", want: map[string]string{"URL": "postgres://db.example/w"}},
		{name: "the file over the environment", file: "HOST=local\nURL=$HOST\n", want: map[string]string{"HOST": "local", "URL": "local"}},
		{name: "set to nothing in the environment", file: "A=x${EMPTY}\n", want: map[string]string{"A": "x"}},
		{name: "single quotes", file: "P='Pa$SW0RD!x'\n", want: map[string]string{"P": "Pa$SW0RD!x"}},
		{name: "an escaped $", file: "P=\"Pa\\$SW0RD!x\"\n", want: map[string]string{"P": "Pa$SW0RD!x"}},
		{name: "a $ before no name", file: "P=Pa$sw0rd\n", want: map[string]string{"P": "Pa$sw0rd"}},
		{name: "set nowhere", file: "A=1\nP=Pa$SW0RD!x\n", err: ".env:2: P refers to $SW0RD, which is set neither earlier in the file nor in the environment; put a value holding a $ in single quotes"},
		{name: "set nowhere, in double quotes", file: "export P=\"Pa${SW0RD}!x\"\n", err: ".env:1: P refers to $SW0RD"},
		{name: "an escaped $, unquoted", file: `P=Pa\$SW0RD!x` + "\n", want: map[string]string{"P": "Pa$SW0RD!x"}},
		{name: "an escaped $ beside a reference, unquoted", file: "DB_HOST=db\n" + `DATABASE_URL=postgres://wd:Pa\$SW0RD@${DB_HOST}/wd` + "\n",
			want: map[string]string{"DB_HOST": "db", "DATABASE_URL": "postgres://wd:Pa$SW0RD@db/wd"}},
		{name: "an escaped $ beside a reference, in double quotes", file: "DB_HOST=db\n" + `DATABASE_URL="postgres://wd:Pa\$SW0RD@${DB_HOST}/wd"` + "\n",
			want: map[string]string{"DB_HOST": "db", "DATABASE_URL": "postgres://wd:Pa$SW0RD@db/wd"}},
		{name: "an escaped $ beside a reference to the environment", file: `URL="postgres://wd:Pa\$SW0RD@$HOST/wd"` + "\n",
			want: map[string]string{"URL": "postgres://wd:Pa$SW0RD@db.example/wd"}},
		{name: "an escaped backslash before a $", file: "A=x\n" + `P="Pa\\$SW0RD@$A"` + "\n", want: map[string]string{"A": "x", "P": "Pa$SW0RD@x"}},
		{name: "single quotes keep a backslash and a $", file: "A=x\n" + `P='Pa\$SW0RD $A'` + "\n", want: map[string]string{"A": "x", "P": `Pa\$SW0RD $A`}},
		{name: "set nowhere, beside an escaped $", file: `P=Pa\$SW0RD@$NOPE` + "\n", err: ".env:1: P refers to $NOPE, which is set neither"},
		{name: "set nowhere, beside an escaped $, in double quotes", file: `P="Pa\$SW0RD@${NOPE}"` + "\n", err: ".env:1: P refers to $NOPE, which is set neither"},
		{name: "an environment value that cannot be filled in", file: "P=x$QUOTED\n", err: ".env:1: P refers to $QUOTED, whose value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), ".env")
			require.NoError(t, os.WriteFile(path, []byte(tt.file), 0o600))
			got, err := config.ReadEnvFile(path, func(name string) (string, bool) { v, ok := env[name]; return v, ok })
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				assert.NotContains(t, err.Error(), "Pa", "the value is a secret")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestReadEnvFileNotARegularFile: a directory named .env (a Python virtualenv) is
// taken as no file.
func TestReadEnvFileNotARegularFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), ".env")
	require.NoError(t, os.MkdirAll(filepath.Join(path, "bin"), 0o700))
	_, err := config.ReadEnvFile(path, nil)
	assert.True(t, errors.Is(err, fs.ErrNotExist), "%v", err)
}
