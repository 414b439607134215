package notify

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

const pagerdutyTestKey = "R0UT1NGKEY0123456789abcdefABCDEF"

func TestPagerDutySend(t *testing.T) {
	t.Parallel()
	downDetails := `"custom_details": {"event": "down", "target_id": 7, "target": "shop-api", "url": "https://shop.example.com/health",
		"incident_id": 42, "kind": "down", "cause": "3 failed checks in a row", "started_at": "2025-03-04T09:48:00Z",
		"first_error": "unexpected status 503 (expected 200-399)", "last_error": "connection refused"}`
	links := `"client_url": "https://watchdog.example.com/targets/7",
		"links": [{"href": "https://watchdog.example.com/targets/7", "text": "WatchDog dashboard"}]`
	tests := []struct {
		name   string
		config map[string]any
		m      Message
		want   string
	}{
		{"down triggers", map[string]any{"routing_key": pagerdutyTestKey}, downMessage(), `{
			"routing_key": "` + pagerdutyTestKey + `", "event_action": "trigger", "dedup_key": "watchdog-incident-42",
			"client": "WatchDog", ` + links + `,
			"payload": {"summary": "🔴 shop-api is down — unexpected status 503 (expected 200-399)", "source": "shop.example.com",
				"severity": "critical", "timestamp": "2025-03-04T10:00:00Z", "class": "down", ` + downDetails + `}}`},
		{"up resolves the same key", map[string]any{"routing_key": pagerdutyTestKey}, upMessage(), `{
			"routing_key": "` + pagerdutyTestKey + `", "event_action": "resolve", "dedup_key": "watchdog-incident-42",
			"client": "WatchDog", ` + links + `}`},
		{"test triggers its own key", map[string]any{"routing_key": pagerdutyTestKey, "severity": "info"}, testMessage(), `{
			"routing_key": "` + pagerdutyTestKey + `", "event_action": "trigger", "dedup_key": "watchdog-test-test-abc",
			"client": "WatchDog",
			"payload": {"summary": "🔔 This is a test message from WatchDog.", "source": "watchdog", "severity": "info",
				"timestamp": "2025-03-04T10:00:00Z", "class": "test", "custom_details": {"event": "test"}}}`},
		{"checker degraded", map[string]any{"routing_key": pagerdutyTestKey, "severity": "warning"}, degradedMessage(), `{
			"routing_key": "` + pagerdutyTestKey + `", "event_action": "trigger", "dedup_key": "watchdog-checker-degraded",
			"client": "WatchDog",
			"payload": {"summary": "⚠️ WatchDog's checker is degraded: 37 of 40 targets failed at once", "source": "watchdog",
				"severity": "warning", "timestamp": "2025-03-04T10:00:00Z", "class": "checker_degraded",
				"custom_details": {"event": "checker_degraded", "affected": 37, "active": 40}}}`},
		{"checker recovered", map[string]any{"routing_key": pagerdutyTestKey}, recoveredMessage(), `{
			"routing_key": "` + pagerdutyTestKey + `", "event_action": "resolve", "dedup_key": "watchdog-checker-degraded",
			"client": "WatchDog"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := deliver(t, "pagerduty", http.StatusAccepted, func(string) map[string]any { return tt.config }, tt.m)
			assert.Equal(t, http.MethodPost, got.Method)
			assert.Equal(t, "/v2/enqueue", got.Path)
			assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
			assert.JSONEq(t, tt.want, string(got.Body))
		})
	}
}
