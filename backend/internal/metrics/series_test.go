package metrics_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"

	"github.com/watchdog-monitor/watchdog/backend/internal/buildinfo"
	"github.com/watchdog-monitor/watchdog/backend/internal/metrics"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// rawScrape is one scrape of m in the text format, as Prometheus would read it.
func rawScrape(t *testing.T, m *metrics.Metrics) []byte {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("Accept", "text/plain; version=0.0.4")
	m.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape status = %d, want 200", rec.Code)
	}
	return rec.Body.Bytes()
}

// watchdogSamples counts the scrape's watchdog_ samples: every line Prometheus stores
// as a series (a histogram's buckets, _sum and _count each count).
func watchdogSamples(t *testing.T, body []byte) int {
	t.Helper()
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "watchdog_") {
			n++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

// fleet is Metrics over n active targets, each checked once (up), as a running server
// has them: check tallies from the scheduler, states from the database.
func fleet(n int, perTarget bool) *metrics.Metrics {
	m := metrics.New(metrics.Options{PerTarget: perTarget,
		ChannelTypes: []string{"webhook", "email"}, DeliveryOutcomes: []string{"sent", "retry", "failed"}})
	states := make([]metrics.TargetState, 0, n)
	for id := int64(1); id <= int64(n); id++ {
		m.ObserveCheck(target.Check{TargetID: id, OK: true, LatencyMS: 20, ColdStart: id == 1})
		states = append(states, metrics.TargetState{ID: id, Name: fmt.Sprintf("target %d", id), Status: "up", Active: true})
	}
	m.SetSources(metrics.Sources{
		TargetStates:  func(context.Context) ([]metrics.TargetState, error) { return states, nil },
		Backlog:       func(context.Context) (int64, error) { return 0, nil },
		InFlight:      func() int { return 0 },
		Workers:       4,
		OutboxPending: func(context.Context) (int64, error) { return 0, nil },
	})
	return m
}

// TestSeriesPerTarget measures what one more target costs in series: the scrape of
// N+1 targets minus that of N. The README's METRICS_PER_TARGET row states both
// figures, and this test holds it to them.
func TestSeriesPerTarget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		perTarget bool
		// checks_total (2 outcomes) + check_duration_seconds (2 outcomes × (12 buckets,
		// +Inf, _sum, _count)) + cold_starts_total + target_up + target_info.
		want   int
		readme string
	}{
		{name: "per target", perTarget: true, want: 2 + 2*(12+3) + 1 + 1 + 1, readme: "%d series per target"},
		// target_up and target_info only: the check series are one set for all targets.
		{name: "all targets together", perTarget: false, want: 2, readme: "%d with it off"},
	}
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, n := range []int{1, 5} {
				before := watchdogSamples(t, rawScrape(t, fleet(n, tt.perTarget)))
				after := watchdogSamples(t, rawScrape(t, fleet(n+1, tt.perTarget)))
				if got := after - before; got != tt.want {
					t.Errorf("%d → %d targets: %d more series, want %d", n, n+1, got, tt.want)
				}
			}
			if phrase := fmt.Sprintf(tt.readme, tt.want); !bytes.Contains(readme, []byte(phrase)) {
				t.Errorf("README.md does not say %q (METRICS_PER_TARGET)", phrase)
			}
		})
	}
}

// TestPerTargetSeriesCarryOnlyTheID: a rename changes one series (target_info), never
// the check or state series.
func TestPerTargetSeriesCarryOnlyTheID(t *testing.T) {
	t.Parallel()
	fams := scrape(t, fleet(2, true))
	for _, name := range []string{"watchdog_checks_total", "watchdog_check_duration_seconds",
		"watchdog_cold_starts_total", "watchdog_target_up"} {
		if len(fams[name].GetMetric()) == 0 {
			t.Errorf("no %s series", name)
		}
		for _, mt := range fams[name].GetMetric() {
			for _, l := range mt.GetLabel() {
				if l.GetName() != "target_id" && l.GetName() != "outcome" {
					t.Errorf("%s has label %s=%q; only target_id (and outcome) belong there", name, l.GetName(), l.GetValue())
				}
			}
		}
	}
	if got := value(t, fams, "watchdog_target_info", map[string]string{"target_id": "2", "name": "target 2"}); got != 1 {
		t.Errorf("watchdog_target_info for target 2 = %v, want 1", got)
	}
}

