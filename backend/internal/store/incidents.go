package store

// Incidents and the notifications they queue. A recorded check moves its target's
// streak counters (updateStates); transition then flips, in one compare-and-set
// UPDATE, the targets whose counters crossed a threshold. The row lock that UPDATE
// takes, and its WHERE re-checked against the newest row version, mean that when
// several replicas record checks of one target, exactly one of them sees the flip,
// opens or resolves the incident and queues its notifications — all in the
// transaction that recorded the check, so a crash never leaves one without the other.
//
// What is decided — which counters cross a threshold, when the checker is degraded,
// what a message says — is package alerting's; this file reads the counts those
// decisions need and writes their outcome.

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/watchdog-monitor/watchdog/backend/internal/alerting"
	"github.com/watchdog-monitor/watchdog/backend/internal/notify"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// AlertPolicy is the alerting policy the store applies (see package alerting).
type AlertPolicy = alerting.Policy

// DefaultAlertPolicy is the policy until SetAlerting is called.
func DefaultAlertPolicy() AlertPolicy { return alerting.DefaultPolicy() }

// SetAlerting sets the degraded-checker policy and the function called after
// notifications were queued (to wake the dispatcher). Call it before the scheduler
// starts.
func (s *Store) SetAlerting(p AlertPolicy, queued func()) {
	s.alerts = p
	if queued != nil {
		s.queued = queued
	}
}

// degradedKey is the setting present while the checker is degraded; its value is
// when that began.
const degradedKey = "alerts.degraded_since"

// Delivery states.
const (
	deliveryPending    = "pending"
	deliverySent       = "sent"
	deliveryFailed     = "failed"
	deliverySuppressed = "suppressed"
	// deliveryDropped is a held-back alert whose incident resolved: never sent.
	deliveryDropped = "dropped"
)

type incidentRow struct {
	ID         int64
	TargetID   int64
	Kind       string
	StartedAt  time.Time
	ResolvedAt *time.Time
	Cause      string
	FirstError string
	LastError  string
	CreatedAt  time.Time
}

func (incidentRow) TableName() string { return "incidents" }

func (r incidentRow) toDomain() target.Incident {
	return target.Incident{ID: r.ID, TargetID: r.TargetID, Kind: r.Kind, StartedAt: r.StartedAt.UTC(),
		ResolvedAt: utc(r.ResolvedAt), Cause: r.Cause, FirstError: r.FirstError, LastError: r.LastError}
}

func (r incidentRow) ref() *notify.IncidentRef {
	return &notify.IncidentRef{ID: r.ID, Kind: r.Kind, StartedAt: r.StartedAt.UTC(), ResolvedAt: utc(r.ResolvedAt),
		Cause: r.Cause, FirstError: r.FirstError, LastError: r.LastError}
}

type deliveryRow struct {
	ID            int64
	Key           string
	ChannelID     int64
	TargetID      *int64
	IncidentID    *int64
	Event         string
	Payload       string
	State         string
	Attempts      int
	NextAttemptAt time.Time
	LeaseToken    *string
	LeaseUntil    *time.Time
	LastError     string
	CreatedAt     time.Time
	SentAt        *time.Time
}

func (deliveryRow) TableName() string { return "deliveries" }

// flipped is a target whose confirmed status changed in this transaction.
type flipped struct {
	ID                  int64
	Name                string
	URL                 string `gorm:"column:url"`
	LastStatus          string
	ConsecutiveFailures int
	StreakStartedAt     *time.Time
	StreakFirstError    string
	LastError           string
	LastCheckedAt       *time.Time
}

// streak is a target's state and streak counters as updateStates leaves them.
type streak struct {
	ID                   int64
	LastStatus           string
	ConsecutiveFailures  int
	ConsecutiveSuccesses int
	FailureThreshold     int
	SuccessThreshold     int
}

// policy is the streak as the alerting policy weighs it.
func (s streak) policy() alerting.Streak {
	return alerting.Streak{Status: s.LastStatus, Failures: s.ConsecutiveFailures, Successes: s.ConsecutiveSuccesses,
		FailureThreshold: s.FailureThreshold, SuccessThreshold: s.SuccessThreshold}
}

