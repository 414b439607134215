package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestWebhookSend(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		m        Message
		wantBody string
	}{
		{"down", downMessage(), `{"event":"down","target":{"id":7,"name":"shop-api","url":"https://shop.example.com/health"},
			"incident":{"id":42,"kind":"down","started_at":"2025-03-04T09:48:00Z","resolved_at":null,
				"cause":"3 failed checks in a row","first_error":"unexpected status 503 (expected 200-399)","last_error":"connection refused"},
			"occurred_at":"2025-03-04T10:00:00Z","dashboard_url":"https://watchdog.example.com/targets/7"}`},
		{"test", testMessage(), `{"event":"test","target":null,"incident":null,"occurred_at":"2025-03-04T10:00:00Z"}`},
		{"checker degraded", degradedMessage(),
			`{"event":"checker_degraded","target":null,"incident":null,"occurred_at":"2025-03-04T10:00:00Z","affected":37,"active":40}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := deliver(t, "webhook", http.StatusOK, func(base string) map[string]any {
				return map[string]any{"url": base + "/hooks/wd?team=ops", "secret": "s3cret",
					"headers": map[string]string{"Authorization": "Bearer abc", "X-Team": "ops"}}
			}, tt.m)

			assert.Equal(t, http.MethodPost, got.Method)
			assert.Equal(t, "/hooks/wd", got.Path)
			assert.Equal(t, "team=ops", got.Query)
			assert.JSONEq(t, tt.wantBody, string(got.Body))
			assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
			assert.Equal(t, "WatchDog", got.Header.Get("User-Agent"))
			assert.Equal(t, tt.m.DeliveryID, got.Header.Get("X-WatchDog-Delivery"))
			assert.Equal(t, tt.m.Event, got.Header.Get("X-WatchDog-Event"))
			assert.Equal(t, "Bearer abc", got.Header.Get("Authorization"))
			assert.Equal(t, "ops", got.Header.Get("X-Team"))
			// Recomputed here, not with Sign, so a wrong Sign cannot agree with itself.
			mac := hmac.New(sha256.New, []byte("s3cret"))
			mac.Write(got.Body)
			assert.Equal(t, "sha256="+hex.EncodeToString(mac.Sum(nil)), got.Header.Get("X-WatchDog-Signature"))
			assert.Equal(t, got.Header.Get("X-WatchDog-Signature"), Sign("s3cret", got.Body))
		})
	}
}

func TestWebhookWithoutSecretIsUnsigned(t *testing.T) {
	t.Parallel()
	got := deliver(t, "webhook", http.StatusNoContent, func(base string) map[string]any {
		return map[string]any{"url": base}
	}, downMessage())
	assert.Empty(t, got.Header.Values("X-WatchDog-Signature"))
	assert.Equal(t, "del-down-1", got.Header.Get("X-WatchDog-Delivery"))
}

func TestSign(t *testing.T) {
	t.Parallel()
	// RFC 4231 test case 2.
	assert.Equal(t, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
		Sign("Jefe", []byte("what do ya want for nothing?")))
}
