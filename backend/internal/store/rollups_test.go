package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// recordSpread records a check of each target every `every` from `from` to `to`,
// alternating latencies and failing one in seven.
func recordSpread(t *testing.T, s *store.Store, ids []int64, from, to time.Time, every time.Duration) int {
	t.Helper()
	var results []store.Result
	i := 0
	for at := from; at.Before(to); at = at.Add(every) {
		for _, id := range ids {
			i++
			c := target.Check{TargetID: id, CheckedAt: at, OK: i%7 != 0, LatencyMS: 40 + (i*37)%900, Attempts: 1}
			c.ColdStart = c.OK && i%11 == 0
			results = append(results, store.Result{Check: c})
		}
	}
	for len(results) > 0 {
		n := min(len(results), 500)
		require.NoError(t, s.Record(context.Background(), results[:n]))
		results = results[n:]
	}
	return i
}

// TestRollupsAnswerLikeTheChecks: a window's summary is the same whether it is read
// from the checks or from the hourly and daily rollups that replace them, rolling up
// is idempotent when replicas race at it, and old rollups are deleted.
func TestRollupsAnswerLikeTheChecks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newTarget(t, s, target.Spec{URL: "https://a.example.com/"})
		b := newTarget(t, s, target.Spec{URL: "https://b.example.com/"})
		ids := []int64{a.ID, b.ID}
		base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		// Three days and a bit, every ten minutes.
		n := recordSpread(t, s, ids, base.Add(10*time.Minute), base.Add(75*time.Hour+30*time.Minute), 10*time.Minute)
		now := base.Add(75*time.Hour + 40*time.Minute)

		windows := []time.Duration{90 * time.Minute, 24 * time.Hour, 50*time.Hour + 25*time.Minute, 80 * time.Hour}
		before := map[time.Duration]map[int64]*target.Rollup{}
		for _, w := range windows {
			sums, err := s.Summaries(ctx, ids, now.Add(-w), now)
			require.NoError(t, err)
			before[w] = sums
		}
		firstDays, err := s.Summaries(ctx, ids, base, base.Add(72*time.Hour))
		require.NoError(t, err)
		lastHour, err := s.Summaries(ctx, ids, base.Add(75*time.Hour), now)
		require.NoError(t, err)
		all := before[80*time.Hour]
		assert.Equal(t, n, all[a.ID].Checks+all[b.ID].Checks, "every check counted")

		// Two replicas roll up at once.
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				for {
					hours, days, err := s.RollUp(ctx, now)
					assert.NoError(t, err)
					if err != nil || hours+days == 0 {
						return
					}
				}
			})
		}
		wg.Wait()
		until, err := s.RolledUpUntil(ctx)
		require.NoError(t, err)
		assert.Equal(t, base.Add(75*time.Hour), until, "every hour over for 15 minutes is rolled up")

		for _, w := range windows {
			sums, err := s.Summaries(ctx, ids, now.Add(-w), now)
			require.NoError(t, err)
			for _, id := range ids {
				assert.Equal(t, *before[w][id], *sums[id], "window %s, target %d", w, id)
			}
		}
		// With the checks past a day's retention gone, the rollups still answer.
		_, err = s.DeleteChecksBefore(ctx, now.Add(-25*time.Hour))
		require.NoError(t, err)
		sums, err := s.Summaries(ctx, ids, now.Add(-24*time.Hour), now)
		require.NoError(t, err)
		assert.Equal(t, *before[24*time.Hour][a.ID], *sums[a.ID])

		st := sums[a.ID].Stats(24 * time.Hour)
		require.NotNil(t, st.LatencyP50)
		assert.InDelta(t, 490, *st.LatencyP50, 60, "latencies are spread evenly over 40-939 ms")

		// A year later only the daily rollups are left, and a year's window reads them.
		later := now.Add(store.HourlyRetention + time.Hour)
		deleted, err := s.DeleteRollupsBefore(ctx, later)
		require.NoError(t, err)
		assert.Positive(t, deleted)
		sums, err = s.Summaries(ctx, ids, later.Add(-365*24*time.Hour), later)
		require.NoError(t, err)
		want := *firstDays[a.ID]
		want.Merge(*lastHour[a.ID])
		assert.Equal(t, want, *sums[a.ID], "the three whole days from their daily rollups, the checks since from the checks")
	})
}

