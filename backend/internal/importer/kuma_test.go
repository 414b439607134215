package importer

import (
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/watchdog-monitor/watchdog/backend/internal/manifest"
)

// kumaSchema is Uptime Kuma 1.23's SQLite schema for the three tables the importer
// reads, built the way its migrations built it: the monitor table as its last
// re-creation left it, then the columns later patches added (only those the importer
// reads, and a few it ignores), then 2.0's json_path_operator. Names and types are
// Kuma's.
var kumaSchema = []string{
	`CREATE TABLE user (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, username VARCHAR(255) NOT NULL UNIQUE)`,
	`CREATE TABLE "monitor" (
		id INTEGER not null primary key autoincrement,
		name VARCHAR(150),
		active BOOLEAN default 1 not null,
		user_id INTEGER references user on update cascade on delete set null,
		interval INTEGER default 20 not null,
		url TEXT,
		type VARCHAR(20),
		weight INTEGER default 2000,
		hostname VARCHAR(255),
		port INTEGER,
		created_date DATETIME default (DATETIME('now')) not null,
		keyword VARCHAR(255),
		maxretries INTEGER NOT NULL DEFAULT 0,
		ignore_tls BOOLEAN default 0 not null,
		upside_down BOOLEAN default 0 not null,
		maxredirects INTEGER default 10 not null,
		accepted_statuscodes_json TEXT default '["200-299"]' not null)`,
	`ALTER TABLE monitor ADD dns_resolve_type VARCHAR(5)`,
	`ALTER TABLE monitor ADD dns_resolve_server VARCHAR(255)`,
	`ALTER TABLE monitor ADD retry_interval INTEGER default 0 not null`,
	`ALTER TABLE monitor ADD push_token VARCHAR(20) DEFAULT NULL`,
	`ALTER TABLE monitor ADD method TEXT default 'GET' not null`,
	`ALTER TABLE monitor ADD body TEXT default null`,
	`ALTER TABLE monitor ADD headers TEXT default null`,
	`ALTER TABLE monitor ADD basic_auth_user TEXT default null`,
	`ALTER TABLE monitor ADD basic_auth_pass TEXT default null`,
	`ALTER TABLE monitor ADD docker_container VARCHAR(255)`,
	`ALTER TABLE monitor ADD auth_method VARCHAR(250)`,
	`ALTER TABLE monitor ADD resend_interval INTEGER default 0 not null`,
	`ALTER TABLE monitor ADD description TEXT default null`,
	`ALTER TABLE monitor ADD parent INTEGER REFERENCES [monitor] ([id]) ON DELETE SET NULL ON UPDATE CASCADE`,
	`ALTER TABLE monitor ADD invert_keyword BOOLEAN default 0 not null`,
	`ALTER TABLE monitor ADD json_path TEXT`,
	`ALTER TABLE monitor ADD expected_value VARCHAR(255)`,
	`ALTER TABLE monitor ADD timeout DOUBLE default 0 not null`,
	`ALTER TABLE monitor ADD json_path_operator VARCHAR(255)`,
	`CREATE TABLE [notification](
		[id] INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
		[name] VARCHAR(255),
		[active] BOOLEAN NOT NULL DEFAULT 1,
		[user_id] INTEGER NOT NULL, is_default BOOLEAN default 0 NOT NULL, config TEXT)`,
	`CREATE TABLE [monitor_notification](
		[id] INTEGER PRIMARY KEY NOT NULL,
		[monitor_id] INTEGER NOT NULL REFERENCES [monitor]([id]) ON DELETE CASCADE ON UPDATE CASCADE,
		[notification_id] INTEGER NOT NULL REFERENCES [notification]([id]) ON DELETE CASCADE ON UPDATE CASCADE)`,
}

// Secrets of the Kuma fixtures.
const (
	kumaSlackURL   = "https://hooks.slack.com/services/T000/B000/SLACKSECRETSLACKSECRET"
	kumaDiscordURL = "https://discord.com/api/webhooks/123/DISCORDSECRETDISCORD"
	kumaPDKey      = "PDKEY123456789012345678901234567"
	kumaNtfyToken  = "tk_secret1234567890"
	kumaHookToken  = "hook-token-abc123456"
	kumaAPIKey     = "secret-key-1-abcdef"
	kumaSMTPPass   = "smtp-secret-pass"
)

