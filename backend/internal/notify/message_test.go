package notify

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSummary(t *testing.T) {
	t.Parallel()
	warm := downMessage()
	warm.Event, warm.Incident.Kind = EventWarmGap, "warm_gap"
	warm.Incident.FirstError, warm.Incident.LastError = "", ""
	warm.Incident.Cause = "no successful request for 16 min"
	warmUp := upMessage()
	warmUp.Incident.Kind = "warm_gap"
	unnamed := downMessage()
	unnamed.Target.Name = ""
	unnamed.DashboardURL = ""
	noIncident := upMessage()
	noIncident.Incident = nil

	tests := []struct {
		name  string
		m     Message
		title string
		body  string
	}{
		{"down", downMessage(), "🔴 shop-api is down — unexpected status 503 (expected 200-399)",
			"Cause: 3 failed checks in a row\nFirst error: unexpected status 503 (expected 200-399)\nLast error: connection refused\n" +
				"Started: 2025-03-04 09:48:00 UTC\nURL: https://shop.example.com/health\nDashboard: https://watchdog.example.com/targets/7"},
		{"up", upMessage(), "🟢 shop-api is up again after 12 min",
			"Down since: 2025-03-04 09:48:00 UTC\nCause: 3 failed checks in a row\nURL: https://shop.example.com/health\n" +
				"Dashboard: https://watchdog.example.com/targets/7"},
		{"up without an incident", noIncident, "🟢 shop-api is up again",
			"URL: https://shop.example.com/health\nDashboard: https://watchdog.example.com/targets/7"},
		{"warm gap", warm, "🟠 shop-api went cold — no successful request for 16 min",
			"Cause: no successful request for 16 min\nStarted: 2025-03-04 09:48:00 UTC\nURL: https://shop.example.com/health\n" +
				"Dashboard: https://watchdog.example.com/targets/7"},
		{"warm again", warmUp, "🟢 shop-api is warm again after 12 min",
			"Down since: 2025-03-04 09:48:00 UTC\nCause: 3 failed checks in a row\nURL: https://shop.example.com/health\n" +
				"Dashboard: https://watchdog.example.com/targets/7"},
		{"a target without a name is named by its host", unnamed,
			"🔴 shop.example.com is down — unexpected status 503 (expected 200-399)",
			"Cause: 3 failed checks in a row\nFirst error: unexpected status 503 (expected 200-399)\nLast error: connection refused\n" +
				"Started: 2025-03-04 09:48:00 UTC\nURL: https://shop.example.com/health"},
		{"test", testMessage(), "🔔 This is a test message from WatchDog.",
			"If you can read this, notifications to this channel work."},
		{"checker degraded", degradedMessage(), "⚠️ WatchDog's checker is degraded: 37 of 40 targets failed at once",
			"This is likely a network or DNS problem on the checker's side; target alerts are held back until it recovers."},
		{"checker recovered", recoveredMessage(), "✅ WatchDog's checker has recovered",
			"2 of 40 targets are still down; their alerts follow."},
		{"checker recovered, nothing down", Message{Event: EventRecovered, Active: 40}, "✅ WatchDog's checker has recovered",
			"No target is down now."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			title, body := summary(tt.m, plain())
			assert.Equal(t, tt.title, title)
			assert.Equal(t, tt.body, body)
		})
	}
}

// A target's name and errors are someone's input: they are kept to one line and a
// bounded length whatever the format, and escaped by the format.
func TestSummaryUntrustedText(t *testing.T) {
	t.Parallel()
	m := downMessage()
	m.Target.Name = "evil\r\nBcc: victim@example.com <b>&</b> *bold* @everyone"
	m.Incident.FirstError = strings.Repeat("x", 5000)

	title, body := summary(m, plain())
	assert.NotContains(t, title, "\n")
	assert.Contains(t, title, "evil Bcc: victim@example.com")
	assert.Less(t, len([]rune(title)), maxNameInMessage+maxErrorInMessage+30)
	for _, line := range strings.Split(body, "\n") {
		assert.LessOrEqual(t, len([]rune(line)), maxErrorInMessage+20)
	}

	title, _ = summary(m, format{text: escapeAngles, link: escapeAngles})
	assert.Contains(t, title, "&lt;b&gt;&amp;&lt;/b&gt;")

	title, _ = summary(m, format{text: discordMarkdown.Replace, link: discordLink})
	assert.Contains(t, title, `\<b\>&\</b\> \*bold\* \@everyone`)
}

