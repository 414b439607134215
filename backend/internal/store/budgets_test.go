package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

func TestKeepWarmGroupsAndAwakeHours(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		keep := true
		a := newTarget(t, s, target.Spec{URL: "https://a.example.com", KeepWarm: &keep, IdleTimeoutSeconds: new(900), BudgetGroup: "ws",
			WarmWindows: []target.WarmWindow{{Days: []string{"mon"}, Start: "08:00", End: "20:00"}}, Timezone: "Europe/Berlin"})
		newTarget(t, s, target.Spec{URL: "https://b.example.com", KeepWarm: &keep, IdleTimeoutSeconds: new(900)})
		newTarget(t, s, target.Spec{URL: "https://c.example.com", BudgetGroup: "ws"})

		groups, err := s.KeepWarmGroups(ctx)
		require.NoError(t, err)
		require.Len(t, groups, 1, "only keep-warm targets with a group")
		assert.Equal(t, a.ID, groups[0].ID)
		assert.Equal(t, "Europe/Berlin", groups[0].Timezone)
		assert.Equal(t, []target.WarmWindow{{Days: []string{"mon"}, Start: "08:00", End: "20:00"}}, groups[0].WarmWindows)

		// The groups are reused between polls, but never past a change made here.
		d := newTarget(t, s, target.Spec{URL: "https://d.example.com", KeepWarm: &keep, IdleTimeoutSeconds: new(900), BudgetGroup: "ws"})
		groups, err = s.KeepWarmGroups(ctx)
		require.NoError(t, err)
		require.Len(t, groups, 2, "a target created here shows at once")
		moved := d
		moved.BudgetGroup = "other"
		_, err = s.UpdateTarget(ctx, d, moved)
		require.NoError(t, err)
		groups, err = s.KeepWarmGroups(ctx)
		require.NoError(t, err)
		require.Len(t, groups, 2)
		assert.Equal(t, "other", groups[0].BudgetGroup, "a change made here shows at once")
		require.NoError(t, s.DeleteTarget(ctx, d.ID))
		groups, err = s.KeepWarmGroups(ctx)
		require.NoError(t, err)
		require.Len(t, groups, 1, "a target deleted here is gone at once")

		now := time.Now().UTC()
		rec := &recorder{t: t, s: s, now: now.Add(-40 * time.Minute)}
		rec.record(true, a.ID) // awake from here …
		rec.record(false, a.ID)
		rec.record(true, a.ID) // … until 15 min after this one
		hours, err := s.AwakeHours(ctx, map[int64]time.Duration{a.ID: 15 * time.Minute}, now.Add(-time.Hour), now)
		require.NoError(t, err)
		assert.InDelta(t, (15*time.Minute + 2*time.Second).Hours(), hours[a.ID], 0.001)
	})
}