func TestRollupPercentiles(t *testing.T) {
	var r target.Rollup
	for _, ms := range []int{100, 100, 100, 100} {
		r.AddGroup(target.Group{OK: true, Bucket: target.Bucket(ms), Count: 1, SumMS: int64(ms), MinMS: ms, MaxMS: ms})
	}
	r.AddGroup(target.Group{OK: false, Count: 2})
	st := r.Stats(time.Hour)
	assert.Equal(t, 6, st.Checks)
	assert.Equal(t, 2, st.Down)
	assert.Equal(t, 100, *st.LatencyP50, "a steady latency comes back exactly: clamped to the extremes")
	assert.Equal(t, 100, *st.LatencyP99)
	assert.InDelta(t, 4.0/6, *st.UptimeRatio, 1e-9)

	var empty target.Rollup
	assert.Nil(t, empty.Stats(time.Hour).UptimeRatio)
	assert.Nil(t, empty.Percentile(50))
}

// TestHourWaitsForChecksStillRunning: a check with a long budget, started late in an
// hour, is recorded well after the hour's grace; the hour is rolled up only once it
// is in, so it is not lost from the statistics.
func TestHourWaitsForChecksStillRunning(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newTarget(t, s, target.Spec{URL: "https://a.example.com/"})
		h := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		record := func(r store.Result) { require.NoError(t, s.Record(ctx, []store.Result{r})) }
		record(store.Result{Check: target.Check{TargetID: a.ID, CheckedAt: h.Add(10 * time.Minute), OK: true, LatencyMS: 50, Attempts: 1}})

		require.NoError(t, s.SetNextCheck(ctx, a.ID, h.Add(55*time.Minute)))
		claims, err := s.ClaimDue(ctx, "slow", 1)
		require.NoError(t, err)
		require.Len(t, claims, 1)
		hours, _, err := s.RollUp(ctx, h.Add(75*time.Minute))
		require.NoError(t, err)
		assert.Zero(t, hours, "the 10:55 check is still running")

		slot := claims[0].Slot
		record(store.Result{Check: target.Check{TargetID: a.ID, CheckedAt: slot, ScheduledAt: &slot, OK: true, LatencyMS: 50, Attempts: 4},
			Token: "slow", NextCheckAt: h.Add(2 * time.Hour)})
		hours, _, err = s.RollUp(ctx, h.Add(80*time.Minute))
		require.NoError(t, err)
		assert.Equal(t, 1, hours)
		sums, err := s.Summaries(ctx, []int64{a.ID}, h, h.Add(80*time.Minute))
		require.NoError(t, err)
		assert.Equal(t, 2, sums[a.ID].Checks, "both checks of the hour counted")
	})
}

// TestWindowsOutlivingTheirChecks: once retention has taken the checks of a window's
// first part-hour, that hour's rollup answers for it; nothing quietly goes missing.
func TestWindowsOutlivingTheirChecks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newTarget(t, s, target.Spec{URL: "https://a.example.com/"})
		base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		recordSpread(t, s, []int64{a.ID}, base, base.Add(30*time.Hour), 10*time.Minute)
		now := base.Add(30*time.Hour + 20*time.Minute)
		start := now.Add(-24 * time.Hour) // 06:20: a part-hour first
		for {
			h, d, err := s.RollUp(ctx, now)
			require.NoError(t, err)
			if h+d == 0 {
				break
			}
		}
		_, err := s.DeleteChecksBefore(ctx, now.Add(-12*time.Hour))
		require.NoError(t, err)
		sums, err := s.Summaries(ctx, []int64{a.ID}, start, now)
		require.NoError(t, err)
		// Whole hours from 06:00 to the last check at 29:50, six an hour.
		assert.Equal(t, 24*6, sums[a.ID].Checks)
	})
}
