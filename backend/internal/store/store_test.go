package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/account"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

var limits = target.Limits{MinIntervalSeconds: 30}

func newTarget(t *testing.T, s *store.Store, spec target.Spec) target.Target {
	t.Helper()
	created, err := s.CreateTarget(context.Background(), mustTarget(t, spec))
	require.NoError(t, err)
	return created
}

func mustTarget(t *testing.T, spec target.Spec) target.Target {
	t.Helper()
	tg, err := target.New(spec, limits)
	require.NoError(t, err)
	return tg
}

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		n, err := s.Migrate(context.Background())
		require.NoError(t, err)
		assert.Equal(t, 0, n, "a second migrate applies nothing")
	})
}

func TestTargetCRUD(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		created := newTarget(t, s, target.Spec{URL: "https://shop.example.com/health", Tags: []string{"prod", "shop"},
			Headers: map[string]string{"X-Token": "abc"}})
		assert.NotZero(t, created.ID)
		assert.Equal(t, "shop.example.com", created.Name)
		assert.Equal(t, target.StatusUnknown, created.LastStatus)
		require.NotNil(t, created.NextCheckAt, "an active target is due")

		got, err := s.GetTarget(ctx, created.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{"prod", "shop"}, got.Tags)
		assert.Equal(t, map[string]string{"X-Token": "abc"}, got.Headers)
		assert.Equal(t, 300, got.IntervalSeconds)

		paused := false
		newTags := []string{"staging"}
		after, err := target.Patch{IsActive: &paused, Tags: &newTags}.Apply(got, limits)
		require.NoError(t, err)
		updated, err := s.UpdateTarget(ctx, got, after)
		require.NoError(t, err)
		assert.False(t, updated.IsActive)
		assert.Nil(t, updated.NextCheckAt, "a paused target has no next check")
		assert.Equal(t, []string{"staging"}, updated.Tags)

		require.NoError(t, s.DeleteTarget(ctx, created.ID))
		_, err = s.GetTarget(ctx, created.ID)
		assert.ErrorIs(t, err, target.ErrNotFound)
		assert.ErrorIs(t, s.DeleteTarget(ctx, created.ID), target.ErrNotFound)
		_, err = s.UpdateTarget(ctx, got, after)
		assert.ErrorIs(t, err, target.ErrNotFound)
	})
}

func TestListTargetsFiltersAndPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for i := range 12 {
			tags := []string{"even"}
			if i%2 == 1 {
				tags = []string{"odd"}
			}
			newTarget(t, s, target.Spec{Name: new(fmt.Sprintf("svc-%02d", i)), URL: fmt.Sprintf("https://svc%d.example.com/", i), Tags: tags})
		}
		off := false
		newTarget(t, s, target.Spec{Name: new("Paused_one"), URL: "https://paused.example.com/", IsActive: &off})

		tests := []struct {
			name   string
			filter target.ListFilter
			total  int
			first  string
			count  int
		}{
			{"first page", target.ListFilter{Limit: 5}, 13, "Paused_one", 5},
			{"second page", target.ListFilter{Limit: 5, Offset: 5}, 13, "svc-04", 5},
			{"past the end", target.ListFilter{Limit: 5, Offset: 50}, 13, "", 0},
			{"query on name", target.ListFilter{Limit: 50, Query: "SVC-1"}, 2, "svc-10", 2},
			{"query on url", target.ListFilter{Limit: 50, Query: "svc3.example"}, 1, "svc-03", 1},
			{"query with wildcard chars is literal", target.ListFilter{Limit: 50, Query: "d_o"}, 1, "Paused_one", 1},
			{"percent matches nothing", target.ListFilter{Limit: 50, Query: "%"}, 0, "", 0},
			{"tag", target.ListFilter{Limit: 50, Tag: "odd"}, 6, "svc-01", 6},
			{"paused", target.ListFilter{Limit: 50, Status: target.FilterPaused}, 1, "Paused_one", 1},
			{"active", target.ListFilter{Limit: 50, Status: target.FilterActive}, 12, "svc-00", 12},
			{"unknown", target.ListFilter{Limit: 50, Status: "unknown"}, 12, "svc-00", 12},
			{"down", target.ListFilter{Limit: 50, Status: "down"}, 0, "", 0},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				items, total, err := s.ListTargets(ctx, tc.filter)
				require.NoError(t, err)
				assert.Equal(t, tc.total, total)
				require.Len(t, items, tc.count)
				if tc.count > 0 {
					assert.Equal(t, tc.first, items[0].Name)
				}
			})
		}

		totals, err := s.Totals(ctx)
		require.NoError(t, err)
		assert.Equal(t, target.Totals{Total: 13, Active: 12, Paused: 1, Unknown: 12}, totals)

		// Counts are reused for a moment, but never past a change made here.
		extra := newTarget(t, s, target.Spec{Name: new("svc-99"), URL: "https://svc99.example.com/"})
		totals, err = s.Totals(ctx)
		require.NoError(t, err)
		assert.Equal(t, 14, totals.Total)
		_, total, err := s.ListTargets(ctx, target.ListFilter{Limit: 1, Tag: "odd"})
		require.NoError(t, err)
		assert.Equal(t, 6, total)
		require.NoError(t, s.DeleteTarget(ctx, extra.ID))
		_, total, err = s.ListTargets(ctx, target.ListFilter{Limit: 1})
		require.NoError(t, err)
		assert.Equal(t, 13, total)
	})
}

