package store

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
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

func TestMemoCoalescesConcurrentMisses(t *testing.T) {
	m := newMemo[string, int](2)
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m.now = func() time.Time { return clock } // only read under m.mu
	var calls atomic.Int32
	release := make(chan struct{})
	count := func(context.Context) (int, error) {
		calls.Add(1)
		<-release
		return 42, nil
	}
	ctx := context.Background()

	const callers = 50
	got := make(chan int, callers)
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			v, err := m.get(ctx, "a", count)
			assert.NoError(t, err)
			got <- v
		})
	}
	require.Eventually(t, func() bool { return calls.Load() == 1 }, time.Second, time.Millisecond)
	close(release)
	wg.Wait()
	close(got)
	for v := range got {
		assert.Equal(t, 42, v)
	}
	assert.EqualValues(t, 1, calls.Load(), "a burst of callers with nothing to serve costs one computation")
}

func TestMemoComputationOutlivesTheCallerThatStartedIt(t *testing.T) {
	m := newMemo[string, int](2)
	release := make(chan struct{})
	var computeErr atomic.Value
	count := func(ctx context.Context) (int, error) {
		<-release
		if err := ctx.Err(); err != nil {
			computeErr.Store(err)
		}
		return 7, nil
	}
	first, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := m.get(first, "a", count)
		done <- err
	}()
	require.Eventually(t, func() bool {
		m.mu.Lock()
		defer m.mu.Unlock()
		e, ok := m.entries["a"]
		return ok && e.refreshing
	}, time.Second, time.Millisecond)
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled, "a caller that gives up hears so at once")

	second := make(chan int, 1)
	go func() {
		v, err := m.get(context.Background(), "a", count)
		assert.NoError(t, err)
		second <- v
	}()
	close(release)
	assert.Equal(t, 7, <-second, "the one still waiting gets the answer")
	assert.Nil(t, computeErr.Load(), "the computation is not cancelled with the caller that started it")
	m.refreshes.Wait()
}

func TestMemoDoesNotKeepAnAnswerBegunBeforeAChange(t *testing.T) {
	m := newMemo[string, int](2)
	var calls atomic.Int32
	release := make(chan struct{})
	count := func(context.Context) (int, error) {
		n := calls.Add(1)
		if n == 1 {
			<-release
		}
		return int(n), nil
	}
	ctx := context.Background()
	before := make(chan int, 1)
	go func() {
		v, err := m.get(ctx, "a", count)
		assert.NoError(t, err)
		before <- v
	}()
	require.Eventually(t, func() bool { return calls.Load() == 1 }, time.Second, time.Millisecond)
	m.invalidate() // a change made here while the first count runs

	after, err := m.get(ctx, "a", count)
	require.NoError(t, err)
	assert.Equal(t, 2, after, "a caller after the change does not share a count begun before it")
	close(release)
	assert.Equal(t, 1, <-before, "the caller before the change gets the count it asked for")
	m.refreshes.Wait()
	again, err := m.get(ctx, "a", count)
	require.NoError(t, err)
	assert.Equal(t, 2, again, "the count begun before the change was not kept")
}

func TestNilMemoReusesNothing(t *testing.T) {
	var m *memo[string, int]
	calls := 0
	count := func(context.Context) (int, error) { calls++; return calls, nil }
	for want := 1; want <= 2; want++ {
		got, err := m.get(context.Background(), "a", count)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	m.invalidate()
	memos{}.wait()
}

func TestMemoKeepsWatchedAnswersFresh(t *testing.T) {
	m := newMemo[string, int](2)
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m.now = func() time.Time { return clock } // keepFresh computes in the caller's goroutine
	calls := 0
	fail := false
	count := func(context.Context) (int, error) {
		if fail {
			return 0, errors.New("database away")
		}
		calls++
		return calls, nil
	}
	ctx := context.Background()
	got, err := m.get(ctx, "a", count)
	require.NoError(t, err)
	require.Equal(t, 1, got)
	m.refreshes.Wait()

	m.keepFresh(ctx)
	assert.Equal(t, 1, calls, "a fresh answer is left alone")

	// A lone dashboard polling every five seconds: between its polls the answer is
	// worked out again in the background, so the poll finds a fresh one.
	for poll := 2; poll <= 4; poll++ {
		for range 4 {
			clock = clock.Add(1250 * time.Millisecond)
			m.keepFresh(ctx)
		}
		got, err = m.get(ctx, "a", count)
		require.NoError(t, err)
		assert.Equal(t, calls, got, "poll %d is answered with the latest count, without waiting", poll)
		m.mu.Lock()
		assert.False(t, m.entries["a"].refreshing, "poll %d started no computation of its own", poll)
		m.mu.Unlock()
	}
	assert.Equal(t, 13, calls, "one refresh per pass once a second old")

	fail = true
	clock = clock.Add(1250 * time.Millisecond)
	m.keepFresh(ctx)
	got, err = m.get(ctx, "a", count)
	require.NoError(t, err)
	assert.Equal(t, 13, got, "a failed refresh leaves the answer, still young enough to serve")
	m.refreshes.Wait() // the poll's own refresh, failed too
	fail = false

	clock = clock.Add(watchedFor)
	before := calls
	m.keepFresh(ctx)
	assert.Equal(t, before, calls, "an answer no one has read for a while is left to expire")
}

// A computation stuck on a database that does not answer ends when the store's life
// does, so Close, the last step of a shutdown with a deadline, does not wait out
// refreshTimeout.
func TestMemoComputationEndsWithTheStore(t *testing.T) {
	m := newMemo[string, int](2)
	life, closeStore := context.WithCancel(context.Background())
	m.life = life
	started, got := make(chan struct{}), make(chan error, 1)
	go func() {
		_, err := m.get(context.Background(), "k", func(ctx context.Context) (int, error) {
			close(started)
			<-ctx.Done() // the database never answers
			return 0, ctx.Err()
		})
		got <- err
	}()
	<-started
	closeStore()
	waited := make(chan struct{})
	go func() { m.refreshes.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(refreshTimeout / 2):
		t.Fatal("the computation outlived the store")
	}
	assert.Error(t, <-got, "the caller waiting on it hears it failed")
}
