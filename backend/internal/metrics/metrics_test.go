package metrics_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/watchdog-monitor/watchdog/backend/internal/metrics"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// scrape serves one scrape of m through a real server and parses the text answer.
func scrape(t *testing.T, m *metrics.Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("scrape status = %d, want 200", res.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("parse scrape: %v", err)
	}
	return fams
}

// find returns the series of family name whose labels are exactly want, or nil.
func find(fams map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Metric {
	f := fams[name]
	if f == nil {
		return nil
	}
	for _, m := range f.GetMetric() {
		if len(m.GetLabel()) != len(want) {
			continue
		}
		match := true
		for _, l := range m.GetLabel() {
			if v, ok := want[l.GetName()]; !ok || v != l.GetValue() {
				match = false
				break
			}
		}
		if match {
			return m
		}
	}
	return nil
}

// value is the value of a counter or gauge series, failing the test when it is absent.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	t.Helper()
	m := find(fams, name, labels)
	if m == nil {
		t.Fatalf("no series %s%v", name, labels)
	}
	switch {
	case m.Counter != nil:
		return m.GetCounter().GetValue()
	case m.Gauge != nil:
		return m.GetGauge().GetValue()
	}
	t.Fatalf("%s%v is neither a counter nor a gauge", name, labels)
	return 0
}

// histogram is the sample count and sum of a histogram series.
func histogram(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string) (uint64, float64) {
	t.Helper()
	m := find(fams, name, labels)
	if m == nil || m.Histogram == nil {
		t.Fatalf("no histogram %s%v", name, labels)
	}
	return m.GetHistogram().GetSampleCount(), m.GetHistogram().GetSampleSum()
}

