package manifest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/audit"
	"github.com/watchdog-monitor/watchdog/backend/internal/manifest"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

// TestApplyIsAudited: every object an apply creates, updates or deletes gets an
// entry naming who applied, written in the apply's transaction: a dry run and an apply
// that fails part way leave none (and change nothing).
func TestApplyIsAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		cli := opts(secrets)
		cli.Actor = "cli (alice)"
		entries := func() []audit.Entry {
			t.Helper()
			all, _, err := s.ListAudit(ctx, audit.Filter{Limit: 500})
			require.NoError(t, err)
			return all
		}

		dry := cli
		dry.DryRun = true
		apply(t, s, full, dry)
		assert.Empty(t, entries(), "a dry run records nothing")

		apply(t, s, full, cli)
		got := map[string]string{}
		for _, e := range entries() {
			assert.Equal(t, "cli (alice)", e.Actor)
			assert.Nil(t, e.ActorID, "no user of the server acted")
			got[e.Kind+" "+e.ObjectName] = e.Action
			if e.Kind == audit.KindTarget && e.ObjectName == "shop-api" {
				require.NotNil(t, e.ObjectID)
				assert.Equal(t, audit.Change{After: "https://shop.example.com/health"}, e.Changes["url"])
				assert.Equal(t, audit.Change{After: map[string]any{
					"Accept": "application/json", "Authorization": "${WATCHDOG_TARGET_SHOP_API_AUTHORIZATION}"}},
					e.Changes["headers"], "a secret is written as its reference")
			}
		}
		assert.Equal(t, map[string]string{
			"channel ops": audit.Create, "channel pager": audit.Create, "target shop-api": audit.Create,
			"target docs": audit.Create, "target render-app": audit.Create, "status_page acme": audit.Create,
			"config apply": audit.Update,
		}, got)

		// A rotated secret is an update whose value is masked.
		env := map[string]string{}
		for k, v := range secrets {
			env[k] = v
		}
		env["WATCHDOG_CHANNEL_OPS_SECRET"] = "rotated"
		rotated := opts(env)
		rotated.Actor = "cli (alice)"
		apply(t, s, full, rotated)
		latest := entries()
		require.Len(t, latest, 9)
		var ops audit.Entry
		for _, e := range latest {
			if e.Kind == audit.KindChannel && e.Action == audit.Update {
				ops = e
			}
		}
		assert.Equal(t, "ops", ops.ObjectName)
		assert.Equal(t, map[string]audit.Change{"config": {Before: audit.Masked, After: audit.Masked}}, ops.Changes)
		assert.NotContains(t, fmt.Sprint(latest), "rotated")
		assert.NotContains(t, fmt.Sprint(latest), secrets["WATCHDOG_CHANNEL_OPS_SECRET"])

		// Good up to the last target: the channel it would update and the targets it
		// would change stay as they were, and no entry is written.
		before, _, err := manifest.Export(ctx, s)
		require.NoError(t, err)
		broken := strings.Replace(full, "https://hooks.example.com/watchdog", "https://hooks.example.com/v2", 1)
		broken = strings.Replace(broken, "interval_seconds: 60", "interval_seconds: 120", 1)
		broken = strings.Replace(broken, "    budget_group: render\n", "    budget_group: render\n    interval_seconds: 5\n", 1)
		_, err = parse(t, broken).Apply(ctx, s, cli)
		errorAt(t, err, "targets[2].interval_seconds")
		after, _, err := manifest.Export(ctx, s)
		require.NoError(t, err)
		assert.Equal(t, before, after)
		assert.Len(t, entries(), 9, "a failed apply records nothing")

		// Prune deletes are recorded too.
		prune := cli
		prune.Prune = true
		apply(t, s, "version: 1\n", prune)
		deleted := 0
		for _, e := range entries() {
			if e.Action == audit.Delete {
				deleted++
				assert.NotEmpty(t, e.Changes, "what was deleted")
				for field, c := range e.Changes {
					assert.Nil(t, c.After, "%s %s: %s", e.Kind, e.ObjectName, field)
					assert.NotNil(t, c.Before, "%s %s: %s", e.Kind, e.ObjectName, field)
				}
			}
		}
		assert.Equal(t, 6, deleted)
	})
}

// TestProgress: Progress hears of every object, counts rising to the whole.
func TestProgress(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\nchannels:\n  - {name: ops, type: ntfy, config: {topic: t}}\ntargets:\n")
	for i := range 1200 {
		fmt.Fprintf(&b, "  - {name: t%d, url: 'https://t%d.example.com/'}\n", i, i)
	}
	b.WriteString("status_pages:\n  - {slug: all, title: All, targets: [t0, t1]}\n")
	for _, tc := range []struct {
		name   string
		dryRun bool
	}{{"apply", false}, {"dry run", true}} {
		t.Run(tc.name, func(t *testing.T) {
			s := storetest.SQLite(t)
			o := opts(nil)
			o.DryRun = tc.dryRun
			var calls [][2]int
			o.Progress = func(done, total int) { calls = append(calls, [2]int{done, total}) }
			r := apply(t, s, b.String(), o)
			assert.Len(t, r.Items, 1202)
			require.NotEmpty(t, calls)
			for i, c := range calls {
				assert.Equal(t, 1202, c[1], "the total")
				if i > 0 {
					assert.Greater(t, c[0], calls[i-1][0], "rising")
				}
			}
			assert.Equal(t, 1202, calls[len(calls)-1][0], "ends at the whole")
		})
	}
}
