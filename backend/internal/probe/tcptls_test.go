package probe

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// The guard's refusal of a loopback address, as an http check words it.
const refusedLoopback = "address not allowed: a loopback, private or reserved address (set ALLOW_PRIVATE_TARGETS to allow)"

// typedTarget is newTarget of another type.
func typedTarget(typ target.Type, url string) target.Target {
	t := newTarget(url)
	t.Type = typ
	return t
}

func TestTCPCheck(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	accepted := make(chan struct{}, 10)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- struct{}{}
			_ = conn.Close()
		}
	}()

	t.Run("a listener that accepts is up", func(t *testing.T) {
		p := newProber(t, true, Options{})
		c := p.Check(context.Background(), typedTarget(target.TypeTCP, "tcp://"+ln.Addr().String()))
		assert.True(t, c.OK, c.Error)
		assert.Empty(t, c.Error)
		assert.Equal(t, 1, c.Attempts)
		assert.GreaterOrEqual(t, c.LatencyMS, 0)
		assert.Nil(t, c.StatusCode, "only http has a status code")
		assert.Nil(t, c.CertExpiresAt)
		select {
		case <-accepted:
		case <-time.After(5 * time.Second):
			t.Fatal("the listener saw no connection")
		}
	})
	t.Run("a closed port is down, refused, and retried", func(t *testing.T) {
		p := newProber(t, true, Options{})
		tg := typedTarget(target.TypeTCP, "tcp://"+closedPort(t))
		tg.Retries = 1
		c := p.Check(context.Background(), tg)
		assert.False(t, c.OK)
		assert.Equal(t, "connection refused", c.Error)
		assert.Equal(t, 2, c.Attempts, "a refused connection may pass")
	})
	t.Run("the strict guard refuses loopback like http", func(t *testing.T) {
		p := newProber(t, false, Options{})
		tg := typedTarget(target.TypeTCP, "tcp://"+ln.Addr().String())
		tg.Retries = 2
		c := p.Check(context.Background(), tg)
		assert.False(t, c.OK)
		assert.Equal(t, refusedLoopback, c.Error)
		assert.Equal(t, 1, c.Attempts, "the guard's answer does not change")
		assert.NotContains(t, c.Error, "127.0.0.1")
	})
	t.Run("a hostname resolving to loopback is refused too", func(t *testing.T) {
		p := newProber(t, false, Options{})
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		c := p.Check(context.Background(), typedTarget(target.TypeTCP, "tcp://localhost:"+port))
		assert.False(t, c.OK)
		assert.Contains(t, c.Error, "address not allowed")
	})
	t.Run("a condition tcp does not measure fails the check", func(t *testing.T) {
		p := newProber(t, true, Options{})
		tg := typedTarget(target.TypeTCP, "tcp://"+ln.Addr().String())
		tg.Conditions = []target.Condition{{Type: "body", Op: "contains", Value: "x"}}
		c := p.Check(context.Background(), tg)
		assert.False(t, c.OK)
		assert.Equal(t, "invalid conditions: conditions[0].type: is not a condition of a tcp target", c.Error)
		assert.Equal(t, 0, c.Attempts)
	})
	t.Run("a latency condition is judged", func(t *testing.T) {
		p := newProber(t, true, Options{})
		tg := typedTarget(target.TypeTCP, "tcp://"+ln.Addr().String())
		tg.Conditions = []target.Condition{{Type: "latency", Op: "<", Value: "600000"}}
		c := p.Check(context.Background(), tg)
		assert.True(t, c.OK, c.Error)
	})
}

func TestHeartbeatIsNotProbed(t *testing.T) {
	t.Parallel()
	p := newProber(t, true, Options{})
	c := p.Check(context.Background(), target.Target{ID: 3, Type: target.TypeHeartbeat, IntervalSeconds: 60, TimeoutSeconds: 5})
	assert.False(t, c.OK)
	assert.Equal(t, "heartbeat targets are not probed", c.Error)
	assert.Equal(t, 0, c.Attempts)
	assert.Equal(t, int64(3), c.TargetID)
}

// tlsFixture is a CA, a server certificate for 127.0.0.1 and localhost valid five
// more days, and a client CA with a client certificate.
type tlsFixture struct {
	ca, clientCA testCA
	server       leaf
	client       leaf
}

func newTLSFixture(t testing.TB) tlsFixture {
	t.Helper()
	f := tlsFixture{ca: newTestCA(t, "test CA"), clientCA: newTestCA(t, "client CA")}
	f.server = f.ca.issue(t, time.Now().Add(5*24*time.Hour), false, "127.0.0.1", "localhost")
	f.client = f.clientCA.issue(t, time.Now().Add(30*24*time.Hour), true, "probe")
	return f
}

