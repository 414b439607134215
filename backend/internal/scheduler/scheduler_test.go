package scheduler_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/netguard"
	"github.com/watchdog-monitor/watchdog/backend/internal/probe"
	"github.com/watchdog-monitor/watchdog/backend/internal/scheduler"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// fleet is a local HTTP server standing in for many targets: it records when each
// path was requested, answers /down/… with 500, /slow/… after a second and /hang/…
// never.
type fleet struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string][]time.Time
}

func newFleet(t *testing.T) *fleet {
	f := &fleet{hits: map[string][]time.Time{}}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.hits[r.URL.Path] = append(f.hits[r.URL.Path], time.Now())
		f.mu.Unlock()
		switch {
		case len(r.URL.Path) > 6 && r.URL.Path[:6] == "/down/":
			w.WriteHeader(http.StatusInternalServerError)
		case len(r.URL.Path) > 6 && r.URL.Path[:6] == "/hang/":
			<-r.Context().Done()
		case len(r.URL.Path) > 6 && r.URL.Path[:6] == "/slow/":
			select {
			case <-time.After(time.Second):
			case <-r.Context().Done():
			}
			_, _ = w.Write([]byte("ok"))
		default:
			_, _ = w.Write([]byte("ok"))
		}
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fleet) times(path string) []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Time(nil), f.hits[path]...)
}

var limits = target.Limits{MinIntervalSeconds: 1}

func add(t *testing.T, s *store.Store, spec target.Spec) target.Target {
	t.Helper()
	if spec.Retries == nil {
		zero := 0
		spec.Retries = &zero
	}
	tg, err := target.New(spec, limits)
	require.NoError(t, err)
	tg, err = s.CreateTarget(context.Background(), tg)
	require.NoError(t, err)
	return tg
}

func start(t *testing.T, s *store.Store, workers int) *scheduler.Scheduler {
	t.Helper()
	return startWith(t, s, scheduler.Options{Workers: workers})
}

// startWith starts a scheduler over s with a fast tick and a prober that may reach
// 127.0.0.1, stopped when the test ends.
func startWith(t *testing.T, s *store.Store, opts scheduler.Options) *scheduler.Scheduler {
	t.Helper()
	opts.Tick, opts.Log = 100*time.Millisecond, storetest.Logger(t)
	p := probe.New(probe.Options{Guard: netguard.New(true)})
	sch, err := scheduler.New(s, p, opts)
	require.NoError(t, err)
	require.NoError(t, sch.Start())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = sch.Stop(ctx)
		p.Close()
	})
	return sch
}

func stop(t *testing.T, sch *scheduler.Scheduler, within time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	require.NoError(t, sch.Stop(ctx))
}

func TestChecksRunOnScheduleAndAreRecorded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFleet(t)
		up := add(t, s, target.Spec{Name: new("up"), URL: f.URL + "/up/1", IntervalSeconds: new(2), TimeoutSeconds: new(1)})
		down := add(t, s, target.Spec{Name: new("down"), URL: f.URL + "/down/1", IntervalSeconds: new(2), TimeoutSeconds: new(1)})
		off := false
		paused := add(t, s, target.Spec{Name: new("paused"), URL: f.URL + "/paused/1", IntervalSeconds: new(2), TimeoutSeconds: new(1), IsActive: &off})
		deleted := add(t, s, target.Spec{Name: new("deleted"), URL: f.URL + "/deleted/1", IntervalSeconds: new(2), TimeoutSeconds: new(1)})
		require.NoError(t, s.DeleteTarget(ctx, deleted.ID))

		sch := start(t, s, 4)
		time.Sleep(6500 * time.Millisecond)
		stop(t, sch, 5*time.Second)

		hits := f.times("/up/1")
		assert.GreaterOrEqual(t, len(hits), 3, "about one check every two seconds")
		assert.LessOrEqual(t, len(hits), 4, "and no more")
		for i := 1; i < len(hits); i++ {
			gap := hits[i].Sub(hits[i-1])
			assert.InDelta(t, 2, gap.Seconds(), 0.35, "checks keep to the interval (gap %d: %s)", i, gap)
		}
		assert.Empty(t, f.times("/paused/1"), "a paused target is not checked")
		assert.Empty(t, f.times("/deleted/1"), "a deleted target is not checked")

		checks, err := s.ListChecks(ctx, up.ID, nil, 100)
		require.NoError(t, err)
		assert.Len(t, checks, len(hits), "every check made is recorded, once")
		for _, c := range checks {
			assert.True(t, c.OK)
			require.NotNil(t, c.StatusCode)
			assert.Equal(t, 200, *c.StatusCode)
		}
		got, err := s.GetTarget(ctx, down.ID)
		require.NoError(t, err)
		assert.Equal(t, target.StatusDown, got.LastStatus)
		assert.Contains(t, got.LastError, "500")
		got, err = s.GetTarget(ctx, paused.ID)
		require.NoError(t, err)
		assert.Equal(t, target.StatusUnknown, got.LastStatus)
	})
}

