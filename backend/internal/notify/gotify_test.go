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

const gotifyTestToken = "AGotifySecretXYZ"

func gotifyConfigAt(base string) map[string]any {
	return map[string]any{"server_url": base, "token": gotifyTestToken}
}

func TestGotifySend(t *testing.T) {
	t.Parallel()
	links := `URL: <https://shop.example.com/health>  \nDashboard: <https://watchdog.example.com/targets/7>`
	click := `"client::notification": {"click": {"url": "https://watchdog.example.com/targets/7"}}`
	tests := []struct {
		name   string
		server string // the path of the server's URL
		extra  map[string]any
		m      Message
		path   string
		want   string
	}{
		{name: "down", m: downMessage(), path: "/message", want: `{
			"title": "🔴 shop-api is down — unexpected status 503 (expected 200-399)",
			"message": "Cause: 3 failed checks in a row  \nFirst error: unexpected status 503 \\(expected 200\\-399\\)  \nLast error: connection refused  \nStarted: 2025-03-04 09:48:00 UTC  \n` + links + `",
			"priority": 8,
			"extras": {"client::display": {"contentType": "text/markdown"}, ` + click + `}}`},
		{name: "up on a server under a path", server: "/gotify/", extra: map[string]any{"priority": 0}, m: upMessage(), path: "/gotify/message", want: `{
			"title": "🟢 shop-api is up again after 12 min",
			"message": "Down since: 2025-03-04 09:48:00 UTC  \nCause: 3 failed checks in a row  \n` + links + `",
			"priority": 0,
			"extras": {"client::display": {"contentType": "text/markdown"}, ` + click + `}}`},
		{name: "test", extra: map[string]any{"priority": 5}, m: testMessage(), path: "/message", want: `{
			"title": "🔔 This is a test message from WatchDog.",
			"message": "If you can read this, notifications to this channel work.",
			"priority": 5,
			"extras": {"client::display": {"contentType": "text/markdown"}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := deliver(t, "gotify", http.StatusOK, withSettings(func(base string) map[string]any { return gotifyConfigAt(base + tt.server) }, tt.extra), tt.m)
			assert.Equal(t, gotifyTestToken, got.Header.Get("X-Gotify-Key"))
			assert.Empty(t, got.Header.Get("Authorization"))
			assertJSONRequest(t, got, http.MethodPost, tt.path, "", tt.want)
		})
	}
}

// A target's name and error show as they are: every markdown character is escaped.
func TestGotifyUntrustedText(t *testing.T) {
	t.Parallel()
	m := downMessage()
	m.Target.Name = "<b>*x*</b> [a](https://evil.example)"
	m.Incident.Cause = "# _heading_ `code` &amp; :smile:"
	got := deliver(t, "gotify", http.StatusOK, gotifyConfigAt, m)
	var payload struct {
		Title   string `json:"title"`
		Message string `json:"message"`
	}
	require.NoError(t, json.Unmarshal(got.Body, &payload))
	assert.True(t, strings.HasPrefix(payload.Title, "🔴 <b>*x*</b> [a](https://evil.example) is down"), "the title is plain text: %s", payload.Title)
	assert.True(t, strings.HasPrefix(payload.Message, "Cause: \\# \\_heading\\_ \\`code\\` \\&amp; \\:smile\\:  \n"), payload.Message)
}

func TestGotifyValidate(t *testing.T) {
	t.Parallel()
	const server = `"server_url":"https://gotify.example.com"`
	token := `"token":"` + gotifyTestToken + `"`
	tests := []struct {
		name   string
		config string
		want   []string
	}{
		{"valid", `{` + server + `,` + token + `}`, nil},
		{"priority 0", `{` + server + `,` + token + `,"priority":0}`, nil},
		{"priority 10", `{` + server + `,` + token + `,"priority":10}`, nil},
		{"nothing", `{}`, []string{"server_url", "token"}},
		{"server not http", `{"server_url":"ws://gotify.example.com",` + token + `}`, []string{"server_url"}},
		{"token with a space", `{` + server + `,"token":"A b"}`, []string{"token"}},
		{"priority too high", `{` + server + `,` + token + `,"priority":11}`, []string{"priority"}},
		{"priority negative", `{` + server + `,` + token + `,"priority":-1}`, []string{"priority"}},
		{"priority as a word", `{` + server + `,` + token + `,"priority":"high"}`, []string{"priority"}},
		{"every broken key", `{"server_url":"x","token":"a\nb","priority":42}`, []string{"server_url", "token", "priority"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Validate("gotify", json.RawMessage(tt.config), Env{})
			assert.Equal(t, tt.want, configKeys(err), "%v", err)
		})
	}
	err := Validate("gotify", json.RawMessage(`{`+server+`,`+token+`,"priority":"high"}`), Env{})
	assert.EqualError(t, err, "priority: must be a whole number", "an optional number is described by what it holds")
	err = Validate("gotify", json.RawMessage(`{`+server+`,"token":"Secret token"}`), Env{})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "Secret")

	env := Env{CheckURL: func(*url.URL) error { return errors.New("is a private address") }}
	assert.Equal(t, []string{"server_url"}, configKeys(Validate("gotify", json.RawMessage(`{`+server+`,`+token+`}`), env)))
}

func TestGotifyDefaultPriority(t *testing.T) {
	t.Parallel()
	c, err := channelType[gotifyConfig, *gotifyConfig]{name: "gotify"}.parse(rawJSON(t, gotifyConfigAt("https://gotify.example.com")), Env{})
	require.NoError(t, err)
	require.NotNil(t, c.Priority)
	assert.Equal(t, 8, *c.Priority)
}
