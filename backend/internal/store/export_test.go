package store

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
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

// CountedTotals reads the counts the triggers keep, bypassing the memo.
func (s *Store) CountedTotals(ctx context.Context) (target.Totals, error) {
	return s.countTotals(ctx)
}

// ScannedTotals counts every target row: what the kept counts must always equal.
func (s *Store) ScannedTotals(ctx context.Context) (target.Totals, error) {
	var t target.Totals
	err := s.db.WithContext(ctx).Raw(`SELECT
		COUNT(*) AS total,
		COALESCE(SUM(CASE WHEN is_active THEN 1 ELSE 0 END), 0) AS active,
		COALESCE(SUM(CASE WHEN NOT is_active THEN 1 ELSE 0 END), 0) AS paused,
		COALESCE(SUM(CASE WHEN is_active AND last_status = 'up' THEN 1 ELSE 0 END), 0) AS up,
		COALESCE(SUM(CASE WHEN is_active AND last_status = 'down' THEN 1 ELSE 0 END), 0) AS down,
		COALESCE(SUM(CASE WHEN is_active AND last_status = 'unknown' THEN 1 ELSE 0 END), 0) AS unknown
		FROM targets`).Scan(&t).Error
	return t, err
}

// FoldCounts folds the appended count rows now.
func (s *Store) FoldCounts(ctx context.Context) error { return s.foldCounts(ctx) }

// CountRows is how many rows the kept counts are spread over.
func (s *Store) CountRows(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Raw("SELECT COUNT(*) FROM target_counts").Scan(&n).Error
	return n, err
}

// ExecSQL runs a statement outside the store's methods, as another write path (an
// older replica, an operator at a SQL prompt) would.
func (s *Store) ExecSQL(ctx context.Context, stmt string, args ...any) error {
	return s.db.WithContext(ctx).Exec(stmt, args...).Error
}

// UndoCountsMigration removes what migration 0009 made, so Migrate applies it again
// to the targets already there.
func (s *Store) UndoCountsMigration(ctx context.Context) error {
	stmts := []string{
		"DROP TRIGGER target_counts_added", "DROP TRIGGER target_counts_removed", "DROP TRIGGER target_counts_moved",
		"DROP TABLE target_counts", "DELETE FROM schema_migrations WHERE version = 9",
	}
	if s.dialect == Postgres {
		stmts = []string{
			"DROP TABLE target_counts", "DROP FUNCTION target_counts_added, target_counts_removed, target_counts_moved CASCADE",
			"DELETE FROM schema_migrations WHERE version = 9",
		}
	}
	for _, stmt := range stmts {
		if err := s.db.WithContext(ctx).Exec(stmt).Error; err != nil {
			return err
		}
	}
	return nil
}
