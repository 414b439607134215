package importer

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/manifest"
)

// clientPair writes a throwaway client certificate and its key, PEM encoded, into
// dir as client.crt and client.key, and returns their text.
func clientPair(t *testing.T, dir string) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "watchdog-probe"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	certPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	keyPEM = string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "certs"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "certs", "client.crt"), []byte(certPEM), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "certs", "client.key"), []byte(keyPEM), 0o600))
	return certPEM, keyPEM
}

func TestGatusDNSResolvers(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ url, want, skipped string }{
		{url: "8.8.8.8", want: "dns://8.8.8.8:53/example.org?type=A"},
		{url: "udp://9.9.9.9:53", want: "dns://9.9.9.9:53/example.org?type=A"},
		{url: "2001:4860:4860::8888", want: "dns://[2001:4860:4860::8888]:53/example.org?type=A"},
		{url: "[2001:4860:4860::8844]:5353", want: "dns://[2001:4860:4860::8844]:5353/example.org?type=A"},
		{url: "tcp://8.8.8.8:53", skipped: `dns endpoint: resolver "tcp://8.8.8.8:53" is not a host or host:port`},
	} {
		t.Run(tt.url, func(t *testing.T) {
			u, why := gatusDNSURL(gatusEndpoint{URL: tt.url, DNS: map[string]any{"query-name": "example.org", "query-type": "A"}})
			assert.Equal(t, tt.want, u)
			assert.Equal(t, tt.skipped, why)
		})
	}
	_, why := gatusDNSURL(gatusEndpoint{URL: "8.8.8.8", DNS: map[string]any{"query-name": "example.org", "query-type": "HINFO"}})
	assert.Contains(t, why, "WatchDog does not query HINFO records")
}

func TestCertDaysRounding(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		op, right, days string
		rounded, ok     bool
	}{
		{op: ">", right: "48h", days: "2", ok: true},
		{op: ">=", right: "36h", days: "2", rounded: true, ok: true},
		{op: ">", right: "1h", days: "1", rounded: true, ok: true},
		{op: ">", right: "259200000", days: "3", ok: true}, // milliseconds, as Gatus also reads it
		{op: "<", right: "48h", ok: false},
		{op: ">", right: "soon", ok: false},
	} {
		c, rounded, ok := certDaysCondition(tt.op, tt.right)
		assert.Equal(t, tt.ok, ok, "%s %s", tt.op, tt.right)
		if ok {
			assert.Equal(t, manifest.Condition{Type: "cert_days", Op: tt.op, Value: tt.days}, c)
			assert.Equal(t, tt.rounded, rounded, "%s %s", tt.op, tt.right)
		}
	}
}

// Kuma push tokens: 32 letters and digits since 1.23 (190 bits, kept when asked), 10
// before it (too few to keep).
const (
	kumaLongToken  = "Q7fJ2kLmN8pR4sT6vW9xZ1bC3dE5gH0a"
	kumaShortToken = "Ab12Cd34Ef"
)

// kumaTypeMonitors are monitors of the kinds WatchDog now checks besides http.
var kumaTypeMonitors = []map[string]any{
	{"id": 1, "name": "Database", "type": "port", "hostname": "db.example.com", "port": 5432, "interval": 120, "maxretries": 1, "retry_interval": 30},
	{"id": 2, "name": "Gateway", "type": "ping", "hostname": "gw.example.com", "interval": 30},
	{"id": 3, "name": "MX", "type": "dns", "hostname": "example.org", "dns_resolve_server": "1.1.1.1, 8.8.8.8", "port": 53,
		"dns_resolve_type": "MX", "interval": 300},
	{"id": 4, "name": "Nightly backup", "type": "push", "push_token": kumaLongToken, "interval": 86400, "maxretries": 2, "retry_interval": 600},
	{"id": 5, "name": "Old cron", "type": "push", "push_token": kumaShortToken, "interval": 3600},
	{"id": 6, "name": "Shop", "type": "http", "url": "https://shop.example.com", "interval": 60, "ignore_tls": 1, "expiry_notification": 1},
	{"id": 7, "name": "Blog", "type": "http", "url": "https://blog.example.com", "interval": 60, "expiry_notification": 0},
	{"id": 8, "name": "Bad port", "type": "port", "hostname": "db.example.com", "interval": 60},
}

