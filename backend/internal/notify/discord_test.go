package notify

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDiscordSend(t *testing.T) {
	t.Parallel()
	m := downMessage()
	m.Target.Name = "@everyone *prod*_api"
	got := deliver(t, "discord", http.StatusNoContent, func(base string) map[string]any {
		return map[string]any{"url": base + "/api/webhooks/123/tok-en?thread_id=9"}
	}, m)

	assert.Equal(t, http.MethodPost, got.Method)
	assert.Equal(t, "/api/webhooks/123/tok-en", got.Path)
	assert.Equal(t, "thread_id=9", got.Query)
	assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
	assert.JSONEq(t, `{
		"content": "🔴 \\@everyone \\*prod\\*\\_api is down — unexpected status 503 \\(expected 200\\-399\\)",
		"embeds": [{
			"title": "Down",
			"description": "Cause: 3 failed checks in a row\nFirst error: unexpected status 503 \\(expected 200\\-399\\)\nLast error: connection refused\nStarted: 2025-03-04 09:48:00 UTC\nURL: <https://shop.example.com/health>\nDashboard: <https://watchdog.example.com/targets/7>",
			"color": 15158332,
			"timestamp": "2025-03-04T10:00:00Z"
		}],
		"allowed_mentions": {"parse": []}
	}`, string(got.Body))
}
