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
