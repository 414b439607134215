package store

import (
	"context"
	"sync"
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// memoTTL is how long an answer to the dashboard's polls is reused before it is
// worked out again. A list page searched or sorted by state reads every target (tens
// of milliseconds at a hundred thousand, under check load), and fifty dashboards
// polling it every second would make that most of a core; a second's delay is
// invisible to a page that polls every five. This process's own changes to targets,
// and checks run on request, clear every answer at once, so whoever makes a change
// sees it on their next read.
//
// Every replica keeps its own memo and reads the shared database, so every replica
// shows correct counts; a change made through another replica shows here within
// maxStale (plus the time of one query), since nothing older is ever served.
const memoTTL = time.Second

// An answer past memoTTL is still served, up to maxStale, while it is worked out
// again in the background, so busy polls never wait on the database: with at least
// one poll a second, the answer is refreshed before it is too old to serve. An older
// one (a lone dashboard's next poll) is worked out afresh, and if that fails the
// caller hears of it. refreshTimeout bounds one computation.
const (
	maxStale       = 2 * memoTTL
	refreshTimeout = 10 * time.Second
)

// memo reuses answers by key for memoTTL and refreshes them behind the scenes, so no
// poll waits on the database except the first after a start, a change or a quiet
// spell. Concurrent callers that find nothing to serve share one computation: a
// burst of a hundred pollers after a change costs one query, not a hundred.
type memo[K comparable, V any] struct {
	mu sync.Mutex
	// gen counts invalidations, so a computation begun before one is not kept.
	gen     int
	entries map[K]*memoEntry[V]
	max     int
	now     func() time.Time
	// refreshes are the computations under way, for Close to wait on.
	refreshes sync.WaitGroup
	// life ends when the store closes: computations under way are cut then, so Close
	// (the last step of a shutdown with a deadline) never waits out refreshTimeout on
	// a database that does not answer.
	life context.Context
}

type memoEntry[V any] struct {
	val V
	at  time.Time
	ok  bool
	// refreshing says a computation of this entry is under way; flight is its
	// outcome, which callers with nothing to serve wait for.
	refreshing bool
	flight     *flight[V]
	// readAt and compute let keepFresh refresh an answer someone is still polling.
	readAt  time.Time
	compute func(context.Context) (V, error)
}

// flight is one computation's outcome, ready once done is closed.
type flight[V any] struct {
	done chan struct{}
	val  V
	err  error
}

func newMemo[K comparable, V any](max int) *memo[K, V] {
	return &memo[K, V]{entries: map[K]*memoEntry[V]{}, max: max, now: time.Now}
}

// invalidate forgets every answer. Computations under way finish for the callers
// already waiting on them (they asked before the change) but are not kept.
func (m *memo[K, V]) invalidate() {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.gen++
	clear(m.entries)
	m.mu.Unlock()
}

// get answers key from the memo, or by compute. A nil memo reuses nothing and
// computes in the caller's goroutine (a transaction's store: its connection serves
// one statement at a time, and its reads must see its own writes).
func (m *memo[K, V]) get(ctx context.Context, key K, compute func(context.Context) (V, error)) (V, error) {
	if m == nil {
		return compute(ctx)
	}
	m.mu.Lock()
	e, ok := m.entries[key]
	if !ok {
		if len(m.entries) >= m.max {
			clear(m.entries) // simpler than tracking ages; refills within a second
		}
		e = &memoEntry[V]{}
		m.entries[key] = e
	}
	now := m.now()
	e.readAt, e.compute = now, compute
	age := now.Sub(e.at)
	if e.ok && age < maxStale {
		if age >= memoTTL && !e.refreshing {
			m.start(ctx, e, compute)
		}
		val := e.val
		m.mu.Unlock()
		return val, nil
	}
	// Nothing to serve: wait for the computation under way, or start one.
	f := e.flight
	if !e.refreshing {
		f = m.start(ctx, e, compute)
	}
	m.mu.Unlock()
	select {
	case <-f.done:
		return f.val, f.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

func (m *memo[K, V]) waitGroup() *sync.WaitGroup {
	if m == nil {
		return nil
	}
	return &m.refreshes
}

// start begins computing e in a goroutine that Close waits for, with m.mu held. The
// computation does not end with the caller that started it: others may be waiting.
func (m *memo[K, V]) start(ctx context.Context, e *memoEntry[V], compute func(context.Context) (V, error)) *flight[V] {
	f, gen := m.begin(e)
	m.refreshes.Go(func() { m.finish(ctx, e, f, gen, compute) })
	return f
}

// begin marks e as being computed, with m.mu held.
func (m *memo[K, V]) begin(e *memoEntry[V]) (*flight[V], int) {
	f := &flight[V]{done: make(chan struct{})}
	e.refreshing, e.flight = true, f
	return f, m.gen
}

// finish computes e, keeps the answer unless a change came meanwhile, and hands it
// to whoever waits on f.
func (m *memo[K, V]) finish(ctx context.Context, e *memoEntry[V], f *flight[V], gen int, compute func(context.Context) (V, error)) {
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
	defer cancel()
	if m.life != nil {
		defer context.AfterFunc(m.life, cancel)()
	}
	f.val, f.err = compute(bg)
	m.mu.Lock()
	e.refreshing, e.flight = false, nil
	if f.err == nil && gen == m.gen {
		e.val, e.at, e.ok = f.val, m.now(), true
	}
	m.mu.Unlock()
	close(f.done)
}

// watchedFor is how long after its last read an answer is still kept fresh by
// keepFresh: longer than the dashboard's 5 s poll, so a lone dashboard's polls are
// answered from memory as a busy one's are, instead of each waiting on a query.
const watchedFor = 12 * time.Second

// keepFresh works out again, one at a time, each answer read within watchedFor that
// is memoTTL old. One at a time, so many watched answers never take more than one
// database connection; an answer whose computation fails is tried again next pass.
func (m *memo[K, V]) keepFresh(ctx context.Context) {
	if m == nil {
		return
	}
	due := func(e *memoEntry[V], now time.Time) bool {
		return e.ok && !e.refreshing && now.Sub(e.at) >= memoTTL && now.Sub(e.readAt) < watchedFor
	}
	m.mu.Lock()
	gen, now := m.gen, m.now()
	var stale []*memoEntry[V]
	for _, e := range m.entries {
		if due(e, now) {
			stale = append(stale, e)
		}
	}
	m.mu.Unlock()
	for _, e := range stale {
		if ctx.Err() != nil {
			return
		}
		m.mu.Lock()
		if gen != m.gen || !due(e, m.now()) {
			m.mu.Unlock() // forgotten since, or refreshed by a poll meanwhile
			continue
		}
		f, g := m.begin(e)
		compute := e.compute
		m.mu.Unlock()
		m.finish(ctx, e, f, g, compute)
	}
}

// page is one answer of ListTargets.
type page struct {
	items []target.Target
	total int
}

// memos are the store's reused answers: everything the dashboard's polls read that
// costs more than an indexed look-up of a few rows.
type memos struct {
	totals *memo[struct{}, target.Totals]
	pages  *memo[target.ListFilter, page]
	// groups are the keep-warm targets in budget groups: GET /stats counts those
	// over budget on every poll.
	groups *memo[struct{}, []target.Target]
}

func newMemos() memos {
	return memos{
		totals: newMemo[struct{}, target.Totals](1),
		pages:  newMemo[target.ListFilter, page](200),
		groups: newMemo[struct{}, []target.Target](1),
	}
}

// live ties the memos' computations to life (see memo.life). Called once, before
// the store is used.
func (m memos) live(life context.Context) {
	for _, l := range []*context.Context{&m.totals.life, &m.pages.life, &m.groups.life} {
		*l = life
	}
}

func (m memos) invalidate() {
	m.totals.invalidate()
	m.pages.invalidate()
	m.groups.invalidate()
}

// keepFresh refreshes the watched answers until ctx ends: a pass every quarter of
// memoTTL, so none of them passes maxStale while its dashboards poll less often than
// once a second. Store.Close stops it and waits.
func (m memos) keepFresh(ctx context.Context) {
	tick := time.NewTicker(memoTTL / 4)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		m.totals.keepFresh(ctx)
		m.pages.keepFresh(ctx)
		m.groups.keepFresh(ctx)
	}
}

// wait waits for the computations under way.
func (m memos) wait() {
	for _, wg := range []*sync.WaitGroup{m.totals.waitGroup(), m.pages.waitGroup(), m.groups.waitGroup()} {
		if wg != nil {
			wg.Wait()
		}
	}
}
