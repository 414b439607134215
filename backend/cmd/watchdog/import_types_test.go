package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// TestImportCheckTypes: tcp, dns and heartbeat targets come over from Uptime Kuma,
// the heartbeats' ping URLs are printed (a kept push token in its own), and a second
// import changes nothing.
func TestImportCheckTypes(t *testing.T) {
	const longToken = "Q7fJ2kLmN8pR4sT6vW9xZ1bC3dE5gH0a"
	path := filepath.Join(t.TempDir(), "backup.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"version": "1.23.16", "notificationList": [], "monitorList": [
  {"id": 1, "name": "Database", "type": "port", "hostname": "db.example.com", "port": 5432, "interval": 60, "active": true},
  {"id": 2, "name": "MX", "type": "dns", "hostname": "example.org", "dns_resolve_server": "1.1.1.1", "port": 53, "dns_resolve_type": "MX", "interval": 300, "active": true},
  {"id": 3, "name": "Nightly backup", "type": "push", "pushToken": "`+longToken+`", "interval": 86400, "active": true},
  {"id": 4, "name": "Old cron", "type": "push", "pushToken": "Ab12Cd34Ef", "interval": 3600, "active": true}
]}`), 0o600))
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		var first bytes.Buffer
		require.NoError(t, runImport(ctx, st, importLimits, []string{"uptime-kuma", path, "--keep-push-tokens"}, &first, &bytes.Buffer{}))
		out := first.String()
		assert.Contains(t, out, "heartbeats: point each job at its ping URL")
		assert.Contains(t, out, "  Nightly backup: /api/v1/ping/"+longToken+"\n")
		all, err := st.AllTargets(ctx)
		require.NoError(t, err)
		types := map[string]target.Type{}
		for _, tg := range all {
			types[tg.Name] = tg.Type
			if tg.Name == "Old cron" {
				assert.NotEqual(t, "Ab12Cd34Ef", tg.PingToken, "a short push token is not kept")
				assert.Contains(t, out, "  Old cron: /api/v1/ping/"+tg.PingToken+"\n")
			}
		}
		assert.Equal(t, map[string]target.Type{"Database": target.TypeTCP, "MX": target.TypeDNS,
			"Nightly backup": target.TypeHeartbeat, "Old cron": target.TypeHeartbeat}, types)

		var second bytes.Buffer
		require.NoError(t, runImport(ctx, st, importLimits, []string{"uptime-kuma", path, "--keep-push-tokens"}, &second, &bytes.Buffer{}))
		applied := applyLines(second.String())
		assert.Len(t, applied, 4)
		for _, line := range applied {
			assert.True(t, strings.HasSuffix(line, ": unchanged"), "second import: %s", line)
		}
		assert.NotContains(t, second.String(), "heartbeats:", "no heartbeat was created")
	})
}

// TestImportGatusCheckTypes: Gatus's tcp, tls, icmp and dns endpoints, with their
// conditions, come over once; a second import finds them as the first left them.
func TestImportGatusCheckTypes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(path, []byte(`
endpoints:
  - name: redis
    url: "tcp://redis.example.com:6379"
    conditions: ["[CONNECTED] == true", "[RESPONSE_TIME] < 300"]
  - name: mqtts
    url: "tls://mqtt.example.com:8883"
    client: {insecure: true}
    conditions: ["[CERTIFICATE_EXPIRATION] > 48h"]
  - name: gateway
    url: "icmp://gw.example.com"
  - name: dns
    url: "8.8.8.8"
    dns: {query-name: example.org, query-type: A}
    conditions: ["[DNS_RCODE] == NOERROR", "[BODY] == pat(93.184.*)"]
`), 0o600))
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		var first bytes.Buffer
		require.NoError(t, runImport(ctx, st, importLimits, []string{"gatus", path}, &first, &bytes.Buffer{}))
		assert.Equal(t, 4, strings.Count(first.String(), ": created"), first.String())
		all, err := st.AllTargets(ctx)
		require.NoError(t, err)
		byName := map[string]target.Target{}
		for _, tg := range all {
			byName[tg.Name] = tg
		}
		assert.Equal(t, "dns://8.8.8.8:53/example.org?type=A", byName["dns"].URL)
		assert.Len(t, byName["dns"].Conditions, 2)
		assert.True(t, byName["mqtts"].TLSSkipVerify)

		var second bytes.Buffer
		require.NoError(t, runImport(ctx, st, importLimits, []string{"gatus", path}, &second, &bytes.Buffer{}))
		applied := applyLines(second.String())
		assert.Len(t, applied, 4)
		for _, line := range applied {
			assert.True(t, strings.HasSuffix(line, ": unchanged"), "second import: %s", line)
		}
	})
}
