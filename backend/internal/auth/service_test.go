package auth_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/watchdog-monitor/watchdog/backend/internal/account"
	"github.com/watchdog-monitor/watchdog/backend/internal/auth"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

func newService(t *testing.T, s *store.Store) *auth.Service {
	t.Helper()
	tokens, err := auth.NewTokens([]byte("0123456789abcdef0123456789abcdef"))
	require.NoError(t, err)
	return auth.NewService(s, account.NewHasher(bcrypt.MinCost), tokens)
}

func TestDefaultHasherCost(t *testing.T) {
	h := account.NewHasher(account.DefaultCost)
	hash, err := h.Hash("correct horse")
	require.NoError(t, err)
	cost, err := bcrypt.Cost([]byte(hash))
	require.NoError(t, err)
	assert.GreaterOrEqual(t, cost, 12)
}

func TestLoginRefreshAndReuse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(t, s)
		created, generated, err := svc.EnsureAdmin(ctx, "admin", "")
		require.NoError(t, err)
		require.True(t, created)
		require.NotEmpty(t, generated)
		created, _, err = svc.EnsureAdmin(ctx, "admin", "whatever1")
		require.NoError(t, err)
		assert.False(t, created, "only when there are no users")

		_, err = svc.Login(ctx, "admin", "wrong-password", "", "10.0.0.1")
		assert.ErrorIs(t, err, account.ErrInvalidCredentials)
		_, err = svc.Login(ctx, "nobody", "wrong-password", "", "10.0.0.1")
		assert.ErrorIs(t, err, account.ErrInvalidCredentials, "unknown user: same answer")

		pair, err := svc.Login(ctx, "admin", generated, "", "10.0.0.1")
		require.NoError(t, err)
		u, err := svc.Authenticate(ctx, pair.AccessToken)
		require.NoError(t, err)
		assert.Equal(t, "admin", u.User.Username)

		next, err := svc.Refresh(ctx, pair.RefreshToken)
		require.NoError(t, err)
		assert.NotEqual(t, pair.RefreshToken, next.RefreshToken)
		_, err = svc.Refresh(ctx, pair.RefreshToken)
		assert.ErrorIs(t, err, account.ErrRefreshReused)
		_, err = svc.Refresh(ctx, next.RefreshToken)
		assert.ErrorIs(t, err, account.ErrRefreshInvalid, "reuse revoked the rotated token too")
	})
}

func TestLoginIsRateLimited(t *testing.T) {
	s := storetest.SQLite(t)
	ctx := context.Background()
	svc := newService(t, s)
	_, _, err := svc.EnsureAdmin(ctx, "admin", "right-password")
	require.NoError(t, err)
	limited := 0
	for i := range 25 {
		_, err := svc.Login(ctx, "admin", fmt.Sprintf("guess-%d", i), "", fmt.Sprintf("10.0.0.%d", i))
		if assert.Error(t, err) && err.Error() == auth.ErrRateLimited.Error() {
			limited++
		}
	}
	assert.GreaterOrEqual(t, limited, 10, "per-account limit holds across addresses")
	_, err = svc.Login(ctx, "admin", "right-password", "", "10.9.9.9")
	assert.ErrorIs(t, err, auth.ErrRateLimited, "even the right password waits")
	_, err = svc.Login(ctx, "someone-else", "x", "", "10.9.9.9")
	assert.ErrorIs(t, err, account.ErrInvalidCredentials, "other accounts are not locked out")
}

