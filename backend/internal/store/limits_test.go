package store_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

// eachReplicaPair runs fn on both databases with two stores opened on one database,
// as two replicas hold them.
func eachReplicaPair(t *testing.T, fn func(t *testing.T, a, b *store.Store)) {
	t.Helper()
	for _, db := range []struct {
		name string
		url  func(testing.TB) string
	}{{"sqlite", storetest.SQLiteURL}, {"postgres", storetest.PostgresURL}} {
		t.Run(db.name, func(t *testing.T) {
			u := db.url(t)
			fn(t, storetest.Open(t, u), storetest.Open(t, u))
		})
	}
}

// TestLoginLimitsAreShared: the buckets live in the database, so attempts through two
// stores (two replicas) come out of one bucket, and it refills as time goes by.
func TestLoginLimitsAreShared(t *testing.T) {
	eachReplicaPair(t, func(t *testing.T, a, b *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		take := func(s *store.Store, key string) (bool, time.Duration) {
			t.Helper()
			ok, wait, err := s.TakeAttempt(ctx, key, now, time.Minute, 3)
			require.NoError(t, err)
			return ok, wait
		}
		for i, s := range []*store.Store{a, b, a} {
			ok, _ := take(s, "k")
			assert.True(t, ok, "attempt %d within the burst", i+1)
		}
		ok, wait := take(b, "k")
		assert.False(t, ok, "the burst is spent, whichever replica counted it")
		assert.Equal(t, time.Minute, wait)
		ok, wait = take(a, "k")
		assert.False(t, ok)
		assert.Equal(t, time.Minute, wait, "a refused attempt takes nothing")

		ok, _ = take(a, "other")
		assert.True(t, ok, "keys are independent")

		now = now.Add(40 * time.Second)
		ok, wait = take(b, "k")
		assert.False(t, ok)
		assert.Equal(t, 20*time.Second, wait, "refilling: 40 s of the minute gone")
		now = now.Add(20 * time.Second)
		ok, _ = take(b, "k")
		assert.True(t, ok, "one token back after one interval")
		ok, _ = take(a, "k")
		assert.False(t, ok, "and only one")

		now = now.Add(time.Hour)
		for i := range 3 {
			ok, _ := take([]*store.Store{a, b}[i%2], "k")
			assert.True(t, ok, "attempt %d: refilled to the burst, not beyond", i+1)
		}
		ok, _ = take(a, "k")
		assert.False(t, ok)
	})
}

// TestLoginLimitsHoldUnderRace: attempts racing on one key through two replicas spend
// each token once.
func TestLoginLimitsHoldUnderRace(t *testing.T) {
	eachReplicaPair(t, func(t *testing.T, a, b *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		const burst, attempts = 10, 60
		var allowed atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, attempts)
		for i := range attempts {
			s := []*store.Store{a, b}[i%2]
			wg.Go(func() {
				ok, _, err := s.TakeAttempt(ctx, "raced", now, 30*time.Second, burst)
				if err != nil {
					errs <- err
				}
				if ok {
					allowed.Add(1)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		assert.Equal(t, int64(burst), allowed.Load())
	})
}

// TestLoginLimitsForgetOnlyFullBuckets: the table stays bounded by the keys active
// lately without forgetting any of them. Retention deletes the buckets that are full
// again, in batches, and none that still count attempts, however many new keys come.
func TestLoginLimitsForgetOnlyFullBuckets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		// More buckets than one delete batch (5,000) takes, long full again.
		const stale = 6_000
		storetest.Exec(t, s, fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
			INSERT INTO login_limits (key_hash, full_at) SELECT 'stale-' || i, ? FROM n`, stale), now.Add(-time.Hour).UnixMicro())
		// A bucket emptied just now.
		for range 2 {
			ok, _, err := s.TakeAttempt(ctx, "live", now, time.Minute, 2)
			require.NoError(t, err)
			require.True(t, ok)
		}

		n, err := s.DeleteFullLimits(ctx, now)
		require.NoError(t, err)
		assert.Equal(t, int64(stale), n)
		rows := storetest.RawRows(t, s, "login_limits")
		require.Len(t, rows, 1)
		assert.Equal(t, "live", rows[0]["key_hash"])
		ok, wait, err := s.TakeAttempt(ctx, "live", now, time.Minute, 2)
		require.NoError(t, err)
		assert.False(t, ok, "a bucket still counting is kept")
		assert.Equal(t, time.Minute, wait)

		now = now.Add(2 * time.Minute)
		n, err = s.DeleteFullLimits(ctx, now)
		require.NoError(t, err)
		assert.Equal(t, int64(1), n, "full again after burst × every")
		for range 2 {
			ok, _, err := s.TakeAttempt(ctx, "live", now, time.Minute, 2)
			require.NoError(t, err)
			assert.True(t, ok, "a deleted bucket starts full, as it was")
		}
	})
}