var kumaNotifications = []struct {
	id        int
	name      string
	isDefault int
	config    string
}{
	{1, "Ops email", 0, `{"name":"Ops email","type":"smtp","isDefault":false,"smtpHost":"smtp.example.com","smtpPort":587,"smtpUsername":"alerts@example.com","smtpPassword":"` + kumaSMTPPass + `","smtpFrom":"Kuma <alerts@example.com>","smtpTo":"ops@example.com, oncall@example.com"}`},
	{2, "Team Slack", 1, `{"name":"Team Slack","type":"slack","isDefault":true,"slackwebhookURL":"` + kumaSlackURL + `","slackchannel":"#ops"}`},
	{3, "Discord", 0, `{"name":"Discord","type":"discord","discordWebhookUrl":"` + kumaDiscordURL + `","discordUsername":"Kuma"}`},
	{4, "n8n hook", 0, `{"name":"n8n hook","type":"webhook","webhookURL":"https://n8n.example.com/webhook/abc","webhookContentType":"json","webhookAdditionalHeaders":"{\"X-Token\": \"` + kumaHookToken + `\"}"}`},
	{5, "PagerDuty", 0, `{"name":"PagerDuty","type":"PagerDuty","pagerdutyIntegrationKey":"` + kumaPDKey + `","pagerdutyIntegrationUrl":"https://events.pagerduty.com/v2/enqueue","pagerdutyPriority":"warning"}`},
	{6, "Octopush", 0, `{"name":"Octopush","type":"octopush","octopushAPIKey":"OCTOKEY-123","octopushLogin":"ops@example.com"}`},
	{7, "Phone", 0, `{"name":"Phone","type":"ntfy","ntfyserverurl":"https://ntfy.sh","ntfytopic":"kuma-alerts","ntfyPriority":5,"ntfyAuthenticationMethod":"accessToken","ntfyaccesstoken":"` + kumaNtfyToken + `"}`},
	{8, "Telegram", 0, `{"name":"Telegram","type":"telegram","telegramBotToken":"123:abc","telegramChatID":"42"}`},
}

// kumaMonitors are inserted by column name; columns left out take Kuma's defaults.
var kumaMonitors = []map[string]any{
	{"id": 1, "name": "Backend", "type": "group", "interval": 60, "url": "https://"},
	{"id": 2, "name": "Website", "type": "http", "url": "https://example.com", "interval": 60, "retry_interval": 60, "timeout": 48},
	{"id": 3, "name": "API", "type": "keyword", "url": "https://api.example.com/health", "interval": 60, "retry_interval": 30,
		"maxretries": 2, "method": "POST", "body": `{"ping": true}`, "keyword": "ok", "parent": 1, "timeout": 48,
		"headers": `{"X-Api-Key": "` + kumaAPIKey + `", "Accept": "application/json"}`},
	{"id": 4, "name": "No errors", "type": "keyword", "url": "https://example.com/status", "interval": 20, "keyword": "error",
		"invert_keyword": 1, "parent": 1},
	{"id": 5, "name": "JSON health", "type": "json-query", "url": "https://api.example.com/v1/health", "interval": 60,
		"json_path": "status", "expected_value": "ok"},
	{"id": 6, "name": "Old domain", "type": "http", "url": "http://old.example.com", "interval": 60, "maxredirects": 0,
		"accepted_statuscodes_json": `["301"]`},
	{"id": 7, "name": "Admin", "type": "http", "url": "https://admin.example.com", "interval": 60, "auth_method": "basic",
		"basic_auth_user": "kuma", "basic_auth_pass": "pa55word"},
	{"id": 11, "name": "Old API", "type": "http", "url": "https://old-api.example.com", "interval": 60, "active": 0},
	{"id": 12, "name": "Item count", "type": "json-query", "url": "https://api.example.com/items", "interval": 300,
		"json_path": "$count(items)", "json_path_operator": ">", "expected_value": "0",
		"accepted_statuscodes_json": `["200-299", "304"]`},
	{"id": 13, "name": "Container", "type": "docker", "docker_container": "web", "interval": 60},
	{"id": 14, "name": "Inverted", "type": "http", "url": "https://down.example.com", "interval": 60, "upside_down": 1},
	{"id": 15, "name": "Website", "type": "http", "url": "https://www.example.com", "interval": 60, "ignore_tls": 1},
}

// kumaLinks are monitor_notification rows: monitor id, notification id.
var kumaLinks = [][2]int{{2, 2}, {2, 1}, {3, 2}, {3, 5}, {4, 2}, {5, 7}, {6, 6}, {11, 4}, {15, 8}}

// makeKumaDB writes a kuma.db into dir, in WAL mode as Kuma runs it.
func makeKumaDB(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "kuma.db")
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer func() { require.NoError(t, db.Close()) }()
	_, err = db.Exec(`PRAGMA journal_mode = WAL`)
	require.NoError(t, err)
	for _, stmt := range kumaSchema {
		_, err := db.Exec(stmt)
		require.NoError(t, err, stmt)
	}
	_, err = db.Exec(`INSERT INTO user (id, username) VALUES (1, 'admin')`)
	require.NoError(t, err)
	for _, n := range kumaNotifications {
		_, err := db.Exec(`INSERT INTO notification (id, name, user_id, is_default, config) VALUES (?, ?, 1, ?, ?)`,
			n.id, n.name, n.isDefault, n.config)
		require.NoError(t, err)
	}
	for _, m := range kumaMonitors {
		insertRow(t, db, "monitor", m)
	}
	for i, l := range kumaLinks {
		_, err := db.Exec(`INSERT INTO monitor_notification (id, monitor_id, notification_id) VALUES (?, ?, ?)`, i+1, l[0], l[1])
		require.NoError(t, err)
	}
	return path
}

