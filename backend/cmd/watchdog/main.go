// Command watchdog is the WatchDog server: the API, the scheduler and the pinger in
// one process. `watchdog` (or `watchdog serve`) runs it; the other sub-commands
// (migrate, export, apply, import, healthcheck, version, help) do one thing and exit.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // warm windows name IANA zones; distroless images have no zone files

	"github.com/watchdog-monitor/watchdog/backend/internal/account"
	"github.com/watchdog-monitor/watchdog/backend/internal/apidoc"
	"github.com/watchdog-monitor/watchdog/backend/internal/auth"
	"github.com/watchdog-monitor/watchdog/backend/internal/config"
	"github.com/watchdog-monitor/watchdog/backend/internal/httpapi"
	"github.com/watchdog-monitor/watchdog/backend/internal/manifest"
	"github.com/watchdog-monitor/watchdog/backend/internal/metrics"
	"github.com/watchdog-monitor/watchdog/backend/internal/netguard"
	"github.com/watchdog-monitor/watchdog/backend/internal/notify"
	"github.com/watchdog-monitor/watchdog/backend/internal/outbox"
	"github.com/watchdog-monitor/watchdog/backend/internal/platform"
	"github.com/watchdog-monitor/watchdog/backend/internal/probe"
	"github.com/watchdog-monitor/watchdog/backend/internal/scheduler"
	"github.com/watchdog-monitor/watchdog/backend/internal/selfping"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	format := logFormatOf(os.Args[1:], os.Getenv)
	err := runWith(ctx, os.Args[1:], world{lookupenv: os.LookupEnv, envFile: ".env", stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr,
		logFormat: &format})
	stop()
	os.Exit(report(os.Stderr, format, err))
}

// world is what a run sees besides its arguments.
type world struct {
	// lookupenv reads the environment, telling a variable set to "" from one unset.
	lookupenv func(string) (string, bool)
	// envFile, when it is a regular file, gives the settings the environment leaves
	// unset; "" reads no file.
	envFile        string
	stdin          io.Reader
	stdout, stderr io.Writer
	// logFormat, when not nil, is set to the LOG_FORMAT the run's logs use once the
	// .env file is read, so the error that ends the run is written like them.
	logFormat *string
}

// run is runWith with no .env file, and the logs of export, apply and import on
// standard error. getenv's "" is an unset variable.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	return runWith(ctx, args, world{lookupenv: lookupOf(getenv), stdin: os.Stdin, stdout: stdout, stderr: os.Stderr})
}

// lookupOf is getenv as a lookupenv that takes "" for unset.
func lookupOf(getenv func(string) string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v := getenv(name)
		return v, v != ""
	}
}

