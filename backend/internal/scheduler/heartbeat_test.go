package scheduler_test

// Heartbeats on a scaled-down schedule (period 2 s, grace 1 s): the scheduler judges
// their deadlines as claimed slots and records a miss only where no ping came.

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/notify"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// addHeartbeat stores a heartbeat with period and grace in seconds and thresholds
// 1/1 (the heartbeat defaults), told to channels.
func addHeartbeat(t *testing.T, s *store.Store, name string, period, grace int, channels ...int64) target.Target {
	t.Helper()
	tg, err := target.New(target.Spec{Name: &name, URL: "https://" + name + ".example.com", ChannelIDs: channels}, limits)
	require.NoError(t, err)
	tg.Type, tg.URL, tg.PingToken = target.TypeHeartbeat, "", target.NewPingToken()
	tg.PeriodSeconds, tg.GraceSeconds = period, grace
	tg.FailureThreshold, tg.SuccessThreshold = 1, 1
	tg, err = s.CreateTarget(context.Background(), tg)
	require.NoError(t, err)
	return tg
}

// ping records a successful ping of hb now, as the ping endpoint does.
func ping(t *testing.T, s *store.Store, hb target.Target) {
	t.Helper()
	now := time.Now()
	_, err := s.RecordPing(context.Background(), store.Ping{
		Check: target.Check{TargetID: hb.ID, CheckedAt: now, OK: true, Attempts: 1}, Deadline: hb.HeartbeatDeadline(now)})
	require.NoError(t, err)
}

func checksOf(t *testing.T, s *store.Store, id int64) (ok, failed []target.Check) {
	t.Helper()
	all, err := s.ListChecks(context.Background(), id, nil, 1000)
	require.NoError(t, err)
	for _, c := range all {
		if c.OK {
			ok = append(ok, c)
		} else {
			failed = append(failed, c)
		}
	}
	return ok, failed
}

func TestHeartbeatPingsKeepItUpAndSilenceFailsItOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ch, err := s.CreateChannel(ctx, notify.Channel{Name: "ops", Type: "webhook",
			Config: json.RawMessage(`{"url":"https://hooks.example.com/ops"}`)})
		require.NoError(t, err)
		hb := addHeartbeat(t, s, "backup", 2, 1, ch.ID)
		never := addHeartbeat(t, s, "never-pinged", 2, 1, ch.ID)
		start(t, s, 4)

		// Pings every second keep a 2 s + 1 s deadline ahead.
		for range 5 {
			ping(t, s, hb)
			time.Sleep(time.Second)
		}
		oks, failed := checksOf(t, s, hb.ID)
		assert.Len(t, oks, 5)
		assert.Empty(t, failed, "no deadline passed while pings came")
		got, err := s.GetTarget(ctx, hb.ID)
		require.NoError(t, err)
		assert.Equal(t, target.StatusUp, got.LastStatus)
		lastPing := *got.LastSuccessAt

		// Silence: past period + grace, one failed check, down, one incident, one message.
		require.Eventually(t, func() bool {
			_, failed := checksOf(t, s, hb.ID)
			return len(failed) >= 1
		}, 10*time.Second, 50*time.Millisecond)
		_, failed = checksOf(t, s, hb.ID)
		miss := failed[len(failed)-1]
		assert.Equal(t, "no ping since "+lastPing.UTC().Format(time.RFC3339), miss.Error)
		require.NotNil(t, miss.ScheduledAt)
		assert.False(t, miss.ScheduledAt.Before(lastPing.Add(3*time.Second).Truncate(time.Second)),
			"judged at the deadline: last ping + period + grace")
		got, err = s.GetTarget(ctx, hb.ID)
		require.NoError(t, err)
		assert.Equal(t, target.StatusDown, got.LastStatus)

		// A period later it is judged again (one miss per period, not per tick), and
		// still one incident and one notification.
		require.Eventually(t, func() bool {
			_, failed := checksOf(t, s, hb.ID)
			return len(failed) >= 2
		}, 10*time.Second, 50*time.Millisecond)
		_, failed = checksOf(t, s, hb.ID)
		gap := failed[0].ScheduledAt.Sub(*failed[1].ScheduledAt)
		assert.Equal(t, 2*time.Second, gap.Round(100*time.Millisecond), "the next deadline is the missed one plus the period")
		incidents, _, err := s.ListIncidents(ctx, target.IncidentFilter{TargetID: hb.ID, Limit: 10})
		require.NoError(t, err)
		assert.Len(t, incidents, 1)
		ds, err := s.Deliveries(ctx)
		require.NoError(t, err)
		require.Len(t, ds, 1)
		assert.Equal(t, "down", ds[0].Event)

		// The next ping brings it up at once (threshold 1) and resolves the incident.
		ping(t, s, hb)
		got, err = s.GetTarget(ctx, hb.ID)
		require.NoError(t, err)
		assert.Equal(t, target.StatusUp, got.LastStatus)

		// A heartbeat never pinged stayed unknown with no check at all.
		oks, failed = checksOf(t, s, never.ID)
		assert.Empty(t, oks)
		assert.Empty(t, failed)
		got, err = s.GetTarget(ctx, never.ID)
		require.NoError(t, err)
		assert.Equal(t, target.StatusUnknown, got.LastStatus)
		assert.Nil(t, got.NextCheckAt)
	})
}

// Two replicas (a store and a scheduler each) on one PostgreSQL database judge one
// deadline once.
func TestTwoReplicasJudgeADeadlineOnce(t *testing.T) {
	dbURL := storetest.PostgresURL(t)
	a, b := storetest.Open(t, dbURL), storetest.Open(t, dbURL)
	// A long period: only the first deadline falls in the test. The ping sets it a
	// second ahead, as a ping at the end of the period would.
	hb := addHeartbeat(t, a, "shared", 3600, 1)
	start(t, a, 4)
	start(t, b, 4)
	now := time.Now()
	_, err := b.RecordPing(context.Background(), store.Ping{
		Check: target.Check{TargetID: hb.ID, CheckedAt: now, OK: true, Attempts: 1}, Deadline: now.Add(time.Second)})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		_, failed := checksOf(t, a, hb.ID)
		return len(failed) >= 1
	}, 10*time.Second, 50*time.Millisecond)
	time.Sleep(time.Second) // room for a second judgement, were there one
	_, failed := checksOf(t, b, hb.ID)
	require.Len(t, failed, 1, "one failed check for the one deadline")
	assert.True(t, strings.HasPrefix(failed[0].Error, "no ping since "))
}

func TestHealth(t *testing.T) {
	s := storetest.SQLite(t)
	sch := start(t, s, 2)
	require.Eventually(t, func() bool { ok, _ := sch.Health(); return ok }, 5*time.Second, 50*time.Millisecond)
	stop(t, sch, 5*time.Second)
	ok, reason := sch.Health()
	assert.False(t, ok)
	assert.Equal(t, "the scheduler is stopping", reason)
}

// Check now on a heartbeat records nothing: there is nothing to check.
func TestCheckNowRefusesAHeartbeat(t *testing.T) {
	s := storetest.SQLite(t)
	hb := addHeartbeat(t, s, "cannot-check", 60, 60)
	sch := start(t, s, 1)
	_, err := sch.CheckNow(context.Background(), hb)
	assert.ErrorIs(t, err, target.ErrNotCheckable)
	oks, failed := checksOf(t, s, hb.ID)
	assert.Empty(t, oks)
	assert.Empty(t, failed)
}