// TestLoginLimitsHoldAcrossReplicas: two services on two stores over one database, as
// two replicas run, count every guess once between them.
func TestLoginLimitsHoldAcrossReplicas(t *testing.T) {
	for _, db := range []struct {
		name string
		url  func(testing.TB) string
	}{{"sqlite", storetest.SQLiteURL}, {"postgres", storetest.PostgresURL}} {
		t.Run(db.name, func(t *testing.T) {
			ctx := context.Background()
			u := db.url(t)
			replicas := []*auth.Service{newService(t, storetest.Open(t, u)), newService(t, storetest.Open(t, u))}
			now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			for _, r := range replicas {
				r.SetClock(func() time.Time { return now })
			}
			_, _, err := replicas[0].EnsureAdmin(ctx, "admin", "right-password")
			require.NoError(t, err)
			guess := func(i int) error {
				_, err := replicas[i%2].Login(ctx, "admin", fmt.Sprintf("guess-%d", i), "", fmt.Sprintf("10.0.0.%d", i))
				return err
			}
			for i := range 10 {
				assert.ErrorIs(t, guess(i), account.ErrInvalidCredentials, "guess %d within the per-account burst", i+1)
			}
			for i := 10; i < 14; i++ {
				assert.ErrorIs(t, guess(i), auth.ErrRateLimited, "guess %d: both replicas refuse", i+1)
			}
			now = now.Add(30 * time.Second)
			assert.ErrorIs(t, guess(14), account.ErrInvalidCredentials, "one more after 30 s")
			assert.ErrorIs(t, guess(15), auth.ErrRateLimited, "on either replica, once")
		})
	}
}

// TestLoginFailsClosedWithoutTheDatabase: the limits are counted in the database, so
// with it gone a login is an error, neither let through uncounted nor a 429.
func TestLoginFailsClosedWithoutTheDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(t, s)
		_, _, err := svc.EnsureAdmin(ctx, "admin", "right-password")
		require.NoError(t, err)
		require.NoError(t, s.Close())
		_, err = svc.Login(ctx, "admin", "right-password", "", "10.0.0.1")
		require.Error(t, err)
		assert.NotErrorIs(t, err, auth.ErrRateLimited)
		assert.NotErrorIs(t, err, account.ErrInvalidCredentials)
		assert.Contains(t, err.Error(), "login limit")
	})
}

func TestLogoutEndsTheLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(t, s)
		_, _, err := svc.EnsureAdmin(ctx, "admin", "right-password")
		require.NoError(t, err)
		first, err := svc.Login(ctx, "admin", "right-password", "", "10.0.0.1")
		require.NoError(t, err)
		other, err := svc.Login(ctx, "admin", "right-password", "", "10.0.0.1")
		require.NoError(t, err)
		rotated, err := svc.Refresh(ctx, first.RefreshToken)
		require.NoError(t, err)

		require.NoError(t, svc.Logout(ctx, first.RefreshToken), "the spent token names the login too")
		_, err = svc.Refresh(ctx, rotated.RefreshToken)
		assert.ErrorIs(t, err, account.ErrRefreshInvalid, "every token of that login is dead")
		_, err = svc.Refresh(ctx, other.RefreshToken)
		assert.NoError(t, err, "another login goes on")
		assert.NoError(t, svc.Logout(ctx, "unknown-token"))
	})
}

// TestLoginIgnoresUsernameCase: "ADMIN" logs in as admin, and the per-account limit
// counts every spelling as one account (else each spelling would get its own 10).
func TestLoginIgnoresUsernameCase(t *testing.T) {
	s := storetest.SQLite(t)
	ctx := context.Background()
	svc := newService(t, s)
	_, _, err := svc.EnsureAdmin(ctx, "admin", "right-password")
	require.NoError(t, err)
	_, err = svc.Login(ctx, "ADMIN", "right-password", "", "10.0.0.1")
	require.NoError(t, err)
	limited := 0
	for i := range 25 {
		name := []string{"admin", "Admin", "aDmin", "adMin", "admIn"}[i%5]
		if _, err := svc.Login(ctx, name, fmt.Sprintf("guess-%d", i), "", fmt.Sprintf("10.0.1.%d", i)); errors.Is(err, auth.ErrRateLimited) {
			limited++
		}
	}
	assert.GreaterOrEqual(t, limited, 10, "one limit for every spelling")
}

// TestEnsureAdminChecksTheUsername: the first admin follows the API's username rule.
func TestEnsureAdminChecksTheUsername(t *testing.T) {
	svc := newService(t, storetest.SQLite(t))
	_, _, err := svc.EnsureAdmin(context.Background(), "\u202eadmin", "right-password")
	assert.ErrorContains(t, err, "ADMIN_USER")
}
