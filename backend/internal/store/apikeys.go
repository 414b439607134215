package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/watchdog-monitor/watchdog/backend/internal/account"
)

type apiKeyRow struct {
	ID         int64
	UserID     int64
	Name       string
	Role       string
	Prefix     string
	KeyHash    string
	ExpiresAt  *time.Time
	LastUsedAt *time.Time
	CreatedAt  time.Time
	// Username is read by a join, never written.
	Username string `gorm:"->;-:migration"`
}

func (apiKeyRow) TableName() string { return "api_keys" }

func (r apiKeyRow) toDomain() account.APIKey {
	return account.APIKey{ID: r.ID, UserID: r.UserID, Username: r.Username, Name: r.Name, Role: account.Role(r.Role),
		Prefix: r.Prefix, Hash: r.KeyHash, ExpiresAt: utc(r.ExpiresAt), LastUsedAt: utc(r.LastUsedAt), CreatedAt: r.CreatedAt.UTC()}
}

// CreateAPIKey stores a key (its hash, never the key).
func (s *Store) CreateAPIKey(ctx context.Context, k account.APIKey) (account.APIKey, error) {
	var exp *time.Time
	if k.ExpiresAt != nil {
		t := dbTime(*k.ExpiresAt)
		exp = &t
	}
	row := apiKeyRow{UserID: k.UserID, Name: k.Name, Role: string(k.Role), Prefix: k.Prefix, KeyHash: k.Hash,
		ExpiresAt: exp, CreatedAt: dbTime(time.Now())}
	if err := s.db.WithContext(ctx).Omit("Username").Create(&row).Error; err != nil {
		return account.APIKey{}, fmt.Errorf("create api key: %w", err)
	}
	row.Username = k.Username
	return row.toDomain(), nil
}

func keysQuery(db *gorm.DB) *gorm.DB {
	return db.Table("api_keys").
		Select("api_keys.*, users.username AS username").Joins("JOIN users ON users.id = api_keys.user_id")
}

// ListAPIKeys returns the keys of user userID, or every key when userID is 0, newest
// first.
func (s *Store) ListAPIKeys(ctx context.Context, userID int64) ([]account.APIKey, error) {
	q := keysQuery(s.reads.WithContext(ctx))
	if userID != 0 {
		q = q.Where("api_keys.user_id = ?", userID)
	}
	var rows []apiKeyRow
	if err := q.Order("api_keys.id DESC").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	out := make([]account.APIKey, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// keyOwnerRow is a key with the columns of its owner a request needs (flat: GORM's
// Scan fills no embedded struct).
type keyOwnerRow struct {
	ID               int64
	UserID           int64
	Name             string
	Role             string
	Prefix           string
	KeyHash          string
	ExpiresAt        *time.Time
	LastUsedAt       *time.Time
	CreatedAt        time.Time
	Username         string
	UserRole         string
	UserTokenVersion int
	UserTOTPEnabled  bool `gorm:"column:user_totp_enabled"`
	UserCreatedAt    time.Time
}

// APIKeyByHash finds a key by its hash with the user it acts for, in one query (it
// runs on every request a script makes), or account.ErrKeyInvalid.
func (s *Store) APIKeyByHash(ctx context.Context, hash string) (account.APIKey, account.User, error) {
	var rows []keyOwnerRow
	err := s.reads.WithContext(ctx).Table("api_keys").
		Select("api_keys.*, users.username AS username, users.role AS user_role, users.token_version AS user_token_version, "+
			"users.totp_enabled AS user_totp_enabled, users.created_at AS user_created_at").
		Joins("JOIN users ON users.id = api_keys.user_id").
		Where("api_keys.key_hash = ?", hash).Limit(1).Scan(&rows).Error
	if err != nil {
		return account.APIKey{}, account.User{}, fmt.Errorf("read api key: %w", err)
	}
	if len(rows) == 0 {
		return account.APIKey{}, account.User{}, account.ErrKeyInvalid
	}
	r := rows[0]
	k := apiKeyRow{ID: r.ID, UserID: r.UserID, Name: r.Name, Role: r.Role, Prefix: r.Prefix, KeyHash: r.KeyHash,
		ExpiresAt: r.ExpiresAt, LastUsedAt: r.LastUsedAt, CreatedAt: r.CreatedAt, Username: r.Username}
	u := account.User{ID: r.UserID, Username: r.Username, Role: account.Role(r.UserRole), TokenVersion: r.UserTokenVersion,
		TOTPEnabled: r.UserTOTPEnabled, CreatedAt: r.UserCreatedAt.UTC()}
	return k.toDomain(), u, nil
}

// DeleteAPIKey removes key id; with userID not 0, only if it is that user's.
func (s *Store) DeleteAPIKey(ctx context.Context, id, userID int64) (account.APIKey, error) {
	var row apiKeyRow
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := keysQuery(tx).Where("api_keys.id = ?", id)
		if userID != 0 {
			q = q.Where("api_keys.user_id = ?", userID)
		}
		var rows []apiKeyRow
		if err := q.Scan(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return account.ErrKeyNotFound
		}
		row = rows[0]
		return tx.Delete(&apiKeyRow{}, row.ID).Error
	})
	if err != nil {
		return account.APIKey{}, fmt.Errorf("delete api key %d: %w", id, err)
	}
	return row.toDomain(), nil
}

// TouchAPIKeys writes when each key was last used. Callers batch uses in memory and
// call this every few seconds, so a busy script costs one write per interval, not
// one per request.
func (s *Store) TouchAPIKeys(ctx context.Context, used map[int64]time.Time) error {
	if len(used) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(used))
	for id := range used {
		ids = append(ids, id)
	}
	slices.Sort(ids) // one lock order for every replica
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, id := range ids {
			at := dbTime(used[id])
			if err := tx.Model(&apiKeyRow{}).Where("id = ? AND (last_used_at IS NULL OR last_used_at < ?)", id, at).
				UpdateColumn("last_used_at", at).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("touch api keys: %w", err)
	}
	return err
}
