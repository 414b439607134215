package auth

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

type usageStore interface {
	TouchAPIKeys(ctx context.Context, used map[int64]time.Time) error
}

// KeyUsage remembers when each API key was last used and writes it in batches: a
// script polling every second would otherwise cost a database write per request.
type KeyUsage struct {
	store usageStore
	mu    sync.Mutex
	used  map[int64]time.Time
}

// NewKeyUsage returns an empty batch writing to store.
func NewKeyUsage(store usageStore) *KeyUsage {
	return &KeyUsage{store: store, used: map[int64]time.Time{}}
}

// Record notes that key id was used at t.
func (u *KeyUsage) Record(id int64, t time.Time) {
	u.mu.Lock()
	if t.After(u.used[id]) {
		u.used[id] = t
	}
	u.mu.Unlock()
}

// Flush writes the uses noted since the last flush. On failure they are kept for the
// next one.
func (u *KeyUsage) Flush(ctx context.Context) error {
	u.mu.Lock()
	batch := u.used
	u.used = map[int64]time.Time{}
	u.mu.Unlock()
	if err := u.store.TouchAPIKeys(ctx, batch); err != nil {
		for id, t := range batch {
			u.Record(id, t)
		}
		return err
	}
	return nil
}

// UsageFlushInterval is how stale a key's last_used_at may be.
const UsageFlushInterval = 10 * time.Second

// Run flushes every interval until ctx ends. The caller flushes once more after
// the last request, within its shutdown's time, so a clean shutdown loses nothing.
func (u *KeyUsage) Run(ctx context.Context, every time.Duration, log *slog.Logger) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			if err := u.Flush(ctx); err != nil {
				log.Warn("record api key use", "err", err)
			}
		case <-ctx.Done():
			return
		}
	}
}
