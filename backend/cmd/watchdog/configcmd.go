package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/watchdog-monitor/watchdog/backend/internal/config"
	"github.com/watchdog-monitor/watchdog/backend/internal/manifest"
	"github.com/watchdog-monitor/watchdog/backend/internal/netguard"
	"github.com/watchdog-monitor/watchdog/backend/internal/notify"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// applyFlags are apply's and import's own arguments; the rest are settings.
type applyFlags struct {
	file          string
	prune, dryRun bool
	// importArgs are import's: SOURCE FILE-OR-URL [--dry-run].
	importArgs []string
}

// splitFlags takes a command's own flags out of args and leaves the settings' flags
// (-DATABASE_URL …) for config.Load.
func splitFlags(cmd string, args []string) (applyFlags, []string, error) {
	var f applyFlags
	switch cmd {
	case "import":
		return splitImport(args)
	case "export":
		return f, args, noPositional(cmd, args)
	case "apply":
	default:
		return f, args, nil
	}
	var rest []string
	for i := 0; i < len(args); i++ {
		name, value, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		switch {
		case !strings.HasPrefix(args[i], "-"):
			return f, nil, fmt.Errorf("apply: unexpected argument %q (settings are -NAME value; the file is -f FILE)", args[i])
		case name == "prune" || name == "dry-run":
			on := true
			if hasValue {
				var err error
				if on, err = strconv.ParseBool(value); err != nil {
					return f, nil, fmt.Errorf("apply: --%s=%s: want true or false", name, value)
				}
			}
			if name == "prune" {
				f.prune = on
			} else {
				f.dryRun = on
			}
		case name == "f" && hasValue:
			f.file = value
		case name == "f" && i+1 < len(args):
			i++
			f.file = args[i]
		case name == "f":
			return f, nil, fmt.Errorf("apply: -f needs a file (- reads standard input)")
		case hasValue:
			rest = append(rest, args[i])
		case i+1 < len(args):
			// A setting's flag and its value: -DATABASE_URL postgres://…
			rest = append(rest, args[i], args[i+1])
			i++
		default:
			rest = append(rest, args[i])
		}
	}
	if f.file == "" {
		return f, nil, fmt.Errorf("apply: -f FILE is required (- reads standard input)")
	}
	return f, rest, nil
}

// noPositional refuses words that are not flags: a stray path would otherwise be
// ignored, and the command would run on the default database instead.
func noPositional(cmd string, args []string) error {
	for i := 0; i < len(args); i++ {
		switch {
		case !strings.HasPrefix(args[i], "-"):
			return fmt.Errorf("%s: unexpected argument %q (settings are -NAME value)", cmd, args[i])
		case !strings.Contains(args[i], "="):
			i++ // its value
		}
	}
	return nil
}

// splitImport keeps import's words and --dry-run for it, and the settings' flags,
// each with its value (-DATABASE_URL postgres://…), for config.Load.
func splitImport(args []string) (applyFlags, []string, error) {
	var f applyFlags
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--dry-run" || a == "-dry-run" || a == "-" || !strings.HasPrefix(a, "-"):
			f.importArgs = append(f.importArgs, a)
		case strings.Contains(a, "=") || i+1 == len(args):
			rest = append(rest, a)
		default:
			rest = append(rest, a, args[i+1])
			i++
		}
	}
	return f, rest, nil
}

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

// applyConfig makes the database match a document and prints what it did; each error
// of the document goes to standard error on a line of its own.
func applyConfig(ctx context.Context, cfg config.Config, f applyFlags, log *slog.Logger, stdin io.Reader, stdout io.Writer) error {
	return applyConfigTo(ctx, cfg, f, log, stdin, stdout, os.Stderr)
}

// applyConfigTo is applyConfig writing errors and progress to stderr.
func applyConfigTo(ctx context.Context, cfg config.Config, f applyFlags, log *slog.Logger, stdin io.Reader, stdout, stderr io.Writer) error {
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
		Limits: limitsOf(cfg), Notify: notifyEnvOf(cfg), Progress: bar.hook(), Actor: cliActor()})
	bar.finish()
	if err != nil {
		if len(manifest.List(err)) > 0 {
			return printErrors(stderr, f.file, err)
		}
		return fmt.Errorf("%s: %w (nothing was changed)", f.file, err)
	}
	_, err = io.WriteString(stdout, report.String())
	return err
}