// transition applies the thresholds to the targets just recorded and returns how many
// notifications it queued. Most batches cross none, and then cost no statement at all.
func (s *Store) transition(tx *gorm.DB, states []streak, changed *changes) (int, error) {
	var ids, failingDown []int64
	for _, st := range states {
		if st.policy().Crosses() {
			ids = append(ids, st.ID)
		}
		if st.LastStatus == string(target.StatusDown) && st.ConsecutiveFailures > 0 {
			failingDown = append(failingDown, st.ID)
		}
	}
	// An open incident quotes the newest failure.
	if len(failingDown) > 0 {
		if err := tx.Exec(`UPDATE incidents SET last_error =
				(SELECT last_error FROM targets WHERE targets.id = incidents.target_id)
			WHERE target_id IN ? AND kind = ? AND resolved_at IS NULL`, failingDown, target.IncidentDown).Error; err != nil {
			return 0, fmt.Errorf("update open incidents: %w", err)
		}
	}
	if len(ids) == 0 {
		return 0, nil
	}
	// The compare-and-set: only rows still on the old side of a threshold match.
	var flips []flipped
	err := tx.Raw(`UPDATE targets SET
			last_status = CASE WHEN consecutive_failures >= failure_threshold THEN 'down' ELSE 'up' END
		WHERE id IN ? AND (
			(last_status <> 'down' AND consecutive_failures >= failure_threshold)
			OR (last_status = 'down' AND consecutive_successes >= success_threshold)
			OR (last_status = 'unknown' AND consecutive_successes >= 1))
		RETURNING id, name, url, last_status, consecutive_failures, streak_started_at,
			streak_first_error, last_error, last_checked_at`, ids).Scan(&flips).Error
	if err != nil {
		return 0, fmt.Errorf("apply thresholds: %w", err)
	}
	if len(flips) == 0 {
		return 0, nil
	}
	// The memoised lists and totals are not invalidated here: they live a second,
	// and an outage flipping targets batch after batch would otherwise have every
	// dashboard poll recount the whole table.
	before := make(map[int64]string, len(states))
	for _, st := range states {
		before[st.ID] = st.LastStatus
	}
	var down, up []flipped
	for _, f := range flips {
		changed.state(f.ID, before[f.ID], f.LastStatus)
		if f.LastStatus == string(target.StatusDown) {
			down = append(down, f)
		} else {
			up = append(up, f)
		}
	}
	now := dbTime(time.Now())
	queued := 0
	if len(down) > 0 {
		n, err := s.openIncidents(tx, down, now, changed)
		if err != nil {
			return 0, err
		}
		queued += n
	}
	if len(up) > 0 {
		n, err := s.resolveIncidents(tx, up, now, changed)
		if err != nil {
			return 0, err
		}
		queued += n
	}
	return queued, nil
}

