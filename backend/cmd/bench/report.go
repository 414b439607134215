package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// Result is one run's numbers, printed as a table and written as JSON.
type Result struct {
	Mode            string    `json:"mode"` // "steady" or "max"
	StartedAt       time.Time `json:"started_at"`
	Database        string    `json:"database"`
	Replicas        int       `json:"replicas"`
	Targets         int       `json:"targets"`
	IntervalSeconds int       `json:"interval_seconds"`
	TimeoutSeconds  int       `json:"timeout_seconds"`
	Retries         int       `json:"retries"` // -1: the product's default
	Profile         string    `json:"profile"`
	Workers         int       `json:"workers"`
	Pollers         int       `json:"pollers"`
	Spread          bool      `json:"spread"`
	Env             []string  `json:"env,omitempty"`

	DurationSeconds float64 `json:"duration_seconds"`
	WarmupSeconds   float64 `json:"warmup_seconds"`
	WindowSeconds   float64 `json:"window_seconds"`
	CreateSeconds   float64 `json:"create_seconds"`
	// CooldownSeconds is how long the replicas ran after the window for its last
	// checks to finish; PendingAtStop counts the window's slots still unchecked then.
	CooldownSeconds float64 `json:"cooldown_seconds"`
	PendingAtStop   int     `json:"pending_at_stop"`

	IdealPerSecond    float64 `json:"ideal_checks_per_second"`
	AchievedPerSecond float64 `json:"achieved_checks_per_second"`
	Checks            int     `json:"checks"`
	MissedImplied     int     `json:"missed_implied"`
	Unrecorded        int     `json:"unrecorded_targets"`
	UncheckedTargets  int     `json:"unchecked_targets"` // -1: run shorter than one interval
	LatenessP50MS     float64 `json:"lateness_p50_ms"`
	LatenessP99MS     float64 `json:"lateness_p99_ms"`
	LatenessMaxMS     float64 `json:"lateness_max_ms"`
	LatenessFallbacks int     `json:"lateness_fallbacks"`
	Duplicates        int     `json:"duplicates"`
	RowsPerSecond     float64 `json:"rows_written_per_second"`
	StrayRequests     int64   `json:"stray_requests"`

	CPUSeconds     float64 `json:"cpu_seconds"`
	CPUPercentCore float64 `json:"cpu_percent_of_one_core"`
	HostCPUPercent float64 `json:"host_cpu_busy_percent"`
	// HarnessCPUPercent is this process's own share (fleet and pollers), in % of one
	// core, so it can be told apart from the database's in the host figure.
	HarnessCPUPercent float64 `json:"harness_cpu_percent_of_one_core"`
	PeakRSSMB         float64 `json:"peak_rss_mb"`
	// LoadAverage is the machine's one-minute load average at the window's start and
	// end: latencies measured on a busy machine say little about the product.
	LoadAverage [2]float64 `json:"load_average"`

	ReadyMS      float64 `json:"startup_ready_ms"`
	FirstCheckMS float64 `json:"startup_first_check_ms"` // -1: no request reached the fleet

	API         APIResult `json:"api"`
	LoginErrors int       `json:"api_login_errors"`
	Notes       []string  `json:"notes,omitempty"`

	// Mix is the fleet's check types (http, mixed, tcp, dns, heartbeat).
	Mix string `json:"mix"`
	// ScheduledTargets are the targets the product checks on a schedule (every type
	// but heartbeat): the ideal is ScheduledTargets / interval.
	ScheduledTargets int `json:"scheduled_targets"`
	// FleetTargets are those whose checks the fleet can match to a target (http by
	// path, dns by name; not tcp): the lateness, duplicates and unchecked rows cover
	// these.
	FleetTargets int `json:"fleet_observed_targets"`
	// CPUMSPerCheck is the replicas' CPU over the window divided by the scheduled
	// checks and the pings taken in it: API polling is included unless pollers is 0.
	CPUMSPerCheck float64 `json:"cpu_ms_per_check"`
	// DBCPUSeconds is the CPU of the run database's PostgreSQL backends over the
	// window (-1: not measured: SQLite, or a server not on this machine); the server's
	// shared processes (WAL writer, checkpointer) are left out. DBCPUMSPerCheck
	// divides it as CPUMSPerCheck does.
	DBCPUSeconds     float64      `json:"db_cpu_seconds"`
	DBCPUPercentCore float64      `json:"db_cpu_percent_of_one_core"`
	DBCPUMSPerCheck  float64      `json:"db_cpu_ms_per_check"`
	ByType           []TypeResult `json:"by_type,omitempty"`
	Pings            *PingResult  `json:"pings,omitempty"`
}

