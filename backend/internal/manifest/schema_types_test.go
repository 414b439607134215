package manifest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/watchdog-monitor/watchdog/backend/internal/manifest"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

// TestSchemaOfCheckTypes: the published schema knows the check types' fields, and
// asks a url of every target but a heartbeat.
func TestSchemaOfCheckTypes(t *testing.T) {
	schema, err := jsonschema.NewCompiler().Compile("../../../docs/watchdog.schema.json")
	require.NoError(t, err)
	valid := func(doc string) error {
		var v any
		require.NoError(t, yaml.Unmarshal([]byte(doc), &v))
		j, err := json.Marshal(v)
		require.NoError(t, err)
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
		require.NoError(t, err)
		return schema.Validate(inst)
	}
	assert.NoError(t, valid(everyType("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")))
	assert.NoError(t, valid("version: 1\ntargets:\n  - {name: backup, type: heartbeat, period_seconds: 3600}\n"))
	assert.Error(t, valid("version: 1\ntargets:\n  - {name: redis, type: tcp}\n"), "url is required but for a heartbeat")
	assert.Error(t, valid("version: 1\ntargets:\n  - {name: web}\n"), "url is required of an http target")
	assert.Error(t, valid("version: 1\ntargets:\n  - {name: x, type: smtp, url: \"smtp://mail.example.com\"}\n"))
	assert.Error(t, valid("version: 1\ntargets:\n  - {name: x, type: heartbeat, ping_token: abc}\n"), "a ping token is not in documents")
}

// indent puts n spaces before every line of a PEM block, for a YAML block scalar.
func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+pad) + "\n"
}

// everyType is a document with a target of each type and the settings each adds.
func everyType(certPEM string) string {
	return `version: 1
targets:
  - name: web
    url: https://web.example.com/
    cert_expiry_days: 30
    tls_skip_verify: true
    impersonate: chrome
  - name: redis
    type: tcp
    url: tcp://redis.example.com:6379
    conditions:
      - {type: latency, op: "<", value: "300"}
  - name: mqtts
    type: tls
    url: tls://mqtt.example.com:8883
    cert_expiry_days: 7
    tls_ca_pem: |
` + indent(certPEM, 6) + `    tls_client_cert_pem: |
` + indent(certPEM, 6) + `    tls_client_key_pem: ${WATCHDOG_TARGET_MQTTS_TLS_CLIENT_KEY_PEM}
    conditions:
      - {type: cert_days, op: ">", value: "2"}
  - name: mx
    type: dns
    url: dns://1.1.1.1:53/example.org?type=MX
    conditions:
      - {type: rcode, op: "==", value: NOERROR}
      - {type: answer, op: contains, value: mail.example.org}
  - name: gateway
    type: icmp
    url: icmp://gw.example.com
    conditions:
      - {type: packet_loss, op: "<", value: "50"}
  - name: backup
    type: heartbeat
    period_seconds: 86400
    grace_seconds: 1800
  - name: nightly
    type: heartbeat
    cron: "0 3 * * *"
    timezone: Europe/Berlin
    grace_seconds: 600
`
}

// TestNewFieldsErrors: the new fields are read and reported like the old ones.
func TestNewFieldsErrors(t *testing.T) {
	_, err := manifest.Parse(strings.NewReader(`version: 1
targets:
  - name: backup
    type: heartbeat
    perod_seconds: 60
    tls_skip_verify: maybe
    grace_seconds: soon
`))
	require.Error(t, err)
	var got []string
	for _, le := range manifest.List(err) {
		got = append(got, le.Error())
	}
	assert.Equal(t, []string{
		`line 5, column 5: targets[0].perod_seconds: unknown field "perod_seconds" (did you mean period_seconds?)`,
		`line 6, column 22: targets[0].tls_skip_verify: want true or false, got "maybe"`,
		`line 7, column 20: targets[0].grace_seconds: want a number, got "soon"`,
	}, got)

	s := storetest.SQLite(t)
	_, err = parse(t, "version: 1\ntargets:\n  - name: mqtts\n    type: tls\n    url: tls://mqtt.example.com:8883\n    tls_client_key_pem: ${WATCHDOG_TARGET_OTHER_TLS_CLIENT_KEY_PEM}\n").
		Apply(context.Background(), s, opts(map[string]string{"WATCHDOG_TARGET_OTHER_TLS_CLIENT_KEY_PEM": "x"}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "line 6, column 25: targets[0].tls_client_key_pem: may read only ${WATCHDOG_TARGET_MQTTS_TLS_CLIENT_KEY_PEM}")
}
