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

// newHeartbeat stores a heartbeat with thresholds 1/1, built from a valid target made
// a heartbeat (the store takes validated targets; validation is the domain's).
func newHeartbeat(t *testing.T, s *store.Store, name string, channels ...int64) target.Target {
	t.Helper()
	tg := mustTarget(t, target.Spec{Name: &name, URL: "https://" + name + ".example.com", ChannelIDs: channels})
	tg.Type, tg.URL, tg.PingToken = target.TypeHeartbeat, "", target.NewPingToken()
	tg.PeriodSeconds, tg.GraceSeconds = 60, 60
	tg.FailureThreshold, tg.SuccessThreshold = 1, 1
	created, err := s.CreateTarget(context.Background(), tg)
	require.NoError(t, err)
	return created
}

func claimAll(t *testing.T, s *store.Store, token string) []store.Claim {
	t.Helper()
	claims, err := s.ClaimDue(context.Background(), token, 100)
	require.NoError(t, err)
	return claims
}

func countChecks(t *testing.T, s *store.Store, id int64) int {
	t.Helper()
	checks, err := s.ListChecks(context.Background(), id, nil, 1000)
	require.NoError(t, err)
	return len(checks)
}

func TestNewHeartbeatWaitsForItsFirstPing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		hb := newHeartbeat(t, s, "backup")
		assert.Nil(t, hb.NextCheckAt, "no deadline before the first ping")
		assert.NotEmpty(t, hb.PingToken)
		assert.Empty(t, claimAll(t, s, "r1"), "a heartbeat never pinged is never due")

		got, err := s.TargetByPingToken(ctx, hb.PingToken)
		require.NoError(t, err)
		assert.Equal(t, hb.ID, got.ID)
		_, err = s.TargetByPingToken(ctx, "no-such-token")
		assert.ErrorIs(t, err, target.ErrNotFound)
		_, err = s.TargetByPingToken(ctx, "")
		assert.ErrorIs(t, err, target.ErrNotFound)

		// Paused and resumed: it waits for a ping again, whatever its deadline was.
		_, err = s.RecordPing(ctx, store.Ping{Check: target.Check{TargetID: hb.ID, CheckedAt: time.Now(), OK: true, Attempts: 1},
			Deadline: time.Now().Add(-time.Second)})
		require.NoError(t, err)
		before, err := s.GetTarget(ctx, hb.ID)
		require.NoError(t, err)
		paused := before
		paused.IsActive = false
		paused, err = s.UpdateTarget(ctx, before, paused)
		require.NoError(t, err)
		resumed := paused
		resumed.IsActive = true
		resumed, err = s.UpdateTarget(ctx, paused, resumed)
		require.NoError(t, err)
		assert.Nil(t, resumed.NextCheckAt, "a resumed heartbeat waits for a ping")
		assert.Empty(t, claimAll(t, s, "r2"))
	})
}

