package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// TestOldTLSIsRefusedByEveryClient: a server speaking only TLS 1.0 or 1.1 is down
// whoever checks it. Safari's ClientHello offers both (with CBC and 3DES suites), as
// Safari 16 did, and the server picks one; the check must still refuse what the
// default client refuses, with or without the target's TLS options.
func TestOldTLSIsRefusedByEveryClient(t *testing.T) {
	t.Parallel()
	f := newTLSFixture(t)
	for _, version := range []uint16{tls.VersionTLS10, tls.VersionTLS11} {
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte("ok"))
		}))
		srv.TLS = &tls.Config{
			Certificates: []tls.Certificate{f.server.tls},
			MinVersion:   version,
			MaxVersion:   version,
			// A suite Safari 16 offers, so that the server has one to pick.
			CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA},
		}
		// The refused handshakes are the point; the server need not log them.
		srv.Config.ErrorLog = log.New(io.Discard, "", 0)
		srv.StartTLS()
		t.Cleanup(srv.Close)
		for _, name := range append([]target.Impersonation{target.ImpersonateNone}, impersonated...) {
			for _, options := range []bool{false, true} {
				p := impersonatingProber(t, f)
				p.transport.TLSClientConfig = &tls.Config{RootCAs: rootsOf(f)}
				tg := newTarget(srv.URL)
				tg.Impersonate = name
				if options {
					// The target's own CA: its TLS settings come from tlsConfig.
					tg.TLSCAPEM = f.ca.pem
				}
				c := p.Check(context.Background(), tg)
				assert.False(t, c.OK, "%s as %q (TLS options %v) is up", tls.VersionName(version), name, options)
				assert.Contains(t, c.Error, "protocol version not supported", "%s as %q (TLS options %v)", tls.VersionName(version), name, options)
			}
		}
	}
}

// rootsOf is a pool trusting f's CA alone.
func rootsOf(f tlsFixture) *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(f.ca.cert)
	return pool
}