// openIncidents opens an incident for each target that went down and queues its
// alerts — held back (suppressed) while the checker is degraded.
func (s *Store) openIncidents(tx *gorm.DB, down []flipped, now time.Time, changed *changes) (int, error) {
	rows := make([]incidentRow, len(down))
	for i, f := range down {
		rows[i] = incidentRow{TargetID: f.ID, Kind: target.IncidentDown,
			StartedAt: dbTime(alerting.DownStarted(f.StreakStartedAt, now)),
			Cause:     alerting.DownCause(f.ConsecutiveFailures), FirstError: f.StreakFirstError,
			LastError: f.LastError, CreatedAt: now}
	}
	// The flip above holds these targets' row locks, so no other transaction can
	// open their incidents meanwhile; one already open (from before thresholds
	// existed) is kept, not doubled.
	var alreadyOpen []int64
	if err := tx.Model(&incidentRow{}).Where("target_id IN ? AND kind = ? AND resolved_at IS NULL",
		idsOf(down), target.IncidentDown).Pluck("target_id", &alreadyOpen).Error; err != nil {
		return 0, fmt.Errorf("read open incidents: %w", err)
	}
	rows = slices.DeleteFunc(rows, func(r incidentRow) bool { return slices.Contains(alreadyOpen, r.TargetID) })
	if len(rows) > 0 {
		if err := tx.Create(&rows).Error; err != nil {
			return 0, fmt.Errorf("open incidents: %w", err)
		}
	}
	for _, r := range rows {
		changed.incident(incidentOpened, r)
	}
	if err := tx.Exec(`UPDATE targets SET open_incident_id =
			(SELECT id FROM incidents WHERE incidents.target_id = targets.id AND kind = ? AND resolved_at IS NULL)
		WHERE id IN ?`, target.IncidentDown, idsOf(down)).Error; err != nil {
		return 0, fmt.Errorf("link open incidents: %w", err)
	}

	// A degraded state whose targets were paused meanwhile ends here, before these
	// new incidents are weighed.
	recovered, err := s.checkRecovered(tx, now)
	if err != nil {
		return 0, err
	}
	degraded, entered, err := s.checkDegraded(tx, now)
	if err != nil {
		return 0, err
	}
	state := deliveryPending
	if degraded {
		state = deliverySuppressed
	}
	var msgs []queuedMessage
	byTarget := make(map[int64]flipped, len(down))
	for _, f := range down {
		byTarget[f.ID] = f
	}
	for _, r := range rows {
		f := byTarget[r.TargetID]
		msgs = append(msgs, queuedMessage{targetID: f.ID, incidentID: r.ID, state: state,
			msg: s.alerts.TargetMessage(notify.EventDown, f.ref(), r.ref(), now)})
	}
	queued, err := s.enqueueForTargets(tx, msgs, now)
	if err != nil {
		return 0, err
	}
	queued += recovered
	if entered {
		n, err := s.enqueueChecker(tx, notify.EventDegraded, now)
		if err != nil {
			return 0, err
		}
		queued += n
	}
	return queued, nil
}

func idsOf(fs []flipped) []int64 {
	ids := make([]int64, len(fs))
	for i, f := range fs {
		ids[i] = f.ID
	}
	return ids
}

// resolveIncidents closes the open incident of each target that came back up and
// queues its recovery to every channel whose alert was not held back.
func (s *Store) resolveIncidents(tx *gorm.DB, up []flipped, now time.Time, changed *changes) (int, error) {
	ids := idsOf(up)
	var resolved []incidentRow
	err := tx.Raw(`UPDATE incidents SET resolved_at =
			(SELECT last_checked_at FROM targets WHERE targets.id = incidents.target_id)
		WHERE target_id IN ? AND kind = ? AND resolved_at IS NULL
		RETURNING *`, ids, target.IncidentDown).Scan(&resolved).Error
	if err != nil {
		return 0, fmt.Errorf("resolve incidents: %w", err)
	}
	if err := tx.Exec("UPDATE targets SET open_incident_id = NULL WHERE id IN ?", ids).Error; err != nil {
		return 0, fmt.Errorf("unlink incidents: %w", err)
	}
	for _, r := range resolved {
		changed.incident(incidentResolved, r)
	}
	queued := 0
	if len(resolved) > 0 {
		byTarget := make(map[int64]flipped, len(up))
		for _, f := range up {
			byTarget[f.ID] = f
		}
		for _, r := range resolved {
			// An alert held back while the checker was degraded is dropped with its
			// recovery. Dropping it is an UPDATE, so it cannot cross a replica that
			// ends the degraded state and sends the held alerts: the row lock orders
			// the two, and whichever comes second no longer finds it suppressed.
			if err := tx.Model(&deliveryRow{}).Where("incident_id = ? AND event = ? AND state = ?",
				r.ID, notify.EventDown, deliverySuppressed).Update("state", deliveryDropped).Error; err != nil {
				return 0, fmt.Errorf("drop held-back alerts: %w", err)
			}
			// Recovery goes where the alert went (or is still going).
			var channels []int64
			if err := tx.Model(&deliveryRow{}).Where("incident_id = ? AND event = ? AND state IN ?",
				r.ID, notify.EventDown, []string{deliveryPending, deliverySent, deliveryFailed}).
				Pluck("channel_id", &channels).Error; err != nil {
				return 0, fmt.Errorf("read alerted channels: %w", err)
			}
			f := byTarget[r.TargetID]
			n, err := s.enqueue(tx, channels, queuedMessage{targetID: f.ID, incidentID: r.ID, state: deliveryPending,
				msg: s.alerts.TargetMessage(notify.EventUp, f.ref(), r.ref(), now)}, now)
			if err != nil {
				return 0, err
			}
			queued += n
		}
	}
	n, err := s.checkRecovered(tx, now)
	if err != nil {
		return 0, err
	}
	return queued + n, nil
}

