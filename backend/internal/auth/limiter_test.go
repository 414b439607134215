package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

var testLimitSecret = []byte("login-limits-test-secret")

func TestLimiter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		l := newLimiter(s, testLimitSecret, "test", time.Minute, 3)
		now := time.Unix(1000, 0)
		for i := range 3 {
			assert.NoError(t, l.take(ctx, "k", now), "attempt %d within the burst", i+1)
		}
		err := l.take(ctx, "k", now)
		var rl *RateLimitError
		require.True(t, errors.As(err, &rl), "%v", err)
		assert.ErrorIs(t, err, ErrRateLimited)
		assert.InDelta(t, time.Minute.Seconds(), rl.RetryAfter.Seconds(), 1)
		assert.NoError(t, l.take(ctx, "other", now), "keys are independent")
		other := newLimiter(s, testLimitSecret, "another limit", time.Minute, 3)
		assert.NoError(t, other.take(ctx, "k", now), "limits are independent")
		now = now.Add(time.Minute)
		assert.NoError(t, l.take(ctx, "k", now), "refilled")
	})
}

// TestLimiterStoresNoKeyInClear: the table names buckets by an HMAC, never by the
// username or address itself.
func TestLimiterStoresNoKeyInClear(t *testing.T) {
	s := storetest.SQLite(t)
	ctx := context.Background()
	now := time.Unix(1000, 0)
	require.NoError(t, newLimiter(s, testLimitSecret, "username", time.Minute, 3).take(ctx, "alice-the-admin", now))
	require.NoError(t, newLimiter(s, testLimitSecret, "address", time.Minute, 3).take(ctx, "203.0.113.77", now))
	rows := storetest.RawRows(t, s, "login_limits")
	require.Len(t, rows, 2)
	for _, r := range rows {
		for _, v := range r {
			assert.False(t, strings.Contains(v, "alice") || strings.Contains(v, "203.0.113"), "stored in clear: %q", v)
		}
	}
	// Another secret names other buckets: without it, the rows tell nothing.
	require.NoError(t, newLimiter(s, []byte("another secret"), "username", time.Minute, 3).take(ctx, "alice-the-admin", now))
	assert.Len(t, storetest.RawRows(t, s, "login_limits"), 3)
}
