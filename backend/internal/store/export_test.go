package store

import (
	"context"
	"time"
)

// ExpireLeases makes every running claim's lease end now, as if its holder had died
// long ago, without making the test wait out the lease.
func (s *Store) ExpireLeases(ctx context.Context) error {
	return s.db.WithContext(ctx).Exec("UPDATE targets SET next_check_at = ? WHERE lease_token IS NOT NULL",
		time.Now().UTC().Add(-time.Second)).Error
}

// SetNextCheck moves a target's next check, to put it in the past or the future.
func (s *Store) SetNextCheck(ctx context.Context, id int64, at time.Time) error {
	return s.db.WithContext(ctx).Exec("UPDATE targets SET next_check_at = ? WHERE id = ?", at.UTC(), id).Error
}
