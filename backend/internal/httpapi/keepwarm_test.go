package httpapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

func TestPlatformsList(t *testing.T) {
	e := newEnv(t, nil)
	res := e.get(t, "/api/v1/platforms")
	require.Equal(t, http.StatusOK, res.Status)
	var l struct {
		Version string `json:"version"`
		Items   []struct {
			Key                string   `json:"key"`
			IdleTimeoutSeconds *int     `json:"idle_timeout_seconds"`
			MonthlyFreeHours   *float64 `json:"monthly_free_hours"`
			HoursScope         string   `json:"hours_scope"`
			SourceURL          string   `json:"source_url"`
			AsOf               string   `json:"as_of"`
		} `json:"items"`
	}
	res.JSON(t, &l)
	assert.NotEmpty(t, l.Version)
	keys := map[string]bool{}
	for _, p := range l.Items {
		keys[p.Key] = true
		assert.NotEmpty(t, p.AsOf, p.Key)
		if p.Key == "render-free" {
			require.NotNil(t, p.IdleTimeoutSeconds)
			assert.Equal(t, 900, *p.IdleTimeoutSeconds)
			require.NotNil(t, p.MonthlyFreeHours)
			assert.Equal(t, 750.0, *p.MonthlyFreeHours)
			assert.Equal(t, "workspace", p.HoursScope)
			assert.Contains(t, p.SourceURL, "render.com")
		}
	}
	for _, k := range []string{"render-free", "railway-serverless", "koyeb", "fly-autostop", "heroku-eco", "neon-free",
		"supabase-free", "huggingface-spaces", "streamlit-cloud", "cloud-run", "azure-app-service", "custom"} {
		assert.True(t, keys[k], "preset %s", k)
	}
	assert.Equal(t, http.StatusUnauthorized, e.send(t, request{Method: http.MethodGet, Path: "/api/v1/platforms", NoAuth: true}).Status)
}

