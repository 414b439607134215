package httpapi_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/account"
	"github.com/watchdog-monitor/watchdog/backend/internal/httpapi"
	"github.com/watchdog-monitor/watchdog/backend/internal/notify"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// Every type is created through the API in its URL form, answers every field (the
// spec check on each exchange holds them to the document), and the guard refuses a
// metadata or private host of every type, a dns resolver's included, with a 422.
func TestCreateEveryTypeOfCheck(t *testing.T) {
	e := newEnv(t, nil)
	for _, tc := range []struct{ body, typ, name string }{
		{`{"type":"tcp","url":"tcp://db.example.com:5432"}`, "tcp", "db.example.com"},
		{`{"type":"tls","url":"tls://mail.example.com:993"}`, "tls", "mail.example.com"},
		{`{"type":"dns","url":"dns://1.1.1.1/example.org?type=TXT"}`, "dns", "example.org"},
		{`{"type":"icmp","url":"icmp://router.example.com"}`, "icmp", "router.example.com"},
		{`{"type":"heartbeat","name":"nightly backup","url":""}`, "heartbeat", "nightly backup"},
	} {
		r := e.send(t, request{Method: http.MethodPost, Path: "/api/v1/targets", Body: tc.body})
		require.Equal(t, http.StatusCreated, r.Status, "%s: %s", tc.body, r.Body)
		got := r.Map(t)
		assert.Equal(t, tc.typ, got["type"])
		assert.Equal(t, tc.name, got["name"])
		if tc.typ == "heartbeat" {
			pingURL, _ := got["ping_url"].(string)
			assert.True(t, strings.HasPrefix(pingURL, e.URL+"/api/v1/ping/"), "the ping URL is where this server was reached: %q", pingURL)
			assert.Len(t, strings.TrimPrefix(pingURL, e.URL+"/api/v1/ping/"), 32)
			assert.Nil(t, got["next_check_at"], "a heartbeat waits for its first ping")
			assert.EqualValues(t, 1, got["failure_threshold"])
		} else {
			assert.Nil(t, got["ping_url"])
		}
	}

	for _, tc := range []struct{ body, field string }{
		{`{"type":"tcp","url":"tcp://169.254.169.254:80"}`, "url"},
		{`{"type":"tcp","url":"tcp://127.0.0.1:5432"}`, "url"},
		{`{"type":"dns","url":"dns://10.0.0.2/example.org"}`, "url"},
		{`{"type":"icmp","url":"icmp://[fd00:ec2::254]"}`, "url"},
		{`{"type":"tcp","url":"tcp://db.example.com"}`, "url"},
		{`{"type":"tcp","url":"tcp://db.example.com:5432","method":"POST"}`, "method"},
		{`{"type":"heartbeat","url":"https://example.com/"}`, "url"},
		{`{"type":"ftp","url":"ftp://example.com/"}`, "type"},
		{`{"url":"http://example.com/","tls_skip_verify":true}`, "tls_skip_verify"},
	} {
		r := e.send(t, request{Method: http.MethodPost, Path: "/api/v1/targets", Body: tc.body, InvalidRequest: strings.Contains(tc.body, "ftp")})
		require.Equal(t, http.StatusUnprocessableEntity, r.Status, "%s: %s", tc.body, r.Body)
		assert.Contains(t, r.Problem(t).Fields(), tc.field, tc.body)
	}
}

