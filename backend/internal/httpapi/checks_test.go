package httpapi_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

// newTargetServer starts a local service to check: /ok answers 200, /fail 500. Its
// URLs use the name localhost, because the API refuses literal loopback addresses at
// create; the prober in the harness may dial them.
func newTargetServer(t *testing.T) (base string) {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux.HandleFunc("/fail", func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "deploy in progress", http.StatusInternalServerError)
	})
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	_, port, err := net.SplitHostPort(ts.Listener.Addr().String())
	require.NoError(t, err)
	return "http://localhost:" + port
}

// closedPort returns a local URL nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	_, port, err := net.SplitHostPort(ln.Addr().String())
	require.NoError(t, err)
	require.NoError(t, ln.Close())
	return "http://localhost:" + port + "/"
}

func (e *env) checkNow(t testing.TB, id int64) checkBody {
	t.Helper()
	res := e.send(t, request{Method: http.MethodPost, Path: targetPath(id, "/check")})
	require.Equal(t, http.StatusOK, res.Status, "check now: %s", res.Body)
	var c checkBody
	res.JSON(t, &c)
	return c
}

func (e *env) listChecks(t testing.TB, id int64, query string) []checkBody {
	t.Helper()
	res := e.get(t, targetPath(id, "/checks"+query))
	require.Equal(t, http.StatusOK, res.Status, "list checks: %s", res.Body)
	var l struct {
		Items []checkBody `json:"items"`
	}
	res.JSON(t, &l)
	require.NotNil(t, l.Items, "items is [], never null")
	return l.Items
}

func TestChecksAndStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		svc := newTargetServer(t)

		up := e.createTarget(t, map[string]any{"name": "up", "url": svc + "/ok"})
		down := e.createTarget(t, map[string]any{"name": "down", "url": svc + "/fail", "retries": 0, "failure_threshold": 1})
		unreachable := e.createTarget(t, map[string]any{"name": "unreachable", "url": closedPort(t), "retries": 0, "failure_threshold": 1})
		fresh := e.createTarget(t, map[string]any{"name": "fresh", "url": "https://fresh.example.com/"})
		paused := e.createTarget(t, map[string]any{"name": "paused", "url": svc + "/ok", "is_active": false})

		t.Run("a target without checks", func(t *testing.T) {
			res := e.get(t, targetPath(fresh.ID, "/checks"))
			require.Equal(t, http.StatusOK, res.Status)
			assert.JSONEq(t, `{"items":[]}`, string(res.Body))

			res = e.get(t, targetPath(fresh.ID, "/stats"))
			require.Equal(t, http.StatusOK, res.Status)
			assert.JSONEq(t, fmt.Sprintf(`{"target_id":%d,"window":"24h","window_seconds":86400,"checks":0,"up":0,"down":0,
				"uptime_ratio":null,"latency_p50_ms":null,"latency_p95_ms":null,"latency_p99_ms":null,
				"cold_starts":0,"warm_ratio":null,"wake_ms_p50":null,"max_warm_gap_seconds":null,"warm_gap_breaches":0,"awake_hours":0}`, fresh.ID), string(res.Body))
		})

		t.Run("check an answering target", func(t *testing.T) {
			c := e.checkNow(t, up.ID)
			assert.True(t, c.OK)
			require.NotNil(t, c.StatusCode)
			assert.Equal(t, 200, *c.StatusCode)
			assert.Equal(t, 1, c.Attempts)
			assert.Empty(t, c.Error)
			assert.Equal(t, up.ID, c.TargetID)
			assert.Positive(t, c.ID)
			assert.False(t, c.ColdStart)
			assert.Nil(t, c.WakeMS)
			assert.GreaterOrEqual(t, c.LatencyMS, 0)
			assert.WithinDuration(t, time.Now(), c.CheckedAt, time.Minute)

			var got targetBody
			e.get(t, targetPath(up.ID)).JSON(t, &got)
			assert.Equal(t, "up", got.LastStatus)
			require.NotNil(t, got.LastStatusCode)
			assert.Equal(t, 200, *got.LastStatusCode)
			assert.NotNil(t, got.LastCheckedAt)
			assert.NotNil(t, got.LastLatencyMS)
			assert.Empty(t, got.LastError)
			require.NotNil(t, got.NextCheckAt)
			assert.WithinDuration(t, *up.NextCheckAt, *got.NextCheckAt, time.Microsecond,
				"a check on request does not move the schedule")
		})

		t.Run("check a failing target without retries", func(t *testing.T) {
			c := e.checkNow(t, down.ID)
			assert.False(t, c.OK)
			require.NotNil(t, c.StatusCode)
			assert.Equal(t, 500, *c.StatusCode)
			assert.Equal(t, 1, c.Attempts)
			assert.Contains(t, c.Error, "500")
			assert.False(t, c.ColdStart)

			var got targetBody
			e.get(t, targetPath(down.ID)).JSON(t, &got)
			assert.Equal(t, "down", got.LastStatus)
			assert.Contains(t, got.LastError, "500")
		})

		t.Run("check a target nothing listens for", func(t *testing.T) {
			res := e.send(t, request{Method: http.MethodPost, Path: targetPath(unreachable.ID, "/check")})
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			assert.Contains(t, string(res.Body), `"status_code":null`)
			var c checkBody
			res.JSON(t, &c)
			assert.False(t, c.OK)
			assert.NotEmpty(t, c.Error)
		})

		t.Run("check a paused target", func(t *testing.T) {
			c := e.checkNow(t, paused.ID)
			assert.True(t, c.OK)
			var got targetBody
			e.get(t, targetPath(paused.ID)).JSON(t, &got)
			assert.False(t, got.IsActive, "still paused")
			assert.Nil(t, got.NextCheckAt)
		})

		t.Run("status filters follow the checks", func(t *testing.T) {
			names := func(q string) []string {
				var out []string
				for _, it := range e.listTargets(t, q).Items {
					out = append(out, it.Name)
				}
				return out
			}
			assert.Equal(t, []string{"up"}, names("?status=up"), "a paused target is not counted as up")
			assert.Equal(t, []string{"down", "unreachable"}, names("?status=down"))
			assert.Equal(t, []string{"fresh"}, names("?status=unknown"))
			assert.Equal(t, []string{"paused"}, names("?status=paused"))
			assert.Equal(t, []string{"down", "fresh", "unreachable", "up"}, names("?status=active"))
		})

		t.Run("totals", func(t *testing.T) {
			res := e.get(t, "/api/v1/stats")
			require.Equal(t, http.StatusOK, res.Status)
			assert.JSONEq(t, `{"total":5,"active":4,"paused":1,"up":1,"down":2,"unknown":1,"over_budget":0}`, string(res.Body))
		})

		// Two more checks of the answering target: four in all, listed newest first.
		for range 2 {
			e.checkNow(t, up.ID)
		}

		t.Run("check now answers with the check it recorded", func(t *testing.T) {
			c := e.checkNow(t, up.ID)
			listed := e.listChecks(t, up.ID, "?limit=1")
			require.Len(t, listed, 1)
			assert.Equal(t, c.ID, listed[0].ID)
			// PostgreSQL keeps microseconds; the answer to check-now carries the
			// server's nanoseconds (see the report), so compare to the microsecond.
			assert.WithinDuration(t, c.CheckedAt, listed[0].CheckedAt, time.Microsecond)
			c.CheckedAt = listed[0].CheckedAt
			assert.Equal(t, c, listed[0])
		})

		t.Run("checks are listed newest first", func(t *testing.T) {
			all := e.listChecks(t, up.ID, "")
			require.Len(t, all, 4)
			for i := 1; i < len(all); i++ {
				assert.False(t, all[i].CheckedAt.After(all[i-1].CheckedAt), "newest first: %v then %v", all[i-1].CheckedAt, all[i].CheckedAt)
				assert.Less(t, all[i].ID, all[i-1].ID)
				assert.Equal(t, up.ID, all[i].TargetID)
			}
		})

		t.Run("limit and before page back", func(t *testing.T) {
			all := e.listChecks(t, up.ID, "")
			first := e.listChecks(t, up.ID, "?limit=2")
			require.Len(t, first, 2)
			assert.Equal(t, all[:2], first)
			before := first[len(first)-1].CheckedAt.Format(time.RFC3339Nano)
			rest := e.listChecks(t, up.ID, "?limit=2&before="+url.QueryEscape(before))
			require.Len(t, rest, 2)
			assert.Equal(t, all[2:], rest)
			last := rest[len(rest)-1].CheckedAt.Format(time.RFC3339Nano)
			assert.Empty(t, e.listChecks(t, up.ID, "?before="+url.QueryEscape(last)), "nothing before the oldest")
			assert.Len(t, e.listChecks(t, up.ID, "?before="+url.QueryEscape(time.Now().Add(time.Hour).Format(time.RFC3339))), 4)
		})

		t.Run("checks of one target only", func(t *testing.T) {
			ids := func(cs []checkBody) []int64 {
				out := make([]int64, len(cs))
				for i, c := range cs {
					out[i] = c.TargetID
				}
				return slices.Compact(out)
			}
			assert.Equal(t, []int64{down.ID}, ids(e.listChecks(t, down.ID, "")))
		})

		t.Run("stats of an answering target", func(t *testing.T) {
			var st struct {
				TargetID      int64    `json:"target_id"`
				Window        string   `json:"window"`
				WindowSeconds int      `json:"window_seconds"`
				Checks        int      `json:"checks"`
				Up            int      `json:"up"`
				Down          int      `json:"down"`
				UptimeRatio   *float64 `json:"uptime_ratio"`
				P50           *int     `json:"latency_p50_ms"`
				P95           *int     `json:"latency_p95_ms"`
				P99           *int     `json:"latency_p99_ms"`
			}
			e.get(t, targetPath(up.ID, "/stats?window=1h")).JSON(t, &st)
			assert.Equal(t, up.ID, st.TargetID)
			assert.Equal(t, "1h", st.Window)
			assert.Equal(t, 3600, st.WindowSeconds)
			assert.Equal(t, 4, st.Checks)
			assert.Equal(t, 4, st.Up)
			assert.Equal(t, 0, st.Down)
			require.NotNil(t, st.UptimeRatio)
			assert.InDelta(t, 1.0, *st.UptimeRatio, 1e-9)
			require.NotNil(t, st.P50)
			require.NotNil(t, st.P95)
			require.NotNil(t, st.P99)
			assert.LessOrEqual(t, *st.P50, *st.P95)
			assert.LessOrEqual(t, *st.P95, *st.P99)
		})

		t.Run("stats of a failing target", func(t *testing.T) {
			res := e.get(t, targetPath(down.ID, "/stats?window=7d"))
			require.Equal(t, http.StatusOK, res.Status)
			m := res.Map(t)
			assert.EqualValues(t, 1, m["checks"])
			assert.EqualValues(t, 0, m["up"])
			assert.EqualValues(t, 1, m["down"])
			assert.EqualValues(t, 0, m["uptime_ratio"], "0, not null: there were checks")
			assert.Nil(t, m["latency_p50_ms"], "percentiles are over successful checks only")
			assert.EqualValues(t, 7*86400, m["window_seconds"])
			assert.Contains(t, string(res.Body), `"latency_p99_ms":null`)
		})

		t.Run("a deleted target has no checks to show", func(t *testing.T) {
			require.Equal(t, http.StatusNoContent, e.send(t, request{Method: http.MethodDelete, Path: targetPath(down.ID)}).Status)
			for _, p := range []string{"/checks", "/stats"} {
				res := e.get(t, targetPath(down.ID, p))
				assert.Equal(t, http.StatusNotFound, res.Status, p)
			}
			res := e.send(t, request{Method: http.MethodPost, Path: targetPath(down.ID, "/check")})
			assert.Equal(t, http.StatusNotFound, res.Status)
			assert.True(t, strings.HasSuffix(res.Problem(t).Type, ":not-found"))
		})
	})
}
