package store

import (
	"context"
	"fmt"
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// checkRow is a row of the checks table.
type checkRow struct {
	ID          int64
	TargetID    int64
	CheckedAt   time.Time
	ScheduledAt *time.Time
	LatencyMS   int `gorm:"column:latency_ms"`
	StatusCode  *int
	OK          bool `gorm:"column:ok"`
	Error       string
	Attempts    int
	ColdStart   bool
	WakeMS      *int `gorm:"column:wake_ms"`
}

func (checkRow) TableName() string { return "checks" }

func (r checkRow) toDomain() target.Check {
	return target.Check{
		ID: r.ID, TargetID: r.TargetID, CheckedAt: r.CheckedAt.UTC(), ScheduledAt: utc(r.ScheduledAt),
		LatencyMS: r.LatencyMS, StatusCode: r.StatusCode, OK: r.OK, Error: r.Error,
		Attempts: r.Attempts, ColdStart: r.ColdStart, WakeMS: r.WakeMS,
	}
}

func checkFromDomain(c target.Check) checkRow {
	return checkRow{
		TargetID: c.TargetID, CheckedAt: dbTime(c.CheckedAt), ScheduledAt: utc(c.ScheduledAt),
		LatencyMS: c.LatencyMS, StatusCode: c.StatusCode, OK: c.OK, Error: c.Error,
		Attempts: c.Attempts, ColdStart: c.ColdStart, WakeMS: c.WakeMS,
	}
}

// ListChecks returns a target's checks newest first, those started before `before`
// when it is set, at most limit of them.
func (s *Store) ListChecks(ctx context.Context, targetID int64, before *time.Time, limit int) ([]target.Check, error) {
	q := s.db.WithContext(ctx).Where("target_id = ?", targetID)
	if before != nil {
		q = q.Where("checked_at < ?", before.UTC())
	}
	var rows []checkRow
	if err := q.Order("checked_at DESC, id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list checks of target %d: %w", targetID, err)
	}
	out := make([]target.Check, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// Samples returns the outcome and latency of a target's checks since a moment, for
// its statistics.
func (s *Store) Samples(ctx context.Context, targetID int64, since time.Time) ([]target.Sample, error) {
	var rows []checkRow
	err := s.db.WithContext(ctx).Select("ok, latency_ms").
		Where("target_id = ? AND checked_at >= ?", targetID, since.UTC()).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("read checks of target %d: %w", targetID, err)
	}
	out := make([]target.Sample, len(rows))
	for i, r := range rows {
		out[i] = target.Sample{OK: r.OK, LatencyMS: r.LatencyMS}
	}
	return out, nil
}

// retentionBatch bounds one delete so retention never holds a long lock: on SQLite
// the single writer must stay free for the scheduler.
const retentionBatch = 5000

// DeleteChecksBefore removes checks older than cutoff, in batches, and says how many.
func (s *Store) DeleteChecksBefore(ctx context.Context, cutoff time.Time) (int64, error) {
	var total int64
	for {
		res := s.db.WithContext(ctx).Exec(
			"DELETE FROM checks WHERE id IN (SELECT id FROM checks WHERE checked_at < ? LIMIT ?)",
			cutoff.UTC(), retentionBatch)
		if res.Error != nil {
			return total, fmt.Errorf("delete old checks: %w", res.Error)
		}
		total += res.RowsAffected
		if res.RowsAffected < retentionBatch {
			return total, nil
		}
	}
}