func TestNotificationSeriesStartAtZero(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		types    []string
		outcomes []string
	}{
		{"every type and outcome", []string{"discord", "email", "webhook"}, []string{"sent", "retry", "failed"}},
		{"none given", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := metrics.New(metrics.Options{ChannelTypes: tt.types, DeliveryOutcomes: tt.outcomes})
			fams := scrape(t, m)
			if got, want := len(fams["watchdog_notifications_total"].GetMetric()), len(tt.types)*len(tt.outcomes); got != want {
				t.Errorf("watchdog_notifications_total has %d series, want %d", got, want)
			}
			if got, want := len(fams["watchdog_notification_duration_seconds"].GetMetric()), len(tt.types); got != want {
				t.Errorf("watchdog_notification_duration_seconds has %d series, want %d", got, want)
			}
			for _, typ := range tt.types {
				for _, o := range tt.outcomes {
					if got := value(t, fams, "watchdog_notifications_total", map[string]string{"type": typ, "outcome": o}); got != 0 {
						t.Errorf("watchdog_notifications_total{type=%q,outcome=%q} = %v, want 0", typ, o, got)
					}
				}
				if n, sum := histogram(t, fams, "watchdog_notification_duration_seconds", map[string]string{"type": typ}); n != 0 || sum != 0 {
					t.Errorf("%s delivery duration count, sum = %d, %v; want 0, 0", typ, n, sum)
				}
			}
		})
	}
}

func TestBuildInfo(t *testing.T) {
	t.Parallel()
	b := buildinfo.Read()
	fams := scrape(t, metrics.New(metrics.Options{}))
	labels := map[string]string{"version": b.Version, "commit": b.Commit, "goversion": b.GoVersion}
	if got := value(t, fams, "watchdog_build_info", labels); got != 1 {
		t.Errorf("watchdog_build_info%v = %v, want 1", labels, got)
	}
	if n := len(fams["watchdog_build_info"].GetMetric()); n != 1 {
		t.Errorf("watchdog_build_info has %d series, want 1", n)
	}
}

// TestCheckDurationBuckets: fast targets land in buckets fine enough to tell 2 ms from
// 20 ms, and slow ones still in the upper ones.
func TestCheckDurationBuckets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		latencyMS int
		// le is the smallest bound counting the check; every smaller one counts none.
		le float64
	}{
		{"same host", 2, .005},
		{"same region", 8, .01},
		{"across a continent", 20, .025},
		{"slow", 700, 1},
		{"cold start", 25_000, 30},
		{"beyond every bound", 45_000, 0}, // +Inf only
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := metrics.New(metrics.Options{})
			m.ObserveCheck(target.Check{TargetID: 1, OK: true, LatencyMS: tt.latencyMS})
			h := find(scrape(t, m), "watchdog_check_duration_seconds", map[string]string{"outcome": "up"}).GetHistogram()
			bounds := h.GetBucket()
			if len(bounds) == 0 || bounds[0].GetUpperBound() != .005 {
				t.Fatalf("first bucket = %v, want 0.005", bounds)
			}
			for _, b := range bounds {
				want := uint64(0)
				if math.IsInf(b.GetUpperBound(), 1) || (tt.le != 0 && b.GetUpperBound() >= tt.le) {
					want = 1
				}
				if b.GetCumulativeCount() != want {
					t.Errorf("bucket le=%v counts %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), want)
				}
			}
		})
	}
}

// TestScrapeLint runs a full scrape, every series present, through promlint: the
// checks `promtool check metrics` makes (names, units, suffixes, help).
func TestScrapeLint(t *testing.T) {
	t.Parallel()
	m := fleet(3, true)
	m.ObserveLag(0)
	m.ObserveDelivery("webhook", "sent", 0)
	m.ObserveHTTP(http.MethodGet, "/healthz", 200, 0)
	body := rawScrape(t, m)
	problems, err := promlint.New(io.NopCloser(bytes.NewReader(body))).Lint()
	if err != nil {
		t.Fatalf("lint: %v", err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", p.Metric, p.Text)
	}
	for _, name := range []string{"watchdog_checks_total", "watchdog_target_info", "watchdog_build_info",
		"watchdog_worker_utilization_ratio", "watchdog_notifications_total", "watchdog_scheduler_lag_seconds_bucket"} {
		if !bytes.Contains(body, []byte("\n"+name)) {
			t.Errorf("the linted scrape has no %s", name)
		}
	}
}
