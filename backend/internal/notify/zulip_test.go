package notify

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	zulipTestEmail = "watchdog-bot@example.zulipchat.com"
	zulipTestKey   = "Zf8vQm3LkT2pXw9RbN4cHs7JdY6gUa1E"
)

func zulipConfigFor(site string, extra map[string]any) map[string]any {
	c := map[string]any{"site": site, "email": zulipTestEmail, "api_key": zulipTestKey, "stream": "ops alerts"}
	for k, v := range extra {
		c[k] = v
	}
	return c
}

func TestZulipSend(t *testing.T) {
	t.Parallel()
	links := "URL: [https://shop.example.com/health](https://shop.example.com/health)\n" +
		"Dashboard: [https://watchdog.example.com/targets/7](https://watchdog.example.com/targets/7)"
	tests := []struct {
		name   string
		extra  map[string]any
		server string // the path of the site's URL
		m      Message
		path   string
		want   url.Values
	}{
		{name: "down goes to the target's topic", m: downMessage(), path: "/api/v1/messages", want: url.Values{
			"type": {"stream"}, "to": {"ops alerts"}, "topic": {"shop-api"},
			"content": {"**🔴 shop-api is down — unexpected status 503 \\(expected 200-399\\)**\n" +
				"Cause: 3 failed checks in a row\nFirst error: unexpected status 503 \\(expected 200-399\\)\n" +
				"Last error: connection refused\nStarted: 2025-03-04 09:48:00 UTC\n" + links}}},
		{name: "up to the same topic, on a site under a path", server: "/chat/", m: upMessage(), path: "/chat/api/v1/messages",
			want: url.Values{"type": {"stream"}, "to": {"ops alerts"}, "topic": {"shop-api"},
				"content": {"**🟢 shop-api is up again after 12 min**\nDown since: 2025-03-04 09:48:00 UTC\n" +
					"Cause: 3 failed checks in a row\n" + links}}},
		{name: "test", m: testMessage(), path: "/api/v1/messages", want: url.Values{
			"type": {"stream"}, "to": {"ops alerts"}, "topic": {"WatchDog"},
			"content": {"**🔔 This is a test message from WatchDog.**\nIf you can read this, notifications to this channel work."}}},
		{name: "checker degraded", m: degradedMessage(), path: "/api/v1/messages", want: url.Values{
			"type": {"stream"}, "to": {"ops alerts"}, "topic": {"WatchDog"},
			"content": {"**⚠️ WatchDog's checker is degraded: 37 of 40 targets failed at once**\n" +
				"This is likely a network or DNS problem on the checker's side; target alerts are held back until it recovers."}}},
		{name: "one topic for everything", extra: map[string]any{"topic": "uptime"}, m: recoveredMessage(), path: "/api/v1/messages",
			want: url.Values{"type": {"stream"}, "to": {"ops alerts"}, "topic": {"uptime"},
				"content": {"**✅ WatchDog's checker has recovered**\n2 of 40 targets are still down; their alerts follow."}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := deliver(t, "zulip", http.StatusOK, func(base string) map[string]any {
				return zulipConfigFor(base+tt.server, tt.extra)
			}, tt.m)
			assert.Equal(t, http.MethodPost, got.Method)
			assert.Equal(t, tt.path, got.Path)
			assert.Empty(t, got.Query)
			assert.Equal(t, "application/x-www-form-urlencoded", got.Header.Get("Content-Type"))
			assert.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte(zulipTestEmail+":"+zulipTestKey)),
				got.Header.Get("Authorization"))
			assert.Equal(t, tt.want.Encode(), string(got.Body))
		})
	}
}

