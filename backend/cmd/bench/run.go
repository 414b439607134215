package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/store"
)

// run does one run: fleet, database, targets, replicas, pollers, the measured window,
// shutdown, analysis. It writes the result as JSON to c.OutDir and returns it with
// the file's path. Everything it starts is stopped before it returns.
func run(ctx context.Context, c config, progress io.Writer) (res Result, path string, err error) {
	c = c.withMode()
	if err := c.validate(); err != nil {
		return Result{}, "", err
	}
	if c.OutDir == "" {
		root, err := repoRoot()
		if err != nil {
			return Result{}, "", fmt.Errorf("find the results directory (or set -out): %w", err)
		}
		c.OutDir = filepath.Join(root, "bench", "results")
	}
	if c.Bin == "" {
		dir, err := os.MkdirTemp("", "watchdog-bench-bin-")
		if err != nil {
			return Result{}, "", fmt.Errorf("temporary directory for the binary: %w", err)
		}
		defer func() { _ = os.RemoveAll(dir) }()
		if c.Bin, err = buildWatchdog(ctx, dir, progress); err != nil {
			return Result{}, "", err
		}
	}
	interval := time.Duration(c.Interval) * time.Second

	f, err := startFleet(c.Profile, c.Listeners, c.N)
	if err != nil {
		return Result{}, "", err
	}
	defer f.close()
	db, err := newDatabase(ctx, c)
	if err != nil {
		return Result{}, "", err
	}
	defer func() {
		if err := db.drop(); err != nil {
			fmt.Fprintf(progress, "WARNING: %v\n", err)
		}
	}()
	sd, err := seed(ctx, db, c, f, progress)
	if err != nil {
		return Result{}, "", fmt.Errorf("create targets: %w", err)
	}
	ids, took := sd.ids, sd.took
	fmt.Fprintf(progress, "created %d targets in %.2fs (%.0f/s) on %s\n", c.N, took.Seconds(), float64(c.N)/took.Seconds(), c.DB)
	firstDue := time.Now() // the first slots are from here on
	if c.Spread {
		if err := spreadPhases(ctx, db, interval, progress); err != nil {
			return Result{}, "", fmt.Errorf("%w (run with -spread=false to skip)", err)
		}
	}

	rs, err := startReplicas(ctx, c, db.url)
	if err != nil {
		return Result{}, "", err
	}
	defer rs.stop()
	defer func() {
		if err == nil {
			return
		}
		for _, r := range rs.list {
			select {
			case <-r.done: // its output is in the error already
			default:
				fmt.Fprintf(progress, "--- replica %s output (tail):\n%s\n", r.url, r.out.tail(40))
			}
		}
	}()
	start := time.Now()
	windowStart, windowEnd := start.Add(c.Warmup), start.Add(c.Duration)
	fmt.Fprintf(progress, "%d replica(s) ready; measuring %s to %s\n", c.Replicas,
		windowStart.Format("15:04:05"), windowEnd.Format("15:04:05"))

	var pl *pollers
	if c.Pollers > 0 {
		if pl, err = startPollers(ctx, c.Pollers, rs.urls(), rs.password, ids, windowStart, windowEnd); err != nil {
			return Result{}, "", fmt.Errorf("API pollers: %w", err)
		}
		defer pl.stop()
	}

	if err := rs.sleepUntil(ctx, windowStart); err != nil {
		return Result{}, "", err
	}
	cpu0, host0, err := rs.sampleCPU()
	if err != nil {
		return Result{}, "", err
	}
	self0, err := processCPU(os.Getpid())
	if err != nil {
		return Result{}, "", err
	}
	load0, err := loadAverage()
	if err != nil {
		return Result{}, "", err
	}
	if err := rs.sleepUntil(ctx, windowEnd); err != nil {
		return Result{}, "", err
	}
	cpu1, host1, err := rs.sampleCPU()
	if err != nil {
		return Result{}, "", err
	}
	self1, err := processCPU(os.Getpid())
	if err != nil {
		return Result{}, "", err
	}
	load1, err := loadAverage()
	if err != nil {
		return Result{}, "", err
	}
	rss, err := rs.peakRSS()
	if err != nil {
		return Result{}, "", err
	}

	if pl != nil {
		pl.stop()
	}
	// A slot due at the window's end waits up to a tick to be claimed, then runs for
	// up to the check budget, then waits up to a flush to be written.
	coolLimit := time.Second + sd.budget + time.Second
	coolStart := time.Now()
	pending, err := coolDown(ctx, db, windowEnd, coolLimit, rs.died, progress)
	if err != nil {
		return Result{}, "", err
	}
	cooled := time.Since(coolStart)
	fmt.Fprintf(progress, "cool-down %.1fs; %d slots of the window still pending\n", cooled.Seconds(), pending)
	notes := rs.stop()
	f.close()

	timings, err := readTimings(ctx, db.url, progress, firstDue)
	if err != nil {
		return Result{}, "", err
	}
	an := analyse(timings, ids, f.sortedArrivals, interval, windowStart, windowEnd, firstDue)

	window := windowEnd.Sub(windowStart).Seconds()
	res = Result{
		Mode: "steady", StartedAt: start.UTC(), Database: c.DB, Replicas: c.Replicas, Targets: c.N,
		IntervalSeconds: c.Interval, TimeoutSeconds: c.Timeout, Retries: c.Retries, Profile: c.Profile,
		Workers: c.Workers, Pollers: c.Pollers, Spread: c.Spread, Env: c.Env,
		DurationSeconds: c.Duration.Seconds(), WarmupSeconds: c.Warmup.Seconds(), WindowSeconds: window,
		CreateSeconds: took.Seconds(), CooldownSeconds: cooled.Seconds(), PendingAtStop: pending,

		IdealPerSecond: float64(c.N) / float64(c.Interval), AchievedPerSecond: float64(an.checks) / window,
		Checks: an.checks, Unrecorded: an.unrecorded, UncheckedTargets: an.unchecked,
		LatenessP50MS: percentile(an.lateness, 50), LatenessP99MS: percentile(an.lateness, 99),
		LatenessMaxMS: percentile(an.lateness, 100), LatenessFallbacks: an.fallbacks,
		Duplicates: an.duplicates, RowsPerSecond: float64(an.rows) / window, StrayRequests: f.stray.Load(),

		CPUSeconds: cpu1 - cpu0, CPUPercentCore: 100 * (cpu1 - cpu0) / window,
		HostCPUPercent: busyPercent(host0, host1), HarnessCPUPercent: 100 * (self1 - self0) / window, PeakRSSMB: rss,
		LoadAverage: [2]float64{load0, load1},
		ReadyMS:     rs.readyMS(), FirstCheckMS: rs.firstCheckMS(f.firstArrival()),
		Notes: notes,
	}
	res.MissedImplied = max(0, int(math.Round(res.IdealPerSecond*window))-an.checks)
	if c.Max {
		res.Mode = "max"
		if res.AchievedPerSecond >= 0.95*res.IdealPerSecond {
			res.Notes = append(res.Notes, "the offered load was met, so the ceiling is above it: raise -n")
		}
	}
	if pl != nil {
		pl.log.fill(&res)
	}
	path, err = writeJSON(c.OutDir, res)
	if err != nil {
		return Result{}, "", err
	}
	return res, path, nil
}

