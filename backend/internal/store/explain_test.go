package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// TestQueriesUseTheirIndexes asks PostgreSQL, with 20,000 targets and 400,000 checks
// in place, how it would run the queries the scheduler and the dashboard's polls
// make: none may read a whole table, except the counts of targets (which are reused
// for a second).
func TestQueriesUseTheirIndexes(t *testing.T) {
	s := storetest.Postgres(t)
	ctx := context.Background()
	storetest.Exec(t, s, `INSERT INTO targets (name, url, method, interval_seconds, timeout_seconds,
		expected_status, retries, retry_delay_seconds, lease_seconds, is_active, next_check_at, created_at, updated_at)
		SELECT 'svc-' || i, 'https://s' || i || '.example.com/', 'GET', 60, 10, '200-399', 0, 15, 20, i % 10 <> 0,
			now() + (i % 60) * interval '1 second', now(), now()
		FROM generate_series(1, 20000) AS i`)
	storetest.Exec(t, s, `INSERT INTO target_tags (target_id, tag) SELECT id, 'team-' || (id % 20) FROM targets`)
	storetest.Exec(t, s, `INSERT INTO checks (target_id, checked_at, scheduled_at, latency_ms, ok, attempts)
		SELECT t.id, now() - k * interval '1 minute', now() - k * interval '1 minute', 100, true, 1
		FROM targets t, generate_series(1, 20) AS k`)
	for _, table := range []string{"rollups_hourly", "rollups_daily"} {
		storetest.Exec(t, s, `INSERT INTO `+table+` (target_id, bucket_start, checks, up, cold_starts, latency_sum_ms, histogram)
			SELECT t.id, date_trunc('hour', now()) - k * interval '1 hour', 60, 60, 0, 6000, '0,0,0,0,0,0,0,0,0,60'
			FROM targets t, generate_series(1, 10) AS k`)
	}
	storetest.Exec(t, s, `ANALYZE`)

	var mu sync.Mutex
	var queries []string
	capturing := true
	s.CaptureSQL(func(sql string) {
		mu.Lock()
		if capturing {
			queries = append(queries, sql)
		}
		mu.Unlock()
	})
	_, err := s.ClaimDue(ctx, "explain", 100)
	require.NoError(t, err)
	_, err = s.ListChecks(ctx, 42, nil, 50)
	require.NoError(t, err)
	_, err = s.Samples(ctx, 42, time.Now().Add(-time.Hour))
	require.NoError(t, err)
	_, _, err = s.RollUp(ctx, time.Now())
	require.NoError(t, err)
	for _, days := range []time.Duration{30, 200} {
		_, err = s.Summaries(ctx, []int64{42}, time.Now().Add(-days*24*time.Hour), time.Now())
		require.NoError(t, err)
	}
	_, err = s.Heartbeats(ctx, []int64{1, 2, 3, 4, 5}, 30, time.Now().Add(-24*time.Hour))
	require.NoError(t, err)
	_, err = s.GetTarget(ctx, 42)
	require.NoError(t, err)
	_, err = s.Totals(ctx)
	require.NoError(t, err)
	_, err = s.KeepWarmGroups(ctx)
	require.NoError(t, err)
	for _, f := range []target.ListFilter{{Limit: 50}, {Limit: 50, Offset: 5000, Sort: "-name"}, {Limit: 50, Tag: "team-3"}} {
		_, _, err = s.ListTargets(ctx, f)
		require.NoError(t, err)
	}

	mu.Lock()
	capturing = false // the EXPLAINs below are queries too
	mu.Unlock()
	require.NotEmpty(t, queries)
	for _, q := range queries {
		if strings.Contains(q, "COUNT(") || strings.Contains(q, "count(") || strings.HasPrefix(q, "SELECT * FROM \"settings\"") ||
			strings.Contains(q, `FROM "settings"`) {
			continue // counts of targets are cached; settings is a handful of rows
		}
		plan, err := s.Explain(ctx, q)
		require.NoError(t, err, q)
		for _, table := range []string{"targets", "checks", "rollups_hourly", "rollups_daily", "target_tags"} {
			assert.NotContains(t, plan, fmt.Sprintf("Seq Scan on %s ", table), "%s\n%s", q, plan)
		}
	}
}
