package notify

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// httpType is a channel type sent over HTTP, with a config pointing at a local
// receiver and the secrets that config holds.
type httpType struct {
	typ     string
	config  func(base string) map[string]any
	secrets []string
}

func httpTypes() []httpType {
	return []httpType{
		{"webhook", func(base string) map[string]any {
			return map[string]any{"url": base + "/hook", "secret": "whsecret-XYZ",
				"headers": map[string]string{"Authorization": "Bearer hdr-secret-XYZ"}}
		}, []string{"whsecret-XYZ", "hdr-secret-XYZ"}},
		{"slack", func(base string) map[string]any {
			return map[string]any{"url": base + "/services/T0/B0/slacksecretXYZ"}
		}, []string{"slacksecretXYZ"}},
		{"discord", func(base string) map[string]any {
			return map[string]any{"url": base + "/api/webhooks/1/discordsecretXYZ"}
		}, []string{"discordsecretXYZ"}},
		{"teams", func(base string) map[string]any {
			return map[string]any{"url": base + "/workflows/x/invoke?sig=teamssecretXYZ"}
		}, []string{"teamssecretXYZ"}},
		{"telegram", func(string) map[string]any {
			return map[string]any{"bot_token": telegramTestToken, "chat_id": "@watchdog_ops"}
		}, []string{telegramTestToken, strings.SplitN(telegramTestToken, ":", 2)[1]}},
		{"ntfy", func(base string) map[string]any {
			return map[string]any{"url": base, "topic": "ops", "token": "tk_ntfysecretXYZ"}
		}, []string{"tk_ntfysecretXYZ"}},
		{"pagerduty", func(string) map[string]any {
			return map[string]any{"routing_key": pagerdutyTestKey}
		}, []string{pagerdutyTestKey}},
		{"matrix", matrixConfigAt, []string{matrixTestToken}},
		{"mattermost", mattermostConfigAt, []string{"mmSecretHookXYZ"}},
		{"rocketchat", rocketchatConfigAt, []string{"rcHookID1234", "rcSecretTokenXYZ"}},
		{"googlechat", googlechatConfigAt, []string{"gcKeySecretXYZ", "gcTokenSecretXYZ"}},
		{"gotify", gotifyConfigAt, []string{gotifyTestToken}},
		{"pushover", func(string) map[string]any { return pushoverConfigWith(nil) }, []string{pushoverTestToken, pushoverTestUser}},
		{"opsgenie", func(string) map[string]any { return map[string]any{"api_key": opsgenieTestKey} }, []string{opsgenieTestKey}},
		{"zulip", func(base string) map[string]any { return zulipConfigFor(base, nil) },
			[]string{zulipTestKey, base64.StdEncoding.EncodeToString([]byte(zulipTestEmail + ":" + zulipTestKey))}},
		{"twilio", func(string) map[string]any { return twilioConfigFor("+15557654321") },
			[]string{twilioTestToken, base64.StdEncoding.EncodeToString([]byte(twilioTestSID + ":" + twilioTestToken))}},
	}
}

func assertNoSecret(t *testing.T, err error, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		assert.NotContains(t, err.Error(), s, "a secret in the error")
	}
}

