package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/watchdog-monitor/watchdog/backend/internal/importer"
	"github.com/watchdog-monitor/watchdog/backend/internal/manifest"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

const importUsage = `usage: watchdog import SOURCE FILE-OR-URL [--dry-run] [--keep-push-tokens]

Reads another monitor's configuration (only reads it), reports per object what
was carried over and what was not and why, and applies the rest; importing again
changes nothing that is already as imported. SOURCE is one of

  gatus FILE              a Gatus config.yaml
  uptime-kuma FILE        an Uptime Kuma kuma.db, or a 1.x JSON backup
  seed DATABASE_URL       the original WatchDog's database (its target_url table)

  --dry-run             report what would change, change nothing
  --keep-push-tokens    an Uptime Kuma push monitor's heartbeat keeps its push
                        token when it is long enough (128 bits), so its job only
                        changes the host and path it pings; new ping URLs are
                        printed at the end`

// runImport runs `watchdog import SOURCE FILE-OR-URL [--dry-run]`: it reads the
// source, prints what was carried over and what was not, and applies the result like
// `watchdog apply`, secrets passed through the environment rather than the document.
// Progress is drawn on stderr when it is a terminal.
func runImport(ctx context.Context, st *store.Store, limits target.Limits, args []string, stdout, stderr io.Writer) error {
	return importWith(ctx, st, manifest.ApplyOptions{Limits: limits}, "", args, stdout, stderr)
}

// importWith is runImport with the rest of apply's options: base.Notify holds the
// server's SMTP settings, without which an email channel cannot be applied.
func importWith(ctx context.Context, st *store.Store, base manifest.ApplyOptions, publicURL string, args []string, stdout, stderr io.Writer) error {
	source, location, flags, err := parseImportArgs(args)
	if err != nil {
		return err
	}
	dryRun := flags.dryRun
	res, err := readSource(ctx, source, location, importer.KumaOptions{KeepPushTokens: flags.keepPushTokens})
	if err != nil {
		return err
	}
	// A blank line parts what was read from what apply does with it.
	if _, err := fmt.Fprint(stdout, res.Report.String()+"\n"); err != nil {
		return err
	}
	opts := base
	opts.DryRun = dryRun
	opts.PingTokens = res.PingTokens
	// An import adds to what is there: an object whose name is taken is left alone.
	opts.KeepExisting = true
	getenv := base.Env
	if getenv == nil {
		getenv = os.Getenv
	}
	opts.Env = func(name string) string {
		if v, ok := res.Env[name]; ok {
			return v
		}
		if text, ok := res.FromEnv[name]; ok {
			// The source read this secret from its own variable: so does the import.
			return os.Expand(text, getenv)
		}
		return getenv(name)
	}
	doc, refused, err := fitServer(ctx, st, res.Document, opts)
	if err != nil {
		return fmt.Errorf("import %s: %w", source, err)
	}
	for _, line := range refused {
		if _, err := fmt.Fprintln(stdout, line); err != nil {
			return err
		}
	}
	if opts.Actor == "" {
		opts.Actor = cliActor()
	}
	bar := newProgress(stderr, "importing")
	if opts.Progress == nil {
		opts.Progress = bar.hook()
	}
	rep, err := manifest.Apply(ctx, st, doc, opts)
	bar.finish()
	if err != nil {
		return fmt.Errorf("import %s: apply: %w", source, err)
	}
	if _, err := fmt.Fprint(stdout, rep.String()); err != nil {
		return err
	}
	return printPingURLs(ctx, st, rep, strings.TrimSuffix(publicURL, "/"), stdout)
}

// printPingURLs lists the ping URL of each heartbeat the import created: the jobs
// that pinged the old monitor must be pointed at it, and only now is it known. Without
// PUBLIC_URL (origin "") the URLs are paths on this server's address.
func printPingURLs(ctx context.Context, st *store.Store, rep manifest.Report, origin string, stdout io.Writer) error {
	if rep.DryRun {
		return nil
	}
	created := map[string]bool{}
	for _, it := range rep.Items {
		if it.Kind == "target" && it.Action == manifest.Created {
			created[strings.ToLower(it.Name)] = true
		}
	}
	if len(created) == 0 {
		return nil
	}
	all, err := st.AllTargets(ctx)
	if err != nil {
		return fmt.Errorf("list ping URLs: %w", err)
	}
	header := false
	for _, t := range all {
		if t.Type != target.TypeHeartbeat || t.PingToken == "" || !created[strings.ToLower(t.Name)] {
			continue
		}
		if !header {
			header = true
			where := "heartbeats: point each job at its ping URL:"
			if origin == "" {
				where = "heartbeats: point each job at its ping URL (on this server's address; set PUBLIC_URL for whole URLs):"
			}
			if _, err := fmt.Fprintln(stdout, where); err != nil {
				return err
			}
		}
		if _, err := fmt.Fprintf(stdout, "  %s: %s%s\n", t.Name, origin, target.PingPath(t.PingToken)); err != nil {
			return err
		}
	}
	return nil
}

