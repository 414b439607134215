package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMemoReusesThenRefreshesBehindTheScenes(t *testing.T) {
	m := newMemo[string, int](2)
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m.now = func() time.Time { return clock }
	calls := 0
	done := make(chan struct{}, 10)
	count := func(context.Context) (int, error) {
		calls++
		defer func() { done <- struct{}{} }()
		return calls, nil
	}
	ctx := context.Background()

	got, err := m.get(ctx, "a", count)
	require.NoError(t, err)
	<-done
	assert.Equal(t, 1, got, "the first caller works it out")
	got, _ = m.get(ctx, "a", count)
	assert.Equal(t, 1, got, "reused within the second")

	clock = clock.Add(1500 * time.Millisecond)
	got, _ = m.get(ctx, "a", count)
	assert.Equal(t, 1, got, "stale: served while worked out again")
	<-done
	require.Eventually(t, func() bool {
		m.mu.Lock()
		defer m.mu.Unlock()
		return !m.entries["a"].refreshing
	}, time.Second, time.Millisecond)
	got, _ = m.get(ctx, "a", count)
	assert.Equal(t, 2, got, "the refreshed answer")

	m.invalidate()
	got, _ = m.get(ctx, "a", count)
	<-done
	assert.Equal(t, 3, got, "a change here is seen at once")

	clock = clock.Add(5 * time.Second)
	_, err = m.get(ctx, "a", func(context.Context) (int, error) { return 0, errors.New("database away") })
	assert.Error(t, err, "a lone poll five seconds on is worked out afresh: the caller hears of the failure")

	for _, k := range []string{"b", "c", "d"} {
		_, err := m.get(ctx, k, func(context.Context) (int, error) { return 9, nil })
		require.NoError(t, err)
	}
	assert.LessOrEqual(t, len(m.entries), 2, "bounded")
}
