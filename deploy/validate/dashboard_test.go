package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

const (
	dashboardFile = "../grafana/watchdog.json"
	metricsDir    = "../../backend/internal/metrics"
)

func loadDashboard(t *testing.T) (Catalog, []byte) {
	t.Helper()
	cat, err := LoadCatalog(metricsDir)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	return cat, data
}

func TestCatalogReadsTheMetricsPackage(t *testing.T) {
	cat, _ := loadDashboard(t)
	// A few names the package declares in different ways: a Desc field turned into a
	// const histogram, a HistogramVec, a CounterVec, a scrape-time gauge.
	for _, name := range []string{
		"watchdog_check_duration_seconds_bucket", "watchdog_scheduler_lag_seconds_bucket",
		"watchdog_http_request_duration_seconds_count", "watchdog_checks_total", "watchdog_targets",
	} {
		if !cat.Metrics[name] {
			t.Errorf("catalog has no %s", name)
		}
	}
	if cat.Metrics["watchdog_checks_total_bucket"] {
		t.Error("a counter was taken for a histogram")
	}
}

func TestDashboard(t *testing.T) {
	cat, data := loadDashboard(t)
	rep, err := CheckDashboard(data, cat)
	if err != nil {
		t.Fatalf("%s:\n%v", dashboardFile, err)
	}
	var d struct {
		Title string `json:"title"`
	}
	_ = json.Unmarshal(data, &d)
	if d.Title != "WatchDog" {
		t.Errorf("title = %q, want WatchDog", d.Title)
	}
	// What the dashboard is for (issue 9): checks/s and failure rate, latency
	// percentiles, scheduler lag and backlog, workers, notification deliveries and
	// pending, HTTP rate and latency by route, targets by state.
	for _, name := range []string{
		"watchdog_checks_total", "watchdog_check_duration_seconds_bucket",
		"watchdog_scheduler_lag_seconds_bucket", "watchdog_scheduler_backlog",
		"watchdog_workers_in_flight", "watchdog_worker_utilization_ratio",
		"watchdog_notifications_total", "watchdog_notifications_pending",
		"watchdog_http_requests_total", "watchdog_http_request_duration_seconds_bucket",
		"watchdog_targets", "watchdog_target_up", "watchdog_target_info", "watchdog_build_info",
	} {
		if !rep.Used[name] {
			t.Errorf("no panel reads %s", name)
		}
	}
}

// TestDashboardCheckRefuses breaks one thing in the real dashboard per case.
func TestDashboardCheckRefuses(t *testing.T) {
	cat, data := loadDashboard(t)
	cases := []struct {
		name     string
		old, new string
		want     string
	}{
		{"renamed metric", "watchdog_scheduler_backlog{", "watchdog_scheduler_queue{", `metric "watchdog_scheduler_queue" is not exported`},
		{"counter read as a histogram", "watchdog_check_duration_seconds_bucket", "watchdog_checks_total_bucket", `metric "watchdog_checks_total_bucket"`},
		{"unknown label", "sum by (route)", "sum by (path)", `label "path"`},
		{"unknown function", "histogram_quantile(0.5", "histogram_quantle(0.5", `unknown function with name "histogram_quantle"`},
		{"syntax error", "sum by (outcome) (rate(", "sum by (outcome) rate(", "PromQL: "},
		{"selector without a metric name", `max(watchdog_targets{job=~\"$job\", instance=~\"$instance\", state=\"up\"})`, `max({job=~\"$job\", instance=~\"$instance\", state=\"up\"})`, "a selector without a metric name"},
		{"undefined variable", `instance=~\"$instance\"}) == 0`, `instance=~\"$node\"}) == 0`, "variable $node is not defined"},
		{"fixed datasource", `"uid": "${DS_PROMETHEUS}"`, `"uid": "P1809F7CD0C75ACF3"`, "want {type: prometheus, uid: ${DS_PROMETHEUS}}"},
		{"no datasource input", `"name": "DS_PROMETHEUS",
      "label": "Prometheus"`, `"name": "DS_PROM",
      "label": "Prometheus"`, "__inputs has no DS_PROMETHEUS"},
		{"name without the info join", `(max by (target_id) (watchdog_target_up{job=~\"$job\", instance=~\"$instance\"}) == 0) * on(target_id) group_left(name) topk by (target_id) (1, watchdog_target_info{job=~\"$job\", instance=~\"$instance\"})`, `max by (target_id, name) (watchdog_target_up{job=~\"$job\", instance=~\"$instance\"}) == 0`, `label "name" is only on watchdog_target_info`},
		{"name joined on target_id against every replica's info", `group_left(name) topk by (target_id) (1, watchdog_target_info{job=~\"$job\", instance=~\"$instance\"})`, `group_left(name) watchdog_target_info{job=~\"$job\", instance=~\"$instance\"}`, "two replicas may report different names"},
		{"name joined on target_id against max by (target_id, name)", `group_left(name) topk by (target_id) (1, watchdog_target_info{job=~\"$job\", instance=~\"$instance\"})`, `group_left(name) max by (target_id, name) (watchdog_target_info{job=~\"$job\", instance=~\"$instance\"})`, "two replicas may report different names"},
		{"name joined against topk of two", `group_left(name) topk by (target_id) (1, watchdog_target_info`, `group_left(name) topk by (target_id) (2, watchdog_target_info`, "two replicas may report different names"},
		{"not JSON", `"title": "WatchDog"`, `"title": "WatchDog",,`, "not JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(string(data), tc.old) {
				t.Fatalf("%s has no %q", dashboardFile, tc.old)
			}
			_, err := CheckDashboard([]byte(strings.Replace(string(data), tc.old, tc.new, 1)), cat)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}

	// Layout faults, made on the parsed dashboard.
	layout := []struct {
		name   string
		change func(panels []map[string]any)
		want   string
	}{
		{"duplicate panel id", func(p []map[string]any) { p[2]["id"] = p[1]["id"] }, "is also"},
		{"no gridPos", func(p []map[string]any) { delete(p[2], "gridPos") }, "no gridPos"},
		{"overlapping panels", func(p []map[string]any) { p[2]["gridPos"].(map[string]any)["x"] = 2.0 }, "overlaps"},
		{"wider than the grid", func(p []map[string]any) { p[2]["gridPos"].(map[string]any)["w"] = 30.0 }, "outside the 24-column grid"},
	}
	for _, tc := range layout {
		t.Run(tc.name, func(t *testing.T) {
			var d map[string]any
			if err := json.Unmarshal(data, &d); err != nil {
				t.Fatal(err)
			}
			var panels []map[string]any
			for _, p := range d["panels"].([]any) {
				panels = append(panels, p.(map[string]any))
			}
			tc.change(panels)
			b, _ := json.Marshal(d)
			_, err := CheckDashboard(b, cat)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