// runWith dispatches a sub-command. It returns when ctx is cancelled (SIGINT, SIGTERM)
// and everything it started has stopped.
func runWith(ctx context.Context, args []string, w world) error {
	inv, err := parseArgs(args)
	if err != nil {
		return err
	}
	switch {
	case inv.version || inv.cmd.name == "version":
		_, err := fmt.Fprintln(w.stdout, versionLine())
		return err
	case inv.help && !inv.named, inv.cmd.name == "help" && len(inv.args) == 0:
		printOverview(w.stdout)
		return nil
	case inv.help:
		printHelp(w.stdout, inv.cmd)
		return nil
	case inv.cmd.name == "help":
		printHelp(w.stdout, lookup(inv.args[0]))
		return nil
	}
	getenv, envFile, err := withEnvFile(w.lookupenv, w.envFile)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	if w.logFormat != nil {
		*w.logFormat = logFormatOf(args, getenv)
	}
	cfg, err := inv.settings(getenv)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	if inv.cmd.name == "healthcheck" {
		return healthcheck(ctx, cfg.ListenAddr, healthcheckTimeout)
	}
	logTo := w.stdout
	if inv.cmd.name == "export" || inv.cmd.name == "apply" || inv.cmd.name == "import" {
		// Standard output is the document or the report.
		logTo = w.stderr
	}
	log := newLogger(cfg, logTo)
	if envFile != "" {
		// Which file, never what it holds: its values are secrets.
		log.Info("settings read from file", "env_file", envFile)
	}
	switch inv.cmd.name {
	case "migrate":
		return migrate(ctx, cfg, log)
	case "export":
		return exportConfig(ctx, cfg, log, w.stdout)
	case "apply":
		own := inv.own
		own.env = getenv
		err := applyConfig(ctx, cfg, own, log, w.stdin, w.stdout, w.stderr)
		if own.exitCode && err != nil && !errors.Is(err, errChanged) {
			return &exitStatus{code: 3, err: err}
		}
		return err
	case "import":
		st, err := openStore(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer func() { _ = st.Close() }()
		words := inv.args
		if inv.own.dryRun {
			words = append(slices.Clone(words), "--dry-run")
		}
		return importWith(ctx, st, manifest.ApplyOptions{Limits: limitsOf(cfg), Notify: notifyEnvOf(cfg), Env: getenv}, cfg.PublicURL, words, w.stdout, w.stderr)
	}
	// Listen first: a taken port should stop the start before anything is claimed.
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.ListenAddr, err)
	}
	a, err := newApp(ctx, cfg, log, getenv)
	if err != nil {
		_ = ln.Close()
		return err
	}
	return a.serve(ctx, ln)
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel)) // validated by config
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: logAttr}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func migrate(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	st, err := store.Open(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	n, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	log.Info("migrations applied", "count", n, "database", st.Dialect())
	return nil
}

// app is a running server's parts, in the order they are shut down.
type app struct {
	cfg    config.Config
	log    *slog.Logger
	store  *store.Store
	unlock func()
	prober *probe.Prober
	sched  *scheduler.Scheduler
	// selfPing pings SELF_PING_URL; nil when it is not set.
	selfPing *selfping.Pinger
	outbox   *outbox.Dispatcher
	auth     *auth.Service
	handler  http.Handler
}

// newApp opens and migrates the database, makes sure there is an admin and a signing
// key, and starts the scheduler. The HTTP server starts in serve. Everything it has
// to say goes through log, so the output stays one format (and a generated password
// goes to a file, never to the output). getenv (the environment over ./.env) fills the
// ${WATCHDOG_…} references of documents applied over HTTP, as `watchdog apply` fills
// them; nil reads the process environment.
func newApp(ctx context.Context, cfg config.Config, log *slog.Logger, getenv func(string) string) (*app, error) {
	log.Info("starting", "config", cfg)
	st, err := store.Open(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, log: log, store: st, unlock: func() {}}
	unlock, err := st.LockServer()
	if err != nil {
		a.abandon()
		return nil, err
	}
	a.unlock = unlock
	n, err := st.Migrate(ctx)
	if err != nil {
		a.abandon()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	if n > 0 {
		log.Info("migrations applied", "count", n)
	}

	secret := cfg.JWTSecret
	if secret == "" {
		// Kept in the database, so every replica and every restart signs alike.
		if secret, err = st.Setting(ctx, "jwt_secret", auth.NewSecret); err != nil {
			a.abandon()
			return nil, err
		}
	}
	tokens, err := auth.NewTokens([]byte(secret))
	if err != nil {
		a.abandon()
		return nil, fmt.Errorf("JWT_SECRET: %w", err)
	}
	authSvc := auth.NewService(st, account.NewHasher(account.DefaultCost), tokens)
	a.auth = authSvc
	if err := ensureAdmin(ctx, cfg, st, authSvc, log); err != nil {
		a.abandon()
		return nil, err
	}

	guard := netguard.New(cfg.AllowPrivateTargets)
	notifyEnv := notify.Env{Client: outbox.NewClient(guard), CheckURL: guard.CheckURL, SMTP: notify.SMTP{
		Host: cfg.SMTPHost, Port: cfg.SMTPPort, Username: cfg.SMTPUsername, Password: cfg.SMTPPassword,
		From: cfg.SMTPFrom, TLS: cfg.SMTPTLS,
	}}
	mets := metrics.New(metrics.Options{PerTarget: cfg.MetricsPerTarget, Log: log,
		ChannelTypes: notify.Types(), DeliveryOutcomes: outbox.Outcomes()})
	a.outbox = outbox.New(st, outbox.Options{Env: notifyEnv, Timeout: cfg.NotifyTimeout, RetryBase: cfg.NotifyRetryBase,
		Observe: mets.ObserveDelivery, Log: log})
	st.SetAlerting(store.AlertPolicy{Ratio: cfg.DegradedRatio, Window: cfg.DegradedWindow,
		MinTargets: cfg.DegradedMinTargets, PublicURL: strings.TrimSuffix(cfg.PublicURL, "/")}, a.outbox.Wake)
	a.outbox.Start()
	a.prober = probe.New(probe.Options{Guard: guard})
	catalog := platform.MustLoad()
	a.sched, err = scheduler.New(st, a.prober, scheduler.Options{Workers: cfg.Workers, Retention: cfg.CheckRetention, AuditRetention: cfg.AuditRetention, Log: log,
		Observe: mets.ObserveCheck, ObserveLag: mets.ObserveLag,
		WakeLead: func(key string) time.Duration {
			p, _ := catalog.Get(key)
			return time.Duration(p.TypicalWakeSeconds) * time.Second
		}})
	if err != nil {
		a.abandon()
		return nil, err
	}
	mets.SetSources(metrics.Sources{
		TargetStates: func(ctx context.Context) ([]metrics.TargetState, error) {
			states, err := st.TargetStates(ctx)
			out := make([]metrics.TargetState, len(states))
			for i, s := range states {
				out[i] = metrics.TargetState{ID: s.ID, Name: s.Name, Status: string(s.Status), Active: s.Active}
			}
			return out, err
		},
		Backlog:       func(ctx context.Context) (int64, error) { return st.Backlog(ctx, time.Now()) },
		InFlight:      a.sched.InFlight,
		Workers:       cfg.Workers,
		OutboxPending: st.PendingDeliveries,
	})
	if err := a.sched.Start(); err != nil {
		_ = a.sched.Stop(context.Background())
		a.abandon()
		return nil, err
	}
	if cfg.SelfPingURL != "" {
		if a.selfPing, err = selfping.New(a.sched, st, selfping.Options{URL: cfg.SelfPingURL, Log: log}); err != nil {
			_ = a.sched.Stop(context.Background())
			a.abandon()
			return nil, fmt.Errorf("SELF_PING_URL: %w", err)
		}
		a.selfPing.Start()
	}
	a.handler = httpapi.New(httpapi.Deps{
		Store: st, Auth: authSvc, Checks: a.sched, Log: log, OpenAPI: apidoc.OpenAPI,
		Limits:             target.Limits{MinIntervalSeconds: cfg.MinIntervalSeconds, CheckURL: guard.CheckURL},
		CORSAllowedOrigins: cfg.CORSAllowedOrigins, TrustedProxies: cfg.TrustedProxies, FrontendDir: cfg.FrontendDir,
		Platforms: catalog, Notify: notifyEnv, NotifyTimeout: cfg.NotifyTimeout, Metrics: mets, MetricsToken: cfg.MetricsToken,
		Env: getenv, PublicURL: cfg.PublicURL,
	})
	return a, nil
}

// serve answers HTTP on ln until ctx is cancelled, then shuts down in order: stop
// taking requests and let those in flight finish, stop claiming and finish or hand
// back running checks, then close the database.
func (a *app) serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		// Check-now may take up to a minute.
		WriteTimeout:   90 * time.Second,
		IdleTimeout:    120 * time.Second,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	usageCtx, stopUsage := context.WithCancel(context.Background())
	usageDone := make(chan struct{})
	go func() {
		defer close(usageDone)
		a.auth.Usage.Run(usageCtx, auth.UsageFlushInterval, a.log)
	}()
	a.log.Info("listening", "addr", ln.Addr().String())

	var serveErr error
	select {
	case <-ctx.Done():
		a.log.Info("shutting down", "within", a.cfg.ShutdownTimeout)
	case serveErr = <-errc:
	}
	a.stop(srv, stopUsage, usageDone)
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", serveErr)
	}
	a.log.Info("stopped")
	return nil
}