func TestClaimRecordAndReschedule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newTarget(t, s, target.Spec{Name: new("a"), URL: "https://a.example.com/", IntervalSeconds: new(60)})
		b := newTarget(t, s, target.Spec{Name: new("b"), URL: "https://b.example.com/", IntervalSeconds: new(60)})
		off := false
		newTarget(t, s, target.Spec{Name: new("paused"), URL: "https://p.example.com/", IsActive: &off})

		claims, err := s.ClaimDue(ctx, "tok-1", 10)
		require.NoError(t, err)
		require.Len(t, claims, 2, "both active targets are due, the paused one is not")

		again, err := s.ClaimDue(ctx, "tok-2", 10)
		require.NoError(t, err)
		assert.Empty(t, again, "a claimed target is not claimed again while its check runs")

		// Record a for its slot; release b unchecked.
		var ca, cb store.Claim
		for _, c := range claims {
			if c.Target.ID == a.ID {
				ca = c
			} else {
				cb = c
			}
		}
		assert.Equal(t, *a.NextCheckAt, ca.Slot, "the slot is the due time, to the microsecond")
		assert.WithinDuration(t, ca.DBNow.Add(ca.Target.Lease()), *claimLeaseEnd(t, s, a.ID), 2*time.Millisecond,
			"the lease runs the check's budget plus the margin")
		code := 200
		next := target.NextSlot(ca.Slot, ca.Target.Interval(), ca.DBNow, ca.DBNow)
		slot := ca.Slot
		res := store.Result{
			Check: target.Check{TargetID: a.ID, CheckedAt: ca.DBNow, ScheduledAt: &slot, LatencyMS: 42,
				StatusCode: &code, OK: true, Attempts: 1},
			Token: ca.Token, NextCheckAt: next,
		}
		require.NoError(t, s.Record(ctx, []store.Result{res}))
		require.NoError(t, s.Record(ctx, []store.Result{res}), "recording the same result again is harmless")
		require.NoError(t, s.Release(ctx, []store.Claim{cb}))

		checks, err := s.ListChecks(ctx, a.ID, nil, 10)
		require.NoError(t, err)
		require.Len(t, checks, 1, "one slot, one check")
		assert.Equal(t, 42, checks[0].LatencyMS)

		got, err := s.GetTarget(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, target.StatusUp, got.LastStatus)
		assert.Equal(t, a.UpdatedAt, got.UpdatedAt, "checking a target is not editing it")
		require.NotNil(t, got.LastLatencyMS)
		assert.Equal(t, 42, *got.LastLatencyMS)
		assert.WithinDuration(t, next, *got.NextCheckAt, time.Millisecond)

		claims, err = s.ClaimDue(ctx, "tok-3", 10)
		require.NoError(t, err)
		require.Len(t, claims, 1, "only the released target is due again")
		assert.Equal(t, b.ID, claims[0].Target.ID)
		assert.WithinDuration(t, cb.Slot, claims[0].Slot, time.Millisecond, "released for the same slot")
	})
}

