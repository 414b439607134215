package store

// The scheduler's queries. A target is due when next_check_at has passed. Claiming it
// records the slot being checked in slot_at, moves next_check_at to the end of a
// lease (the check's time budget plus a margin) and stamps the claim's token. When the
// check is recorded, the holder of that token moves next_check_at to the next slot. If
// the holder dies instead, the lease simply runs out, the target is due again, and any
// replica claims it, for the same slot. On PostgreSQL, FOR UPDATE SKIP LOCKED lets
// replicas claim side by side without waiting on or double-claiming each other's rows,
// and now() is the one clock they all share; SQLite has one writer, so a transaction
// is enough there.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// Claim is a target leased to one worker for one check.
type Claim struct {
	Target target.Target
	// Slot is the scheduled time this check is for.
	Slot  time.Time
	Token string
	// DBNow is the database's clock at the claim. The scheduler reckons the next slot
	// from it, so every replica agrees on time whatever its own clock says.
	DBNow time.Time
}

type claimRow struct {
	Row   targetRow `gorm:"embedded"`
	DBNow time.Time `gorm:"column:db_now"`
}

// ClaimDue leases up to limit due targets to the claim token and returns them, the
// longest overdue first.
func (s *Store) ClaimDue(ctx context.Context, token string, limit int) ([]Claim, error) {
	if limit <= 0 {
		return nil, nil
	}
	d := s.sql()
	now := d.now()
	stmt, args := d.claim(leaseClaim{table: "targets",
		due: "is_active AND next_check_at <= ?", dueArgs: []any{now.sql}, order: "next_check_at", limit: limit,
		set: `slot_at = CASE WHEN lease_token IS NULL THEN next_check_at ELSE slot_at END,
				next_check_at = ?, lease_token = ?`,
		setArgs: []any{d.after(now, "lease_seconds"), token},
		clockAs: "db_now"})
	var rows []claimRow
	err := s.db.WithContext(ctx).Raw(stmt, args...).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("claim due targets: %w", err)
	}
	claims := make([]Claim, 0, len(rows))
	for _, r := range rows {
		t, err := r.Row.toDomain(links{})
		if err != nil {
			return nil, err
		}
		// The database's clock where it keeps one (returned as db_now), else the time
		// the store bound as now.
		dbNow := r.DBNow
		if !now.at.IsZero() {
			dbNow = now.at
		}
		claims = append(claims, Claim{Target: t, Slot: r.Row.SlotAt.UTC(), Token: token, DBNow: dbNow.UTC()})
	}
	return claims, nil
}

// RescheduleOverdue spreads targets that missed a whole interval (the checker was
// down, or could not keep up) over the next `spread`, capped at their interval, so
// they get one check each at a random moment instead of all in one burst.
func (s *Store) RescheduleOverdue(ctx context.Context, spread time.Duration) (int64, error) {
	moved, err := s.spreadDue(ctx, spread, s.ago("interval_seconds"))
	if err != nil {
		return 0, fmt.Errorf("reschedule overdue targets: %w", err)
	}
	return moved, nil
}

// SpreadBacklog spreads every due target over the next `spread`, capped at its
// interval, when more than `backlog` are due: at start-up after a stop, or after a
// large import, the checks then come at the steady pace instead of in one burst.
func (s *Store) SpreadBacklog(ctx context.Context, backlog int, spread time.Duration) (int64, error) {
	var due int64
	if err := s.db.WithContext(ctx).Model(&targetRow{}).
		Where("is_active AND lease_token IS NULL AND next_check_at <= " + s.ago("0")).Count(&due).Error; err != nil {
		return 0, fmt.Errorf("count due targets: %w", err)
	}
	if due <= int64(backlog) {
		return 0, nil
	}
	moved, err := s.spreadDue(ctx, spread, s.ago("0"))
	if err != nil {
		return 0, fmt.Errorf("spread %d due targets: %w", due, err)
	}
	return moved, nil
}