func TestPingRecordsACheckAndMovesTheDeadline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ch := newChannel(t, s, "ops")
		hb := newHeartbeat(t, s, "nightly", ch.ID)
		now := time.Now().UTC()
		require.NoError(t, s.StartRun(ctx, hb.ID, now.Add(-3*time.Second)))
		started, err := s.GetTarget(ctx, hb.ID)
		require.NoError(t, err)
		require.NotNil(t, started.RunStartedAt)
		require.NotNil(t, started.LastPingAt, "/start is a ping")
		assert.Nil(t, started.NextCheckAt, "/start does not arm the deadline")

		msg := "done: 42 files"
		deadline := now.Add(2 * time.Minute)
		c, err := s.RecordPing(ctx, store.Ping{Check: target.Check{TargetID: hb.ID, CheckedAt: now, OK: true, Attempts: 1,
			LatencyMS: 3000, Message: &msg}, Deadline: deadline})
		require.NoError(t, err)
		assert.True(t, c.OK)
		assert.Equal(t, msg, *c.Message)

		got, err := s.GetTarget(ctx, hb.ID)
		require.NoError(t, err)
		assert.Equal(t, target.StatusUp, got.LastStatus)
		require.NotNil(t, got.NextCheckAt)
		assert.WithinDuration(t, deadline, *got.NextCheckAt, time.Millisecond)
		assert.Nil(t, got.RunStartedAt, "the ping ends the run")
		require.NotNil(t, got.LastPingAt)
		assert.WithinDuration(t, now, *got.LastPingAt, time.Millisecond)
		assert.Empty(t, claimAll(t, s, "r1"), "not due before its deadline")

		// /fail: a failed check at once, down with threshold 1, one incident, one message.
		_, err = s.RecordPing(ctx, store.Ping{Check: target.Check{TargetID: hb.ID, CheckedAt: now.Add(time.Second), Error: "ping: fail", Attempts: 1},
			Deadline: deadline.Add(time.Second)})
		require.NoError(t, err)
		got, err = s.GetTarget(ctx, hb.ID)
		require.NoError(t, err)
		assert.Equal(t, target.StatusDown, got.LastStatus)
		open, _, err := s.ListIncidents(ctx, target.IncidentFilter{TargetID: hb.ID, Open: true, Limit: 10})
		require.NoError(t, err)
		assert.Len(t, open, 1)
		assert.Equal(t, []string{"down:pending"}, events(t, s))
		assert.Equal(t, 2, countChecks(t, s, hb.ID))

		// A paused heartbeat takes no ping.
		paused := got
		paused.IsActive = false
		_, err = s.UpdateTarget(ctx, got, paused)
		require.NoError(t, err)
		_, err = s.RecordPing(ctx, store.Ping{Check: target.Check{TargetID: hb.ID, CheckedAt: now.Add(2 * time.Second), OK: true, Attempts: 1}, Deadline: deadline})
		assert.ErrorIs(t, err, target.ErrNotFound)
		assert.ErrorIs(t, s.StartRun(ctx, hb.ID, now), target.ErrNotFound)
		assert.Equal(t, 2, countChecks(t, s, hb.ID))
	})
}

// A deadline claimed by the scheduler is written only while its lease is held: a ping
// between the claim and the write voids it.
func TestMissedDeadlineIsVoidedByAPingMeanwhile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		hb := newHeartbeat(t, s, "cron")
		ping := func(at time.Time, deadline time.Time) {
			_, err := s.RecordPing(ctx, store.Ping{Check: target.Check{TargetID: hb.ID, CheckedAt: at, OK: true, Attempts: 1}, Deadline: deadline})
			require.NoError(t, err)
		}
		miss := func(c store.Claim, at time.Time) store.Result {
			slot := c.Slot
			return store.Result{Check: target.Check{TargetID: hb.ID, CheckedAt: at, ScheduledAt: &slot, Error: "no ping since …", Attempts: 1},
				Token: c.Token, NextCheckAt: at.Add(time.Hour), HeldOnly: true}
		}
		base := time.Now().UTC().Add(-time.Minute)
		ping(base, base.Add(10*time.Second)) // the deadline has passed

		claims := claimAll(t, s, "r1")
		require.Len(t, claims, 1)
		ping(base.Add(20*time.Second), time.Now().Add(time.Hour)) // the ping wins the race
		require.NoError(t, s.Record(ctx, []store.Result{miss(claims[0], base.Add(21*time.Second))}))
		got, err := s.GetTarget(ctx, hb.ID)
		require.NoError(t, err)
		assert.Equal(t, target.StatusUp, got.LastStatus)
		assert.Equal(t, 2, countChecks(t, s, hb.ID), "the miss is dropped: only the two pings")
		assert.Empty(t, claimAll(t, s, "r2"), "the ping's deadline stands")

		// No ping: the miss is recorded once and moves the deadline on.
		ping(base.Add(30*time.Second), base.Add(40*time.Second))
		claims = claimAll(t, s, "r3")
		require.Len(t, claims, 1)
		r := miss(claims[0], base.Add(41*time.Second))
		require.NoError(t, s.Record(ctx, []store.Result{r}))
		require.NoError(t, s.Record(ctx, []store.Result{r}), "written again after a lost commit: nothing more")
		got, err = s.GetTarget(ctx, hb.ID)
		require.NoError(t, err)
		assert.Equal(t, target.StatusDown, got.LastStatus)
		assert.Equal(t, 4, countChecks(t, s, hb.ID))
		require.NotNil(t, got.NextCheckAt)
		assert.WithinDuration(t, r.NextCheckAt, *got.NextCheckAt, time.Millisecond)
	})
}

func TestRegeneratePingToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		hb := newHeartbeat(t, s, "job")
		regen, err := s.RegeneratePingToken(ctx, hb.ID)
		require.NoError(t, err)
		assert.NotEqual(t, hb.PingToken, regen.PingToken)
		_, err = s.TargetByPingToken(ctx, hb.PingToken)
		assert.ErrorIs(t, err, target.ErrNotFound, "the old token is gone")
		got, err := s.TargetByPingToken(ctx, regen.PingToken)
		require.NoError(t, err)
		assert.Equal(t, hb.ID, got.ID)

		web := newTarget(t, s, target.Spec{URL: "https://web.example.com"})
		_, err = s.RegeneratePingToken(ctx, web.ID)
		assert.ErrorIs(t, err, target.ErrNotHeartbeat)
		_, err = s.RegeneratePingToken(ctx, web.ID+1000)
		assert.ErrorIs(t, err, target.ErrNotFound)
	})
}

func TestClaimTickOncePerTick(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for tick := int64(9); tick <= 11; tick++ {
			won := 0
			for replica := range 3 {
				ok, err := s.ClaimTick(ctx, "self_ping", tick)
				require.NoError(t, err, "replica %d", replica)
				if ok {
					won++
				}
			}
			assert.Equal(t, 1, won, fmt.Sprintf("tick %d is taken once", tick))
		}
		ok, err := s.ClaimTick(ctx, "self_ping", 10)
		require.NoError(t, err)
		assert.False(t, ok, "an older tick is never taken again")
	})
}

// Editing a heartbeat's schedule: an armed one gets the new schedule's deadline from
// now, one never pinged stays unarmed, and a heartbeat made another type is due at once.
func TestHeartbeatScheduleEdits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		update := func(before target.Target, edit func(*target.Target)) target.Target {
			after := before
			edit(&after)
			got, err := s.UpdateTarget(ctx, before, after)
			require.NoError(t, err)
			return got
		}
		unarmed := newHeartbeat(t, s, "unarmed")
		got := update(unarmed, func(t *target.Target) { t.PeriodSeconds = 120 })
		assert.Nil(t, got.NextCheckAt, "still waiting for its first ping")

		armed := newHeartbeat(t, s, "armed")
		_, err := s.RecordPing(ctx, store.Ping{Check: target.Check{TargetID: armed.ID, CheckedAt: time.Now(), OK: true, Attempts: 1},
			Deadline: time.Now().Add(time.Hour)})
		require.NoError(t, err)
		armed, err = s.GetTarget(ctx, armed.ID)
		require.NoError(t, err)
		got = update(armed, func(t *target.Target) { t.PeriodSeconds, t.GraceSeconds = 300, 60 })
		require.NotNil(t, got.NextCheckAt)
		assert.WithinDuration(t, time.Now().Add(6*time.Minute), *got.NextCheckAt, 30*time.Second, "now + new period + grace")

		got = update(got, func(t *target.Target) {
			t.Type, t.URL, t.PingToken = target.TypeHTTP, "https://armed.example.com", ""
		})
		require.NotNil(t, got.NextCheckAt)
		assert.WithinDuration(t, time.Now(), *got.NextCheckAt, 30*time.Second, "a checked type is due at once")
		assert.Empty(t, got.PingToken)
		_, err = s.TargetByPingToken(ctx, armed.PingToken)
		assert.ErrorIs(t, err, target.ErrNotFound, "its ping URL is gone")
	})
}

