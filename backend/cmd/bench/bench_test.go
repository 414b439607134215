package main

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// builtWatchdog compiles the server once for both halves of the smoke test, through
// the harness's own build step.
var builtWatchdog = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "watchdog-bench-test-")
	if err != nil {
		return "", err
	}
	return buildWatchdog(context.Background(), dir, &strings.Builder{})
})

// TestRunSmoke does one short run on each database, so the harness cannot rot: real
// binary, real fleet, real pollers, and a JSON file that says what the table says.
// The PostgreSQL run has the mixed fleet: tcp listeners, the DNS server and the
// heartbeat pinger besides the http fleet.
func TestRunSmoke(t *testing.T) {
	bin, err := builtWatchdog()
	require.NoError(t, err)
	t.Cleanup(func() {
		if dir := strings.TrimSuffix(bin, "/watchdog"); strings.Contains(dir, "watchdog-bench-test-") {
			_ = os.RemoveAll(dir)
		}
	})
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			c := config{
				DB: db, N: 50, Interval: 2, Timeout: 1, Retries: -1, Profile: profileInstant,
				Workers: 64, Replicas: 1, Listeners: 2, Pollers: 2,
				Duration: 3 * time.Second, Warmup: 0, Bin: bin, OutDir: t.TempDir(), Spread: true,
			}
			if db == "postgres" {
				c.PGURL = postgresAdminURL(t)
				c.Mix, c.N = mixMixed, 100
			}
			var log strings.Builder
			began := time.Now()
			res, path, err := run(context.Background(), c, &log)
			require.NoError(t, err, "run output:\n%s", log.String())
			assert.Less(t, time.Since(began), 30*time.Second, "a 3 s run stays short")

			assert.Positive(t, res.Checks, "checks ran in the window")
			assert.Positive(t, res.AchievedPerSecond)
			assert.Zero(t, res.Duplicates, "no target pinged twice for one slot")
			for i, e := range res.API.byEndpoint() {
				assert.Positive(t, e.Requests, "API %s latency measured", endpointNames[i])
				assert.Positive(t, e.P50MS, "API %s latency measured", endpointNames[i])
			}

			if db == "postgres" {
				require.Len(t, res.ByType, 4, "http, tcp, dns, heartbeat")
				for _, typ := range res.ByType {
					assert.Positive(t, typ.FleetSaw, "the fleet heard the %s targets' checks (or pings)", typ.Type)
					if typ.Type != string(target.TypeHeartbeat) {
						assert.Positive(t, typ.Checks, "%s checks recorded", typ.Type)
					}
				}
				require.NotNil(t, res.Pings)
				assert.Positive(t, res.Pings.OK, "pings taken")
				require.NotNil(t, res.Pings.Writes, "write counters read")
				assert.Positive(t, res.Pings.Writes.All)
				assert.Less(t, res.ScheduledTargets, 100, "heartbeats are not scheduled")
				assert.Positive(t, res.DBCPUSeconds, "the run database's backends' CPU is read")
			}

			b, err := os.ReadFile(path)
			require.NoError(t, err, "the JSON result is written")
			var got Result
			require.NoError(t, json.Unmarshal(b, &got))
			assert.Equal(t, res.Checks, got.Checks)
			assert.Equal(t, res.AchievedPerSecond, got.AchievedPerSecond)
			assert.Equal(t, res.Duplicates, got.Duplicates)
			assert.Equal(t, res.LatenessP99MS, got.LatenessP99MS)
			assert.Equal(t, res.API, got.API)
			assert.Equal(t, db, got.Database)
			assert.Equal(t, res.ByType, got.ByType)
			assert.Equal(t, res.Pings, got.Pings)
		})
	}
}

// postgresAdminURL is the PostgreSQL server the store tests use; the harness makes
// and drops its own database on it. Unreachable, the test is skipped loudly, or
// fails under REQUIRE_ALL=1.
func postgresAdminURL(t *testing.T) string {
	u := os.Getenv("TEST_DATABASE_URL")
	if u == "" {
		u = storetest.DefaultAdminURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		storetest.Unavailable(t, "PostgreSQL at %s: %v", u, err)
	}
	_ = conn.Close(ctx)
	return u
}

// TestAnalyseMatchesArrivalsToChecks pins down how lateness and duplicates are read:
// a check's requests run from its start to the start of the target's next check.
func TestAnalyseMatchesArrivalsToChecks(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return base.Add(time.Duration(ms) * time.Millisecond) }
	ns := func(ms int) int64 { return at(ms).UnixNano() }
	// Targets 100 to 106 are fleet indexes 0 to 6; the interval is 2 s and the
	// window [0, 3 s).
	arrivals := map[int][]int64{
		0: {ns(100), ns(2050)},                        // one request per check
		1: {ns(300), ns(900)},                         // two requests for a one-attempt check
		2: {ns(400), ns(2500)},                        // a retry after slot+interval, before the next check
		3: {},                                         // nothing reached the fleet
		4: {ns(-500), ns(1000), ns(1900), ns(10_000)}, // requests outside its spans are not its
		5: {ns(2500)},                                 // a check never recorded
		6: {ns(2010), ns(2510)},                       // a late check's request after the next slot began
	}
	timing := func(id int64, scheduled, checked, attempts int) store.Timing {
		return store.Timing{TargetID: id, ScheduledAt: at(scheduled), CheckedAt: at(checked), Attempts: attempts}
	}
	timings := []store.Timing{
		timing(100, 2000, 2040, 1), timing(100, 0, 90, 1),
		timing(101, 0, 290, 1),
		timing(102, 0, 390, 2), timing(102, 4000, 4000, 1),
		timing(103, 1000, 1200, 1),
		timing(104, 1000, 1000, 2),
		timing(106, 0, 1900, 1), timing(106, 2000, 2500, 1),
	}
	a := analyse(timings, []int64{100, 101, 102, 103, 104, 105, 106},
		func(i int) []int64 { return arrivals[i] }, 2*time.Second, base, at(3000), base.Add(-time.Hour))

	assert.Equal(t, 8, a.checks, "slots in the window; the one at 4 s only bounds target 102's span")
	assert.Equal(t, 1, a.duplicates, "target 101's second request")
	assert.Equal(t, 1, a.fallbacks, "target 103's lateness comes from its start time")
	assert.Equal(t, []float64{0, 50, 100, 200, 300, 400, 510, 2010}, a.lateness)
	assert.Equal(t, 1, a.unchecked, "only target 103 got no request in the window")
	assert.Equal(t, 1, a.unrecorded, "target 105's request belongs to no recorded check")
	assert.Equal(t, 8, a.rows, "checks started in the window: all but target 102's second")
}
