package main

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/apiclient"
	"github.com/watchdog-monitor/watchdog/backend/internal/notify"
	"github.com/watchdog-monitor/watchdog/backend/internal/outbox"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

// rawMetrics reads /metrics with the token, in the text format.
func rawMetrics(t *testing.T, url, token string) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url+"/metrics", nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Accept", "text/plain; version=0.0.4")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = res.Body.Close() }()
	require.Equal(t, http.StatusOK, res.StatusCode)
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return body
}

// scrapeMetrics reads /metrics with the token and parses it as Prometheus would.
func scrapeMetrics(t *testing.T, url, token string) map[string]*dto.MetricFamily {
	t.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bytes.NewReader(rawMetrics(t, url, token)))
	require.NoError(t, err)
	return fams
}

// targetSeries counts the scrape's series (samples, as Prometheus stores them) that
// name target id, and fails on any of them that carries a label besides target_id and
// outcome, but for the one series that carries the name.
func targetSeries(t *testing.T, body []byte, id int) int {
	t.Helper()
	label := `target_id="` + strconv.Itoa(id) + `"`
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || !strings.Contains(line, label) {
			continue
		}
		n++
		if strings.Contains(line, "name=") && !strings.HasPrefix(line, "watchdog_target_info{") {
			t.Errorf("a per-target series carries the name: %s", line)
		}
	}
	require.NoError(t, sc.Err())
	return n
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
	// Before any notification: every channel type and outcome at 0, so delivery panels
	// and absence alerts have series on a fresh install.
	fresh := scrapeMetrics(t, srv.URL, "scrape-me")
	require.NotEmpty(t, notify.Types())
	for _, typ := range notify.Types() {
		for _, outcome := range outbox.Outcomes() {
			assert.Equal(t, 0.0, value(fresh, "watchdog_notifications_total", map[string]string{"type": typ, "outcome": outcome}),
				"watchdog_notifications_total{type=%q,outcome=%q}", typ, outcome)
		}
	}
	assert.Len(t, fresh["watchdog_notifications_total"].GetMetric(), len(notify.Types())*len(outbox.Outcomes()))
	assert.Equal(t, 1.0, value(fresh, "watchdog_build_info", nil))
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
	assert.GreaterOrEqual(t, value(fams, "watchdog_worker_utilization_ratio", nil), 0.0)
	assert.Equal(t, 1.0, value(fams, "watchdog_target_info", map[string]string{"target_id": strconv.Itoa(up.Id), "name": up.Name}))

	// The true cost of a target, on the real server: 2 check counters, 2 duration
	// histograms of 12 buckets (+Inf, _sum, _count), cold starts, up and info.
	body := rawMetrics(t, srv.URL, "scrape-me")
	assert.Equal(t, 35, targetSeries(t, body, up.Id), "series of one target")
	assert.Equal(t, 35, targetSeries(t, body, down.Id), "series of one target")
	// The names and help pass the lint `promtool check metrics` runs.
	problems, err := promlint.New(bytes.NewReader(body)).Lint()
	require.NoError(t, err)
	assert.Empty(t, problems, "promlint")
}
