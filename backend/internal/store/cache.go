package store

import (
	"context"
	"sync"
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// countTTL is how long the counts behind the dashboard's polls are reused. Counting
// a hundred thousand targets takes milliseconds; fifty dashboards polling each
// second would make it most of a core. A second's delay is invisible to a page that
// polls every five, and this process's own changes to targets clear it at once.
const countTTL = time.Second

// maxCachedCounts bounds the cached list totals (one per distinct filter).
const maxCachedCounts = 1000

type countsCache struct {
	// mu is held while counting, so callers arriving meanwhile wait for that one
	// answer instead of each counting again.
	mu       sync.Mutex
	totals   target.Totals
	totalsAt time.Time
	lists    map[target.ListFilter]cachedCount
	now      func() time.Time
}

type cachedCount struct {
	n  int64
	at time.Time
}

func newCountsCache() *countsCache {
	return &countsCache{lists: map[target.ListFilter]cachedCount{}, now: time.Now}
}

// invalidate forgets every count: a target was created, changed or deleted here.
func (c *countsCache) invalidate() {
	c.mu.Lock()
	c.totalsAt = time.Time{}
	clear(c.lists)
	c.mu.Unlock()
}

func (c *countsCache) getTotals(ctx context.Context, count func(context.Context) (target.Totals, error)) (target.Totals, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := c.now(); now.Sub(c.totalsAt) < countTTL {
		return c.totals, nil
	}
	t, err := count(ctx)
	if err != nil {
		return t, err
	}
	c.totals, c.totalsAt = t, c.now()
	return t, nil
}

// getCount returns the number of targets matching a filter (its paging and order
// ignored).
func (c *countsCache) getCount(ctx context.Context, f target.ListFilter, count func(context.Context) (int64, error)) (int64, error) {
	f.Limit, f.Offset, f.Sort = 0, 0, ""
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.lists[f]; ok && c.now().Sub(e.at) < countTTL {
		return e.n, nil
	}
	n, err := count(ctx)
	if err != nil {
		return 0, err
	}
	if len(c.lists) >= maxCachedCounts {
		clear(c.lists)
	}
	c.lists[f] = cachedCount{n: n, at: c.now()}
	return n, nil
}
