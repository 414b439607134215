package store_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// lines captures the log records of every replica of a test, each as one line of text.
type lines struct {
	mu  sync.Mutex
	got []string
}

type captureHandler struct{ l *lines }

func (captureHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h captureHandler) WithAttrs([]slog.Attr) slog.Handler     { return h }
func (h captureHandler) WithGroup(string) slog.Handler          { return h }
func (h captureHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", r.Level, r.Message)
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	h.l.mu.Lock()
	h.l.got = append(h.l.got, b.String())
	h.l.mu.Unlock()
	return nil
}

// changeLines are the captured lines about confirmed changes.
func (l *lines) changeLines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.DeleteFunc(slices.Clone(l.got), func(s string) bool {
		return !strings.Contains(s, "target state changed") && !strings.Contains(s, "incident ")
	})
}

// TestConfirmedChangesAreLoggedOnce records every check through two replicas of one
// database: each change of state, and each incident opened or resolved, is one line
// with target_id, written by the replica that made it, and no check that changes
// nothing logs anything.
func TestConfirmedChangesAreLoggedOnce(t *testing.T) {
	for _, db := range []struct {
		name string
		url  func(testing.TB) string
	}{
		{"sqlite", storetest.SQLiteURL},
		{"postgres", storetest.PostgresURL},
	} {
		t.Run(db.name, func(t *testing.T) {
			ctx := context.Background()
			url := db.url(t)
			captured := &lines{}
			var replicas []*store.Store
			for range 2 {
				s, err := store.Open(ctx, url, slog.New(captureHandler{captured}))
				require.NoError(t, err)
				t.Cleanup(func() { _ = s.Close() })
				_, err = s.Migrate(ctx)
				require.NoError(t, err)
				replicas = append(replicas, s)
			}
			tg := newTarget(t, replicas[0], target.Spec{URL: "https://a.example.com"})
			now := time.Now().Add(-time.Hour).UTC()
			record := func(ok bool) {
				t.Helper()
				now = now.Add(time.Second)
				c := target.Check{TargetID: tg.ID, CheckedAt: now, OK: ok, Attempts: 1, LatencyMS: 10}
				if !ok {
					c.Error = "connection refused"
				}
				// Both replicas write the same check, as two checkers racing would.
				for _, s := range replicas {
					require.NoError(t, s.Record(ctx, []store.Result{{Check: c}}))
				}
			}

			record(true) // unknown → up
			record(false)
			record(false)
			require.Empty(t, slices.DeleteFunc(captured.changeLines(), func(s string) bool { return strings.Contains(s, "from=unknown") }),
				"failures below the threshold change nothing")
			record(false) // the third in a row: down, and an incident
			record(false) // still down: nothing new
			record(true)
			record(true) // the second success: up, and the incident resolved

			incidents, _, err := replicas[0].ListIncidents(ctx, target.IncidentFilter{TargetID: tg.ID, Limit: 10})
			require.NoError(t, err)
			require.Len(t, incidents, 1)
			id := tg.ID
			inc := incidents[0].ID
			assert.Equal(t, []string{
				fmt.Sprintf("INFO target state changed target_id=%d from=unknown to=up", id),
				fmt.Sprintf("INFO target state changed target_id=%d from=up to=down", id),
				fmt.Sprintf("INFO incident opened target_id=%d incident_id=%d kind=down", id, inc),
				fmt.Sprintf("INFO target state changed target_id=%d from=down to=up", id),
				fmt.Sprintf("INFO incident resolved target_id=%d incident_id=%d kind=down", id, inc),
			}, captured.changeLines())
		})
	}
}
