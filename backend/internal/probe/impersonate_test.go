package probe

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/netguard"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// impersonated are the browsers a target can impersonate.
var impersonated = []target.Impersonation{target.ImpersonateChrome, target.ImpersonateFirefox, target.ImpersonateSafari}

// trustBrowsers makes p's browser transports (those of targets without TLS options)
// trust roots besides nothing else; everything else stays as New builds it.
func trustBrowsers(p *Prober, roots *x509.CertPool) {
	p.browsers.make = func(b *browser) http.RoundTripper {
		return newBrowserTransport(p.dialer.DialContext, b, &tls.Config{RootCAs: roots})
	}
}

// seenRequest is what a test server saw of a request.
type seenRequest struct {
	proto  int
	header http.Header
	host   string
}

// recorder is a handler that keeps what it saw and counts the connections its server
// accepted.
type recorder struct {
	mu    sync.Mutex
	seen  []seenRequest
	conns atomic.Int64
	reply http.HandlerFunc
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec.mu.Lock()
	rec.seen = append(rec.seen, seenRequest{proto: r.ProtoMajor, header: r.Header.Clone(), host: r.Host})
	rec.mu.Unlock()
	if rec.reply != nil {
		rec.reply(w, r)
		return
	}
	_, _ = w.Write([]byte("ok"))
}

func (rec *recorder) last(t *testing.T) seenRequest {
	t.Helper()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	require.NotEmpty(t, rec.seen, "the server saw no request")
	return rec.seen[len(rec.seen)-1]
}

// serverKind is how a test server speaks: TLS offering h2, TLS offering only
// http/1.1, or plain http.
type serverKind string

const (
	tlsH2    serverKind = "tls h2"
	tlsH1    serverKind = "tls http/1.1 only"
	plainH1  serverKind = "plain http"
	anyProto            = 0
)

// startServer serves rec as kind with f's certificate for 127.0.0.1.
func startServer(t *testing.T, f tlsFixture, kind serverKind, rec *recorder) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(rec)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			rec.conns.Add(1)
		}
	}
	switch kind {
	case plainH1:
		srv.Start()
	default:
		srv.TLS = serverConfig(f.server, nil)
		srv.EnableHTTP2 = kind == tlsH2
		srv.StartTLS()
	}
	t.Cleanup(srv.Close)
	return srv
}

// impersonatingProber is a prober allowing private targets whose browser transports
// trust f's CA.
func impersonatingProber(t *testing.T, f tlsFixture) *Prober {
	t.Helper()
	p := newProber(t, true, Options{})
	roots := x509.NewCertPool()
	roots.AddCert(f.ca.cert)
	trustBrowsers(p, roots)
	return p
}

func userAgentOf(t *testing.T, name target.Impersonation) string {
	t.Helper()
	b, err := browserFor(name)
	require.NoError(t, err)
	for _, h := range b.headers {
		if h.name == "User-Agent" {
			return h.value
		}
	}
	t.Fatalf("%s has no User-Agent", name)
	return ""
}