func TestExpiredLeaseIsTakenOverForTheSameSlot(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tg := newTarget(t, s, target.Spec{URL: "https://a.example.com/", IntervalSeconds: new(60)})
		first, err := s.ClaimDue(ctx, "dead-replica", 10)
		require.NoError(t, err)
		require.Len(t, first, 1)

		require.NoError(t, s.ExpireLeases(ctx))
		second, err := s.ClaimDue(ctx, "live-replica", 10)
		require.NoError(t, err)
		require.Len(t, second, 1)
		assert.Equal(t, tg.ID, second[0].Target.ID)
		assert.WithinDuration(t, first[0].Slot, second[0].Slot, time.Millisecond)

		// The dead replica wakes up and records late: its check is kept, but the
		// schedule stays with the new holder.
		slot := first[0].Slot
		late := store.Result{Check: target.Check{TargetID: tg.ID, CheckedAt: first[0].DBNow, ScheduledAt: &slot, OK: true, Attempts: 1},
			Token: "dead-replica", NextCheckAt: first[0].DBNow.Add(time.Hour)}
		require.NoError(t, s.Record(ctx, []store.Result{late}))
		again, err := s.ClaimDue(ctx, "third", 10)
		require.NoError(t, err)
		assert.Empty(t, again, "the live replica still holds the lease")

		// The live replica records the same slot: not a second row.
		live := late
		live.Token = "live-replica"
		live.Check.CheckedAt = second[0].DBNow
		require.NoError(t, s.Record(ctx, []store.Result{live}))
		checks, err := s.ListChecks(ctx, tg.ID, nil, 10)
		require.NoError(t, err)
		assert.Len(t, checks, 1)
	})
}

func TestRescheduleOverdueSpreadsTargets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC()
		var ids []int64
		for i := range 20 {
			tg := newTarget(t, s, target.Spec{URL: fmt.Sprintf("https://s%d.example.com/", i), IntervalSeconds: new(60)})
			require.NoError(t, s.SetNextCheck(ctx, tg.ID, now.Add(-time.Hour)))
			ids = append(ids, tg.ID)
		}
		late := newTarget(t, s, target.Spec{URL: "https://late.example.com/", IntervalSeconds: new(60)})
		require.NoError(t, s.SetNextCheck(ctx, late.ID, now.Add(-10*time.Second)))

		moved, err := s.RescheduleOverdue(ctx, 30*time.Second)
		require.NoError(t, err)
		assert.EqualValues(t, 20, moved, "only targets a whole interval late are spread")

		distinct := map[int64]bool{}
		for _, id := range ids {
			tg, err := s.GetTarget(ctx, id)
			require.NoError(t, err)
			require.NotNil(t, tg.NextCheckAt)
			assert.False(t, tg.NextCheckAt.Before(now.Add(-time.Second)), "moved out of the past")
			assert.True(t, tg.NextCheckAt.Before(now.Add(32*time.Second)), "within the spread")
			distinct[tg.NextCheckAt.UnixMilli()/100] = true
		}
		assert.Greater(t, len(distinct), 5, "spread out, not one burst")
	})
}