// openDown selects the open down incidents of active targets: a paused target is not
// checked, so its incident says nothing about the checker now.
func openDown(tx *gorm.DB) *gorm.DB {
	return tx.Model(&incidentRow{}).Where("kind = ? AND resolved_at IS NULL AND target_id IN (?)",
		target.IncidentDown, tx.Model(&targetRow{}).Select("id").Where("is_active"))
}

// countActive counts the active targets.
func countActive(tx *gorm.DB) (int64, error) {
	var n int64
	if err := tx.Model(&targetRow{}).Where("is_active").Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count active targets: %w", err)
	}
	return n, nil
}

// isDegraded reads whether the checker is degraded. On PostgreSQL the read locks the
// setting's row, so a transaction ending the state concurrently waits for this one
// (and then sends what this one held back), or this one waits for it (and then sees
// the state ended).
func (s *Store) isDegraded(tx *gorm.DB) (bool, error) {
	q := s.sql().lock(tx.Model(&settingRow{}).Where("key = ?", degradedKey), "SHARE")
	var keys []string
	if err := q.Pluck("key", &keys).Error; err != nil {
		return false, fmt.Errorf("read degraded state: %w", err)
	}
	return len(keys) > 0, nil
}

// checkDegraded decides, after targets went down, whether the checker is degraded:
// enough of the active targets opened incidents within the window and are still down.
// entered is true for the one transaction that moved it into that state (the
// setting's insert is the compare-and-set).
func (s *Store) checkDegraded(tx *gorm.DB, now time.Time) (degraded, entered bool, err error) {
	since := s.alerts.WindowStart(now)
	// Cheap first: the recent open incidents by their index alone. Only when they are
	// enough to matter are paused targets taken out and the active ones counted.
	var recent int64
	if err := tx.Model(&incidentRow{}).Where("kind = ? AND resolved_at IS NULL AND created_at >= ?",
		target.IncidentDown, since).Count(&recent).Error; err != nil {
		return false, false, fmt.Errorf("count recent incidents: %w", err)
	}
	over := s.alerts.MayDegrade(recent)
	if over {
		if err := openDown(tx).Where("created_at >= ?", since).Count(&recent).Error; err != nil {
			return false, false, fmt.Errorf("count recent incidents: %w", err)
		}
		active, err := countActive(tx)
		if err != nil {
			return false, false, err
		}
		over = s.alerts.Degraded(recent, active)
	}
	if over {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&settingRow{Key: degradedKey, Value: now.Format(time.RFC3339)})
		if res.Error != nil {
			return false, false, fmt.Errorf("mark the checker degraded: %w", res.Error)
		}
		if res.RowsAffected == 1 {
			// Alerts of this burst queued before the threshold was reached and not
			// sent yet are held back too.
			if err := tx.Model(&deliveryRow{}).Where("state = ? AND event = ? AND lease_token IS NULL AND incident_id IN (?)",
				deliveryPending, notify.EventDown, openDown(tx).Select("id").Where("created_at >= ?", since)).
				Update("state", deliverySuppressed).Error; err != nil {
				return false, false, fmt.Errorf("hold back alerts: %w", err)
			}
			return true, true, nil
		}
	}
	degraded, err = s.isDegraded(tx)
	return degraded, false, err
}