// TestImpersonateProtocols: an impersonating check speaks HTTP/2 to a server offering
// it, falls back to HTTP/1.1 when the server offers only that and over plain http,
// sends the browser's headers, records the certificate's end of an https URL, and
// reuses its connection for the next check.
func TestImpersonateProtocols(t *testing.T) {
	t.Parallel()
	f := newTLSFixture(t)
	for _, name := range impersonated {
		for _, kind := range []serverKind{tlsH2, tlsH1, plainH1} {
			t.Run(string(name)+"/"+string(kind), func(t *testing.T) {
				t.Parallel()
				rec := &recorder{}
				srv := startServer(t, f, kind, rec)
				p := impersonatingProber(t, f)
				tg := newTarget(srv.URL + "/health")
				tg.Impersonate = name

				for range 2 {
					c := p.Check(context.Background(), tg)
					require.True(t, c.OK, "check failed: %s", c.Error)
					require.NotNil(t, c.StatusCode)
					assert.Equal(t, 200, *c.StatusCode)
					if kind == plainH1 {
						assert.Nil(t, c.CertExpiresAt, "plain http has no certificate")
					} else {
						require.NotNil(t, c.CertExpiresAt, "the certificate's end is recorded")
						assert.True(t, c.CertExpiresAt.Equal(f.server.notAfter), "got %v, want %v", c.CertExpiresAt, f.server.notAfter)
					}
				}
				assert.Equal(t, int64(1), rec.conns.Load(), "the second check reuses the first one's connection")

				got := rec.last(t)
				wantProto := 1
				if kind == tlsH2 {
					wantProto = 2
				}
				assert.Equal(t, wantProto, got.proto)
				assert.Equal(t, userAgentOf(t, name), got.header.Get("User-Agent"))
				assert.Equal(t, "navigate", got.header.Get("Sec-Fetch-Mode"))
				assert.NotEmpty(t, got.header.Get("Accept-Encoding"))
				assert.Empty(t, got.header.Values(req2OrderKey), "the order keys stay out of the request")
				if name == target.ImpersonateChrome {
					assert.Contains(t, got.header.Get("Sec-Ch-Ua"), `"Google Chrome";v="156"`)
					assert.Equal(t, "u=0, i", got.header.Get("Priority"))
				} else {
					assert.Empty(t, got.header.Get("Sec-Ch-Ua"), "only Chrome sends client hints")
				}
			})
		}
	}
}

// req2OrderKey is the header key req's transport reads its header order from.
const req2OrderKey = "__header_order__"

// TestImpersonateHeaderOverrides: the target's own headers win over the browser's,
// User-Agent and Host included, and a header no browser sends is sent too.
func TestImpersonateHeaderOverrides(t *testing.T) {
	t.Parallel()
	f := newTLSFixture(t)
	for _, kind := range []serverKind{tlsH2, tlsH1} {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			rec := &recorder{}
			srv := startServer(t, f, kind, rec)
			p := impersonatingProber(t, f)
			tg := newTarget(srv.URL)
			tg.Impersonate = target.ImpersonateChrome
			tg.Headers = map[string]string{
				"user-agent":       "custom-agent/1.0",
				"Accept-Language":  "de-DE",
				"sec-ch-ua-mobile": "?1",
				"X-Api-Key":        "abc",
				"Host":             "virtual.example",
			}
			c := p.Check(context.Background(), tg)
			require.True(t, c.OK, "check failed: %s", c.Error)
			got := rec.last(t)
			assert.Equal(t, []string{"custom-agent/1.0"}, got.header.Values("User-Agent"))
			assert.Equal(t, []string{"de-DE"}, got.header.Values("Accept-Language"))
			assert.Equal(t, []string{"?1"}, got.header.Values("Sec-Ch-Ua-Mobile"))
			assert.Equal(t, "abc", got.header.Get("X-Api-Key"))
			assert.Equal(t, "virtual.example", got.host)
			assert.Equal(t, "document", got.header.Get("Sec-Fetch-Dest"), "the browser's other headers stay")
		})
	}
}