// stop shuts the server down in order, within one deadline: SHUTDOWN_TIMEOUT from
// now, after which the orchestrator kills the process (the Helm chart and compose
// allow 30 s for the default 20 s). Each stage may use the time the ones before it
// left, but no more than leaves some to the ones after it:
//
//	self-ping       stops first, so the stop is not reported as a failure
//	HTTP server     requests in flight finish until wrapUp before the deadline, then are cut
//	scheduler       running checks finish or are cut and handed back, results written,
//	                by wrapUp/2 before the deadline
//	API key usage   the last uses written, by the same time
//	outbox, store   sends in flight finish or go back to the outbox by the deadline;
//	                then the database is closed
func (a *app) stop(srv *http.Server, stopUsage func(), usageDone <-chan struct{}) {
	deadline := time.Now().Add(a.cfg.ShutdownTimeout)
	wrapUp := min(a.cfg.ShutdownTimeout/4, 5*time.Second)
	if a.selfPing != nil {
		// First: a stopping scheduler is unhealthy, and a planned stop must not tell
		// the watcher "fail". The watcher sees the pings pause instead.
		a.selfPing.Stop()
	}
	httpCtx, cancelHTTP := context.WithDeadline(context.Background(), deadline.Add(-wrapUp))
	defer cancelHTTP()
	if err := srv.Shutdown(httpCtx); err != nil {
		// Check-now requests may take a minute; they are cut rather than let the
		// scheduler's time run out.
		a.log.Warn("http shutdown: cutting requests still running", "err", err)
		_ = srv.Close()
	}
	stopUsage()
	<-usageDone
	schedCtx, cancelSched := context.WithDeadline(context.Background(), deadline.Add(-wrapUp/2))
	defer cancelSched()
	// After the last request: the final flush writes every key use seen.
	if err := a.auth.Usage.Flush(schedCtx); err != nil {
		a.log.Warn("record api key use", "err", err)
	}
	if err := a.sched.Stop(schedCtx); err != nil {
		a.log.Warn("scheduler shutdown", "err", err)
	}
	closeCtx, cancelClose := context.WithDeadline(context.Background(), deadline)
	defer cancelClose()
	a.close(closeCtx)
}

// abandon releases what newApp acquired when starting failed part way.
func (a *app) abandon() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	a.close(ctx)
}

// close releases what newApp acquired; the scheduler must be stopped first.
// Notifications being sent get until ctx ends, then go back to the outbox.
func (a *app) close(ctx context.Context) {
	if a.selfPing != nil {
		a.selfPing.Stop() // already stopped by stop; here for a start that failed later
	}
	if a.outbox != nil {
		a.outbox.Stop(ctx)
	}
	if a.prober != nil {
		a.prober.Close()
	}
	if err := a.store.Close(); err != nil {
		a.log.Warn("close database", "err", err)
	}
	a.unlock()
}
