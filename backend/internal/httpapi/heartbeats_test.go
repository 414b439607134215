package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

type heartbeatList struct {
	Items []struct {
		TargetID  int64    `json:"target_id"`
		Uptime24h *float64 `json:"uptime_24h"`
		Checks    []struct {
			CheckedAt time.Time `json:"checked_at"`
			OK        bool      `json:"ok"`
			LatencyMS int       `json:"latency_ms"`
		} `json:"checks"`
	} `json:"items"`
}

func TestHeartbeats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		busy := e.createTarget(t, map[string]any{"url": "https://busy.example.com/", "is_active": false})
		quiet := e.createTarget(t, map[string]any{"url": "https://quiet.example.com/", "is_active": false})
		now := time.Now().UTC()
		var results []store.Result
		for i := range 40 {
			results = append(results, store.Result{Check: target.Check{TargetID: busy.ID,
				CheckedAt: now.Add(time.Duration(i-40) * time.Minute), OK: i%4 != 0, LatencyMS: i, Attempts: 1}})
		}
		require.NoError(t, s.Record(context.Background(), results))

		res := e.get(t, fmt.Sprintf("/api/v1/heartbeats?ids=%d,%d,9999&limit=30", busy.ID, quiet.ID))
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var hb heartbeatList
		res.JSON(t, &hb)
		require.Len(t, hb.Items, 2, "an unknown id is left out")
		assert.Equal(t, busy.ID, hb.Items[0].TargetID, "in the order asked")
		require.Len(t, hb.Items[0].Checks, 30)
		assert.Equal(t, 10, hb.Items[0].Checks[0].LatencyMS, "oldest of the last 30 first")
		assert.Equal(t, 39, hb.Items[0].Checks[29].LatencyMS, "newest last")
		require.NotNil(t, hb.Items[0].Uptime24h)
		assert.InDelta(t, 30.0/40, *hb.Items[0].Uptime24h, 1e-9)
		assert.Equal(t, quiet.ID, hb.Items[1].TargetID)
		assert.NotNil(t, hb.Items[1].Checks, "[] not null")
		assert.Empty(t, hb.Items[1].Checks)
		assert.Nil(t, hb.Items[1].Uptime24h, "no checks: unknown")
	})
}

func TestHeartbeatsBadInput(t *testing.T) {
	e := newEnv(t, nil)
	many := "1"
	for i := 2; i <= 201; i++ {
		many += fmt.Sprintf(",%d", i)
	}
	runScenarios(t, e, []apiScenario{
		{Name: "ids missing", Method: http.MethodGet, URL: "/api/v1/heartbeats", InvalidRequest: true,
			ExpectedStatus: 400, ExpectedFields: []string{"ids"}},
		{Name: "ids not numbers", Method: http.MethodGet, URL: "/api/v1/heartbeats?ids=1,x", ExpectedStatus: 400, ExpectedFields: []string{"ids"}},
		{Name: "too many ids", Method: http.MethodGet, URL: "/api/v1/heartbeats?ids=" + many, ExpectedStatus: 400, ExpectedFields: []string{"ids"}},
		{Name: "limit too high", Method: http.MethodGet, URL: "/api/v1/heartbeats?ids=1&limit=101", InvalidRequest: true,
			ExpectedStatus: 400, ExpectedFields: []string{"limit"}},
	})
}

func TestETagSparesUnchangedAnswers(t *testing.T) {
	e := newEnv(t, nil)
	first := e.get(t, "/api/v1/stats")
	require.Equal(t, http.StatusOK, first.Status)
	tag := first.Header.Get("ETag")
	require.NotEmpty(t, tag)

	same := e.send(t, request{Method: http.MethodGet, Path: "/api/v1/stats", Headers: map[string]string{"If-None-Match": tag}})
	assert.Equal(t, http.StatusNotModified, same.Status)
	assert.Empty(t, same.Body)
	weak := e.send(t, request{Method: http.MethodGet, Path: "/api/v1/stats", Headers: map[string]string{"If-None-Match": `"other", W/` + tag}})
	assert.Equal(t, http.StatusNotModified, weak.Status, "a list and a weak form match too")

	e.createTarget(t, map[string]any{"url": "https://new.example.com/", "is_active": false})
	changed := e.send(t, request{Method: http.MethodGet, Path: "/api/v1/stats", Headers: map[string]string{"If-None-Match": tag}})
	assert.Equal(t, http.StatusOK, changed.Status, "a changed answer is sent in full")
	assert.NotEqual(t, tag, changed.Header.Get("ETag"))

	unauth := e.send(t, request{Method: http.MethodGet, Path: "/api/v1/stats", NoAuth: true, Headers: map[string]string{"If-None-Match": tag}})
	assert.Equal(t, http.StatusUnauthorized, unauth.Status, "no 304 without a credential")
}
