package store

// Heartbeat pings. A ping is recorded through the same path as any check (record):
// streaks, thresholds, incidents, notifications and rollups follow unchanged. What a
// ping adds is the schedule: it moves the heartbeat's deadline (next_check_at) and
// clears any lease in the same transaction. A deadline is judged by the scheduler as
// a claimed slot, and its failed check is written only while that claim's lease is
// still held (Result.HeldOnly): so a ping and a deadline judged at the same moment
// never both count, whichever commits first.
//
// On PostgreSQL the ping locks the target's row FOR UPDATE before it records, and
// the deadline's write locks the row FOR UPDATE before checking its lease: the second
// waits for the first and then sees its outcome. SQLite has one writer, so each
// transaction sees the other's finished work. A ping that commits after a miss is
// timed after it (RecordPing), so it always counts.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// TargetByPingToken returns the heartbeat whose ping token is token, by the unique
// index (never by comparing tokens one by one). An unknown token is
// target.ErrNotFound. It reads from the primary: a token just regenerated must stop
// working at once.
func (s *Store) TargetByPingToken(ctx context.Context, token string) (target.Target, error) {
	if token == "" {
		return target.Target{}, target.ErrNotFound
	}
	var row targetRow
	err := s.db.WithContext(ctx).Where("ping_token = ?", token).Take(&row).Error
	if err != nil {
		return target.Target{}, fmt.Errorf("find ping token: %w", notFound(err, target.ErrNotFound))
	}
	return row.toDomain(links{})
}

// Ping is one ping of a heartbeat to record.
type Ping struct {
	// Check is the ping as a check (OK, or a failure from /fail or an exit code).
	Check target.Check
	// Deadline is the heartbeat's next deadline, counted from this ping.
	Deadline time.Time
}

// RecordPing records a ping of an active heartbeat as a check, notes it as the last
// ping, moves its deadline and clears its lease and its run start, in one transaction, and returns the check as
// stored. A target deleted, paused or no longer a heartbeat meanwhile is
// target.ErrNotFound.
func (s *Store) RecordPing(ctx context.Context, p Ping) (target.Check, error) {
	var rows []checkRow
	queued := 0
	var changed changes
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		changed = nil
		// Lock the row first (PostgreSQL; SQLite has one writer), then time the ping
		// after the last check counted. The handler took its time before the token's
		// look-up, so a missed deadline judged meanwhile can be later than the ping;
		// updateStates counts only a check newer than the last, and would store the
		// ping but leave the heartbeat down. A ping that commits after the miss is
		// news about the job since then, so it is placed just after it.
		chk := p.Check
		var last []targetRow
		q := s.sql().lock(tx.Select("id", "last_checked_at").Where("id = ?", chk.TargetID), "UPDATE")
		if err := q.Find(&last).Error; err != nil {
			return fmt.Errorf("lock target: %w", err)
		}
		if len(last) == 1 && last[0].LastCheckedAt != nil && !dbTime(chk.CheckedAt).After(*last[0].LastCheckedAt) {
			chk.CheckedAt = last[0].LastCheckedAt.Add(time.Microsecond)
		}
		res := tx.Model(&targetRow{}).
			Where("id = ? AND is_active AND type = ?", p.Check.TargetID, string(target.TypeHeartbeat)).
			UpdateColumns(map[string]any{"next_check_at": dbTime(p.Deadline), "slot_at": nil, "lease_token": nil, "run_started_at": nil,
				"last_ping_at": dbTime(chk.CheckedAt)})
		if res.Error != nil {
			return fmt.Errorf("move the deadline: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return target.ErrNotFound
		}
		var err error
		rows, queued, err = s.record(tx, []Result{{Check: chk}}, &changed)
		return err
	})
	// No s.memos.invalidate(), as Record has none: no reader waits to see a ping's
	// write, and clearing the dashboard's answers at every ping would make each poll
	// work them out afresh (pings come many a second from a busy fleet).
	if queued > 0 {
		s.queued()
	}
	if err != nil {
		return target.Check{}, fmt.Errorf("record ping of target %d: %w", p.Check.TargetID, err)
	}
	changed.log(ctx, s.log)
	if len(rows) == 0 {
		return target.Check{}, fmt.Errorf("record ping of target %d: %w", p.Check.TargetID, target.ErrNotFound)
	}
	return rows[0].toDomain(), nil
}

