package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/notify"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

func newChannel(t *testing.T, s *store.Store, name string) notify.Channel {
	t.Helper()
	ch, err := s.CreateChannel(context.Background(), notify.Channel{Name: name, Type: "webhook",
		Config: json.RawMessage(`{"url":"https://hooks.example.com/` + name + `"}`)})
	require.NoError(t, err)
	return ch
}

// recorder writes one check at a time for a target, each a second after the last.
type recorder struct {
	t   *testing.T
	s   *store.Store
	now time.Time
}

func (r *recorder) record(ok bool, ids ...int64) {
	r.t.Helper()
	r.now = r.now.Add(time.Second)
	var results []store.Result
	for _, id := range ids {
		c := target.Check{TargetID: id, CheckedAt: r.now, OK: ok, Attempts: 1, LatencyMS: 10}
		if !ok {
			c.Error = fmt.Sprintf("connection refused at %s", r.now.Format(time.TimeOnly))
		}
		results = append(results, store.Result{Check: c})
	}
	require.NoError(r.t, r.s.Record(context.Background(), results))
}

func events(t *testing.T, s *store.Store) []string {
	t.Helper()
	ds, err := s.Deliveries(context.Background())
	require.NoError(t, err)
	out := []string{}
	for _, d := range ds {
		out = append(out, d.Event+":"+d.State)
	}
	return out
}

func TestThresholdsOpenAndResolveIncidents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ch := newChannel(t, s, "ops")
		tg := newTarget(t, s, target.Spec{URL: "https://a.example.com", ChannelIDs: []int64{ch.ID}})
		rec := &recorder{t: t, s: s, now: time.Now().Add(-time.Hour).UTC()}
		status := func() target.Status {
			got, err := s.GetTarget(ctx, tg.ID)
			require.NoError(t, err)
			return got.LastStatus
		}

		rec.record(false, tg.ID)
		rec.record(false, tg.ID)
		assert.Equal(t, target.StatusUnknown, status(), "two failures of three confirm nothing")
		rec.record(true, tg.ID)
		assert.Equal(t, target.StatusUp, status(), "a first success makes an unknown target up")

		rec.record(false, tg.ID)
		rec.record(false, tg.ID)
		rec.record(true, tg.ID)
		rec.record(false, tg.ID)
		assert.Equal(t, target.StatusUp, status(), "failing 3 of 4 but never 3 in a row opens nothing")
		incs, total, err := s.ListIncidents(ctx, target.IncidentFilter{Limit: 10})
		require.NoError(t, err)
		assert.Zero(t, total)
		assert.Empty(t, incs)

		rec.record(true, tg.ID)
		rec.record(false, tg.ID)
		firstFailure := rec.now
		rec.record(false, tg.ID)
		assert.Equal(t, target.StatusUp, status())
		rec.record(false, tg.ID) // the third in a row
		assert.Equal(t, target.StatusDown, status())
		incs, total, err = s.ListIncidents(ctx, target.IncidentFilter{TargetID: tg.ID, Limit: 10})
		require.NoError(t, err)
		require.Equal(t, 1, total)
		inc := incs[0]
		assert.Equal(t, target.IncidentDown, inc.Kind)
		assert.Nil(t, inc.ResolvedAt)
		assert.WithinDuration(t, firstFailure, inc.StartedAt, time.Millisecond, "it starts at the run's first failure")
		assert.Equal(t, "3 failed checks in a row", inc.Cause)
		assert.Contains(t, inc.FirstError, firstFailure.Format(time.TimeOnly))
		assert.Equal(t, []string{"down:pending"}, events(t, s))

		rec.record(false, tg.ID)
		incs, _, err = s.ListIncidents(ctx, target.IncidentFilter{Open: true, Limit: 10})
		require.NoError(t, err)
		require.Len(t, incs, 1)
		assert.Contains(t, incs[0].LastError, rec.now.Format(time.TimeOnly), "an open incident quotes the newest failure")
		assert.Equal(t, []string{"down:pending"}, events(t, s), "more failures queue nothing more")

		rec.record(true, tg.ID)
		assert.Equal(t, target.StatusDown, status(), "one success of two")
		rec.record(true, tg.ID)
		assert.Equal(t, target.StatusUp, status())
		incs, _, err = s.ListIncidents(ctx, target.IncidentFilter{TargetID: tg.ID, Limit: 10})
		require.NoError(t, err)
		require.NotNil(t, incs[0].ResolvedAt)
		assert.WithinDuration(t, rec.now, *incs[0].ResolvedAt, time.Millisecond)
		assert.Equal(t, []string{"down:pending", "up:pending"}, events(t, s))

		// Flapping: each real transition notifies once, blips none.
		for range 3 {
			rec.record(false, tg.ID)
			rec.record(false, tg.ID)
			rec.record(false, tg.ID)
			rec.record(true, tg.ID)
			rec.record(false, tg.ID) // a blip inside the incident
			rec.record(true, tg.ID)
			rec.record(true, tg.ID)
		}
		assert.Len(t, events(t, s), 8)
		_, total, err = s.ListIncidents(ctx, target.IncidentFilter{Limit: 10})
		require.NoError(t, err)
		assert.Equal(t, 4, total)
	})
}

