package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/audit"
	"github.com/watchdog-monitor/watchdog/backend/internal/config"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

// TestApplyCommandErrors: `watchdog apply` prints every error of a file to standard
// error, one line each, as a compiler does, and changes nothing; no progress text
// reaches a pipe.
func TestApplyCommandErrors(t *testing.T) {
	ctx := context.Background()
	bad := filepath.Join("..", "..", "internal", "manifest", "testdata", "bad.yaml")
	rules := filepath.Join("..", "..", "internal", "manifest", "testdata", "rules.yaml")
	for _, tc := range []struct {
		name, file string
		want       []string
	}{
		{"unreadable values", bad, []string{
			bad + `:8:17: channels[0].is_default: want true or false, got "maybe"`,
			bad + `:15:11: targets[1].tags: want a list, got "prod"`,
			bad + `:18:23: targets[2].interval_seconds: want a number, got "sixty"`,
			bad + `:19:14: targets[2].retries: want a whole number, got 1.5`,
			bad + `:20:5: targets[2].colour: unknown field "colour"`,
			bad + `:21:5: targets[2].intervall_seconds: unknown field "intervall_seconds" (did you mean interval_seconds?)`,
			bad + `:25:5: status_pages[0].title: given twice (first on line 24)`,
		}},
		{"broken rules", rules, []string{
			rules + ":7:12: channels[0].config.url: address not allowed: 169.254.169.254 is a link-local or cloud metadata address",
			rules + ":11:23: targets[0].interval_seconds: must be between 30 and 86400",
			rules + `:12:21: targets[0].channels[1]: no channel is named "nope"`,
			rules + ":14:10: targets[1].url: ${HOME} cannot be read here: a reference may only be the whole value of a secret setting of a channel or a credential header of a target (write $${ for a literal ${)",
			rules + ":16:11: status_pages[0].slug: must be 1 to 64 lowercase letters, digits and inner dashes",
			rules + `:18:25: status_pages[0].targets[1]: no target is named "gone"`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.DatabaseURL = storetest.SQLiteURL(t)
			// A pipe, as when the command's output is piped: no progress is drawn.
			r, w, err := os.Pipe()
			require.NoError(t, err)
			var stdout bytes.Buffer
			err = applyConfig(ctx, cfg, applyFlags{file: tc.file}, storetest.Logger(t), nil, &stdout, w)
			require.NoError(t, w.Close())
			require.Error(t, err)
			assert.Equal(t, tc.file+": "+strconv.Itoa(len(tc.want))+" errors; nothing was changed", err.Error())
			var stderr bytes.Buffer
			_, _ = stderr.ReadFrom(r)
			assert.Equal(t, strings.Join(tc.want, "\n")+"\n", stderr.String(), "one line per error and nothing else")
			assert.Empty(t, stdout.String())
			st := storetest.Open(t, cfg.DatabaseURL)
			all, err := st.AllTargets(ctx)
			require.NoError(t, err)
			assert.Empty(t, all)
		})
	}
}

// TestApplyCommandTooManyErrors: past MaxErrors the summary counts every error and
// says how many are shown; the lines are the errors only.
func TestApplyCommandTooManyErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\ntargets:\n")
	for range 150 {
		b.WriteString("  - {name: a, url: 'https://a.example.com/', retries: many}\n")
	}
	file := filepath.Join(t.TempDir(), "many.yaml")
	require.NoError(t, os.WriteFile(file, []byte(b.String()), 0o600))
	cfg := config.Default()
	cfg.DatabaseURL = storetest.SQLiteURL(t)
	var stdout, stderr bytes.Buffer
	err := applyConfig(context.Background(), cfg, applyFlags{file: file}, storetest.Logger(t), nil, &stdout, &stderr)
	require.Error(t, err)
	assert.Equal(t, file+": 150 errors (100 shown); nothing was changed", err.Error())
	lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
	require.Len(t, lines, 100)
	assert.Equal(t, file+`:102:55: targets[99].retries: want a number, got "many"`, lines[99])
	assert.NotContains(t, stderr.String(), "more errors")
}

