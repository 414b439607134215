package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/watchdog-monitor/watchdog/backend/internal/account"
)

// ListUsers returns every user by username.
func (s *Store) ListUsers(ctx context.Context) ([]account.User, error) {
	var rows []userRow
	if err := s.reads.WithContext(ctx).Order("username").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	out := make([]account.User, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// UserChange is an admin's edit of a user; nil fields stay as they are.
type UserChange struct {
	Role *account.Role
	// PasswordHash, when set, replaces the password, ends every session and deletes
	// the user's API keys.
	PasswordHash *string
	// DisableTOTP turns two-factor login off (a lost phone).
	DisableTOTP bool
}

// UpdateUser applies ch to user id. Demoting the last admin is account.ErrLastAdmin.
func (s *Store) UpdateUser(ctx context.Context, id int64, ch UserChange) (account.User, error) {
	var out userRow
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if ch.Role != nil && *ch.Role != account.RoleAdmin {
			if err := s.keepAnAdmin(tx, id); err != nil {
				return err
			}
		}
		if err := tx.First(&out, id).Error; err != nil {
			return notFound(err, account.ErrNotFound)
		}
		cols := map[string]any{}
		if ch.Role != nil {
			cols["role"] = string(*ch.Role)
		}
		if ch.PasswordHash != nil {
			cols["password_hash"] = *ch.PasswordHash
			cols["token_version"] = gorm.Expr("token_version + 1")
		}
		if ch.DisableTOTP {
			cols["totp_enabled"], cols["totp_secret"] = false, ""
			if err := tx.Where("user_id = ?", id).Delete(&recoveryRow{}).Error; err != nil {
				return err
			}
		}
		if len(cols) > 0 {
			if err := tx.Model(&userRow{}).Where("id = ?", id).Updates(cols).Error; err != nil {
				return err
			}
		}
		if ch.PasswordHash != nil {
			if err := revokeUserRefresh(tx, id); err != nil {
				return err
			}
			// Keys too: a key minted with a stolen session must not outlive the
			// password change that is the owner's remedy.
			if err := tx.Where("user_id = ?", id).Delete(&apiKeyRow{}).Error; err != nil {
				return err
			}
		}
		return tx.First(&out, id).Error
	})
	if err != nil {
		return account.User{}, fmt.Errorf("update user %d: %w", id, err)
	}
	return out.toDomain(), nil
}

// DeleteUser removes user id with their refresh tokens and API keys; their access
// tokens fail from the next request, since their user is gone. Deleting the last
// admin is account.ErrLastAdmin.
func (s *Store) DeleteUser(ctx context.Context, id int64) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.keepAnAdmin(tx, id); err != nil {
			return err
		}
		res := tx.Delete(&userRow{}, id)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return account.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete user %d: %w", id, err)
	}
	return nil
}

// keepAnAdmin refuses, inside tx, a change that takes user id out of the admins when
// no other admin would be left. On PostgreSQL the admins' rows are locked, so two
// admins demoting each other at once cannot both succeed.
func (s *Store) keepAnAdmin(tx *gorm.DB, id int64) error {
	var admins []int64
	q := s.sql().lock(tx.Model(&userRow{}).Where("role = ?", string(account.RoleAdmin)), "UPDATE")
	if err := q.Pluck("id", &admins).Error; err != nil {
		return err
	}
	for _, a := range admins {
		if a != id {
			return nil
		}
	}
	if len(admins) == 0 {
		return nil // not reachable with a seeded admin; nothing to protect
	}
	return account.ErrLastAdmin
}

func revokeUserRefresh(tx *gorm.DB, userID int64) error {
	return tx.Model(&refreshRow{}).Where("user_id = ? AND revoked_at IS NULL", userID).
		UpdateColumn("revoked_at", time.Now().UTC()).Error
}

// ChangePassword stores a new password hash for user id, ends every session they
// hold (token version up, refresh tokens revoked), deletes their API keys and returns
// the user as now stored.
func (s *Store) ChangePassword(ctx context.Context, id int64, hash string) (account.User, error) {
	return s.UpdateUser(ctx, id, UserChange{PasswordHash: &hash})
}

type recoveryRow struct {
	UserID   int64
	CodeHash string
}

func (recoveryRow) TableName() string { return "recovery_codes" }

