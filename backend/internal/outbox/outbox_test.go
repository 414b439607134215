package outbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
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

// receiver is a webhook endpoint on 127.0.0.1 that answers each request with the
// next status from its script (200 once the script runs out) and keeps what it got.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	script []int
	// hold, when set, makes requests wait for it to close; holdFirst makes the first
	// request wait until its sender goes away, never answered.
	hold      chan struct{}
	holdFirst bool
	requests  []received
}

type received struct {
	delivery, signature string
	body                []byte
	status              int
	at                  time.Time
}

func newReceiver(t *testing.T, script ...int) *receiver {
	r := &receiver{script: script}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		hold, cutOff := r.hold, r.holdFirst
		r.holdFirst = false
		r.mu.Unlock()
		if cutOff {
			<-req.Context().Done()
			return // the sender went away: not delivered
		}
		if hold != nil {
			select {
			case <-hold:
			case <-req.Context().Done():
				return // the sender gave up: not delivered
			}
		}
		r.mu.Lock()
		status := http.StatusOK
		if len(r.script) > 0 {
			status, r.script = r.script[0], r.script[1:]
		}
		r.requests = append(r.requests, received{delivery: req.Header.Get("X-WatchDog-Delivery"),
			signature: req.Header.Get("X-WatchDog-Signature"), body: body, status: status, at: time.Now()})
		r.mu.Unlock()
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "1")
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) got() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.requests...)
}

func (r *receiver) accepted() []received {
	var out []received
	for _, q := range r.got() {
		if q.status < 300 {
			out = append(out, q)
		}
	}
	return out
}

const secret = "s3cret-for-tests"

// alertOn makes a channel pointing at rcv, a target subscribed to it, and records a
// failed check, which queues one "down" notification.
func alertOn(t *testing.T, s *store.Store, rcv *receiver, name string) notify.Channel {
	t.Helper()
	ctx := context.Background()
	cfg, _ := json.Marshal(map[string]any{"url": rcv.URL + "/hook", "secret": secret})
	ch, err := s.CreateChannel(ctx, notify.Channel{Name: name, Type: "webhook", Config: cfg})
	require.NoError(t, err)
	tg, err := target.New(target.Spec{URL: "https://" + name + ".example.com", FailureThreshold: new(1), ChannelIDs: []int64{ch.ID}},
		target.Limits{MinIntervalSeconds: 1})
	require.NoError(t, err)
	tg, err = s.CreateTarget(ctx, tg)
	require.NoError(t, err)
	require.NoError(t, s.Record(ctx, []store.Result{{Check: target.Check{TargetID: tg.ID, CheckedAt: time.Now().UTC(),
		Attempts: 1, Error: "connection refused"}}}))
	return ch
}

func newDispatcher(s *store.Store) *outbox.Dispatcher {
	return outbox.New(s, outbox.Options{
		Env:     notify.Env{Client: &http.Client{Timeout: 5 * time.Second}},
		Timeout: 2 * time.Second, Poll: 50 * time.Millisecond, RetryBase: 100 * time.Millisecond,
		Log: storetest.Logger(nil),
	})
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func states(t *testing.T, s *store.Store) []string {
	t.Helper()
	ds, err := s.Deliveries(context.Background())
	require.NoError(t, err)
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%s:%s:%d", d.Event, d.State, d.Attempts))
	}
	return out
}

func TestRetriesUntilDeliveredOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		rcv := newReceiver(t, 500, 500)
		alertOn(t, s, rcv, "shop")
		d := newDispatcher(s)
		d.Start()
		defer d.Stop(context.Background())

		waitFor(t, "an accepted delivery", func() bool { return len(rcv.accepted()) == 1 })
		waitFor(t, "the outbox to record it", func() bool { return states(t, s)[0] == "down:sent:3" })
		got := rcv.got()
		require.Len(t, got, 3, "two failures, then the one that went through")
		for _, q := range got {
			assert.Equal(t, got[0].delivery, q.delivery, "every retry carries the same delivery id")
			assert.Equal(t, notify.Sign(secret, q.body), q.signature)
		}
		var msg map[string]any
		require.NoError(t, json.Unmarshal(got[2].body, &msg))
		assert.Equal(t, "down", msg["event"])
		assert.Equal(t, "https://shop.example.com", msg["target"].(map[string]any)["url"])
		assert.Equal(t, "connection refused", msg["incident"].(map[string]any)["first_error"])
		assert.GreaterOrEqual(t, got[2].at.Sub(got[1].at), 190*time.Millisecond, "the second wait doubles the first")
	})
}