// TestApplyCommandIsAudited: what `watchdog apply` changes is in the audit log under
// the command line and the user running it, on both databases.
func TestApplyCommandIsAudited(t *testing.T) {
	ctx := context.Background()
	example := filepath.Join("..", "..", "..", "docs", "examples", "watchdog.yaml")
	for _, db := range []struct {
		name string
		url  func(testing.TB) string
	}{{"sqlite", storetest.SQLiteURL}, {"postgres", storetest.PostgresURL}} {
		t.Run(db.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.DatabaseURL = db.url(t)
			var stdout, stderr bytes.Buffer
			require.NoError(t, applyConfig(ctx, cfg, applyFlags{file: example}, storetest.Logger(t), nil, &stdout, &stderr))
			assert.Equal(t, 5, strings.Count(stdout.String(), ": created"), stdout.String())
			assert.Empty(t, stderr.String(), "no progress off a terminal")
			st := storetest.Open(t, cfg.DatabaseURL)
			entries, total, err := st.ListAudit(ctx, audit.Filter{Limit: 50})
			require.NoError(t, err)
			assert.Equal(t, 6, total, "five objects and the apply")
			for _, e := range entries {
				assert.Equal(t, cliActor(), e.Actor)
				assert.True(t, strings.HasPrefix(e.Actor, "cli"), e.Actor)
				assert.Nil(t, e.ActorID)
			}
		})
	}
}

// TestProgressLine: on a terminal, progress is one line rewritten in place, drawn at
// most ten times a second, with the last count always shown, and wiped at the end.
func TestProgressLine(t *testing.T) {
	var out bytes.Buffer
	p := &progress{w: &out, label: "applying", every: time.Hour}
	hook := p.hook()
	for i := 1; i <= 5000; i++ {
		hook(i, 5000)
	}
	p.finish()
	assert.Equal(t, "\rapplying 1/5000 objects\033[K\rapplying 5000/5000 objects\033[K\r\033[K", out.String())
	assert.Nil(t, newProgress(&out, "applying"), "a buffer is no terminal")
	assert.Nil(t, newProgress(&out, "applying").hook())
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer func() { _ = r.Close(); _ = w.Close() }()
	assert.Nil(t, newProgress(w, "applying"), "nor is a pipe")
}

// TestImportIsAudited: what an import creates is in the audit log under the command
// line, written with the objects: a dry run records nothing.
func TestImportIsAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		gatus := filepath.Join(t.TempDir(), "config.yaml")
		require.NoError(t, os.WriteFile(gatus, []byte("endpoints:\n  - name: front\n    url: https://front.example.com/\n    interval: 1m\n"+
			"  - name: back\n    url: https://back.example.com/\n"), 0o600))
		require.NoError(t, runImport(ctx, st, importLimits, []string{"gatus", gatus, "--dry-run"}, &bytes.Buffer{}, &bytes.Buffer{}))
		_, total, err := st.ListAudit(ctx, audit.Filter{Limit: 50})
		require.NoError(t, err)
		assert.Zero(t, total, "a dry run records nothing")

		var stderr bytes.Buffer
		require.NoError(t, runImport(ctx, st, importLimits, []string{"gatus", gatus}, &bytes.Buffer{}, &stderr))
		assert.Empty(t, stderr.String(), "no progress off a terminal")
		entries, _, err := st.ListAudit(ctx, audit.Filter{Kind: audit.KindTarget, Limit: 50})
		require.NoError(t, err)
		names := []string{}
		for _, e := range entries {
			assert.Equal(t, cliActor(), e.Actor)
			assert.Nil(t, e.ActorID)
			assert.Equal(t, audit.Create, e.Action)
			names = append(names, e.ObjectName)
		}
		assert.ElementsMatch(t, []string{"front", "back"}, names)
	})
}
