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