// StartRun notes that an active heartbeat's job started at `at` (a /start ping): the
// next ping's latency is the time since. It is a ping too (last_ping_at). It records no check and leaves the deadline
// where it is, as Healthchecks does: a job that starts and never finishes fails at
// the deadline its last ping set.
func (s *Store) StartRun(ctx context.Context, id int64, at time.Time) error {
	res := s.db.WithContext(ctx).Model(&targetRow{}).
		Where("id = ? AND is_active AND type = ?", id, string(target.TypeHeartbeat)).
		UpdateColumns(map[string]any{"run_started_at": dbTime(at), "last_ping_at": dbTime(at)})
	if res.Error != nil {
		return fmt.Errorf("start run of target %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("start run of target %d: %w", id, target.ErrNotFound)
	}
	return nil
}

// RegeneratePingToken gives a heartbeat a new ping token; the old one answers 404 from
// the commit on. A target of another type is target.ErrNotHeartbeat.
func (s *Store) RegeneratePingToken(ctx context.Context, id int64) (target.Target, error) {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row targetRow
		if err := tx.Select("id", "type").Take(&row, id).Error; err != nil {
			return notFound(err, target.ErrNotFound)
		}
		if row.Type != string(target.TypeHeartbeat) {
			return target.ErrNotHeartbeat
		}
		return tx.Model(&targetRow{}).Where("id = ?", id).
			UpdateColumns(map[string]any{"ping_token": target.NewPingToken(), "updated_at": dbTime(time.Now())}).Error
	})
	s.memos.invalidate()
	if err != nil {
		return target.Target{}, fmt.Errorf("regenerate ping token of target %d: %w", id, err)
	}
	t, err := s.GetTarget(ctx, id)
	if errors.Is(err, target.ErrNotFound) {
		return target.Target{}, fmt.Errorf("regenerate ping token of target %d: %w", id, err)
	}
	return t, err
}

// heldOnly drops the scheduled results that must not be written any more, and locks
// the rows of every scheduled result's target (in id order) until the transaction ends,
// so no ping or update can clear a lease in between. Results run on request pass.
//
// The rule: a result for a target that is a heartbeat now is written only while its
// claim's lease is still held. That covers both cases with one look-up:
//   - a heartbeat's missed deadline (Result.HeldOnly), void once a ping has cleared the
//     lease meanwhile;
//   - the check of an http (or other) target that became a heartbeat while the check
//     ran: UpdateTarget cleared the lease and the state, and the old URL's answer says
//     nothing about the job, so it must not bring the heartbeat down before its first
//     ping.
//
// Any other scheduled result is written even if its lease is gone (the schedule is then
// left alone, see updateStates): an interval edited mid-check must not lose the check.
func (s *Store) heldOnly(tx *gorm.DB, results []Result) ([]Result, error) {
	var ids []int64
	for _, r := range results {
		if r.Token != "" {
			ids = append(ids, r.Check.TargetID)
		}
	}
	if len(ids) == 0 {
		return results, nil
	}
	var rows []targetRow
	q := s.sql().lock(tx.Select("id", "type", "lease_token").Where("id IN ?", ids).Order("id"), "UPDATE")
	if err := q.Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("check the leases of %d targets: %w", len(ids), err)
	}
	now := make(map[int64]targetRow, len(rows))
	for _, row := range rows {
		now[row.ID] = row
	}
	out := results[:0:0]
	for _, r := range results {
		row, found := now[r.Check.TargetID]
		switch {
		case r.Token == "":
		case !found:
			// Deleted meanwhile: record drops it.
		case r.HeldOnly || row.Type == string(target.TypeHeartbeat):
			if row.LeaseToken == nil || *row.LeaseToken != r.Token {
				continue
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// ClaimTick takes one tick of a deployment-wide periodic job (named by key) for the
// caller: true for exactly one caller per tick, whichever replica asks first. A tick is
// a number that only grows (the minute, say); a replica asking for a tick already
// taken, or one older, gets false.
func (s *Store) ClaimTick(ctx context.Context, key string, tick int64) (bool, error) {
	// Zero-padded, so the text comparison in the WHERE orders ticks as numbers.
	value := fmt.Sprintf("%020d", tick)
	res := s.db.WithContext(ctx).Exec(`INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE settings.value < excluded.value`, key, value)
	if res.Error != nil {
		return false, fmt.Errorf("claim tick %d of %s: %w", tick, key, res.Error)
	}
	return res.RowsAffected > 0, nil
}