// Backlog counts the active targets with a slot before `before` not yet recorded:
// while a check runs its slot is in slot_at, otherwise in next_check_at. Before now,
// it is how far behind the checkers are.
func (s *Store) Backlog(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.reads.WithContext(ctx).Model(&targetRow{}).
		Where("is_active AND (CASE WHEN lease_token IS NULL THEN next_check_at ELSE slot_at END) < ?", dbTime(before)).
		Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count the backlog: %w", err)
	}
	return n, nil
}

// spreadDue moves the unleased active targets due before `before` (an SQL time
// expression) to a random moment in the next min(interval, spread), in one statement.
func (s *Store) spreadDue(ctx context.Context, spread time.Duration, before string) (int64, error) {
	d := s.sql()
	res := s.db.WithContext(ctx).Exec("UPDATE targets SET next_check_at = "+d.randomSoon(d.least("interval_seconds", "?"))+
		" WHERE is_active AND lease_token IS NULL AND next_check_at < "+before, max(1, int(spread.Seconds())))
	return res.RowsAffected, res.Error
}

// ago is the database's "now minus the given seconds" (a column or a number).
func (s *Store) ago(seconds string) string { return s.sql().ago(seconds) }

// ReleaseTokens hands back whatever claims carry the given tokens. The scheduler calls
// it for claims whose answer it never got (the connection broke mid-query): if the
// claim did commit, its targets would otherwise wait out the whole lease.
func (s *Store) ReleaseTokens(ctx context.Context, tokens []string) (int64, error) {
	if len(tokens) == 0 {
		return 0, nil
	}
	res := s.db.WithContext(ctx).Model(&targetRow{}).Where("lease_token IN ?", tokens).
		UpdateColumns(map[string]any{"next_check_at": gorm.Expr("slot_at"), "slot_at": nil, "lease_token": nil})
	if res.Error != nil {
		return 0, fmt.Errorf("release claims: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// Result is a finished check to be written.
type Result struct {
	Check target.Check
	// Token is the claim's lease token, or "" for a check run on request.
	Token string
	// NextCheckAt is the next slot, for a scheduled check.
	NextCheckAt time.Time
	// MedianLatencyMS is the target's updated running median latency.
	MedianLatencyMS *int
	// WarmGap is a keep-warm target's warm-gap verdict (target.WarmGap…).
	WarmGap int
	// HeldOnly writes the result only while the claim's lease (Token) is still held,
	// and drops it otherwise: a heartbeat's missed deadline, which a ping that came
	// meanwhile (clearing the lease) has made void. See pings.go.
	HeldOnly bool
}

// Record writes finished checks and each target's new state in one transaction, and
// releases the leases of the scheduled ones. It is safe to call again with the same
// results after an error: a slot is recorded at most once, and a target's state only
// moves forward in time. Results for targets deleted meanwhile are dropped.
func (s *Store) Record(ctx context.Context, results []Result) error {
	if len(results) == 0 {
		return nil
	}
	queued := 0
	var changed changes
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		changed = nil // a retried transaction starts over
		var err error
		_, queued, err = s.record(tx, results, &changed)
		return err
	})
	if err != nil {
		return fmt.Errorf("record %d checks: %w", len(results), err)
	}
	changed.log(ctx, s.log)
	if queued > 0 {
		s.queued()
	}
	return nil
}

// RecordOne writes one check run on request and returns it as stored, with its id.
// A target deleted meanwhile is target.ErrNotFound.
func (s *Store) RecordOne(ctx context.Context, r Result) (target.Check, error) {
	var rows []checkRow
	queued := 0
	var changed changes
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		changed = nil
		var err error
		rows, queued, err = s.record(tx, []Result{r}, &changed)
		return err
	})
	s.memos.invalidate() // whoever asked for the check sees its result next
	if queued > 0 {
		s.queued()
	}
	if err != nil {
		return target.Check{}, fmt.Errorf("record check: %w", err)
	}
	changed.log(ctx, s.log)
	if len(rows) == 0 {
		return target.Check{}, fmt.Errorf("record check: %w", target.ErrNotFound)
	}
	return rows[0].toDomain(), nil
}