// importFlags are the flags of `watchdog import`.
type importFlags struct{ dryRun, keepPushTokens bool }

func parseImportArgs(args []string) (source, location string, flags importFlags, err error) {
	var pos []string
	for _, a := range args {
		switch a {
		case "--dry-run", "-dry-run":
			flags.dryRun = true
		case "--keep-push-tokens", "-keep-push-tokens":
			flags.keepPushTokens = true
		case "-h", "--help", "help":
			return "", "", flags, errors.New(importUsage)
		default:
			if strings.HasPrefix(a, "-") && a != "-" {
				return "", "", flags, fmt.Errorf("unknown flag %s\n%s", a, importUsage)
			}
			pos = append(pos, a)
		}
	}
	if len(pos) != 2 {
		return "", "", flags, errors.New(importUsage)
	}
	return pos[0], pos[1], flags, nil
}

func readSource(ctx context.Context, source, location string, kuma importer.KumaOptions) (importer.Result, error) {
	switch source {
	case "gatus":
		res, err := importer.GatusFile(location)
		if err != nil {
			return importer.Result{}, fmt.Errorf("import gatus: %w", err)
		}
		return res, nil
	case "uptime-kuma", "kuma":
		return importer.UptimeKuma(location, kuma)
	case "seed":
		return importer.Seed(ctx, location)
	}
	return importer.Result{}, fmt.Errorf("unknown import source %q\n%s", source, importUsage)
}

// objectPath names the document object an apply error is about: channels[2].config.url.
var objectPath = regexp.MustCompile(`^(channels|targets|status_pages)\[([0-9]+)\]\.?(.*)$`)

// fitServer leaves out the objects this server refuses — a target on a private
// address, an interval below its minimum, an email channel without SMTP — so that
// one of them does not stop the whole import (apply is all or nothing). It tries the
// document in dry runs, taking out each object an error names, and says why.
func fitServer(ctx context.Context, st *store.Store, doc manifest.Document, opts manifest.ApplyOptions) (manifest.Document, []string, error) {
	trial := opts
	trial.DryRun = true
	trial.Progress = nil // the trials are not the import
	var refused []string
	for range len(doc.Channels) + len(doc.Targets) + len(doc.StatusPages) + 1 {
		_, err := manifest.Apply(ctx, st, doc, trial)
		if err == nil {
			return doc, refused, nil
		}
		var le *manifest.LineError
		if !errors.As(err, &le) {
			return doc, refused, err
		}
		m := objectPath.FindStringSubmatch(le.Path)
		if m == nil {
			return doc, refused, err
		}
		i, _ := strconv.Atoi(m[2])
		why := le.Msg
		if m[3] != "" {
			why = m[3] + ": " + why
		}
		switch m[1] {
		case "channels":
			if i >= len(doc.Channels) {
				return doc, refused, err
			}
			name := doc.Channels[i].Name
			refused = append(refused, fmt.Sprintf("channel %q: not applied: %s", name, why))
			doc.Channels = slices.Delete(slices.Clone(doc.Channels), i, i+1)
			targets := slices.Clone(doc.Targets)
			for j := range targets {
				targets[j].Channels = slices.DeleteFunc(slices.Clone(targets[j].Channels), func(c string) bool { return c == name })
			}
			doc.Targets = targets
		case "targets":
			if i >= len(doc.Targets) {
				return doc, refused, err
			}
			refused = append(refused, fmt.Sprintf("target %q: not applied: %s", doc.Targets[i].Name, why))
			doc.Targets = slices.Delete(slices.Clone(doc.Targets), i, i+1)
		default:
			return doc, refused, err
		}
	}
	return doc, refused, errors.New("the server refuses the document")
}
