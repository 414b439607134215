package probe

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSecureOnlyHeaders: fetch metadata (Sec-Fetch-*) and client hints (sec-ch-ua*)
// go only to origins a browser deems potentially trustworthy, https and loopback;
// over plain http to another host they are left out and the rest keeps its order.
func TestSecureOnlyHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url    string
		secure bool
	}{
		{"https://example.com/", true},
		{"https://10.0.0.1/", true},
		{"http://example.com/", false},
		{"http://10.0.0.1:8080/", false},
		{"http://[fd00::1]/", false},
		{"http://localhost:8080/", true},
		{"http://app.localhost/", true},
		{"http://127.0.0.1/", true},
		{"http://127.1.2.3/", true},
		{"http://[::1]/", true},
	}
	for _, name := range impersonated {
		b, err := browserFor(name)
		require.NoError(t, err)
		// What the browser sends over https, its order on the wire, without the
		// secure-only headers.
		var insecure []string
		for _, h := range b.headers {
			if !secureOnly(h.name) {
				insecure = append(insecure, h.name)
			}
		}
		require.Less(t, len(insecure), len(b.headers), "%s sends no secure-only header", name)
		for _, tt := range tests {
			r, err := http.NewRequest(http.MethodGet, tt.url, nil)
			require.NoError(t, err)
			setBrowserHeaders(r, b, nil)
			var sent []string
			for _, o := range r.Header[req2OrderKey] {
				if _, ok := r.Header[o]; ok {
					sent = append(sent, o)
				}
			}
			if tt.secure {
				assert.Len(t, sent, len(b.headers), "%s to %s sends every header", name, tt.url)
				continue
			}
			assert.Equal(t, insecure, sent, "%s to %s", name, tt.url)
		}
	}
}

// TestSecureOnlyHeadersOnTheWire: a check of a plain http URL of a host that is not
// loopback, as a browser, sends no fetch metadata and no client hint, unless the
// target sets one itself. The host's name is dialed to a local server.
func TestSecureOnlyHeadersOnTheWire(t *testing.T) {
	t.Parallel()
	f := newTLSFixture(t)
	rec := &recorder{}
	srv := startServer(t, f, plainH1, rec)
	addr := strings.TrimPrefix(srv.URL, "http://")
	for _, name := range impersonated {
		p := newProber(t, true, Options{})
		p.browsers.make = func(b *browser) http.RoundTripper {
			return newBrowserTransport(func(ctx context.Context, network, _ string) (net.Conn, error) {
				return p.dialer.DialContext(ctx, network, addr)
			}, b, nil)
		}
		tg := newTarget("http://status.example/")
		tg.Impersonate = name
		tg.Headers = map[string]string{"Sec-Ch-Ua-Mobile": "?0"}
		c := p.Check(context.Background(), tg)
		require.True(t, c.OK, "%s: %s", name, c.Error)
		got := rec.last(t)
		for header := range got.header {
			if header == "Sec-Ch-Ua-Mobile" {
				continue
			}
			assert.False(t, secureOnly(header), "%s sent %s over plain http", name, header)
		}
		assert.Equal(t, "?0", got.header.Get("Sec-Ch-Ua-Mobile"), "%s: the target's own header is sent", name)
		assert.Equal(t, userAgentOf(t, name), got.header.Get("User-Agent"))
	}
}