// record does Record's work inside tx and returns the check rows it inserted and how
// many notifications it queued; the confirmed changes it made are added to changed.
func (s *Store) record(tx *gorm.DB, results []Result, changed *changes) ([]checkRow, int, error) {
	results, err := s.heldOnly(tx, results)
	if err != nil {
		return nil, 0, err
	}
	if len(results) == 0 {
		return nil, 0, nil
	}
	ids := make([]int64, len(results))
	for i, r := range results {
		ids[i] = r.Check.TargetID
	}
	// Lock the targets' keys so none is deleted between this look-up and the
	// insert (which would fail the foreign key and with it the whole batch).
	var existing []int64
	q := s.sql().lock(tx.Model(&targetRow{}).Where("id IN ?", ids), "KEY SHARE")
	if err := q.Pluck("id", &existing).Error; err != nil {
		return nil, 0, fmt.Errorf("look up targets: %w", err)
	}
	live := make(map[int64]bool, len(existing))
	for _, id := range existing {
		live[id] = true
	}
	rows := make([]checkRow, 0, len(results))
	for _, r := range results {
		if live[r.Check.TargetID] {
			rows = append(rows, checkFromDomain(r.Check))
		}
	}
	if len(rows) == 0 {
		return nil, 0, nil
	}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("insert checks: %w", err)
	}
	var updates []Result
	for _, r := range results {
		if live[r.Check.TargetID] {
			updates = append(updates, r)
		}
	}
	queued := 0
	// One UPDATE per distinct round of targets: a target twice in one statement
	// would be updated from either row at random.
	for len(updates) > 0 {
		var round, rest []Result
		seen := make(map[int64]bool, len(updates))
		for _, r := range updates {
			if seen[r.Check.TargetID] {
				rest = append(rest, r)
				continue
			}
			seen[r.Check.TargetID] = true
			round = append(round, r)
		}
		states, err := s.updateStates(tx, round)
		if err != nil {
			return nil, 0, err
		}
		n, err := s.transition(tx, states, changed)
		if err != nil {
			return nil, 0, err
		}
		queued += n
		if n, err = s.warmGaps(tx, round, changed); err != nil {
			return nil, 0, err
		}
		queued += n
		if n, err = s.certExpiry(tx, round, changed); err != nil {
			return nil, 0, err
		}
		queued += n
		updates = rest
	}
	return rows, queued, nil
}

// stateColumns are what a result sets on its target, in the order updateStates
// binds them.
var stateColumns = []struct{ name, pgType string }{
	{"id", "bigint"},
	{"token", "text"},
	{"next_at", "timestamptz"},
	{"status", "text"},
	{"checked_at", "timestamptz"},
	{"latency_ms", "integer"},
	{"status_code", "integer"},
	{"error", "text"},
	{"median_ms", "integer"},
	{"cert_expires_at", "timestamptz"},
}