// A target's name or error can neither format the message nor mention anyone; the
// topic (plain text in Zulip) keeps the name as it is.
func TestZulipEscapes(t *testing.T) {
	t.Parallel()
	m := downMessage()
	m.Target.Name = "<b>*x*</b> @**all** @all"
	m.Target.URL = "https://shop.example.com/a_(b)"
	m.Incident.Cause = "`code` [link](https://evil.example) ~~gone~~ $$x$$ #**general** @*oncall* \\*"
	m.Incident.FirstError, m.Incident.LastError = "", ""
	m.DashboardURL = ""
	got := deliver(t, "zulip", http.StatusOK, func(base string) map[string]any { return zulipConfigFor(base, nil) }, m)
	form, err := url.ParseQuery(string(got.Body))
	require.NoError(t, err)
	assert.Equal(t, "<b>*x*</b> @**all** @all", form.Get("topic"))
	cause := "\\`code\\` \\[link\\]\\(https://evil.example\\) ~\u200b~\u200bgone~\u200b~\u200b $\u200b$\u200bx$\u200b$\u200b " +
		"\\#\\*\\*general\\*\\* @\u200b\\*oncall\\* \\\\\\*"
	assert.Equal(t, "**🔴 <b\\>\\*x\\*</b\\> @\u200b\\*\\*all\\*\\* @\u200ball is down — "+cause+"**\n"+
		"Cause: "+cause+"\nStarted: 2025-03-04 09:48:00 UTC\n"+
		"URL: [https://shop.example.com/a\\_\\(b\\)](https://shop.example.com/a_%28b%29)", form.Get("content"))

	tcp := downMessage()
	tcp.Target.URL = "tcp://db.example.com:5432"
	assert.Equal(t, "tcp://db.example.com:5432", zulipLink(tcp.Target.URL), "no link for a URL Zulip would not open")
	assert.Equal(t, "a\\_b", zulipLink("a_b"))
}

func TestZulipTopicOfALongName(t *testing.T) {
	t.Parallel()
	m := downMessage()
	m.Target.Name = strings.Repeat("é", 100)
	got := deliver(t, "zulip", http.StatusOK, func(base string) map[string]any { return zulipConfigFor(base, nil) }, m)
	form, err := url.ParseQuery(string(got.Body))
	require.NoError(t, err)
	assert.Len(t, []rune(form.Get("topic")), maxZulipName)
}

func TestZulipValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		config map[string]any
		want   []string
	}{
		{"minimal", zulipConfigFor("https://example.zulipchat.com", nil), nil},
		{"with a topic", zulipConfigFor("https://chat.example.com/", map[string]any{"topic": "uptime alerts"}), nil},
		{"nothing", map[string]any{}, []string{"site", "email", "api_key", "stream"}},
		{"every broken key", map[string]any{"site": "ftp://chat.example.com", "email": "bot", "api_key": "SECRETVALUE",
			"stream": strings.Repeat("s", 61), "topic": "a\nb"}, []string{"site", "email", "api_key", "stream", "topic"}},
		{"site with a password", zulipConfigFor("https://bot:pw@chat.example.com", nil), []string{"site"}},
		{"blank stream", zulipConfigFor("https://chat.example.com", map[string]any{"stream": "  "}), []string{"stream"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Validate("zulip", json.RawMessage(rawJSON(t, tt.config)), Env{})
			assert.Equal(t, tt.want, configKeys(err), "%v", err)
			if err != nil {
				assert.NotContains(t, err.Error(), "SECRETVALUE")
			}
		})
	}
}

// The site goes through the outbound guard's check when saved, as ntfy's URL does.
func TestZulipSiteIsGuarded(t *testing.T) {
	t.Parallel()
	env := Env{CheckURL: func(u *url.URL) error {
		if u.Hostname() == "169.254.169.254" {
			return errors.New("is a metadata address")
		}
		return nil
	}}
	err := Validate("zulip", rawJSON(t, zulipConfigFor("http://169.254.169.254", nil)), env)
	assert.Equal(t, []string{"site"}, configKeys(err))
	assert.EqualError(t, err, "site: is a metadata address")
}

// Zulip's rate limit answer: the wait is in the Retry-After header (and repeated as
// "retry-after" in the JSON, which the header makes unnecessary to read).
func TestZulipRateLimited(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	rcv.answer(http.StatusTooManyRequests, `{"result":"error","msg":"API usage exceeded rate limit","retry-after":28.706807374954224,"code":"RATE_LIMIT_HIT"}`,
		map[string]string{"Retry-After": "29"})
	ch := Channel{Type: "zulip", Config: rawJSON(t, zulipConfigFor(rcv.URL, nil))}
	err := Send(context.Background(), ch, testEnv(rcv), downMessage())
	var se *SendError
	require.ErrorAs(t, err, &se)
	assert.True(t, se.Retry)
	assert.Equal(t, 29*time.Second, se.RetryAfter)
	assert.Contains(t, err.Error(), "API usage exceeded rate limit")
}
