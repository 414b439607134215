package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/audit"
)

type auditRow struct {
	ID         int64
	At         time.Time
	ActorID    *int64
	Actor      string
	Action     string
	Kind       string
	ObjectID   *int64
	ObjectName string
	Changes    string
}

func (auditRow) TableName() string { return "audit_log" }

// AddAudit records one change.
func (s *Store) AddAudit(ctx context.Context, e audit.Entry) error {
	changes, err := json.Marshal(e.Changes)
	if err != nil {
		return fmt.Errorf("audit entry: %w", err)
	}
	if e.Changes == nil {
		changes = []byte("{}")
	}
	row := auditRow{At: dbTime(e.At), ActorID: e.ActorID, Actor: e.Actor, Action: e.Action, Kind: e.Kind,
		ObjectID: e.ObjectID, ObjectName: e.ObjectName, Changes: string(changes)}
	if err := s.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("write audit entry: %w", err)
	}
	return nil
}

// ListAudit returns a page of entries, newest first, and how many match.
func (s *Store) ListAudit(ctx context.Context, f audit.Filter) ([]audit.Entry, int, error) {
	q := s.reads.WithContext(ctx).Model(&auditRow{})
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count audit entries: %w", err)
	}
	var rows []auditRow
	if err := q.Order("at DESC, id DESC").Limit(f.Limit).Offset(f.Offset).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("list audit entries: %w", err)
	}
	out := make([]audit.Entry, len(rows))
	for i, r := range rows {
		changes := map[string]audit.Change{}
		if err := json.Unmarshal([]byte(r.Changes), &changes); err != nil {
			return nil, 0, fmt.Errorf("audit entry %d: %w", r.ID, err)
		}
		out[i] = audit.Entry{ID: r.ID, At: r.At.UTC(), ActorID: r.ActorID, Actor: r.Actor, Action: r.Action,
			Kind: r.Kind, ObjectID: r.ObjectID, ObjectName: r.ObjectName, Changes: changes}
	}
	return out, int(total), nil
}

// DeleteAuditBefore removes entries older than cutoff (AUDIT_RETENTION).
func (s *Store) DeleteAuditBefore(ctx context.Context, cutoff time.Time) (int64, error) {
	return s.deleteBatched(ctx, "audit_log", "at", cutoff)
}

// AddAudits records many changes at once, a few hundred to a statement (an apply of
// thousands of targets), in the caller's transaction when s is one.
func (s *Store) AddAudits(ctx context.Context, entries []audit.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	rows := make([]auditRow, len(entries))
	for i, e := range entries {
		changes := []byte("{}")
		if e.Changes != nil {
			var err error
			if changes, err = json.Marshal(e.Changes); err != nil {
				return fmt.Errorf("audit entry: %w", err)
			}
		}
		rows[i] = auditRow{At: dbTime(e.At), ActorID: e.ActorID, Actor: e.Actor, Action: e.Action, Kind: e.Kind,
			ObjectID: e.ObjectID, ObjectName: e.ObjectName, Changes: string(changes)}
	}
	if err := s.db.WithContext(ctx).CreateInBatches(&rows, 500).Error; err != nil {
		return fmt.Errorf("write %d audit entries: %w", len(rows), err)
	}
	return nil
}