func insertRow(t *testing.T, db *sql.DB, table string, row map[string]any) {
	t.Helper()
	cols := slices.Sorted(maps.Keys(row))
	args := make([]any, len(cols))
	marks := make([]string, len(cols))
	for i, c := range cols {
		args[i], marks[i] = row[c], "?"
	}
	q := `INSERT INTO "` + table + `" ("` + strings.Join(cols, `", "`) + `") VALUES (` + strings.Join(marks, ", ") + `)`
	_, err := db.Exec(q, args...)
	require.NoError(t, err, q)
}

// snapshot is what must not change about a source: its directory's files, their
// bytes and their modification times.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		info, err := e.Info()
		require.NoError(t, err)
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		out[e.Name()] = fmt.Sprintf("%s %x", info.ModTime().Format(time.RFC3339Nano), sha256.Sum256(raw))
	}
	return out
}

func kumaChannels() []manifest.Channel {
	return []manifest.Channel{
		{Name: "Ops email", Type: "email", Config: map[string]any{"to": []any{"ops@example.com", "oncall@example.com"}}},
		{Name: "Team Slack", Type: "slack", Config: map[string]any{"url": "${WATCHDOG_CHANNEL_TEAM_SLACK_URL}"}, IsDefault: true},
		{Name: "Discord", Type: "discord", Config: map[string]any{"url": "${WATCHDOG_CHANNEL_DISCORD_URL}"}},
		{Name: "n8n hook", Type: "webhook", Config: map[string]any{"url": "https://n8n.example.com/webhook/abc",
			"headers": map[string]any{"X-Token": "${WATCHDOG_CHANNEL_N8N_HOOK_HEADERS_X_TOKEN}"}}},
		{Name: "PagerDuty", Type: "pagerduty", Config: map[string]any{"routing_key": "${WATCHDOG_CHANNEL_PAGERDUTY_ROUTING_KEY}", "severity": "warning"}},
		{Name: "Phone", Type: "ntfy", Config: map[string]any{"url": "https://ntfy.sh", "topic": "kuma-alerts", "priority": 5,
			"token": "${WATCHDOG_CHANNEL_PHONE_TOKEN}"}},
	}
}