// checkRecovered ends the degraded state once fewer active targets than the threshold
// are down: the held-back alerts of active targets still down are sent then, since
// those are down for real (a paused one's stays held until it resumes and recovers).
func (s *Store) checkRecovered(tx *gorm.DB, now time.Time) (int, error) {
	degraded, err := s.isDegraded(tx)
	if err != nil || !degraded {
		return 0, err
	}
	var open int64
	if err := openDown(tx).Count(&open).Error; err != nil {
		return 0, fmt.Errorf("count open incidents: %w", err)
	}
	active, err := countActive(tx)
	if err != nil {
		return 0, err
	}
	if s.alerts.Degraded(open, active) {
		return 0, nil
	}
	res := tx.Where("key = ?", degradedKey).Delete(&settingRow{})
	if res.Error != nil {
		return 0, fmt.Errorf("end the degraded state: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return 0, nil // another transaction ended it
	}
	revived := tx.Model(&deliveryRow{}).Where("state = ? AND event = ? AND incident_id IN (?)",
		deliverySuppressed, notify.EventDown, openDown(tx).Select("id")).
		Updates(map[string]any{"state": deliveryPending, "next_attempt_at": now})
	if revived.Error != nil {
		return 0, fmt.Errorf("send held-back alerts: %w", revived.Error)
	}
	queued, err := s.enqueueChecker(tx, notify.EventRecovered, now)
	if err != nil {
		return 0, err
	}
	return queued + int(revived.RowsAffected), nil
}

// queuedMessage is a message about one target on its way to the outbox.
type queuedMessage struct {
	targetID   int64
	incidentID int64
	state      string
	msg        notify.Message
}

// enqueueForTargets queues each message to its target's channels.
func (s *Store) enqueueForTargets(tx *gorm.DB, msgs []queuedMessage, now time.Time) (int, error) {
	if len(msgs) == 0 {
		return 0, nil
	}
	ids := make([]int64, len(msgs))
	for i, m := range msgs {
		ids[i] = m.targetID
	}
	var subs []targetChannelRow
	if err := tx.Where("target_id IN ?", ids).Order("channel_id").Find(&subs).Error; err != nil {
		return 0, fmt.Errorf("read subscriptions: %w", err)
	}
	channels := make(map[int64][]int64, len(msgs))
	for _, sub := range subs {
		channels[sub.TargetID] = append(channels[sub.TargetID], sub.ChannelID)
	}
	queued := 0
	for _, m := range msgs {
		n, err := s.enqueue(tx, channels[m.targetID], m, now)
		if err != nil {
			return 0, err
		}
		queued += n
	}
	return queued, nil
}

// enqueueChecker queues a checker-wide event to every channel.
func (s *Store) enqueueChecker(tx *gorm.DB, event string, now time.Time) (int, error) {
	var channels []int64
	if err := tx.Model(&channelRow{}).Order("id").Pluck("id", &channels).Error; err != nil {
		return 0, fmt.Errorf("read channels: %w", err)
	}
	var recent int64
	if err := openDown(tx).Count(&recent).Error; err != nil {
		return 0, fmt.Errorf("count open incidents: %w", err)
	}
	active, err := countActive(tx)
	if err != nil {
		return 0, err
	}
	return s.enqueue(tx, channels, queuedMessage{state: deliveryPending,
		msg: s.alerts.CheckerMessage(event, recent, active, now)}, now)
}

// enqueue writes one outbox row per channel. The unique index on (incident, event,
// channel) makes a second queueing of the same notification a no-op.
func (s *Store) enqueue(tx *gorm.DB, channels []int64, m queuedMessage, now time.Time) (int, error) {
	if len(channels) == 0 {
		return 0, nil
	}
	payload, err := json.Marshal(m.msg)
	if err != nil {
		return 0, fmt.Errorf("encode message: %w", err)
	}
	rows := make([]deliveryRow, len(channels))
	for i, ch := range channels {
		rows[i] = deliveryRow{Key: uuid.NewString(), ChannelID: ch, Event: m.msg.Event, Payload: string(payload),
			State: m.state, NextAttemptAt: now, CreatedAt: now}
		if m.targetID != 0 {
			rows[i].TargetID = &m.targetID
		}
		if m.incidentID != 0 {
			rows[i].IncidentID = &m.incidentID
		}
	}
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows)
	if res.Error != nil {
		return 0, fmt.Errorf("queue %s notifications: %w", m.msg.Event, res.Error)
	}
	return int(res.RowsAffected), nil
}

// ref is the target as a message names it.
func (f flipped) ref() notify.TargetRef {
	return notify.TargetRef{ID: f.ID, Name: f.Name, URL: f.URL}
}