// TypeResult is one check type's share of a run.
type TypeResult struct {
	Type              string  `json:"type"`
	Targets           int     `json:"targets"`
	IdealPerSecond    float64 `json:"ideal_checks_per_second"` // 0 for heartbeats: they are pinged
	AchievedPerSecond float64 `json:"achieved_checks_per_second"`
	Checks            int     `json:"checks"` // slots in the window
	// Lateness is checked_at − scheduled_at from the checks table: the same measure
	// for every type, tcp included, but without the dial (the fleet-side figure has it).
	LatenessP50MS float64 `json:"lateness_p50_ms"`
	LatenessP99MS float64 `json:"lateness_p99_ms"`
	LatenessMaxMS float64 `json:"lateness_max_ms"`
	// FleetSaw is what the fleet received in the window: http requests, dns
	// questions, tcp connections, heartbeat pings taken.
	FleetSaw int64 `json:"fleet_saw"`
	// CPUMSPerCheck is measured only when the whole fleet is this type (a -mix tcp,
	// dns, heartbeat or http run): a mixed run's CPU cannot be split by type.
	CPUMSPerCheck float64 `json:"cpu_ms_per_check,omitempty"`
}

// pingsTaken is how many pings the product took in the window.
func (r *Result) pingsTaken() int {
	if r.Pings == nil {
		return 0
	}
	return r.Pings.OK
}

// fleetSaw is what each part of the fleet received in the window.
type fleetSaw struct{ http, dns, tcp int64 }

// fillByType fills the per-type figures and the CPU per check.
func (r *Result) fillByType(c config, counts map[target.Type]int, by map[target.Type]*typeAnalysis, window float64, saw fleetSaw) {
	pings := r.pingsTaken()
	if n := r.Checks + pings; n > 0 {
		r.CPUMSPerCheck = 1000 * r.CPUSeconds / float64(n)
	}
	types, _ := fleetTypes(c.Mix, c.N)
	for _, typ := range types {
		t := TypeResult{Type: string(typ), Targets: counts[typ]}
		if scheduled(typ) {
			t.IdealPerSecond = float64(counts[typ]) / float64(c.Interval)
		}
		if a := by[typ]; a != nil {
			t.Checks = a.checks
			t.AchievedPerSecond = float64(a.checks) / window
			t.LatenessP50MS, t.LatenessP99MS, t.LatenessMaxMS = percentile(a.lateness, 50), percentile(a.lateness, 99), percentile(a.lateness, 100)
		}
		switch typ {
		case target.TypeHTTP:
			t.FleetSaw = saw.http
		case target.TypeDNS:
			t.FleetSaw = saw.dns
		case target.TypeTCP:
			t.FleetSaw = saw.tcp
		case target.TypeHeartbeat:
			t.FleetSaw = int64(pings)
		}
		if len(types) == 1 {
			t.CPUMSPerCheck = r.CPUMSPerCheck
		}
		r.ByType = append(r.ByType, t)
	}
}

// setWritesPerPing divides the run's row writes by the pings the product took, when
// pings were all that wrote: with scheduled checks in the run, their rows land in the
// same tables and the quotient would mean nothing.
func (p *PingResult) setWritesPerPing(scheduledTargets int) {
	switch {
	case p.Writes == nil:
		p.WritesNote = "write counters are read on PostgreSQL only"
	case scheduledTargets > 0:
		p.WritesNote = "scheduled checks write to the same tables: measure writes per ping with -mix heartbeat"
	case p.SentOK == 0:
		p.WritesNote = "no ping was taken"
	default:
		p.WritesPerPing = float64(p.Writes.ChecksInserted+p.Writes.TargetsUpdated) / float64(p.SentOK)
		p.AllWritesPerPing = float64(p.Writes.All) / float64(p.SentOK)
		if w := p.WindowWrites; w != nil && p.OK > 0 {
			p.WindowWritesPerPing = float64(w.ChecksInserted+w.TargetsUpdated) / float64(p.OK)
			p.WindowAllWritesPerPing = float64(w.All) / float64(p.OK)
		}
	}
}