// kumaTypeSchema is kumaSchema with the column 1.23 added for certificate expiry.
var kumaTypeSchema = append(append([]string{}, kumaSchema...), `ALTER TABLE monitor ADD expiry_notification BOOLEAN default 1`,
	`ALTER TABLE monitor ADD conditions TEXT DEFAULT '[]' NOT NULL`)

func makeKumaTypesDB(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "kuma.db")
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer func() { require.NoError(t, db.Close()) }()
	for _, stmt := range kumaTypeSchema {
		_, err := db.Exec(stmt)
		require.NoError(t, err, stmt)
	}
	for _, m := range kumaTypeMonitors {
		insertRow(t, db, "monitor", m)
	}
	return path
}

// kumaTypeTargets are what kumaTypeMonitors become.
func kumaTypeTargets() []manifest.Target {
	one, zero := new(1), ptr(0)
	return []manifest.Target{
		{Name: "Database", Type: "tcp", URL: "tcp://db.example.com:5432", IntervalSeconds: new(120), Retries: one,
			RetryDelaySeconds: new(30), FailureThreshold: one, SuccessThreshold: one},
		{Name: "Gateway", Type: "icmp", URL: "icmp://gw.example.com", IntervalSeconds: new(30), Retries: zero,
			FailureThreshold: one, SuccessThreshold: one},
		{Name: "MX", Type: "dns", URL: "dns://1.1.1.1:53/example.org?type=MX", IntervalSeconds: new(300), Retries: zero,
			FailureThreshold: one, SuccessThreshold: one},
		{Name: "Nightly backup", Type: "heartbeat", PeriodSeconds: new(86400), GraceSeconds: new(1200),
			FailureThreshold: one, SuccessThreshold: one},
		{Name: "Old cron", Type: "heartbeat", PeriodSeconds: new(3600), GraceSeconds: new(60),
			FailureThreshold: one, SuccessThreshold: one},
		{Name: "Shop", URL: "https://shop.example.com", IntervalSeconds: new(60), Retries: zero, ExpectedStatus: new("200-299"),
			FailureThreshold: one, SuccessThreshold: one, TLSSkipVerify: ptr(true), CertExpiryDays: new(21)},
		{Name: "Blog", URL: "https://blog.example.com", IntervalSeconds: new(60), Retries: zero, ExpectedStatus: new("200-299"),
			FailureThreshold: one, SuccessThreshold: one, CertExpiryDays: new(0)},
	}
}

func TestUptimeKumaCheckTypes(t *testing.T) {
	t.Parallel()
	path := makeKumaTypesDB(t, t.TempDir())

	res, err := UptimeKuma(path, KumaOptions{})
	require.NoError(t, err)
	assert.Equal(t, kumaTypeTargets(), res.Document.Targets)
	assert.Empty(t, res.PingTokens, "push tokens are kept only when asked")
	assert.Equal(t, []string{
		`monitor "MX": resolvers 8.8.8.8: WatchDog asks one resolver, the first (1.1.1.1)`,
		`monitor "Bad port": port monitor without a hostname and a port`,
	}, res.NotCarried())
	renew := "new ping URL issued: update the job to ping it (watchdog import prints it, the target's page shows it)"
	assert.Equal(t, []string{
		`monitor "Nightly backup": push monitor: a heartbeat expecting a ping every 86400s, down 1200s after one is missed`,
		`monitor "Nightly backup": ` + renew,
		`monitor "Old cron": retries: 0s of grace raised to 60s, the least a heartbeat has: Kuma marks it down when the interval passes without a push, WatchDog a minute later`,
		`monitor "Old cron": push monitor: a heartbeat expecting a ping every 3600s, down 60s after one is missed`,
		`monitor "Old cron": ` + renew,
		`monitor "Shop": certificate expiry notification: a cert_expiry incident 21 days before, Kuma's first reminder`,
		`monitor "Shop": ignore TLS errors: the certificate is not verified (tls_skip_verify)`,
		`monitor "Blog": certificate expiry notification off in Kuma: no cert_expiry incident (cert_expiry_days 0)`,
	}, res.Changes())

	// Asked to, the import keeps a push token strong enough to be a ping token, and
	// replaces (and says so) one that is not.
	res, err = UptimeKuma(path, KumaOptions{KeepPushTokens: true})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"nightly backup": kumaLongToken}, res.PingTokens)
	changes := strings.Join(res.Changes(), "\n")
	assert.Contains(t, changes, `monitor "Nightly backup": push token kept`)
	assert.Contains(t, changes, `monitor "Old cron": push token not kept: 10 characters, under the 128 bits a ping token needs: a new ping URL is issued`)
	assertNoSecrets(t, res, kumaLongToken, kumaShortToken)
}

