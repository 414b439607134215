package notify

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTeamsSend(t *testing.T) {
	t.Parallel()
	got := deliver(t, "teams", http.StatusAccepted, func(base string) map[string]any {
		return map[string]any{"url": base + "/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=SIGNATURE"}
	}, upMessage())

	assert.Equal(t, http.MethodPost, got.Method)
	assert.Equal(t, "/workflows/abc/triggers/manual/paths/invoke", got.Path)
	assert.Equal(t, "api-version=2016-06-01&sig=SIGNATURE", got.Query)
	assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
	assert.JSONEq(t, `{"type": "message", "attachments": [{
		"contentType": "application/vnd.microsoft.card.adaptive",
		"contentUrl": null,
		"content": {
			"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
			"type": "AdaptiveCard",
			"version": "1.4",
			"body": [
				{"type": "TextBlock", "text": "🟢 shop-api is up again after 12 min", "wrap": true, "weight": "Bolder", "size": "Medium"},
				{"type": "TextBlock", "text": "Down since: 2025-03-04 09:48:00 UTC", "wrap": true},
				{"type": "TextBlock", "text": "Cause: 3 failed checks in a row", "wrap": true},
				{"type": "TextBlock", "text": "URL: https://shop.example.com/health", "wrap": true},
				{"type": "TextBlock", "text": "Dashboard: https://watchdog.example.com/targets/7", "wrap": true}
			]
		}
	}]}`, string(got.Body))
}
