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

func mattermostConfigAt(base string) map[string]any {
	return map[string]any{"url": base + "/hooks/mmSecretHookXYZ"}
}

func TestMattermostSend(t *testing.T) {
	t.Parallel()
	links := `URL: <https://shop.example.com/health>\nDashboard: <https://watchdog.example.com/targets/7>`
	tests := []struct {
		name  string
		extra map[string]any
		m     Message
		want  string
	}{
		{"down", nil, downMessage(), `{
			"text": "**🔴 shop\\-api is down — unexpected status 503 \\(expected 200\\-399\\)**",
			"attachments": [{"fallback": "🔴 shop-api is down — unexpected status 503 (expected 200-399)", "color": "#E74C3C",
				"text": "Cause: 3 failed checks in a row\nFirst error: unexpected status 503 \\(expected 200\\-399\\)\nLast error: connection refused\nStarted: 2025-03-04 09:48:00 UTC\n` + links + `"}]}`},
		{"up, with every override", map[string]any{"channel": "ops-alerts", "username": "WatchDog", "icon_url": "https://watchdog.example.com/icon.png"},
			upMessage(), `{
			"text": "**🟢 shop\\-api is up again after 12 min**",
			"channel": "ops-alerts", "username": "WatchDog", "icon_url": "https://watchdog.example.com/icon.png",
			"attachments": [{"fallback": "🟢 shop-api is up again after 12 min", "color": "#2ECC71",
				"text": "Down since: 2025-03-04 09:48:00 UTC\nCause: 3 failed checks in a row\n` + links + `"}]}`},
		{"test to a user", map[string]any{"channel": "@alice"}, testMessage(), `{
			"text": "**🔔 This is a test message from WatchDog.**",
			"channel": "@alice",
			"attachments": [{"fallback": "🔔 This is a test message from WatchDog.", "color": "#3498DB",
				"text": "If you can read this, notifications to this channel work."}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := deliver(t, "mattermost", http.StatusOK, withSettings(mattermostConfigAt, tt.extra), tt.m)
			assertJSONRequest(t, got, http.MethodPost, "/hooks/mmSecretHookXYZ", "", tt.want)
		})
	}
}

// A target named to format or ping does neither.
func TestMattermostUntrustedText(t *testing.T) {
	t.Parallel()
	m := downMessage()
	m.Target.Name = "<b>*x*</b> @all @here"
	got := deliver(t, "mattermost", http.StatusOK, mattermostConfigAt, m)
	var payload struct {
		Text        string `json:"text"`
		Attachments []struct {
			Fallback string `json:"fallback"`
		} `json:"attachments"`
	}
	require.NoError(t, json.Unmarshal(got.Body, &payload))
	assert.True(t, strings.HasPrefix(payload.Text, "**🔴 \\<b\\>\\*x\\*\\</b\\> @\u200ball @\u200bhere is down"), payload.Text)
	require.Len(t, payload.Attachments, 1)
	assert.True(t, strings.HasPrefix(payload.Attachments[0].Fallback, "🔴 <b>*x*</b> @\u200ball @\u200bhere is down"), payload.Attachments[0].Fallback)
	assert.NotContains(t, string(got.Body), "@all")
	assert.NotContains(t, string(got.Body), "@here")
}

func TestMattermostValidate(t *testing.T) {
	t.Parallel()
	const hook = `"url":"https://chat.example.com/hooks/abc123"`
	tests := []struct {
		name   string
		config string
		want   []string
	}{
		{"url only", `{` + hook + `}`, nil},
		{"server under a path", `{"url":"https://example.com/mattermost/hooks/abc123"}`, nil},
		{"everything", `{` + hook + `,"channel":"town-square","username":"WatchDog 🐶","icon_url":"https://example.com/i.png"}`, nil},
		{"a direct message", `{` + hook + `,"channel":"@alice.b"}`, nil},
		{"nothing", `{}`, []string{"url"}},
		{"not a webhook", `{"url":"https://chat.example.com/api/v4/posts"}`, []string{"url"}},
		{"channel with a space", `{` + hook + `,"channel":"town square"}`, []string{"channel"}},
		{"channel as a display name", `{` + hook + `,"channel":"#Town Square"}`, []string{"channel"}},
		{"username on two lines", `{` + hook + `,"username":"a\nb"}`, []string{"username"}},
		{"username too long", `{` + hook + `,"username":"` + strings.Repeat("n", 65) + `"}`, []string{"username"}},
		{"icon not a URL", `{` + hook + `,"icon_url":"icon.png"}`, []string{"icon_url"}},
		{"every broken key", `{"url":"ftp://x/hooks/a","channel":"a b","username":"\u0007","icon_url":"x"}`, []string{"url", "channel", "username", "icon_url"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Validate("mattermost", json.RawMessage(tt.config), Env{})
			assert.Equal(t, tt.want, configKeys(err), "%v", err)
		})
	}
	// The URL is the secret: an error never repeats it.
	err := Validate("mattermost", json.RawMessage(`{"url":"https://chat.example.com/api/SECRETPATH"}`), Env{})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "SECRETPATH")

	env := Env{CheckURL: func(*url.URL) error { return errors.New("is a private address") }}
	assert.Equal(t, []string{"url"}, configKeys(Validate("mattermost", json.RawMessage(`{`+hook+`}`), env)))
}