func TestUptimeKumaBackupCheckTypes(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "backup.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"version": "1.23.16", "notificationList": [], "monitorList": [
  {"id": 1, "name": "Database", "type": "port", "hostname": "db.example.com", "port": 5432, "interval": 120, "maxretries": 1, "retryInterval": 30, "active": true},
  {"id": 2, "name": "Gateway", "type": "ping", "hostname": "gw.example.com", "interval": 30, "active": true},
  {"id": 3, "name": "MX", "type": "dns", "hostname": "example.org", "dns_resolve_server": "1.1.1.1, 8.8.8.8", "port": 53, "dns_resolve_type": "MX", "interval": 300, "active": true},
  {"id": 4, "name": "Nightly backup", "type": "push", "pushToken": "`+kumaLongToken+`", "interval": 86400, "maxretries": 2, "retryInterval": 600, "active": true},
  {"id": 5, "name": "Old cron", "type": "push", "pushToken": "`+kumaShortToken+`", "interval": 3600, "active": true},
  {"id": 6, "name": "Shop", "type": "http", "url": "https://shop.example.com", "interval": 60, "ignoreTls": true, "expiryNotification": true, "active": true},
  {"id": 7, "name": "Blog", "type": "http", "url": "https://blog.example.com", "interval": 60, "expiryNotification": false, "active": true}
]}`), 0o600))
	res, err := UptimeKuma(path, KumaOptions{KeepPushTokens: true})
	require.NoError(t, err)
	assert.Equal(t, kumaTypeTargets(), res.Document.Targets)
	assert.Equal(t, map[string]string{"nightly backup": kumaLongToken}, res.PingTokens)
}

// TestUptimeKumaMutualTLS: the mtls authentication method becomes the TLS options,
// the key as a reference.
func TestUptimeKumaMutualTLS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	certPEM, keyPEM := clientPair(t, dir)
	quote := func(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "\n", `\n`) }
	path := filepath.Join(dir, "backup.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"version": "1.23.16", "notificationList": [], "monitorList": [
  {"id": 1, "name": "Partner API", "type": "http", "url": "https://partner.example.com/health", "interval": 60, "active": true,
   "authMethod": "mtls", "tlsCa": "`+quote(certPEM)+`", "tlsCert": "`+quote(certPEM)+`", "tlsKey": "`+quote(keyPEM)+`"}
]}`), 0o600))
	res, err := UptimeKuma(path, KumaOptions{})
	require.NoError(t, err)
	require.Len(t, res.Document.Targets, 1)
	got := res.Document.Targets[0]
	assert.Equal(t, strings.TrimSpace(certPEM), got.TLSCAPEM)
	assert.Equal(t, strings.TrimSpace(certPEM), got.TLSClientCertPEM)
	assert.Equal(t, "${WATCHDOG_TARGET_PARTNER_API_TLS_CLIENT_KEY_PEM}", got.TLSClientKeyPEM)
	assert.Equal(t, map[string]string{"WATCHDOG_TARGET_PARTNER_API_TLS_CLIENT_KEY_PEM": strings.TrimSpace(keyPEM)}, res.Env)
	assert.Empty(t, res.NotCarried())
	assertNoSecrets(t, res, "PRIVATE KEY")
}

