package importer

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/watchdog-monitor/watchdog/backend/internal/manifest"
)

// Secrets of the Gatus fixture, which must never appear in the document.
const (
	gatusSlackURL   = "https://hooks.slack.com/services/T0001/B0001/abcdefghijklmnopqrstuvwx"
	gatusDiscordURL = "https://discord.com/api/webhooks/123456789/abcdefABCDEF-secret"
	gatusBotToken   = "123456789:AAEabcdefghijklmnopqrstuvwxyz012345"
	gatusRoutingKey = "0123456789abcdef0123456789abcdef"
	gatusBearer     = "Bearer s3cr3t-webhook-token"
	gatusAPIKey     = "k-1234567890abcdef"
	gatusBirdKey    = "messagebird-access-key"
)

// gatusFixture has a dozen endpoint shapes and six alerting providers, one of a type
// WatchDog lacks.
const gatusFixture = `
storage:
  type: sqlite
  path: /data/data.db
alerting:
  slack:
    webhook-url: "` + gatusSlackURL + `"
    default-alert:
      failure-threshold: 4
  discord:
    webhook-url: "` + gatusDiscordURL + `"
  telegram:
    token: "` + gatusBotToken + `"
    id: "-1001234567890"
  custom:
    url: "https://hooks.example.com/gatus"
    method: "POST"
    body: '{"text": "[ALERT_DESCRIPTION]"}'
    headers:
      Authorization: "` + gatusBearer + `"
  pagerduty:
    integration-key: "` + gatusRoutingKey + `"
  messagebird:
    access-key: "` + gatusBirdKey + `"
    originator: "31619191918"
    recipients: "31619191919"
  ntfy:
    topic: "gatus-alerts"
    token: "${NTFY_TOKEN}"
    priority: 4

endpoints:
  - name: website
    url: "https://example.com/"
    conditions:
      - "[STATUS] == 200"

  - name: api
    group: core
    url: "https://api.example.com/health"
    interval: 2m
    headers:
      Accept: application/json
      X-Api-Key: "` + gatusAPIKey + `"
    conditions:
      - "[STATUS] < 300"
      - "[RESPONSE_TIME] < 300"
      - "[BODY].status == UP"
      - "[BODY].checks[0].ok == true"
    alerts:
      - type: slack
      - type: pagerduty
        failure-threshold: 2
        success-threshold: 3

  - name: login
    group: core
    url: "https://api.example.com/login"
    method: POST
    body: '{"user": "probe"}'
    conditions:
      - "[STATUS] == any(200, 201)"
      - "[BODY] == pat(*token*)"
    alerts:
      - type: custom

  - name: search
    url: "https://search.example.com/q?term=x"
    interval: 5m
    client:
      timeout: 20s
    conditions:
      - "[STATUS] >= 200"
      - "[STATUS] <= 299"
      - "[BODY].version == pat(2.*)"
      - "has([BODY].results) == true"
      - "len([BODY].results) > 0"
    alerts:
      - type: discord
      - type: messagebird
      - type: ntfy

  - name: website
    group: staging
    url: "https://staging.example.com/"
    conditions: ["[STATUS] == 200", "[CONNECTED] == true"]
    alerts:
      - type: telegram
      - type: slack
        enabled: false

  - name: legacy
    enabled: false
    url: "https://legacy.example.com/"
    conditions: ["[STATUS] == 200"]

  - name: fast
    url: "https://fast.example.com/ping"
    interval: 10s
    conditions: ["[STATUS] == 200", "[RESPONSE_TIME] <= 150"]

  - name: ssh-box
    url: "ssh://example.org:22"
    ssh:
      username: probe
      password: hunter2
    conditions: ["[CONNECTED] == true"]

  - name: no-status
    url: "https://self-signed.example.com/"
    client:
      insecure: true
    conditions:
      - "[RESPONSE_TIME] < 1000"
      - "[BODY] != pat(*maintenance*)"

external-endpoints:
  - name: backup-job
    group: jobs
    token: "push-token"
`