// SetTOTPSecret keeps a secret for a 2FA setup in progress; it is
// account.ErrTOTPEnabled when 2FA is already on.
func (s *Store) SetTOTPSecret(ctx context.Context, id int64, secret string) error {
	res := s.db.WithContext(ctx).Model(&userRow{}).Where("id = ? AND NOT totp_enabled", id).
		Update("totp_secret", secret)
	if res.Error != nil {
		return fmt.Errorf("set totp secret: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return account.ErrTOTPEnabled
	}
	return nil
}

// EnableTOTP turns 2FA on for user id once a code of step confirmed secret, and
// replaces their recovery codes with hashes. If another setup replaced the secret
// meanwhile, nothing is enabled (account.ErrTOTPEnabled): the app holds the old one.
func (s *Store) EnableTOTP(ctx context.Context, id int64, secret string, step int64, hashes []string) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&userRow{}).Where("id = ? AND NOT totp_enabled AND totp_secret = ?", id, secret).
			Updates(map[string]any{"totp_enabled": true, "totp_last_step": step})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return account.ErrTOTPEnabled
		}
		if err := tx.Where("user_id = ?", id).Delete(&recoveryRow{}).Error; err != nil {
			return err
		}
		rows := make([]recoveryRow, len(hashes))
		for i, h := range hashes {
			rows[i] = recoveryRow{UserID: id, CodeHash: h}
		}
		return tx.Create(&rows).Error
	})
	if err != nil {
		return fmt.Errorf("enable totp: %w", err)
	}
	return nil
}

// OTP lockout: after OTPFreeFailures wrong codes in a row, each further one locks
// two-factor login for OTPLockBase, doubled per failure, at most OTPLockMax.
const (
	OTPFreeFailures = 5
	OTPLockBase     = time.Minute
	OTPLockMax      = 24 * time.Hour
)

// OTPFailed counts a wrong two-factor code for user id and, past the free failures,
// locks two-factor login for a while; it returns until when (nil when not locked).
// The counter is one UPDATE … RETURNING, so replicas add up their guesses.
func (s *Store) OTPFailed(ctx context.Context, id int64, now time.Time) (*time.Time, error) {
	var n int
	err := s.db.WithContext(ctx).Raw("UPDATE users SET otp_failures = otp_failures + 1 WHERE id = ? RETURNING otp_failures", id).
		Scan(&n).Error
	if err != nil {
		return nil, fmt.Errorf("count wrong code: %w", err)
	}
	if n < OTPFreeFailures {
		return nil, nil
	}
	lock := OTPLockBase << min(n-OTPFreeFailures, 20)
	until := dbTime(now.Add(min(lock, OTPLockMax)))
	if err := s.db.WithContext(ctx).Model(&userRow{}).Where("id = ?", id).Update("otp_locked_until", until).Error; err != nil {
		return nil, fmt.Errorf("lock two-factor login: %w", err)
	}
	return &until, nil
}

// UseTOTPStep records that user id's code for step was accepted. It says false when a
// code of that step or a later one was accepted before: the code is spent. The
// compare-and-set is one UPDATE, so two logins racing with one code cannot both win.
func (s *Store) UseTOTPStep(ctx context.Context, id, step int64) (bool, error) {
	res := s.db.WithContext(ctx).Model(&userRow{}).Where("id = ? AND totp_last_step < ?", id, step).
		Updates(map[string]any{"totp_last_step": step, "otp_failures": 0, "otp_locked_until": nil})
	if res.Error != nil {
		return false, fmt.Errorf("use totp code: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// UseRecoveryCode spends one of user id's recovery codes, saying whether it existed.
func (s *Store) UseRecoveryCode(ctx context.Context, id int64, hash string) (bool, error) {
	res := s.db.WithContext(ctx).Where("user_id = ? AND code_hash = ?", id, hash).Delete(&recoveryRow{})
	if res.Error != nil {
		return false, fmt.Errorf("use recovery code: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return false, nil
	}
	if err := s.db.WithContext(ctx).Model(&userRow{}).Where("id = ?", id).
		Updates(map[string]any{"otp_failures": 0, "otp_locked_until": nil}).Error; err != nil {
		return false, fmt.Errorf("use recovery code: %w", err)
	}
	return true, nil
}