// tlsCase is one check of a TLS server, for both the tls and the https checker.
type tlsCase struct {
	name string
	// mutual makes the server want a client certificate from the client CA; other
	// serves a certificate for other.example instead of 127.0.0.1.
	mutual, other bool
	setup         func(t *target.Target, f tlsFixture)
	ok            bool
	errContains   string
	attempts      int
	// certDate says the check records the server certificate's end.
	certDate bool
}

func tlsCases() []tlsCase {
	trust := func(t *target.Target, f tlsFixture) { t.TLSCAPEM = f.ca.pem }
	return []tlsCase{
		{name: "trusted through the target's CA", setup: trust, ok: true, attempts: 1, certDate: true},
		{name: "unknown authority without the CA", setup: func(*target.Target, tlsFixture) {}, errContains: "tls: failed to verify certificate: x509: certificate signed by unknown authority", attempts: 1, certDate: true},
		{name: "skip verify", setup: func(t *target.Target, _ tlsFixture) { t.TLSSkipVerify = true }, ok: true, attempts: 1, certDate: true},
		{name: "hostname mismatch is not retried", other: true, setup: trust, errContains: "tls: failed to verify certificate: x509: certificate is not valid for the host", attempts: 1, certDate: true},
		{name: "mutual TLS without a client certificate", mutual: true, setup: trust, errContains: "certificate required", attempts: 1},
		{name: "mutual TLS with the client certificate", mutual: true, setup: func(t *target.Target, f tlsFixture) {
			t.TLSCAPEM = f.ca.pem
			t.TLSClientCertPEM, t.TLSClientKeyPEM = f.client.certPEM, f.client.keyPEM
		}, ok: true, attempts: 1, certDate: true},
		{name: "cert_days > 14 on a five-day certificate", setup: func(t *target.Target, f tlsFixture) {
			t.TLSCAPEM = f.ca.pem
			t.Conditions = []target.Condition{{Type: "cert_days", Op: ">", Value: "14"}}
		}, errContains: "condition failed: cert_days > 14 failed: expires in 4 days", attempts: 1, certDate: true},
		{name: "cert_days > 3 on a five-day certificate", setup: func(t *target.Target, f tlsFixture) {
			t.TLSCAPEM = f.ca.pem
			t.Conditions = []target.Condition{{Type: "cert_days", Op: ">", Value: "3"}}
		}, ok: true, attempts: 1, certDate: true},
		{name: "invalid CA PEM", setup: func(t *target.Target, _ tlsFixture) { t.TLSCAPEM = "not a certificate" },
			errContains: "invalid TLS options: tls_ca_pem: must be PEM certificates", attempts: 0},
	}
}

func (tc tlsCase) check(t *testing.T, f tlsFixture, c target.Check, serverCert leaf) {
	t.Helper()
	assert.Equal(t, tc.ok, c.OK, "error: %s", c.Error)
	if tc.errContains != "" {
		assert.Contains(t, c.Error, tc.errContains)
	} else {
		assert.Empty(t, c.Error)
	}
	assert.Equal(t, tc.attempts, c.Attempts)
	if !tc.certDate {
		return
	}
	require.NotNil(t, c.CertExpiresAt, "the certificate's end is recorded")
	assert.True(t, c.CertExpiresAt.Equal(serverCert.notAfter), "got %v, want %v", c.CertExpiresAt, serverCert.notAfter)
	assert.Equal(t, time.UTC, c.CertExpiresAt.Location())
	assert.WithinDuration(t, time.Now().Add(5*24*time.Hour), *c.CertExpiresAt, time.Minute)
}