// The client key is write-only: answers say it is set; a PATCH that leaves it out keeps
// it and "" removes it. Skipping verification puts a warning on the target.
func TestTLSOptionsAreWriteOnlyAndWarned(t *testing.T) {
	e := newEnv(t, nil)
	certPEM, keyPEM := clientCertificate(t)
	r := e.send(t, request{Method: http.MethodPost, Path: "/api/v1/targets",
		Body: mustJSON(t, map[string]any{"type": "tls", "url": "tls://internal.example.com:8443", "tls_skip_verify": true,
			"tls_client_key_pem": keyPEM, "tls_client_cert_pem": certPEM})})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	assert.NotContains(t, string(r.Body), "PRIVATE KEY")
	var got httpapi.Target
	r.JSON(t, &got)
	assert.True(t, got.TLSClientKeySet)
	assert.Equal(t, certPEM, got.TLSClientCertPEM)
	require.Len(t, got.Warnings, 1)
	assert.Contains(t, got.Warnings[0], "tls_skip_verify is on")

	r = e.send(t, request{Method: http.MethodPatch, Path: targetPath(got.ID), Body: `{"tls_skip_verify":false}`})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	r.JSON(t, &got)
	assert.True(t, got.TLSClientKeySet, "left out, the key is kept")
	assert.Empty(t, got.Warnings)
	stored, err := e.Store.GetTarget(t.Context(), got.ID)
	require.NoError(t, err)
	assert.Equal(t, keyPEM, stored.TLSClientKeyPEM)

	// A key that does not belong to the certificate is refused, naming the field,
	// and the request does not quote it.
	_, otherKey := clientCertificate(t)
	r = e.send(t, request{Method: http.MethodPatch, Path: targetPath(got.ID), Body: mustJSON(t, map[string]string{"tls_client_key_pem": otherKey})})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, "%s", r.Body)
	assert.Contains(t, r.Problem(t).Fields(), "tls_client_key_pem")
	assert.NotContains(t, string(r.Body), "PRIVATE KEY")

	r = e.send(t, request{Method: http.MethodPatch, Path: targetPath(got.ID), Body: `{"tls_client_key_pem":"","tls_client_cert_pem":""}`})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	r.JSON(t, &got)
	assert.False(t, got.TLSClientKeySet)
}

// clientCertificate makes a self-signed client certificate and its key, as PEM.
func clientCertificate(t *testing.T) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "watchdog client"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
}

// With PUBLIC_URL set, a ping URL is built on it, whatever host the request named.
func TestPingURLUsesThePublicURL(t *testing.T) {
	e := newEnv(t, nil, func(d *httpapi.Deps) { d.PublicURL = "https://watchdog.example.com/" })
	r := e.send(t, request{Method: http.MethodPost, Path: "/api/v1/targets", Body: `{"type":"heartbeat","url":""}`})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	var got httpapi.Target
	r.JSON(t, &got)
	require.NotNil(t, got.PingURL)
	assert.Regexp(t, `^https://watchdog\.example\.com/api/v1/ping/[A-Za-z0-9_-]{32}$`, *got.PingURL)
	assert.Equal(t, "heartbeat", got.Name)

	// The ping URL is a credential: a viewer sees the heartbeat, not where to ping it.
	viewer := e.addUser(t, account.RoleViewer)
	key, _ := e.addKey(t, viewer, account.RoleViewer, nil)
	r = e.send(t, request{Method: http.MethodGet, Path: targetPath(got.ID), Token: key})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	assert.Nil(t, r.Map(t)["ping_url"])
	assert.NotContains(t, string(r.Body), (*got.PingURL)[len("https://watchdog.example.com/api/v1/ping/"):])
}

// certServer is a TLS server on 127.0.0.1 whose certificate, issued by a throwaway CA
// for the given name, the test can replace while it runs.
type certServer struct {
	t    *testing.T
	ca   *x509.Certificate
	key  *ecdsa.PrivateKey
	cert atomic.Pointer[tls.Certificate]
	Addr string
}

func newCertServer(t *testing.T) *certServer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "throwaway CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	s := &certServer{t: t, ca: ca, key: key}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
		return s.cert.Load(), nil
	}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				_ = conn.(*tls.Conn).Handshake()
				_ = conn.Close()
			}()
		}
	}()
	s.Addr = ln.Addr().String()
	return s
}

// issue makes the server present a certificate for name that expires in validFor.
func (s *certServer) issue(name string, validFor time.Duration) {
	s.t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(s.t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		DNSNames: []string{name}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(validFor),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, s.ca, &key.PublicKey, s.key)
	require.NoError(s.t, err)
	s.cert.Store(&tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key})
}

func (s *certServer) caPEM() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.ca.Raw}))
}

