package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// A database file written by the store's earlier SQLite driver (github.com/glebarez/sqlite
// v1.11.0, SQLite 3.40.1, in WAL mode) opens with the current one, its times read back
// as they were written, and takes new writes. testdata/glebarez-v1.11.0.db holds two
// targets and two checks of the first, recorded at fixed times.
func TestSQLiteFileFromOldDriver(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("testdata/glebarez-v1.11.0.db")
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "watchdog.db")
	require.NoError(t, os.WriteFile(path, raw, 0o600))
	s := storetest.Open(t, path)
	ctx := context.Background()

	first := time.Date(2026, 3, 4, 9, 48, 0, 123456000, time.UTC)
	checks, err := s.ListChecks(ctx, 1, nil, 10)
	require.NoError(t, err)
	require.Len(t, checks, 2)
	assert.True(t, checks[0].CheckedAt.Equal(first.Add(time.Minute)), "%v", checks[0].CheckedAt)
	assert.True(t, checks[1].CheckedAt.Equal(first), "%v", checks[1].CheckedAt)
	assert.Equal(t, time.UTC, checks[1].CheckedAt.Location())
	assert.False(t, checks[0].OK)
	assert.Equal(t, "connection refused", checks[0].Error)
	require.NotNil(t, checks[1].StatusCode)
	assert.Equal(t, 200, *checks[1].StatusCode)

	tg, err := s.GetTarget(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, "Old-Driver Shop", tg.Name)
	require.NotNil(t, tg.LastCheckedAt)
	assert.True(t, tg.LastCheckedAt.Equal(first.Add(time.Minute)), "%v", tg.LastCheckedAt)
	written := time.Date(2026, 12, 6, 14, 27, 27, 744822000, time.UTC)
	assert.True(t, tg.CreatedAt.Equal(written), "%v", tg.CreatedAt)

	// Case-insensitive search, as the old driver's lower()/LIKE gave it, ASCII
	// folded; the name written with accents is found as written.
	tests := []struct {
		query string
		want  []string
	}{
		{"old-DRIVER", []string{"Old-Driver Shop"}},
		{"café", []string{"Ünïcode Café"}},
		{"example.com", []string{"Old-Driver Shop", "Ünïcode Café"}},
	}
	for _, tt := range tests {
		got, total, err := s.ListTargets(ctx, target.ListFilter{Query: tt.query, Limit: 10})
		require.NoError(t, err, tt.query)
		names := make([]string, len(got))
		for i, g := range got {
			names[i] = g.Name
		}
		assert.Equal(t, tt.want, names, tt.query)
		assert.Equal(t, len(tt.want), total, tt.query)
	}

	// New writes beside the old rows read back to the microsecond.
	at := time.Date(2026, 12, 1, 23, 59, 59, 999999000, time.UTC)
	code := 503
	_, err = s.RecordOne(ctx, store.Result{Check: target.Check{TargetID: 2, CheckedAt: at, LatencyMS: 7, StatusCode: &code, Attempts: 1}})
	require.NoError(t, err)
	checks, err = s.ListChecks(ctx, 2, nil, 10)
	require.NoError(t, err)
	require.Len(t, checks, 1)
	assert.True(t, checks[0].CheckedAt.Equal(at), "%v", checks[0].CheckedAt)
	_, err = s.CreateTarget(ctx, mustTarget(t, target.Spec{URL: "https://z.example/", Name: new("old-driver shop")}))
	assert.ErrorIs(t, err, target.ErrNameTaken, "names stay unique in any case")
}