// Every HTTP type maps the provider's answer the same way: 2xx sent; 408, 429 and 5xx
// worth a retry; any other answer not. The answer is quoted in the error, its secrets
// hidden, whether it echoes the whole request or quotes the rejected credentials.
func TestHTTPAnswers(t *testing.T) {
	t.Parallel()
	answers := []struct {
		name       string
		status     int
		header     map[string]string
		body       string
		retry      bool
		retryAfter time.Duration
	}{
		{name: "500", status: 500, retry: true},
		{name: "503", status: 503, retry: true},
		{name: "408", status: 408, retry: true},
		{name: "429 with Retry-After", status: 429, header: map[string]string{"Retry-After": "30"}, retry: true, retryAfter: 30 * time.Second},
		{name: "429 asking for a day waits an hour", status: 429, header: map[string]string{"Retry-After": "86400"}, retry: true, retryAfter: time.Hour},
		{name: "429 without Retry-After", status: 429, retry: true},
		{name: "400", status: 400, retry: false},
		{name: "401", status: 401, retry: false},
		{name: "404", status: 404, retry: false},
		{name: "410", status: 410, retry: false},
		{name: "301 is not followed", status: 301, header: map[string]string{"Location": "/moved"}, retry: false},
		{name: "307 is not followed", status: 307, header: map[string]string{"Location": "/moved"}, retry: false},
		{name: "a long answer is cut", status: 400, body: strings.Repeat("no! ", 5000), retry: false},
	}
	for _, ht := range httpTypes() {
		// An answer that starts with the secrets, as a provider quoting the rejected
		// credential would; an answer without a body of its own echoes the request.
		quoting := `{"message":"rejected ` + strings.Join(ht.secrets, " and ") + `"}`
		for _, a := range answers {
			bodies := []string{a.body}
			if a.body == "" {
				bodies = append(bodies, quoting)
			}
			for _, body := range bodies {
				t.Run(fmt.Sprintf("%s/%s/quoting=%t", ht.typ, a.name, body == quoting), func(t *testing.T) {
					t.Parallel()
					rcv := newReceiver(t)
					rcv.answer(a.status, body, a.header)
					ch := Channel{Type: ht.typ, Config: rawJSON(t, ht.config(rcv.URL))}
					err := Send(context.Background(), ch, testEnv(rcv), downMessage())

					var se *SendError
					require.ErrorAs(t, err, &se)
					assert.Equal(t, a.status, se.Status)
					assert.Equal(t, a.retry, se.Retry)
					assert.Equal(t, a.retryAfter, se.RetryAfter)
					assert.True(t, strings.HasPrefix(err.Error(), fmt.Sprintf("%s: answered %d %s", ht.typ, a.status,
						http.StatusText(a.status))), err.Error())
					rcv.only(t) // one request: no redirect followed
					assert.Less(t, len(err.Error()), 400, "the answer is cut short")
					if body == quoting {
						assert.Contains(t, err.Error(), "rejected [redacted]", "the answer is quoted, its secrets hidden")
					}
					assertNoSecret(t, err, ht.secrets)
				})
			}
		}
	}
}

func TestHTTPSuccessEveryType(t *testing.T) {
	t.Parallel()
	for _, ht := range httpTypes() {
		for _, m := range []Message{downMessage(), upMessage(), testMessage(), degradedMessage(), recoveredMessage()} {
			t.Run(ht.typ+"/"+m.Event, func(t *testing.T) {
				t.Parallel()
				rcv := newReceiver(t)
				rcv.answer(http.StatusOK, "ok", nil)
				ch := Channel{Type: ht.typ, Config: rawJSON(t, ht.config(rcv.URL))}
				require.NoError(t, Send(context.Background(), ch, testEnv(rcv), m))
				got := rcv.only(t)
				assert.Equal(t, "WatchDog", got.Header.Get("User-Agent"))
				assert.NotEmpty(t, got.Body)
			})
		}
	}
}

// A receiver that cannot be reached is worth a retry, and the error names neither the
// URL nor any secret (net/http's errors quote the whole URL).
func TestHTTPUnreachable(t *testing.T) {
	t.Parallel()
	closed := httptest.NewServer(http.NotFoundHandler())
	base := closed.URL
	closed.Close()
	for _, ht := range httpTypes() {
		t.Run(ht.typ, func(t *testing.T) {
			t.Parallel()
			env := testEnv(nil)
			env.APIBase = map[string]string{}
			for _, typ := range Types() {
				env.APIBase[typ] = base
			}
			ch := Channel{Type: ht.typ, Config: rawJSON(t, ht.config(base))}
			err := Send(context.Background(), ch, env, downMessage())

			var se *SendError
			require.ErrorAs(t, err, &se)
			assert.True(t, se.Retry)
			assert.Zero(t, se.Status)
			assert.True(t, strings.HasPrefix(err.Error(), ht.typ+": send: "), err.Error())
			assert.NotContains(t, err.Error(), base+"/")
			assertNoSecret(t, err, ht.secrets)
		})
	}
}

func TestHTTPHonoursContext(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(release) })

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	ch := Channel{Type: "webhook", Config: rawJSON(t, map[string]any{"url": slow.URL})}
	err := Send(ctx, ch, testEnv(nil), downMessage())

	var se *SendError
	require.ErrorAs(t, err, &se)
	assert.True(t, se.Retry)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 3*time.Second)
}

