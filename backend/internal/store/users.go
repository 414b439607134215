package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/watchdog-monitor/watchdog/backend/internal/account"
)

type userRow struct {
	ID           int64
	Username     string
	PasswordHash string
	Role         string
	TokenVersion int
	TOTPSecret   string `gorm:"column:totp_secret"`
	TOTPEnabled  bool   `gorm:"column:totp_enabled"`
	TOTPLastStep int64  `gorm:"column:totp_last_step"`
	// OTPLockedUntil is set by OTPFailed and cleared by an accepted code.
	OTPLockedUntil *time.Time `gorm:"column:otp_locked_until"`
	CreatedAt      time.Time
}

func (userRow) TableName() string { return "users" }

func (r userRow) toDomain() account.User {
	return account.User{ID: r.ID, Username: r.Username, PasswordHash: r.PasswordHash,
		Role: account.Role(r.Role), TokenVersion: r.TokenVersion, TOTPSecret: r.TOTPSecret,
		TOTPEnabled: r.TOTPEnabled, OTPLockedUntil: utc(r.OTPLockedUntil), CreatedAt: r.CreatedAt.UTC()}
}

// CreateUser stores a new user whose password is already hashed.
func (s *Store) CreateUser(ctx context.Context, u account.User) (account.User, error) {
	row := userRow{Username: u.Username, PasswordHash: u.PasswordHash, Role: string(u.Role), CreatedAt: time.Now().UTC()}
	if err := s.db.WithContext(ctx).Create(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return account.User{}, fmt.Errorf("create user %q: %w", u.Username, account.ErrUsernameTaken)
		}
		return account.User{}, fmt.Errorf("create user %q: %w", u.Username, err)
	}
	return row.toDomain(), nil
}

// UserByName reads a user by username, in any case: usernames are unique ignoring
// case (the users_username_lower index, which this lookup uses).
func (s *Store) UserByName(ctx context.Context, username string) (account.User, error) {
	var row userRow
	if err := s.reads.WithContext(ctx).Where("lower(username) = lower(?)", username).First(&row).Error; err != nil {
		return account.User{}, fmt.Errorf("get user: %w", notFound(err, account.ErrNotFound))
	}
	return row.toDomain(), nil
}

// UserByID reads a user by id.
func (s *Store) UserByID(ctx context.Context, id int64) (account.User, error) {
	var row userRow
	if err := s.reads.WithContext(ctx).First(&row, id).Error; err != nil {
		return account.User{}, fmt.Errorf("get user %d: %w", id, notFound(err, account.ErrNotFound))
	}
	return row.toDomain(), nil
}

// CountUsers says how many users exist.
func (s *Store) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&userRow{}).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

type refreshRow struct {
	ID           int64
	UserID       int64
	TokenVersion int
	Family       string
	TokenHash    string
	ExpiresAt    time.Time
	UsedAt       *time.Time
	RevokedAt    *time.Time
	CreatedAt    time.Time
}

func (refreshRow) TableName() string { return "refresh_tokens" }

// AddRefreshToken stores the hash of a new refresh token of user u, under u's token
// version as read when the login checked the password.
func (s *Store) AddRefreshToken(ctx context.Context, u account.User, family, hash string, expires time.Time) error {
	row := refreshRow{UserID: u.ID, TokenVersion: u.TokenVersion, Family: family, TokenHash: hash, ExpiresAt: expires.UTC(), CreatedAt: time.Now().UTC()}
	if err := s.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store refresh token: %w", err)
	}
	return nil
}

// RotateRefreshToken spends the token with oldHash and stores newHash in its family,
// returning the user it belongs to as read in the same transaction. A token spent
// before is a sign it was stolen: its whole family is revoked and
// account.ErrRefreshReused returned. A token issued under an older token version (the
// password changed since) is refused, and so is its successor if the change commits
// while this runs: the new row carries the version read here.
func (s *Store) RotateRefreshToken(ctx context.Context, oldHash, newHash string, expires time.Time) (account.User, error) {
	var user userRow
	var reused bool
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row refreshRow
		q := s.sql().lock(tx.Where("token_hash = ?", oldHash), "UPDATE")
		if err := q.First(&row).Error; err != nil {
			return notFound(err, account.ErrRefreshInvalid)
		}
		now := time.Now().UTC()
		switch {
		case row.RevokedAt != nil:
			return account.ErrRefreshInvalid
		case row.UsedAt != nil:
			reused = true
			return tx.Model(&refreshRow{}).Where("family = ? AND revoked_at IS NULL", row.Family).
				Update("revoked_at", now).Error
		case !row.ExpiresAt.After(now):
			return account.ErrRefreshInvalid
		}
		if err := tx.First(&user, row.UserID).Error; err != nil {
			return notFound(err, account.ErrRefreshInvalid)
		}
		if user.TokenVersion != row.TokenVersion {
			return account.ErrRefreshInvalid
		}
		if err := tx.Model(&refreshRow{}).Where("id = ?", row.ID).Update("used_at", now).Error; err != nil {
			return err
		}
		return tx.Create(&refreshRow{UserID: row.UserID, TokenVersion: user.TokenVersion, Family: row.Family, TokenHash: newHash,
			ExpiresAt: expires.UTC(), CreatedAt: now}).Error
	})
	if reused && err == nil {
		err = account.ErrRefreshReused
	}
	if err != nil {
		return account.User{}, fmt.Errorf("rotate refresh token: %w", err)
	}
	return user.toDomain(), nil
}

// RevokeRefreshFamily ends the login a refresh token belongs to: it and every token
// rotated from the same login stop working. An unknown token revokes nothing.
func (s *Store) RevokeRefreshFamily(ctx context.Context, hash string) error {
	err := s.db.WithContext(ctx).Model(&refreshRow{}).
		Where("family IN (SELECT family FROM refresh_tokens WHERE token_hash = ?) AND revoked_at IS NULL", hash).
		UpdateColumn("revoked_at", time.Now().UTC()).Error
	if err != nil {
		return fmt.Errorf("revoke refresh tokens: %w", err)
	}
	return nil
}

// DeleteExpiredRefreshTokens removes tokens past their expiry.
func (s *Store) DeleteExpiredRefreshTokens(ctx context.Context) (int64, error) {
	res := s.db.WithContext(ctx).Where("expires_at < ?", time.Now().UTC()).Delete(&refreshRow{})
	if res.Error != nil {
		return 0, fmt.Errorf("delete expired refresh tokens: %w", res.Error)
	}
	return res.RowsAffected, nil
}

type settingRow struct {
	Key   string `gorm:"primaryKey"`
	Value string
}

func (settingRow) TableName() string { return "settings" }

// Setting returns the value stored under key, storing generate()'s value first if
// there is none. Replicas starting together agree: the first insert wins and every
// one of them reads it back.
func (s *Store) Setting(ctx context.Context, key string, generate func() (string, error)) (string, error) {
	var row settingRow
	err := s.db.WithContext(ctx).Where("key = ?", key).First(&row).Error
	if err == nil {
		return row.Value, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return "", fmt.Errorf("read setting %s: %w", key, err)
	}
	value, err := generate()
	if err != nil {
		return "", fmt.Errorf("generate setting %s: %w", key, err)
	}
	if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&settingRow{Key: key, Value: value}).Error; err != nil {
		return "", fmt.Errorf("store setting %s: %w", key, err)
	}
	if err := s.db.WithContext(ctx).Where("key = ?", key).First(&row).Error; err != nil {
		return "", fmt.Errorf("read setting %s: %w", key, err)
	}
	return row.Value, nil
}