// TestSetBrowserHeadersOrder: every header sent is named in the order req's transport
// sorts by, the target's own after the browser's, so the order on the wire is fixed.
func TestSetBrowserHeadersOrder(t *testing.T) {
	t.Parallel()
	b, err := browserFor(target.ImpersonateChrome)
	require.NoError(t, err)
	r, err := http.NewRequest(http.MethodGet, "https://example.com/", nil)
	require.NoError(t, err)
	setBrowserHeaders(r, b, map[string]string{"X-B": "2", "x-a": "1", "ACCEPT": "*/*"})
	order := r.Header[req2OrderKey]
	for name := range r.Header {
		if strings.HasPrefix(name, "__") {
			continue
		}
		assert.True(t, containsFold(order, name), "%s is not in the order", name)
	}
	assert.Equal(t, []string{"X-A", "X-B"}, order[len(order)-2:], "the target's own headers come last, by name")
	assert.Equal(t, []string{"*/*"}, r.Header["Accept"])
	assert.Equal(t, []string{":method", ":authority", ":scheme", ":path"}, r.Header["__pseudo_header_order__"])
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// TestImpersonateDecodesBody: the browser's Accept-Encoding brings compressed answers;
// body conditions read them decoded, whichever encoding came.
func TestImpersonateDecodesBody(t *testing.T) {
	t.Parallel()
	f := newTLSFixture(t)
	const page = "<html><body><p>all systems operational</p></body></html>"
	encoders := map[string]func(t *testing.T) []byte{
		"gzip": func(t *testing.T) []byte { return encodeGzip(t, page) },
		"br": func(t *testing.T) []byte {
			var b bytes.Buffer
			w := brotli.NewWriter(&b)
			_, err := w.Write([]byte(page))
			require.NoError(t, err)
			require.NoError(t, w.Close())
			return b.Bytes()
		},
		"zstd": func(t *testing.T) []byte {
			w, err := zstd.NewWriter(nil)
			require.NoError(t, err)
			defer func() { _ = w.Close() }()
			return w.EncodeAll([]byte(page), nil)
		},
		"deflate": func(t *testing.T) []byte {
			var b bytes.Buffer
			w := zlib.NewWriter(&b)
			_, err := w.Write([]byte(page))
			require.NoError(t, err)
			require.NoError(t, w.Close())
			return b.Bytes()
		},
		// Encodings no browser asks for but servers send: passed through as they are.
		"identity": func(*testing.T) []byte { return []byte(page) },
		"GZIP":     func(t *testing.T) []byte { return encodeGzip(t, page) },
	}
	for _, name := range []target.Impersonation{target.ImpersonateChrome, target.ImpersonateFirefox} {
		for encoding, encode := range encoders {
			for _, kind := range []serverKind{tlsH2, tlsH1} {
				t.Run(string(name)+"/"+encoding+"/"+string(kind), func(t *testing.T) {
					t.Parallel()
					encoded := encode(t)
					rec := &recorder{reply: func(w http.ResponseWriter, _ *http.Request) {
						w.Header().Set("Content-Type", "text/html")
						w.Header().Set("Content-Encoding", encoding)
						_, _ = w.Write(encoded)
					}}
					srv := startServer(t, f, kind, rec)
					p := impersonatingProber(t, f)
					tg := newTarget(srv.URL)
					tg.Impersonate = name
					tg.Conditions = []target.Condition{{Type: "body", Op: "contains", Value: "all systems operational"}}
					c := p.Check(context.Background(), tg)
					assert.True(t, c.OK, "check failed: %s", c.Error)
				})
			}
		}
	}
}

func encodeGzip(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, err := w.Write([]byte(s))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return b.Bytes()
}

// TestImpersonateEncodedEdgeCases: an encoded answer to HEAD has no body to decode,
// and a body that does not decode fails the check as a bad answer, not a crash.
func TestImpersonateEncodedEdgeCases(t *testing.T) {
	t.Parallel()
	f := newTLSFixture(t)
	rec := &recorder{reply: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		if r.URL.Path == "/broken" {
			_, _ = w.Write([]byte("not gzip at all"))
		}
	}}
	srv := startServer(t, f, tlsH2, rec)
	p := impersonatingProber(t, f)
	head := newTarget(srv.URL + "/")
	head.Method = http.MethodHead
	head.Impersonate = target.ImpersonateChrome
	c := p.Check(context.Background(), head)
	assert.True(t, c.OK, "HEAD failed: %s", c.Error)
	broken := newTarget(srv.URL + "/broken")
	broken.Impersonate = target.ImpersonateChrome
	c = p.Check(context.Background(), broken)
	assert.False(t, c.OK)
	assert.Contains(t, c.Error, "reading the body")
}

