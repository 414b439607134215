package auth

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/account"
)

// Store is what the login flow needs from the database.
type Store interface {
	UserByName(ctx context.Context, username string) (account.User, error)
	UserByID(ctx context.Context, id int64) (account.User, error)
	CreateUser(ctx context.Context, u account.User) (account.User, error)
	CountUsers(ctx context.Context) (int64, error)
	AddRefreshToken(ctx context.Context, u account.User, family, hash string, expires time.Time) error
	RotateRefreshToken(ctx context.Context, oldHash, newHash string, expires time.Time) (account.User, error)
	RevokeRefreshFamily(ctx context.Context, hash string) error
	ChangePassword(ctx context.Context, id int64, hash string) (account.User, error)
	SetTOTPSecret(ctx context.Context, id int64, secret string) error
	EnableTOTP(ctx context.Context, id int64, secret string, step int64, hashes []string) error
	UseTOTPStep(ctx context.Context, id, step int64) (bool, error)
	UseRecoveryCode(ctx context.Context, id int64, hash string) (bool, error)
	OTPFailed(ctx context.Context, id int64, now time.Time) (*time.Time, error)
	TakeAttempt(ctx context.Context, key string, now time.Time, every time.Duration, burst int) (bool, time.Duration, error)
	APIKeyByHash(ctx context.Context, hash string) (account.APIKey, account.User, error)
	TouchAPIKeys(ctx context.Context, used map[int64]time.Time) error
}

// RefreshTTL is how long a refresh token lives unused.
const RefreshTTL = 30 * 24 * time.Hour

// Pair is what a login or a refresh returns.
type Pair struct {
	AccessToken  string
	ExpiresAt    time.Time
	RefreshToken string
}

// Service is the login flow.
type Service struct {
	store   Store
	hasher  *account.Hasher
	tokens  *Tokens
	perIP   *limiter
	perUser *limiter
	// Usage batches API keys' last use into one write every few seconds.
	Usage *KeyUsage
	now   func() time.Time
}

// NewService wires the login flow. Login attempts are limited per client address
// (20 at once, then one every 3 s) and per username (10 at once, then one every 30 s),
// so neither a single client nor a botnet aimed at one account can guess quickly. The
// counts are kept in the database, so they hold across replicas.
func NewService(store Store, hasher *account.Hasher, tokens *Tokens) *Service {
	secret := limitSecret(tokens)
	return &Service{
		store: store, hasher: hasher, tokens: tokens,
		perIP:   newLimiter(store, secret, "address", 3*time.Second, 20),
		perUser: newLimiter(store, secret, "username", 30*time.Second, 10),
		Usage:   NewKeyUsage(store),
		now:     time.Now,
	}
}

// SetClock replaces the clock that two-factor codes and the login limits go by
// (tests).
func (s *Service) SetClock(now func() time.Time) {
	s.now = now
}

// RateLimitError says a login was refused for its rate, and when to try again.
type RateLimitError struct{ RetryAfter time.Duration }

func (e *RateLimitError) Error() string { return ErrRateLimited.Error() }

// Unwrap makes errors.Is(err, ErrRateLimited) true.
func (e *RateLimitError) Unwrap() error { return ErrRateLimited }

// Login checks a username and password, and for a user with two-factor login the
// code in otp (a TOTP code or a recovery code), and issues a token pair. An unknown
// username takes as long as a wrong password and gets the same error; a right
// password without a code is account.ErrOTPRequired. Codes count against the same
// rate limits as passwords, so six digits cannot be guessed either.
//
// The limits are counted in the database. When it cannot be reached the login fails
// with that error, as it would a moment later reading the user: no attempt is let
// through uncounted.
func (s *Service) Login(ctx context.Context, username, password, otp, clientIP string) (Pair, error) {
	now := s.now()
	if err := s.perIP.take(ctx, clientKey(clientIP), now); err != nil {
		return Pair{}, err
	}
	// One bucket per account: "Admin" and "admin" log in as the same user.
	if err := s.perUser.take(ctx, account.UsernameKey(username), now); err != nil {
		return Pair{}, err
	}
	u, err := s.store.UserByName(ctx, username)
	var user *account.User
	switch {
	case err == nil:
		user = &u
	case !errors.Is(err, account.ErrNotFound):
		return Pair{}, fmt.Errorf("login: %w", err)
	}
	if err := s.hasher.Verify(user, password); err != nil {
		return Pair{}, err
	}
	if u.TOTPEnabled {
		if otp == "" {
			return Pair{}, account.ErrOTPRequired
		}
		if u.OTPLockedUntil != nil && now.Before(*u.OTPLockedUntil) {
			return Pair{}, &RateLimitError{RetryAfter: u.OTPLockedUntil.Sub(now)}
		}
		err := s.checkOTP(ctx, u, otp)
		if errors.Is(err, account.ErrOTPInvalid) {
			until, ferr := s.store.OTPFailed(ctx, u.ID, now)
			if ferr != nil {
				return Pair{}, fmt.Errorf("login: %w", ferr)
			}
			if until != nil {
				return Pair{}, &RateLimitError{RetryAfter: until.Sub(now)}
			}
		}
		if err != nil {
			return Pair{}, err
		}
	}
	return s.issue(ctx, u, newFamily())
}

// checkOTP accepts a TOTP code whose time step is later than the last one accepted,
// or an unspent recovery code, and spends it.
func (s *Service) checkOTP(ctx context.Context, u account.User, code string) error {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) > 6 {
		ok, err := s.store.UseRecoveryCode(ctx, u.ID, account.HashRecoveryCode(code))
		if err != nil {
			return fmt.Errorf("login: %w", err)
		}
		if !ok {
			return account.ErrOTPInvalid
		}
		return nil
	}
	step, err := account.MatchTOTP(u.TOTPSecret, code, s.now())
	if err != nil {
		return err
	}
	ok, err := s.store.UseTOTPStep(ctx, u.ID, step)
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	if !ok {
		return account.ErrOTPInvalid
	}
	return nil
}