func TestGatus(t *testing.T) {
	t.Parallel()
	res, err := Gatus(strings.NewReader(gatusFixture))
	require.NoError(t, err)

	assert.Equal(t, []manifest.Channel{
		{Name: "gatus-slack", Type: "slack", Config: map[string]any{"url": "${WATCHDOG_CHANNEL_GATUS_SLACK_URL}"}},
		{Name: "gatus-discord", Type: "discord", Config: map[string]any{"url": "${WATCHDOG_CHANNEL_GATUS_DISCORD_URL}"}},
		{Name: "gatus-telegram", Type: "telegram", Config: map[string]any{
			"bot_token": "${WATCHDOG_CHANNEL_GATUS_TELEGRAM_BOT_TOKEN}", "chat_id": "-1001234567890"}},
		{Name: "gatus-custom", Type: "webhook", Config: map[string]any{
			"url":     "https://hooks.example.com/gatus",
			"headers": map[string]any{"Authorization": "${WATCHDOG_CHANNEL_GATUS_CUSTOM_HEADERS_AUTHORIZATION}"}}},
		{Name: "gatus-pagerduty", Type: "pagerduty", Config: map[string]any{"routing_key": "${WATCHDOG_CHANNEL_GATUS_PAGERDUTY_ROUTING_KEY}"}},
		{Name: "gatus-ntfy", Type: "ntfy", Config: map[string]any{"topic": "gatus-alerts", "token": "${WATCHDOG_CHANNEL_GATUS_NTFY_TOKEN}", "priority": 4}},
	}, res.Document.Channels)
	// Gatus read the token from its own variable: the document names the variable
	// export would (apply reads a reference only into its own field), and the
	// caller fills it from the source's.
	assert.Equal(t, map[string]string{"WATCHDOG_CHANNEL_GATUS_NTFY_TOKEN": "${NTFY_TOKEN}"}, res.FromEnv)
	assert.NotContains(t, res.Env, "WATCHDOG_CHANNEL_GATUS_NTFY_TOKEN")

	zero := ptr(0)
	assert.Equal(t, []manifest.Target{
		{Name: "website", URL: "https://example.com/", IntervalSeconds: new(60), ExpectedStatus: new("200"), Retries: zero},
		{Name: "api", URL: "https://api.example.com/health", IntervalSeconds: new(120), ExpectedStatus: new("100-299"),
			Retries: zero, Tags: []string{"core"},
			Headers: map[string]string{"Accept": "application/json", "X-Api-Key": "${WATCHDOG_TARGET_API_X_API_KEY}"},
			Conditions: []manifest.Condition{
				{Type: "latency", Op: "<", Value: "300"},
				{Type: "json", Path: "$.status", Op: "==", Value: "UP"},
				{Type: "json", Path: "$.checks[0].ok", Op: "==", Value: "true"},
			},
			Channels: []string{"gatus-slack", "gatus-pagerduty"}, FailureThreshold: new(2), SuccessThreshold: new(3)},
		{Name: "login", URL: "https://api.example.com/login", Method: new("POST"), IntervalSeconds: new(60),
			ExpectedStatus: new("200-201"), Retries: zero, Tags: []string{"core"},
			Conditions: []manifest.Condition{{Type: "body", Op: "contains", Value: "token"}},
			Channels:   []string{"gatus-custom"}},
		{Name: "search", URL: "https://search.example.com/q?term=x", IntervalSeconds: new(300), TimeoutSeconds: new(20),
			ExpectedStatus: new("200-299"), Retries: zero,
			Conditions: []manifest.Condition{
				{Type: "json", Path: "$.version", Op: "matches", Value: `(?s)^2\..*$`},
				{Type: "json", Path: "$.results", Op: "exists"},
			},
			Channels: []string{"gatus-discord", "gatus-ntfy"}},
		{Name: "website (2)", URL: "https://staging.example.com/", IntervalSeconds: new(60), ExpectedStatus: new("200"),
			Retries: zero, Tags: []string{"staging"}, Channels: []string{"gatus-telegram"}},
		{Name: "legacy", URL: "https://legacy.example.com/", IntervalSeconds: new(60), ExpectedStatus: new("200"),
			Retries: zero, Paused: true},
		{Name: "fast", URL: "https://fast.example.com/ping", IntervalSeconds: new(30), ExpectedStatus: new("200"), Retries: zero,
			Conditions: []manifest.Condition{{Type: "latency", Op: "<=", Value: "150"}}},
		{Name: "no-status", URL: "https://self-signed.example.com/", IntervalSeconds: new(60), ExpectedStatus: new("100-599"),
			Retries: zero, TLSSkipVerify: ptr(true), Conditions: []manifest.Condition{
				{Type: "latency", Op: "<", Value: "1000"},
				{Type: "body", Op: "not_contains", Value: "maintenance"},
			}},
		{Name: "backup-job", Type: "heartbeat", Tags: []string{"jobs"}},
	}, res.Document.Targets)

	assert.Equal(t, []string{
		`alerting provider custom: body template: WatchDog posts its own JSON payload`,
		`alerting provider messagebird: WatchDog has no messagebird channel`,
		`endpoint "core/login": body: WatchDog sends no request body`,
		`endpoint "search": condition len([BODY].results) > 0: no equivalent`,
		`endpoint "search": alert messagebird: its alerting provider was not carried over`,
		`endpoint "staging/website": alert slack: disabled in Gatus`,
		`endpoint "ssh-box": ssh endpoint: WatchDog has no ssh checks`,
	}, res.NotCarried())
	assert.Equal(t, []string{
		`endpoint "core/api": alerts with failure thresholds 2, 4: the smallest, 2, used`,
		`endpoint "staging/website": condition [CONNECTED] == true: implied by any HTTP answer`,
		`endpoint "fast": interval 10s raised to the minimum 30s`,
		`endpoint "no-status": client.insecure: the certificate is not verified (tls_skip_verify)`,
		`endpoint "no-status": no [STATUS] condition: every status code counts as up, as in Gatus`,
		`external endpoint "jobs/backup-job": no heartbeat interval (Gatus expected pushes at no set time): a ping expected every 86400s, WatchDog's default; set period_seconds to the job's schedule`,
		`external endpoint "jobs/backup-job": token: Gatus's bearer token is not kept: new ping URL issued; point the job at it (watchdog import prints it, the target's page shows it; /fail where it pushed success=false)`,
	}, res.Changes())

	// The secrets travel beside the document, never in it.
	assert.Equal(t, map[string]string{
		"WATCHDOG_CHANNEL_GATUS_SLACK_URL":                    gatusSlackURL,
		"WATCHDOG_CHANNEL_GATUS_DISCORD_URL":                  gatusDiscordURL,
		"WATCHDOG_CHANNEL_GATUS_TELEGRAM_BOT_TOKEN":           gatusBotToken,
		"WATCHDOG_CHANNEL_GATUS_CUSTOM_HEADERS_AUTHORIZATION": gatusBearer,
		"WATCHDOG_CHANNEL_GATUS_PAGERDUTY_ROUTING_KEY":        gatusRoutingKey,
		"WATCHDOG_TARGET_API_X_API_KEY":                       gatusAPIKey,
	}, res.Env)
	out, err := yaml.Marshal(res.Document)
	require.NoError(t, err)
	printed := string(out) + res.String()
	for _, secret := range []string{gatusSlackURL, gatusDiscordURL, gatusBotToken, gatusRoutingKey, gatusBearer,
		gatusAPIKey, gatusBirdKey, "abcdefghijklmnop", "s3cr3t"} {
		assert.NotContains(t, printed, secret)
	}
	assert.Contains(t, res.String(), "WATCHDOG_CHANNEL_GATUS_SLACK_URL  from alerting.slack.webhook-url (https://hooks.slack.com/…)")
	assert.Contains(t, res.String(), "WATCHDOG_CHANNEL_GATUS_NTFY_TOKEN  from alerting.ntfy.token (read from ${NTFY_TOKEN}: set it before applying)")
	assert.Contains(t, res.String(), "gatus: 15 carried over, 2 not carried over")
}