func TestRetryAfterIsHonoured(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		rcv := newReceiver(t, http.StatusTooManyRequests)
		alertOn(t, s, rcv, "shop")
		d := newDispatcher(s)
		d.Start()
		defer d.Stop(context.Background())
		waitFor(t, "an accepted delivery", func() bool { return len(rcv.accepted()) == 1 })
		got := rcv.got()
		require.Len(t, got, 2)
		assert.GreaterOrEqual(t, got[1].at.Sub(got[0].at), 900*time.Millisecond, "Retry-After: 1 beats the 100 ms backoff")
	})
}

func TestPermanentFailureIsGivenUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		rcv := newReceiver(t, http.StatusNotFound)
		alertOn(t, s, rcv, "shop")
		d := newDispatcher(s)
		d.Start()
		defer d.Stop(context.Background())
		waitFor(t, "the outbox to give up", func() bool { return states(t, s)[0] == "down:failed:1" })
		assert.Len(t, rcv.got(), 1, "a 404 is not retried")
	})
}

// A channel that hangs does not hold up another.
func TestSlowChannelDoesNotDelayOthers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		slow := newReceiver(t)
		slow.hold = make(chan struct{})
		defer close(slow.hold)
		fast := newReceiver(t)
		alertOn(t, s, slow, "slow")
		alertOn(t, s, fast, "fast")
		d := newDispatcher(s)
		d.Start()
		defer d.Stop(context.Background())
		waitFor(t, "the fast channel", func() bool { return len(fast.accepted()) == 1 })
		assert.Empty(t, slow.accepted())
	})
}

// Stopping mid-send hands the notification back; the next dispatcher (a restart, or
// another replica) delivers it once, not as a second attempt.
func TestStopMidDeliveryLosesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		rcv := newReceiver(t)
		rcv.holdFirst = true
		alertOn(t, s, rcv, "shop")
		d := newDispatcher(s)
		d.Start()
		waitFor(t, "the send to start", func() bool {
			ds, err := s.Deliveries(context.Background())
			return err == nil && ds[0].Attempts == 1
		})
		time.Sleep(100 * time.Millisecond) // the request is at the receiver, held
		// Half the stop's time goes to the sends, the rest to handing back what they
		// held: a second each, so a loaded database still takes the hand-back write.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		d.Stop(ctx)
		cancel()
		assert.Equal(t, []string{"down:pending:0"}, states(t, s))
		assert.Empty(t, rcv.accepted())

		d2 := newDispatcher(s)
		d2.Start()
		defer d2.Stop(context.Background())
		waitFor(t, "the delivery after the restart", func() bool { return len(rcv.accepted()) == 1 })
		waitFor(t, "the outbox to record it", func() bool { return states(t, s)[0] == "down:sent:1" })
		time.Sleep(300 * time.Millisecond)
		assert.Len(t, rcv.accepted(), 1)
	})
}

func TestTestMessage(t *testing.T) {
	rcv := newReceiver(t)
	cfg, _ := json.Marshal(map[string]any{"url": rcv.URL + "/hook", "secret": secret})
	ch := notify.Channel{ID: 1, Name: "ops", Type: "webhook", Config: cfg}
	require.NoError(t, outbox.Test(context.Background(), ch, notify.Env{Client: http.DefaultClient}, time.Now()))
	got := rcv.got()
	require.Len(t, got, 1)
	var msg map[string]any
	require.NoError(t, json.Unmarshal(got[0].body, &msg))
	assert.Equal(t, "test", msg["event"])
	assert.Equal(t, notify.Sign(secret, got[0].body), got[0].signature)
}
