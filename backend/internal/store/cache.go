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
	mu sync.Mutex
	// gen counts invalidations, so a background count begun before one is dropped.
	gen    int
	totals cachedValue[target.Totals]
	lists  map[target.ListFilter]*cachedValue[int64]
	now    func() time.Time
}

// cachedValue is one count. Past its TTL it is still served while one caller counts
// again in the background: no poll waits for a count except the very first.
type cachedValue[T any] struct {
	val        T
	at         time.Time
	ok         bool
	refreshing bool
}

func newCountsCache() *countsCache {
	return &countsCache{lists: map[target.ListFilter]*cachedValue[int64]{}, now: time.Now}
}

// invalidate forgets every count: a target was created, changed or deleted here, and
// whoever changed it should see the change on their next read.
func (c *countsCache) invalidate() {
	c.mu.Lock()
	c.gen++
	c.totals = cachedValue[target.Totals]{}
	clear(c.lists)
	c.mu.Unlock()
}

func (c *countsCache) getTotals(ctx context.Context, count func(context.Context) (target.Totals, error)) (target.Totals, error) {
	return get(c, &c.totals, ctx, count)
}

// getCount returns the number of targets matching a filter (its paging and order
// ignored).
func (c *countsCache) getCount(ctx context.Context, f target.ListFilter, count func(context.Context) (int64, error)) (int64, error) {
	f.Limit, f.Offset, f.Sort = 0, 0, ""
	c.mu.Lock()
	v, ok := c.lists[f]
	if !ok {
		if len(c.lists) >= maxCachedCounts {
			clear(c.lists)
		}
		v = &cachedValue[int64]{}
		c.lists[f] = v
	}
	c.mu.Unlock()
	return get(c, v, ctx, count)
}

// refreshTimeout bounds a background count; past maxStale a count is not served at
// all (the database is likely away, and the caller should hear of it).
const (
	refreshTimeout = 10 * time.Second
	maxStale       = 10 * time.Second
)

func get[T any](c *countsCache, v *cachedValue[T], ctx context.Context, count func(context.Context) (T, error)) (T, error) {
	c.mu.Lock()
	age := c.now().Sub(v.at)
	if v.ok && (age < countTTL || (v.refreshing && age < maxStale)) {
		val := v.val
		c.mu.Unlock()
		return val, nil
	}
	if v.ok && age < maxStale {
		// Stale: serve it, and count again without holding this request up.
		v.refreshing = true
		val, gen := v.val, c.gen
		c.mu.Unlock()
		go func() {
			bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
			defer cancel()
			n, err := count(bg)
			c.mu.Lock()
			defer c.mu.Unlock()
			v.refreshing = false
			if err == nil && gen == c.gen {
				v.val, v.at = n, c.now()
			}
		}()
		return val, nil
	}
	c.mu.Unlock()
	// Nothing to serve yet: count now. Callers arriving meanwhile count too, which
	// only happens on the first polls after a start or a change.
	n, err := count(ctx)
	if err != nil {
		return n, err
	}
	c.mu.Lock()
	v.val, v.at, v.ok = n, c.now(), true
	c.mu.Unlock()
	return n, nil
}