func TestGatusConditions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		conditions []string
		status     string
		want       []manifest.Condition
		dropped    []string
	}{
		{name: "status ranges intersect", conditions: []string{"[STATUS] > 199", "[STATUS] < 400", "[STATUS] != 304"},
			status: "200-303,305-399"},
		{name: "placeholder on the right", conditions: []string{"300 > [STATUS]", "200 <= [STATUS]"}, status: "200-299"},
		{name: "status that nothing meets", conditions: []string{"[STATUS] == 200", "[STATUS] == 500"}, status: "",
			dropped: []string{"[STATUS] conditions: together they accept no status code; the default 200-399 used"}},
		{name: "whole body", conditions: []string{"[STATUS] == 200", "[BODY] == OK", "[BODY] == any(up, ok)"}, status: "200",
			want: []manifest.Condition{
				{Type: "body", Op: "matches", Value: "^OK$"},
				{Type: "body", Op: "matches", Value: "^(?:up|ok)$"},
			}},
		{name: "json ops", conditions: []string{"[STATUS] == 200", "[BODY].count >= 3", "[BODY].state != down",
			"has([BODY].error) == false", "[BODY].kind == any(a, b)", "[BODY].name == "}, status: "200",
			want: []manifest.Condition{
				{Type: "json", Path: "$.count", Op: ">=", Value: "3"},
				{Type: "json", Path: "$.state", Op: "!=", Value: "down"},
				{Type: "json", Path: "$.error", Op: "not_exists"},
				{Type: "json", Path: "$.kind", Op: "matches", Value: "^(?:a|b)$"},
			},
			dropped: []string{`condition [BODY].name ==: not understood`}},
		{name: "no equivalent", conditions: []string{"[STATUS] == 200", "[RESPONSE_TIME] > 10", "[IP] == 1.2.3.4",
			"[BODY].x != pat(a*)", "[DOMAIN_EXPIRATION] > 720h", "[BODY].a[ == 1"}, status: "200",
			dropped: []string{
				"condition [RESPONSE_TIME] > 10: no equivalent",
				"condition [IP] == 1.2.3.4: no equivalent",
				"condition [BODY].x != pat(a*): no equivalent",
				"condition [DOMAIN_EXPIRATION] > 720h: no equivalent",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := &gatusImport{builder: newBuilder("gatus")}
			var tg manifest.Target
			var e Entry
			g.conditions(&tg, tt.conditions, &e)
			if tt.status == "" {
				assert.Nil(t, tg.ExpectedStatus, "left out")
			} else if assert.NotNil(t, tg.ExpectedStatus) {
				assert.Equal(t, tt.status, *tg.ExpectedStatus)
			}
			assert.Equal(t, tt.want, tg.Conditions)
			if tt.name == "no equivalent" {
				// An invalid JSONPath is reported with the API's reason.
				require.Len(t, e.Dropped, 5)
				assert.Contains(t, e.Dropped[4], "condition [BODY].a[ == 1: path must be a JSONPath")
				e.Dropped = e.Dropped[:4]
			}
			assert.Equal(t, tt.dropped, e.Dropped)
		})
	}
}

