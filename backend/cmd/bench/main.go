// Command bench is WatchDog's end-to-end benchmark harness. One run starts a fleet of
// local HTTP targets, a fresh database seeded with N targets, and one or more real
// `watchdog serve` processes; lets them check the fleet for a while under API pollers;
// then measures from the outside (what the fleet saw, /proc, the checks table) how
// many checks ran, how late, how many were duplicated, and what it cost. Each run
// prints one table and writes the same numbers as JSON. See docs/bench.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	wdconfig "github.com/watchdog-monitor/watchdog/backend/internal/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := runMain(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// config is one run's settings.
type config struct {
	DB        string
	PGURL     string
	N         int
	Interval  int
	Timeout   int
	Retries   int // -1 leaves the product's default
	Profile   string
	Workers   int
	Replicas  int
	Listeners int
	Pollers   int
	Duration  time.Duration
	Warmup    time.Duration
	Env       []string
	Bin       string
	OutDir    string
	Max       bool
	Spread    bool
	// Mix is the fleet's check types (see mix.go); http unless -mix says otherwise.
	Mix string
	// PingRate is the heartbeat pings a second in all; 0 pings each heartbeat once an
	// interval (heartbeats / interval a second).
	PingRate float64
}

// maxDefaultN is -max mode's target count when -n is not given: enough that the
// offered load (N / 2 s) is above what one replica on a small machine can do.
const maxDefaultN = 10000

// envList collects repeated -env KEY=VALUE flags.
type envList []string

func (e *envList) String() string { return strings.Join(*e, " ") }

func (e *envList) Set(v string) error {
	if k, _, ok := strings.Cut(v, "="); !ok || k == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", v)
	}
	*e = append(*e, v)
	return nil
}

// parseFlags reads the command line into a base config and the matrix, if any.
func parseFlags(args []string, stderr io.Writer) (config, string, error) {
	c := config{}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.DB, "db", "sqlite", "database: sqlite or postgres")
	fs.StringVar(&c.PGURL, "pg-url", "postgres://postgres@127.0.0.1:5432/postgres", "PostgreSQL server to create the run's database on")
	fs.IntVar(&c.N, "n", 1000, "number of targets")
	fs.IntVar(&c.Interval, "interval", 60, "check interval in seconds (at least 2: a timeout of at least 1 s must be below it)")
	fs.IntVar(&c.Timeout, "timeout", 10, "check timeout in seconds, capped at interval-1")
	fs.IntVar(&c.Retries, "retries", -1, "retries per check; -1 keeps the product's default")
	fs.StringVar(&c.Profile, "profile", profileRealistic, "how the fleet answers: realistic or instant")
	fs.IntVar(&c.Workers, "workers", wdconfig.Default().Workers, "WORKERS of each replica (the most checks in flight)")
	fs.IntVar(&c.Replicas, "replicas", 1, "watchdog processes (more than one needs PostgreSQL)")
	fs.IntVar(&c.Listeners, "listeners", 8, "fleet HTTP servers the targets are spread over")
	fs.IntVar(&c.Pollers, "pollers", 50, "API clients polling once a second")
	fs.DurationVar(&c.Duration, "duration", 60*time.Second, "how long each run lasts once the replicas are ready")
	fs.DurationVar(&c.Warmup, "warmup", 10*time.Second, "start of the run left out of the measurements")
	fs.Var((*envList)(&c.Env), "env", "extra KEY=VALUE for the replicas' environment (repeatable)")
	fs.StringVar(&c.Bin, "bin", "", "watchdog binary to run instead of building ./cmd/watchdog")
	fs.StringVar(&c.OutDir, "out", "", "directory for the JSON results (default <repo>/bench/results)")
	fs.BoolVar(&c.Max, "max", false, "find the ceiling: instant fleet, 2 s interval, 1 s timeout, no retries, 10000 targets unless -n")
	fs.BoolVar(&c.Spread, "spread", true, "spread the targets' first checks evenly over one interval (false: all due at once, as after an import)")
	fs.StringVar(&c.Mix, "mix", mixHTTP, "the fleet's check types: http; mixed (70% http, 15% tcp, 10% heartbeat, 5% dns); or tcp, dns, heartbeat alone")
	fs.Float64Var(&c.PingRate, "ping-rate", 0, "heartbeat pings a second in all, spread over every heartbeat (0: each heartbeat once an interval)")
	matrix := fs.String("matrix", "", `runs in sequence, e.g. "sqlite:1000,postgres:10000,postgres:100000:mixed@90s,postgres:max@30s" (see docs/bench.md)`)
	if err := fs.Parse(args); err != nil {
		return c, "", err
	}
	if fs.NArg() > 0 {
		return c, "", fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	nSet := false
	fs.Visit(func(f *flag.Flag) { nSet = nSet || f.Name == "n" })
	if !nSet {
		c.N = 0 // each run picks its mode's default
	}
	return c, *matrix, nil
}

