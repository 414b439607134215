package notify

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSlackSend(t *testing.T) {
	t.Parallel()
	m := downMessage()
	m.Target.Name = "shop <api> & co"
	got := deliver(t, "slack", http.StatusOK, func(base string) map[string]any {
		return map[string]any{"url": base + "/services/T000/B000/hookpath"}
	}, m)

	assert.Equal(t, http.MethodPost, got.Method)
	assert.Equal(t, "/services/T000/B000/hookpath", got.Path)
	assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
	assert.Equal(t, "WatchDog", got.Header.Get("User-Agent"))
	title := "🔴 shop &lt;api&gt; &amp; co is down — unexpected status 503 (expected 200-399)"
	assert.JSONEq(t, `{"text": "`+title+`", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text":
		"*`+title+`*\nCause: 3 failed checks in a row\nFirst error: unexpected status 503 (expected 200-399)\nLast error: connection refused\nStarted: 2025-03-04 09:48:00 UTC\nURL: https://shop.example.com/health\nDashboard: https://watchdog.example.com/targets/7"}}]}`,
		string(got.Body))
}