func TestSpreadBacklogOnlyWhenLarge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		specs := make([]target.Target, 40)
		for i := range specs {
			specs[i] = mustTarget(t, target.Spec{URL: fmt.Sprintf("https://b%d.example.com/", i), IntervalSeconds: new(30)})
		}
		_, err := s.CreateTargets(ctx, specs)
		require.NoError(t, err)

		backlog, err := s.Backlog(ctx, time.Now().Add(time.Second))
		require.NoError(t, err)
		assert.EqualValues(t, 40, backlog, "all due")
		moved, err := s.SpreadBacklog(ctx, 40, time.Minute)
		require.NoError(t, err)
		assert.Zero(t, moved, "a backlog the workers take at once is left alone")

		moved, err = s.SpreadBacklog(ctx, 10, time.Minute)
		require.NoError(t, err)
		assert.EqualValues(t, 40, moved)
		claims, err := s.ClaimDue(ctx, "t", 100)
		require.NoError(t, err)
		assert.Less(t, len(claims), 10, "spread over the interval (30 s), so few are due at once")
		backlog, err = s.Backlog(ctx, time.Now().Add(time.Minute))
		require.NoError(t, err)
		assert.EqualValues(t, 40, backlog, "claimed or not, every slot within the minute is still to be recorded")
		list, _, err := s.ListTargets(ctx, target.ListFilter{Limit: 100})
		require.NoError(t, err)
		for _, tg := range list {
			require.NotNil(t, tg.NextCheckAt)
			assert.WithinDuration(t, time.Now().Add(15*time.Second), *tg.NextCheckAt, 16*time.Second, "within the interval")
		}
	})
}

func TestRecordDropsResultsOfDeletedTargets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		kept := newTarget(t, s, target.Spec{URL: "https://kept.example.com/"})
		gone := newTarget(t, s, target.Spec{URL: "https://gone.example.com/"})
		require.NoError(t, s.DeleteTarget(ctx, gone.ID))
		now := time.Now().UTC()
		err := s.Record(ctx, []store.Result{
			{Check: target.Check{TargetID: gone.ID, CheckedAt: now, OK: true, Attempts: 1}},
			{Check: target.Check{TargetID: kept.ID, CheckedAt: now, OK: false, Error: "boom", Attempts: 4}},
		})
		require.NoError(t, err)
		checks, err := s.ListChecks(ctx, kept.ID, nil, 10)
		require.NoError(t, err)
		require.Len(t, checks, 1)
		assert.Equal(t, "boom", checks[0].Error)
	})
}

func TestChecksHistoryAndRetention(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tg := newTarget(t, s, target.Spec{URL: "https://a.example.com/"})
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		var results []store.Result
		for i := range 10 {
			results = append(results, store.Result{Check: target.Check{TargetID: tg.ID,
				CheckedAt: base.Add(time.Duration(i) * time.Minute), OK: i%3 != 0, LatencyMS: 10 * (i + 1), Attempts: 1}})
		}
		require.NoError(t, s.Record(ctx, results))

		page, err := s.ListChecks(ctx, tg.ID, nil, 3)
		require.NoError(t, err)
		require.Len(t, page, 3)
		assert.Equal(t, base.Add(9*time.Minute), page[0].CheckedAt, "newest first")
		before := page[2].CheckedAt
		next, err := s.ListChecks(ctx, tg.ID, &before, 100)
		require.NoError(t, err)
		require.Len(t, next, 7)
		assert.Equal(t, base.Add(6*time.Minute), next[0].CheckedAt)

		samples, err := s.Samples(ctx, tg.ID, base.Add(5*time.Minute))
		require.NoError(t, err)
		assert.Len(t, samples, 5)

		got, err := s.GetTarget(ctx, tg.ID)
		require.NoError(t, err)
		assert.Equal(t, base.Add(9*time.Minute), *got.LastCheckedAt, "the newest check sets the state")

		deleted, err := s.DeleteChecksBefore(ctx, base.Add(4*time.Minute))
		require.NoError(t, err)
		assert.EqualValues(t, 0, deleted, "checks not yet rolled up are kept")

		_, _, err = s.RollUp(ctx, base.Add(2*time.Hour))
		require.NoError(t, err)
		deleted, err = s.DeleteChecksBefore(ctx, base.Add(4*time.Minute))
		require.NoError(t, err)
		assert.EqualValues(t, 4, deleted)
	})
}

func TestUsersAndRefreshTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u, err := s.CreateUser(ctx, account.User{Username: "alice", PasswordHash: "x", Role: account.RoleAdmin})
		require.NoError(t, err)
		_, err = s.CreateUser(ctx, account.User{Username: "alice", PasswordHash: "y", Role: account.RoleAdmin})
		assert.ErrorIs(t, err, account.ErrUsernameTaken)
		byName, err := s.UserByName(ctx, "alice")
		require.NoError(t, err)
		assert.Equal(t, u.ID, byName.ID)
		_, err = s.UserByName(ctx, "bob")
		assert.ErrorIs(t, err, account.ErrNotFound)

		exp := time.Now().Add(time.Hour)
		require.NoError(t, s.AddRefreshToken(ctx, u, "fam", "h1", exp))
		got, err := s.RotateRefreshToken(ctx, "h1", "h2", exp)
		require.NoError(t, err)
		assert.Equal(t, u.ID, got.ID)
		_, err = s.RotateRefreshToken(ctx, "h1", "h3", exp)
		assert.ErrorIs(t, err, account.ErrRefreshReused, "a spent token is reuse")
		_, err = s.RotateRefreshToken(ctx, "h2", "h4", exp)
		assert.ErrorIs(t, err, account.ErrRefreshInvalid, "reuse revoked the whole family")
		_, err = s.RotateRefreshToken(ctx, "nope", "h5", exp)
		assert.ErrorIs(t, err, account.ErrRefreshInvalid)

		require.NoError(t, s.AddRefreshToken(ctx, u, "fam2", "old", time.Now().Add(-time.Minute)))
		_, err = s.RotateRefreshToken(ctx, "old", "h6", exp)
		assert.ErrorIs(t, err, account.ErrRefreshInvalid, "expired")

		// A login that read the user before a password change committed stores its
		// token under the old version: that token is dead at its first use.
		stale := got
		_, err = s.ChangePassword(ctx, u.ID, "new-hash")
		require.NoError(t, err)
		require.NoError(t, s.AddRefreshToken(ctx, stale, "fam3", "late", exp))
		_, err = s.RotateRefreshToken(ctx, "late", "h7", exp)
		assert.ErrorIs(t, err, account.ErrRefreshInvalid, "issued under an older token version")
	})
}

func TestSettingIsGeneratedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		calls := 0
		gen := func() (string, error) { calls++; return fmt.Sprintf("v%d", calls), nil }
		first, err := s.Setting(ctx, "k", gen)
		require.NoError(t, err)
		second, err := s.Setting(ctx, "k", gen)
		require.NoError(t, err)
		assert.Equal(t, "v1", first)
		assert.Equal(t, first, second)
		_, err = s.Setting(ctx, "other", func() (string, error) { return "", errors.New("no entropy") })
		assert.Error(t, err)
	})
}

func TestSecondServerOnSQLiteIsRefused(t *testing.T) {
	path := storetest.SQLiteURL(t)
	one := storetest.Open(t, path)
	two := storetest.Open(t, path)
	release, err := one.LockServer()
	require.NoError(t, err)
	_, err = two.LockServer()
	require.ErrorIs(t, err, store.ErrLocked)
	assert.Contains(t, err.Error(), "PostgreSQL")
	release()
	release2, err := two.LockServer()
	require.NoError(t, err, "free again once the first lets go")
	release2()
}

func TestReleaseTokensHandsBackUnansweredClaims(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		newTarget(t, s, target.Spec{URL: "https://a.example.com/", IntervalSeconds: new(60)})
		lost, err := s.ClaimDue(ctx, "lost-answer", 10)
		require.NoError(t, err)
		require.Len(t, lost, 1)

		n, err := s.ReleaseTokens(ctx, []string{"lost-answer", "never-committed"})
		require.NoError(t, err)
		assert.EqualValues(t, 1, n)
		again, err := s.ClaimDue(ctx, "next", 10)
		require.NoError(t, err)
		require.Len(t, again, 1, "due again at once")
		assert.WithinDuration(t, lost[0].Slot, again[0].Slot, time.Millisecond, "for the same slot")
	})
}