func TestObserveCheck(t *testing.T) {
	t.Parallel()
	checks := []target.Check{
		{TargetID: 1, OK: true, LatencyMS: 250},
		{TargetID: 1, OK: true, LatencyMS: 500, ColdStart: true},
		{TargetID: 1, OK: false, LatencyMS: 2000},
		{TargetID: 2, OK: false, LatencyMS: 1000},
		{TargetID: 2, OK: false, LatencyMS: 9000, Interrupted: true}, // not recorded, not counted
	}
	type series struct {
		labels map[string]string
		count  float64
		sum    float64
	}
	tests := []struct {
		name      string
		perTarget bool
		checks    []series
		cold      []series
	}{
		{
			name:      "per target",
			perTarget: true,
			checks: []series{
				{map[string]string{"target_id": "1", "outcome": "up"}, 2, 0.75},
				{map[string]string{"target_id": "1", "outcome": "down"}, 1, 2},
				{map[string]string{"target_id": "2", "outcome": "down"}, 1, 1},
				// Both outcomes start at zero with a target's first check.
				{map[string]string{"target_id": "2", "outcome": "up"}, 0, 0},
			},
			cold: []series{
				{labels: map[string]string{"target_id": "1"}, count: 1},
				{labels: map[string]string{"target_id": "2"}, count: 0},
			},
		},
		{
			name:      "all targets together",
			perTarget: false,
			checks: []series{
				{map[string]string{"outcome": "up"}, 2, 0.75},
				{map[string]string{"outcome": "down"}, 2, 3},
			},
			cold: []series{{labels: map[string]string{}, count: 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := metrics.New(metrics.Options{PerTarget: tt.perTarget})
			for _, c := range checks {
				m.ObserveCheck(c)
			}
			fams := scrape(t, m)
			if got, want := len(fams["watchdog_checks_total"].GetMetric()), len(tt.checks); got != want {
				t.Errorf("watchdog_checks_total has %d series, want %d", got, want)
			}
			for _, s := range tt.checks {
				if got := value(t, fams, "watchdog_checks_total", s.labels); got != s.count {
					t.Errorf("watchdog_checks_total%v = %v, want %v", s.labels, got, s.count)
				}
				n, sum := histogram(t, fams, "watchdog_check_duration_seconds", s.labels)
				if float64(n) != s.count || sum != s.sum {
					t.Errorf("watchdog_check_duration_seconds%v count, sum = %d, %v; want %v, %v", s.labels, n, sum, s.count, s.sum)
				}
			}
			if got, want := len(fams["watchdog_cold_starts_total"].GetMetric()), len(tt.cold); got != want {
				t.Errorf("watchdog_cold_starts_total has %d series, want %d", got, want)
			}
			for _, s := range tt.cold {
				if got := value(t, fams, "watchdog_cold_starts_total", s.labels); got != s.count {
					t.Errorf("watchdog_cold_starts_total%v = %v, want %v", s.labels, got, s.count)
				}
			}
		})
	}
}

func TestForgetTarget(t *testing.T) {
	t.Parallel()
	m := metrics.New(metrics.Options{PerTarget: true})
	m.ObserveCheck(target.Check{TargetID: 1, OK: true, ColdStart: true})
	m.ObserveCheck(target.Check{TargetID: 2, OK: false})
	m.ForgetTarget(1)

	fams := scrape(t, m)
	for _, name := range []string{"watchdog_checks_total", "watchdog_check_duration_seconds", "watchdog_cold_starts_total"} {
		for _, mt := range fams[name].GetMetric() {
			for _, l := range mt.GetLabel() {
				if l.GetName() == "target_id" && l.GetValue() == "1" {
					t.Errorf("%s still has a series for the forgotten target", name)
				}
			}
		}
	}
	if got := value(t, fams, "watchdog_checks_total", map[string]string{"target_id": "2", "outcome": "down"}); got != 1 {
		t.Errorf("target 2's checks = %v, want 1", got)
	}

	// A target checked again after being forgotten starts afresh.
	m.ObserveCheck(target.Check{TargetID: 1, OK: true})
	fams = scrape(t, m)
	if got := value(t, fams, "watchdog_checks_total", map[string]string{"target_id": "1", "outcome": "up"}); got != 1 {
		t.Errorf("target 1's checks after forgetting = %v, want 1", got)
	}
}

func TestStateGauges(t *testing.T) {
	t.Parallel()
	m := metrics.New(metrics.Options{})
	reads := 0
	m.SetSources(metrics.Sources{
		TargetStates: func(ctx context.Context) ([]metrics.TargetState, error) {
			reads++
			if _, ok := ctx.Deadline(); !ok {
				t.Error("target states read without a deadline")
			}
			return []metrics.TargetState{
				{ID: 1, Name: "api", Status: "up", Active: true},
				{ID: 2, Name: "db", Status: "down", Active: true},
				{ID: 3, Name: "new", Status: "unknown", Active: true},
				{ID: 4, Name: "old", Status: "up", Active: false},
				{ID: 5, Name: "web", Status: "up", Active: true},
			}, nil
		},
		Backlog:       func(context.Context) (int64, error) { return 7, nil },
		InFlight:      func() int { return 3 },
		Workers:       4,
		OutboxPending: func(context.Context) (int64, error) { return 2, nil },
	})
	fams := scrape(t, m)
	if reads != 1 {
		t.Errorf("target states read %d times in one scrape, want 1", reads)
	}

	tests := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"watchdog_target_up", map[string]string{"target_id": "1"}, 1},
		{"watchdog_target_up", map[string]string{"target_id": "2"}, 0},
		{"watchdog_target_up", map[string]string{"target_id": "5"}, 1},
		// Every target has its name on an info series, paused and unknown ones too.
		{"watchdog_target_info", map[string]string{"target_id": "1", "name": "api"}, 1},
		{"watchdog_target_info", map[string]string{"target_id": "2", "name": "db"}, 1},
		{"watchdog_target_info", map[string]string{"target_id": "3", "name": "new"}, 1},
		{"watchdog_target_info", map[string]string{"target_id": "4", "name": "old"}, 1},
		{"watchdog_target_info", map[string]string{"target_id": "5", "name": "web"}, 1},
		{"watchdog_targets", map[string]string{"state": "up"}, 2},
		{"watchdog_targets", map[string]string{"state": "down"}, 1},
		{"watchdog_targets", map[string]string{"state": "unknown"}, 1},
		{"watchdog_targets", map[string]string{"state": "paused"}, 1},
		{"watchdog_scheduler_backlog", map[string]string{}, 7},
		{"watchdog_workers_in_flight", map[string]string{}, 3},
		{"watchdog_workers", map[string]string{}, 4},
		{"watchdog_worker_utilization_ratio", map[string]string{}, 0.75},
		{"watchdog_notifications_pending", map[string]string{}, 2},
		{"watchdog_scrape_errors_total", map[string]string{"source": "target_states"}, 0},
	}
	for _, tt := range tests {
		if got := value(t, fams, tt.name, tt.labels); got != tt.want {
			t.Errorf("%s%v = %v, want %v", tt.name, tt.labels, got, tt.want)
		}
	}
	// Unknown and paused targets have no up series.
	if n := len(fams["watchdog_target_up"].GetMetric()); n != 3 {
		t.Errorf("watchdog_target_up has %d series, want 3", n)
	}
	if n := len(fams["watchdog_target_info"].GetMetric()); n != 5 {
		t.Errorf("watchdog_target_info has %d series, want 5", n)
	}
}

