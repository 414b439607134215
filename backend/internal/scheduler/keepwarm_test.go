package scheduler_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/notify"
	"github.com/watchdog-monitor/watchdog/backend/internal/scheduler"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// sleepy is a service on 127.0.0.1 that sleeps like a free-tier host: asleep until a
// request arrives, it takes `wake` to answer that one, then stays awake until `idle`
// passes without a request.
type sleepy struct {
	*httptest.Server
	wake, idle time.Duration

	mu       sync.Mutex
	last     time.Time // the last request; zero while it has never been woken
	wakes    int
	requests []time.Time
}

func newSleepy(t *testing.T, wake, idle time.Duration) *sleepy {
	s := &sleepy{wake: wake, idle: idle}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		s.mu.Lock()
		asleep := s.last.IsZero() || now.Sub(s.last) > s.idle
		if asleep {
			s.wakes++
		}
		s.last = now
		s.requests = append(s.requests, now)
		s.mu.Unlock()
		if asleep {
			select {
			case <-time.After(s.wake):
			case <-r.Context().Done():
				return
			}
		}
		_, _ = w.Write([]byte("ok"))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *sleepy) counts() (wakes, requests int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.wakes, len(s.requests)
}

func startWithLead(t *testing.T, s *store.Store, lead time.Duration) {
	t.Helper()
	startWith(t, s, scheduler.Options{Workers: 8, WakeLead: func(string) time.Duration { return lead }})
}

// A keep-warm target on a sleepy service with a scaled-down idle limit: the first
// check finds it asleep and waits out the wake (a longer timeout than usual), is
// recorded as a cold start with its wake time, and from then on the service never
// falls asleep again.
func TestKeepWarmWakesOnceAndKeepsItAwake(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newSleepy(t, 2500*time.Millisecond, 5*time.Second)
		keep := true
		tg := add(t, s, target.Spec{URL: svc.URL + "/", KeepWarm: &keep, IdleTimeoutSeconds: new(5), WakeTimeoutSeconds: new(5),
			IntervalSeconds: new(2), TimeoutSeconds: new(1)})
		startWithLead(t, s, 0)

		time.Sleep(11 * time.Second) // more than two idle periods
		wakes, requests := svc.counts()
		assert.Equal(t, 1, wakes, "woken once, never asleep again")
		assert.GreaterOrEqual(t, requests, 4)

		checks, err := s.ListChecks(ctx, tg.ID, nil, 100)
		require.NoError(t, err)
		require.NotEmpty(t, checks)
		first := checks[len(checks)-1]
		assert.True(t, first.OK, "the waking attempt had the wake timeout, not the 1 s one: %q", first.Error)
		assert.True(t, first.ColdStart)
		require.NotNil(t, first.WakeMS)
		assert.GreaterOrEqual(t, *first.WakeMS, 2400)
		for _, c := range checks[:len(checks)-1] {
			assert.True(t, c.OK)
			assert.False(t, c.ColdStart, "only the first check found it asleep")
		}
	})
}

// Outside its warm windows a keep-warm target is left to sleep: no request, and its
// next check is its wake lead before the next window opens.
func TestKeepWarmSleepsOutsideItsWindows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newSleepy(t, 10*time.Millisecond, time.Hour)
		keep := true
		// A window on tomorrow's weekday only, so now is outside it.
		tomorrow := time.Now().UTC().Add(24 * time.Hour)
		day := []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}[tomorrow.Weekday()]
		tg := add(t, s, target.Spec{URL: svc.URL + "/", KeepWarm: &keep, IdleTimeoutSeconds: new(900), IntervalSeconds: new(60),
			WarmWindows: []target.WarmWindow{{Days: []string{day}, Start: "08:00", End: "20:00"}}, Timezone: "UTC"})
		startWithLead(t, s, time.Minute)

		require.Eventually(t, func() bool {
			got, err := s.GetTarget(ctx, tg.ID)
			return err == nil && got.NextCheckAt != nil && got.NextCheckAt.After(time.Now().Add(time.Hour))
		}, 5*time.Second, 50*time.Millisecond, "deferred to its window")
		_, requests := svc.counts()
		assert.Zero(t, requests, "no request outside a window")
		got, err := s.GetTarget(ctx, tg.ID)
		require.NoError(t, err)
		opens := time.Date(tomorrow.Year(), tomorrow.Month(), tomorrow.Day(), 8, 0, 0, 0, time.UTC)
		assert.WithinDuration(t, opens.Add(-time.Minute), *got.NextCheckAt, time.Second, "the pre-warm check comes a wake lead before the window")
		assert.Nil(t, got.LastCheckedAt)
	})
}