func TestLatePingAfterAMissBringsTheHeartbeatUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		hb := newHeartbeat(t, s, "late")
		base := time.Now().UTC().Add(-time.Minute)
		_, err := s.RecordPing(ctx, store.Ping{Check: target.Check{TargetID: hb.ID, CheckedAt: base, OK: true, Attempts: 1},
			Deadline: base.Add(10 * time.Second)})
		require.NoError(t, err)
		claims := claimAll(t, s, "r1")
		require.Len(t, claims, 1)
		missAt := time.Now().UTC()
		slot := claims[0].Slot
		require.NoError(t, s.Record(ctx, []store.Result{{Check: target.Check{TargetID: hb.ID, CheckedAt: missAt, ScheduledAt: &slot,
			Error: "no ping", Attempts: 1}, Token: claims[0].Token, NextCheckAt: missAt.Add(time.Hour), HeldOnly: true}}))
		got, err := s.GetTarget(ctx, hb.ID)
		require.NoError(t, err)
		require.Equal(t, target.StatusDown, got.LastStatus)

		// The ping's handler read the clock before the miss was written, and commits after it.
		c, err := s.RecordPing(ctx, store.Ping{Check: target.Check{TargetID: hb.ID, CheckedAt: missAt.Add(-50 * time.Millisecond), OK: true, Attempts: 1},
			Deadline: missAt.Add(2 * time.Minute)})
		require.NoError(t, err)
		assert.True(t, c.CheckedAt.After(missAt), "placed just after the miss")
		got, err = s.GetTarget(ctx, hb.ID)
		require.NoError(t, err)
		assert.Equal(t, target.StatusUp, got.LastStatus)
		open, _, err := s.ListIncidents(ctx, target.IncidentFilter{TargetID: hb.ID, Open: true, Limit: 10})
		require.NoError(t, err)
		assert.Empty(t, open, "the outage is resolved")
	})
}

func TestPingLeavesTheDashboardsAnswersInPlace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		hb := newHeartbeat(t, s, "busy")
		before, err := s.Totals(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, before.Unknown)
		_, err = s.RecordPing(ctx, store.Ping{Check: target.Check{TargetID: hb.ID, CheckedAt: time.Now(), OK: true, Attempts: 1},
			Deadline: time.Now().Add(time.Hour)})
		require.NoError(t, err)
		require.NoError(t, s.StartRun(ctx, hb.ID, time.Now()))
		after, err := s.Totals(ctx)
		require.NoError(t, err)
		assert.Equal(t, before, after, "the memoised answer stands until it ages out (a second)")
		counted, err := s.CountedTotals(ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, counted.Up, "while the database has the ping")
	})
}

func TestCheckOfATargetMadeAHeartbeatMeanwhileIsDropped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ch := newChannel(t, s, "ops")
		name := "api"
		tg := mustTarget(t, target.Spec{Name: &name, URL: "https://api.example.com", ChannelIDs: []int64{ch.ID}})
		tg.FailureThreshold, tg.SuccessThreshold = 1, 1
		tg, err := s.CreateTarget(ctx, tg)
		require.NoError(t, err)
		fail := func(c store.Claim) store.Result {
			slot := c.Slot
			return store.Result{Check: target.Check{TargetID: tg.ID, CheckedAt: time.Now().UTC(), ScheduledAt: &slot, Error: "connection refused", Attempts: 1},
				Token: c.Token, NextCheckAt: time.Now().Add(time.Minute)}
		}
		require.NoError(t, s.SetNextCheck(ctx, tg.ID, time.Now().Add(-time.Second)))
		claims := claimAll(t, s, "r1")
		require.Len(t, claims, 1)
		require.NoError(t, s.Record(ctx, []store.Result{fail(claims[0])}))
		require.Equal(t, []string{"down:pending"}, events(t, s))

		require.NoError(t, s.SetNextCheck(ctx, tg.ID, time.Now().Add(-time.Second)))
		claims = claimAll(t, s, "r2")
		require.Len(t, claims, 1)
		before, err := s.GetTarget(ctx, tg.ID)
		require.NoError(t, err)
		hb := before
		hb.Type, hb.URL, hb.PingToken = target.TypeHeartbeat, "", target.NewPingToken()
		hb.PeriodSeconds, hb.GraceSeconds = 60, 60
		_, err = s.UpdateTarget(ctx, before, hb)
		require.NoError(t, err)
		require.NoError(t, s.Record(ctx, []store.Result{fail(claims[0])}), "the old check finishes with the old token")

		got, err := s.GetTarget(ctx, tg.ID)
		require.NoError(t, err)
		assert.Equal(t, target.StatusUnknown, got.LastStatus)
		assert.Nil(t, got.NextCheckAt, "waits for its first ping")
		assert.Equal(t, 1, countChecks(t, s, tg.ID), "the old type's check is dropped")
		open, _, err := s.ListIncidents(ctx, target.IncidentFilter{TargetID: tg.ID, Open: true, Limit: 10})
		require.NoError(t, err)
		assert.Empty(t, open, "the old outage is over")
		assert.Equal(t, []string{"down:pending"}, events(t, s), "silently: no recovery message")
	})
}
