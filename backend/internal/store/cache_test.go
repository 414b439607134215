package store

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

func TestCountsAreReusedThenRefreshedBehindTheScenes(t *testing.T) {
	c := newCountsCache()
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return clock }
	var calls atomic.Int64
	refreshed := make(chan struct{}, 10)
	count := func(context.Context) (target.Totals, error) {
		n := calls.Add(1)
		defer func() { refreshed <- struct{}{} }()
		return target.Totals{Total: int(n)}, nil
	}
	ctx := context.Background()

	got, err := c.getTotals(ctx, count)
	require.NoError(t, err)
	<-refreshed
	assert.Equal(t, 1, got.Total, "the first caller counts")
	got, _ = c.getTotals(ctx, count)
	assert.Equal(t, 1, got.Total, "reused within the second")

	clock = clock.Add(2 * time.Second)
	got, _ = c.getTotals(ctx, count)
	assert.Equal(t, 1, got.Total, "stale: served while counting again")
	<-refreshed
	require.Eventually(t, func() bool { g, _ := c.getTotals(ctx, count); return g.Total == 2 }, time.Second, time.Millisecond)

	c.invalidate()
	got, _ = c.getTotals(ctx, count)
	<-refreshed
	assert.Equal(t, 3, got.Total, "a change here is seen at once")

	clock = clock.Add(time.Minute)
	failing := func(context.Context) (target.Totals, error) { return target.Totals{}, errors.New("database away") }
	_, err = c.getTotals(ctx, failing)
	assert.Error(t, err, "too stale to serve: the caller hears of the failure")

	n, err := c.getCount(ctx, target.ListFilter{Limit: 5, Tag: "a"}, func(context.Context) (int64, error) { return 7, nil })
	require.NoError(t, err)
	assert.EqualValues(t, 7, n)
	n, _ = c.getCount(ctx, target.ListFilter{Limit: 50, Offset: 100, Tag: "a"}, func(context.Context) (int64, error) { return 9, nil })
	assert.EqualValues(t, 7, n, "paging does not matter to the count")
}