func TestGatusOverridesAndErrors(t *testing.T) {
	t.Parallel()
	res, err := Gatus(strings.NewReader(`
alerting:
  slack:
    webhook-url: "https://hooks.slack.com/services/T1/B1/default"
    overrides:
      - group: core
        webhook-url: "https://hooks.slack.com/services/T1/B1/core"
  discord:
    webhook-url: "https://example.com/not-discord"
endpoints:
  - name: a
    group: core
    url: https://a.example.com/
    conditions: ["[STATUS] == 200"]
    alerts: [{type: slack}, {type: discord}, {type: email}]
  - name: b
    url: https://b.example.com/
    method: PROPFIND
    conditions: ["[STATUS] == 200"]
`))
	require.NoError(t, err)
	require.Len(t, res.Document.Channels, 2)
	assert.Equal(t, "gatus-slack (core)", res.Document.Channels[1].Name)
	assert.Equal(t, []string{"gatus-slack (core)"}, res.Document.Targets[0].Channels)
	assert.Equal(t, map[string]string{
		"WATCHDOG_CHANNEL_GATUS_SLACK_URL":        "https://hooks.slack.com/services/T1/B1/default",
		"WATCHDOG_CHANNEL_GATUS_SLACK__CORE__URL": "https://hooks.slack.com/services/T1/B1/core",
	}, res.Env, "a refused channel takes its secret back")
	assert.Equal(t, []string{
		`alerting provider discord: invalid discord channel: url: must be a Discord webhook URL (https://discord.com/api/webhooks/…)`,
		`endpoint "core/a": alert discord: its alerting provider was not carried over`,
		`endpoint "core/a": alert email: no such alerting provider is configured`,
		`endpoint "b": invalid target: method: must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS`,
	}, res.NotCarried())

	for _, bad := range []string{"", "endpoints: [", "alerting: [1, 2]"} {
		_, err := Gatus(strings.NewReader(bad))
		assert.Error(t, err, "%q", bad)
	}
}

