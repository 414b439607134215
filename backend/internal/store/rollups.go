package store

// Rollups. Each hour, once it is over, is summarised per target into rollups_hourly,
// and each day, once its hours are, into rollups_daily; settings remember how far
// each has got (the watermarks). A statistic over any window is then the rollups up
// to the watermark plus the checks since, which are at most a couple of hours of one
// target's checks: no request reads a target's whole history. The work is idempotent
// (a summary is inserted once per target and period, and a watermark only moves
// forward from the value it was read at), so replicas may run it side by side.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// How long rollups are kept. Hourly ones answer windows up to 90 days to the hour;
// daily ones answer a year.
const (
	HourlyRetention = 90 * 24 * time.Hour
	DailyRetention  = 400 * 24 * time.Hour
)

const (
	hourlyTable = "rollups_hourly"
	dailyTable  = "rollups_daily"
	hourlyMark  = "rollups.hourly_until"
	dailyMark   = "rollups.daily_until"
	day         = 24 * time.Hour
	// rollupGrace is how long after an hour ends it is summarised, so results
	// waiting in a recorder are written first. Checks still running hold their hour
	// back for as long as they run (see running).
	rollupGrace = 15 * time.Minute
	// rollupChunk is how many targets one summarising statement covers: small enough
	// that on SQLite the single writer is never held for long.
	rollupChunk = 500
	// maxPeriodsPerRun bounds one run's catching up after a long stop.
	maxPeriodsPerRun = 48
)

// rollupRow is a row of either rollup table.
type rollupRow struct {
	TargetID     int64
	BucketStart  time.Time
	Checks       int
	Up           int
	ColdStarts   int
	LatencySumMS int64 `gorm:"column:latency_sum_ms"`
	LatencyMinMS *int  `gorm:"column:latency_min_ms"`
	LatencyMaxMS *int  `gorm:"column:latency_max_ms"`
	Histogram    string
}

func (r rollupRow) toDomain() (target.Rollup, error) {
	out := target.Rollup{
		Checks: r.Checks, Up: r.Up, ColdStarts: r.ColdStarts,
		LatencySumMS: r.LatencySumMS, LatencyMinMS: r.LatencyMinMS, LatencyMaxMS: r.LatencyMaxMS,
	}
	if r.Histogram == "" {
		return out, nil
	}
	for i, f := range strings.Split(r.Histogram, ",") {
		n, err := strconv.Atoi(f)
		if err != nil || i >= target.Buckets {
			return out, fmt.Errorf("rollup of target %d at %s: bad histogram %q", r.TargetID, r.BucketStart, r.Histogram)
		}
		out.Histogram[i] = n
	}
	return out, nil
}

func rollupFromDomain(id int64, start time.Time, r target.Rollup) rollupRow {
	last := -1
	for i, n := range r.Histogram {
		if n != 0 {
			last = i
		}
	}
	fields := make([]string, last+1)
	for i := range fields {
		fields[i] = strconv.Itoa(r.Histogram[i])
	}
	return rollupRow{
		TargetID: id, BucketStart: dbTime(start), Checks: r.Checks, Up: r.Up, ColdStarts: r.ColdStarts,
		LatencySumMS: r.LatencySumMS, LatencyMinMS: r.LatencyMinMS, LatencyMaxMS: r.LatencyMaxMS,
		Histogram: strings.Join(fields, ","),
	}
}

// bucketSQL is target.Bucket as an SQL expression, so the database counts checks
// per latency bucket and sends a few groups per target instead of every check.
var bucketSQL = func() string {
	var b strings.Builder
	b.WriteString("CASE")
	for i, bound := range target.LatencyBounds {
		fmt.Fprintf(&b, " WHEN latency_ms <= %d THEN %d", bound, i)
	}
	fmt.Fprintf(&b, " ELSE %d END", target.Buckets-1)
	return b.String()
}()

type groupRow struct {
	TargetID  int64
	OK        bool  `gorm:"column:ok"`
	ColdStart bool  `gorm:"column:cold_start"`
	Bucket    int   `gorm:"column:bucket"`
	N         int   `gorm:"column:n"`
	SumMS     int64 `gorm:"column:sum_ms"`
	MinMS     int   `gorm:"column:min_ms"`
	MaxMS     int   `gorm:"column:max_ms"`
}

