package notify

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	pushoverTestUser  = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"
	pushoverTestToken = "azGDORePK8gMaC0QOYAMyEEuzJnyUi"
)

func pushoverConfigWith(extra map[string]any) map[string]any {
	c := map[string]any{"user_key": pushoverTestUser, "app_token": pushoverTestToken}
	for k, v := range extra {
		c[k] = v
	}
	return c
}

func TestPushoverSend(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		config map[string]any
		m      Message
		want   url.Values
	}{
		{"down", pushoverConfigWith(nil), downMessage(), url.Values{
			"token": {pushoverTestToken}, "user": {pushoverTestUser}, "html": {"1"}, "priority": {"0"}, "timestamp": {"1741082400"},
			"title":     {"🔴 shop-api is down — unexpected status 503 (expected 200-399)"},
			"message":   {"Cause: 3 failed checks in a row\nFirst error: unexpected status 503 (expected 200-399)\nLast error: connection refused\nStarted: 2025-03-04 09:48:00 UTC\nURL: https://shop.example.com/health\nDashboard: https://watchdog.example.com/targets/7"},
			"url":       {"https://watchdog.example.com/targets/7"},
			"url_title": {"Open in WatchDog"},
		}},
		{"up to one device with a sound, high priority", pushoverConfigWith(map[string]any{"priority": 1, "device": "phone,tablet", "sound": "magic"}),
			upMessage(), url.Values{
				"token": {pushoverTestToken}, "user": {pushoverTestUser}, "html": {"1"}, "priority": {"1"}, "timestamp": {"1741082400"},
				"device": {"phone,tablet"}, "sound": {"magic"},
				"title":     {"🟢 shop-api is up again after 12 min"},
				"message":   {"Down since: 2025-03-04 09:48:00 UTC\nCause: 3 failed checks in a row\nURL: https://shop.example.com/health\nDashboard: https://watchdog.example.com/targets/7"},
				"url":       {"https://watchdog.example.com/targets/7"},
				"url_title": {"Open in WatchDog"},
			}},
		{"test, quiet", pushoverConfigWith(map[string]any{"priority": -1}), testMessage(), url.Values{
			"token": {pushoverTestToken}, "user": {pushoverTestUser}, "html": {"1"}, "priority": {"-1"}, "timestamp": {"1741082400"},
			"title":   {"🔔 This is a test message from WatchDog."},
			"message": {"If you can read this, notifications to this channel work."},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := deliver(t, "pushover", http.StatusOK, func(string) map[string]any { return tt.config }, tt.m)
			assert.Equal(t, http.MethodPost, got.Method)
			assert.Equal(t, "/1/messages.json", got.Path)
			assert.Empty(t, got.Query)
			assert.Equal(t, "application/x-www-form-urlencoded", got.Header.Get("Content-Type"))
			assert.Empty(t, got.Header.Get("Authorization"))
			assert.Equal(t, tt.want.Encode(), string(got.Body))
		})
	}
}

// A target named with HTML shows as text, and a message over Pushover's limit is cut
// at a whole character, never inside an escaped one.
func TestPushoverEscapesAndClips(t *testing.T) {
	t.Parallel()
	m := downMessage()
	m.Target.Name = "<b>*x*</b> & co"
	m.Incident.Cause = `<a href="https://evil.example">click</a>`
	got := deliver(t, "pushover", http.StatusOK, func(string) map[string]any { return pushoverConfigWith(nil) }, m)
	form, err := url.ParseQuery(string(got.Body))
	require.NoError(t, err)
	assert.Equal(t, "🔴 <b>*x*</b> & co is down — unexpected status 503 (expected 200-399)", form.Get("title"), "the title is not HTML")
	assert.True(t, strings.HasPrefix(form.Get("message"),
		"Cause: &lt;a href=\"https://evil.example\"&gt;click&lt;/a&gt;\nFirst error:"), form.Get("message"))

	long := downMessage()
	long.Incident.Cause = strings.Repeat("<", 400)
	long.Incident.FirstError = strings.Repeat("&", 400)
	long.Incident.LastError = strings.Repeat(">", 400)
	got = deliver(t, "pushover", http.StatusOK, func(string) map[string]any { return pushoverConfigWith(nil) }, long)
	form, err = url.ParseQuery(string(got.Body))
	require.NoError(t, err)
	msg := form.Get("message")
	assert.LessOrEqual(t, len([]rune(msg)), maxPushoverMessage)
	assert.True(t, strings.HasSuffix(msg, ";…"), "cut after a whole entity: %q", msg[len(msg)-20:])
}

func TestClipEscaped(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "a &lt; b", clipEscaped("a &lt; b", 20))
	assert.Equal(t, "a …", clipEscaped("a &lt; b", 5))
	assert.Equal(t, "a &lt;…", clipEscaped("a &lt; b", 7))
	assert.Equal(t, "abcd…", clipEscaped("abcdefgh", 5))
}

func TestPushoverValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		config map[string]any
		want   []string
	}{
		{"keys only", pushoverConfigWith(nil), nil},
		{"everything", pushoverConfigWith(map[string]any{"priority": -2, "device": "iphone_1", "sound": "pushover"}), nil},
		{"nothing", map[string]any{}, []string{"user_key", "app_token"}},
		{"every broken key", map[string]any{"user_key": "SECRETVALUE", "app_token": pushoverTestToken + "x", "priority": 2,
			"device": "my phone", "sound": "a/b"}, []string{"user_key", "app_token", "priority", "device", "sound"}},
		{"priority as a word", pushoverConfigWith(map[string]any{"priority": "high"}), []string{"priority"}},
		{"device list with an empty name", pushoverConfigWith(map[string]any{"device": "a,,b"}), []string{"device"}},
		{"a host is not a setting", pushoverConfigWith(map[string]any{"url": "https://api.example.com"}), []string{"url"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Validate("pushover", json.RawMessage(rawJSON(t, tt.config)), Env{})
			assert.Equal(t, tt.want, configKeys(err), "%v", err)
			if err != nil {
				assert.NotContains(t, err.Error(), "SECRETVALUE")
			}
		})
	}
	c, err := channelType[pushoverConfig, *pushoverConfig]{name: "pushover"}.parse(rawJSON(t, pushoverConfigWith(nil)), Env{})
	require.NoError(t, err)
	assert.Equal(t, 0, *c.Priority)
}

// Pushover's error answer lists what is wrong; the channel's editor reads it.
func TestPushoverErrorAnswer(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	rcv.answer(http.StatusBadRequest, `{"user":"invalid","errors":["user identifier is not a valid user, group, or subscribed user key"],"status":0,"request":"5042853c"}`, nil)
	ch := Channel{Type: "pushover", Config: rawJSON(t, pushoverConfigWith(nil))}
	err := Send(context.Background(), ch, testEnv(rcv), downMessage())
	var se *SendError
	require.ErrorAs(t, err, &se)
	assert.False(t, se.Retry)
	assert.Contains(t, err.Error(), `pushover: answered 400 Bad Request: {"user":"invalid","errors":["user identifier is not a valid user`)
}
