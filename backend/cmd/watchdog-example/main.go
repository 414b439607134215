// Command watchdog-example shows the Go SDK (package apiclient) at work: it makes sure
// a target exists, checks it now, and prints its latest checks and its uptime over the
// last 24 hours.
//
//	WATCHDOG_URL=http://localhost:8080 WATCHDOG_API_KEY=wd_… go run ./cmd/watchdog-example
//
// WATCHDOG_TARGET_URL (default https://example.com/) and WATCHDOG_TARGET_NAME
// (default sdk-example) choose the target; a target of that name is reused. The key
// needs the editor role.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/watchdog-monitor/watchdog/backend/apiclient"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Getenv, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "watchdog-example:", err)
		var apiErr *apiclient.Error
		if errors.As(err, &apiErr) {
			for _, f := range apiErr.Errors {
				fmt.Fprintf(os.Stderr, "  %s: %s\n", f.Field, f.Message)
			}
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, out io.Writer) error {
	baseURL, key := getenv("WATCHDOG_URL"), getenv("WATCHDOG_API_KEY")
	if baseURL == "" || key == "" {
		return errors.New("set WATCHDOG_URL and WATCHDOG_API_KEY")
	}
	targetURL := or(getenv("WATCHDOG_TARGET_URL"), "https://example.com/")
	name := or(getenv("WATCHDOG_TARGET_NAME"), "sdk-example")

	c, err := apiclient.New(baseURL, apiclient.WithAPIKey(key))
	if err != nil {
		return err
	}
	t, created, err := findOrCreate(ctx, c, name, targetURL)
	if err != nil {
		return err
	}
	verb := "found"
	if created {
		verb = "created"
	}
	fmt.Fprintf(out, "target %d %q %s (%s)\n", t.Id, t.Name, t.Url, verb)

	// A check now runs at once, retries included (up to 60 s), and returns its result.
	now, err := apiclient.OK(c.CheckTargetWithResponse(ctx, t.Id))
	if err != nil {
		return fmt.Errorf("check now: %w", err)
	}
	fmt.Fprintf(out, "check now: %s\n", describe(*now.JSON200))

	checks, err := apiclient.OK(c.ListChecksWithResponse(ctx, t.Id, &apiclient.ListChecksParams{Limit: ptr(5)}))
	if err != nil {
		return fmt.Errorf("list checks: %w", err)
	}
	fmt.Fprintln(out, "latest checks:")
	for _, ch := range checks.JSON200.Items {
		fmt.Fprintf(out, "  %s  %s\n", ch.CheckedAt.Local().Format(time.DateTime), describe(ch))
	}

	stats, err := apiclient.OK(c.GetTargetStatsWithResponse(ctx, t.Id, &apiclient.GetTargetStatsParams{Window: ptr("24h")}))
	if err != nil {
		return fmt.Errorf("stats: %w", err)
	}
	st := stats.JSON200
	if st.UptimeRatio == nil {
		fmt.Fprintln(out, "uptime 24h: no checks yet")
	} else {
		fmt.Fprintf(out, "uptime 24h: %.2f%% (%d of %d checks up)\n", *st.UptimeRatio*100, st.Up, st.Checks)
	}
	return nil
}

// findOrCreate returns the target called name, making it when there is none. The
// list's q matches names and URLs by substring, so the exact name is compared here.
func findOrCreate(ctx context.Context, c *apiclient.SDK, name, targetURL string) (apiclient.Target, bool, error) {
	for offset := 0; ; {
		page, err := apiclient.OK(c.ListTargetsWithResponse(ctx, &apiclient.ListTargetsParams{Q: &name, Offset: &offset, Limit: ptr(100)}))
		if err != nil {
			return apiclient.Target{}, false, fmt.Errorf("find target: %w", err)
		}
		for _, t := range page.JSON200.Items {
			if t.Name == name {
				return t, false, nil
			}
		}
		offset += len(page.JSON200.Items)
		if len(page.JSON200.Items) == 0 || offset >= page.JSON200.Total {
			break
		}
	}
	made, err := apiclient.OK(c.CreateTargetWithResponse(ctx, apiclient.TargetCreate{Url: targetURL, Name: &name}))
	if err != nil {
		return apiclient.Target{}, false, fmt.Errorf("create target: %w", err)
	}
	return *made.JSON201, true, nil
}

func describe(c apiclient.Check) string {
	state := "up"
	if !c.Ok {
		state = "down"
	}
	code := "---"
	if c.StatusCode != nil {
		code = fmt.Sprint(*c.StatusCode)
	}
	s := fmt.Sprintf("%-4s %s %5d ms", state, code, c.LatencyMs)
	if c.Error != "" {
		s += "  " + c.Error
	}
	return s
}

func or(v, fallback string) string {
	if v != "" {
		return v
	}
	return fallback
}

func ptr[T any](v T) *T { return &v }