// withMode fills what the mode decides: -max overrides the fleet and schedule, and N
// falls back to the mode's default when -n was not given.
func (c config) withMode() config {
	if c.Max {
		c.Profile, c.Interval, c.Timeout, c.Retries = profileInstant, 2, 1, 0
		if c.N == 0 {
			c.N = maxDefaultN
		}
	}
	if c.N == 0 {
		c.N = 1000
	}
	if c.Mix == "" {
		c.Mix = mixHTTP
	}
	c.Timeout = max(1, min(c.Timeout, c.Interval-1))
	return c
}

func (c config) validate() error {
	var errs []error
	switch c.DB {
	case "sqlite", "postgres":
	default:
		errs = append(errs, fmt.Errorf("-db must be sqlite or postgres, not %q", c.DB))
	}
	if c.DB == "sqlite" && c.Replicas > 1 {
		errs = append(errs, errors.New("SQLite allows one server: use -db postgres for -replicas above 1"))
	}
	if c.Profile != profileInstant && c.Profile != profileRealistic {
		errs = append(errs, fmt.Errorf("-profile must be %s or %s", profileRealistic, profileInstant))
	}
	if c.N < 1 {
		errs = append(errs, errors.New("-n must be at least 1"))
	}
	if c.Interval < 2 {
		errs = append(errs, errors.New("-interval must be at least 2: the timeout is at least 1 s and must be below it"))
	}
	if c.Retries < -1 || c.Retries > 10 {
		errs = append(errs, errors.New("-retries must be -1 (product default) or 0 to 10"))
	}
	if c.Workers < 1 || c.Replicas < 1 || c.Listeners < 1 || c.Pollers < 0 {
		errs = append(errs, errors.New("-workers, -replicas and -listeners must be at least 1, -pollers at least 0"))
	}
	if c.Warmup < 0 || c.Duration <= c.Warmup {
		errs = append(errs, errors.New("-duration must be longer than -warmup, and -warmup not negative"))
	}
	if err := validMix(c.Mix); err != nil {
		errs = append(errs, err)
	}
	if c.Max && c.Mix != mixHTTP {
		errs = append(errs, errors.New("-max measures the http pipeline's ceiling: it takes -mix http only"))
	}
	if c.PingRate < 0 {
		errs = append(errs, errors.New("-ping-rate must not be negative"))
	}
	if c.PingRate > 0 && c.Mix != mixMixed && c.Mix != mixHeartbeat {
		errs = append(errs, errors.New("-ping-rate needs heartbeats: -mix mixed or heartbeat"))
	}
	return errors.Join(errs...)
}

// runMain runs one run or a matrix of them and prints their tables.
func runMain(ctx context.Context, args []string, stdout io.Writer) error {
	base, matrix, err := parseFlags(args, os.Stderr)
	if err != nil {
		return err
	}
	runs := []config{base.withMode()}
	if matrix != "" {
		if runs, err = parseMatrix(base, matrix); err != nil {
			return err
		}
	}
	for _, c := range runs {
		if err := c.validate(); err != nil {
			return err
		}
	}
	if base.OutDir == "" {
		root, err := repoRoot()
		if err != nil {
			return fmt.Errorf("find the results directory (or pass -out): %w", err)
		}
		base.OutDir = filepath.Join(root, "bench", "results")
	}
	if base.Bin == "" {
		// Built once for every run of the matrix.
		dir, err := os.MkdirTemp("", "watchdog-bench-bin-")
		if err != nil {
			return fmt.Errorf("temporary directory for the binary: %w", err)
		}
		defer func() { _ = os.RemoveAll(dir) }()
		if base.Bin, err = buildWatchdog(ctx, dir, stdout); err != nil {
			return err
		}
	}
	if matrix != "" {
		runs = skipUnreachablePostgres(ctx, runs, stdout)
	}

	var results []Result
	var errs []error
	for i, c := range runs {
		c.OutDir, c.Bin = base.OutDir, base.Bin
		fmt.Fprintf(stdout, "\n--- run %d of %d: %s\n", i+1, len(runs), c.describe())
		r, path, err := run(ctx, c, stdout)
		if err != nil {
			errs = append(errs, fmt.Errorf("run %s: %w", c.describe(), err))
			fmt.Fprintf(stdout, "RUN FAILED: %v\n", err)
			if ctx.Err() != nil {
				break
			}
			continue
		}
		fmt.Fprintln(stdout)
		printTable(stdout, r)
		fmt.Fprintf(stdout, "written to %s\n", path)
		results = append(results, r)
	}
	if len(runs) > 1 && len(results) > 0 {
		fmt.Fprintln(stdout)
		printSummary(stdout, results)
	}
	return errors.Join(errs...)
}