func TestTLSCheck(t *testing.T) {
	t.Parallel()
	f := newTLSFixture(t)
	otherCert := f.ca.issue(t, time.Now().Add(5*24*time.Hour), false, "other.example")
	for _, tc := range tlsCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cert := f.server
			if tc.other {
				cert = otherCert
			}
			var clientCA *testCA
			if tc.mutual {
				clientCA = &f.clientCA
			}
			addr := startTLSServer(t, serverConfig(cert, clientCA))
			tg := typedTarget(target.TypeTLS, "tls://"+addr)
			tg.Retries = 2
			tc.setup(&tg, f)
			c := newProber(t, true, Options{}).Check(context.Background(), tg)
			tc.check(t, f, c, cert)
		})
	}
	t.Run("an expired certificate is final, and its date recorded", func(t *testing.T) {
		t.Parallel()
		expired := f.ca.issue(t, time.Now().Add(-24*time.Hour), false, "127.0.0.1")
		tg := typedTarget(target.TypeTLS, "tls://"+startTLSServer(t, serverConfig(expired, nil)))
		tg.TLSCAPEM = f.ca.pem
		tg.Retries = 2
		c := newProber(t, true, Options{}).Check(context.Background(), tg)
		assert.False(t, c.OK)
		assert.Equal(t, "tls: failed to verify certificate: x509: certificate has expired or is not yet valid", c.Error)
		assert.Equal(t, 1, c.Attempts)
		require.NotNil(t, c.CertExpiresAt)
		assert.True(t, c.CertExpiresAt.Equal(expired.notAfter))
	})
	t.Run("a closed port is refused", func(t *testing.T) {
		t.Parallel()
		c := newProber(t, true, Options{}).Check(context.Background(), typedTarget(target.TypeTLS, "tls://"+closedPort(t)))
		assert.False(t, c.OK)
		assert.Equal(t, "connection refused", c.Error)
	})
	t.Run("skip verify never skips the guard", func(t *testing.T) {
		t.Parallel()
		addr := startTLSServer(t, serverConfig(f.server, nil))
		tg := typedTarget(target.TypeTLS, "tls://"+addr)
		tg.TLSSkipVerify = true
		c := newProber(t, false, Options{}).Check(context.Background(), tg)
		assert.False(t, c.OK)
		assert.Equal(t, refusedLoopback, c.Error)
	})
	t.Run("a plain TCP server is no TLS server", func(t *testing.T) {
		t.Parallel()
		srv, _ := newServer(t, http.NotFoundHandler())
		tg := typedTarget(target.TypeTLS, "tls://"+srv.Listener.Addr().String())
		c := newProber(t, true, Options{}).Check(context.Background(), tg)
		assert.False(t, c.OK)
		assert.Equal(t, "tls: the server did not answer with TLS", c.Error)
	})
}

func TestHTTPSCheckTLSOptions(t *testing.T) {
	t.Parallel()
	f := newTLSFixture(t)
	otherCert := f.ca.issue(t, time.Now().Add(5*24*time.Hour), false, "other.example")
	for _, tc := range tlsCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, cert := tlsCaseServer(t, f, tc, otherCert)
			tg := newTarget(srv.URL)
			tg.Retries = 2
			tc.setup(&tg, f)
			c := newProber(t, true, Options{}).Check(context.Background(), tg)
			if tc.ok {
				require.NotNil(t, c.StatusCode)
				assert.Equal(t, 200, *c.StatusCode)
			}
			tc.check(t, f, c, cert)
		})
	}
	t.Run("plain http has no certificate date", func(t *testing.T) {
		t.Parallel()
		srv, _ := newServer(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		c := newProber(t, true, Options{}).Check(context.Background(), newTarget(srv.URL))
		assert.True(t, c.OK, c.Error)
		assert.Nil(t, c.CertExpiresAt)
	})
	t.Run("cert_days on plain http fails clearly", func(t *testing.T) {
		t.Parallel()
		srv, _ := newServer(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		tg := newTarget(srv.URL)
		tg.Conditions = []target.Condition{{Type: "cert_days", Op: ">", Value: "14"}}
		c := newProber(t, true, Options{}).Check(context.Background(), tg)
		assert.False(t, c.OK)
		assert.Equal(t, "condition failed: cert_days > 14 failed: no certificate (the URL is plain http)", c.Error)
	})
	t.Run("skip verify never skips the guard", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewTLSServer(http.NotFoundHandler())
		t.Cleanup(srv.Close)
		tg := newTarget(srv.URL)
		tg.TLSSkipVerify = true
		c := newProber(t, false, Options{}).Check(context.Background(), tg)
		assert.False(t, c.OK)
		assert.Equal(t, refusedLoopback, c.Error)
	})
}

