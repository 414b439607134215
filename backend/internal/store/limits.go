package store

import (
	"context"
	"fmt"
	"time"
)

// Login limits are token buckets kept in the login_limits table, so that every
// replica takes its tokens from the same buckets: N replicas allow what one would.
//
// A bucket is one number, full_at: the moment it is full again (GCRA). At time now
// it holds burst − (full_at − now)/every tokens, and it is full when full_at ≤ now.
// Taking a token moves full_at to max(full_at, now) + every, and is allowed while
// that stays within burst × every of now, i.e. while full_at ≤ now + (burst−1) ×
// every. The check and the move are one INSERT … ON CONFLICT DO UPDATE … WHERE: the
// row lock (PostgreSQL) or the single writer (SQLite) makes attempts racing on one key
// take turns, so no two of them spend the same token, whichever replica they reach.
//
// Times come from the caller's clock. A replica whose clock runs ahead makes the
// others see its attempts as later than they were: the bucket looks emptier, never
// fuller, so clock skew can only make the limit stricter, by skew ÷ every tokens.

// TakeAttempt takes one token from the bucket named key, which allows burst attempts
// at once and then one per every. key is stored as given, so callers pass a hash.
// When the bucket is empty it takes nothing and says how long until a token is back.
func (s *Store) TakeAttempt(ctx context.Context, key string, now time.Time, every time.Duration, burst int) (bool, time.Duration, error) {
	at, step := now.UnixMicro(), every.Microseconds()
	// The latest full_at that still holds a token.
	last := at + int64(burst-1)*step
	// A denied attempt updates no row, and RETURNING then returns none.
	var taken []int64
	err := s.db.WithContext(ctx).Raw(`INSERT INTO login_limits (key_hash, full_at) VALUES (?, ?)
		ON CONFLICT (key_hash) DO UPDATE
		SET full_at = CASE WHEN login_limits.full_at > ? THEN login_limits.full_at ELSE ? END + ?
		WHERE login_limits.full_at <= ?
		RETURNING full_at`, key, at+step, at, at, step, last).Scan(&taken).Error
	if err != nil {
		return false, 0, fmt.Errorf("take login attempt: %w", err)
	}
	if len(taken) == 1 {
		return true, 0, nil
	}
	// Refused. How long to wait is advice for Retry-After, so reading it after the
	// decision is fine; a row gone meanwhile has refilled.
	var fullAt []int64
	if err := s.reads.WithContext(ctx).Raw("SELECT full_at FROM login_limits WHERE key_hash = ?", key).
		Scan(&fullAt).Error; err != nil {
		return false, 0, fmt.Errorf("take login attempt: %w", err)
	}
	var wait time.Duration
	if len(fullAt) == 1 {
		wait = time.Duration(max(fullAt[0]-last, 0)) * time.Microsecond
	}
	return false, wait, nil
}

// DeleteFullLimits deletes the buckets that are full again at now: they remember no
// attempt, and a missing bucket starts full. Buckets still counting are never deleted,
// however many there are, so a flood of new keys cannot make the table forget one.
func (s *Store) DeleteFullLimits(ctx context.Context, now time.Time) (int64, error) {
	var total int64
	for {
		res := s.db.WithContext(ctx).Exec(`DELETE FROM login_limits WHERE key_hash IN
			(SELECT key_hash FROM login_limits WHERE full_at <= ? LIMIT ?)`, now.UnixMicro(), retentionBatch)
		if res.Error != nil {
			return total, fmt.Errorf("delete full login limits: %w", res.Error)
		}
		total += res.RowsAffected
		if res.RowsAffected < retentionBatch {
			return total, nil
		}
	}
}
