package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Health is what this process has lately seen of its database: working, or failing
// since when and why. Whoever meets an error that says the database cannot work
// (Unavailable) reports it, and only a write that went through says it works again:
// reads and pings still answer on a full disk, so they prove nothing about writes.
// It logs once when the database starts failing and once when it recovers, however
// many callers and retries see the outage, and readiness reads it.
type Health struct {
	log *slog.Logger

	mu    sync.Mutex
	down  bool
	since time.Time
	cause string
	err   error
}

// OutageError is what Health.Err answers while the database is failing.
type OutageError struct {
	// Cause names the fault in a few words: "disk full", "unreachable", "read-only".
	Cause string
	Since time.Time
	Err   error
}

func (e *OutageError) Error() string {
	return fmt.Sprintf("database failing since %s: %s", e.Since.UTC().Format(time.RFC3339), e.Cause)
}

func (e *OutageError) Unwrap() error { return e.Err }

func newHealth(log *slog.Logger) *Health {
	if log == nil {
		log = slog.Default()
	}
	return &Health{log: log}
}

// Failed notes that an operation failed because of the database itself: err should be
// one Unavailable recognises, or a write of the scheduler's that failed for a reason
// other than its rows. The first failure after working logs the outage.
func (h *Health) Failed(err error) {
	if err == nil || errors.Is(err, context.Canceled) {
		return
	}
	cause, ok := Unavailable(err)
	if !ok {
		cause = "writes failing"
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.down {
		// Still down: say what is wrong now, and keep since when.
		h.cause, h.err = cause, err
		return
	}
	h.down, h.since, h.cause, h.err = true, time.Now(), cause, err
	h.log.Error("database failing: work is kept and retried until it recovers", "cause", cause, "err", err)
}

// Worked notes a write that went through: a failing database has recovered.
func (h *Health) Worked() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.down {
		return
	}
	h.down = false
	h.log.Info("database works again", "cause", h.cause, "after", time.Since(h.since).Round(time.Millisecond))
}

// Err is nil while the database works, else an *OutageError saying since when and why.
func (h *Health) Err() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.down {
		return nil
	}
	return &OutageError{Cause: h.cause, Since: h.since, Err: h.err}
}

// Health is the store's record of whether its database works.
func (s *Store) Health() *Health { return s.health }

// ProbeWrite writes one small row, to learn whether a failing database takes writes
// again when nothing else is waiting to be written.
func (s *Store) ProbeWrite(ctx context.Context) error {
	err := s.db.WithContext(ctx).Exec(`INSERT INTO settings (key, value) VALUES ('write_probe', ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, time.Now().UTC().Format(time.RFC3339Nano)).Error
	if err != nil {
		return fmt.Errorf("probe a write: %w", err)
	}
	return nil
}