// Two writers record failures of the same targets at once, as two replicas (or a
// check run on request beside a scheduled one) would: each target opens exactly one
// incident and queues exactly one alert.
func TestConcurrentRecordersOpenOneIncident(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		// Every target failing at once would make the checker degraded; not the point here.
		s.SetAlerting(store.AlertPolicy{Ratio: 1, Window: time.Minute, MinTargets: 1000}, nil)
		ch := newChannel(t, s, "ops")
		var ids []int64
		for i := range 20 {
			tg := newTarget(t, s, target.Spec{URL: fmt.Sprintf("https://t%d.example.com", i), ChannelIDs: []int64{ch.ID},
				FailureThreshold: new(2)})
			ids = append(ids, tg.ID)
		}
		base := time.Now().UTC()
		var wg sync.WaitGroup
		for w := range 2 {
			wg.Go(func() {
				for n := range 5 {
					var results []store.Result
					for _, id := range ids {
						at := base.Add(time.Duration(n*2+w) * time.Millisecond)
						results = append(results, store.Result{Check: target.Check{TargetID: id, CheckedAt: at, Attempts: 1, Error: "refused"}})
					}
					assert.NoError(t, s.Record(ctx, results))
				}
			})
		}
		wg.Wait()
		_, total, err := s.ListIncidents(ctx, target.IncidentFilter{Limit: 100})
		require.NoError(t, err)
		assert.Equal(t, len(ids), total)
		ds, err := s.Deliveries(ctx)
		require.NoError(t, err)
		assert.Len(t, ds, len(ids))
	})
}

func TestDegradedCheckerSendsOneNotice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		s.SetAlerting(store.AlertPolicy{Ratio: 0.5, Window: 5 * time.Minute, MinTargets: 5}, nil)
		ch := newChannel(t, s, "ops")
		var ids []int64
		for i := range 10 {
			tg := newTarget(t, s, target.Spec{URL: fmt.Sprintf("https://t%d.example.com", i), ChannelIDs: []int64{ch.ID},
				FailureThreshold: new(1), SuccessThreshold: new(1)})
			ids = append(ids, tg.ID)
		}
		rec := &recorder{t: t, s: s, now: time.Now().Add(-time.Hour).UTC()}
		rec.record(true, ids...)
		// The first few fail alone and alert; then most fail at once.
		rec.record(false, ids[:2]...)
		assert.Equal(t, []string{"down:pending", "down:pending"}, events(t, s))
		rec.record(false, ids[2:]...)
		got := events(t, s)
		assert.Equal(t, "checker_degraded:pending", got[len(got)-1])
		counts := map[string]int{}
		for _, e := range got {
			counts[e]++
		}
		assert.Equal(t, map[string]int{"down:suppressed": 10, "checker_degraded:pending": 1}, counts,
			"every target alert of the burst is held back, the first two included")

		// Nine recover; the tenth is down for real and is alerted once the checker is fine.
		rec.record(true, ids[:9]...)
		counts = map[string]int{}
		for _, e := range events(t, s) {
			counts[e]++
		}
		assert.Equal(t, map[string]int{"down:dropped": 9, "down:pending": 1, "checker_degraded:pending": 1,
			"checker_recovered:pending": 1}, counts, "no recovery for alerts never sent")
	})
}

