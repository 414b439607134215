package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/account"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

// TestUsernamesIgnoreCase: "Admin" and "admin" are one username: the second is
// taken, and either finds the user at login.
func TestUsernamesIgnoreCase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		admin, err := s.CreateUser(ctx, account.User{Username: "admin", PasswordHash: "x", Role: account.RoleAdmin})
		require.NoError(t, err)
		_, err = s.CreateUser(ctx, account.User{Username: "Admin", PasswordHash: "x", Role: account.RoleViewer})
		assert.ErrorIs(t, err, account.ErrUsernameTaken)
		for _, name := range []string{"admin", "Admin", "ADMIN"} {
			u, err := s.UserByName(ctx, name)
			require.NoError(t, err, name)
			assert.Equal(t, admin.ID, u.ID, name)
			assert.Equal(t, "admin", u.Username, "the stored spelling")
		}
	})
}

// TestUsernameMigrationRenamesLookAlikes: a database from before the rule that holds
// "admin" and "Admin" keeps the first as it is and renames the later one, so that
// the index can be made and start-up goes on.
func TestUsernameMigrationRenamesLookAlikes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		require.NoError(t, s.ExecSQL(ctx, "DROP INDEX users_username_lower"))
		require.NoError(t, s.ExecSQL(ctx, "DELETE FROM schema_migrations WHERE version = 8"))
		first, err := s.CreateUser(ctx, account.User{Username: "admin", PasswordHash: "x", Role: account.RoleAdmin})
		require.NoError(t, err)
		later, err := s.CreateUser(ctx, account.User{Username: "Admin", PasswordHash: "x", Role: account.RoleViewer})
		require.NoError(t, err)
		other, err := s.CreateUser(ctx, account.User{Username: "bob", PasswordHash: "x", Role: account.RoleViewer})
		require.NoError(t, err)

		_, err = s.Migrate(ctx)
		require.NoError(t, err)
		users, err := s.ListUsers(ctx)
		require.NoError(t, err)
		names := map[int64]string{}
		for _, u := range users {
			names[u.ID] = u.Username
		}
		assert.Equal(t, map[int64]string{first.ID: "admin", later.ID: fmt.Sprintf("Admin-%d", later.ID), other.ID: "bob"}, names)
		_, err = s.CreateUser(ctx, account.User{Username: "BOB", PasswordHash: "x", Role: account.RoleViewer})
		assert.ErrorIs(t, err, account.ErrUsernameTaken, "and the rule holds from then on")
	})
}
