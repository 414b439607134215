package notify

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const matrixTestToken = "syt_d2F0Y2hkb2c_MatrixSecretXYZ_0a1b2c"

func matrixConfigAt(base string) map[string]any {
	return map[string]any{"homeserver_url": base, "access_token": matrixTestToken, "room_id": "!ops:example.org"}
}

func TestMatrixSend(t *testing.T) {
	t.Parallel()
	lines := `Cause: 3 failed checks in a row\nFirst error: unexpected status 503 (expected 200-399)\nLast error: connection refused\nStarted: 2025-03-04 09:48:00 UTC\n`
	htmlLines := strings.ReplaceAll(lines, `\n`, `<br>`)
	links := `URL: https://shop.example.com/health\nDashboard: https://watchdog.example.com/targets/7`
	htmlLinks := `URL: <a href=\"https://shop.example.com/health\">https://shop.example.com/health</a><br>` +
		`Dashboard: <a href=\"https://watchdog.example.com/targets/7\">https://watchdog.example.com/targets/7</a>`
	tests := []struct {
		name string
		m    Message
		txn  string
		want string
	}{
		{"down", downMessage(), "watchdog-e4e41cd72952d78da1f9a36cffe2f5cf", `{"msgtype": "m.text",
			"body": "🔴 shop-api is down — unexpected status 503 (expected 200-399)\n` + lines + links + `",
			"format": "org.matrix.custom.html",
			"formatted_body": "<strong>🔴 shop-api is down — unexpected status 503 (expected 200-399)</strong><br>` + htmlLines + htmlLinks + `",
			"m.mentions": {}}`},
		{"up", upMessage(), "watchdog-1978e410fc366449c90299f015bd93f6", `{"msgtype": "m.text",
			"body": "🟢 shop-api is up again after 12 min\nDown since: 2025-03-04 09:48:00 UTC\nCause: 3 failed checks in a row\n` + links + `",
			"format": "org.matrix.custom.html",
			"formatted_body": "<strong>🟢 shop-api is up again after 12 min</strong><br>Down since: 2025-03-04 09:48:00 UTC<br>Cause: 3 failed checks in a row<br>` + htmlLinks + `",
			"m.mentions": {}}`},
		{"test", testMessage(), "watchdog-cf5add75ac250d1656ce2ac2003c91bf", `{"msgtype": "m.text",
			"body": "🔔 This is a test message from WatchDog.\nIf you can read this, notifications to this channel work.",
			"format": "org.matrix.custom.html",
			"formatted_body": "<strong>🔔 This is a test message from WatchDog.</strong><br>If you can read this, notifications to this channel work.",
			"m.mentions": {}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := deliver(t, "matrix", http.StatusOK, func(base string) map[string]any {
				return matrixConfigAt(base + "/")
			}, tt.m)
			assert.Equal(t, "Bearer "+matrixTestToken, got.Header.Get("Authorization"))
			assertJSONRequest(t, got, http.MethodPut, "/_matrix/client/v3/rooms/!ops:example.org/send/m.room.message/"+tt.txn, "", tt.want)
		})
	}
}

// The room ID goes escaped into the path, and a homeserver under a path keeps it.
func TestMatrixEscapedPath(t *testing.T) {
	t.Parallel()
	paths := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths <- r.URL.EscapedPath()
		_, _ = w.Write([]byte(`{"event_id":"$x"}`))
	}))
	t.Cleanup(srv.Close)
	ch := Channel{Type: "matrix", Config: rawJSON(t, matrixConfigAt(srv.URL+"/synapse"))}
	require.NoError(t, Send(context.Background(), ch, testEnv(nil), testMessage()))
	assert.Equal(t, "/synapse/_matrix/client/v3/rooms/%21ops%3Aexample.org/send/m.room.message/watchdog-cf5add75ac250d1656ce2ac2003c91bf", <-paths)
}

// A retry of one delivery reuses its transaction ID, so Matrix keeps one event; another
// delivery gets another.
func TestMatrixTxnID(t *testing.T) {
	t.Parallel()
	assert.Equal(t, matrixTxnID("del-down-1"), matrixTxnID("del-down-1"))
	assert.NotEqual(t, matrixTxnID("del-down-1"), matrixTxnID("del-down-2"))
	assert.NotEqual(t, matrixTxnID(""), matrixTxnID(""))
	assert.Regexp(t, `^watchdog-[0-9a-f]{32}$`, matrixTxnID(""))
}

// A target's name can neither format nor ping: HTML is escaped and every @ is broken
// with a zero-width space, and the event says it mentions nobody.
func TestMatrixUntrustedText(t *testing.T) {
	t.Parallel()
	m := downMessage()
	m.Target.Name = `<b>*x*</b> @room @alice:example.org`
	m.Target.URL = "javascript:alert(1)"
	got := deliver(t, "matrix", http.StatusOK, matrixConfigAt, m)
	var ev struct {
		Body          string          `json:"body"`
		FormattedBody string          `json:"formatted_body"`
		Mentions      json.RawMessage `json:"m.mentions"`
	}
	require.NoError(t, json.Unmarshal(got.Body, &ev))
	assert.True(t, strings.HasPrefix(ev.Body, "🔴 <b>*x*</b> @\u200broom @\u200balice:example.org is down"), ev.Body)
	assert.True(t, strings.HasPrefix(ev.FormattedBody,
		"<strong>🔴 &lt;b&gt;*x*&lt;/b&gt; @\u200broom @\u200balice:example.org is down"), ev.FormattedBody)
	assert.NotContains(t, ev.FormattedBody, "<b>")
	assert.Contains(t, ev.FormattedBody, "URL: javascript:alert(1)<br>", "only http(s) URLs become links")
	assert.JSONEq(t, `{}`, string(ev.Mentions))
}

func TestMatrixValidate(t *testing.T) {
	t.Parallel()
	const hs, room = `"homeserver_url":"https://matrix.example.org"`, `"room_id":"!ops:example.org"`
	token := `"access_token":"` + matrixTestToken + `"`
	tests := []struct {
		name   string
		config string
		want   []string
	}{
		{"valid", `{` + hs + `,` + token + `,` + room + `}`, nil},
		{"homeserver under a path", `{"homeserver_url":"https://example.org/matrix/",` + token + `,` + room + `}`, nil},
		{"room of version 12", `{` + hs + `,` + token + `,"room_id":"!31hneApxJ_1o-63DmFrpeqnkFfWppnzWso1JvH3ogLM"}`, nil},
		{"room on a port", `{` + hs + `,` + token + `,"room_id":"!abc:matrix.example.org:8448"}`, nil},
		{"nothing", `{}`, []string{"homeserver_url", "access_token", "room_id"}},
		{"homeserver not a URL", `{"homeserver_url":"matrix.example.org",` + token + `,` + room + `}`, []string{"homeserver_url"}},
		{"homeserver with a query", `{"homeserver_url":"https://matrix.example.org/?x=1",` + token + `,` + room + `}`, []string{"homeserver_url"}},
		{"token with a space", `{` + hs + `,"access_token":"syt_a b",` + room + `}`, []string{"access_token"}},
		{"token too long", `{` + hs + `,"access_token":"` + strings.Repeat("a", 1025) + `",` + room + `}`, []string{"access_token"}},
		{"room alias", `{` + hs + `,` + token + `,"room_id":"#ops:example.org"}`, []string{"room_id"}},
		{"room with a slash", `{` + hs + `,` + token + `,"room_id":"!a/../b:example.org"}`, []string{"room_id"}},
		{"room with a space", `{` + hs + `,` + token + `,"room_id":"!a b:example.org"}`, []string{"room_id"}},
		{"room too long", `{` + hs + `,` + token + `,"room_id":"!` + strings.Repeat("a", 300) + `:example.org"}`, []string{"room_id"}},
		{"unknown key", `{` + hs + `,` + token + `,` + room + `,"user_id":"@bot:example.org"}`, []string{"user_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Validate("matrix", json.RawMessage(tt.config), Env{})
			assert.Equal(t, tt.want, configKeys(err), "%v", err)
			if err != nil {
				assert.NotContains(t, err.Error(), "MatrixSecret")
			}
		})
	}
	// A rejected token is never repeated back.
	err := Validate("matrix", json.RawMessage(`{`+hs+`,"access_token":"syt_MatrixSecret with a space",`+room+`}`), Env{})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "MatrixSecret")

	// The outbound guard judges the homeserver.
	env := Env{CheckURL: func(*url.URL) error { return errors.New("is a private address") }}
	err = Validate("matrix", json.RawMessage(`{`+hs+`,`+token+`,`+room+`}`), env)
	assert.Equal(t, []string{"homeserver_url"}, configKeys(err))
}

// Matrix asks for its wait in the answer, in milliseconds.
func TestMatrixRateLimited(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	rcv.answer(http.StatusTooManyRequests, `{"errcode":"M_LIMIT_EXCEEDED","error":"Too many requests","retry_after_ms":2500}`, nil)
	err := Send(context.Background(), Channel{Type: "matrix", Config: rawJSON(t, matrixConfigAt(rcv.URL))}, testEnv(rcv), downMessage())
	var se *SendError
	require.ErrorAs(t, err, &se)
	assert.True(t, se.Retry)
	assert.Equal(t, 3*time.Second, se.RetryAfter)
}
