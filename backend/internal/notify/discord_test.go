package notify

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDiscordSend(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	rcv.answer(http.StatusNoContent, "", nil)
	m := downMessage()
	m.Target.Name = "@everyone *prod*_api"
	ch := Channel{Type: "discord", Config: rawJSON(t, map[string]any{"url": rcv.URL + "/api/webhooks/123/tok-en?thread_id=9"})}
	require.NoError(t, Send(context.Background(), ch, testEnv(rcv), m))

	got := rcv.only(t)
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
