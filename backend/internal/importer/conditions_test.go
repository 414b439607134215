package importer

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/manifest"
)

// gatusTypesFixture has an endpoint of every kind WatchDog now checks besides http,
// with the conditions Gatus users put on them, and kinds it still has no check for.
const gatusTypesFixture = `
endpoints:
  - name: redis
    url: "tcp://redis.example.com:6379"
    interval: 1m
    conditions:
      - "[CONNECTED] == true"
      - "[RESPONSE_TIME] < 300"
  - name: mqtts
    url: "tls://mqtt.example.com:8883"
    client:
      insecure: true
      tls:
        certificate-file: certs/client.crt
        private-key-file: certs/client.key
    conditions:
      - "[CONNECTED] == true"
      - "[CERTIFICATE_EXPIRATION] > 36h"
  - name: mtls-missing
    url: "https://internal.example.com/health"
    client:
      tls:
        certificate-file: certs/missing.crt
        private-key-file: certs/client.key
    conditions:
      - "[STATUS] == 200"
      - "[CERTIFICATE_EXPIRATION] > 720h"
  - name: gateway
    url: "icmp://gw.example.com"
    conditions:
      - "[CONNECTED] == true"
      - "[STATUS] == 200"
  - name: dns-a
    url: "8.8.8.8"
    dns:
      query-name: "example.org."
      query-type: "A"
    conditions:
      - "[DNS_RCODE] == NOERROR"
      - "[BODY] == 93.184.216.34"
  - name: dns-cname
    url: "1.1.1.1:5353"
    dns:
      query-name: "www.example.org"
      query-type: "CNAME"
    conditions:
      - "[BODY] == pat(*.example.net.)"
      - "[DNS_RCODE] != NXDOMAIN"
  - name: syslog
    url: "udp://logs.example.com:514"
  - name: mail
    url: "starttls://smtp.example.com:587"
  - name: sctp-box
    url: "sctp://box.example.com:9000"
`

func TestGatusCheckTypes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	certPEM, keyPEM := clientPair(t, dir)
	path := filepath.Join(dir, "config.yaml")
	require.NoError(t, os.WriteFile(path, []byte(gatusTypesFixture), 0o600))

	res, err := GatusFile(path)
	require.NoError(t, err)
	zero := ptr(0)
	assert.Equal(t, []manifest.Target{
		{Name: "redis", Type: "tcp", URL: "tcp://redis.example.com:6379", IntervalSeconds: new(60), Retries: zero,
			Conditions: []manifest.Condition{{Type: "latency", Op: "<", Value: "300"}}},
		{Name: "mqtts", Type: "tls", URL: "tls://mqtt.example.com:8883", IntervalSeconds: new(60), Retries: zero,
			TLSSkipVerify: ptr(true), TLSClientCertPEM: certPEM,
			TLSClientKeyPEM: "${WATCHDOG_TARGET_MQTTS_TLS_CLIENT_KEY_PEM}",
			Conditions:      []manifest.Condition{{Type: "cert_days", Op: ">", Value: "2"}}},
		{Name: "mtls-missing", URL: "https://internal.example.com/health", IntervalSeconds: new(60), Retries: zero,
			ExpectedStatus: new("200"), Conditions: []manifest.Condition{{Type: "cert_days", Op: ">", Value: "30"}}},
		{Name: "gateway", Type: "icmp", URL: "icmp://gw.example.com", IntervalSeconds: new(60), Retries: zero},
		{Name: "dns-a", Type: "dns", URL: "dns://8.8.8.8:53/example.org?type=A", IntervalSeconds: new(60), Retries: zero,
			Conditions: []manifest.Condition{
				{Type: "rcode", Op: "==", Value: "NOERROR"},
				{Type: "answer", Op: "==", Value: "93.184.216.34"},
			}},
		{Name: "dns-cname", Type: "dns", URL: "dns://1.1.1.1:5353/www.example.org?type=CNAME", IntervalSeconds: new(60), Retries: zero,
			Conditions: []manifest.Condition{
				{Type: "answer", Op: "matches", Value: `(?s)^.*\.example\.net\.$`},
				{Type: "rcode", Op: "!=", Value: "NXDOMAIN"},
			}},
	}, res.Document.Targets)
	assert.Equal(t, map[string]string{"WATCHDOG_TARGET_MQTTS_TLS_CLIENT_KEY_PEM": keyPEM}, res.Env)
	assert.NotContains(t, res.String(), "PRIVATE KEY", "the key is referenced, never printed")

	assert.Equal(t, []string{
		`endpoint "mtls-missing": client.tls: certificate-file certs/missing.crt: open ` + filepath.Join(dir, "certs", "missing.crt") + `: no such file or directory; carried without mutual TLS`,
		`endpoint "gateway": condition [STATUS] == 200: an icmp check gets no HTTP answer`,
		`endpoint "syslog": udp endpoint: WatchDog has no udp checks`,
		`endpoint "mail": starttls endpoint: WatchDog has no starttls checks`,
		`endpoint "sctp-box": sctp endpoint: WatchDog has no sctp checks`,
	}, res.NotCarried())
	assert.Equal(t, []string{
		`endpoint "redis": condition [CONNECTED] == true: implied: a tcp target is down when the connection does not open`,
		`endpoint "mqtts": client.insecure: the certificate is not verified (tls_skip_verify)`,
		`endpoint "mqtts": condition [CONNECTED] == true: implied: a tls target is down when the connection or its handshake fails`,
		`endpoint "mqtts": condition [CERTIFICATE_EXPIRATION] > 36h: rounded up to 2 whole days`,
		`endpoint "gateway": condition [CONNECTED] == true: implied: an icmp target is down when no echo reply comes back`,
	}, res.Changes())
}

// kumaMXConditions are 2.0 conditions on a dns monitor's records.
const kumaMXConditions = `[{"type":"expression","andOr":"and","variable":"record","operator":"ends_with","value":"mail.example.org"},` +
	`{"type":"expression","andOr":"and","variable":"record","operator":"not_contains","value":"old"}]`

// TestKumaDNSConditions: a dns monitor's 2.0 conditions on its records become
// answer conditions.
func TestKumaDNSConditions(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "backup.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"version": "2.0.0", "notificationList": [], "monitorList": [
  {"id": 3, "name": "MX", "type": "dns", "hostname": "example.org", "dns_resolve_server": "1.1.1.1", "port": 53, "dns_resolve_type": "MX", "interval": 300, "active": true, "conditions": `+kumaMXConditions+`},
  {"id": 4, "name": "Either", "type": "dns", "hostname": "example.org", "dns_resolve_type": "A", "interval": 300, "active": true,
   "conditions": [{"type":"expression","andOr":"and","variable":"record","operator":"equals","value":"1.2.3.4"},{"type":"expression","andOr":"or","variable":"record","operator":"equals","value":"5.6.7.8"}]}
]}`), 0o600))
	res, err := UptimeKuma(path, KumaOptions{})
	require.NoError(t, err)
	require.Len(t, res.Document.Targets, 2)
	assert.Equal(t, []manifest.Condition{
		{Type: "answer", Op: "matches", Value: `(?m)mail\.example\.org$`},
		{Type: "answer", Op: "not_contains", Value: "old"},
	}, res.Document.Targets[0].Conditions)
	assert.Empty(t, res.Document.Targets[1].Conditions)
	assert.Contains(t, res.NotCarried(), `monitor "Either": conditions: groups and "or" have no equivalent; none carried`)
}
