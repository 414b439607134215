package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/httpapi"
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
	r := e.send(t, request{Method: http.MethodPost, Path: "/api/v1/targets",
		Body: `{"type":"tls","url":"tls://internal.example.com:8443","tls_skip_verify":true,"tls_client_key_pem":"KEY","tls_client_cert_pem":"CERT"}`})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	assert.NotContains(t, string(r.Body), "KEY")
	var got httpapi.Target
	r.JSON(t, &got)
	assert.True(t, got.TLSClientKeySet)
	assert.Equal(t, "CERT", got.TLSClientCertPEM)
	require.Len(t, got.Warnings, 1)
	assert.Contains(t, got.Warnings[0], "tls_skip_verify is on")

	r = e.send(t, request{Method: http.MethodPatch, Path: targetPath(got.ID), Body: `{"tls_skip_verify":false}`})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	r.JSON(t, &got)
	assert.True(t, got.TLSClientKeySet, "left out, the key is kept")
	assert.Empty(t, got.Warnings)
	stored, err := e.Store.GetTarget(t.Context(), got.ID)
	require.NoError(t, err)
	assert.Equal(t, "KEY", stored.TLSClientKeyPEM)

	r = e.send(t, request{Method: http.MethodPatch, Path: targetPath(got.ID), Body: `{"tls_client_key_pem":""}`})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	r.JSON(t, &got)
	assert.False(t, got.TLSClientKeySet)
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
}