func TestUptimeKumaDatabase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := makeKumaDB(t, dir)
	before := snapshot(t, dir)
	require.Len(t, before, 1, "Kuma closed cleanly: no -wal file")

	res, err := UptimeKuma(path, KumaOptions{})
	require.NoError(t, err)
	assert.Equal(t, before, snapshot(t, dir), "the source is never written, nor a file created beside it")

	assert.Equal(t, kumaChannels(), res.Document.Channels)
	zero, two := ptr(0), ptr(2)
	assert.Equal(t, []manifest.Target{
		{Name: "Website", URL: "https://example.com", IntervalSeconds: new(60), TimeoutSeconds: new(48), ExpectedStatus: new("200-299"),
			Retries: zero, RetryDelaySeconds: new(60), FailureThreshold: new(1), SuccessThreshold: new(1),
			Channels: []string{"Team Slack", "Ops email"}},
		{Name: "API", URL: "https://api.example.com/health", Method: new("POST"), IntervalSeconds: new(60), TimeoutSeconds: new(48),
			ExpectedStatus: new("200-299"), Retries: two, RetryDelaySeconds: new(30), FailureThreshold: new(1), SuccessThreshold: new(1),
			Tags:       []string{"Backend"},
			Headers:    map[string]string{"Accept": "application/json", "X-Api-Key": "${WATCHDOG_TARGET_API_X_API_KEY}"},
			Conditions: []manifest.Condition{{Type: "body", Op: "contains", Value: "ok"}},
			Channels:   []string{"Team Slack", "PagerDuty"}},
		{Name: "No errors", URL: "https://example.com/status", IntervalSeconds: new(30), ExpectedStatus: new("200-299"),
			Retries: zero, FailureThreshold: new(1), SuccessThreshold: new(1), Tags: []string{"Backend"},
			Conditions: []manifest.Condition{{Type: "body", Op: "not_contains", Value: "error"}},
			Channels:   []string{"Team Slack"}},
		{Name: "JSON health", URL: "https://api.example.com/v1/health", IntervalSeconds: new(60), ExpectedStatus: new("200-299"),
			Retries: zero, FailureThreshold: new(1), SuccessThreshold: new(1),
			Conditions: []manifest.Condition{{Type: "json", Path: "$.status", Op: "==", Value: "ok"}},
			Channels:   []string{"Phone"}},
		{Name: "Old domain", URL: "http://old.example.com", IntervalSeconds: new(60), ExpectedStatus: new("301"),
			Retries: zero, FailureThreshold: new(1), SuccessThreshold: new(1)},
		{Name: "Admin", URL: "https://admin.example.com", IntervalSeconds: new(60), ExpectedStatus: new("200-299"),
			Retries: zero, FailureThreshold: new(1), SuccessThreshold: new(1),
			Headers: map[string]string{"Authorization": "${WATCHDOG_TARGET_ADMIN_AUTHORIZATION}"}},
		{Name: "Old API", URL: "https://old-api.example.com", IntervalSeconds: new(60), ExpectedStatus: new("200-299"),
			Retries: zero, FailureThreshold: new(1), SuccessThreshold: new(1), Paused: true, Channels: []string{"n8n hook"}},
		{Name: "Item count", URL: "https://api.example.com/items", IntervalSeconds: new(300), ExpectedStatus: new("200-299,304"),
			Retries: zero, FailureThreshold: new(1), SuccessThreshold: new(1)},
		{Name: "Website (2)", URL: "https://www.example.com", IntervalSeconds: new(60), ExpectedStatus: new("200-299"),
			Retries: zero, FailureThreshold: new(1), SuccessThreshold: new(1), TLSSkipVerify: ptr(true)},
	}, res.Document.Targets)

	assert.Equal(t, []string{
		`notification "Ops email": SMTP server settings: WatchDog sends mail with its own SMTP_* settings`,
		`notification "Octopush": WatchDog has no octopush channel`,
		`notification "Telegram": invalid telegram channel: bot_token: must be a bot token as @BotFather gives it (123456789:AAE…)`,
		`monitor "Backend": group monitor: WatchDog has no groups; its name is a tag on its 2 members`,
		`monitor "API": body: WatchDog sends no request body`,
		`monitor "Old domain": maxredirects 0: WatchDog follows redirects`,
		`monitor "Old domain": notification "Octopush": not carried over`,
		`monitor "Item count": json query $count(items) > "0": a JSONata expression; no equivalent`,
		`monitor "Container": docker monitor: WatchDog has no docker checks`,
		`monitor "Inverted": upside-down mode: WatchDog has no inverted checks`,
		`monitor "Website": notification "Telegram": not carried over`,
	}, res.NotCarried())
	assert.Equal(t, []string{
		`monitor "No errors": interval 20s raised to the minimum 30s`,
		`monitor "Admin": basic auth: sent as an Authorization header`,
		`monitor "Website": ignore TLS errors: the certificate is not verified (tls_skip_verify)`,
	}, res.Changes())

	assert.Equal(t, map[string]string{
		"WATCHDOG_CHANNEL_TEAM_SLACK_URL":           kumaSlackURL,
		"WATCHDOG_CHANNEL_DISCORD_URL":              kumaDiscordURL,
		"WATCHDOG_CHANNEL_N8N_HOOK_HEADERS_X_TOKEN": kumaHookToken,
		"WATCHDOG_CHANNEL_PAGERDUTY_ROUTING_KEY":    kumaPDKey,
		"WATCHDOG_CHANNEL_PHONE_TOKEN":              kumaNtfyToken,
		"WATCHDOG_TARGET_API_X_API_KEY":             kumaAPIKey,
		"WATCHDOG_TARGET_ADMIN_AUTHORIZATION":       "Basic a3VtYTpwYTU1d29yZA==",
	}, res.Env)
	assertNoSecrets(t, res, kumaSlackURL, kumaDiscordURL, kumaPDKey, kumaNtfyToken, kumaHookToken, kumaAPIKey,
		kumaSMTPPass, "a3VtYTpwYTU1d29yZA", "pa55word", "SLACKSECRET", "DISCORDSECRET")
}

func assertNoSecrets(t *testing.T, res Result, secrets ...string) {
	t.Helper()
	out, err := yaml.Marshal(res.Document)
	require.NoError(t, err)
	printed := string(out) + res.String()
	for _, s := range secrets {
		assert.NotContains(t, printed, s)
	}
}

// A running Kuma has its write-ahead log open: the import reads through it, so it sees
// the latest writes, and writes neither the database nor its log. (The -shm file is
// the shared-memory index every reader of a WAL database marks what it reads in; it
// holds no data.)
func TestUptimeKumaDatabaseInUse(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := makeKumaDB(t, dir)
	kuma, err := sql.Open("sqlite", path+"?_pragma=journal_mode(WAL)&_pragma=wal_autocheckpoint(0)")
	require.NoError(t, err)
	t.Cleanup(func() { _ = kuma.Close() })
	kuma.SetMaxOpenConns(1)
	insertRow(t, kuma, "monitor", map[string]any{"id": 16, "name": "Added while running", "type": "http",
		"url": "https://new.example.com", "interval": 60})
	before := snapshot(t, dir)
	require.Contains(t, before, "kuma.db-wal")

	res, err := UptimeKuma(path, KumaOptions{})
	require.NoError(t, err)
	after := snapshot(t, dir)
	delete(before, "kuma.db-shm")
	delete(after, "kuma.db-shm")
	assert.Equal(t, before, after)
	last := res.Document.Targets[len(res.Document.Targets)-1]
	assert.Equal(t, "Added while running", last.Name)
}