// TestGatusExternalEndpoints: an external endpoint (a job pushing its results) is a
// heartbeat: its heartbeat interval the period, and one interval of grace, as Gatus
// notices a missed push at its next check; its alerts as an endpoint's; its token,
// a bearer token for Gatus's push API, replaced by a new ping URL.
func TestGatusExternalEndpoints(t *testing.T) {
	t.Parallel()
	res, err := Gatus(strings.NewReader(`
alerting:
  slack:
    webhook-url: "https://hooks.slack.com/services/T0/B0/xyz"
external-endpoints:
  - name: nightly-backup
    group: jobs
    token: "gatus-bearer-secret"
    heartbeat:
      interval: 24h
    alerts:
      - type: slack
        failure-threshold: 2
  - name: often
    token: "gatus-bearer-secret"
    heartbeat: {interval: 10s}
  - name: off
    enabled: false
    token: "gatus-bearer-secret"
    heartbeat: {interval: 2h}
`))
	require.NoError(t, err)
	assert.Equal(t, []manifest.Target{
		{Name: "nightly-backup", Type: "heartbeat", Tags: []string{"jobs"}, PeriodSeconds: new(86400), GraceSeconds: new(86400),
			Channels: []string{"gatus-slack"}, FailureThreshold: new(2)},
		{Name: "often", Type: "heartbeat", PeriodSeconds: new(30), GraceSeconds: new(60)},
		{Name: "off", Type: "heartbeat", Paused: true, PeriodSeconds: new(7200), GraceSeconds: new(7200)},
	}, res.Document.Targets)
	assert.Empty(t, res.NotCarried())
	changes := strings.Join(res.Changes(), "\n")
	assert.Contains(t, changes, `external endpoint "jobs/nightly-backup": heartbeat: a ping expected every 86400s, failing 86400s after one is missed`)
	assert.Contains(t, changes, `external endpoint "often": heartbeat interval 10s raised to the minimum 30s`)
	assert.Contains(t, changes, `external endpoint "often": heartbeat: a ping expected every 30s, failing 60s after one is missed`)
	assert.Contains(t, changes, `external endpoint "jobs/nightly-backup": token: Gatus's bearer token is not kept: new ping URL issued; point the job at it`)
	assert.Empty(t, res.PingTokens)
	assertNoSecrets(t, res, "gatus-bearer-secret")
}