// APIResult is the pollers' view of each endpoint.
type APIResult struct {
	List        EndpointResult `json:"list"`
	Stats       EndpointResult `json:"stats"`
	TargetStats EndpointResult `json:"target_stats"`
	ListFilter  EndpointResult `json:"list_filter"`
	Heartbeats  EndpointResult `json:"heartbeats"`
	Target      EndpointResult `json:"target"`
	Checks      EndpointResult `json:"checks"`
	Incidents   EndpointResult `json:"incidents"`
}

// EndpointResult is one endpoint's answers inside the window.
type EndpointResult struct {
	Requests    int     `json:"requests"`
	OK          int     `json:"ok"`
	NotModified int     `json:"not_modified"`
	Other       int     `json:"other"`
	P50MS       float64 `json:"p50_ms"`
	P99MS       float64 `json:"p99_ms"`
	Share304    float64 `json:"share_304"`
}

func (a *APIResult) byEndpoint() [numEndpoints]*EndpointResult {
	return [numEndpoints]*EndpointResult{&a.List, &a.Stats, &a.TargetStats, &a.ListFilter, &a.Heartbeats, &a.Target, &a.Checks, &a.Incidents}
}

// worstP99 is the slowest endpoint's p99 and its name.
func (a *APIResult) worstP99() (float64, string) {
	worst, name := 0.0, "-"
	for i, e := range a.byEndpoint() {
		if e.Requests > 0 && e.P99MS >= worst {
			worst, name = e.P99MS, endpointNames[i]
		}
	}
	return worst, name
}

// label names the run's mode for a reader.
func (r Result) label() string {
	if r.Mode == "max" {
		return "ceiling (-max)"
	}
	return "steady load"
}

func retriesText(n int) string {
	if n < 0 {
		return "product default"
	}
	return fmt.Sprint(n)
}