// TestTLSCacheEvicts keeps the cache bounded: the least recently used set of options
// goes, its idle connections with it, and comes back rebuilt when asked again.
func TestTLSCacheEvicts(t *testing.T) {
	t.Parallel()
	built := 0
	c := newTLSCache(2, func(cfg *tls.Config) *http.Transport {
		built++
		return &http.Transport{TLSClientConfig: cfg}
	}, func(*browser, *tls.Config) http.RoundTripper {
		t.Error("no browser transport is asked for here")
		return nil
	})
	opts := func(skip bool, ca string) target.Target {
		return target.Target{TLSSkipVerify: skip, TLSCAPEM: ca}
	}
	f := newTLSFixture(t)
	a, b, d := opts(true, ""), opts(false, f.ca.pem), opts(true, f.ca.pem)
	trA, err := c.transport(a)
	require.NoError(t, err)
	again, err := c.transport(a)
	require.NoError(t, err)
	assert.Same(t, trA, again, "the same options share one transport")
	_, err = c.transport(b)
	require.NoError(t, err)
	_, err = c.transport(d)
	require.NoError(t, err)
	assert.Equal(t, 2, c.order.Len(), "bounded")
	assert.Equal(t, 3, built)
	rebuilt, err := c.transport(a)
	require.NoError(t, err)
	assert.NotSame(t, trA, rebuilt, "the oldest was evicted")
	cfg, err := c.config(d)
	require.NoError(t, err)
	assert.True(t, cfg.InsecureSkipVerify)
	assert.NotNil(t, cfg.RootCAs)
	_, err = c.config(opts(false, strings.Repeat("x", 10)))
	assert.ErrorContains(t, err, "invalid TLS options: tls_ca_pem")
}

// TestHTTPCertificateIsTheURLsOwn: the certificate an http check records, and judges
// cert_days on, is the target URL's own. An http URL redirected to https records none
// (the certificate is another URL's, and would open cert_expiry incidents for a plain
// http target); an https URL redirected to http ends with none, and says why.
func TestHTTPCertificateIsTheURLsOwn(t *testing.T) {
	t.Parallel()
	ca := newTestCA(t, "redirect CA")
	cert := ca.issue(t, time.Now().Add(30*24*time.Hour), false, "127.0.0.1")
	var plainURL string
	secure := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/to-http" {
			http.Redirect(w, r, plainURL+"/", http.StatusFound)
		}
	}))
	secure.TLS = serverConfig(cert, nil)
	secure.StartTLS()
	t.Cleanup(secure.Close)
	plain, _ := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/to-https" {
			http.Redirect(w, r, secure.URL+"/", http.StatusFound)
		}
	}))
	plainURL = plain.URL
	certDays := []target.Condition{{Type: "cert_days", Op: ">", Value: "7"}}
	tests := []struct {
		name  string
		url   string
		trust bool // the CA is trusted (through tls_ca_pem, which the prober honours whatever the scheme)
		conds []target.Condition
		ok    bool
		err   string
		cert  bool
	}{
		{name: "https records its certificate", url: secure.URL + "/", trust: true, conds: certDays, ok: true, cert: true},
		{name: "http redirected to https records none", url: plain.URL + "/to-https", trust: true, ok: true},
		{name: "http redirected to an unverified https records none", url: plain.URL + "/to-https",
			err: "tls: failed to verify certificate"},
		{name: "https redirected to http fails cert_days saying why", url: secure.URL + "/to-http", trust: true, conds: certDays,
			err: "condition failed: cert_days > 7 failed: no certificate: the answer came over plain http after a redirect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tg := newTarget(tt.url)
			tg.Conditions = tt.conds
			if tt.trust {
				tg.TLSCAPEM = ca.pem
			}
			c := newProber(t, true, Options{}).Check(context.Background(), tg)
			assert.Equal(t, tt.ok, c.OK, c.Error)
			if tt.err == "" {
				assert.Empty(t, c.Error)
			} else {
				assert.Contains(t, c.Error, tt.err)
			}
			if !tt.cert {
				assert.Nil(t, c.CertExpiresAt, "no certificate of the URL's own")
				return
			}
			require.NotNil(t, c.CertExpiresAt)
			assert.True(t, c.CertExpiresAt.Equal(cert.notAfter))
		})
	}
}

// tlsCaseServer answers "ok" over TLS with the case's certificate (returned too), asking for a client
// certificate when the case is mutual. HTTP/1.1 only: over HTTP/2 the client writes its
// preface at once, and a server refusing its certificate may reset the connection
// before the alert is read, for every client alike.
func tlsCaseServer(t *testing.T, f tlsFixture, tc tlsCase, otherCert leaf) (*httptest.Server, leaf) {
	t.Helper()
	cert := f.server
	if tc.other {
		cert = otherCert
	}
	var clientCA *testCA
	if tc.mutual {
		clientCA = &f.clientCA
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok"))
	}))
	srv.TLS = serverConfig(cert, clientCA)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, cert
}