// updateStates writes the new state of distinct targets in one statement. Only the
// lease holder moves the schedule: a holder whose lease ran out and was taken over
// leaves it to the new one. A check that started before the one already shown does
// not replace it.
func (s *Store) updateStates(tx *gorm.DB, results []Result) ([]streak, error) {
	var sql strings.Builder
	sql.WriteString("WITH v (")
	for i, c := range stateColumns {
		if i > 0 {
			sql.WriteString(", ")
		}
		sql.WriteString(c.name)
	}
	sql.WriteString(") AS (VALUES ")
	args := make([]any, 0, len(results)*len(stateColumns))
	d := s.sql()
	for i, r := range results {
		if i > 0 {
			sql.WriteString(", ")
		}
		sql.WriteByte('(')
		for j, c := range stateColumns {
			if j > 0 {
				sql.WriteString(", ")
			}
			sql.WriteString(d.param(c.pgType))
		}
		sql.WriteByte(')')
		c := r.Check
		var token, next any
		if r.Token != "" {
			token, next = r.Token, r.NextCheckAt.UTC()
		}
		var certExpires any
		if c.CertExpiresAt != nil {
			certExpires = dbTime(*c.CertExpiresAt)
		}
		args = append(args, c.TargetID, token, next, string(c.Status()), dbTime(c.CheckedAt),
			c.LatencyMS, c.StatusCode, c.Error, r.MedianLatencyMS, certExpires)
	}
	sql.WriteString(`)
		UPDATE targets SET
			next_check_at = CASE WHEN targets.lease_token = v.token THEN v.next_at ELSE targets.next_check_at END,
			slot_at = CASE WHEN targets.lease_token = v.token THEN NULL ELSE targets.slot_at END,
			lease_token = CASE WHEN targets.lease_token = v.token THEN NULL ELSE targets.lease_token END,`)
	fresh := "(targets.last_checked_at IS NULL OR targets.last_checked_at <= v.checked_at)"
	for _, col := range [][2]string{
		{"last_checked_at", "checked_at"}, {"last_latency_ms", "latency_ms"},
		{"last_status_code", "status_code"}, {"last_error", "error"}, {"median_latency_ms", "median_ms"},
	} {
		fmt.Fprintf(&sql, "\n\t\t\t%s = CASE WHEN %s THEN v.%s ELSE targets.%s END,", col[0], fresh, col[1], col[0])
	}
	// A check that saw no certificate (a failed connection) leaves the last date seen.
	fmt.Fprintf(&sql, "\n\t\t\tcert_expires_at = CASE WHEN %s AND v.cert_expires_at IS NOT NULL THEN v.cert_expires_at ELSE targets.cert_expires_at END,", fresh)
	fmt.Fprintf(&sql, "\n\t\t\tlast_success_at = CASE WHEN v.status = 'up' AND (targets.last_success_at IS NULL OR targets.last_success_at < v.checked_at) THEN v.checked_at ELSE targets.last_success_at END,")
	// The streak counters; last_status follows them in transition (see incidents.go).
	// They count only a check newer than the last one counted: a batch written again
	// after a lost commit must not count its checks twice. A failure that starts a run
	// notes when and why, for the incident it may open.
	newer := "(targets.last_checked_at IS NULL OR targets.last_checked_at < v.checked_at)"
	startsRun := newer + " AND v.status = 'down' AND targets.consecutive_failures = 0"
	fmt.Fprintf(&sql, `
			consecutive_failures = CASE WHEN %[1]s THEN (CASE WHEN v.status = 'down' THEN targets.consecutive_failures + 1 ELSE 0 END) ELSE targets.consecutive_failures END,
			consecutive_successes = CASE WHEN %[1]s THEN (CASE WHEN v.status = 'up' THEN targets.consecutive_successes + 1 ELSE 0 END) ELSE targets.consecutive_successes END,
			streak_started_at = CASE WHEN %[2]s THEN v.checked_at ELSE targets.streak_started_at END,
			streak_first_error = CASE WHEN %[2]s THEN v.error ELSE targets.streak_first_error END,`, newer, startsRun)
	stmt := strings.TrimSuffix(sql.String(), ",") + `
		FROM v WHERE targets.id = v.id
		RETURNING targets.id, targets.last_status, targets.consecutive_failures, targets.consecutive_successes,
			targets.failure_threshold, targets.success_threshold`
	var states []streak
	if err := tx.Raw(stmt, args...).Scan(&states).Error; err != nil {
		return nil, fmt.Errorf("update state of %d targets: %w", len(results), err)
	}
	return states, nil
}

// Release hands claimed targets back unchecked (at shutdown): each is due again for
// the slot it was claimed for, so another replica, or this one after a restart,
// checks it at once.
func (s *Store) Release(ctx context.Context, claims []Claim) error {
	if len(claims) == 0 {
		return nil
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, c := range claims {
			if err := tx.Model(&targetRow{}).Where("id = ? AND lease_token = ?", c.Target.ID, c.Token).
				UpdateColumns(map[string]any{"next_check_at": c.Slot, "slot_at": nil, "lease_token": nil}).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("release %d claims: %w", len(claims), err)
	}
	return nil
}
