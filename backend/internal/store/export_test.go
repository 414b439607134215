package store

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"
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

// CaptureSQL calls fn with every query the store runs from now on, its values in
// place, so a test can ask the database how it would run them.
func (s *Store) CaptureSQL(fn func(sql string)) {
	capture := func(db *gorm.DB) {
		fn(db.Dialector.Explain(db.Statement.SQL.String(), db.Statement.Vars...))
	}
	_ = s.db.Callback().Query().After("gorm:query").Register("test:capture", capture)
	_ = s.db.Callback().Row().After("gorm:row").Register("test:capture", capture)
	_ = s.db.Callback().Raw().After("gorm:raw").Register("test:capture", capture)
}

// Explain returns PostgreSQL's plan for a statement.
func (s *Store) Explain(ctx context.Context, stmt string) (string, error) {
	var lines []string
	err := s.db.WithContext(ctx).Raw("EXPLAIN " + stmt).Scan(&lines).Error
	return strings.Join(lines, "\n"), err
}

// LeaseEnd reads a target's next_check_at as stored, which during a claim is the end
// of the lease.
func (s *Store) LeaseEnd(ctx context.Context, id int64) (time.Time, error) {
	var row targetRow
	err := s.db.WithContext(ctx).First(&row, id).Error
	if err != nil || row.NextCheckAt == nil {
		return time.Time{}, err
	}
	return row.NextCheckAt.UTC(), nil
}

// Exec runs a statement, for a test that must put the database in a state the store
// never makes (a schema from before a migration).
func (s *Store) Exec(ctx context.Context, stmt string, args ...any) error {
	return s.db.WithContext(ctx).Exec(stmt, args...).Error
}