// describe names a run in one line.
func (c config) describe() string {
	mode := "steady"
	if c.Max {
		mode = "max"
	}
	s := fmt.Sprintf("%s n=%d %s interval=%ds profile=%s replicas=%d duration=%s", c.DB, c.N, mode, c.Interval, c.Profile, c.Replicas, c.Duration)
	if c.Mix != mixHTTP {
		s += " mix=" + c.Mix
	}
	if c.PingRate > 0 {
		s += fmt.Sprintf(" ping-rate=%g/s", c.PingRate)
	}
	if c.Pollers == 0 {
		s += " pollers=0"
	}
	return s
}

// parseMatrix reads "db[:part]...[@duration]" entries, each a run that takes every
// other setting from the flags. A part is N, max, a mix (mixed, tcp, …), pollers=K
// or ping-rate=R: "postgres:100000:mixed@90s", "postgres:10000:tcp:pollers=0".
func parseMatrix(base config, spec string) ([]config, error) {
	var out []config
	for entry := range strings.SplitSeq(spec, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		c := base
		body, dur, hasDur := strings.Cut(entry, "@")
		if hasDur {
			d, err := time.ParseDuration(dur)
			if err != nil {
				return nil, fmt.Errorf("matrix entry %q: duration: %w", entry, err)
			}
			c.Duration = d
		}
		parts := strings.Split(body, ":")
		c.DB = parts[0]
		for _, p := range parts[1:] {
			if err := c.setMatrixPart(p); err != nil {
				return nil, fmt.Errorf("matrix entry %q: %w", entry, err)
			}
		}
		out = append(out, c.withMode())
	}
	if len(out) == 0 {
		return nil, errors.New("-matrix lists no runs")
	}
	return out, nil
}

// setMatrixPart applies one part of a matrix entry.
func (c *config) setMatrixPart(p string) error {
	const want = "want db[:N][:max][:mix][:pollers=K][:ping-rate=R][@duration]"
	if key, value, ok := strings.Cut(p, "="); ok {
		switch key {
		case "pollers":
			n, err := strconv.Atoi(value)
			if err != nil {
				return fmt.Errorf("pollers: %w", err)
			}
			c.Pollers = n
		case "ping-rate":
			r, err := strconv.ParseFloat(value, 64)
			if err != nil {
				return fmt.Errorf("ping-rate: %w", err)
			}
			c.PingRate = r
		default:
			return fmt.Errorf("unknown setting %q: %s", key, want)
		}
		return nil
	}
	if p == "max" {
		c.Max = true
		return nil
	}
	if validMix(p) == nil {
		c.Mix = p
		return nil
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		return errors.New(want)
	}
	c.N = n
	return nil
}

// skipUnreachablePostgres drops the PostgreSQL runs, loudly, when the server cannot be
// reached, so `make bench` still measures SQLite on a machine without one. With
// REQUIRE_ALL=1 (CI) they stay, and fail.
func skipUnreachablePostgres(ctx context.Context, runs []config, stdout io.Writer) []config {
	var pgURL string
	for _, c := range runs {
		if c.DB == "postgres" {
			pgURL = c.PGURL
		}
	}
	if pgURL == "" || os.Getenv("REQUIRE_ALL") == "1" {
		return runs
	}
	err := pgReachable(ctx, pgURL)
	if err == nil {
		return runs
	}
	banner := strings.Repeat("*", 78)
	fmt.Fprintf(stdout, "\n%s\n*** PostgreSQL UNREACHABLE at %s\n*** %v\n*** SKIPPING every PostgreSQL run: running SQLite only\n%s\n", banner, wdconfig.MaskURL(pgURL), err, banner)
	var kept []config
	for _, c := range runs {
		if c.DB != "postgres" {
			kept = append(kept, c)
		}
	}
	return kept
}