func TestKeepWarmTargets(t *testing.T) {
	e := newEnv(t, nil)

	render := e.createTarget(t, map[string]any{"url": "https://shop.onrender.com/health", "platform": "render-free",
		"warm_windows": []map[string]any{{"days": []string{"mon", "tue", "wed", "thu", "fri"}, "start": "08:00", "end": "20:00"}},
		"timezone":     "Europe/Berlin", "budget_group": "render-ws"})
	got := e.get(t, targetPath(render.ID)).Map(t)
	assert.Equal(t, true, got["keep_warm"], "a platform turns keep-warm on")
	assert.EqualValues(t, 900, got["idle_timeout_seconds"])
	assert.EqualValues(t, 90, got["wake_timeout_seconds"])
	assert.EqualValues(t, 865, got["interval_seconds"], "idle 900 s less a 10 s timeout, a 15 s wait and a 10 s retry")
	assert.Equal(t, "Europe/Berlin", got["timezone"])
	assert.Equal(t, "render-ws", got["budget_group"])
	assert.Equal(t, []any{}, got["warnings"])
	assert.Len(t, got["warm_windows"], 1)

	neon := e.createTarget(t, map[string]any{"url": "https://db.example.com/", "platform": "neon-free"})
	warnings := e.get(t, targetPath(neon.ID)).Map(t)["warnings"].([]any)
	require.Len(t, warnings, 1, "a host that pings do not keep awake says so")
	assert.Contains(t, warnings[0], "SQL")

	plain := e.createTarget(t, map[string]any{"url": "https://plain.example.com/"})
	got = e.get(t, targetPath(plain.ID)).Map(t)
	assert.Equal(t, false, got["keep_warm"])
	assert.Nil(t, got["idle_timeout_seconds"])
	assert.Equal(t, "UTC", got["timezone"])

	runScenarios(t, e, []apiScenario{
		{Name: "unknown platform", Method: http.MethodPost, URL: "/api/v1/targets", ExpectedStatus: http.StatusUnprocessableEntity,
			Body: `{"url":"https://a.example.com","platform":"geocities"}`, ExpectedFields: []string{"platform"}},
		{Name: "custom needs an idle limit", Method: http.MethodPost, URL: "/api/v1/targets", ExpectedStatus: http.StatusUnprocessableEntity,
			Body: `{"url":"https://a.example.com","platform":"custom"}`, ExpectedFields: []string{"idle_timeout_seconds"}},
		{Name: "keep_warm without a platform needs an idle limit", Method: http.MethodPost, URL: "/api/v1/targets",
			ExpectedStatus: http.StatusUnprocessableEntity, Body: `{"url":"https://a.example.com","keep_warm":true}`,
			ExpectedFields: []string{"idle_timeout_seconds"}},
		{Name: "interval that lets it sleep", Method: http.MethodPost, URL: "/api/v1/targets", ExpectedStatus: http.StatusUnprocessableEntity,
			Body: `{"url":"https://a.example.com","platform":"render-free","interval_seconds":900}`, ExpectedFields: []string{"interval_seconds"}},
		{Name: "window time that does not parse", Method: http.MethodPost, URL: "/api/v1/targets", ExpectedStatus: http.StatusUnprocessableEntity,
			Body:           `{"url":"https://a.example.com","platform":"render-free","warm_windows":[{"days":["mon"],"start":"8am","end":"20:00"}]}`,
			ExpectedFields: []string{"warm_windows[0].start"}},
		{Name: "unknown day", Method: http.MethodPost, URL: "/api/v1/targets", ExpectedStatus: http.StatusUnprocessableEntity,
			Body:           `{"url":"https://a.example.com","platform":"render-free","warm_windows":[{"days":["someday"],"start":"08:00","end":"20:00"}]}`,
			ExpectedFields: []string{"warm_windows[0].days"}},
		{Name: "unknown time zone", Method: http.MethodPost, URL: "/api/v1/targets", ExpectedStatus: http.StatusUnprocessableEntity,
			Body: `{"url":"https://a.example.com","platform":"render-free","timezone":"Mars/Olympus_Mons"}`, ExpectedFields: []string{"timezone"}},
		{Name: "custom with its own idle limit", Method: http.MethodPost, URL: "/api/v1/targets", ExpectedStatus: http.StatusCreated,
			Body:            `{"url":"https://a.example.com","platform":"custom","idle_timeout_seconds":600}`,
			ExpectedContent: []string{`"keep_warm":true`, `"idle_timeout_seconds":600`, `"interval_seconds":565`}},
		{Name: "keep-warm can be turned off on a platform", Method: http.MethodPost, URL: "/api/v1/targets", ExpectedStatus: http.StatusCreated,
			Body:            `{"url":"https://b.example.com","platform":"render-free","keep_warm":false}`,
			ExpectedContent: []string{`"keep_warm":false`, `"interval_seconds":300`}},
		{Name: "patch: interval past the idle limit", Method: http.MethodPatch, URL: targetPath(render.ID), ExpectedStatus: http.StatusUnprocessableEntity,
			Body: `{"interval_seconds":1200}`, ExpectedFields: []string{"interval_seconds"}},
		{Name: "patch: a plain target moves to Heroku", Method: http.MethodPatch, URL: targetPath(plain.ID), ExpectedStatus: http.StatusOK,
			Body: `{"platform":"heroku-eco"}`, ExpectedContent: []string{`"keep_warm":true`, `"idle_timeout_seconds":1800`, `"platform":"heroku-eco"`}},
		{Name: "patch: windows replaced", Method: http.MethodPatch, URL: targetPath(render.ID), ExpectedStatus: http.StatusOK,
			Body:            `{"warm_windows":[{"days":["sat","sun"],"start":"22:00","end":"02:00"}],"timezone":"America/New_York"}`,
			ExpectedContent: []string{`"start":"22:00"`, `"timezone":"America/New_York"`}},
	})
}

