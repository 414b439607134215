package notify

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

const telegramTestToken = "123456789:AAEhBP0av28-test-token_0123456789ab"

func TestTelegramSend(t *testing.T) {
	t.Parallel()
	m := downMessage()
	m.Target.Name = "<b>shop</b> & co"
	got := deliver(t, "telegram", http.StatusOK, func(string) map[string]any {
		return map[string]any{"bot_token": telegramTestToken, "chat_id": "-1001234567890"}
	}, m)

	assert.Equal(t, http.MethodPost, got.Method)
	assert.Equal(t, "/bot"+telegramTestToken+"/sendMessage", got.Path)
	assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
	assert.JSONEq(t, `{"chat_id": "-1001234567890", "parse_mode": "HTML", "disable_web_page_preview": true,
		"text": "<b>🔴 &lt;b&gt;shop&lt;/b&gt; &amp; co is down — unexpected status 503 (expected 200-399)</b>\nCause: 3 failed checks in a row\nFirst error: unexpected status 503 (expected 200-399)\nLast error: connection refused\nStarted: 2025-03-04 09:48:00 UTC\nURL: https://shop.example.com/health\nDashboard: https://watchdog.example.com/targets/7"}`,
		string(got.Body))
}

// Without AnyHost the API base cannot be moved: a config cannot send the token
// anywhere but Telegram.
func TestTelegramIgnoresAPIBaseWithoutAnyHost(t *testing.T) {
	t.Parallel()
	env := Env{APIBase: map[string]string{"telegram": "http://127.0.0.1:1"}}
	assert.Equal(t, "https://api.telegram.org", apiBase(env, "telegram", "https://api.telegram.org"))
	env.AnyHost = true
	assert.Equal(t, "http://127.0.0.1:1", apiBase(env, "telegram", "https://api.telegram.org"))
}
