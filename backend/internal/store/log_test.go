package store_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/watchdog-monitor/watchdog/backend/internal/logtest"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// A row that is not there is an answer, not a fault: GORM's logger says nothing of it,
// at any level, and nothing of the statements run.
func TestNotFoundIsNotLogged(t *testing.T) {
	for name, dbURL := range map[string]func(testing.TB) string{"sqlite": storetest.SQLiteURL, "postgres": storetest.PostgresURL} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			var logs logtest.Buffer
			log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			s, err := store.Open(ctx, dbURL(t), log)
			require.NoError(t, err)
			t.Cleanup(func() { _ = s.Close() })
			_, err = s.Migrate(ctx)
			require.NoError(t, err)
			before := logs.String()

			_, err = s.GetTarget(ctx, 424242)
			assert.ErrorIs(t, err, target.ErrNotFound)
			_, err = s.UserByName(ctx, "nobody-here")
			assert.Error(t, err)
			assert.Equal(t, before, logs.String(), "lookups of missing rows add no log line")
			assert.NotContains(t, logs.String(), "record not found")
		})
	}
}
