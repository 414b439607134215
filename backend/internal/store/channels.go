package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/watchdog-monitor/watchdog/backend/internal/notify"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// channelRow is a row of the channels table.
type channelRow struct {
	ID        int64
	Name      string
	Type      string
	Config    string
	IsDefault bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (channelRow) TableName() string { return "channels" }

func (r channelRow) toDomain() notify.Channel {
	return notify.Channel{ID: r.ID, Name: r.Name, Type: r.Type, Config: []byte(r.Config),
		IsDefault: r.IsDefault, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// unknownChannel turns a foreign-key failure on target_channels into the validation
// error the API reports: a channel named by a target was deleted meanwhile.
func unknownChannel(err error) error {
	if errors.Is(err, gorm.ErrForeignKeyViolated) || strings.Contains(err.Error(), "FOREIGN KEY") {
		return &target.ValidationError{Fields: []target.FieldError{{Field: "channel_ids", Message: "names a channel that does not exist"}}}
	}
	return err
}

// CreateChannel stores a new, validated channel.
func (s *Store) CreateChannel(ctx context.Context, c notify.Channel) (notify.Channel, error) {
	now := dbTime(time.Now())
	row := channelRow{Name: c.Name, Type: c.Type, Config: string(c.Config), IsDefault: c.IsDefault, CreatedAt: now, UpdatedAt: now}
	if err := s.db.WithContext(ctx).Create(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return notify.Channel{}, fmt.Errorf("create channel %q: %w", c.Name, notify.ErrNameTaken)
		}
		return notify.Channel{}, fmt.Errorf("create channel %q: %w", c.Name, err)
	}
	return row.toDomain(), nil
}

// GetChannel reads one channel, secrets included.
func (s *Store) GetChannel(ctx context.Context, id int64) (notify.Channel, error) {
	var row channelRow
	if err := s.db.WithContext(ctx).First(&row, id).Error; err != nil {
		return notify.Channel{}, fmt.Errorf("get channel %d: %w", id, notFound(err, notify.ErrChannelNotFound))
	}
	return row.toDomain(), nil
}

// ListChannels reads every channel, by name.
func (s *Store) ListChannels(ctx context.Context) ([]notify.Channel, error) {
	var rows []channelRow
	if err := s.db.WithContext(ctx).Order("lower(name), id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list channels: %w", err)
	}
	out := make([]notify.Channel, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// UpdateChannel writes a changed, validated channel.
func (s *Store) UpdateChannel(ctx context.Context, c notify.Channel) (notify.Channel, error) {
	res := s.db.WithContext(ctx).Model(&channelRow{}).Where("id = ?", c.ID).Updates(map[string]any{
		"name": c.Name, "config": string(c.Config), "is_default": c.IsDefault, "updated_at": dbTime(time.Now()),
	})
	if res.Error != nil {
		if errors.Is(res.Error, gorm.ErrDuplicatedKey) {
			return notify.Channel{}, fmt.Errorf("update channel %d: %w", c.ID, notify.ErrNameTaken)
		}
		return notify.Channel{}, fmt.Errorf("update channel %d: %w", c.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return notify.Channel{}, fmt.Errorf("update channel %d: %w", c.ID, notify.ErrChannelNotFound)
	}
	s.memos.invalidate() // targets show their channel ids
	return s.GetChannel(ctx, c.ID)
}

// DeleteChannel removes a channel, its subscriptions and its queued deliveries.
func (s *Store) DeleteChannel(ctx context.Context, id int64) error {
	res := s.db.WithContext(ctx).Delete(&channelRow{}, id)
	s.memos.invalidate()
	if res.Error != nil {
		return fmt.Errorf("delete channel %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("delete channel %d: %w", id, notify.ErrChannelNotFound)
	}
	return nil
}

// MissingChannels returns the ids among ids that name no channel.
func (s *Store) MissingChannels(ctx context.Context, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var found []int64
	if err := s.db.WithContext(ctx).Model(&channelRow{}).Where("id IN ?", ids).Pluck("id", &found).Error; err != nil {
		return nil, fmt.Errorf("look up channels: %w", err)
	}
	have := make(map[int64]bool, len(found))
	for _, id := range found {
		have[id] = true
	}
	var missing []int64
	for _, id := range ids {
		if !have[id] {
			missing = append(missing, id)
		}
	}
	return missing, nil
}

// DefaultChannelIDs are the channels a new target subscribes to when it names none.
func (s *Store) DefaultChannelIDs(ctx context.Context) ([]int64, error) {
	var ids []int64
	if err := s.db.WithContext(ctx).Model(&channelRow{}).Where("is_default").Order("id").Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("read default channels: %w", err)
	}
	return ids, nil
}
