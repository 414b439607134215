package outbox_test

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/watchdog-monitor/watchdog/backend/internal/logtest"
	"github.com/watchdog-monitor/watchdog/backend/internal/notify"
	"github.com/watchdog-monitor/watchdog/backend/internal/outbox"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

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
				var logs logtest.Buffer
				d := outbox.New(s, outbox.Options{
					Env:     notify.Env{Client: &http.Client{Timeout: 5 * time.Second}},
					Timeout: 2 * time.Second, Poll: 50 * time.Millisecond, RetryBase: 100 * time.Millisecond,
					MaxAttempts: 2, Log: slog.New(slog.NewJSONHandler(&logs, nil)),
				})
				d.Start()
				defer d.Stop(context.Background())
				waitFor(t, "the outbox to give up", func() bool { return strings.Contains(states(t, s)[0], ":failed:") })

				given := logs.WithMsg(t, "outbox: notification given up")
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