// addChecks folds the checks of the targets matching cond, started in [from, to),
// into out.
func addChecks(db *gorm.DB, out map[int64]*target.Rollup, from, to time.Time, cond string, args ...any) error {
	if !from.Before(to) {
		return nil
	}
	var groups []groupRow
	err := db.Model(&checkRow{}).
		Select("target_id, ok, cold_start, "+bucketSQL+" AS bucket, COUNT(*) AS n, "+
			"SUM(latency_ms) AS sum_ms, MIN(latency_ms) AS min_ms, MAX(latency_ms) AS max_ms").
		Where(cond, args...).Where("checked_at >= ? AND checked_at < ?", dbTime(from), dbTime(to)).
		Group("target_id, ok, cold_start, bucket").Scan(&groups).Error
	if err != nil {
		return fmt.Errorf("count checks: %w", err)
	}
	for _, g := range groups {
		rollupOf(out, g.TargetID).AddGroup(target.Group{
			OK: g.OK, ColdStart: g.ColdStart, Bucket: g.Bucket, Count: g.N, SumMS: g.SumMS, MinMS: g.MinMS, MaxMS: g.MaxMS,
		})
	}
	return nil
}

// addRollups folds the stored rollups of one table starting in [from, to) into out.
func addRollups(db *gorm.DB, table string, out map[int64]*target.Rollup, from, to time.Time, cond string, args ...any) error {
	if !from.Before(to) {
		return nil
	}
	var rows []rollupRow
	if err := db.Table(table).Where(cond, args...).
		Where("bucket_start >= ? AND bucket_start < ?", dbTime(from), dbTime(to)).Find(&rows).Error; err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	for _, row := range rows {
		r, err := row.toDomain()
		if err != nil {
			return err
		}
		rollupOf(out, row.TargetID).Merge(r)
	}
	return nil
}

func rollupOf(m map[int64]*target.Rollup, id int64) *target.Rollup {
	r, ok := m[id]
	if !ok {
		r = &target.Rollup{}
		m[id] = r
	}
	return r
}

// marks reads the watermarks; a zero time means nothing is summarised yet.
func (s *Store) marks(db *gorm.DB) (hourly, daily time.Time, err error) {
	var rows []settingRow
	if err := db.Where("key IN ?", []string{hourlyMark, dailyMark}).Find(&rows).Error; err != nil {
		return hourly, daily, fmt.Errorf("read rollup watermarks: %w", err)
	}
	for _, r := range rows {
		t, err := time.Parse(time.RFC3339, r.Value)
		if err != nil {
			return hourly, daily, fmt.Errorf("rollup watermark %s: %w", r.Key, err)
		}
		if r.Key == hourlyMark {
			hourly = t.UTC()
		} else {
			daily = t.UTC()
		}
	}
	return hourly, daily, nil
}

