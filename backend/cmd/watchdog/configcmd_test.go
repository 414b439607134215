package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/config"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

// TestExportApplyCommands: the README's example through the commands, into one
// database and, by export, into another, which then matches.
func TestExportApplyCommands(t *testing.T) {
	ctx := context.Background()
	env := func(k string) string { return map[string]string{"LOG_LEVEL": "warn"}[k] }
	cmd := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, args, env, &out)
		return out.String(), err
	}
	first := storetest.SQLiteURL(t)
	example := filepath.Join("..", "..", "..", "docs", "examples", "watchdog.yaml")

	out, err := cmd("apply", "--dry-run", "-f", example, "-DATABASE_URL", first)
	require.NoError(t, err)
	assert.Contains(t, out, "target example: created")
	assert.Contains(t, out, "dry run")
	out, err = cmd("apply", "-f", example, "-DATABASE_URL", first)
	require.NoError(t, err)
	assert.Equal(t, 5, strings.Count(out, ": created"), out)
	out, err = cmd("apply", "-f="+example, "-DATABASE_URL", first)
	require.NoError(t, err)
	assert.Equal(t, 5, strings.Count(out, ": unchanged"), "idempotent:\n%s", out)

	exported, err := cmd("export", "-DATABASE_URL", first)
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "exported.yaml")
	require.NoError(t, os.WriteFile(file, []byte(exported), 0o600))
	second := storetest.PostgresURL(t)
	out, err = cmd("apply", "-f", file, "-DATABASE_URL", second)
	require.NoError(t, err)
	assert.Equal(t, 5, strings.Count(out, ": created"), out)
	again, err := cmd("export", "-DATABASE_URL", second)
	require.NoError(t, err)
	assert.Equal(t, exported, again, "the other instance now exports the same document")

	// import through the command line: settings' flags mix with its words.
	gatus := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(gatus, []byte("endpoints:\n  - name: front\n    url: https://front.example.com/\n    interval: 1m\n"+
		"    conditions: [\"[STATUS] == 200\"]\n  - name: syslog\n    url: udp://example.com:514\n"), 0o600))
	out, err = cmd("import", "-DATABASE_URL", first, "gatus", gatus)
	require.NoError(t, err)
	assert.Contains(t, out, "target front: created")
	assert.Contains(t, out, `endpoint "syslog": not carried over: udp endpoint`)
	out, err = cmd("import", "gatus", gatus, "--dry-run", "-DATABASE_URL="+first)
	require.NoError(t, err)
	assert.Contains(t, out, "target front: unchanged", "importing twice creates nothing new")

	// An import leaves an object whose name is taken alone.
	clash := filepath.Join(t.TempDir(), "clash.yaml")
	require.NoError(t, os.WriteFile(clash, []byte("endpoints:\n  - name: example\n    url: https://elsewhere.example.com/\n"), 0o600))
	out, err = cmd("import", "gatus", clash, "-DATABASE_URL", first)
	require.NoError(t, err)
	assert.Contains(t, out, "target example: kept")
	exportedNow, err := cmd("export", "-DATABASE_URL", first)
	require.NoError(t, err)
	assert.Contains(t, exportedNow, "url: https://example.com/")
	assert.NotContains(t, exportedNow, "elsewhere")

	// Flags mean what they say; a stray word is refused, not ignored.
	one := filepath.Join(t.TempDir(), "one.yaml")
	require.NoError(t, os.WriteFile(one, []byte("version: 1\ntargets:\n  - name: example\n    url: https://example.com/\n    tags: [demo]\n    channels: [ops-ntfy]\n"), 0o600))
	out, err = cmd("apply", "-f", one, "--prune=false", "--dry-run=true", "-DATABASE_URL", first)
	require.NoError(t, err)
	assert.NotContains(t, out, "deleted")
	assert.Contains(t, out, "dry run")
	_, err = cmd("apply", "-f", one, "--prune", "/some/other.db", "-DATABASE_URL", first)
	assert.ErrorContains(t, err, `unexpected argument "/some/other.db"`)
	_, err = cmd("export", "extra", "-DATABASE_URL", first)
	assert.ErrorContains(t, err, `unexpected argument "extra"`)
	_, err = cmd("apply", "-f", one, "--prune=maybe", "-DATABASE_URL", first)
	assert.ErrorContains(t, err, "want true or false")

	_, err = cmd("apply", "-DATABASE_URL", first)
	assert.ErrorContains(t, err, "-f FILE is required")
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("version: 1\ntargets:\n  - name: x\n    url: ftp://x/\n"), 0o600))
	_, err = cmd("apply", "-f", bad, "-DATABASE_URL", first)
	assert.EqualError(t, err, bad+": 1 error; nothing was changed")
	// The error itself went to standard error, placed as a compiler places it.
	var stderr bytes.Buffer
	cfg := config.Default()
	cfg.DatabaseURL = first
	err = applyConfig(ctx, cfg, applyFlags{file: bad}, storetest.Logger(t), nil, &bytes.Buffer{}, &stderr)
	assert.EqualError(t, err, bad+": 1 error; nothing was changed")
	assert.Equal(t, bad+":4:10: targets[0].url: must be an absolute http or https URL\n", stderr.String())
}