// Gatus's Matrix, Mattermost, Rocket.Chat, Google Chat and Gotify providers become
// channels of the same types, their secrets ${ENV} references.
func TestGatusChatProviders(t *testing.T) {
	t.Parallel()
	const (
		matrixToken = "syt_gatus_matrix_secret_0123"
		mmHook      = "https://chat.example.com/hooks/gatusmmsecret0123"
		rcHook      = "https://rc.example.com/hooks/rcid/gatusrcsecret0123"
		rcHookCore  = "https://rc.example.com/hooks/rcid/gatusrccoresecret0123"
		gchatHook   = "https://chat.googleapis.com/v1/spaces/AAAA/messages?key=k&token=gatusgchatsecret0123"
		gotifyToken = "AgatusGotifySecret"
	)
	res, err := Gatus(strings.NewReader(`
alerting:
  matrix:
    access-token: "` + matrixToken + `"
    internal-room-id: "!ops:example.org"
  mattermost:
    webhook-url: "` + mmHook + `"
    channel: ops
  rocketchat:
    webhook-url: "` + rcHook + `"
    channel: "#ops"
    overrides:
      - group: core
        webhook-url: "` + rcHookCore + `"
  googlechat:
    webhook-url: "` + gchatHook + `"
  gotify:
    server-url: "https://gotify.example.com/"
    token: "` + gotifyToken + `"
    title: "Gatus"
endpoints:
  - name: api
    group: core
    url: "https://api.example.com/health"
    conditions:
      - "[STATUS] == 200"
    alerts:
      - type: matrix
      - type: rocketchat
      - type: gotify
`))
	require.NoError(t, err)
	assert.Equal(t, []manifest.Channel{
		{Name: "gatus-matrix", Type: "matrix", Config: map[string]any{"homeserver_url": "https://matrix-client.matrix.org",
			"access_token": "${WATCHDOG_CHANNEL_GATUS_MATRIX_ACCESS_TOKEN}", "room_id": "!ops:example.org"}},
		{Name: "gatus-mattermost", Type: "mattermost", Config: map[string]any{"url": "${WATCHDOG_CHANNEL_GATUS_MATTERMOST_URL}", "channel": "ops"}},
		{Name: "gatus-rocketchat", Type: "rocketchat", Config: map[string]any{"url": "${WATCHDOG_CHANNEL_GATUS_ROCKETCHAT_URL}",
			"channel": "#ops"}},
		{Name: "gatus-rocketchat (core)", Type: "rocketchat", Config: map[string]any{"url": "${WATCHDOG_CHANNEL_GATUS_ROCKETCHAT__CORE__URL}",
			"channel": "#ops"}},
		{Name: "gatus-googlechat", Type: "googlechat", Config: map[string]any{"url": "${WATCHDOG_CHANNEL_GATUS_GOOGLECHAT_URL}"}},
		{Name: "gatus-gotify", Type: "gotify", Config: map[string]any{"server_url": "https://gotify.example.com",
			"token": "${WATCHDOG_CHANNEL_GATUS_GOTIFY_TOKEN}", "priority": 5}},
	}, res.Document.Channels)
	require.Len(t, res.Document.Targets, 1)
	assert.Equal(t, []string{"gatus-matrix", "gatus-rocketchat (core)", "gatus-gotify"}, res.Document.Targets[0].Channels)
	assert.Equal(t, []string{
		`alerting provider gotify: title: WatchDog's titles name the target and the event`,
	}, res.NotCarried())
	assert.Equal(t, map[string]string{
		"WATCHDOG_CHANNEL_GATUS_MATRIX_ACCESS_TOKEN":   matrixToken,
		"WATCHDOG_CHANNEL_GATUS_MATTERMOST_URL":        mmHook,
		"WATCHDOG_CHANNEL_GATUS_ROCKETCHAT_URL":        rcHook,
		"WATCHDOG_CHANNEL_GATUS_ROCKETCHAT__CORE__URL": rcHookCore,
		"WATCHDOG_CHANNEL_GATUS_GOOGLECHAT_URL":        gchatHook,
		"WATCHDOG_CHANNEL_GATUS_GOTIFY_TOKEN":          gotifyToken,
	}, res.Env)
	assertNoSecrets(t, res, matrixToken, "gatusmmsecret", "gatusrcsecret", "gatusrccoresecret", "gatusgchatsecret", gotifyToken)
}

