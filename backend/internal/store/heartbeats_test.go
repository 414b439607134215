package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// TestHeartbeatsTakeTheLastChecksOfEachTarget: the limit is per target, whatever the
// others hold, and each strip holds only its own target's checks.
func TestHeartbeatsTakeTheLastChecksOfEachTarget(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		paused := false
		var ids []int64
		counts := []int{12, 3, 0, 7}
		now := time.Now().UTC()
		var results []store.Result
		for i, n := range counts {
			tg := newTarget(t, s, target.Spec{URL: fmt.Sprintf("https://t%d.example.com", i), IsActive: &paused})
			ids = append(ids, tg.ID)
			for k := range n {
				results = append(results, store.Result{Check: target.Check{TargetID: tg.ID,
					CheckedAt: now.Add(time.Duration(k-n) * time.Minute), OK: true, LatencyMS: 100*i + k, Attempts: 1}})
			}
		}
		require.NoError(t, s.Record(ctx, results))

		asked := []int64{ids[3], ids[0], 999999, ids[2], ids[1], ids[0]}
		hbs, err := s.Heartbeats(ctx, asked, 5, now.Add(-24*time.Hour))
		require.NoError(t, err)
		require.Len(t, hbs, 4, "an unknown id left out, a repeated one once")
		for i, want := range []struct {
			id      int64
			latency []int
		}{
			{ids[3], []int{302, 303, 304, 305, 306}},
			{ids[0], []int{7, 8, 9, 10, 11}},
			{ids[2], []int{}},
			{ids[1], []int{100, 101, 102}},
		} {
			assert.Equal(t, want.id, hbs[i].TargetID, "in the order asked")
			got := []int{}
			for _, c := range hbs[i].Checks {
				assert.Equal(t, want.id, c.TargetID)
				got = append(got, c.LatencyMS)
			}
			assert.Equal(t, want.latency, got, "target %d: its last checks, oldest first", want.id)
		}
	})
}
