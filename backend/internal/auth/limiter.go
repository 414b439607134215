package auth

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter keeps one token bucket per key (an IP address or a username). Buckets that
// have refilled are forgotten, so memory stays bounded by the keys active recently.
type Limiter struct {
	mu      sync.Mutex
	every   time.Duration
	burst   int
	buckets map[string]*rate.Limiter
	now     func() time.Time
}

// NewLimiter allows burst events at once per key, then one per `every`.
func NewLimiter(every time.Duration, burst int) *Limiter {
	return &Limiter{every: every, burst: burst, buckets: map[string]*rate.Limiter{}, now: time.Now}
}

// maxBuckets is when forgetting full buckets kicks in.
const maxBuckets = 10000

// Allow takes one event from key's bucket. When the bucket is empty it returns false
// and how long until the next event is allowed.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			l.prune(now)
		}
		for k := range l.buckets {
			// Still full of fresh keys (a flood of new names or addresses): forget
			// arbitrary ones rather than grow without bound.
			if len(l.buckets) < maxBuckets {
				break
			}
			delete(l.buckets, k)
		}
		b = rate.NewLimiter(rate.Every(l.every), l.burst)
		l.buckets[key] = b
	}
	r := b.ReserveN(now, 1)
	if delay := r.DelayFrom(now); delay > 0 {
		r.CancelAt(now)
		return false, delay
	}
	return true, 0
}

// prune forgets buckets that are full again: they hold no memory of past attempts.
func (l *Limiter) prune(now time.Time) {
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.burst) {
			delete(l.buckets, k)
		}
	}
}