// kumaBackupFixture is a 1.x JSON backup as Settings → Backup → Export wrote it.
const kumaBackupFixture = `{
  "version": "1.23.16",
  "notificationList": [
    {"id": 1, "name": "Team Slack", "config": "{\"name\":\"Team Slack\",\"type\":\"slack\",\"isDefault\":false,\"slackwebhookURL\":\"` + kumaSlackURL + `\",\"applyExisting\":false}", "active": true, "user_id": 1, "is_default": false, "isDefault": false},
    {"id": 2, "name": "Signal", "config": "{\"name\":\"Signal\",\"type\":\"signal\",\"signalURL\":\"http://signal:8080/v2/send\",\"signalNumber\":\"+15550001\"}", "active": true, "user_id": 1, "is_default": true, "isDefault": false}
  ],
  "monitorList": [
    {"id": 1, "name": "Shop", "type": "http", "url": "https://shop.example.com/health", "method": "GET",
     "interval": 45, "retryInterval": 45, "maxretries": 1, "timeout": 36, "active": true, "keyword": null,
     "invertKeyword": false, "ignoreTls": false, "upsideDown": false, "maxredirects": 10,
     "accepted_statuscodes": ["200-299"], "notificationIDList": {"1": true, "2": true},
     "headers": "{\"Authorization\": \"Bearer shop-token-123456\"}", "body": null, "authMethod": null,
     "tags": [], "parent": null},
    {"id": 2, "name": "Status JSON", "type": "json-query", "url": "https://shop.example.com/status.json",
     "method": "GET", "interval": 60, "retryInterval": 60, "maxretries": 0, "timeout": 48, "active": false,
     "jsonPath": "data.items[0].state", "expectedValue": "ready", "accepted_statuscodes": ["200-299"],
     "notificationIDList": {"1": false}, "ignoreTls": false, "upsideDown": false, "maxredirects": 10},
    {"id": 3, "name": "Mail", "type": "smtp", "hostname": "mail.example.com", "port": 25, "interval": 60,
     "active": true, "accepted_statuscodes": ["200-299"], "notificationIDList": {}}
  ]
}`

func TestUptimeKumaBackup(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "Uptime_Kuma_Backup_2024_01_01.json")
	require.NoError(t, os.WriteFile(path, []byte(kumaBackupFixture), 0o600))
	before := snapshot(t, dir)

	res, err := UptimeKuma(path, KumaOptions{})
	require.NoError(t, err)
	assert.Equal(t, before, snapshot(t, dir))

	assert.Equal(t, []manifest.Channel{
		{Name: "Team Slack", Type: "slack", Config: map[string]any{"url": "${WATCHDOG_CHANNEL_TEAM_SLACK_URL}"}},
	}, res.Document.Channels)
	assert.Equal(t, []manifest.Target{
		{Name: "Shop", URL: "https://shop.example.com/health", IntervalSeconds: new(45), TimeoutSeconds: new(36),
			ExpectedStatus: new("200-299"), Retries: ptr(1), RetryDelaySeconds: new(45), FailureThreshold: new(1), SuccessThreshold: new(1),
			Headers:  map[string]string{"Authorization": "${WATCHDOG_TARGET_SHOP_AUTHORIZATION}"},
			Channels: []string{"Team Slack"}},
		{Name: "Status JSON", URL: "https://shop.example.com/status.json", IntervalSeconds: new(60), TimeoutSeconds: new(48),
			ExpectedStatus: new("200-299"), Retries: ptr(0), RetryDelaySeconds: new(60), FailureThreshold: new(1), SuccessThreshold: new(1),
			Paused:     true,
			Conditions: []manifest.Condition{{Type: "json", Path: "$.data.items[0].state", Op: "==", Value: "ready"}}},
	}, res.Document.Targets)
	assert.Equal(t, []string{
		`notification "Signal": WatchDog has no signal channel`,
		`monitor "Shop": notification "Signal": not carried over`,
		`monitor "Mail": smtp monitor: WatchDog has no smtp checks`,
	}, res.NotCarried())
	assert.Empty(t, res.Changes())
	assert.Equal(t, map[string]string{
		"WATCHDOG_CHANNEL_TEAM_SLACK_URL":    kumaSlackURL,
		"WATCHDOG_TARGET_SHOP_AUTHORIZATION": "Bearer shop-token-123456",
	}, res.Env)
	assertNoSecrets(t, res, kumaSlackURL, "shop-token-123456")
}

func TestUptimeKumaRefusesOtherFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, content := range map[string]string{
		"text.txt":   "hello",
		"empty.json": "{}",
		"empty":      "",
	} {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		_, err := UptimeKuma(p, KumaOptions{})
		assert.Error(t, err, name)
	}
	// A SQLite file that is not Kuma's.
	p := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite", p)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE foo (id INTEGER)`)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	_, err = UptimeKuma(p, KumaOptions{})
	assert.ErrorContains(t, err, "not an Uptime Kuma database: no monitor table")
	_, err = UptimeKuma(filepath.Join(dir, "missing.db"), KumaOptions{})
	assert.Error(t, err)
}