// clientKey is what the per-address limit counts by: the address, or for IPv6 its
// /64, since one client commonly holds a whole /64 and could rotate through it.
func clientKey(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil || addr.Is4() || addr.Is4In6() {
		return ip
	}
	return netip.PrefixFrom(addr, 64).Masked().String()
}

func newFamily() string {
	_, hash := NewRefreshToken()
	return hash[:32]
}

func (s *Service) issue(ctx context.Context, u account.User, family string) (Pair, error) {
	access, exp, err := s.tokens.Issue(u)
	if err != nil {
		return Pair{}, err
	}
	refresh, hash := NewRefreshToken()
	if err := s.store.AddRefreshToken(ctx, u, family, hash, time.Now().Add(RefreshTTL)); err != nil {
		return Pair{}, err
	}
	return Pair{AccessToken: access, ExpiresAt: exp, RefreshToken: refresh}, nil
}

// Refresh spends a refresh token and issues a new pair. The old token stops working;
// presenting it again revokes every token rotated from the same login.
func (s *Service) Refresh(ctx context.Context, refreshToken string) (Pair, error) {
	next, nextHash := NewRefreshToken()
	// The access token carries the version the rotation read, so a password change
	// committing meanwhile kills both.
	u, err := s.store.RotateRefreshToken(ctx, HashRefreshToken(refreshToken), nextHash, time.Now().Add(RefreshTTL))
	if err != nil {
		return Pair{}, err
	}
	access, exp, err := s.tokens.Issue(u)
	if err != nil {
		return Pair{}, err
	}
	return Pair{AccessToken: access, ExpiresAt: exp, RefreshToken: next}, nil
}

// Logout ends the login a refresh token came from: no token rotated from it can be
// refreshed again. Access tokens already issued live out their few minutes.
func (s *Service) Logout(ctx context.Context, refreshToken string) error {
	return s.store.RevokeRefreshFamily(ctx, HashRefreshToken(refreshToken))
}

// Principal is who a request acts for: a user through a session, or through one of
// their API keys with the key's role.
type Principal struct {
	User account.User
	// Role is what the request may do: the user's role, or for a key the lower of
	// the key's role and its creator's current one.
	Role account.Role
	// Key is the API key used, or nil for a session.
	Key *account.APIKey
}

// Name says who acted, for the audit log.
func (p Principal) Name() string {
	if p.Key != nil {
		return p.User.Username + " (API key " + p.Key.Name + ")"
	}
	return p.User.Username
}

// Authenticate verifies a bearer credential, an access token or an API key, and
// returns who it acts for. It refuses tokens of a deleted user or of an older token
// version, and keys that are unknown, deleted or expired.
func (s *Service) Authenticate(ctx context.Context, credential string) (Principal, error) {
	if account.IsKey(credential) {
		return s.authenticateKey(ctx, credential)
	}
	claims, id, err := s.tokens.Verify(credential)
	if err != nil {
		return Principal{}, err
	}
	u, err := s.user(ctx, id)
	if err != nil {
		return Principal{}, err
	}
	if u.TokenVersion != claims.Version {
		return Principal{}, fmt.Errorf("%w: token revoked", ErrInvalidToken)
	}
	return Principal{User: u, Role: u.Role}, nil
}

func (s *Service) user(ctx context.Context, id int64) (account.User, error) {
	u, err := s.store.UserByID(ctx, id)
	if errors.Is(err, account.ErrNotFound) {
		return account.User{}, fmt.Errorf("%w: user no longer exists", ErrInvalidToken)
	}
	if err != nil {
		return account.User{}, fmt.Errorf("authenticate: %w", err)
	}
	return u, nil
}

func (s *Service) authenticateKey(ctx context.Context, key string) (Principal, error) {
	k, u, err := s.store.APIKeyByHash(ctx, account.HashKey(key))
	if errors.Is(err, account.ErrKeyInvalid) {
		return Principal{}, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	if err != nil {
		return Principal{}, fmt.Errorf("authenticate: %w", err)
	}
	now := time.Now()
	if k.Expired(now) {
		return Principal{}, fmt.Errorf("%w: api key expired", ErrInvalidToken)
	}
	s.Usage.Record(k.ID, now)
	return Principal{User: u, Role: k.Role.Lower(u.Role), Key: &k}, nil
}

// EnsureAdmin creates the first admin when there are no users yet. With an empty
// password it generates one and returns it so the caller can show it once.
func (s *Service) EnsureAdmin(ctx context.Context, username, password string) (created bool, generated string, err error) {
	n, err := s.store.CountUsers(ctx)
	if err != nil || n > 0 {
		return false, "", err
	}
	if msg := account.UsernameRule(username); msg != "" {
		return false, "", fmt.Errorf("ADMIN_USER: %s", msg)
	}
	if password == "" {
		password = account.RandomPassword()
		generated = password
	}
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return false, "", fmt.Errorf("ADMIN_PASS: %w", err)
	}
	_, err = s.store.CreateUser(ctx, account.User{Username: username, PasswordHash: hash, Role: account.RoleAdmin})
	if errors.Is(err, account.ErrUsernameTaken) {
		// Another replica created it at the same moment.
		return false, "", nil
	}
	if err != nil {
		return false, "", err
	}
	return true, generated, nil
}