func TestStateGaugesWithoutSources(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		sources *metrics.Sources
	}{
		{name: "never set"},
		{name: "all nil", sources: &metrics.Sources{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := metrics.New(metrics.Options{})
			if tt.sources != nil {
				m.SetSources(*tt.sources)
			}
			fams := scrape(t, m)
			for _, name := range []string{"watchdog_target_up", "watchdog_target_info", "watchdog_targets", "watchdog_scheduler_backlog",
				"watchdog_workers_in_flight", "watchdog_workers", "watchdog_worker_utilization_ratio", "watchdog_notifications_pending"} {
				if fams[name] != nil {
					t.Errorf("%s reported without a source", name)
				}
			}
			if fams["go_goroutines"] == nil || fams["process_start_time_seconds"] == nil {
				t.Error("Go and process collectors missing")
			}
		})
	}
}

func TestSourceErrorKeepsScrape(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	var mu sync.Mutex
	m := metrics.New(metrics.Options{Log: slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, nil))})
	m.SetSources(metrics.Sources{
		TargetStates: func(context.Context) ([]metrics.TargetState, error) {
			return nil, errors.New("database is locked")
		},
		Backlog:       func(context.Context) (int64, error) { return 5, nil },
		OutboxPending: func(context.Context) (int64, error) { return 0, errors.New("no connection") },
	})
	m.ObserveCheck(target.Check{TargetID: 1, OK: true})

	for scrapes := 1; scrapes <= 2; scrapes++ {
		fams := scrape(t, m)
		for _, name := range []string{"watchdog_target_up", "watchdog_target_info", "watchdog_targets", "watchdog_notifications_pending"} {
			if fams[name] != nil {
				t.Errorf("%s reported though its source failed", name)
			}
		}
		tests := []struct {
			name   string
			labels map[string]string
			want   float64
		}{
			{"watchdog_scheduler_backlog", map[string]string{}, 5},
			{"watchdog_checks_total", map[string]string{"outcome": "up"}, 1},
			{"watchdog_scrape_errors_total", map[string]string{"source": "target_states"}, float64(scrapes)},
			{"watchdog_scrape_errors_total", map[string]string{"source": "outbox_pending"}, float64(scrapes)},
			{"watchdog_scrape_errors_total", map[string]string{"source": "backlog"}, 0},
		}
		for _, tt := range tests {
			if got := value(t, fams, tt.name, tt.labels); got != tt.want {
				t.Errorf("scrape %d: %s%v = %v, want %v", scrapes, tt.name, tt.labels, got, tt.want)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if !bytes.Contains(logs.Bytes(), []byte("read target states: database is locked")) {
		t.Errorf("source error not logged; log:\n%s", logs.String())
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestUtilizationIsAShare(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		inFlight int
		workers  int
		want     float64
	}{
		{"idle", 0, 8, 0},
		{"half", 4, 8, 0.5},
		{"full", 8, 8, 1},
		{"counted beyond the pool", 10, 8, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := metrics.New(metrics.Options{})
			m.SetSources(metrics.Sources{InFlight: func() int { return tt.inFlight }, Workers: tt.workers})
			fams := scrape(t, m)
			if got := value(t, fams, "watchdog_worker_utilization_ratio", map[string]string{}); got != tt.want {
				t.Errorf("utilization = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestObserveLagAndDelivery(t *testing.T) {
	t.Parallel()
	m := metrics.New(metrics.Options{})
	m.ObserveLag(500 * time.Millisecond)
	m.ObserveLag(2 * time.Second)
	m.ObserveLag(-time.Second) // started early: on time
	m.ObserveDelivery("webhook", "sent", 250*time.Millisecond)
	m.ObserveDelivery("webhook", "retry", 2*time.Second)
	m.ObserveDelivery("webhook", "sent", 250*time.Millisecond)
	m.ObserveDelivery("email", "failed", time.Second)
	fams := scrape(t, m)

	if n, sum := histogram(t, fams, "watchdog_scheduler_lag_seconds", map[string]string{}); n != 3 || sum != 2.5 {
		t.Errorf("lag count, sum = %d, %v; want 3, 2.5", n, sum)
	}
	counts := []struct {
		labels map[string]string
		want   float64
	}{
		{map[string]string{"type": "webhook", "outcome": "sent"}, 2},
		{map[string]string{"type": "webhook", "outcome": "retry"}, 1},
		{map[string]string{"type": "email", "outcome": "failed"}, 1},
	}
	for _, c := range counts {
		if got := value(t, fams, "watchdog_notifications_total", c.labels); got != c.want {
			t.Errorf("watchdog_notifications_total%v = %v, want %v", c.labels, got, c.want)
		}
	}
	durations := []struct {
		channel string
		count   uint64
		sum     float64
	}{
		{"webhook", 3, 2.5},
		{"email", 1, 1},
	}
	for _, d := range durations {
		n, sum := histogram(t, fams, "watchdog_notification_duration_seconds", map[string]string{"type": d.channel})
		if n != d.count || sum != d.sum {
			t.Errorf("%s delivery duration count, sum = %d, %v; want %d, %v", d.channel, n, sum, d.count, d.sum)
		}
	}
}

func TestObserveHTTP(t *testing.T) {
	t.Parallel()
	m := metrics.New(metrics.Options{})
	m.ObserveHTTP(http.MethodGet, "/api/v1/targets/:id", 200, 250*time.Millisecond)
	m.ObserveHTTP(http.MethodGet, "/api/v1/targets/:id", 404, 250*time.Millisecond)
	m.ObserveHTTP(http.MethodGet, "", 404, time.Millisecond)
	m.ObserveHTTP("BREW", "/api/v1/targets", 405, time.Millisecond)
	fams := scrape(t, m)

	tests := []struct {
		labels map[string]string
		want   float64
	}{
		{map[string]string{"method": "GET", "route": "/api/v1/targets/:id", "code": "200"}, 1},
		{map[string]string{"method": "GET", "route": "/api/v1/targets/:id", "code": "404"}, 1},
		{map[string]string{"method": "GET", "route": "unmatched", "code": "404"}, 1},
		{map[string]string{"method": "other", "route": "/api/v1/targets", "code": "405"}, 1},
	}
	for _, tt := range tests {
		if got := value(t, fams, "watchdog_http_requests_total", tt.labels); got != tt.want {
			t.Errorf("watchdog_http_requests_total%v = %v, want %v", tt.labels, got, tt.want)
		}
	}
	if n, sum := histogram(t, fams, "watchdog_http_request_duration_seconds",
		map[string]string{"method": "GET", "route": "/api/v1/targets/:id"}); n != 2 || sum != 0.5 {
		t.Errorf("request duration count, sum = %d, %v; want 2, 0.5", n, sum)
	}
}

// TestConcurrentUse is for the race detector: observations from many goroutines
// while scrapes run, and none lost.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	m := metrics.New(metrics.Options{PerTarget: true})
	m.SetSources(metrics.Sources{InFlight: func() int { return 1 }, Workers: 2})
	const goroutines, each = 8, 200
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				m.ObserveCheck(target.Check{TargetID: int64(i % 4), OK: g%2 == 0})
				m.ObserveLag(time.Millisecond)
				m.ObserveHTTP(http.MethodGet, "/healthz", 200, time.Millisecond)
			}
		})
	}
	wg.Go(func() {
		for range 5 {
			// Not scrape: t.Fatal must not be called off the test's goroutine.
			rec := httptest.NewRecorder()
			m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
			if rec.Code != http.StatusOK {
				t.Errorf("concurrent scrape status = %d", rec.Code)
			}
		}
	})
	wg.Wait()

	fams := scrape(t, m)
	total := 0.0
	for _, mt := range fams["watchdog_checks_total"].GetMetric() {
		total += mt.GetCounter().GetValue()
	}
	if total != goroutines*each {
		t.Errorf("checks counted = %v, want %d", total, goroutines*each)
	}
}
