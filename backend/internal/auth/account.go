package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/watchdog-monitor/watchdog/backend/internal/account"
)

// ErrWrongPassword: the current password given to change it was not right.
var ErrWrongPassword = errors.New("current password is wrong")

// HashPassword hashes a new password, refusing one outside the allowed length.
func (s *Service) HashPassword(password string) (string, error) { return s.hasher.Hash(password) }

// ChangePassword replaces u's password after checking the current one, ends every
// session u holds (the caller's included) and returns a fresh pair for the caller.
// Attempts count against the per-user login limit: a stolen access token is no way
// to guess the password.
func (s *Service) ChangePassword(ctx context.Context, u account.User, current, next string) (Pair, error) {
	if err := s.perUser.take(ctx, account.UsernameKey(u.Username), s.now()); err != nil {
		return Pair{}, err
	}
	if err := s.hasher.Verify(&u, current); err != nil {
		return Pair{}, ErrWrongPassword
	}
	hash, err := s.hasher.Hash(next)
	if err != nil {
		return Pair{}, err
	}
	u, err = s.store.ChangePassword(ctx, u.ID, hash)
	if err != nil {
		return Pair{}, fmt.Errorf("change password: %w", err)
	}
	return s.issue(ctx, u, newFamily())
}

// SetupTOTP starts two-factor setup for u: a new secret, kept but not yet in force,
// and the otpauth:// URL to scan. It is account.ErrTOTPEnabled when 2FA is on.
func (s *Service) SetupTOTP(ctx context.Context, u account.User) (secret, url string, err error) {
	if u.TOTPEnabled {
		return "", "", account.ErrTOTPEnabled
	}
	secret, url, err = account.NewTOTP(u.Username)
	if err != nil {
		return "", "", err
	}
	if err := s.store.SetTOTPSecret(ctx, u.ID, secret); err != nil {
		return "", "", err
	}
	return secret, url, nil
}

// ErrTOTPNotSetUp: enable was called before setup.
var ErrTOTPNotSetUp = errors.New("two-factor login is not set up; call setup first")

// EnableTOTP turns two-factor login on once code proves the app has the secret, and
// returns the recovery codes, shown this once.
func (s *Service) EnableTOTP(ctx context.Context, u account.User, code string) ([]string, error) {
	switch {
	case u.TOTPEnabled:
		return nil, account.ErrTOTPEnabled
	case u.TOTPSecret == "":
		return nil, ErrTOTPNotSetUp
	}
	step, err := account.MatchTOTP(u.TOTPSecret, code, s.now())
	if err != nil {
		return nil, err
	}
	codes, hashes := account.NewRecoveryCodes()
	if err := s.store.EnableTOTP(ctx, u.ID, u.TOTPSecret, step, hashes); err != nil {
		return nil, err
	}
	return codes, nil
}

// CheckPassword verifies u's password, for actions that need it again (turning 2FA
// off), under the per-user login limit.
func (s *Service) CheckPassword(ctx context.Context, u account.User, password string) error {
	if err := s.perUser.take(ctx, account.UsernameKey(u.Username), s.now()); err != nil {
		return err
	}
	if err := s.hasher.Verify(&u, password); err != nil {
		return ErrWrongPassword
	}
	return nil
}