func TestHTTPNeedsAClient(t *testing.T) {
	t.Parallel()
	ch := Channel{Type: "webhook", Config: rawJSON(t, map[string]any{"url": "https://hooks.example.com/x"})}
	err := Send(context.Background(), ch, Env{}, downMessage())
	var se *SendError
	require.ErrorAs(t, err, &se)
	assert.False(t, se.Retry)
	assert.Contains(t, err.Error(), "no HTTP client")
}

// A config that no longer passes is not sent, and retrying will not help.
func TestSendRefusesAnInvalidConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ch   Channel
		env  Env
	}{
		{"unknown type", Channel{Type: "carrier-pigeon"}, testEnv(nil)},
		{"slack off its host", Channel{Type: "slack", Config: rawJSON(t, map[string]any{"url": "https://evil.example.com/services/x"})},
			Env{Client: http.DefaultClient}},
		{"email without SMTP", Channel{Type: "email", Config: rawJSON(t, map[string]any{"to": []string{"ops@example.com"}})}, testEnv(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Send(context.Background(), tt.ch, tt.env, downMessage())
			var se *SendError
			require.ErrorAs(t, err, &se)
			assert.False(t, se.Retry)
		})
	}
	err := Send(context.Background(), Channel{Type: "carrier-pigeon"}, testEnv(nil), downMessage())
	assert.True(t, errors.Is(err, ErrUnknownType))
}

// A secret the answer repeats is hidden before the answer is cut, so no part of it
// survives at the cut.
func TestHTTPAnswerCutAtASecret(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	secret := "tk_0123456789abcdefghij"
	rcv.answer(http.StatusBadRequest, strings.Repeat("a", maxAnswerInError-10)+secret, nil)
	err := post{provider: "ntfy", url: rcv.URL, contentType: "text/plain", body: []byte("x"),
		secrets: []string{secret}}.send(context.Background(), testEnv(rcv))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), secret[:8])
	assert.Contains(t, err.Error(), "[redac")
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header string
		body   string
		want   time.Duration
	}{
		{"none", "", "", 0},
		{"seconds", "30", "", 30 * time.Second},
		{"fractional seconds round up", "1.2", "", 2 * time.Second},
		{"negative", "-5", "", 0},
		{"http date", now.Add(90 * time.Second).Format(http.TimeFormat), "", 90 * time.Second},
		{"http date in the past", now.Add(-time.Minute).Format(http.TimeFormat), "", 0},
		{"capped at an hour", "99999", "", time.Hour},
		{"date far ahead is capped", now.Add(48 * time.Hour).Format(http.TimeFormat), "", time.Hour},
		{"garbage", "soon", "", 0},
		{"discord body", "", `{"message":"You are being rate limited.","retry_after":2.5}`, 3 * time.Second},
		{"telegram body", "", `{"ok":false,"error_code":429,"parameters":{"retry_after":7}}`, 7 * time.Second},
		{"header wins over body", "4", `{"retry_after":60}`, 4 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, retryAfter(tt.header, []byte(tt.body), now))
		})
	}
}

func TestClip(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "short", clip("short", 10))
	assert.Equal(t, "abcd…", clip("abcdefgh", 5))
	assert.Equal(t, "🔴🔴…", clip("🔴🔴🔴🔴", 3))
	assert.Equal(t, "a b c", oneLine(" a\r\n\tb \x00 c "))
}

func TestPostFormAndMethod(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	rcv.answer(http.StatusCreated, "{}", nil)
	err := postForm(context.Background(), testEnv(rcv), "form", rcv.URL+"/messages",
		url.Values{"Body": {"a & b = c"}, "To": {"+15551234567"}}, http.Header{"Authorization": {"Basic abc"}}, "abc")
	require.NoError(t, err)
	got := rcv.only(t)
	assert.Equal(t, http.MethodPost, got.Method)
	assert.Equal(t, "application/x-www-form-urlencoded", got.Header.Get("Content-Type"))
	assert.Equal(t, "Basic abc", got.Header.Get("Authorization"))
	assert.Equal(t, "Body=a+%26+b+%3D+c&To=%2B15551234567", string(got.Body))

	put := newReceiver(t)
	err = post{provider: "put", method: http.MethodPut, url: put.URL + "/send/1", contentType: "application/json",
		body: []byte(`{}`)}.send(context.Background(), testEnv(put))
	require.NoError(t, err)
	assert.Equal(t, http.MethodPut, put.only(t).Method)
}
