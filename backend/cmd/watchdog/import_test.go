package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

const importSlackURL = "https://hooks.slack.com/services/T0001/B0001/importsecretimportsecret"

const importGatusFixture = `
alerting:
  slack:
    webhook-url: "` + importSlackURL + `"
  pagerduty:
    integration-key: "0123456789abcdef0123456789abcdef"
  custom:
    url: "https://hooks.example.com/gatus"
    headers:
      X-Token: "webhook-token-123"
  email:
    to: "ops@example.com"
endpoints:
  - name: website
    url: "https://example.com/"
    interval: 30s
    conditions: ["[STATUS] == 200", "[RESPONSE_TIME] < 500"]
    alerts: [{type: slack}, {type: email}]
  - name: api
    group: core
    url: "https://api.example.com/health"
    headers:
      Authorization: "Bearer api-token-123"
    conditions: ["[STATUS] < 300", "[BODY].status == UP"]
    alerts: [{type: pagerduty}, {type: custom}]
  - name: internal
    url: "http://10.0.0.5:8080/health"
    conditions: ["[STATUS] == 200"]
  - name: syslog
    url: "udp://10.0.0.6:514"
    conditions: ["[CONNECTED] == true"]
`

const importKumaBackup = `{"version": "1.23.16",
  "notificationList": [{"id": 1, "name": "Team Slack", "config": "{\"type\":\"slack\",\"slackwebhookURL\":\"` + importSlackURL + `\"}", "isDefault": false}],
  "monitorList": [
    {"id": 1, "name": "Shop", "type": "keyword", "url": "https://shop.example.com/", "method": "GET", "interval": 60,
     "retryInterval": 60, "maxretries": 1, "timeout": 48, "active": true, "keyword": "Add to cart",
     "accepted_statuscodes": ["200-299"], "notificationIDList": {"1": true}},
    {"id": 2, "name": "Broker", "type": "mqtt", "hostname": "mqtt.example.com", "interval": 60, "active": true}
  ]}`

// writeSeedDB writes the original's SQLite database with a few target_url rows.
func writeSeedDB(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "local_test.db")
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer func() { require.NoError(t, db.Close()) }()
	for _, stmt := range []string{
		`CREATE TABLE target_url (id INTEGER NOT NULL, url VARCHAR(255) NOT NULL, interval_minutes INTEGER,
			is_active BOOLEAN, last_pinged_at DATETIME, PRIMARY KEY (id))`,
		`INSERT INTO target_url (url, interval_minutes, is_active) VALUES ('https://myapp.onrender.com', 14, 1)`,
		`INSERT INTO target_url (url, interval_minutes, is_active) VALUES ('https://blog.example.com/', 5, 0)`,
	} {
		_, err := db.Exec(stmt)
		require.NoError(t, err)
	}
	return path
}

// importLimits refuse one private address, as the server's outbound guard would.
var importLimits = target.Limits{MinIntervalSeconds: 30, CheckURL: func(u *url.URL) error {
	if strings.HasPrefix(u.Hostname(), "10.") {
		return errors.New("is a private address; set ALLOW_PRIVATE_TARGETS=true to monitor it")
	}
	return nil
}}