// readTimings reads every scheduled check of the run, those after the window too:
// they bound the spans of the window's last checks.
func readTimings(ctx context.Context, dbURL string, logw io.Writer, since time.Time) ([]store.Timing, error) {
	st, err := store.Open(ctx, dbURL, quietLogger(logw))
	if err != nil {
		return nil, fmt.Errorf("open store for analysis: %w", err)
	}
	defer func() { _ = st.Close() }()
	timings, err := st.Timings(ctx, since.Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		return nil, fmt.Errorf("analysis: %w", err)
	}
	return timings, nil
}

// fill copies the pollers' numbers into the result.
func (l *apiLog) fill(r *Result) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for ep, e := range r.API.byEndpoint() {
		lat := append([]float64(nil), l.latencyMS[ep]...)
		slices.Sort(lat)
		e.Requests = len(lat)
		e.OK, e.NotModified, e.Other = l.ok[ep], l.notModified[ep], l.other[ep]
		e.P50MS, e.P99MS = percentile(lat, 50), percentile(lat, 99)
		if e.Requests > 0 {
			e.Share304 = float64(e.NotModified) / float64(e.Requests)
		}
	}
	r.LoginErrors = l.loginErrors
}

// sleepUntil waits for t, and fails early if a replica dies or ctx ends.
func (rs *replicaSet) sleepUntil(ctx context.Context, t time.Time) error {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-rs.died:
		return fmt.Errorf("a replica died during the run:\n%s", rs.dead())
	case <-timer.C:
		return nil
	}
}

// sampleCPU reads the replicas' summed CPU seconds and the machine's CPU counters.
func (rs *replicaSet) sampleCPU() (float64, hostCPU, error) {
	host, err := readHostCPU()
	if err != nil {
		return 0, hostCPU{}, err
	}
	var sum float64
	for _, r := range rs.list {
		s, err := processCPU(r.cmd.Process.Pid)
		if err != nil {
			return 0, hostCPU{}, fmt.Errorf("replica %s: %w", r.url, err)
		}
		sum += s
	}
	return sum, host, nil
}

// peakRSS is the largest peak resident memory among the replicas, in MB.
func (rs *replicaSet) peakRSS() (float64, error) {
	var peak float64
	for _, r := range rs.list {
		mb, err := peakRSSMB(r.cmd.Process.Pid)
		if err != nil {
			return 0, fmt.Errorf("replica %s: %w", r.url, err)
		}
		peak = max(peak, mb)
	}
	return peak, nil
}

// readyMS is the slowest replica's start-up, exec to ready.
func (rs *replicaSet) readyMS() float64 {
	var slowest time.Duration
	for _, r := range rs.list {
		slowest = max(slowest, r.ready)
	}
	return float64(slowest.Microseconds()) / 1000
}

// firstCheckMS is the time from the first exec to the fleet's first request, or -1.
func (rs *replicaSet) firstCheckMS(first time.Time) float64 {
	if first.IsZero() || len(rs.list) == 0 {
		return -1
	}
	return float64(first.Sub(rs.list[0].started).Microseconds()) / 1000
}
