package store

import (
	"context"
	"fmt"
	"slices"
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
	// What some types measure besides latency; NULL where the type does not.
	CertExpiresAt *time.Time
	Answer        *string
	PacketLoss    *float64
	Message       *string
}

func (checkRow) TableName() string { return "checks" }

func (r checkRow) toDomain() target.Check {
	return target.Check{
		ID: r.ID, TargetID: r.TargetID, CheckedAt: r.CheckedAt.UTC(), ScheduledAt: utc(r.ScheduledAt),
		LatencyMS: r.LatencyMS, StatusCode: r.StatusCode, OK: r.OK, Error: r.Error,
		Attempts: r.Attempts, ColdStart: r.ColdStart, WakeMS: r.WakeMS,
		CertExpiresAt: utc(r.CertExpiresAt), Answer: r.Answer, PacketLoss: r.PacketLoss, Message: r.Message,
	}
}

func checkFromDomain(c target.Check) checkRow {
	return checkRow{
		TargetID: c.TargetID, CheckedAt: dbTime(c.CheckedAt), ScheduledAt: utc(c.ScheduledAt),
		LatencyMS: c.LatencyMS, StatusCode: c.StatusCode, OK: c.OK, Error: c.Error,
		Attempts: c.Attempts, ColdStart: c.ColdStart, WakeMS: c.WakeMS,
		CertExpiresAt: utc(c.CertExpiresAt), Answer: c.Answer, PacketLoss: c.PacketLoss, Message: c.Message,
	}
}

// ListChecks returns a target's checks newest first, those started before `before`
// when it is set, at most limit of them.
func (s *Store) ListChecks(ctx context.Context, targetID int64, before *time.Time, limit int) ([]target.Check, error) {
	q := s.reads.WithContext(ctx).Where("target_id = ?", targetID)
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
	err := s.reads.WithContext(ctx).Select("ok, latency_ms, cold_start").
		Where("target_id = ? AND checked_at >= ?", targetID, since.UTC()).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("read checks of target %d: %w", targetID, err)
	}
	out := make([]target.Sample, len(rows))
	for i, r := range rows {
		out[i] = target.Sample{OK: r.OK, LatencyMS: r.LatencyMS, ColdStart: r.ColdStart}
	}
	return out, nil
}

// retentionBatch bounds one delete so retention never holds a long lock: on SQLite
// the single writer must stay free for the scheduler.
const retentionBatch = 5000

// DeleteChecksBefore removes checks older than cutoff, in batches, and says how many.
// Checks not yet summarised into the rollups are kept whatever their age, so
// retention never takes anything from the statistics.
func (s *Store) DeleteChecksBefore(ctx context.Context, cutoff time.Time) (int64, error) {
	rolled, err := s.RolledUpUntil(ctx)
	if err != nil {
		return 0, err
	}
	if rolled.Before(cutoff) {
		cutoff = rolled
	}
	return s.deleteBatched(ctx, "checks", "checked_at", cutoff)
}

// deleteBatched deletes a table's rows whose column is before cutoff, a batch at a
// time, by the rows' physical ids (every table has them, whatever its key).
func (s *Store) deleteBatched(ctx context.Context, table, column string, cutoff time.Time) (int64, error) {
	stmt := fmt.Sprintf("DELETE FROM %[1]s WHERE %[2]s IN (SELECT %[2]s FROM %[1]s WHERE %[3]s < ? LIMIT ?)", table, s.sql().rowID(), column)
	var total int64
	for {
		res := s.db.WithContext(ctx).Exec(stmt, dbTime(cutoff), retentionBatch)
		if res.Error != nil {
			return total, fmt.Errorf("delete old %s: %w", table, res.Error)
		}
		total += res.RowsAffected
		if res.RowsAffected < retentionBatch {
			return total, nil
		}
	}
}