// Importing twice creates nothing new: the second run finds every object as the first
// left it. Secrets reach the database, not the printed report.
func TestImportTwiceChangesNothing(t *testing.T) {
	dir := t.TempDir()
	gatusFile := filepath.Join(dir, "config.yaml")
	require.NoError(t, os.WriteFile(gatusFile, []byte(importGatusFixture), 0o600))
	kumaFile := filepath.Join(dir, "backup.json")
	require.NoError(t, os.WriteFile(kumaFile, []byte(importKumaBackup), 0o600))
	seedFile := writeSeedDB(t, dir)

	tests := []struct {
		source, location string
		targets          []string
		channels         []string
		report           []string // lines the first run prints
	}{
		{source: "gatus", location: gatusFile,
			targets:  []string{"api", "website"},
			channels: []string{"gatus-custom", "gatus-pagerduty", "gatus-slack"},
			report: []string{
				`endpoint "syslog": not carried over: udp endpoint: WatchDog has no udp checks`,
				`channel "gatus-email": not applied: config.to: SMTP is not configured (set SMTP_HOST)`,
				`target "internal": not applied: url: is a private address; set ALLOW_PRIVATE_TARGETS=true to monitor it`,
				"target website: created",
			}},
		{source: "uptime-kuma", location: kumaFile,
			targets: []string{"Shop"}, channels: []string{"Team Slack"},
			report: []string{`monitor "Broker": not carried over: mqtt monitor: WatchDog has no mqtt checks`, "target Shop: created"}},
		{source: "seed", location: "sqlite:///" + seedFile,
			targets: []string{"blog.example.com", "myapp.onrender.com"},
			report:  []string{"target myapp.onrender.com: created", "target blog.example.com: created"}},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, st *store.Store) {
				ctx := context.Background()

				var dry bytes.Buffer
				require.NoError(t, runImport(ctx, st, importLimits, []string{tt.source, tt.location, "--dry-run"}, &dry, &bytes.Buffer{}))
				assert.Contains(t, dry.String(), "(dry run: nothing was changed)")
				all, err := st.AllTargets(ctx)
				require.NoError(t, err)
				assert.Empty(t, all, "a dry run creates nothing")

				var first bytes.Buffer
				require.NoError(t, runImport(ctx, st, importLimits, []string{tt.source, tt.location}, &first, &bytes.Buffer{}))
				for _, line := range tt.report {
					assert.Contains(t, first.String(), line+"\n")
				}
				assert.NotContains(t, first.String(), importSlackURL)

				all, err = st.AllTargets(ctx)
				require.NoError(t, err)
				var names []string
				for _, tg := range all {
					names = append(names, tg.Name)
				}
				assert.ElementsMatch(t, tt.targets, names)
				channels, err := st.ListChannels(ctx)
				require.NoError(t, err)
				names = nil
				for _, ch := range channels {
					names = append(names, ch.Name)
					if ch.Type == "slack" {
						assert.Contains(t, string(ch.Config), importSlackURL, "the database gets the real secret")
					}
				}
				assert.ElementsMatch(t, tt.channels, names)

				var second bytes.Buffer
				require.NoError(t, runImport(ctx, st, importLimits, []string{tt.source, tt.location}, &second, &bytes.Buffer{}))
				applied := applyLines(second.String())
				assert.Len(t, applied, len(tt.targets)+len(tt.channels))
				for _, line := range applied {
					assert.True(t, strings.HasSuffix(line, ": unchanged"), "second import: %s", line)
				}
			})
		})
	}
}

// applyLines picks apply's per-object lines ("target api: unchanged") from the output.
func applyLines(out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if (strings.HasPrefix(l, "target ") || strings.HasPrefix(l, "channel ")) && !strings.Contains(l, "not applied") {
			lines = append(lines, l)
		}
	}
	return lines
}

func TestImportArgs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.SQLite(t)
	for _, args := range [][]string{nil, {"gatus"}, {"gatus", "a", "b"}, {"nagios", "x"}, {"gatus", "x", "--prune"}} {
		err := runImport(ctx, st, importLimits, args, &bytes.Buffer{}, &bytes.Buffer{})
		assert.ErrorContains(t, err, "usage: watchdog import", "%v", args)
	}
	err := runImport(ctx, st, importLimits, []string{"gatus", filepath.Join(t.TempDir(), "missing.yaml")}, &bytes.Buffer{}, &bytes.Buffer{})
	assert.ErrorContains(t, err, "no such file")
}

// TestImportGatusOwnVariables: a secret Gatus read from its own variable lands in its
// field, through the variable export names, while a reference Gatus had in a URL is
// refused (a reference may fill only a secret field) without stopping the import.
func TestImportGatusOwnVariables(t *testing.T) {
	ctx := context.Background()
	st := storetest.SQLite(t)
	t.Setenv("TEST_GATUS_NTFY_TOKEN", "tk_gatusowntoken")
	t.Setenv("TEST_GATUS_HOST", "example.com")
	file := filepath.Join(t.TempDir(), "gatus.yaml")
	require.NoError(t, os.WriteFile(file, []byte(`
alerting:
  ntfy:
    topic: alerts
    token: "${TEST_GATUS_NTFY_TOKEN}"
endpoints:
  - name: website
    url: "https://example.com/"
    conditions: ["[STATUS] == 200"]
    alerts: [{type: ntfy}]
  - name: templated
    url: "https://${TEST_GATUS_HOST}/health"
    conditions: ["[STATUS] == 200"]
`), 0o600))
	var out bytes.Buffer
	require.NoError(t, runImport(ctx, st, importLimits, []string{"gatus", file}, &out, &bytes.Buffer{}))
	assert.Contains(t, out.String(), `target "templated": not applied: url: ${TEST_GATUS_HOST} cannot be read here`)
	channels, err := st.ListChannels(ctx)
	require.NoError(t, err)
	require.Len(t, channels, 1)
	assert.Contains(t, string(channels[0].Config), `"token":"tk_gatusowntoken"`)
	all, err := st.AllTargets(ctx)
	require.NoError(t, err)
	require.Len(t, all, 1)
	assert.Equal(t, "website", all[0].Name)
}