// Summaries returns, for each of ids with any check since start, its rollup from
// start to now: stored rollups up to the watermarks, checks after them. Windows
// reaching past the hourly rollups' retention start at the first whole day.
func (s *Store) Summaries(ctx context.Context, ids []int64, start, now time.Time) (map[int64]*target.Rollup, error) {
	out := map[int64]*target.Rollup{}
	if len(ids) == 0 {
		return out, nil
	}
	db := s.reads.WithContext(ctx)
	hourly, daily, err := s.marks(db)
	if err != nil {
		return nil, err
	}
	const cond = "target_id IN ?"
	if err := addChecks(db, out, later(start, hourly), now, cond, ids); err != nil {
		return nil, err
	}
	if !start.Before(hourly) {
		return out, nil
	}
	if !start.Before(now.Add(-HourlyRetention)) {
		// The part-hour at the start comes from the checks while they are kept; once
		// retention has taken them, from that hour's whole rollup.
		first := ceil(start, time.Hour)
		kept, err := s.oldestCheck(db)
		if err != nil {
			return nil, err
		}
		if kept == nil || kept.After(start) {
			first = start.UTC().Truncate(time.Hour)
		} else if err := addChecks(db, out, start, first, cond, ids); err != nil {
			return nil, err
		}
		return out, addRollups(db, hourlyTable, out, first, hourly, cond, ids)
	}
	first := ceil(start, day)
	if err := addRollups(db, dailyTable, out, first, daily, cond, ids); err != nil {
		return nil, err
	}
	return out, addRollups(db, hourlyTable, out, later(first, daily), hourly, cond, ids)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// ceil rounds t up to a multiple of d (in UTC).
func ceil(t time.Time, d time.Duration) time.Time {
	f := t.UTC().Truncate(d)
	if f.Before(t) {
		return f.Add(d)
	}
	return f
}

// RollUp summarises every hour that ended at least rollupGrace ago and every day
// whose hours are all summarised, a bounded number per call, and says how many
// hours and days it did.
func (s *Store) RollUp(ctx context.Context, now time.Time) (hours, days int, err error) {
	db := s.db.WithContext(ctx)
	hourly, daily, err := s.marks(db)
	if err != nil {
		return 0, 0, err
	}
	if hourly.IsZero() {
		if hourly, daily, err = s.startMarks(db, now); err != nil {
			return 0, 0, err
		}
	}
	for ; hours < maxPeriodsPerRun && !hourly.Add(time.Hour+rollupGrace).After(now); hours++ {
		if running, err := s.running(db, hourly.Add(time.Hour), now); err != nil || running {
			return hours, days, err // its checks are not all in yet
		}
		if err := s.rollUp(ctx, hourly, time.Hour); err != nil {
			return hours, days, err
		}
		if moved, err := s.advance(db, hourlyMark, hourly, hourly.Add(time.Hour)); err != nil || !moved {
			return hours, days, err // another replica got there first
		}
		hourly = hourly.Add(time.Hour)
	}
	for ; days < maxPeriodsPerRun && !daily.Add(day).After(hourly); days++ {
		if err := s.rollUp(ctx, daily, day); err != nil {
			return hours, days, err
		}
		if moved, err := s.advance(db, dailyMark, daily, daily.Add(day)); err != nil || !moved {
			return hours, days, err
		}
		daily = daily.Add(day)
	}
	return hours, days, nil
}

// oldestCheck is when the oldest check kept started, or nil when there is none.
func (s *Store) oldestCheck(db *gorm.DB) (*time.Time, error) {
	// A plain column, not MIN(): SQLite only types a column it can see as a time.
	var oldest []time.Time
	if err := db.Model(&checkRow{}).Order("checked_at").Limit(1).Pluck("checked_at", &oldest).Error; err != nil {
		return nil, fmt.Errorf("find the oldest check: %w", err)
	}
	if len(oldest) == 0 {
		return nil, nil
	}
	t := oldest[0].UTC()
	return &t, nil
}

// startMarks sets the watermarks the first time: at the hour (and day) of the oldest
// check, so an existing history is summarised too.
func (s *Store) startMarks(db *gorm.DB, now time.Time) (hourly, daily time.Time, err error) {
	oldest, err := s.oldestCheck(db)
	if err != nil {
		return hourly, daily, err
	}
	from := now
	if oldest != nil {
		from = *oldest
	}
	err = db.Clauses(clause.OnConflict{DoNothing: true}).Create(&[]settingRow{
		{Key: hourlyMark, Value: from.UTC().Truncate(time.Hour).Format(time.RFC3339)},
		{Key: dailyMark, Value: from.UTC().Truncate(day).Format(time.RFC3339)},
	}).Error
	if err != nil {
		return hourly, daily, fmt.Errorf("start rollup watermarks: %w", err)
	}
	return s.marks(db)
}

// running says whether a check of a slot before `before` may still be under way: a
// claim for such a slot whose lease has not run out. A check with a long timeout and
// retries can take up to its interval, far past the grace after its hour; its hour
// waits for it rather than lose it. (A lease that ran out is taken over or released,
// so this never waits forever.)
func (s *Store) running(db *gorm.DB, before, now time.Time) (bool, error) {
	var n int64
	err := db.Model(&targetRow{}).
		Where("lease_token IS NOT NULL AND slot_at < ? AND next_check_at > ?", dbTime(before), dbTime(now)).
		Limit(1).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("look for running checks: %w", err)
	}
	return n > 0, nil
}