func TestBudgets(t *testing.T) {
	e := newEnv(t, nil)
	res := e.get(t, "/api/v1/budgets")
	require.Equal(t, http.StatusOK, res.Status)
	assert.JSONEq(t, `{"items":[]}`, string(res.Body))

	first := e.createTarget(t, map[string]any{"url": "https://one.onrender.com/", "platform": "render-free", "budget_group": "ws"})
	got := e.get(t, targetPath(first.ID)).Map(t)
	assert.Equal(t, []any{}, got["warnings"], "one always-on Render service fits 750 h")

	res = e.send(t, request{Method: http.MethodPost, Path: "/api/v1/targets",
		Body: `{"url":"https://two.onrender.com/","platform":"render-free","budget_group":"ws"}`})
	require.Equal(t, http.StatusCreated, res.Status)
	warnings := res.Map(t)["warnings"].([]any)
	require.Len(t, warnings, 1, "the second always-on service breaks the pool")
	assert.Contains(t, warnings[0], `budget group "ws" does not fit its 750 free hours`)

	// A third in its own group with office hours fits.
	e.createTarget(t, map[string]any{"url": "https://three.onrender.com/", "platform": "render-free", "budget_group": "office",
		"warm_windows": []map[string]any{{"days": []string{"mon", "tue", "wed", "thu", "fri"}, "start": "08:00", "end": "20:00"}}})

	// Some awake time this month: two successful checks a minute apart.
	now := time.Now().UTC()
	for _, at := range []time.Time{now.Add(-2 * time.Minute), now.Add(-time.Minute)} {
		require.NoError(t, e.Store.Record(context.Background(), []store.Result{{Check: target.Check{TargetID: first.ID, CheckedAt: at, OK: true, Attempts: 1}}}))
	}

	var l struct {
		Items []struct {
			Group            string   `json:"group"`
			Platform         string   `json:"platform"`
			MonthlyFreeHours *float64 `json:"monthly_free_hours"`
			Used             float64  `json:"used_hours"`
			Projected        float64  `json:"projected_hours"`
			Planned          float64  `json:"planned_hours_per_month"`
			Fits             bool     `json:"fits"`
			Advice           string   `json:"advice"`
			TargetIDs        []int64  `json:"target_ids"`
		} `json:"items"`
	}
	e.get(t, "/api/v1/budgets").JSON(t, &l)
	require.Len(t, l.Items, 2)
	office, ws := l.Items[0], l.Items[1]
	assert.Equal(t, "office", office.Group)
	assert.True(t, office.Fits)
	assert.Greater(t, office.Planned, 250.0)
	assert.Less(t, office.Planned, 300.0, "about 12 h on 22 or 23 weekdays, plus the idle tails")
	assert.Equal(t, "ws", ws.Group)
	assert.Equal(t, "render-free", ws.Platform)
	require.NotNil(t, ws.MonthlyFreeHours)
	assert.Equal(t, 750.0, *ws.MonthlyFreeHours)
	assert.Equal(t, 1488.0, ws.Planned)
	assert.False(t, ws.Fits)
	assert.Contains(t, ws.Advice, "over by")
	assert.InDelta(t, 0.03, ws.Used, 0.011, "awake from the first answer until now (15 min after the last is still to come)")
	assert.Greater(t, ws.Projected, ws.Used)
	assert.Len(t, ws.TargetIDs, 2)

	assert.EqualValues(t, 2, e.get(t, "/api/v1/stats").Map(t)["over_budget"])
}

func TestKeepWarmStats(t *testing.T) {
	e := newEnv(t, nil)
	tg := e.createTarget(t, map[string]any{"url": "https://a.example.com/", "platform": "custom", "idle_timeout_seconds": 600})
	base := time.Now().UTC().Add(time.Second)
	wake := 31000
	for i, c := range []target.Check{
		{OK: true, ColdStart: true, WakeMS: &wake, Attempts: 2},
		{OK: true, Attempts: 1},
		{OK: false, Error: "refused", Attempts: 1},
		{OK: true, Attempts: 1},
	} {
		c.TargetID, c.CheckedAt = tg.ID, base.Add(time.Duration(i)*time.Second)
		require.NoError(t, e.Store.Record(context.Background(), []store.Result{{Check: c}}))
	}
	m := e.get(t, targetPath(tg.ID, "/stats?window=1h")).Map(t)
	assert.EqualValues(t, 4, m["checks"])
	assert.EqualValues(t, 1, m["cold_starts"])
	assert.InDelta(t, 0.75, m["warm_ratio"], 1e-9)
	assert.EqualValues(t, 31000, m["wake_ms_p50"])
	assert.EqualValues(t, 2, m["max_warm_gap_seconds"], "the failure left two seconds between successes")
	assert.EqualValues(t, 0, m["warm_gap_breaches"])
	assert.Contains(t, m, "awake_hours")
}