func TestDuration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d    time.Duration
		want string
	}{
		{45 * time.Second, "45 s"},
		{12*time.Minute + 30*time.Second, "12 min"},
		{3 * time.Hour, "3 h"},
		{3*time.Hour + 5*time.Minute, "3 h 5 min"},
		{25 * time.Hour, "1 day 1 h"},
		{48 * time.Hour, "2 days"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, duration(tt.d))
		})
	}
}

// Every event goes out through each of the newer types as one request whose text says
// what happened: the event's own words are there, and no other event's.
func TestEveryEventThroughEachType(t *testing.T) {
	t.Parallel()
	warm := downMessage()
	warm.Event, warm.Incident.Kind = EventWarmGap, EventWarmGap
	cert := downMessage()
	cert.Event, cert.Incident.Kind, cert.Incident.Cause = EventCertExpiry, EventCertExpiry, "certificate expires in 5 days"
	cert.Incident.FirstError, cert.Incident.LastError = "", ""
	events := []struct {
		m     Message
		words string
	}{
		{downMessage(), " is down"},
		{upMessage(), " is up again"},
		{warm, " went cold"},
		{cert, "certificate expires in 5 days"},
		{testMessage(), "This is a test message"},
		{degradedMessage(), "checker is degraded: 37 of 40 targets failed at once"},
		{recoveredMessage(), "checker has recovered"},
	}
	jsonText := func(fields ...string) func(*testing.T, []byte) string {
		return func(t *testing.T, b []byte) string {
			var v map[string]any
			require.NoError(t, json.Unmarshal(b, &v))
			var out []string
			for _, f := range fields {
				s, _ := v[f].(string)
				out = append(out, s)
			}
			return strings.Join(out, "\n")
		}
	}
	formText := func(field string) func(*testing.T, []byte) string {
		return func(t *testing.T, b []byte) string {
			v, err := url.ParseQuery(string(b))
			require.NoError(t, err)
			return v.Get(field)
		}
	}
	types := []struct {
		typ    string
		config func(base string) map[string]any
		text   func(t *testing.T, body []byte) string // the message's words as the provider gets them
	}{
		{"matrix", matrixConfigAt, jsonText("body")},
		{"gotify", gotifyConfigAt, jsonText("title")},
		{"mattermost", mattermostConfigAt, jsonText("text")},
		{"rocketchat", rocketchatConfigAt, jsonText("text")},
		{"googlechat", googlechatConfigAt, jsonText("text")},
		{"opsgenie", func(string) map[string]any { return map[string]any{"api_key": opsgenieTestKey} }, jsonText("message", "note")},
		{"pushover", func(string) map[string]any { return pushoverConfigWith(nil) }, formText("title")},
		{"twilio", func(string) map[string]any { return twilioConfigFor("+15557654321") }, formText("Body")},
		{"zulip", func(base string) map[string]any { return zulipConfigFor(base, nil) }, formText("content")},
	}
	for _, tt := range types {
		for i, e := range events {
			t.Run(tt.typ+"/"+e.m.Event, func(t *testing.T) {
				t.Parallel()
				got := deliver(t, tt.typ, http.StatusOK, tt.config, e.m)
				assert.Equal(t, "WatchDog", got.Header.Get("User-Agent"))
				text := tt.text(t, got.Body)
				assert.Contains(t, text, e.words)
				for j, other := range events {
					if j != i {
						assert.NotContains(t, text, other.words, "the words of %s", other.m.Event)
					}
				}
			})
		}
	}
}