func TestOutboxClaimsInOrderWithLeases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ch := newChannel(t, s, "ops")
		tg := newTarget(t, s, target.Spec{URL: "https://a.example.com", ChannelIDs: []int64{ch.ID}, FailureThreshold: new(1), SuccessThreshold: new(1)})
		rec := &recorder{t: t, s: s, now: time.Now().Add(-time.Hour).UTC()}
		rec.record(true, tg.ID)
		rec.record(false, tg.ID)
		rec.record(true, tg.ID)
		require.Equal(t, []string{"down:pending", "up:pending"}, events(t, s))

		a, err := s.ClaimDeliveries(ctx, "a", 10, time.Minute)
		require.NoError(t, err)
		require.Len(t, a, 1, "the recovery waits for its alert")
		assert.Equal(t, notify.EventDown, a[0].Message.Event)
		assert.Equal(t, "https://a.example.com", a[0].Message.Target.URL)
		assert.NotEmpty(t, a[0].Message.DeliveryID)
		assert.Equal(t, ch.ID, a[0].Channel.ID)
		b, err := s.ClaimDeliveries(ctx, "b", 10, time.Minute)
		require.NoError(t, err)
		assert.Empty(t, b, "a leased row is not claimed twice")

		require.NoError(t, s.DeliveryFailed(ctx, a[0], "status 500", time.Now().Add(time.Hour)))
		b, err = s.ClaimDeliveries(ctx, "b", 10, time.Minute)
		require.NoError(t, err)
		assert.Empty(t, b, "a retry waits for its time, and the recovery behind it")

		storetest.Exec(t, s, "UPDATE deliveries SET next_attempt_at = ? WHERE event = 'down'", time.Now().Add(-time.Second).UTC())
		b, err = s.ClaimDeliveries(ctx, "b", 10, time.Minute)
		require.NoError(t, err)
		require.Len(t, b, 1)
		assert.Equal(t, a[0].Message.DeliveryID, b[0].Message.DeliveryID, "a retry keeps its delivery id")
		assert.Equal(t, 2, b[0].Attempts)
		require.NoError(t, s.DeliveryFailed(ctx, a[0], "late writer", time.Time{}), "the old lease holder writes nothing")
		require.NoError(t, s.DeliverySent(ctx, b[0]))

		c, err := s.ClaimDeliveries(ctx, "c", 10, time.Minute)
		require.NoError(t, err)
		require.Len(t, c, 1)
		assert.Equal(t, notify.EventUp, c[0].Message.Event)
		require.NoError(t, s.ReleaseDeliveries(ctx, c))
		c, err = s.ClaimDeliveries(ctx, "c", 10, time.Minute)
		require.NoError(t, err)
		require.Len(t, c, 1)
		assert.Equal(t, 1, c[0].Attempts, "a released claim was not an attempt")
		require.NoError(t, s.DeliveryFailed(ctx, c[0], "bad request", time.Time{}))
		assert.Equal(t, []string{"down:sent", "up:failed"}, events(t, s))
		n, err := s.PendingDeliveries(ctx)
		require.NoError(t, err)
		assert.Zero(t, n)
	})
}

// A batch written again after a lost commit (same checks) counts each check once.
func TestRecordRetryCountsOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ch := newChannel(t, s, "ops")
		tg := newTarget(t, s, target.Spec{URL: "https://a.example.com", ChannelIDs: []int64{ch.ID}, FailureThreshold: new(2)})
		r := store.Result{Check: target.Check{TargetID: tg.ID, CheckedAt: time.Now().UTC(), Attempts: 1, Error: "refused"}}
		require.NoError(t, s.Record(ctx, []store.Result{r}))
		require.NoError(t, s.Record(ctx, []store.Result{r}))
		got, err := s.GetTarget(ctx, tg.ID)
		require.NoError(t, err)
		assert.Equal(t, target.StatusUnknown, got.LastStatus)
		assert.Equal(t, []string{}, events(t, s))
	})
}