// ListIncidents returns one page of incidents, newest first, and how many match.
func (s *Store) ListIncidents(ctx context.Context, f target.IncidentFilter) ([]target.Incident, int, error) {
	q := s.reads.WithContext(ctx).Model(&incidentRow{})
	if f.TargetID != 0 {
		q = q.Where("target_id = ?", f.TargetID)
	}
	switch {
	case f.TargetIDs == nil:
	case len(f.TargetIDs) == 0:
		q = q.Where("1 = 0")
	default:
		q = q.Where("target_id IN ?", f.TargetIDs)
	}
	if !f.Since.IsZero() {
		q = q.Where("resolved_at IS NULL OR started_at >= ?", dbTime(f.Since))
	}
	if f.Kinds != nil {
		q = q.Where("kind IN ?", append(f.Kinds, ""))
	}
	if f.Open {
		q = q.Where("resolved_at IS NULL")
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count incidents: %w", err)
	}
	var rows []incidentRow
	if err := q.Order("started_at DESC, id DESC").Limit(f.Limit).Offset(f.Offset).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("list incidents: %w", err)
	}
	out := make([]target.Incident, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, int(total), nil
}

// warmGaps opens a warm_gap incident (and counts the breach, and queues its alerts)
// for each keep-warm target whose check found it in a breach, and resolves the open one
// of each that answered. The rows were locked by updateStates, so the look-up and
// the insert cannot race another replica's.
func (s *Store) warmGaps(tx *gorm.DB, results []Result, changed *changes) (int, error) {
	var breached, warm []int64
	for _, r := range results {
		switch r.WarmGap {
		case target.WarmGapBreach:
			breached = append(breached, r.Check.TargetID)
		case target.WarmGapClosed:
			warm = append(warm, r.Check.TargetID)
		}
	}
	if len(warm) > 0 {
		var resolved []incidentRow
		if err := tx.Raw(`UPDATE incidents SET resolved_at = (SELECT last_checked_at FROM targets WHERE targets.id = incidents.target_id)
			WHERE target_id IN ? AND kind = ? AND resolved_at IS NULL
			RETURNING id, target_id, kind`, warm, target.IncidentWarmGap).Scan(&resolved).Error; err != nil {
			return 0, fmt.Errorf("resolve warm-gap incidents: %w", err)
		}
		for _, r := range resolved {
			changed.incident(incidentResolved, r)
		}
	}
	if len(breached) == 0 {
		return 0, nil
	}
	var open []int64
	if err := tx.Model(&incidentRow{}).Where("target_id IN ? AND kind = ? AND resolved_at IS NULL",
		breached, target.IncidentWarmGap).Pluck("target_id", &open).Error; err != nil {
		return 0, fmt.Errorf("read warm-gap incidents: %w", err)
	}
	var flips []flipped
	if err := tx.Model(&targetRow{}).Where("id IN ? AND id NOT IN ?", breached, append(open, 0)).
		Select("id, name, url, last_error, last_success_at AS streak_started_at, idle_timeout_seconds AS consecutive_failures").
		Scan(&flips).Error; err != nil {
		return 0, fmt.Errorf("read breached targets: %w", err)
	}
	if len(flips) == 0 {
		return 0, nil
	}
	now := dbTime(time.Now())
	rows := make([]incidentRow, len(flips))
	for i, f := range flips {
		idle := time.Duration(f.ConsecutiveFailures) * time.Second
		rows[i] = incidentRow{TargetID: f.ID, Kind: target.IncidentWarmGap,
			StartedAt: dbTime(alerting.WarmGapStarted(f.StreakStartedAt, idle, now)),
			Cause:     alerting.WarmGapCause(idle), FirstError: f.LastError, LastError: f.LastError, CreatedAt: now}
	}
	if err := tx.Create(&rows).Error; err != nil {
		return 0, fmt.Errorf("open warm-gap incidents: %w", err)
	}
	for _, r := range rows {
		changed.incident(incidentOpened, r)
	}
	if err := tx.Exec("UPDATE targets SET warm_gap_breaches = warm_gap_breaches + 1 WHERE id IN ?", idsOf(flips)).Error; err != nil {
		return 0, fmt.Errorf("count warm-gap breaches: %w", err)
	}
	msgs := make([]queuedMessage, len(rows))
	for i, r := range rows {
		msgs[i] = queuedMessage{targetID: r.TargetID, incidentID: r.ID, state: deliveryPending,
			msg: s.alerts.TargetMessage(notify.EventWarmGap, flips[i].ref(), r.ref(), now)}
	}
	return s.enqueueForTargets(tx, msgs, now)
}

