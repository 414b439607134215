package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func googlechatConfigAt(base string) map[string]any {
	return map[string]any{"url": base + "/v1/spaces/AAAAspace/messages?key=gcKeySecretXYZ&token=gcTokenSecretXYZ"}
}

func TestGoogleChatSend(t *testing.T) {
	t.Parallel()
	links := `URL: <https://shop.example.com/health|https://shop.example.com/health>\n` +
		`Dashboard: <https://watchdog.example.com/targets/7|https://watchdog.example.com/targets/7>`
	tests := []struct {
		name string
		m    Message
		want string
	}{
		{"down opens the incident's thread", downMessage(), `{
			"text": "*🔴 shop-api is down — unexpected status 503 (expected 200-399)*\nCause: 3 failed checks in a row\nFirst error: unexpected status 503 (expected 200-399)\nLast error: connection refused\nStarted: 2025-03-04 09:48:00 UTC\n` + links + `",
			"thread": {"threadKey": "watchdog-incident-42"}}`},
		{"up replies in it", upMessage(), `{
			"text": "*🟢 shop-api is up again after 12 min*\nDown since: 2025-03-04 09:48:00 UTC\nCause: 3 failed checks in a row\n` + links + `",
			"thread": {"threadKey": "watchdog-incident-42"}}`},
		{"test has its own", testMessage(), `{
			"text": "*🔔 This is a test message from WatchDog.*\nIf you can read this, notifications to this channel work.",
			"thread": {"threadKey": "watchdog-test-test-abc"}}`},
		{"checker degraded starts a thread of its own", degradedMessage(), `{
			"text": "*⚠️ WatchDog's checker is degraded: 37 of 40 targets failed at once*\nThis is likely a network or DNS problem on the checker's side; target alerts are held back until it recovers."}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := deliver(t, "googlechat", http.StatusOK, googlechatConfigAt, tt.m)
			assertJSONRequest(t, got, http.MethodPost, "/v1/spaces/AAAAspace/messages", "key=gcKeySecretXYZ&messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD&token=gcTokenSecretXYZ", tt.want)
		})
	}
}

// Every checker episode has the same pairing key: as a thread key it would put every
// degradation and recovery since the channel was made into one thread, so two episodes
// must not share a key.
func TestGoogleChatCheckerEpisodesDoNotShareAThread(t *testing.T) {
	t.Parallel()
	threadKeys := func(m Message) (string, bool) {
		t.Helper()
		var payload struct {
			Thread *struct {
				ThreadKey string `json:"threadKey"`
			} `json:"thread"`
		}
		require.NoError(t, json.Unmarshal(deliver(t, "googlechat", http.StatusOK, googlechatConfigAt, m).Body, &payload))
		if payload.Thread == nil {
			return "", false
		}
		return payload.Thread.ThreadKey, true
	}
	var keys []string
	for episode := range 2 {
		for _, m := range []Message{degradedMessage(), recoveredMessage()} {
			m.DeliveryID = fmt.Sprintf("episode-%d-%s", episode, m.Event)
			m.OccurredAt = m.OccurredAt.Add(time.Duration(episode) * 24 * time.Hour)
			if key, ok := threadKeys(m); ok {
				assert.NotContains(t, keys, key, "%s of episode %d reuses a thread", m.Event, episode)
				keys = append(keys, key)
			}
		}
	}
}

// Google Chat's markup has no escapes: a name that could format or mention everyone
// goes into a code span.
func TestGoogleChatUntrustedText(t *testing.T) {
	t.Parallel()
	m := downMessage()
	m.Target.Name = "<b>*x*</b> <users/all>"
	m.Target.URL = "https://shop.example.com/a|b>c"
	got := deliver(t, "googlechat", http.StatusOK, googlechatConfigAt, m)
	var payload struct {
		Text string `json:"text"`
	}
	require.NoError(t, json.Unmarshal(got.Body, &payload))
	assert.True(t, strings.HasPrefix(payload.Text, "*🔴 `<b>*x*</b> <users/all>` is down"), payload.Text)
	assert.Contains(t, payload.Text, "\nURL: <https://shop.example.com/a%7Cb%3Ec|https://shop.example.com/a%7Cb%3Ec>\n")
}

func TestGoogleChatValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		config string
		env    Env
		want   []string
	}{
		{"official", `{"url":"https://chat.googleapis.com/v1/spaces/AAAA/messages?key=k&token=t"}`, Env{}, nil},
		{"another host", `{"url":"https://evil.example.com/v1/spaces/AAAA/messages?key=k&token=t"}`, Env{}, []string{"url"}},
		{"a look-alike host", `{"url":"https://chat.googleapis.com.evil.example/v1/spaces/AAAA/messages"}`, Env{}, []string{"url"}},
		{"plain http", `{"url":"http://chat.googleapis.com/v1/spaces/AAAA/messages"}`, Env{}, []string{"url"}},
		{"not a space", `{"url":"https://chat.googleapis.com/v1/users/AAAA"}`, Env{}, []string{"url"}},
		{"missing url", `{}`, Env{}, []string{"url"}},
		{"unknown key", `{"url":"https://chat.googleapis.com/v1/spaces/AAAA/messages","thread":"x"}`, Env{}, []string{"thread"}},
		{"any host in tests", `{"url":"http://127.0.0.1:9999/v1/spaces/x"}`, Env{AnyHost: true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Validate("googlechat", json.RawMessage(tt.config), tt.env)
			assert.Equal(t, tt.want, configKeys(err), "%v", err)
		})
	}
	err := Validate("googlechat", json.RawMessage(`{"url":"https://evil.example.com/v1/spaces/A?token=SECRETTOKEN"}`), Env{})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "SECRETTOKEN")
}

// Outside tests a URL off Google's host is never sent to, even if one was stored.
func TestGoogleChatSendsOnlyToGoogle(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	ch := Channel{Type: "googlechat", Config: rawJSON(t, googlechatConfigAt(rcv.URL))}
	err := Send(context.Background(), ch, Env{Client: &http.Client{Timeout: 5 * time.Second}}, downMessage())
	var se *SendError
	require.ErrorAs(t, err, &se)
	assert.False(t, se.Retry)
	assert.NotContains(t, err.Error(), "SecretXYZ")
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	assert.Empty(t, rcv.got, "no request")
}