// printTable writes one run as an aligned two-column table.
func printTable(w io.Writer, r Result) {
	fmt.Fprintf(w, "=== watchdog bench: %s, %s, %d targets, %s ===\n", r.label(), r.Database, r.Targets, r.StartedAt.Format(time.RFC3339))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(name, format string, args ...any) {
		fmt.Fprintf(tw, "%s\t%s\n", name, fmt.Sprintf(format, args...))
	}
	row("database", "%s", r.Database)
	row("replicas", "%d", r.Replicas)
	row("targets (N)", "%d", r.Targets)
	row("interval / timeout", "%d s / %d s, retries %s", r.IntervalSeconds, r.TimeoutSeconds, retriesText(r.Retries))
	row("profile", "%s", r.Profile)
	row("workers per replica", "%d", r.Workers)
	row("window", "%.1f s (run %.0f s, warm-up %.0f s)", r.WindowSeconds, r.DurationSeconds, r.WarmupSeconds)
	row("ideal checks/s", "%.2f", r.IdealPerSecond)
	if r.Mode == "max" {
		row("achieved checks/s (ceiling)", "%.2f  (%d checks)", r.AchievedPerSecond, r.Checks)
	} else {
		row("achieved checks/s", "%.2f  (%d checks)", r.AchievedPerSecond, r.Checks)
	}
	row("missed (implied)", "%d  (%d still pending after %.1f s cool-down; %d targets requested, not recorded)", r.MissedImplied, r.PendingAtStop, r.CooldownSeconds, r.Unrecorded)
	if r.Mix != mixHTTP && r.Mix != "" && r.FleetTargets == 0 {
		row("targets not checked", "n/a (the fleet cannot tell tcp targets apart; heartbeats are pinged)")
	} else if r.UncheckedTargets < 0 {
		row("targets not checked", "n/a (run shorter than one interval after the first slots)")
	} else {
		row("targets not checked", "%d", r.UncheckedTargets)
	}
	switch {
	case r.Mix == mixHTTP || r.Mix == "":
		row("lateness p50 / p99 / max", "%s / %s / %s ms  (%d from start time)", ms(r.LatenessP50MS), ms(r.LatenessP99MS), ms(r.LatenessMaxMS), r.LatenessFallbacks)
	case r.FleetTargets == 0:
		row("lateness, fleet-side", "n/a (no http or dns targets: see by type)")
	default:
		row("lateness p50 / p99 / max, fleet-side", "%s / %s / %s ms  (%d from start time; http and dns targets)", ms(r.LatenessP50MS), ms(r.LatenessP99MS), ms(r.LatenessMaxMS), r.LatenessFallbacks)
	}
	row("duplicate pings", "%d", r.Duplicates)
	row("rows written/s", "%.2f", r.RowsPerSecond)
	if r.Mix != mixHTTP && r.Mix != "" {
		for _, t := range r.ByType {
			if t.Type == string(target.TypeHeartbeat) {
				row("  heartbeat", "%d targets, pinged (see pings); %d deadline checks in the window", t.Targets, t.Checks)
				continue
			}
			cpu := "CPU per check: see the single-type runs"
			if t.CPUMSPerCheck > 0 {
				cpu = fmt.Sprintf("CPU %.3f ms per check", t.CPUMSPerCheck)
			}
			row("  "+t.Type, "%d targets: %.1f of %.1f checks/s; late p50 / p99 / max %s / %s / %s ms (table); fleet saw %d; %s",
				t.Targets, t.AchievedPerSecond, t.IdealPerSecond, ms(t.LatenessP50MS), ms(t.LatenessP99MS), ms(t.LatenessMaxMS), t.FleetSaw, cpu)
		}
	}
	if p := r.Pings; p != nil {
		row("pings asked", "%.1f/s over %d heartbeats (%.3f/s per token)", p.RatePerSecond, p.Heartbeats, p.PerTokenPerSecond)
		row("pings taken", "%.1f/s  (%d in the window: %d 2xx, %d 429, %d other, %d no answer; pinger behind by up to %s ms)",
			p.AchievedPerSecond, p.InWindow, p.OK, p.TooMany, p.Other, p.Failed, ms(p.BehindMS))
		row("ping latency p50 / p99 / max", "%s / %s / %s ms  (p99 from when due: %s ms)", ms(p.P50MS), ms(p.P99MS), ms(p.MaxMS), ms(p.FromDueP99MS))
		if p.WritesNote != "" {
			row("DB writes per ping", "n/a (%s)", p.WritesNote)
		} else {
			row("DB writes per ping, run", "%.2f  (checks inserted %d + targets updated %d, over all %d pings, first pings included); every table: %.2f",
				p.WritesPerPing, p.Writes.ChecksInserted, p.Writes.TargetsUpdated, p.SentOK, p.AllWritesPerPing)
			if w := p.WindowWrites; w != nil {
				row("DB writes per ping, window", "%.2f  (checks inserted %d + targets updated %d, over the window's %d pings); every table: %.2f",
					p.WindowWritesPerPing, w.ChecksInserted, w.TargetsUpdated, p.OK, p.WindowAllWritesPerPing)
			}
		}
	}
	row("CPU user+sys (replicas)", "%.2f s  (%.1f%% of one core)", r.CPUSeconds, r.CPUPercentCore)
	perCheck := "scheduled checks"
	if r.Pings != nil {
		perCheck += " and pings"
	}
	if r.Pollers > 0 {
		perCheck += "; API polling included"
	}
	row("CPU per check", "%.3f ms  (%s)", r.CPUMSPerCheck, perCheck)
	if r.DBCPUSeconds >= 0 && r.Database == "postgres" {
		row("PostgreSQL CPU (run's backends)", "%.2f s  (%.1f%% of one core; %.3f ms per check)", r.DBCPUSeconds, r.DBCPUPercentCore, r.DBCPUMSPerCheck)
	}
	row("host CPU busy", "%.1f%% of all cores  (harness itself %.1f%% of one core)", r.HostCPUPercent, r.HarnessCPUPercent)
	row("load average (1 min)", "%.2f at the window's start, %.2f at its end", r.LoadAverage[0], r.LoadAverage[1])
	row("peak RSS (max replica)", "%.1f MB", r.PeakRSSMB)
	first := "none"
	if r.FirstCheckMS >= 0 {
		first = ms(r.FirstCheckMS) + " ms"
	}
	row("start-up: ready / first check", "%s ms / %s", ms(r.ReadyMS), first)
	row("target creation", "%.2f s", r.CreateSeconds)
	for i, e := range r.API.byEndpoint() {
		if r.Pollers == 0 {
			break // no API traffic: rows of zeros would only hide the others
		}
		row("API "+endpointNames[i], "p50 %s ms  p99 %s ms  304 %.0f%%  (%d requests, %d not 200/304)", ms(e.P50MS), ms(e.P99MS), 100*e.Share304, e.Requests, e.Other)
	}
	if r.LoginErrors > 0 {
		row("API login errors", "%d requests not sent", r.LoginErrors)
	}
	if r.StrayRequests > 0 {
		row("stray fleet requests", "%d", r.StrayRequests)
	}
	_ = tw.Flush()
	for _, n := range r.Notes {
		fmt.Fprintf(w, "NOTE: %s\n", n)
	}
}

