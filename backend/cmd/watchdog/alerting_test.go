package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/apiclient"
	"github.com/watchdog-monitor/watchdog/backend/internal/notify"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

// hookReceiver is a webhook endpoint on 127.0.0.1 like a user's: it refuses its first
// `failFirst` requests with 500, can hold requests (to cut a sender off mid-delivery),
// and counts a delivery only when it answered it with 200.
type hookReceiver struct {
	*httptest.Server
	secret    string
	failFirst int

	mu       sync.Mutex
	seen     int
	hold     bool
	held     chan struct{} // closed when a request is being held
	accepted []hookDelivery
	attempts map[string]int // by delivery id
	badSigs  int
}

type hookDelivery struct {
	id    string
	event string
	body  map[string]any
}

func newHookReceiver(t *testing.T, secret string, failFirst int) *hookReceiver {
	h := &hookReceiver{secret: secret, failFirst: failFirst, attempts: map[string]int{}}
	h.Server = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.Close)
	return h
}

func (h *hookReceiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	id := r.Header.Get("X-WatchDog-Delivery")
	h.mu.Lock()
	h.seen++
	h.attempts[id]++
	if r.Header.Get("X-WatchDog-Signature") != notify.Sign(h.secret, body) {
		h.badSigs++
	}
	fail := h.seen <= h.failFirst
	hold, held := h.hold, h.held
	h.mu.Unlock()
	if fail {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	if hold {
		close(held)
		<-r.Context().Done() // until the sender goes away: never answered, never counted
		return
	}
	var msg map[string]any
	_ = json.Unmarshal(body, &msg)
	event, _ := msg["event"].(string)
	h.mu.Lock()
	h.accepted = append(h.accepted, hookDelivery{id: id, event: event, body: msg})
	h.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (h *hookReceiver) deliveries() []hookDelivery {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookDelivery(nil), h.accepted...)
}

// holdNext makes the next request wait until its sender dies; the returned channel
// closes when it arrives.
func (h *hookReceiver) holdNext() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.hold, h.held = true, make(chan struct{})
	return h.held
}

func (h *hookReceiver) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.hold = false
}

// TestTwoReplicasDeliverEachTransitionOnce runs two watchdog processes on one
// PostgreSQL database, checking one target whose health the test flips, with a
// webhook channel whose receiver refuses the first two deliveries. Each real
// transition arrives exactly once, signed; a blip below the threshold sends nothing.
// Then both replicas are killed with SIGKILL while a delivery is held at the
// receiver: a fresh replica sends it once the lease runs out, and a restart after
// that sends nothing again.
func TestTwoReplicasDeliverEachTransitionOnce(t *testing.T) {
	bin, err := buildBinary()
	require.NoError(t, err)
	dbURL := storetest.PostgresURL(t)

	var healthy atomic.Bool
	healthy.Store(true)
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if healthy.Load() {
			w.WriteHeader(http.StatusOK)
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(site.Close)
	const secret = "a-webhook-secret"
	hook := newHookReceiver(t, secret, 2)

	env := []string{"NOTIFY_RETRY_BASE=200ms", "NOTIFY_TIMEOUT=2s"}
	a := startReplica(t, bin, dbURL, env...)
	b := startReplica(t, bin, dbURL, env...)
	api := login(t, a.url)
	ctx := context.Background()

	chRes, err := api.CreateChannelWithResponse(ctx, apiclient.ChannelCreate{Name: "ops", Type: apiclient.ChannelCreateTypeWebhook,
		Config: map[string]any{"url": hook.URL + "/hook", "secret": secret}})
	require.NoError(t, err)
	require.NotNil(t, chRes.JSON201, "create channel: %d %s", chRes.StatusCode(), chRes.Body)
	assert.NotContains(t, string(chRes.Body), secret, "the secret is never returned")

	tgRes, err := api.CreateTargetWithResponse(ctx, apiclient.TargetCreate{Url: site.URL + "/health", IntervalSeconds: ptr(2),
		TimeoutSeconds: ptr(1), Retries: ptr(0), FailureThreshold: ptr(3), SuccessThreshold: ptr(2),
		ChannelIds: &[]int{chRes.JSON201.Id}})
	require.NoError(t, err)
	require.NotNil(t, tgRes.JSON201, "create target: %d %s", tgRes.StatusCode(), tgRes.Body)
	id := tgRes.JSON201.Id

	statusIs := func(want string) func() bool {
		return func() bool {
			res, err := api.GetTargetWithResponse(ctx, id)
			return err == nil && res.JSON200 != nil && string(res.JSON200.LastStatus) == want
		}
	}
	events := func() []string {
		var out []string
		for _, d := range hook.deliveries() {
			out = append(out, d.event)
		}
		return out
	}
	require.Eventually(t, statusIs("up"), 20*time.Second, 100*time.Millisecond)

	healthy.Store(false)
	require.Eventually(t, statusIs("down"), 20*time.Second, 100*time.Millisecond)
	require.Eventually(t, func() bool { return len(hook.deliveries()) == 1 }, 20*time.Second, 50*time.Millisecond,
		"the alert arrives after two refusals")
	healthy.Store(true)
	require.Eventually(t, func() bool { return len(hook.deliveries()) == 2 }, 20*time.Second, 50*time.Millisecond)
	assert.Equal(t, []string{"down", "up"}, events())

	// One or two failed checks are a blip, not an outage.
	healthy.Store(false)
	time.Sleep(2500 * time.Millisecond)
	healthy.Store(true)
	time.Sleep(4 * time.Second)
	assert.Len(t, hook.deliveries(), 2, "a blip below the threshold sends nothing")

	// Cut both replicas off mid-delivery.
	held := hook.holdNext()
	healthy.Store(false)
	select {
	case <-held:
	case <-time.After(30 * time.Second):
		t.Fatal("the third alert never reached the receiver")
	}
	for _, r := range []*replica{a, b} {
		require.NoError(t, r.cmd.Process.Signal(syscall.SIGKILL))
		_ = r.cmd.Wait()
	}
	hook.release()
	c := startReplica(t, bin, dbURL, env...)
	require.Eventually(t, func() bool { return len(hook.deliveries()) == 3 }, 30*time.Second, 100*time.Millisecond,
		"a fresh replica sends the alert the dead ones were sending")
	require.NoError(t, c.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, c.cmd.Wait())
	d := startReplica(t, bin, dbURL, env...)
	time.Sleep(5 * time.Second)

	got := hook.deliveries()
	assert.Equal(t, []string{"down", "up", "down"}, events(), "exactly one delivery per transition")
	ids := map[string]bool{}
	for _, d := range got {
		assert.False(t, ids[d.id], "delivery %s accepted twice", d.id)
		ids[d.id] = true
		tg := d.body["target"].(map[string]any)
		assert.Equal(t, float64(id), tg["id"])
		assert.NotNil(t, d.body["incident"])
	}
	hook.mu.Lock()
	assert.Zero(t, hook.badSigs, "every request carries a valid HMAC signature")
	assert.Equal(t, 3, hook.attempts[got[0].id], "the first alert: two refusals, then accepted, under one id")
	hook.mu.Unlock()

	incs, err := login(t, d.url).ListTargetIncidentsWithResponse(ctx, id, nil)
	require.NoError(t, err)
	require.NotNil(t, incs.JSON200)
	assert.Equal(t, 2, incs.JSON200.Total)
	assert.Nil(t, incs.JSON200.Items[0].ResolvedAt, "the last outage is still open")
}