// An alert that was sent stays on record while its incident is open, however old:
// the recovery goes where it went.
func TestRetentionKeepsAlertsOfOpenIncidents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ch := newChannel(t, s, "ops")
		tg := newTarget(t, s, target.Spec{URL: "https://a.example.com", ChannelIDs: []int64{ch.ID}, FailureThreshold: new(1), SuccessThreshold: new(1)})
		rec := &recorder{t: t, s: s, now: time.Now().Add(-time.Hour).UTC()}
		rec.record(true, tg.ID)
		rec.record(false, tg.ID)
		ds, err := s.ClaimDeliveries(ctx, "a", 10, time.Minute)
		require.NoError(t, err)
		require.NoError(t, s.DeliverySent(ctx, ds[0]))
		n, err := s.DeleteDeliveriesBefore(ctx, time.Now().Add(time.Minute))
		require.NoError(t, err)
		assert.Zero(t, n)
		rec.record(true, tg.ID)
		assert.Equal(t, []string{"down:sent", "up:pending"}, events(t, s))
		ds, err = s.ClaimDeliveries(ctx, "a", 10, time.Minute)
		require.NoError(t, err)
		require.NoError(t, s.DeliverySent(ctx, ds[0]))
		n, err = s.DeleteDeliveriesBefore(ctx, time.Now().Add(time.Minute))
		require.NoError(t, err)
		assert.EqualValues(t, 2, n, "a resolved incident's deliveries go")
	})
}

func degradedFleet(t *testing.T, s *store.Store, n int) (notify.Channel, []int64, *recorder) {
	t.Helper()
	s.SetAlerting(store.AlertPolicy{Ratio: 0.5, Window: 5 * time.Minute, MinTargets: 5}, nil)
	ch := newChannel(t, s, "ops")
	var ids []int64
	for i := range n {
		ids = append(ids, newTarget(t, s, target.Spec{URL: fmt.Sprintf("https://t%d.example.com", i),
			ChannelIDs: []int64{ch.ID}, FailureThreshold: new(1), SuccessThreshold: new(1)}).ID)
	}
	rec := &recorder{t: t, s: s, now: time.Now().Add(-time.Hour).UTC()}
	rec.record(true, ids...)
	return ch, ids, rec
}

func eventCounts(t *testing.T, s *store.Store) map[string]int {
	t.Helper()
	c := map[string]int{}
	for _, e := range events(t, s) {
		c[e]++
	}
	return c
}

// A blip that came and went does not make one real outage look like another.
func TestDegradedCountsOnlyIncidentsStillOpen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		_, ids, rec := degradedFleet(t, s, 10)
		rec.record(false, ids[:6]...)
		rec.record(true, ids[:6]...)
		rec.record(false, ids[9])
		c := eventCounts(t, s)
		assert.Equal(t, 1, c["checker_degraded:pending"])
		assert.Equal(t, 1, c["checker_recovered:pending"])
		assert.Equal(t, 1, c["down:pending"], "the real outage alerts")
	})
}

// Pausing the failing targets ends the degraded state: a later outage alerts.
func TestPausingEndsTheDegradedState(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		_, ids, rec := degradedFleet(t, s, 10)
		rec.record(false, ids[:6]...)
		for _, id := range ids[:6] {
			before, err := s.GetTarget(ctx, id)
			require.NoError(t, err)
			after := before
			after.IsActive = false
			_, err = s.UpdateTarget(ctx, before, after)
			require.NoError(t, err)
		}
		rec.record(false, ids[9])
		c := eventCounts(t, s)
		assert.Equal(t, 1, c["checker_recovered:pending"])
		assert.Equal(t, 1, c["down:pending"], "the new outage alerts")
	})
}

// A held-back alert whose target recovered is dropped, never sent later.
func TestHeldBackAlertOfARecoveredTargetIsDropped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		_, ids, rec := degradedFleet(t, s, 10)
		rec.record(false, ids...)
		rec.record(true, ids[0])
		rec.record(true, ids[1:]...)
		c := eventCounts(t, s)
		assert.Equal(t, map[string]int{"checker_degraded:pending": 1, "checker_recovered:pending": 1, "down:dropped": 10}, c)
	})
}

// A target resumed after a pause starts a fresh run of failures.
func TestResumeStartsAFreshRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tg := newTarget(t, s, target.Spec{URL: "https://a.example.com", FailureThreshold: new(3)})
		rec := &recorder{t: t, s: s, now: time.Now().Add(-time.Hour).UTC()}
		rec.record(true, tg.ID)
		rec.record(false, tg.ID)
		rec.record(false, tg.ID)
		for _, active := range []bool{false, true} {
			before, err := s.GetTarget(ctx, tg.ID)
			require.NoError(t, err)
			after := before
			after.IsActive = active
			_, err = s.UpdateTarget(ctx, before, after)
			require.NoError(t, err)
		}
		rec.record(false, tg.ID)
		got, err := s.GetTarget(ctx, tg.ID)
		require.NoError(t, err)
		assert.Equal(t, target.StatusUp, got.LastStatus, "one failure after resuming, not three")
	})
}
