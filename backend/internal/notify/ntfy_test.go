package notify

import (
	"mime"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNtfySend(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		config   map[string]any
		server   string // the path of the server's URL
		m        Message
		path     string
		title    string
		priority string
		tags     string
		auth     string
		click    string
		body     string
	}{
		{name: "down with a token", config: map[string]any{"topic": "ops-alerts", "token": "tk_secret123"}, m: downMessage(),
			path: "/ops-alerts", title: "shop-api is down — unexpected status 503 (expected 200-399)", priority: "4",
			tags: "rotating_light", auth: "Bearer tk_secret123", click: "https://watchdog.example.com/targets/7",
			body: "Cause: 3 failed checks in a row\nFirst error: unexpected status 503 (expected 200-399)\nLast error: connection refused\n" +
				"Started: 2025-03-04 09:48:00 UTC\nURL: https://shop.example.com/health\nDashboard: https://watchdog.example.com/targets/7"},
		{name: "up on a server under a path, priority set", config: map[string]any{"topic": "ops", "priority": 2}, server: "/ntfy/", m: upMessage(),
			path: "/ntfy/ops", title: "shop-api is up again after 12 min", priority: "2", tags: "white_check_mark",
			click: "https://watchdog.example.com/targets/7",
			body: "Down since: 2025-03-04 09:48:00 UTC\nCause: 3 failed checks in a row\nURL: https://shop.example.com/health\n" +
				"Dashboard: https://watchdog.example.com/targets/7"},
		{name: "test", config: map[string]any{"topic": "ops"}, m: testMessage(), path: "/ops",
			title: "This is a test message from WatchDog.", priority: "3", tags: "bell",
			body: "If you can read this, notifications to this channel work."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := deliver(t, "ntfy", http.StatusOK, func(base string) map[string]any {
				tt.config["url"] = base + tt.server
				return tt.config
			}, tt.m)
			assert.Equal(t, http.MethodPost, got.Method)
			assert.Equal(t, tt.path, got.Path)
			assert.Equal(t, "text/plain; charset=utf-8", got.Header.Get("Content-Type"))
			title, err := new(mime.WordDecoder).DecodeHeader(got.Header.Get("Title"))
			require.NoError(t, err)
			assert.Equal(t, tt.title, title)
			assert.Equal(t, tt.priority, got.Header.Get("Priority"))
			assert.Equal(t, tt.tags, got.Header.Get("Tags"))
			assert.Equal(t, tt.auth, got.Header.Get("Authorization"))
			assert.Equal(t, tt.click, got.Header.Get("Click"))
			assert.Equal(t, tt.body, string(got.Body))
		})
	}
}

func TestNtfyDefaultServer(t *testing.T) {
	t.Parallel()
	c, err := channelType[ntfyConfig, *ntfyConfig]{name: "ntfy"}.parse(rawJSON(t, map[string]any{"topic": "ops"}), Env{})
	require.NoError(t, err)
	assert.Equal(t, "https://ntfy.sh", c.URL)
}