// advance moves a watermark from one value to the next, unless it has moved since.
func (s *Store) advance(db *gorm.DB, key string, from, to time.Time) (bool, error) {
	res := db.Model(&settingRow{}).Where("key = ? AND value = ?", key, from.UTC().Format(time.RFC3339)).
		Update("value", to.UTC().Format(time.RFC3339))
	if res.Error != nil {
		return false, fmt.Errorf("advance %s: %w", key, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// rollUp summarises [start, start+period) for every target, a chunk of targets at a
// time: hours from the checks, days from the hours.
func (s *Store) rollUp(ctx context.Context, start time.Time, period time.Duration) error {
	// Read through the readers, so on SQLite the single writer is held only for the
	// inserts and the scheduler's batches go on meanwhile.
	db, reads := s.db.WithContext(ctx), s.reads.WithContext(ctx)
	table, end := hourlyTable, start.Add(period)
	if period == day {
		table = dailyTable
	}
	var after int64
	for {
		var ids []int64
		if err := reads.Model(&targetRow{}).Where("id > ?", after).Order("id").Limit(rollupChunk).Pluck("id", &ids).Error; err != nil {
			return fmt.Errorf("roll up %s: list targets: %w", start.Format(time.RFC3339), err)
		}
		if len(ids) == 0 {
			return nil
		}
		lo, hi := ids[0], ids[len(ids)-1]
		after = hi
		sums := map[int64]*target.Rollup{}
		const cond = "target_id BETWEEN ? AND ?"
		var err error
		if period == day {
			err = addRollups(reads, hourlyTable, sums, start, end, cond, lo, hi)
		} else {
			err = addChecks(reads, sums, start, end, cond, lo, hi)
		}
		if err != nil {
			return fmt.Errorf("roll up %s: %w", start.Format(time.RFC3339), err)
		}
		if len(sums) == 0 {
			continue
		}
		rows := make([]rollupRow, 0, len(sums))
		for id, r := range sums {
			rows = append(rows, rollupFromDomain(id, start, *r))
		}
		if err := writeRollups(db, table, rows); err != nil {
			return fmt.Errorf("roll up %s: %w", start.Format(time.RFC3339), err)
		}
	}
}

// writeRollups inserts summaries. DO NOTHING skips one written already, by this run
// before a crash or by another replica. A target deleted since its checks were read
// fails the foreign key: the rows are then written again without it.
func writeRollups(db *gorm.DB, table string, rows []rollupRow) error {
	write := func() error {
		return db.Table(table).Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&rows, createBatch).Error
	}
	err := write()
	if !errors.Is(err, gorm.ErrForeignKeyViolated) {
		return err
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.TargetID
	}
	var live []int64
	if err := db.Model(&targetRow{}).Where("id IN ?", ids).Pluck("id", &live).Error; err != nil {
		return fmt.Errorf("write %s: %w", table, err)
	}
	rows = slices.DeleteFunc(rows, func(r rollupRow) bool { return !slices.Contains(live, r.TargetID) })
	if len(rows) == 0 {
		return nil
	}
	if err := write(); err != nil {
		return fmt.Errorf("write %s: %w", table, err)
	}
	return nil
}

// RolledUpUntil is the hourly watermark: checks before it are summarised, so they
// may be deleted without changing any statistic. Zero when nothing is.
func (s *Store) RolledUpUntil(ctx context.Context) (time.Time, error) {
	hourly, _, err := s.marks(s.db.WithContext(ctx))
	return hourly, err
}

// DeleteRollupsBefore removes hourly and daily rollups past their retention, in
// batches, and says how many.
func (s *Store) DeleteRollupsBefore(ctx context.Context, now time.Time) (int64, error) {
	var total int64
	for table, keep := range map[string]time.Duration{hourlyTable: HourlyRetention, dailyTable: DailyRetention} {
		n, err := s.deleteBatched(ctx, table, "bucket_start", now.Add(-keep))
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
