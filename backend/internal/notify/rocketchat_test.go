package notify

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func rocketchatConfigAt(base string) map[string]any {
	return map[string]any{"url": base + "/hooks/rcHookID1234/rcSecretTokenXYZ"}
}

func TestRocketChatSend(t *testing.T) {
	t.Parallel()
	links := `URL: https://shop.example.com/health\nDashboard: https://watchdog.example.com/targets/7`
	tests := []struct {
		name  string
		extra map[string]any
		m     Message
		want  string
	}{
		{"down", nil, downMessage(), `{
			"text": "*🔴 shop-api is down — unexpected status 503 (expected 200-399)*",
			"attachments": [{"color": "#E74C3C",
				"text": "Cause: 3 failed checks in a row\nFirst error: unexpected status 503 (expected 200-399)\nLast error: connection refused\nStarted: 2025-03-04 09:48:00 UTC\n` + links + `"}]}`},
		{"up to a room under another name", map[string]any{"channel": "#ops", "username": "WatchDog"}, upMessage(), `{
			"text": "*🟢 shop-api is up again after 12 min*", "channel": "#ops", "alias": "WatchDog",
			"attachments": [{"color": "#2ECC71", "text": "Down since: 2025-03-04 09:48:00 UTC\nCause: 3 failed checks in a row\n` + links + `"}]}`},
		{"test to a user", map[string]any{"channel": "@alice"}, testMessage(), `{
			"text": "*🔔 This is a test message from WatchDog.*", "channel": "@alice",
			"attachments": [{"color": "#3498DB", "text": "If you can read this, notifications to this channel work."}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := deliver(t, "rocketchat", http.StatusOK, withSettings(rocketchatConfigAt, tt.extra), tt.m)
			assertJSONRequest(t, got, http.MethodPost, "/hooks/rcHookID1234/rcSecretTokenXYZ", "", tt.want)
		})
	}
}

// Rocket.Chat's markup has no escapes: a value that could format or ping goes into a
// code span, and its @ is broken.
func TestRocketChatUntrustedText(t *testing.T) {
	t.Parallel()
	m := downMessage()
	m.Target.Name = "<b>*x*</b> @all `tick`"
	m.Incident.Cause = "@here"
	got := deliver(t, "rocketchat", http.StatusOK, rocketchatConfigAt, m)
	var payload struct {
		Text        string `json:"text"`
		Attachments []struct {
			Text string `json:"text"`
		} `json:"attachments"`
	}
	require.NoError(t, json.Unmarshal(got.Body, &payload))
	assert.True(t, strings.HasPrefix(payload.Text, "*🔴 `<b>*x*</b> @\u200ball ˋtickˋ` is down"), payload.Text)
	require.Len(t, payload.Attachments, 1)
	assert.True(t, strings.HasPrefix(payload.Attachments[0].Text, "Cause: `@\u200bhere`\n"), payload.Attachments[0].Text)
	assert.NotContains(t, string(got.Body), "@all")
	assert.NotContains(t, string(got.Body), "@here")
}

func TestCodeSpan(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "", codeSpan(""))
	assert.Equal(t, "shop-api (eu)", codeSpan("shop-api (eu)"))
	assert.Equal(t, "`dial tcp: lookup x`", codeSpan("dial tcp: lookup x"))
	assert.Equal(t, "`<users/all>`", codeSpan("<users/all>"))
	assert.Equal(t, "`aˋbˋ`", codeSpan("a`b`"))
}

func TestRocketChatValidate(t *testing.T) {
	t.Parallel()
	const hook = `"url":"https://chat.example.com/hooks/abc/def"`
	tests := []struct {
		name   string
		config string
		want   []string
	}{
		{"url only", `{` + hook + `}`, nil},
		{"everything", `{` + hook + `,"channel":"#général","username":"WatchDog"}`, nil},
		{"a user", `{` + hook + `,"channel":"@alice.b"}`, nil},
		{"nothing", `{}`, []string{"url"}},
		{"not a webhook", `{"url":"https://chat.example.com/api/v1/chat.postMessage"}`, []string{"url"}},
		{"channel without # or @", `{` + hook + `,"channel":"ops"}`, nil},
		{"channel with # twice", `{` + hook + `,"channel":"##ops"}`, []string{"channel"}},
		{"channel with a space", `{` + hook + `,"channel":"#o ps"}`, []string{"channel"}},
		{"username on two lines", `{` + hook + `,"username":"a\r\nb"}`, []string{"username"}},
		{"alias is not a key", `{` + hook + `,"alias":"x"}`, []string{"alias"}},
		{"every broken key", `{"url":"/hooks/a","channel":"#","username":"` + strings.Repeat("n", 65) + `"}`, []string{"url", "channel", "username"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Validate("rocketchat", json.RawMessage(tt.config), Env{})
			assert.Equal(t, tt.want, configKeys(err), "%v", err)
		})
	}
	err := Validate("rocketchat", json.RawMessage(`{"url":"https://chat.example.com/SECRETPATH"}`), Env{})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "SECRETPATH")

	env := Env{CheckURL: func(*url.URL) error { return errors.New("is a private address") }}
	assert.Equal(t, []string{"url"}, configKeys(Validate("rocketchat", json.RawMessage(`{`+hook+`}`), env)))
}
