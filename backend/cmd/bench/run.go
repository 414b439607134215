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
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
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

	_, counts := fleetTypes(c.Mix, c.N)
	f, err := startFleet(c.Profile, c.Listeners, c.N)
	if err != nil {
		return Result{}, "", err
	}
	defer f.close()
	addrs := fleetAddrs{http: f.url}
	var tf *tcpFleet
	if counts[target.TypeTCP] > 0 {
		if tf, err = startTCPFleet(c.Listeners, f.noteFirst); err != nil {
			return Result{}, "", err
		}
		defer tf.close()
		addrs.tcp = tf.addrs()
	}
	var df *dnsFleet
	if counts[target.TypeDNS] > 0 {
		// The DNS server logs each question in the fleet's arrival log, so dns checks
		// are matched to what the fleet saw like http ones.
		if df, err = startDNSFleet(c.N, f.arrive); err != nil {
			return Result{}, "", err
		}
		defer df.close()
		addrs.dns = df.addr
	}
	db, err := newDatabase(ctx, c)
	if err != nil {
		return Result{}, "", err
	}
	defer func() {
		if err := db.drop(); err != nil {
			fmt.Fprintf(progress, "WARNING: %v\n", err)
		}
	}()
	sd, err := seed(ctx, db, c, addrs, progress)
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

	// The write counters are read before the replicas start and after they stop,
	// when every connection that wrote has flushed its counts.
	var writes0 tableWrites
	if c.DB == "postgres" && len(sd.pingTokens) > 0 {
		if writes0, err = readTableWrites(ctx, db.url, true); err != nil {
			return Result{}, "", err
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

	var pg *pinger
	var pingRate float64
	var runNotes []string
	if len(sd.pingTokens) > 0 {
		pingRate = c.PingRate
		if pingRate == 0 {
			pingRate = float64(len(sd.pingTokens)) / float64(c.Interval)
		}
		for _, w := range pingWarnings(len(sd.pingTokens), pingRate, c.Interval) {
			fmt.Fprintf(progress, "WARNING: %s\n", w)
			runNotes = append(runNotes, w)
		}
		if pg, err = startPinger(ctx, pingURLs(rs.urls(), sd.pingTokens), pingRate, windowStart, windowEnd); err != nil {
			return Result{}, "", err
		}
		defer pg.stop()
	}

	if err := rs.sleepUntil(ctx, windowStart); err != nil {
		return Result{}, "", err
	}
	accepts0, queries0 := tf.count(), df.count()
	var winWrites0, winWrites1 tableWrites
	if writes0 != nil {
		if winWrites0, err = readTableWrites(ctx, db.url, false); err != nil {
			return Result{}, "", err
		}
	}
	var dbCPU0, dbCPU1 backendCPU
	dbCPUOK := c.DB == "postgres"
	if dbCPUOK {
		var ok bool
		if dbCPU0, ok, err = readBackendCPU(ctx, db.url); err != nil {
			return Result{}, "", err
		}
		dbCPUOK = ok
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
	accepts1, queries1 := tf.count(), df.count()
	if dbCPUOK {
		var ok bool
		if dbCPU1, ok, err = readBackendCPU(ctx, db.url); err != nil {
			return Result{}, "", err
		}
		dbCPUOK = ok
	}
	if writes0 != nil {
		if winWrites1, err = readTableWrites(ctx, db.url, false); err != nil {
			return Result{}, "", err
		}
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
	if pg != nil {
		pg.stop()
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
	notes := append(runNotes, rs.stop()...)
	f.close()
	tf.close()
	df.close()
	var writes *WriteCounts
	if writes0 != nil {
		writes1, err := readTableWrites(ctx, db.url, true)
		if err != nil {
			return Result{}, "", err
		}
		w := writesBetween(writes0, writes1)
		writes = &w
	}

	timings, err := readTimings(ctx, db.url, progress, firstDue)
	if err != nil {
		return Result{}, "", err
	}
	// The fleet can tell apart the http and dns targets (a path, a name), not the tcp
	// ones: only the former are matched with what the fleet saw.
	var observed []int
	var observedIDs []int64
	typeByID := make(map[int64]target.Type, len(ids))
	for i, id := range ids {
		typeByID[id] = sd.types[i]
		if sd.types[i] == target.TypeHTTP || sd.types[i] == target.TypeDNS {
			observed = append(observed, i)
			observedIDs = append(observedIDs, id)
		}
	}
	an := analyse(timings, observedIDs, func(j int) []int64 { return f.sortedArrivals(observed[j]) },
		interval, windowStart, windowEnd, firstDue)
	byType := analyseByType(timings, typeByID, windowStart, windowEnd)

	window := windowEnd.Sub(windowStart).Seconds()
	scheduledN := 0
	for typ, n := range counts {
		if scheduled(typ) {
			scheduledN += n
		}
	}
	checks := an.checks
	if a := byType[target.TypeTCP]; a != nil {
		checks += a.checks
	}
	res = Result{
		Mode: "steady", StartedAt: start.UTC(), Database: c.DB, Replicas: c.Replicas, Targets: c.N,
		IntervalSeconds: c.Interval, TimeoutSeconds: c.Timeout, Retries: c.Retries, Profile: c.Profile,
		Workers: c.Workers, Pollers: c.Pollers, Spread: c.Spread, Env: c.Env,
		DurationSeconds: c.Duration.Seconds(), WarmupSeconds: c.Warmup.Seconds(), WindowSeconds: window,
		CreateSeconds: took.Seconds(), CooldownSeconds: cooled.Seconds(), PendingAtStop: pending,

		Mix: c.Mix, ScheduledTargets: scheduledN, FleetTargets: len(observed),
		IdealPerSecond: float64(scheduledN) / float64(c.Interval), AchievedPerSecond: float64(checks) / window,
		Checks: checks, Unrecorded: an.unrecorded, UncheckedTargets: an.unchecked,
		LatenessP50MS: percentile(an.lateness, 50), LatenessP99MS: percentile(an.lateness, 99),
		LatenessMaxMS: percentile(an.lateness, 100), LatenessFallbacks: an.fallbacks,
		Duplicates: an.duplicates, RowsPerSecond: float64(an.rows) / window, StrayRequests: f.stray.Load(),

		CPUSeconds: cpu1 - cpu0, CPUPercentCore: 100 * (cpu1 - cpu0) / window,
		HostCPUPercent: busyPercent(host0, host1), HarnessCPUPercent: 100 * (self1 - self0) / window, PeakRSSMB: rss,
		LoadAverage: [2]float64{load0, load1},
		ReadyMS:     rs.readyMS(), FirstCheckMS: rs.firstCheckMS(f.firstArrival()),
		Notes: notes,
	}
	res.MissedImplied = max(0, int(math.Round(res.IdealPerSecond*window))-checks)
	if pg != nil {
		res.Pings = &PingResult{Heartbeats: len(sd.pingTokens), RatePerSecond: pingRate,
			PerTokenPerSecond: pingRate / float64(len(sd.pingTokens)), Writes: writes}
		if winWrites0 != nil {
			w := writesBetween(winWrites0, winWrites1)
			res.Pings.WindowWrites = &w
		}
		pg.log.fill(res.Pings, window)
		res.Pings.setWritesPerPing(scheduledN)
	}
	var httpRequests int64
	for _, i := range observed {
		if sd.types[i] == target.TypeHTTP {
			httpRequests += int64(countBetween(f.sortedArrivals(i), windowStart, windowEnd))
		}
	}
	res.fillByType(c, counts, byType, window, fleetSaw{http: httpRequests, dns: queries1 - queries0, tcp: accepts1 - accepts0})
	res.DBCPUSeconds = -1
	if dbCPUOK {
		res.DBCPUSeconds = backendCPUBetween(dbCPU0, dbCPU1)
		res.DBCPUPercentCore = 100 * res.DBCPUSeconds / window
		if n := res.Checks + res.pingsTaken(); n > 0 {
			res.DBCPUMSPerCheck = 1000 * res.DBCPUSeconds / float64(n)
		}
	}
	if c.Mix != mixHTTP {
		res.RowsPerSecond = 0
		for _, a := range byType {
			res.RowsPerSecond += float64(a.rows) / window
		}
	}
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
