package notify

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/netguard"
)

// guardedEnv sends through the outbound guard's dialer, as the server does.
func guardedEnv(allowPrivate bool) Env {
	dialer := netguard.New(allowPrivate).Dialer()
	return Env{Client: &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DialContext: dialer.DialContext}}, AnyHost: true}
}

// TestSendQuotesNothingOfAPrivateHost: a channel on a host reached only because
// private targets are allowed is sent to, but an error says the status code and
// nothing the host sent (body, reason phrase, a malformed answer), or a channel test
// would read internal pages for its editor. A public host's answer is still quoted
// (TestSendFailures).
func TestSendQuotesNothingOfAPrivateHost(t *testing.T) {
	t.Parallel()
	const secret = "internal-secret-7f3a"
	rcv := newReceiver(t)
	rcv.answer(http.StatusInternalServerError, `{"error": "`+secret+`"}`, nil)

	raw, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = raw.Close() })
	go func() {
		// Ends when the listener is closed at cleanup.
		for {
			conn, err := raw.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 4096)
			_, _ = conn.Read(buf)
			_, _ = conn.Write([]byte("HTTP/1.1 418 " + secret + "\r\nContent-Length: 20\r\n\r\n" + secret))
			_ = conn.Close()
		}
	}()
	garbage, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = garbage.Close() })
	go func() {
		for {
			conn, err := garbage.Accept()
			if err != nil {
				return
			}
			_, _ = conn.Write([]byte("SSH-2.0-OpenSSH_9.6 " + secret + "\r\n"))
			_ = conn.Close()
		}
	}()

	tests := []struct {
		name string
		url  string
		want string
	}{
		{name: "error status with a body", url: rcv.URL + "/hook", want: "webhook: answered 500 Internal Server Error: the answer is not shown (private host)"},
		{name: "own reason phrase", url: "http://" + raw.Addr().String() + "/hook", want: "webhook: answered 418 I'm a teapot: the answer is not shown"},
		{name: "not HTTP at all", url: "http://" + garbage.Addr().String() + "/hook", want: "webhook: send: the answer is not shown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ch := Channel{Type: "webhook", Config: rawJSON(t, map[string]any{"url": tt.url})}
			err := Send(context.Background(), ch, guardedEnv(true), downMessage())
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), secret)
		})
	}

	t.Run("refused dial names no address", func(t *testing.T) {
		t.Parallel()
		_, port, _ := net.SplitHostPort(rcv.Listener.Addr().String())
		ch := Channel{Type: "webhook", Config: rawJSON(t, map[string]any{"url": "http://localhost:" + port + "/hook"})}
		err := Send(context.Background(), ch, guardedEnv(false), downMessage())
		require.Error(t, err)
		assert.Contains(t, err.Error(), "webhook: send: address not allowed")
		for _, addr := range []string{"127.0.0.1", "::1", port} {
			assert.False(t, strings.Contains(err.Error(), addr), "%q names the refused address", err)
		}
	})
}

// Every type that sends to a host the config names refuses the metadata address, even
// with private targets allowed: when the channel is saved, and again when it sends (a
// stored config is checked anew, and the dial goes through the guard).
func TestUserHostsRefuseMetadata(t *testing.T) {
	t.Parallel()
	const meta = "http://169.254.169.254"
	configs := map[string]struct {
		key    string
		config map[string]any
	}{
		"matrix":     {"homeserver_url", map[string]any{"homeserver_url": meta, "access_token": matrixTestToken, "room_id": "!ops:example.org"}},
		"mattermost": {"url", map[string]any{"url": meta + "/hooks/mmhookkey123"}},
		"rocketchat": {"url", map[string]any{"url": meta + "/hooks/rcid/rctoken123"}},
		"gotify":     {"server_url", map[string]any{"server_url": meta, "token": gotifyTestToken}},
		"zulip":      {"site", map[string]any{"site": meta, "email": zulipTestEmail, "api_key": zulipTestKey, "stream": "ops"}},
		"ntfy":       {"url", map[string]any{"url": meta, "topic": "ops"}},
		"webhook":    {"url", map[string]any{"url": meta + "/hook"}},
	}
	for typ, c := range configs {
		saved := Validate(typ, rawJSON(t, c.config), Env{CheckURL: netguard.New(true).CheckURL})
		var ce *ConfigError
		require.ErrorAs(t, saved, &ce, typ)
		assert.Equal(t, c.key, ce.Key, typ)
		assert.Contains(t, ce.Message, "metadata", typ)

		env := guardedEnv(true)
		env.CheckURL = netguard.New(true).CheckURL
		err := Send(context.Background(), Channel{Type: typ, Config: rawJSON(t, c.config)}, env, testMessage())
		require.Error(t, err, typ)
		assert.Contains(t, err.Error(), "metadata", typ)

		// A config stored before the rule (no check at send time) still cannot reach it:
		// the dial is the guard's.
		err = Send(context.Background(), Channel{Type: typ, Config: rawJSON(t, c.config)}, guardedEnv(true), testMessage())
		require.Error(t, err, typ)
		assert.Contains(t, err.Error(), "metadata", typ)
	}
}
