package store

import (
	"context"
	"sync"
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// memoTTL is how long answers to the dashboard's polls are reused. Counting a
// hundred thousand targets takes milliseconds, and fifty dashboards polling the same
// page every second would make it most of a core; a second's delay is invisible to
// a page that polls every five. This process's own changes to targets, and checks
// run on request, clear every answer at once, so whoever makes a change sees it on
// their next read.
const memoTTL = time.Second

// Up to maxStale an answer past memoTTL is still served while it is worked out again
// in the background, so busy polls never wait; an older one (a lone dashboard's next
// poll) is worked out afresh, and if that fails the caller hears of it.
// refreshTimeout bounds a background refresh.
const (
	maxStale       = 2 * memoTTL
	refreshTimeout = 10 * time.Second
)

// memo reuses answers by key for memoTTL, and refreshes them behind the scenes: no
// poll waits on the database except the first after a start or a change.
type memo[K comparable, V any] struct {
	mu sync.Mutex
	// gen counts invalidations, so a refresh begun before one is dropped.
	gen     int
	entries map[K]*memoEntry[V]
	max     int
	now     func() time.Time
	// refreshes are the background refreshes under way, for Close to wait on.
	refreshes sync.WaitGroup
}

type memoEntry[V any] struct {
	val        V
	at         time.Time
	ok         bool
	refreshing bool
}

func newMemo[K comparable, V any](max int) *memo[K, V] {
	return &memo[K, V]{entries: map[K]*memoEntry[V]{}, max: max, now: time.Now}
}

// invalidate forgets every answer.
func (m *memo[K, V]) invalidate() {
	m.mu.Lock()
	m.gen++
	clear(m.entries)
	m.mu.Unlock()
}

func (m *memo[K, V]) get(ctx context.Context, key K, compute func(context.Context) (V, error)) (V, error) {
	m.mu.Lock()
	e, ok := m.entries[key]
	if !ok {
		if len(m.entries) >= m.max {
			clear(m.entries) // simpler than tracking ages; refills within a second
		}
		e = &memoEntry[V]{}
		m.entries[key] = e
	}
	age := m.now().Sub(e.at)
	if e.ok && (age < memoTTL || (e.refreshing && age < maxStale)) {
		val := e.val
		m.mu.Unlock()
		return val, nil
	}
	gen := m.gen
	if e.ok && age < maxStale {
		e.refreshing = true
		val := e.val
		m.mu.Unlock()
		m.refreshes.Go(func() {
			bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
			defer cancel()
			v, err := compute(bg)
			m.mu.Lock()
			defer m.mu.Unlock()
			e.refreshing = false
			if err == nil && gen == m.gen {
				e.val, e.at = v, m.now()
			}
		})
		return val, nil
	}
	m.mu.Unlock()
	// Nothing to serve: work it out now. Callers arriving meanwhile do too, which
	// only happens on the first polls after a start or a change.
	v, err := compute(ctx)
	if err != nil {
		return v, err
	}
	m.mu.Lock()
	if gen == m.gen {
		e.val, e.at, e.ok = v, m.now(), true
	}
	m.mu.Unlock()
	return v, nil
}

// page is one answer of ListTargets.
type page struct {
	items []target.Target
	total int
}

// memos are the store's reused answers.
type memos struct {
	totals *memo[struct{}, target.Totals]
	pages  *memo[target.ListFilter, page]
}

func newMemos() memos {
	return memos{totals: newMemo[struct{}, target.Totals](1), pages: newMemo[target.ListFilter, page](200)}
}

func (m memos) invalidate() {
	m.totals.invalidate()
	m.pages.invalidate()
}

// wait waits for the background refreshes under way.
func (m memos) wait() {
	m.totals.refreshes.Wait()
	m.pages.refreshes.Wait()
}