func TestShorterIntervalWinsOverARunningCheck(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tg := newTarget(t, s, target.Spec{URL: "https://a.example.com/", IntervalSeconds: new(86400)})
		claims, err := s.ClaimDue(ctx, "running", 10)
		require.NoError(t, err)
		require.Len(t, claims, 1)

		shorter := 60
		after, err := target.Patch{IntervalSeconds: &shorter}.Apply(tg, limits)
		require.NoError(t, err)
		_, err = s.UpdateTarget(ctx, tg, after)
		require.NoError(t, err)

		c := claims[0]
		slot := c.Slot
		require.NoError(t, s.Record(ctx, []store.Result{{
			Check:       target.Check{TargetID: tg.ID, CheckedAt: c.DBNow, ScheduledAt: &slot, OK: true, Attempts: 1},
			Token:       c.Token,
			NextCheckAt: target.NextSlot(c.Slot, c.Target.Interval(), c.DBNow, c.DBNow), // a day later, by the old interval
		}}))
		got, err := s.GetTarget(ctx, tg.ID)
		require.NoError(t, err)
		require.NotNil(t, got.NextCheckAt)
		assert.True(t, got.NextCheckAt.Before(time.Now().Add(2*time.Minute)), "next check by the new interval, not a day away: %s", got.NextCheckAt)
		assert.Equal(t, target.StatusUp, got.LastStatus, "the running check's result still counts")
	})
}

func TestListTargetsSorts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		off := false
		newTarget(t, s, target.Spec{Name: new("a-paused"), URL: "https://p.example.com/", IsActive: &off})
		up := newTarget(t, s, target.Spec{Name: new("b-up"), URL: "https://u.example.com/"})
		down := newTarget(t, s, target.Spec{Name: new("c-down"), URL: "https://d.example.com/"})
		newTarget(t, s, target.Spec{Name: new("d-unknown"), URL: "https://n.example.com/"})
		now := time.Now().UTC()
		require.NoError(t, s.Record(ctx, []store.Result{
			{Check: target.Check{TargetID: up.ID, CheckedAt: now.Add(-time.Minute), OK: true, LatencyMS: 300, Attempts: 1}},
			{Check: target.Check{TargetID: down.ID, CheckedAt: now, OK: false, LatencyMS: 50, Attempts: 1}},
		}))
		names := func(sort string) []string {
			items, _, err := s.ListTargets(ctx, target.ListFilter{Limit: 10, Sort: sort})
			require.NoError(t, err)
			var out []string
			for _, it := range items {
				out = append(out, it.Name)
			}
			return out
		}
		assert.Equal(t, []string{"a-paused", "b-up", "c-down", "d-unknown"}, names(""))
		assert.Equal(t, []string{"d-unknown", "c-down", "b-up", "a-paused"}, names("-name"))
		assert.Equal(t, []string{"c-down", "d-unknown", "b-up", "a-paused"}, names("status"), "trouble first, paused last")
		assert.Equal(t, []string{"c-down", "b-up", "a-paused", "d-unknown"}, names("latency"), "unknown latency last")
		assert.Equal(t, []string{"b-up", "c-down", "a-paused", "d-unknown"}, names("-latency"))
		assert.Equal(t, []string{"c-down", "b-up", "a-paused", "d-unknown"}, names("-checked"), "never checked last")
	})
}

// claimLeaseEnd reads where a claim left a target's next_check_at: its lease's end.
func claimLeaseEnd(t *testing.T, s *store.Store, id int64) *time.Time {
	t.Helper()
	end, err := s.LeaseEnd(context.Background(), id)
	require.NoError(t, err)
	return &end
}
