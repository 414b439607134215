package outbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/notify"
	"github.com/watchdog-monitor/watchdog/backend/internal/outbox"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// jsonLines collects JSON log lines from any goroutine.
type jsonLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (j *jsonLines) Write(p []byte) (int, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.buf.Write(p)
}

// withMsg returns the lines whose msg is msg.
func (j *jsonLines) withMsg(t *testing.T, msg string) []map[string]any {
	t.Helper()
	j.mu.Lock()
	text := j.buf.String()
	j.mu.Unlock()
	var out []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(text), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), line)
		if m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

func TestGivenUpIsOneWarningNamingTargetAndChannel(t *testing.T) {
	tests := []struct {
		name     string
		script   []int
		attempts float64
	}{
		{"a refusal is given up at once", []int{http.StatusNotFound}, 1},
		{"failures are given up after the last attempt", []int{500, 500}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				rcv := newReceiver(t, tc.script...)
				ch := alertOn(t, s, rcv, "shop")
				targets, _, err := s.ListTargets(context.Background(), target.ListFilter{Limit: 10})
				require.NoError(t, err)
				require.Len(t, targets, 1)
				var logs jsonLines
				d := outbox.New(s, outbox.Options{
					Env:     notify.Env{Client: &http.Client{Timeout: 5 * time.Second}},
					Timeout: 2 * time.Second, Poll: 50 * time.Millisecond, RetryBase: 100 * time.Millisecond,
					MaxAttempts: 2, Log: slog.New(slog.NewJSONHandler(&logs, nil)),
				})
				d.Start()
				defer d.Stop(context.Background())
				waitFor(t, "the outbox to give up", func() bool { return strings.Contains(states(t, s)[0], ":failed:") })

				given := logs.withMsg(t, "outbox: notification given up")
				require.Len(t, given, 1)
				line := given[0]
				assert.Equal(t, "WARN", line["level"])
				assert.Equal(t, float64(targets[0].ID), line["target_id"])
				assert.Equal(t, float64(ch.ID), line["channel_id"])
				assert.Equal(t, "webhook", line["channel_type"])
				assert.Equal(t, "down", line["event"])
				assert.Equal(t, tc.attempts, line["attempts"])
				assert.Contains(t, line["err"], strconv.Itoa(tc.script[len(tc.script)-1]), "the last error says what the channel answered")
			})
		})
	}
}