// A keep-warm service that stops answering is in a warm-gap breach once its idle
// limit has passed without a success: one warm_gap incident opens (with its alert
// queued), and the next success resolves it.
func TestKeepWarmFailureIsAWarmGapBreach(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var failing atomic.Bool
		svc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			if failing.Load() {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			_, _ = w.Write([]byte("ok"))
		}))
		t.Cleanup(svc.Close)
		ch, err := s.CreateChannel(ctx, notify.Channel{Name: "ops", Type: "webhook", Config: []byte(`{"url":"https://h.example.com"}`)})
		require.NoError(t, err)
		keep := true
		tg := add(t, s, target.Spec{URL: svc.URL + "/", KeepWarm: &keep, IdleTimeoutSeconds: new(5), WakeTimeoutSeconds: new(1),
			IntervalSeconds: new(2), TimeoutSeconds: new(1), FailureThreshold: new(100), ChannelIDs: []int64{ch.ID}})
		startWithLead(t, s, 0)

		require.Eventually(t, func() bool {
			got, err := s.GetTarget(ctx, tg.ID)
			return err == nil && got.LastSuccessAt != nil
		}, 5*time.Second, 50*time.Millisecond)
		failing.Store(true)
		require.Eventually(t, func() bool {
			incs, _, err := s.ListIncidents(ctx, target.IncidentFilter{TargetID: tg.ID, Open: true, Limit: 10})
			return err == nil && len(incs) == 1
		}, 10*time.Second, 100*time.Millisecond, "a warm-gap incident opens")
		time.Sleep(2500 * time.Millisecond)
		incs, _, err := s.ListIncidents(ctx, target.IncidentFilter{TargetID: tg.ID, Limit: 10})
		require.NoError(t, err)
		require.Len(t, incs, 1, "one breach, one incident, however many failures")
		assert.Equal(t, target.IncidentWarmGap, incs[0].Kind)
		got, err := s.GetTarget(ctx, tg.ID)
		require.NoError(t, err)
		assert.Equal(t, 1, got.WarmGapBreaches)
		ds, err := s.Deliveries(ctx)
		require.NoError(t, err)
		require.Len(t, ds, 1)
		assert.Equal(t, notify.EventWarmGap, ds[0].Event)

		failing.Store(false)
		require.Eventually(t, func() bool {
			incs, _, err := s.ListIncidents(ctx, target.IncidentFilter{TargetID: tg.ID, Open: true, Limit: 10})
			return err == nil && len(incs) == 0
		}, 10*time.Second, 100*time.Millisecond, "the next success resolves it")
	})
}

// The first request of a window goes out its wake lead before the window opens, so
// the service is awake on time: here a window opening at the next whole minute (UTC)
// and a lead of 20 s.
func TestKeepWarmPreWarmsBeforeTheWindowOpens(t *testing.T) {
	t.Parallel()
	s := storetest.SQLite(t)
	svc := newSleepy(t, 10*time.Millisecond, time.Hour)
	opens := time.Now().UTC().Truncate(time.Minute).Add(time.Minute)
	if time.Until(opens) < 25*time.Second {
		opens = opens.Add(time.Minute) // keep the lead in the future
	}
	day := []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}[opens.Weekday()]
	keep := true
	add(t, s, target.Spec{URL: svc.URL + "/", KeepWarm: &keep, IdleTimeoutSeconds: new(900), IntervalSeconds: new(60),
		WarmWindows: []target.WarmWindow{{Days: []string{day}, Start: opens.Format("15:04"), End: opens.Add(time.Hour).Format("15:04")}}})
	startWithLead(t, s, 20*time.Second)

	require.Eventually(t, func() bool { _, n := svc.counts(); return n > 0 }, time.Until(opens)+5*time.Second,
		100*time.Millisecond, "the pre-warm request")
	svc.mu.Lock()
	first := svc.requests[0]
	svc.mu.Unlock()
	assert.True(t, first.Before(opens), "it lands before the window opens: %s vs %s", first.Format(time.TimeOnly), opens.Format(time.TimeOnly))
	assert.WithinDuration(t, opens.Add(-20*time.Second), first, 2*time.Second, "a wake lead early, not earlier")
}