func TestOverdueTargetsGetOneCheckSpreadOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFleet(t)
		var ids []int64
		for i := range 10 {
			tg := add(t, s, target.Spec{URL: fmt.Sprintf("%s/late/%d", f.URL, i), IntervalSeconds: new(2), TimeoutSeconds: new(1)})
			// As if the checker had been down for an hour: 1,800 missed slots each.
			storetest.Exec(t, s, "UPDATE targets SET next_check_at = ? WHERE id = ?", time.Now().UTC().Add(-time.Hour), tg.ID)
			ids = append(ids, tg.ID)
		}
		sch := start(t, s, 20)
		time.Sleep(1500 * time.Millisecond)
		stop(t, sch, 5*time.Second)

		var first []time.Time
		for i := range ids {
			hits := f.times(fmt.Sprintf("/late/%d", i))
			assert.LessOrEqual(t, len(hits), 1, "one check, not a burst of missed ones")
			if len(hits) == 1 {
				first = append(first, hits[0])
			}
		}
		assert.GreaterOrEqual(t, len(first), 3, "the spread targets are checked within their interval")
		sort.Slice(first, func(i, j int) bool { return first[i].Before(first[j]) })
		if len(first) >= 2 {
			assert.Greater(t, first[len(first)-1].Sub(first[0]), 100*time.Millisecond, "spread out in time")
		}
	})
}

func TestStopReleasesRunningChecks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFleet(t)
		tg := add(t, s, target.Spec{URL: f.URL + "/hang/1", IntervalSeconds: new(60), TimeoutSeconds: new(30)})
		sch := start(t, s, 2)
		require.Eventually(t, func() bool { return len(f.times("/hang/1")) == 1 }, 5*time.Second, 20*time.Millisecond)

		began := time.Now()
		stop(t, sch, 300*time.Millisecond)
		assert.Less(t, time.Since(began), 3*time.Second, "shutdown does not wait out a hanging check")

		checks, err := s.ListChecks(ctx, tg.ID, nil, 10)
		require.NoError(t, err)
		assert.Empty(t, checks, "a check cut short by shutdown says nothing about the target")
		claims, err := s.ClaimDue(ctx, "next-replica", 10)
		require.NoError(t, err)
		require.Len(t, claims, 1, "handed back: due again at once, not after the lease")
		assert.Equal(t, tg.ID, claims[0].Target.ID)
	})
}

func TestHangingTargetsDoNotStarveOthers(t *testing.T) {
	s := storetest.SQLite(t)
	f := newFleet(t)
	for i := range 2 {
		add(t, s, target.Spec{URL: fmt.Sprintf("%s/hang/%d", f.URL, i), IntervalSeconds: new(3), TimeoutSeconds: new(1)})
	}
	add(t, s, target.Spec{URL: f.URL + "/fast/1", IntervalSeconds: new(2), TimeoutSeconds: new(1)})
	// Three workers, two of them stuck on hanging targets for a second at a time.
	sch := start(t, s, 3)
	time.Sleep(4500 * time.Millisecond)
	stop(t, sch, 5*time.Second)
	assert.GreaterOrEqual(t, len(f.times("/fast/1")), 3, "the fast target keeps its schedule")
	for i := range 2 {
		hits := f.times(fmt.Sprintf("/hang/%d", i))
		assert.GreaterOrEqual(t, len(hits), 1)
		assert.LessOrEqual(t, len(hits), 2, "a hanging target is timed out and rescheduled, not retried in a loop")
	}
}

func TestCheckNowRecordsWithoutMovingTheSchedule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFleet(t)
		off := false
		tg := add(t, s, target.Spec{URL: f.URL + "/now/1", IntervalSeconds: new(60), TimeoutSeconds: new(5), IsActive: &off})
		p := probe.New(probe.Options{Guard: netguard.New(true)})
		defer p.Close()
		sch, err := scheduler.New(s, p, scheduler.Options{Workers: 1})
		require.NoError(t, err)
		c, err := sch.CheckNow(ctx, tg)
		require.NoError(t, err)
		assert.NotZero(t, c.ID)
		assert.True(t, c.OK)
		assert.Nil(t, c.ScheduledAt)
		got, err := s.GetTarget(ctx, tg.ID)
		require.NoError(t, err)
		assert.Equal(t, target.StatusUp, got.LastStatus)
		assert.False(t, got.IsActive, "still paused")

		require.NoError(t, s.DeleteTarget(ctx, tg.ID))
		_, err = sch.CheckNow(ctx, tg)
		assert.ErrorIs(t, err, target.ErrNotFound)
	})
}

// poisoner answers every check at once, with an error text PostgreSQL refuses (a NUL)
// for the targets named "poison", as a hostile server's certificate could produce if
// the probe did not clean it.
type poisoner struct{}

func (poisoner) Check(_ context.Context, t target.Target) target.Check {
	c := target.Check{TargetID: t.ID, CheckedAt: time.Now(), OK: true, Attempts: 1, LatencyMS: 1}
	if t.Name == "poison" {
		c.OK, c.Error = false, "x509: certificate is valid for evil\x00name"
	}
	return c
}

// TestOneUnwritableResultDoesNotStallTheRest: a result the database refuses is dropped
// and logged; every other check goes on being recorded.
func TestOneUnwritableResultDoesNotStallTheRest(t *testing.T) {
	s := storetest.Postgres(t)
	ctx := context.Background()
	good := add(t, s, target.Spec{Name: new("good"), URL: "https://good.example.com/", IntervalSeconds: new(2), TimeoutSeconds: new(1)})
	add(t, s, target.Spec{Name: new("poison"), URL: "https://poison.example.com/", IntervalSeconds: new(2), TimeoutSeconds: new(1)})
	sch, err := scheduler.New(s, poisoner{}, scheduler.Options{Workers: 2, Tick: 100 * time.Millisecond, Log: storetest.Logger(t)})
	require.NoError(t, err)
	require.NoError(t, sch.Start())
	time.Sleep(4500 * time.Millisecond)
	stop(t, sch, 5*time.Second)
	checks, err := s.ListChecks(ctx, good.ID, nil, 100)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(checks), 2, "the good target keeps being checked and recorded")
}