// TestImpersonateTLSOptions: a target's CA, client certificate and skip-verify work
// when it impersonates a browser, and its TLS failures read as the default client's.
func TestImpersonateTLSOptions(t *testing.T) {
	t.Parallel()
	f := newTLSFixture(t)
	otherCert := f.ca.issue(t, time.Now().Add(5*24*time.Hour), false, "other.example")
	for _, name := range impersonated {
		for _, tc := range tlsCases() {
			t.Run(string(name)+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				srv, cert := tlsCaseServer(t, f, tc, otherCert)
				tg := newTarget(srv.URL)
				tg.Retries = 2
				tg.Impersonate = name
				tc.setup(&tg, f)
				c := newProber(t, true, Options{}).Check(context.Background(), tg)
				if tc.ok {
					require.NotNil(t, c.StatusCode)
					assert.Equal(t, 200, *c.StatusCode)
				}
				tc.check(t, f, c, cert)
			})
		}
	}
}

// TestImpersonateTLSOptionsShareTransports: targets with the same TLS options and
// browser share one client (and its idle connections); another browser gets its own.
func TestImpersonateTLSOptionsShareTransports(t *testing.T) {
	t.Parallel()
	f := newTLSFixture(t)
	p := newProber(t, true, Options{})
	tg := newTarget("https://127.0.0.1:1/")
	tg.TLSCAPEM = f.ca.pem
	tg.Impersonate = target.ImpersonateChrome
	a, err := p.tlsConfigs.browserClient(tg)
	require.NoError(t, err)
	again, err := p.tlsConfigs.browserClient(tg)
	require.NoError(t, err)
	assert.Same(t, a, again)
	tg.Impersonate = target.ImpersonateSafari
	other, err := p.tlsConfigs.browserClient(tg)
	require.NoError(t, err)
	assert.NotSame(t, a, other)
	plain, err := p.tlsConfigs.transport(tg)
	require.NoError(t, err)
	assert.NotSame(t, a.Transport, plain)
}

// TestImpersonateFaults: the failures cold-start detection and retries rely on
// classify as the default client's do.
func TestImpersonateFaults(t *testing.T) {
	t.Parallel()
	f := newTLSFixture(t)
	plain, _ := newServer(t, status(200))
	hanging := startServer(t, f, tlsH2, &recorder{reply: hang})
	failing := startServer(t, f, tlsH1, &recorder{reply: status(503)})
	// A TLS server whose handshake never ends: it accepts and says nothing.
	silent := strings.TrimPrefix(silentListener(t), "http://")
	tests := []struct {
		name     string
		url      string
		timeout  int
		wantErr  string
		attempts int
	}{
		{name: "refused", url: "https://" + closedPort(t) + "/", wantErr: "connection refused", attempts: 2},
		{name: "refused plain", url: "http://" + closedPort(t) + "/", wantErr: "connection refused", attempts: 2},
		{name: "not TLS", url: strings.Replace(plain.URL, "http://", "https://", 1), wantErr: "tls: the server did not answer with TLS", attempts: 1},
		{name: "timeout waiting for the answer", url: hanging.URL, timeout: 1, wantErr: "timeout after 1s", attempts: 2},
		{name: "timeout in the handshake", url: "https://" + silent + "/", timeout: 1, wantErr: "timeout after 1s", attempts: 2},
		{name: "5xx is retried", url: failing.URL, wantErr: "unexpected status 503 (expected 200-399)", attempts: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := impersonatingProber(t, f)
			tg := newTarget(tt.url)
			tg.Impersonate = target.ImpersonateChrome
			tg.Retries = 1
			if tt.timeout > 0 {
				tg.TimeoutSeconds = tt.timeout
			}
			c := p.Check(context.Background(), tg)
			assert.False(t, c.OK)
			assert.Equal(t, tt.wantErr, c.Error)
			assert.Equal(t, tt.attempts, c.Attempts)
		})
	}
}

