package notify

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const opsgenieTestKey = "0e3f5a1b-9c2d-4e8f-a7b6-1d2c3e4f5a6b"

func TestOpsgenieSend(t *testing.T) {
	t.Parallel()
	downDetails := `{"event": "down", "target_id": "7", "target": "shop-api", "url": "https://shop.example.com/health",
		"incident_id": "42", "kind": "down", "cause": "3 failed checks in a row", "started_at": "2025-03-04T09:48:00Z",
		"first_error": "unexpected status 503 (expected 200-399)", "last_error": "connection refused",
		"dashboard": "https://watchdog.example.com/targets/7"}`
	tests := []struct {
		name   string
		config map[string]any
		m      Message
		path   string
		query  string
		want   string
	}{
		{"down creates", map[string]any{"api_key": opsgenieTestKey}, downMessage(), "/v2/alerts", "", `{
			"message": "🔴 shop-api is down — unexpected status 503 (expected 200-399)",
			"alias": "watchdog-incident-42",
			"description": "Cause: 3 failed checks in a row\nFirst error: unexpected status 503 (expected 200-399)\nLast error: connection refused\nStarted: 2025-03-04 09:48:00 UTC\nURL: https://shop.example.com/health\nDashboard: https://watchdog.example.com/targets/7",
			"priority": "P3", "source": "WatchDog", "tags": ["watchdog", "down"], "entity": "shop-api",
			"details": ` + downDetails + `}`},
		{"up closes the same alias", map[string]any{"api_key": opsgenieTestKey}, upMessage(),
			"/v2/alerts/watchdog-incident-42/close", "identifierType=alias", `{"source": "WatchDog",
			"note": "🟢 shop-api is up again after 12 min\nDown since: 2025-03-04 09:48:00 UTC\nCause: 3 failed checks in a row\nURL: https://shop.example.com/health\nDashboard: https://watchdog.example.com/targets/7"}`},
		{"test creates its own alias at P5, whatever the channel's priority", map[string]any{"api_key": opsgenieTestKey, "priority": "P1"}, testMessage(), "/v2/alerts", "", `{
			"message": "🔔 This is a test message from WatchDog.", "alias": "watchdog-test-test-abc",
			"description": "This is a test alert from WatchDog: nothing is down. It stays open until you close it.\nIf you can read this, notifications to this channel work.",
			"priority": "P5", "source": "WatchDog", "tags": ["watchdog", "test"], "details": {"event": "test"}}`},
		{"checker degraded", map[string]any{"api_key": opsgenieTestKey, "priority": "P2", "region": "us"}, degradedMessage(), "/v2/alerts", "", `{
			"message": "⚠️ WatchDog's checker is degraded: 37 of 40 targets failed at once", "alias": "watchdog-checker-degraded",
			"description": "This is likely a network or DNS problem on the checker's side; target alerts are held back until it recovers.",
			"priority": "P2", "source": "WatchDog", "tags": ["watchdog", "checker_degraded"], "entity": "WatchDog checker",
			"details": {"event": "checker_degraded", "affected": "37", "active": "40"}}`},
		{"checker recovered closes it", map[string]any{"api_key": opsgenieTestKey}, recoveredMessage(),
			"/v2/alerts/watchdog-checker-degraded/close", "identifierType=alias", `{"source": "WatchDog",
			"note": "✅ WatchDog's checker has recovered\n2 of 40 targets are still down; their alerts follow."}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := deliver(t, "opsgenie", http.StatusAccepted, func(string) map[string]any { return tt.config }, tt.m)
			assert.Equal(t, "GenieKey "+opsgenieTestKey, got.Header.Get("Authorization"))
			assert.Equal(t, "WatchDog", got.Header.Get("User-Agent"))
			assertJSONRequest(t, got, http.MethodPost, tt.path, tt.query, tt.want)
		})
	}
}

// A down and its up go to the same alert, whatever the delivery ids; a target's name
// longer than Opsgenie's message limit is cut to it.
func TestOpsgenieDownAndUpPair(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	rcv.answer(http.StatusAccepted, `{"result":"Request will be processed","took":0.1,"requestId":"r1"}`, nil)
	ch := Channel{Type: "opsgenie", Config: rawJSON(t, map[string]any{"api_key": opsgenieTestKey})}
	down := downMessage()
	down.Target.Name = strings.Repeat("n", 300)
	require.NoError(t, Send(context.Background(), ch, testEnv(rcv), down))
	require.NoError(t, Send(context.Background(), ch, testEnv(rcv), upMessage()))

	rcv.mu.Lock()
	got := append([]received(nil), rcv.got...)
	rcv.mu.Unlock()
	require.Len(t, got, 2)
	var created opsgenieAlert
	require.NoError(t, json.Unmarshal(got[0].Body, &created))
	assert.Equal(t, "/v2/alerts", got[0].Path)
	assert.Len(t, []rune(created.Message), maxOpsgenieMessage)
	assert.Equal(t, "/v2/alerts/"+created.Alias+"/close", got[1].Path)
}

// An EU account's alerts go to the EU host, and nothing to the US one.
func TestOpsgenieRegion(t *testing.T) {
	t.Parallel()
	us, eu := newReceiver(t), newReceiver(t)
	us.answer(http.StatusAccepted, "{}", nil)
	eu.answer(http.StatusAccepted, "{}", nil)
	env := testEnv(us)
	env.APIBase["opsgenie.eu"] = eu.URL
	ch := Channel{Type: "opsgenie", Config: rawJSON(t, map[string]any{"api_key": opsgenieTestKey, "region": "eu"})}
	require.NoError(t, Send(context.Background(), ch, env, downMessage()))
	require.NoError(t, Send(context.Background(), ch, env, upMessage()))
	eu.mu.Lock()
	assert.Len(t, eu.got, 2)
	eu.mu.Unlock()
	us.mu.Lock()
	assert.Empty(t, us.got)
	us.mu.Unlock()

	// Without the test override the official hosts are used, and an override given
	// to a production Env (AnyHost unset) is ignored.
	prod := Env{APIBase: map[string]string{"opsgenie": us.URL, "opsgenie.eu": eu.URL}}
	assert.Equal(t, "https://api.opsgenie.com", opsgenieBase(prod, "us"))
	assert.Equal(t, "https://api.eu.opsgenie.com", opsgenieBase(prod, "eu"))
}

func TestOpsgenieValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		config string
		want   []string
	}{
		{"key only", `{"api_key":"` + opsgenieTestKey + `"}`, nil},
		{"everything", `{"api_key":"` + strings.ToUpper(opsgenieTestKey) + `","region":"eu","priority":"P1"}`, nil},
		{"nothing", `{}`, []string{"api_key"}},
		{"every broken key", `{"api_key":"OGKEY-123","region":"asia","priority":"high"}`, []string{"api_key", "region", "priority"}},
		{"priority lower case", `{"api_key":"` + opsgenieTestKey + `","priority":"p1"}`, []string{"priority"}},
		{"a host is not a setting", `{"api_key":"` + opsgenieTestKey + `","url":"https://api.example.com"}`, []string{"url"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Validate("opsgenie", json.RawMessage(tt.config), Env{})
			assert.Equal(t, tt.want, configKeys(err), "%v", err)
		})
	}
	err := Validate("opsgenie", json.RawMessage(`{"api_key":"not-a-uuid-but-SECRETVALUE"}`), Env{})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "SECRETVALUE")

	c, err := channelType[opsgenieConfig, *opsgenieConfig]{name: "opsgenie"}.parse(rawJSON(t, map[string]any{"api_key": opsgenieTestKey}), Env{})
	require.NoError(t, err)
	assert.Equal(t, "us", c.Region)
	assert.Equal(t, "P3", c.Priority)
}

// dialedAddress sends m through ch with a production Env (AnyHost unset, yet an
// APIBase override given) whose dialer connects nowhere but records where it was
// asked to: the address a fixed-host type really sends to.
func dialedAddress(t *testing.T, ch Channel, m Message) string {
	t.Helper()
	var (
		mu     sync.Mutex
		dialed []string
	)
	refuse := func(_ context.Context, _, addr string) (net.Conn, error) {
		mu.Lock()
		defer mu.Unlock()
		dialed = append(dialed, addr)
		return nil, errors.New("refused by the test")
	}
	env := Env{Client: &http.Client{Transport: &http.Transport{DialContext: refuse}},
		APIBase: map[string]string{ch.Type: "http://127.0.0.1:9", "opsgenie.eu": "http://127.0.0.1:9"}}
	err := Send(context.Background(), ch, env, m)
	var se *SendError
	require.ErrorAs(t, err, &se)
	assert.True(t, se.Retry)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, dialed, 1)
	return dialed[0]
}

func TestFixedHostProvidersSendOnlyToTheirAPI(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typ    string
		config map[string]any
		want   string
	}{
		{"opsgenie", map[string]any{"api_key": opsgenieTestKey}, "api.opsgenie.com:443"},
		{"opsgenie", map[string]any{"api_key": opsgenieTestKey, "region": "eu"}, "api.eu.opsgenie.com:443"},
		{"pushover", pushoverConfigWith(nil), "api.pushover.net:443"},
		{"twilio", twilioConfigFor("+15557654321"), "api.twilio.com:443"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			ch := Channel{Type: tt.typ, Config: rawJSON(t, tt.config)}
			assert.Equal(t, tt.want, dialedAddress(t, ch, downMessage()))
		})
	}
}