// A tls target whose certificate expires in 5 days opens one cert_expiry incident
// and queues one alert, while the target stays up; a renewed 90-day certificate
// resolves it; a certificate for another name is down.
func TestCertificateExpiryEndToEnd(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	ch, err := e.Store.CreateChannel(ctx, notify.Channel{Name: "ops", Type: "webhook",
		Config: json.RawMessage(`{"url":"https://hooks.example.com/ops"}`)})
	require.NoError(t, err)
	srv := newCertServer(t)
	srv.issue("localhost", 5*24*time.Hour)
	_, port, err := net.SplitHostPort(srv.Addr)
	require.NoError(t, err)
	created := e.send(t, request{Method: http.MethodPost, Path: "/api/v1/targets", Body: mustJSON(t, map[string]any{
		"type": "tls", "url": "tls://localhost:" + port, "tls_ca_pem": srv.caPEM(), "channel_ids": []int64{ch.ID}})})
	require.Equal(t, http.StatusCreated, created.Status, "%s", created.Body)
	var tg httpapi.Target
	created.JSON(t, &tg)

	certIncidents := func() []target.Incident {
		incs, _, err := e.Store.ListIncidents(ctx, target.IncidentFilter{TargetID: tg.ID, Limit: 10})
		require.NoError(t, err)
		return incs
	}
	events := func() []string {
		ds, err := e.Store.Deliveries(ctx)
		require.NoError(t, err)
		out := []string{}
		for _, d := range ds {
			out = append(out, d.Event)
		}
		return out
	}

	for range 2 {
		c := e.checkNow(t, tg.ID)
		require.True(t, c.OK, "a certificate about to expire still verifies: %s", c.Error)
	}
	var got httpapi.Target
	e.get(t, targetPath(tg.ID)).JSON(t, &got)
	require.NotNil(t, got.CertExpiresAt)
	assert.WithinDuration(t, time.Now().Add(5*24*time.Hour), *got.CertExpiresAt, time.Minute)
	incs := certIncidents()
	require.Len(t, incs, 1)
	assert.Equal(t, target.IncidentCertExpiry, incs[0].Kind)
	assert.Nil(t, incs[0].ResolvedAt)
	assert.Equal(t, []string{"cert_expiry"}, events(), "two checks, one alert")

	srv.issue("localhost", 90*24*time.Hour)
	require.True(t, e.checkNow(t, tg.ID).OK)
	incs = certIncidents()
	require.Len(t, incs, 1)
	assert.NotNil(t, incs[0].ResolvedAt, "the renewed certificate resolves it")
	assert.Equal(t, []string{"cert_expiry", "up"}, events())

	srv.issue("other.example", 90*24*time.Hour)
	c := e.checkNow(t, tg.ID)
	assert.False(t, c.OK)
	assert.Equal(t, 1, c.Attempts, "a certificate for another name would be the same on a retry")
}

// impersonate takes one of the browsers, on http targets only; a PATCH that leaves it
// out keeps it, and "" turns it off.
func TestImpersonateThroughTheAPI(t *testing.T) {
	e := newEnv(t, nil)
	r := e.send(t, request{Method: http.MethodPost, Path: "/api/v1/targets", Body: `{"url":"https://shop.example.com/","impersonate":"chrome"}`})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	var got httpapi.Target
	r.JSON(t, &got)
	assert.Equal(t, "chrome", got.Impersonate)

	r = e.send(t, request{Method: http.MethodPatch, Path: targetPath(got.ID), Body: `{"name":"shop"}`})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	r.JSON(t, &got)
	assert.Equal(t, "chrome", got.Impersonate)
	r = e.send(t, request{Method: http.MethodPatch, Path: targetPath(got.ID), Body: `{"impersonate":""}`})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	r.JSON(t, &got)
	assert.Empty(t, got.Impersonate)

	for _, tc := range []struct {
		body    string
		invalid bool
	}{
		{`{"url":"https://shop.example.com/","impersonate":"edge"}`, true},
		{`{"type":"tcp","url":"tcp://shop.example.com:443","impersonate":"firefox"}`, false},
	} {
		r := e.send(t, request{Method: http.MethodPost, Path: "/api/v1/targets", Body: tc.body, InvalidRequest: tc.invalid})
		require.Equal(t, http.StatusUnprocessableEntity, r.Status, "%s: %s", tc.body, r.Body)
		assert.Contains(t, r.Problem(t).Fields(), "impersonate", tc.body)
	}
}