// Heartbeats returns, for each of the targets that exist among ids, its last `limit`
// checks oldest first and its uptime since `since`, in the order of ids.
func (s *Store) Heartbeats(ctx context.Context, ids []int64, limit int, since time.Time) ([]target.Heartbeat, error) {
	var existing []int64
	if err := s.reads.WithContext(ctx).Model(&targetRow{}).Where("id IN ?", ids).Pluck("id", &existing).Error; err != nil {
		return nil, fmt.Errorf("heartbeats: %w", err)
	}
	sums, err := s.Summaries(ctx, existing, since, time.Now())
	if err != nil {
		return nil, fmt.Errorf("heartbeats: uptime: %w", err)
	}
	uptime := make(map[int64]*float64, len(sums))
	for id, r := range sums {
		uptime[id] = r.Stats(0).UptimeRatio
	}
	last, err := s.lastChecks(ctx, existing, limit)
	if err != nil {
		return nil, fmt.Errorf("heartbeats: %w", err)
	}
	live := make(map[int64]bool, len(existing))
	for _, id := range existing {
		live[id] = true
	}
	out := make([]target.Heartbeat, 0, len(existing))
	for _, id := range ids {
		if !live[id] {
			continue
		}
		live[id] = false // once, even if asked twice
		checks := last[id]
		if checks == nil {
			checks = []target.Check{}
		}
		slices.Reverse(checks)
		out = append(out, target.Heartbeat{TargetID: id, Checks: checks, Uptime24h: uptime[id]})
	}
	return out, nil
}

// lastChecks reads the last `limit` checks of each target, newest first, by one
// indexed look-up per target: a window function over all their checks would read
// every check they ever had. On PostgreSQL the look-ups go in one statement
// (LATERAL), so a page of fifty strips is one round trip, not fifty; SQLite runs in
// the process and has no LATERAL, so there they are fifty queries.
func (s *Store) lastChecks(ctx context.Context, ids []int64, limit int) (map[int64][]target.Check, error) {
	out := make(map[int64][]target.Check, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	if !s.sql().lateral() {
		for _, id := range ids {
			checks, err := s.ListChecks(ctx, id, nil, limit)
			if err != nil {
				return nil, err
			}
			out[id] = checks
		}
		return out, nil
	}
	var rows []checkRow
	err := s.reads.WithContext(ctx).Raw(`SELECT c.* FROM targets t CROSS JOIN LATERAL (
			SELECT * FROM checks WHERE target_id = t.id ORDER BY checked_at DESC, id DESC LIMIT ?) c
		WHERE t.id IN ? ORDER BY c.target_id, c.checked_at DESC, c.id DESC`, limit, ids).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("last checks of %d targets: %w", len(ids), err)
	}
	for _, r := range rows {
		out[r.TargetID] = append(out[r.TargetID], r.toDomain())
	}
	return out, nil
}

// Timing is when a scheduled check was due and when it started.
type Timing struct {
	TargetID    int64
	ScheduledAt time.Time
	CheckedAt   time.Time
	Attempts    int
}

// Timings returns the start and slot of every scheduled check whose slot fell in
// [from, to), for measuring how late the scheduler runs.
func (s *Store) Timings(ctx context.Context, from, to time.Time) ([]Timing, error) {
	var rows []Timing
	err := s.reads.WithContext(ctx).Model(&checkRow{}).Select("target_id, scheduled_at, checked_at, attempts").
		Where("scheduled_at >= ? AND scheduled_at < ?", from.UTC(), to.UTC()).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("read check timings: %w", err)
	}
	for i := range rows {
		rows[i].ScheduledAt, rows[i].CheckedAt = rows[i].ScheduledAt.UTC(), rows[i].CheckedAt.UTC()
	}
	return rows, nil
}

// WarmChecks reads, for a keep-warm target's figures, the wake times of its cold
// starts and the times of its successful checks since `since`, oldest first (only
// what retention still keeps).
func (s *Store) WarmChecks(ctx context.Context, targetID int64, since time.Time) (wakes []int, successes []time.Time, err error) {
	var rows []checkRow
	if err := s.reads.WithContext(ctx).Select("checked_at, ok, cold_start, wake_ms").
		Where("target_id = ? AND checked_at >= ? AND ok", targetID, since.UTC()).Order("checked_at").Find(&rows).Error; err != nil {
		return nil, nil, fmt.Errorf("read warm checks of target %d: %w", targetID, err)
	}
	for _, r := range rows {
		successes = append(successes, r.CheckedAt.UTC())
		if r.ColdStart && r.WakeMS != nil {
			wakes = append(wakes, *r.WakeMS)
		}
	}
	return wakes, successes, nil
}

// WarmGapBreaches counts a target's warm-gap incidents started since `since`.
func (s *Store) WarmGapBreaches(ctx context.Context, targetID int64, since time.Time) (int, error) {
	var n int64
	if err := s.reads.WithContext(ctx).Model(&incidentRow{}).Where("target_id = ? AND kind = ? AND started_at >= ?",
		targetID, target.IncidentWarmGap, dbTime(since)).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count warm-gap breaches of target %d: %w", targetID, err)
	}
	return int(n), nil
}
