package auth

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/account"
)

// Store is what the login flow needs from the database.
type Store interface {
	UserByName(ctx context.Context, username string) (account.User, error)
	UserByID(ctx context.Context, id int64) (account.User, error)
	CreateUser(ctx context.Context, u account.User) (account.User, error)
	CountUsers(ctx context.Context) (int64, error)
	AddRefreshToken(ctx context.Context, userID int64, family, hash string, expires time.Time) error
	RotateRefreshToken(ctx context.Context, oldHash, newHash string, expires time.Time) (int64, error)
	RevokeRefreshFamily(ctx context.Context, hash string) error
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
	perIP   *Limiter
	perUser *Limiter
}

// NewService wires the login flow. Login attempts are limited per client address
// (20 at once, then one every 3 s) and per username (10 at once, then one every 30 s),
// so neither a single client nor a botnet aimed at one account can guess quickly.
func NewService(store Store, hasher *account.Hasher, tokens *Tokens) *Service {
	return &Service{
		store: store, hasher: hasher, tokens: tokens,
		perIP:   NewLimiter(3*time.Second, 20),
		perUser: NewLimiter(30*time.Second, 10),
	}
}

// RateLimitError says a login was refused for its rate, and when to try again.
type RateLimitError struct{ RetryAfter time.Duration }

func (e *RateLimitError) Error() string { return ErrRateLimited.Error() }

// Unwrap makes errors.Is(err, ErrRateLimited) true.
func (e *RateLimitError) Unwrap() error { return ErrRateLimited }

// Login checks a username and password and issues a token pair. An unknown username
// takes as long as a wrong password and gets the same error.
func (s *Service) Login(ctx context.Context, username, password, clientIP string) (Pair, error) {
	if ok, wait := s.perIP.Allow(clientKey(clientIP)); !ok {
		return Pair{}, &RateLimitError{RetryAfter: wait}
	}
	if ok, wait := s.perUser.Allow(username); !ok {
		return Pair{}, &RateLimitError{RetryAfter: wait}
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
	return s.issue(ctx, u, newFamily())
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
	if err := s.store.AddRefreshToken(ctx, u.ID, family, hash, time.Now().Add(RefreshTTL)); err != nil {
		return Pair{}, err
	}
	return Pair{AccessToken: access, ExpiresAt: exp, RefreshToken: refresh}, nil
}

// Refresh spends a refresh token and issues a new pair. The old token stops working;
// presenting it again revokes every token rotated from the same login.
func (s *Service) Refresh(ctx context.Context, refreshToken string) (Pair, error) {
	next, nextHash := NewRefreshToken()
	userID, err := s.store.RotateRefreshToken(ctx, HashRefreshToken(refreshToken), nextHash, time.Now().Add(RefreshTTL))
	if err != nil {
		return Pair{}, err
	}
	u, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return Pair{}, fmt.Errorf("refresh: %w", err)
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

// Authenticate verifies an access token and returns its user, refusing tokens of a
// deleted user or of an older token version.
func (s *Service) Authenticate(ctx context.Context, token string) (account.User, error) {
	claims, id, err := s.tokens.Verify(token)
	if err != nil {
		return account.User{}, err
	}
	u, err := s.store.UserByID(ctx, id)
	if errors.Is(err, account.ErrNotFound) {
		return account.User{}, fmt.Errorf("%w: user no longer exists", ErrInvalidToken)
	}
	if err != nil {
		return account.User{}, fmt.Errorf("authenticate: %w", err)
	}
	if u.TokenVersion != claims.Version {
		return account.User{}, fmt.Errorf("%w: token revoked", ErrInvalidToken)
	}
	return u, nil
}

// EnsureAdmin creates the first admin when there are no users yet. With an empty
// password it generates one and returns it so the caller can show it once.
func (s *Service) EnsureAdmin(ctx context.Context, username, password string) (created bool, generated string, err error) {
	n, err := s.store.CountUsers(ctx)
	if err != nil || n > 0 {
		return false, "", err
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
