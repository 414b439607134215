package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// Target names are unique in any case; a name left out is the host's, made unique.
func TestTargetNamesAreUnique(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		first := newTarget(t, s, target.Spec{URL: "https://example.com/a"})
		second := newTarget(t, s, target.Spec{URL: "https://example.com/b"})
		assert.Equal(t, "example.com", first.Name)
		assert.Equal(t, "example.com (2)", second.Name)
		newTarget(t, s, target.Spec{URL: "https://other.example/", Name: new("EXAMPLE.COM (3)")})
		fourth := newTarget(t, s, target.Spec{URL: "https://example.com/d"})
		assert.Equal(t, "example.com (4)", fourth.Name, "a taken suffix in another case is skipped")

		_, err := s.CreateTarget(ctx, mustTarget(t, target.Spec{URL: "https://x.example/", Name: new("Example.Com")}))
		assert.ErrorIs(t, err, target.ErrNameTaken, "a given name that is taken, in another case")

		renamed := second
		renamed.Name = "EXAMPLE.com"
		_, err = s.UpdateTarget(ctx, second, renamed)
		assert.ErrorIs(t, err, target.ErrNameTaken)

		got, err := s.GetTarget(ctx, second.ID)
		require.NoError(t, err)
		assert.Equal(t, "example.com (2)", got.Name, "the failed rename changed nothing")
	})
}

// Migration 0006 renames the duplicates a database already holds before it makes names
// unique: the oldest keeps its name, the others get the first free suffixes.
func TestMigrationRenamesDuplicateTargetNames(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		// Back to the state before 0006, with the duplicates it used to allow.
		storetest.Exec(t, s, "DROP INDEX targets_name_unique")
		storetest.Exec(t, s, "DELETE FROM schema_migrations WHERE version = 6")
		names := []string{"shop", "Shop", "SHOP", "shop (2)", "api", "api", "solo", "api (3)"}
		ids := make([]int64, len(names))
		for i, n := range names {
			ids[i] = newTarget(t, s, target.Spec{URL: "https://svc.example/", Name: new(n)}).ID
		}

		applied, err := s.Migrate(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, applied)

		want := []string{"shop", "Shop (3)", "SHOP (4)", "shop (2)", "api", "api (2)", "solo", "api (3)"}
		for i, id := range ids {
			got, err := s.GetTarget(ctx, id)
			require.NoError(t, err)
			assert.Equal(t, want[i], got.Name, "target %d, first named %q", id, names[i])
		}
		_, err = s.CreateTarget(ctx, mustTarget(t, target.Spec{URL: "https://svc.example/", Name: new("SOLO")}))
		assert.ErrorIs(t, err, target.ErrNameTaken, "the unique index is in place")
	})
}