func TestKumaBackupWithByteOrderMark(t *testing.T) {
	path := filepath.Join(t.TempDir(), "backup.json")
	require.NoError(t, os.WriteFile(path, []byte("\ufeff"+`{"version":"1.23.0","notificationList":[],"monitorList":[{"id":1,"name":"site","type":"http","url":"https://example.com/","method":"GET","interval":60,"active":1}]}`), 0o600))
	res, err := UptimeKuma(path, KumaOptions{})
	require.NoError(t, err)
	require.Len(t, res.Document.Targets, 1)
	assert.Equal(t, "site", res.Document.Targets[0].Name)
}

func TestKumaSwitchedOffNotification(t *testing.T) {
	path := filepath.Join(t.TempDir(), "backup.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"version":"1.23.0",
 "notificationList":[
  {"id":1,"name":"on","active":1,"config":"{\"type\":\"webhook\",\"webhookURL\":\"https://hooks.example.com/on\"}"},
  {"id":2,"name":"off","active":0,"config":"{\"type\":\"webhook\",\"webhookURL\":\"https://hooks.example.com/off\"}"}],
 "monitorList":[{"id":1,"name":"site","type":"http","url":"https://example.com/","method":"GET","interval":60,"active":1}]}`), 0o600))
	res, err := UptimeKuma(path, KumaOptions{})
	require.NoError(t, err)
	require.Len(t, res.Document.Channels, 1)
	assert.Equal(t, "on", res.Document.Channels[0].Name)
	assert.Contains(t, res.Report.String(), `notification "off": not carried over: it is switched off in Uptime Kuma`)
}

// Uptime Kuma's Matrix, Mattermost, Rocket.Chat, Google Chat and Gotify notifications
// become channels of the same types, their secrets ${ENV} references.
func TestKumaChatNotifications(t *testing.T) {
	t.Parallel()
	const (
		matrixToken  = "syt_kuma_matrix_secret_0123"
		mmHook       = "https://chat.example.com/hooks/kumammsecret0123"
		rcHook       = "https://rc.example.com/hooks/rcid0123/kumarcsecret0123"
		gchatHook    = "https://chat.googleapis.com/v1/spaces/AAAA/messages?key=k&token=kumagchatsecret0123"
		gotifyToken  = "AkumaGotifySecret"
		gotifyToken2 = "AkumaGotifyOther"
	)
	notifications := []map[string]any{
		{"type": "matrix", "homeserverUrl": "https://matrix.example.org/", "accessToken": matrixToken,
			"internalRoomId": "!ops:example.org", "matrixUseTemplate": true},
		{"type": "mattermost", "mattermostWebhookUrl": mmHook, "mattermostusername": "Kuma", "mattermostchannel": "Ops-Alerts",
			"mattermosticonurl": "https://example.com/kuma.png", "mattermosticonemo": ":white_check_mark: :x:"},
		{"type": "rocket.chat", "rocketwebhookURL": rcHook, "rocketchannel": "#ops", "rocketusername": "Kuma",
			"rocketiconemo": ":dog:", "rocketbutton": "https://kuma.example.com"},
		{"type": "GoogleChat", "googleChatWebhookURL": gchatHook, "googleChatUseTemplate": true,
			"googleChatTemplate": "{{ monitorJSON.name }} is {{ status }}"},
		{"type": "gotify", "gotifyserverurl": "https://gotify.example.com/", "gotifyapplicationToken": gotifyToken, "gotifyPriority": 5},
		{"type": "gotify", "gotifyserverurl": "https://gotify.example.com", "gotifyapplicationToken": gotifyToken2},
	}
	names := []string{"Matrix", "Mattermost", "Rocket", "GChat", "Gotify", "Gotify quiet"}
	var list []map[string]any
	linked := map[string]bool{}
	for i, n := range notifications {
		n["name"] = names[i]
		cfg, err := json.Marshal(n)
		require.NoError(t, err)
		list = append(list, map[string]any{"id": i + 1, "name": names[i], "active": true, "config": string(cfg)})
		linked[strconv.Itoa(i+1)] = true
	}
	backup, err := json.Marshal(map[string]any{"version": "1.23.16", "notificationList": list,
		"monitorList": []map[string]any{{"id": 1, "name": "site", "type": "http", "url": "https://example.com/", "method": "GET",
			"interval": 60, "active": true, "notificationIDList": linked}}})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "backup.json")
	require.NoError(t, os.WriteFile(path, backup, 0o600))

	res, err := UptimeKuma(path, KumaOptions{})
	require.NoError(t, err)
	assert.Equal(t, []manifest.Channel{
		{Name: "Matrix", Type: "matrix", Config: map[string]any{"homeserver_url": "https://matrix.example.org",
			"access_token": "${WATCHDOG_CHANNEL_MATRIX_ACCESS_TOKEN}", "room_id": "!ops:example.org"}},
		{Name: "Mattermost", Type: "mattermost", Config: map[string]any{"url": "${WATCHDOG_CHANNEL_MATTERMOST_URL}",
			"channel": "ops-alerts", "username": "Kuma", "icon_url": "https://example.com/kuma.png"}},
		{Name: "Rocket", Type: "rocketchat", Config: map[string]any{"url": "${WATCHDOG_CHANNEL_ROCKET_URL}", "channel": "#ops", "username": "Kuma"}},
		{Name: "GChat", Type: "googlechat", Config: map[string]any{"url": "${WATCHDOG_CHANNEL_GCHAT_URL}"}},
		{Name: "Gotify", Type: "gotify", Config: map[string]any{"server_url": "https://gotify.example.com",
			"token": "${WATCHDOG_CHANNEL_GOTIFY_TOKEN}", "priority": 5}},
		{Name: "Gotify quiet", Type: "gotify", Config: map[string]any{"server_url": "https://gotify.example.com",
			"token": "${WATCHDOG_CHANNEL_GOTIFY_QUIET_TOKEN}"}},
	}, res.Document.Channels)
	require.Len(t, res.Document.Targets, 1)
	assert.Equal(t, names, res.Document.Targets[0].Channels)
	assert.Equal(t, []string{
		`notification "Matrix": message template: WatchDog sends its own wording`,
		`notification "Mattermost": icon emoji: WatchDog's mattermost channel takes an icon URL`,
		`notification "Rocket": icon emoji: no equivalent`,
		`notification "Rocket": button link: messages link the target's dashboard page when PUBLIC_URL is set`,
		`notification "GChat": message template: WatchDog sends its own wording`,
	}, res.NotCarried())
	assert.Equal(t, map[string]string{
		"WATCHDOG_CHANNEL_MATRIX_ACCESS_TOKEN": matrixToken,
		"WATCHDOG_CHANNEL_MATTERMOST_URL":      mmHook,
		"WATCHDOG_CHANNEL_ROCKET_URL":          rcHook,
		"WATCHDOG_CHANNEL_GCHAT_URL":           gchatHook,
		"WATCHDOG_CHANNEL_GOTIFY_TOKEN":        gotifyToken,
		"WATCHDOG_CHANNEL_GOTIFY_QUIET_TOKEN":  gotifyToken2,
	}, res.Env)
	assertNoSecrets(t, res, matrixToken, "kumammsecret", "kumarcsecret", "kumagchatsecret", gotifyToken, gotifyToken2)
}