// certExpiry opens a cert_expiry incident for each target whose check saw a
// certificate within the target's cert_expiry_days of its end, unless one is open, and
// resolves the open one of a target whose check saw a certificate further off (renewed,
// or the warning turned off). A check that saw no certificate changes nothing.
func (s *Store) certExpiry(tx *gorm.DB, results []Result, changed *changes) (int, error) {
	seen := map[int64]time.Time{}
	checked := map[int64]time.Time{}
	for _, r := range results {
		if r.Check.CertExpiresAt != nil {
			seen[r.Check.TargetID] = *r.Check.CertExpiresAt
			checked[r.Check.TargetID] = r.Check.CheckedAt
		}
	}
	if len(seen) == 0 {
		return 0, nil
	}
	ids := make([]int64, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	var rows []struct {
		ID             int64
		Name           string
		URL            string
		CertExpiryDays int
		LastCheckedAt  *time.Time
		OpenID         *int64
	}
	if err := tx.Raw(`SELECT t.id, t.name, t.url, t.cert_expiry_days, t.last_checked_at,
			(SELECT i.id FROM incidents i WHERE i.target_id = t.id AND i.kind = ? AND i.resolved_at IS NULL) AS open_id
		FROM targets t WHERE t.id IN ?`, target.IncidentCertExpiry, ids).Scan(&rows).Error; err != nil {
		return 0, fmt.Errorf("read certificate warnings: %w", err)
	}
	now := dbTime(time.Now())
	var msgs []queuedMessage
	for _, t := range rows {
		if t.LastCheckedAt != nil && t.LastCheckedAt.After(checked[t.ID]) {
			// A check now that started before the newest one recorded saw an older
			// certificate than the target's: the newer check has judged it.
			continue
		}
		expires := seen[t.ID]
		ref := notify.TargetRef{ID: t.ID, Name: t.Name, URL: t.URL}
		expiring := target.CertExpiring(expires, t.CertExpiryDays, now)
		switch {
		case expiring && t.OpenID == nil:
			cause := alerting.CertExpiryCause(expires, now)
			inc := incidentRow{TargetID: t.ID, Kind: target.IncidentCertExpiry, StartedAt: now, Cause: cause,
				FirstError: cause, LastError: cause, CreatedAt: now}
			// A check run on request at the same time may have opened it first.
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&inc).Error; err != nil {
				return 0, fmt.Errorf("open cert_expiry incident: %w", err)
			}
			if inc.ID == 0 {
				continue
			}
			changed.incident(incidentOpened, inc)
			msgs = append(msgs, queuedMessage{targetID: t.ID, incidentID: inc.ID, state: deliveryPending,
				msg: s.alerts.TargetMessage(notify.EventCertExpiry, ref, inc.ref(), now)})
		case !expiring && t.OpenID != nil:
			var resolved []incidentRow
			if err := tx.Raw(`UPDATE incidents SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL
				RETURNING id, target_id, kind, started_at, resolved_at, cause, first_error, last_error`,
				now, *t.OpenID).Scan(&resolved).Error; err != nil {
				return 0, fmt.Errorf("resolve cert_expiry incident: %w", err)
			}
			for _, inc := range resolved {
				changed.incident(incidentResolved, inc)
				msgs = append(msgs, queuedMessage{targetID: t.ID, incidentID: inc.ID, state: deliveryPending,
					msg: s.alerts.TargetMessage(notify.EventUp, ref, inc.ref(), now)})
			}
		}
	}
	if len(msgs) == 0 {
		return 0, nil
	}
	return s.enqueueForTargets(tx, msgs, now)
}
