package store

// The outbox's side of delivery. A dispatcher on any replica claims due rows with a
// lease (the dialect's claim: FOR UPDATE SKIP LOCKED on PostgreSQL, so replicas never
// claim one row together), sends them, and marks each sent or due again later. A replica that dies
// mid-send leaves its lease to run out; the row is then claimed again and sent with
// the same delivery key, so a receiver can tell a repeat. Rows of one channel about
// one target go out in the order they were queued: a recovery never overtakes the
// alert it follows.

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/notify"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// Delivery is a notification claimed for sending.
type Delivery struct {
	ID       int64
	Channel  notify.Channel
	Message  notify.Message
	Attempts int
	Token    string
}

// ClaimDeliveries leases up to limit due notifications to token for lease.
func (s *Store) ClaimDeliveries(ctx context.Context, token string, limit int, lease time.Duration) ([]Delivery, error) {
	// Due, not leased (or its lease ran out), and first in its channel and target's line.
	const due = `state = 'pending' AND next_attempt_at <= ?
		AND (lease_until IS NULL OR lease_until < ?)
		AND (target_id IS NULL OR NOT EXISTS (
			SELECT 1 FROM deliveries e WHERE e.state = 'pending' AND e.channel_id = d.channel_id
				AND e.target_id = d.target_id AND e.id < d.id))`
	dl := s.sql()
	now := dl.now()
	stmt, args := dl.claim(leaseClaim{table: "deliveries", alias: "d",
		due: due, dueArgs: []any{now.sql, now.sql}, order: "next_attempt_at, id", limit: limit,
		set:     "lease_token = ?, lease_until = ?, attempts = attempts + 1",
		setArgs: []any{token, dl.afterDuration(now, max(time.Second, lease))}})
	var rows []deliveryRow
	err := s.db.WithContext(ctx).Raw(stmt, args...).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	chIDs := make([]int64, 0, len(rows))
	for _, r := range rows {
		chIDs = append(chIDs, r.ChannelID)
	}
	var chRows []channelRow
	if err := s.db.WithContext(ctx).Where("id IN ?", chIDs).Find(&chRows).Error; err != nil {
		return nil, fmt.Errorf("read channels of deliveries: %w", err)
	}
	channels := make(map[int64]notify.Channel, len(chRows))
	for _, c := range chRows {
		channels[c.ID] = c.toDomain()
	}
	out := make([]Delivery, 0, len(rows))
	for _, r := range rows {
		var m notify.Message
		if err := json.Unmarshal([]byte(r.Payload), &m); err != nil {
			return nil, fmt.Errorf("delivery %d: read payload: %w", r.ID, err)
		}
		m.DeliveryID = r.Key
		out = append(out, Delivery{ID: r.ID, Channel: channels[r.ChannelID], Message: m, Attempts: r.Attempts, Token: token})
	}
	return out, nil
}

// DeliverySent marks a delivery done.
func (s *Store) DeliverySent(ctx context.Context, d Delivery) error {
	err := s.db.WithContext(ctx).Model(&deliveryRow{}).Where("id = ? AND lease_token = ?", d.ID, d.Token).
		Updates(map[string]any{"state": deliverySent, "sent_at": dbTime(time.Now()), "lease_token": nil,
			"lease_until": nil, "last_error": ""}).Error
	if err != nil {
		return fmt.Errorf("mark delivery %d sent: %w", d.ID, err)
	}
	return nil
}

// DeliveryFailed records a failed attempt: due again at retryAt, or given up when
// retryAt is zero.
func (s *Store) DeliveryFailed(ctx context.Context, d Delivery, reason string, retryAt time.Time) error {
	cols := map[string]any{"last_error": target.Printable(reason, 1000), "lease_token": nil, "lease_until": nil}
	if retryAt.IsZero() {
		cols["state"] = deliveryFailed
	} else {
		cols["next_attempt_at"] = dbTime(retryAt)
	}
	err := s.db.WithContext(ctx).Model(&deliveryRow{}).Where("id = ? AND lease_token = ?", d.ID, d.Token).Updates(cols).Error
	if err != nil {
		return fmt.Errorf("record failed delivery %d: %w", d.ID, err)
	}
	return nil
}

// ReleaseDeliveries hands back unsent claims (at shutdown) so they are due at once,
// without counting the attempt that never happened.
func (s *Store) ReleaseDeliveries(ctx context.Context, ds []Delivery) error {
	for _, d := range ds {
		err := s.db.WithContext(ctx).Model(&deliveryRow{}).Where("id = ? AND lease_token = ?", d.ID, d.Token).
			Updates(map[string]any{"lease_token": nil, "lease_until": nil, "attempts": d.Attempts - 1}).Error
		if err != nil {
			return fmt.Errorf("release delivery %d: %w", d.ID, err)
		}
	}
	return nil
}

// PendingDeliveries counts notifications waiting to be sent.
func (s *Store) PendingDeliveries(ctx context.Context) (int64, error) {
	var n int64
	if err := s.reads.WithContext(ctx).Model(&deliveryRow{}).Where("state = ?", deliveryPending).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count pending deliveries: %w", err)
	}
	return n, nil
}

// DeliveryRecord is an outbox row as tests and operators see it.
type DeliveryRecord struct {
	ID         int64
	ChannelID  int64
	IncidentID *int64
	Event      string
	State      string
	Attempts   int
	LastError  string
	Key        string
}

// Deliveries lists the outbox, oldest first.
func (s *Store) Deliveries(ctx context.Context) ([]DeliveryRecord, error) {
	var rows []deliveryRow
	if err := s.db.WithContext(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	out := make([]DeliveryRecord, len(rows))
	for i, r := range rows {
		out[i] = DeliveryRecord{ID: r.ID, ChannelID: r.ChannelID, IncidentID: r.IncidentID, Event: r.Event,
			State: r.State, Attempts: r.Attempts, LastError: r.LastError, Key: r.Key}
	}
	return out, nil
}

// DeleteDeliveriesBefore removes finished outbox rows older than before.
func (s *Store) DeleteDeliveriesBefore(ctx context.Context, before time.Time) (int64, error) {
	// The alerts of incidents still open stay: their recovery goes where they went.
	res := s.db.WithContext(ctx).Where("state <> ? AND created_at < ? AND (incident_id IS NULL OR incident_id NOT IN (?))",
		deliveryPending, dbTime(before), s.db.Model(&incidentRow{}).Select("id").Where("resolved_at IS NULL")).
		Delete(&deliveryRow{})
	if res.Error != nil {
		return 0, fmt.Errorf("delete old deliveries: %w", res.Error)
	}
	return res.RowsAffected, nil
}
