package main

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/apiclient"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

// scrapeMetrics reads /metrics with the token and parses it as Prometheus would.
func scrapeMetrics(t *testing.T, url, token string) map[string]*dto.MetricFamily {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url+"/metrics", nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = res.Body.Close() }()
	require.Equal(t, http.StatusOK, res.StatusCode)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(res.Body)
	require.NoError(t, err)
	return fams
}

// value is the value of the series of name whose labels include want, or -1.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	for _, m := range fams[name].GetMetric() {
		match := true
		for k, v := range want {
			found := false
			for _, l := range m.GetLabel() {
				found = found || (l.GetName() == k && l.GetValue() == v)
			}
			match = match && found
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return -1
}

// TestMetricsEndpoint scrapes the real server: checks by target and outcome, target
// states, the pool, and HTTP requests by route, behind the metrics token.
func TestMetricsEndpoint(t *testing.T) {
	f := newFleet(t)
	srv := startServer(t, map[string]string{"METRICS_TOKEN": "scrape-me", "DATABASE_URL": storetest.SQLiteURL(t)})
	up := srv.create(t, apiclient.TargetCreate{Url: f.URL + "/ok/1", IntervalSeconds: ptr(2), TimeoutSeconds: ptr(1)})
	down := srv.create(t, apiclient.TargetCreate{Url: f.URL + "/down/1", IntervalSeconds: ptr(2), TimeoutSeconds: ptr(1),
		Retries: ptr(0), FailureThreshold: ptr(1)})

	assert.Equal(t, http.StatusUnauthorized, status(t, srv.URL+"/metrics"), "the token is required")
	require.Eventually(t, func() bool {
		fams := scrapeMetrics(t, srv.URL, "scrape-me")
		return value(fams, "watchdog_target_up", map[string]string{"target_id": strconv.Itoa(down.Id)}) == 0 &&
			value(fams, "watchdog_target_up", map[string]string{"target_id": strconv.Itoa(up.Id)}) == 1
	}, 15*time.Second, 200*time.Millisecond)
	_ = srv.checks(t, up.Id)

	fams := scrapeMetrics(t, srv.URL, "scrape-me")
	assert.GreaterOrEqual(t, value(fams, "watchdog_checks_total", map[string]string{"target_id": strconv.Itoa(up.Id), "outcome": "up"}), 1.0)
	assert.GreaterOrEqual(t, value(fams, "watchdog_checks_total", map[string]string{"target_id": strconv.Itoa(down.Id), "outcome": "down"}), 1.0)
	assert.GreaterOrEqual(t, value(fams, "watchdog_check_duration_seconds", map[string]string{"target_id": strconv.Itoa(up.Id), "outcome": "up"}), 1.0)
	assert.Equal(t, 1.0, value(fams, "watchdog_targets", map[string]string{"state": "down"}))
	assert.Equal(t, 16.0, value(fams, "watchdog_workers", nil))
	assert.GreaterOrEqual(t, value(fams, "watchdog_scheduler_lag_seconds", nil), 2.0)
	assert.GreaterOrEqual(t, value(fams, "watchdog_scheduler_backlog", nil), 0.0)
	assert.GreaterOrEqual(t, value(fams, "watchdog_http_requests_total",
		map[string]string{"route": "/api/v1/targets/:id/checks", "code": "200", "method": "GET"}), 1.0)
	assert.Equal(t, 0.0, value(fams, "watchdog_notifications_pending", nil))
}