// Gatus's opsgenie, pushover, twilio and zulip providers become channels of those
// types, their keys ${ENV} references; what WatchDog does differently is reported.
func TestGatusPagingChatAndSMSProviders(t *testing.T) {
	t.Parallel()
	const (
		opsgenieKey  = "0e3f5a1b-9c2d-4e8f-a7b6-1d2c3e4f5a6b"
		pushoverApp  = "azGDORePK8gMaC0QOYAMyEEuzJnyUi"
		pushoverUser = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"
		twilioToken  = "fedcba9876543210fedcba9876543210"
		zulipKey     = "Zf8vQm3LkT2pXw9RbN4cHs7JdY6gUa1E"
	)
	res, err := Gatus(strings.NewReader(`
alerting:
  opsgenie:
    api-key: "` + opsgenieKey + `"
    tags: [prod]
    alias-prefix: "gatus-"
  pushover:
    application-token: "` + pushoverApp + `"
    user-key: "` + pushoverUser + `"
    priority: 2
    resolved-priority: -1
    sound: siren
    ttl: 3600
  twilio:
    sid: "AC0123456789abcdef0123456789abcdef"
    token: "` + twilioToken + `"
    from: "+15557654321"
    to: "+4915112345678"
    text-twilio-triggered: "Gatus: down"
    text-twilio-resolved: "Gatus: up"
  zulip:
    bot-email: "gatus-bot@example.zulipchat.com"
    bot-api-key: "` + zulipKey + `"
    domain: "example.zulipchat.com"
    channel-id: "42"
endpoints:
  - name: shop
    url: https://shop.example.com/
    conditions: ["[STATUS] == 200"]
    alerts: [{type: opsgenie}, {type: pushover}, {type: twilio}, {type: zulip}]
`))
	require.NoError(t, err)
	assert.Equal(t, []manifest.Channel{
		{Name: "gatus-opsgenie", Type: "opsgenie", Config: map[string]any{"api_key": "${WATCHDOG_CHANNEL_GATUS_OPSGENIE_API_KEY}",
			"priority": "P1"}},
		{Name: "gatus-pushover", Type: "pushover", Config: map[string]any{"app_token": "${WATCHDOG_CHANNEL_GATUS_PUSHOVER_APP_TOKEN}",
			"user_key": "${WATCHDOG_CHANNEL_GATUS_PUSHOVER_USER_KEY}", "priority": 1, "sound": "siren"}},
		{Name: "gatus-twilio", Type: "twilio", Config: map[string]any{"account_sid": "AC0123456789abcdef0123456789abcdef",
			"auth_token": "${WATCHDOG_CHANNEL_GATUS_TWILIO_AUTH_TOKEN}", "from": "+15557654321", "to": "+4915112345678"}},
		{Name: "gatus-zulip", Type: "zulip", Config: map[string]any{"site": "https://example.zulipchat.com",
			"email": "gatus-bot@example.zulipchat.com", "api_key": "${WATCHDOG_CHANNEL_GATUS_ZULIP_API_KEY}", "stream": "42"}},
	}, res.Document.Channels)
	require.Len(t, res.Document.Targets, 1)
	assert.Equal(t, []string{"gatus-opsgenie", "gatus-pushover", "gatus-twilio", "gatus-zulip"}, res.Document.Targets[0].Channels)
	assert.Equal(t, []string{
		`alerting provider opsgenie: alias-prefix, tags: WatchDog sets its own`,
		`alerting provider pushover: resolved-priority: WatchDog sends every message at one priority`,
		`alerting provider pushover: ttl: WatchDog's messages do not expire`,
		`alerting provider twilio: text-twilio-triggered, text-twilio-resolved: WatchDog words each message itself`,
	}, res.NotCarried())
	assert.Equal(t, []string{
		`alerting provider opsgenie: alert alias: WatchDog's incident key instead of Gatus's endpoint key, so an alert Gatus left open is not closed by WatchDog`,
		`alerting provider pushover: emergency priority 2: sent as high (1); WatchDog asks for no acknowledgement`,
		`alerting provider zulip: topic: each endpoint's alerts go to a topic named after it, not all to "Gatus"`,
	}, res.Changes())
	assert.Equal(t, map[string]string{
		"WATCHDOG_CHANNEL_GATUS_OPSGENIE_API_KEY":   opsgenieKey,
		"WATCHDOG_CHANNEL_GATUS_PUSHOVER_APP_TOKEN": pushoverApp,
		"WATCHDOG_CHANNEL_GATUS_PUSHOVER_USER_KEY":  pushoverUser,
		"WATCHDOG_CHANNEL_GATUS_TWILIO_AUTH_TOKEN":  twilioToken,
		"WATCHDOG_CHANNEL_GATUS_ZULIP_API_KEY":      zulipKey,
	}, res.Env)
	out, err := yaml.Marshal(res.Document)
	require.NoError(t, err)
	for _, secret := range []string{opsgenieKey, pushoverApp, pushoverUser, twilioToken, zulipKey} {
		assert.NotContains(t, string(out)+res.String(), secret)
	}

	// A set priority is kept; a domain given with its scheme is too. Gatus's zulip has
	// no topic setting (it always posts to "Gatus").
	res, err = Gatus(strings.NewReader(`
alerting:
  opsgenie:
    api-key: "` + opsgenieKey + `"
    priority: P4
  zulip:
    bot-email: "gatus-bot@example.zulipchat.com"
    bot-api-key: "` + zulipKey + `"
    domain: "https://chat.example.com"
    channel-id: "ops"
`))
	require.NoError(t, err)
	require.Len(t, res.Document.Channels, 2)
	assert.Equal(t, "P4", res.Document.Channels[0].Config["priority"])
	assert.Equal(t, map[string]any{"site": "https://chat.example.com", "email": "gatus-bot@example.zulipchat.com",
		"api_key": "${WATCHDOG_CHANNEL_GATUS_ZULIP_API_KEY}", "stream": "ops"}, res.Document.Channels[1].Config)
	assert.Len(t, res.Changes(), 2, "the opsgenie alias and the zulip topic, as above")
}