// TestKumaPushBounds: a push monitor's schedule is fitted into a heartbeat's bounds,
// and said so.
func TestKumaPushBounds(t *testing.T) {
	t.Parallel()
	res := convertKuma([]kumaMonitor{
		{ID: 1, Name: "often", Type: "push", Interval: 20, Active: true},
		{ID: 2, Name: "patient", Type: "push", Interval: 86400, MaxRetries: 10, RetryInterval: 86400, Active: true},
		{ID: 3, Name: "quick retries", Type: "push", Interval: 300, MaxRetries: 2, RetryInterval: 20, Active: true},
	}, nil, KumaOptions{})
	require.Len(t, res.Document.Targets, 3)
	assert.Equal(t, 30, *res.Document.Targets[0].PeriodSeconds)
	assert.Equal(t, 60, *res.Document.Targets[0].GraceSeconds, "no retries: the least grace, not one more interval")
	assert.Equal(t, 7*86400, *res.Document.Targets[1].GraceSeconds)
	assert.Equal(t, 60, *res.Document.Targets[2].GraceSeconds, "retries quicker than a minute: raised to the least grace")
	changes := strings.Join(res.Changes(), "\n")
	assert.Contains(t, changes, `monitor "often": interval 20s raised to the minimum 30s`)
	assert.Contains(t, changes, `monitor "often": retries: 0s of grace raised to 60s, the least a heartbeat has`)
	assert.Contains(t, changes, `monitor "quick retries": retries: 40s of grace raised to 60s`)
	assert.Contains(t, changes, `monitor "patient": retries: 864000s of grace lowered to the maximum 604800s`)
}

// TestGatusClientTLSFiles: only certificates come from the certificate file (a
// combined file's key stays out of the document) and only a key from the key file.
func TestGatusClientTLSFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	certPEM, keyPEM := clientPair(t, dir)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "certs", "combined.pem"), []byte(certPEM+keyPEM), 0o600))
	path := filepath.Join(dir, "config.yaml")
	require.NoError(t, os.WriteFile(path, []byte(`
endpoints:
  - name: combined
    url: "https://a.example.com/"
    client:
      tls: {certificate-file: certs/combined.pem, private-key-file: certs/combined.pem}
  - name: swapped
    url: "https://b.example.com/"
    client:
      tls: {certificate-file: certs/client.key, private-key-file: certs/client.crt}
`), 0o600))
	res, err := GatusFile(path)
	require.NoError(t, err)
	require.Len(t, res.Document.Targets, 2)
	assert.Equal(t, certPEM, res.Document.Targets[0].TLSClientCertPEM)
	assert.Equal(t, "${WATCHDOG_TARGET_COMBINED_TLS_CLIENT_KEY_PEM}", res.Document.Targets[0].TLSClientKeyPEM)
	assert.Equal(t, keyPEM, res.Env["WATCHDOG_TARGET_COMBINED_TLS_CLIENT_KEY_PEM"])
	assert.Empty(t, res.Document.Targets[1].TLSClientCertPEM)
	assert.Equal(t, []string{
		`endpoint "swapped": client.tls: certificate-file certs/client.key: holds no PEM certificate; carried without mutual TLS`,
	}, res.NotCarried())
	assertNoSecrets(t, res, "PRIVATE KEY")
}

// TestKumaPushTokenLength: a kept push token must be one the ping endpoint answers:
// from 22 to 64 URL-safe characters; a longer one is replaced, and said so.
func TestKumaPushTokenLength(t *testing.T) {
	t.Parallel()
	longest, tooLong := strings.Repeat("a", 64), strings.Repeat("b", 65)
	res := convertKuma([]kumaMonitor{
		{ID: 1, Name: "longest", Type: "push", Interval: 3600, PushToken: longest, Active: true},
		{ID: 2, Name: "too long", Type: "push", Interval: 3600, PushToken: tooLong, Active: true},
		{ID: 3, Name: "odd characters", Type: "push", Interval: 3600, PushToken: strings.Repeat("c", 30) + "/x", Active: true},
	}, nil, KumaOptions{KeepPushTokens: true})
	assert.Equal(t, map[string]string{"longest": longest}, res.PingTokens)
	changes := strings.Join(res.Changes(), "\n")
	assert.Contains(t, changes, `monitor "too long": push token not kept: 65 characters, over the 64 a ping token may have: a new ping URL is issued`)
	assert.Contains(t, changes, `monitor "odd characters": push token not kept: it has characters other than letters, digits, - and _`)
	assertNoSecrets(t, res, tooLong)
}
