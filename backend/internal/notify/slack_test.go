package notify

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSlackSend(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	rcv.answer(http.StatusOK, "ok", nil)
	m := downMessage()
	m.Target.Name = "shop <api> & co"
	ch := Channel{Type: "slack", Config: rawJSON(t, map[string]any{"url": rcv.URL + "/services/T000/B000/XXXX"})}
	require.NoError(t, Send(context.Background(), ch, testEnv(rcv), m))

	got := rcv.only(t)
	assert.Equal(t, http.MethodPost, got.Method)
	assert.Equal(t, "/services/T000/B000/XXXX", got.Path)
	assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
	assert.Equal(t, "WatchDog", got.Header.Get("User-Agent"))
	title := "🔴 shop &lt;api&gt; &amp; co is down — unexpected status 503 (expected 200-399)"
	assert.JSONEq(t, `{"text": "`+title+`", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text":
		"*`+title+`*\nCause: 3 failed checks in a row\nFirst error: unexpected status 503 (expected 200-399)\nLast error: connection refused\nStarted: 2025-03-04 09:48:00 UTC\nURL: https://shop.example.com/health\nDashboard: https://watchdog.example.com/targets/7"}}]}`,
		string(got.Body))
}
