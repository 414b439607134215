package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/watchdog-monitor/watchdog/backend/internal/config"
	"github.com/watchdog-monitor/watchdog/backend/internal/manifest"
	"github.com/watchdog-monitor/watchdog/backend/internal/netguard"
	"github.com/watchdog-monitor/watchdog/backend/internal/notify"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// applyFlags are apply's and import's own flags.
type applyFlags struct {
	file                    string
	prune, dryRun, exitCode bool
	// env resolves the document's ${NAME} references; nil reads the process
	// environment.
	env func(string) string
}

// errChanged is apply --exit-code's outcome when something changed (or would have).
var errChanged = &exitStatus{code: 1}

// openStore opens and migrates the database a CLI command works on; it works while
// the server runs, since every change is a transaction of its own.
func openStore(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.Store, error) {
	st, err := store.Open(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		_ = st.Close()
		return nil, err
	}
	return st, nil
}

// limitsOf are the target rules the server applies, for commands that write targets.
func limitsOf(cfg config.Config) target.Limits {
	return target.Limits{MinIntervalSeconds: cfg.MinIntervalSeconds, CheckURL: netguard.New(cfg.AllowPrivateTargets).CheckURL}
}

func notifyEnvOf(cfg config.Config) notify.Env {
	return notify.Env{CheckURL: netguard.New(cfg.AllowPrivateTargets).CheckURL, SMTP: notify.SMTP{Host: cfg.SMTPHost, Port: cfg.SMTPPort, Username: cfg.SMTPUsername,
		Password: cfg.SMTPPassword, From: cfg.SMTPFrom, TLS: cfg.SMTPTLS}}
}

// exportConfig prints the whole configuration as YAML. It reads only: a wrong
// DATABASE_URL is an error, not an empty database exported as an empty document.
func exportConfig(ctx context.Context, cfg config.Config, log *slog.Logger, stdout io.Writer) error {
	st, err := store.Open(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	doc, secrets, err := manifest.Export(ctx, st)
	if err != nil {
		return err
	}
	out, err := manifest.Marshal(doc, secrets)
	if err != nil {
		return err
	}
	_, err = stdout.Write(out)
	return err
}

// applyConfig makes the database match a document and prints what it did to stdout;
// each error of the document goes to stderr on a line of its own, as does the
// progress on a terminal.
func applyConfig(ctx context.Context, cfg config.Config, f applyFlags, log *slog.Logger, stdin io.Reader, stdout, stderr io.Writer) error {
	in := stdin
	if f.file != "-" {
		file, err := os.Open(f.file)
		if err != nil {
			return fmt.Errorf("apply: %w", err)
		}
		defer func() { _ = file.Close() }()
		in = file
	}
	doc, err := manifest.Parse(in)
	if err != nil {
		return printErrors(stderr, f.file, err)
	}
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	bar := newProgress(stderr, "applying")
	report, err := doc.Apply(ctx, st, manifest.ApplyOptions{Prune: f.prune, DryRun: f.dryRun,
		Limits: limitsOf(cfg), Notify: notifyEnvOf(cfg), Env: f.env, Progress: bar.hook(), Actor: cliActor()})
	bar.finish()
	if err != nil {
		if len(manifest.List(err)) > 0 {
			return printErrors(stderr, f.file, err)
		}
		return fmt.Errorf("%s: %w (nothing was changed)", f.file, err)
	}
	if _, err := io.WriteString(stdout, report.String()); err != nil {
		return err
	}
	if f.exitCode && report.Changed() {
		return errChanged
	}
	return nil
}