// ms prints milliseconds with a precision that suits their size.
func ms(v float64) string {
	if v < 10 {
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.0f", v)
}

// printSummary writes one line per run.
func printSummary(w io.Writer, rs []Result) {
	fmt.Fprintln(w, "=== summary ===")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "db\tmode\tmix\tN\tivl s\trepl\tideal/s\tgot/s\tlate p50\tlate p99\tdup\tcpu %%core\tcpu ms/chk\thost %%\tRSS MB\tping p99\tlist p99\tstats p99\ttstats p99\tworst API p99\t\n")
	for _, r := range rs {
		worst, name := r.API.worstP99()
		p50, p99 := r.summaryLateness()
		pingP99 := "-"
		if r.Pings != nil {
			pingP99 = ms(r.Pings.P99MS)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%.1f\t%.1f\t%s\t%s\t%d\t%.1f\t%.3f\t%.1f\t%.0f\t%s\t%s\t%s\t%s\t%s %s\t\n",
			r.Database, r.Mode, r.Mix, r.Targets, r.IntervalSeconds, r.Replicas, r.IdealPerSecond, r.AchievedPerSecond,
			p50, p99, r.Duplicates, r.CPUPercentCore, r.CPUMSPerCheck, r.HostCPUPercent, r.PeakRSSMB, pingP99,
			apiMS(r, r.API.List.P99MS), apiMS(r, r.API.Stats.P99MS), apiMS(r, r.API.TargetStats.P99MS), apiMS(r, worst), name)
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "(lateness and API latencies in ms)")
}

// apiMS prints an API latency, or "-" for a run without pollers.
func apiMS(r Result, v float64) string {
	if r.Pollers == 0 {
		return "-"
	}
	return ms(v)
}

// summaryLateness is the run's lateness for the summary line: the fleet-side figure,
// or, with no target the fleet can match (tcp alone), the checks table's.
func (r Result) summaryLateness() (p50, p99 string) {
	if r.FleetTargets > 0 || r.Mix == mixHTTP || r.Mix == "" {
		return ms(r.LatenessP50MS), ms(r.LatenessP99MS)
	}
	for _, t := range r.ByType {
		if t.Checks > 0 {
			return ms(t.LatenessP50MS), ms(t.LatenessP99MS)
		}
	}
	return "-", "-"
}

// writeJSON writes the result to dir as <UTC time>-<db>-n<N>[-max].json.
func writeJSON(dir string, r Result) (string, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("results directory: %w", err)
	}
	name := fmt.Sprintf("%s-%s-n%d", r.StartedAt.UTC().Format("20060102T150405Z"), r.Database, r.Targets)
	if r.Mode == "max" {
		name += "-max"
	}
	if r.Mix != mixHTTP && r.Mix != "" {
		name += "-" + r.Mix
	}
	path := filepath.Join(dir, name+".json")
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return "", fmt.Errorf("encode result: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o640); err != nil {
		return "", fmt.Errorf("write result: %w", err)
	}
	return path, nil
}