// TestImpersonateGuard: the guard refuses loopback for an impersonating check as for
// any other, over TLS and plain http, and at a redirect's hop.
func TestImpersonateGuard(t *testing.T) {
	t.Parallel()
	f := newTLSFixture(t)
	t.Run("loopback refused", func(t *testing.T) {
		t.Parallel()
		tlsRec, plainRec := &recorder{}, &recorder{}
		tlsSrv := startServer(t, f, tlsH2, tlsRec)
		plainSrv := startServer(t, f, plainH1, plainRec)
		p := newProber(t, false, Options{})
		for _, url := range []string{tlsSrv.URL, plainSrv.URL} {
			tg := newTarget(url)
			tg.Impersonate = target.ImpersonateChrome
			c := p.Check(context.Background(), tg)
			assert.False(t, c.OK)
			assert.Equal(t, refusedLoopback, c.Error)
			assert.Equal(t, 1, c.Attempts, "a refusal is final")
		}
		assert.Zero(t, tlsRec.conns.Load()+plainRec.conns.Load(), "no connection reached the servers")
	})
	for _, kind := range []serverKind{tlsH2, plainH1} {
		t.Run("redirect to loopback refused from "+string(kind), func(t *testing.T) {
			t.Parallel()
			inner, innerHits := newServer(t, status(200))
			ln, err := net.Listen("tcp", "127.0.0.2:0")
			require.NoError(t, err, "listen on 127.0.0.2")
			outer := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, inner.URL+"/private", http.StatusFound)
			}))
			outer.Listener = ln
			if kind == plainH1 {
				outer.Start()
			} else {
				outer.TLS = serverConfig(f.ca.issue(t, time.Now().Add(24*time.Hour), false, "127.0.0.2"), nil)
				outer.EnableHTTP2 = true
				outer.StartTLS()
			}
			t.Cleanup(outer.Close)

			p := New(Options{Guard: netguard.New(false, netip.MustParsePrefix("127.0.0.2/32")), Sleep: fastSleep})
			t.Cleanup(p.Close)
			roots := x509.NewCertPool()
			roots.AddCert(f.ca.cert)
			trustBrowsers(p, roots)
			tg := newTarget(outer.URL + "/")
			tg.Impersonate = target.ImpersonateFirefox
			c := p.Check(context.Background(), tg)
			assert.False(t, c.OK)
			assert.Contains(t, c.Error, "address not allowed: a loopback")
			assert.NotContains(t, c.Error, "127.0.0.1")
			assert.Zero(t, innerHits.Load(), "the loopback server saw no request")
		})
	}
}

// TestImpersonateRedirects: a redirect is followed with the browser's transport and
// headers, to another host too.
func TestImpersonateRedirects(t *testing.T) {
	t.Parallel()
	f := newTLSFixture(t)
	final := &recorder{}
	finalSrv := startServer(t, f, tlsH2, final)
	first := startServer(t, f, tlsH1, &recorder{reply: func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, finalSrv.URL+"/landing", http.StatusFound)
	}})
	p := impersonatingProber(t, f)
	tg := newTarget(first.URL + "/")
	tg.Impersonate = target.ImpersonateChrome
	c := p.Check(context.Background(), tg)
	require.True(t, c.OK, "check failed: %s", c.Error)
	got := final.last(t)
	assert.Equal(t, 2, got.proto)
	assert.Equal(t, userAgentOf(t, target.ImpersonateChrome), got.header.Get("User-Agent"))
}