// Secrets of the Kuma fixture of the paging and SMS providers.
const (
	kumaOpsgenieKey  = "0e3f5a1b-9c2d-4e8f-a7b6-1d2c3e4f5a6b"
	kumaPushoverUser = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"
	kumaPushoverApp  = "azGDORePK8gMaC0QOYAMyEEuzJnyUi"
	kumaTwilioToken  = "fedcba9876543210fedcba9876543210"
)

// Opsgenie, Pushover and Twilio notifications become channels of those types, their
// keys ${ENV} references; what WatchDog does differently is reported.
func TestKumaPagingAndSMSNotifications(t *testing.T) {
	t.Parallel()
	notification := func(id int, name string, config map[string]any) map[string]any {
		config["name"] = name
		raw, err := json.Marshal(config)
		require.NoError(t, err)
		return map[string]any{"id": id, "name": name, "active": true, "is_default": false, "config": string(raw)}
	}
	backup := map[string]any{
		"version": "1.23.16",
		"notificationList": []any{
			notification(1, "Opsgenie EU", map[string]any{"type": "Opsgenie", "opsgenieApiKey": kumaOpsgenieKey,
				"opsgenieRegion": "eu", "opsgeniePriority": 2}),
			notification(2, "Pushover", map[string]any{"type": "pushover", "pushoveruserkey": kumaPushoverUser,
				"pushoverapptoken": kumaPushoverApp, "pushoverpriority": "2", "pushoversounds": "siren",
				"pushoversounds_up": "magic", "pushoverdevice": "iphone", "pushovertitle": "Kuma", "pushoverttl": "3600"}),
			notification(3, "SMS", map[string]any{"type": "twilio", "twilioAccountSID": "AC0123456789abcdef0123456789abcdef",
				"twilioAuthToken": kumaTwilioToken, "twilioFromNumber": "+15557654321", "twilioToNumber": "+4915112345678"}),
			notification(4, "SMS by API key", map[string]any{"type": "twilio", "twilioAccountSID": "AC0123456789abcdef0123456789abcdef",
				"twilioApiKey": "SK0123456789abcdef0123456789abcdef", "twilioAuthToken": "api-key-secret-value",
				"twilioFromNumber": "+15557654321", "twilioToNumber": "+4915112345678"}),
			notification(5, "Pushover US", map[string]any{"type": "pushover", "pushoveruserkey": kumaPushoverUser,
				"pushoverapptoken": kumaPushoverApp}),
			notification(6, "SMS by service", map[string]any{"type": "twilio", "twilioAccountSID": "AC0123456789abcdef0123456789abcdef",
				"twilioAuthToken": kumaTwilioToken, "twilioMessagingServiceSID": "MG0123456789abcdef0123456789abcdef",
				"twilioToNumber": "+4915112345678"}),
			notification(7, "SMS by number and service", map[string]any{"type": "twilio", "twilioAccountSID": "AC0123456789abcdef0123456789abcdef",
				"twilioAuthToken": kumaTwilioToken, "twilioFromNumber": "+15557654321",
				"twilioMessagingServiceSID": "MG0123456789abcdef0123456789abcdef", "twilioToNumber": "+4915112345678"}),
		},
		"monitorList": []any{map[string]any{"id": 1, "name": "Shop", "type": "http", "url": "https://shop.example.com/",
			"method": "GET", "interval": 60, "active": true, "accepted_statuscodes": []string{"200-299"},
			"notificationIDList": map[string]bool{"1": true, "2": true, "3": true, "4": true}}},
	}
	raw, err := json.Marshal(backup)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "backup.json")
	require.NoError(t, os.WriteFile(path, raw, 0o600))

	res, err := UptimeKuma(path, KumaOptions{})
	require.NoError(t, err)
	assert.Equal(t, []manifest.Channel{
		{Name: "Opsgenie EU", Type: "opsgenie", Config: map[string]any{"api_key": "${WATCHDOG_CHANNEL_OPSGENIE_EU_API_KEY}",
			"region": "eu", "priority": "P2"}},
		{Name: "Pushover", Type: "pushover", Config: map[string]any{"user_key": "${WATCHDOG_CHANNEL_PUSHOVER_USER_KEY}",
			"app_token": "${WATCHDOG_CHANNEL_PUSHOVER_APP_TOKEN}", "priority": 1, "sound": "siren", "device": "iphone"}},
		{Name: "SMS", Type: "twilio", Config: map[string]any{"account_sid": "AC0123456789abcdef0123456789abcdef",
			"auth_token": "${WATCHDOG_CHANNEL_SMS_AUTH_TOKEN}", "from": "+15557654321", "to": "+4915112345678"}},
		{Name: "Pushover US", Type: "pushover", Config: map[string]any{"user_key": "${WATCHDOG_CHANNEL_PUSHOVER_US_USER_KEY}",
			"app_token": "${WATCHDOG_CHANNEL_PUSHOVER_US_APP_TOKEN}"}},
		{Name: "SMS by service", Type: "twilio", Config: map[string]any{"account_sid": "AC0123456789abcdef0123456789abcdef",
			"auth_token": "${WATCHDOG_CHANNEL_SMS_BY_SERVICE_AUTH_TOKEN}", "from": "MG0123456789abcdef0123456789abcdef", "to": "+4915112345678"}},
		{Name: "SMS by number and service", Type: "twilio", Config: map[string]any{"account_sid": "AC0123456789abcdef0123456789abcdef",
			"auth_token": "${WATCHDOG_CHANNEL_SMS_BY_NUMBER_AND_SERVICE_AUTH_TOKEN}", "from": "+15557654321", "to": "+4915112345678"}},
	}, res.Document.Channels)
	require.Len(t, res.Document.Targets, 1)
	assert.Equal(t, []string{"Opsgenie EU", "Pushover", "SMS"}, res.Document.Targets[0].Channels)
	assert.Equal(t, []string{
		`notification "Pushover": up sound: WatchDog plays one sound for every message`,
		`notification "Pushover": title: WatchDog titles each message with its event`,
		`notification "Pushover": time to live: WatchDog's messages do not expire`,
		`notification "SMS by API key": it signs in with an API key; WatchDog's twilio channel takes the account's auth token`,
		`notification "SMS by number and service": messaging service MG0123456789abcdef0123456789abcdef: WatchDog sends from the From number alone`,
		`monitor "Shop": notification "SMS by API key": not carried over`,
	}, res.NotCarried())
	assert.Equal(t, []string{
		`notification "Opsgenie EU": alert alias: WatchDog's incident key instead of the monitor's name, so an alert Uptime Kuma left open is not closed by WatchDog`,
		`notification "Pushover": emergency priority 2: sent as high (1); WatchDog asks for no acknowledgement`,
	}, res.Changes())
	assert.Equal(t, map[string]string{
		"WATCHDOG_CHANNEL_OPSGENIE_EU_API_KEY":                  kumaOpsgenieKey,
		"WATCHDOG_CHANNEL_PUSHOVER_USER_KEY":                    kumaPushoverUser,
		"WATCHDOG_CHANNEL_PUSHOVER_APP_TOKEN":                   kumaPushoverApp,
		"WATCHDOG_CHANNEL_SMS_AUTH_TOKEN":                       kumaTwilioToken,
		"WATCHDOG_CHANNEL_PUSHOVER_US_USER_KEY":                 kumaPushoverUser,
		"WATCHDOG_CHANNEL_PUSHOVER_US_APP_TOKEN":                kumaPushoverApp,
		"WATCHDOG_CHANNEL_SMS_BY_SERVICE_AUTH_TOKEN":            kumaTwilioToken,
		"WATCHDOG_CHANNEL_SMS_BY_NUMBER_AND_SERVICE_AUTH_TOKEN": kumaTwilioToken,
	}, res.Env)
	assertNoSecrets(t, res, kumaOpsgenieKey, kumaPushoverUser, kumaPushoverApp, kumaTwilioToken, "api-key-secret-value")
}
