package store

import (
	"context"
	"fmt"
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// KeepWarmGroups reads the keep-warm targets that belong to a budget group (tags and
// channels left out), by group then id. GET /stats reads them on every poll, so the
// answer is reused like the counts (see memoTTL); callers must not change it.
func (s *Store) KeepWarmGroups(ctx context.Context) ([]target.Target, error) {
	return s.memos.groups.get(ctx, struct{}{}, s.keepWarmGroups)
}

func (s *Store) keepWarmGroups(ctx context.Context) ([]target.Target, error) {
	var rows []targetRow
	if err := s.reads.WithContext(ctx).Where("keep_warm AND budget_group <> ''").
		Order("budget_group, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read budget groups: %w", err)
	}
	out := make([]target.Target, len(rows))
	for i, r := range rows {
		t, err := r.toDomain(links{})
		if err != nil {
			return nil, err
		}
		out[i] = t
	}
	return out, nil
}

// AwakeHours estimates how long each target was awake in [from, now): from its
// successful checks where they are still kept (after the hourly rollup watermark:
// awake from each answer until the idle limit after it), and before that from the
// hourly rollups, counting an hour with a successful check as an hour awake.
func (s *Store) AwakeHours(ctx context.Context, idle map[int64]time.Duration, from, now time.Time) (map[int64]float64, error) {
	out := make(map[int64]float64, len(idle))
	if len(idle) == 0 || !from.Before(now) {
		return out, nil
	}
	ids := make([]int64, 0, len(idle))
	for id := range idle {
		ids = append(ids, id)
	}
	db := s.reads.WithContext(ctx)
	mark, _, err := s.marks(db)
	if err != nil {
		return nil, err
	}
	split := mark
	if split.After(now) {
		split = now
	}
	if split.Before(from) {
		split = from
	}
	if split.After(from) {
		var hours []struct {
			TargetID int64
			N        int64
		}
		if err := db.Model(&rollupRow{}).Table("rollups_hourly").Select("target_id, COUNT(*) AS n").
			Where("target_id IN ? AND bucket_start >= ? AND bucket_start < ? AND up > 0", ids, dbTime(from), dbTime(split)).
			Group("target_id").Scan(&hours).Error; err != nil {
			return nil, fmt.Errorf("read awake hours from rollups: %w", err)
		}
		for _, h := range hours {
			out[h.TargetID] += float64(h.N)
		}
	}
	var checks []struct {
		TargetID  int64
		CheckedAt time.Time
	}
	if err := db.Model(&checkRow{}).Select("target_id, checked_at").
		Where("target_id IN ? AND ok AND checked_at >= ? AND checked_at < ?", ids, dbTime(split), dbTime(now)).
		Order("checked_at").Scan(&checks).Error; err != nil {
		return nil, fmt.Errorf("read successful checks: %w", err)
	}
	times := make(map[int64][]time.Time, len(ids))
	for _, c := range checks {
		times[c.TargetID] = append(times[c.TargetID], c.CheckedAt.UTC())
	}
	for id, ts := range times {
		out[id] += target.UsedHours(ts, idle[id], split, now)
	}
	return out, nil
}