// TestImpersonateClosesIdleConnections: Close ends the browser transports' idle
// connections, so a prober's end leaves no connection (nor its goroutines) behind.
func TestImpersonateClosesIdleConnections(t *testing.T) {
	t.Parallel()
	f := newTLSFixture(t)
	var open atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok"))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			open.Add(1)
		case http.StateClosed, http.StateHijacked:
			open.Add(-1)
		}
	}
	srv.TLS = serverConfig(f.server, nil)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)

	p := New(Options{Guard: netguard.New(true), Sleep: fastSleep})
	roots := x509.NewCertPool()
	roots.AddCert(f.ca.cert)
	trustBrowsers(p, roots)
	for _, name := range impersonated {
		tg := newTarget(srv.URL)
		tg.Impersonate = name
		c := p.Check(context.Background(), tg)
		require.True(t, c.OK, "check failed: %s", c.Error)
		tg.TLSCAPEM = f.ca.pem
		c = p.Check(context.Background(), tg)
		require.True(t, c.OK, "check with TLS options failed: %s", c.Error)
	}
	require.Equal(t, int64(2*len(impersonated)), open.Load(), "one idle connection per browser and options")
	p.Close()
	assert.Eventually(t, func() bool { return open.Load() == 0 }, 5*time.Second, 10*time.Millisecond,
		"idle connections still open after Close")
}

// TestImpersonateLeavesNoGoroutines: checks impersonating a browser, over HTTP/2 and
// HTTP/1.1, through redirects, early closes and bodies cut at the cap, leave nothing
// running once the prober's idle connections are closed.
func TestImpersonateLeavesNoGoroutines(t *testing.T) {
	f := newTLSFixture(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", status(200))
	mux.HandleFunc("/missing", status(404))
	mux.HandleFunc("/error", status(500))
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ok", http.StatusFound) })
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/zstd", func(w http.ResponseWriter, _ *http.Request) {
		enc, _ := zstd.NewWriter(nil)
		defer func() { _ = enc.Close() }()
		w.Header().Set("Content-Encoding", "zstd")
		_, _ = w.Write(enc.EncodeAll([]byte("hello"), nil))
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		chunk := make([]byte, 32<<10)
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	paths := []string{"/ok", "/missing", "/error", "/moved", "/loop", "/zstd", "/big"}
	h2 := httptest.NewUnstartedServer(mux)
	h2.TLS = serverConfig(f.server, nil)
	h2.EnableHTTP2 = true
	h2.StartTLS()
	defer h2.Close()
	h1 := httptest.NewServer(mux)
	defer h1.Close()

	before := runtime.NumGoroutine()
	p := New(Options{Guard: netguard.New(true), Sleep: fastSleep})
	roots := x509.NewCertPool()
	roots.AddCert(f.ca.cert)
	trustBrowsers(p, roots)
	for _, name := range impersonated {
		for _, base := range []string{h2.URL, h1.URL} {
			for _, path := range paths {
				tg := newTarget(base + path)
				tg.Impersonate = name
				tg.Retries = 1
				tg.Conditions = []target.Condition{{Type: "body", Op: "contains", Value: "hello"}}
				p.Check(context.Background(), tg)
			}
		}
	}
	p.Close()

	assertGoroutinesBackTo(t, before)
}

// The metadata address is refused for every browser, even with private targets allowed:
// literally, over TLS, and at a redirect hop, before any connection is made to it.
func TestImpersonateRefusesMetadata(t *testing.T) {
	t.Parallel()
	toMetadata, hops := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
	}))
	p := newProber(t, true, Options{})
	for _, b := range []target.Impersonation{target.ImpersonateChrome, target.ImpersonateFirefox, target.ImpersonateSafari} {
		for _, url := range []string{"http://169.254.169.254/latest/meta-data/", "https://169.254.169.254/", toMetadata.URL + "/"} {
			tg := newTarget(url)
			tg.Impersonate = b
			c := p.Check(context.Background(), tg)
			assert.False(t, c.OK, "%s %s", b, url)
			assert.Contains(t, c.Error, "address not allowed: a link-local or cloud metadata address", "%s %s", b, url)
			assert.NotContains(t, c.Error, "169.254", "the refused address is not said")
			assert.Equal(t, 1, c.Attempts, "a refusal is final")
		}
	}
	assert.EqualValues(t, 3, hops.Load(), "only the redirecting server was reached, once a browser")
}
