package notify

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// configKeys lists the keys a Validate error names, in order; "(config)" stands for
// an error about the config as a whole.
func configKeys(err error) []string {
	if err == nil {
		return nil
	}
	errs := []error{err}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs = joined.Unwrap()
	}
	var keys []string
	for _, e := range errs {
		var ce *ConfigError
		if errors.As(e, &ce) {
			keys = append(keys, ce.Key)
		} else {
			keys = append(keys, "(config)")
		}
	}
	return keys
}

func smtpEnv() Env {
	return Env{SMTP: SMTP{Host: "smtp.example.com", Port: 587, From: "WatchDog <watchdog@example.com>", TLS: "starttls"}}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	official := Env{}             // the production rules
	anyHost := Env{AnyHost: true} // what tests against local fakes use
	manyAddresses := make([]string, 21)
	for i := range manyAddresses {
		manyAddresses[i] = fmt.Sprintf("ops%d@example.com", i)
	}
	tests := []struct {
		name   string
		typ    string
		config string
		env    Env
		want   []string // broken keys; nil means valid
	}{
		{"webhook: minimal", "webhook", `{"url":"https://hooks.example.com/wd"}`, official, nil},
		{"webhook: full", "webhook", `{"url":"http://hooks.example.com:8080/wd?x=1","secret":"s","headers":{"Authorization":"Bearer x","X-Team":"ops\tinfra"}}`, official, nil},
		{"webhook: null headers", "webhook", `{"url":"https://hooks.example.com/wd","headers":null}`, official, nil},
		{"webhook: empty config", "webhook", `{}`, official, []string{"url"}},
		{"webhook: null config", "webhook", `null`, official, []string{"url"}},
		{"webhook: relative url", "webhook", `{"url":"/hook"}`, official, []string{"url"}},
		{"webhook: ftp url", "webhook", `{"url":"ftp://hooks.example.com/x"}`, official, []string{"url"}},
		{"webhook: url with a password", "webhook", `{"url":"https://user:pw@hooks.example.com/x"}`, official, []string{"url"}},
		{"webhook: url with a fragment", "webhook", `{"url":"https://hooks.example.com/x#y"}`, official, []string{"url"}},
		{"webhook: url too long", "webhook", `{"url":"https://hooks.example.com/` + strings.Repeat("x", 2048) + `"}`, official, []string{"url"}},
		{"webhook: unknown key", "webhook", `{"url":"https://hooks.example.com/x","colour":"red"}`, official, []string{"colour"}},
		{"webhook: secret of the wrong type", "webhook", `{"url":"https://hooks.example.com/x","secret":42}`, official, []string{"secret"}},
		{"webhook: headers not an object", "webhook", `{"url":"https://hooks.example.com/x","headers":["X-A: b"]}`, official, []string{"headers"}},
		{"webhook: header name with a space", "webhook", `{"url":"https://hooks.example.com/x","headers":{"X Bad":"v"}}`, official, []string{"headers.X Bad"}},
		{"webhook: header name with a colon", "webhook", `{"url":"https://hooks.example.com/x","headers":{"X-A:":"v"}}`, official, []string{"headers.X-A:"}},
		{"webhook: reserved Content-Type", "webhook", `{"url":"https://hooks.example.com/x","headers":{"content-type":"text/plain"}}`, official, []string{"headers.content-type"}},
		{"webhook: reserved signature", "webhook", `{"url":"https://hooks.example.com/x","headers":{"X-WatchDog-Signature":"sha256=0"}}`, official, []string{"headers.X-WatchDog-Signature"}},
		{"webhook: reserved delivery id", "webhook", `{"url":"https://hooks.example.com/x","headers":{"X-Watchdog-Delivery":"1"}}`, official, []string{"headers.X-Watchdog-Delivery"}},
		{"webhook: header value on two lines", "webhook", `{"url":"https://hooks.example.com/x","headers":{"X-A":"a\r\nX-Evil: 1"}}`, official, []string{"headers.X-A"}},
		{"webhook: empty header value", "webhook", `{"url":"https://hooks.example.com/x","headers":{"X-A":""}}`, official, []string{"headers.X-A"}},
		{"webhook: header twice", "webhook", `{"url":"https://hooks.example.com/x","headers":{"X-A":"1","x-a":"2"}}`, official, []string{"headers.x-a"}},
		{"webhook: every broken key at once", "webhook", `{"url":"","headers":{"Host":"x","X-B":""}}`, official, []string{"url", "headers.Host", "headers.X-B"}},
		{"webhook: not an object", "webhook", `["https://hooks.example.com"]`, official, []string{"(config)"}},
		{"webhook: not JSON", "webhook", `{"url":`, official, []string{"(config)"}},

		{"slack: official", "slack", `{"url":"https://hooks.slack.com/services/T000/B000/hookpath"}`, official, nil},
		{"slack: explicit port 443", "slack", `{"url":"https://hooks.slack.com:443/services/T000/B000/hookpath"}`, official, nil},
		{"slack: another host", "slack", `{"url":"https://evil.example.com/services/T000/B000/hookpath"}`, official, []string{"url"}},
		{"slack: a look-alike host", "slack", `{"url":"https://hooks.slack.com.evil.example/services/T000"}`, official, []string{"url"}},
		{"slack: plain http", "slack", `{"url":"http://hooks.slack.com/services/T000/B000/hookpath"}`, official, []string{"url"}},
		{"slack: another port", "slack", `{"url":"https://hooks.slack.com:8443/services/T000/B000/hookpath"}`, official, []string{"url"}},
		{"slack: not an incoming webhook", "slack", `{"url":"https://hooks.slack.com/other/T000"}`, official, []string{"url"}},
		{"slack: missing url", "slack", `{}`, official, []string{"url"}},
		{"slack: any host in tests", "slack", `{"url":"http://127.0.0.1:9999/services/x"}`, anyHost, nil},
		{"slack: unknown key", "slack", `{"url":"https://hooks.slack.com/services/T000/B000/hookpath","channel":"#ops"}`, official, []string{"channel"}},

		{"discord: official", "discord", `{"url":"https://discord.com/api/webhooks/123/abc"}`, official, nil},
		{"discord: discordapp.com", "discord", `{"url":"https://discordapp.com/api/webhooks/123/abc"}`, official, nil},
		{"discord: ptb", "discord", `{"url":"https://ptb.discord.com/api/webhooks/123/abc"}`, official, nil},
		{"discord: canary", "discord", `{"url":"https://canary.discord.com/api/webhooks/123/abc"}`, official, nil},
		{"discord: another subdomain", "discord", `{"url":"https://evil.discord.com/api/webhooks/123/abc"}`, official, []string{"url"}},
		{"discord: another host", "discord", `{"url":"https://evil.example.com/api/webhooks/123/abc"}`, official, []string{"url"}},
		{"discord: not a webhook path", "discord", `{"url":"https://discord.com/api/channels/123"}`, official, []string{"url"}},
		{"discord: any host in tests", "discord", `{"url":"http://127.0.0.1:9999/anything"}`, anyHost, nil},

		{"teams: logic.azure.com", "teams", `{"url":"https://prod-12.westus.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=x"}`, official, nil},
		{"teams: powerplatform.com", "teams", `{"url":"https://default123.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/abc"}`, official, nil},
		{"teams: webhook.office.com", "teams", `{"url":"https://contoso.webhook.office.com/webhookb2/abc"}`, official, nil},
		{"teams: a look-alike host", "teams", `{"url":"https://evillogic.azure.com/workflows/abc"}`, official, []string{"url"}},
		{"teams: the suffix inside another host", "teams", `{"url":"https://x.logic.azure.com.evil.example/workflows/abc"}`, official, []string{"url"}},
		{"teams: another host", "teams", `{"url":"https://evil.example.com/workflows/abc"}`, official, []string{"url"}},

		{"email: one address", "email", `{"to":["ops@example.com"]}`, smtpEnv(), nil},
		{"email: named addresses", "email", `{"to":["Ops Team <ops@example.com>","dev@example.com"]}`, smtpEnv(), nil},
		{"email: SMTP not configured", "email", `{"to":["ops@example.com"]}`, Env{}, []string{"to"}},
		{"email: no sender but a login that is an address", "email", `{"to":["ops@example.com"]}`,
			Env{SMTP: SMTP{Host: "smtp.example.com", Username: "watchdog@example.com"}}, nil},
		{"email: no sender", "email", `{"to":["ops@example.com"]}`, Env{SMTP: SMTP{Host: "smtp.example.com", Username: "watchdog"}}, []string{"to"}},
		{"email: no addresses", "email", `{"to":[]}`, smtpEnv(), []string{"to"}},
		{"email: missing to", "email", `{}`, smtpEnv(), []string{"to"}},
		{"email: too many addresses", "email", string(rawJSON(t, map[string]any{"to": manyAddresses})), smtpEnv(), []string{"to"}},
		{"email: not an address", "email", `{"to":["ops@example.com","not-an-address"]}`, smtpEnv(), []string{"to"}},
		{"email: header injection", "email", `{"to":["ops@example.com\r\nBcc: victim@example.com"]}`, smtpEnv(), []string{"to"}},
		{"email: twice", "email", `{"to":["ops@example.com","OPS@example.com"]}`, smtpEnv(), []string{"to"}},
		{"email: a string, not a list", "email", `{"to":"ops@example.com"}`, smtpEnv(), []string{"to"}},

		{"telegram: numeric chat", "telegram", `{"bot_token":"` + telegramTestToken + `","chat_id":"123456789"}`, official, nil},
		{"telegram: group chat", "telegram", `{"bot_token":"` + telegramTestToken + `","chat_id":"-1001234567890"}`, official, nil},
		{"telegram: channel name", "telegram", `{"bot_token":"` + telegramTestToken + `","chat_id":"@watchdog_ops"}`, official, nil},
		{"telegram: nothing", "telegram", `{}`, official, []string{"bot_token", "chat_id"}},
		{"telegram: malformed token", "telegram", `{"bot_token":"not-a-token","chat_id":"@watchdog_ops"}`, official, []string{"bot_token"}},
		{"telegram: token with a path", "telegram", `{"bot_token":"123:AAAAAAAAAAAAAAAAAAAAAAAA/../x","chat_id":"1"}`, official, []string{"bot_token"}},
		{"telegram: bad chat id", "telegram", `{"bot_token":"` + telegramTestToken + `","chat_id":"hello world"}`, official, []string{"chat_id"}},
		{"telegram: chat id as a number", "telegram", `{"bot_token":"` + telegramTestToken + `","chat_id":123}`, official, []string{"chat_id"}},

		{"ntfy: topic only", "ntfy", `{"topic":"ops-alerts"}`, official, nil},
		{"ntfy: everything", "ntfy", `{"url":"https://ntfy.example.com/","topic":"ops_1","token":"tk_abc","priority":5}`, official, nil},
		{"ntfy: missing topic", "ntfy", `{"url":"https://ntfy.sh"}`, official, []string{"topic"}},
		{"ntfy: topic with a slash", "ntfy", `{"topic":"a/b"}`, official, []string{"topic"}},
		{"ntfy: topic too long", "ntfy", `{"topic":"` + strings.Repeat("a", 65) + `"}`, official, []string{"topic"}},
		{"ntfy: priority out of range", "ntfy", `{"topic":"ops","priority":6}`, official, []string{"priority"}},
		{"ntfy: priority as a word", "ntfy", `{"topic":"ops","priority":"high"}`, official, []string{"priority"}},
		{"ntfy: token with a space", "ntfy", `{"topic":"ops","token":"tk abc"}`, official, []string{"token"}},
		{"ntfy: not http", "ntfy", `{"url":"ws://ntfy.sh","topic":"ops"}`, official, []string{"url"}},

		{"pagerduty: key only", "pagerduty", `{"routing_key":"` + pagerdutyTestKey + `"}`, official, nil},
		{"pagerduty: with severity", "pagerduty", `{"routing_key":"` + pagerdutyTestKey + `","severity":"warning"}`, official, nil},
		{"pagerduty: missing key", "pagerduty", `{"severity":"info"}`, official, []string{"routing_key"}},
		{"pagerduty: short key", "pagerduty", `{"routing_key":"abc"}`, official, []string{"routing_key"}},
		{"pagerduty: bad severity", "pagerduty", `{"routing_key":"` + pagerdutyTestKey + `","severity":"apocalyptic"}`, official, []string{"severity"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Validate(tt.typ, json.RawMessage(tt.config), tt.env)
			assert.Equal(t, tt.want, configKeys(err), "%v", err)
		})
	}
}

func TestValidateMessages(t *testing.T) {
	t.Parallel()
	err := Validate("email", json.RawMessage(`{"to":["ops@example.com"]}`), Env{})
	assert.EqualError(t, err, "to: SMTP is not configured (set SMTP_HOST)")

	err = Validate("webhook", json.RawMessage(`{"url":"https://hooks.example.com/x","colour":"red"}`), Env{})
	assert.EqualError(t, err, "colour: is not a setting of this channel type")

	// A rejected secret is never repeated back.
	err = Validate("telegram", json.RawMessage(`{"bot_token":"12345:tooShortSecret","chat_id":"1"}`), Env{})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "tooShortSecret")
	err = Validate("slack", json.RawMessage(`{"url":"https://evil.example.com/services/SECRETPATH"}`), Env{})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "SECRETPATH")

	_, err = Lookup("carrier-pigeon")
	assert.ErrorIs(t, err, ErrUnknownType)
	assert.ErrorIs(t, Validate("carrier-pigeon", nil, Env{}), ErrUnknownType)
}

func TestTypes(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []string{"discord", "email", "googlechat", "gotify", "matrix", "mattermost", "ntfy", "opsgenie", "pagerduty", "pushover", "rocketchat",
		"slack", "teams", "telegram", "twilio", "webhook", "zulip"}, Types())
	assert.True(t, IsSecret("slack", "url"))
	assert.False(t, IsSecret("webhook", "url"))
	assert.True(t, IsSecret("telegram", "bot_token"))
	assert.False(t, IsSecret("email", "to"))
}

func TestRedact(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		typ    string
		config string
		want   string
	}{
		{"webhook", "webhook", `{"url":"https://h.example.com/x","secret":"hush","headers":{"Authorization":"Bearer t","X-Team":"ops"}}`,
			`{"url":"https://h.example.com/x","secret_set":true,"headers":{"Authorization":"","X-Team":""}}`},
		{"webhook without a secret", "webhook", `{"url":"https://h.example.com/x"}`, `{"url":"https://h.example.com/x","secret_set":false}`},
		{"webhook with a cleared secret", "webhook", `{"url":"https://h.example.com/x","secret":""}`, `{"url":"https://h.example.com/x","secret_set":false}`},
		{"slack", "slack", `{"url":"https://hooks.slack.com/services/T/B/X"}`, `{"url_set":true}`},
		{"discord", "discord", `{"url":"https://discord.com/api/webhooks/1/x"}`, `{"url_set":true}`},
		{"teams", "teams", `{"url":"https://x.logic.azure.com/x"}`, `{"url_set":true}`},
		{"telegram", "telegram", `{"bot_token":"1:x","chat_id":"@ops"}`, `{"bot_token_set":true,"chat_id":"@ops"}`},
		{"ntfy without a token", "ntfy", `{"topic":"ops"}`, `{"topic":"ops","token_set":false}`},
		{"ntfy with a token", "ntfy", `{"topic":"ops","token":"tk"}`, `{"topic":"ops","token_set":true}`},
		{"pagerduty", "pagerduty", `{"routing_key":"k","severity":"info"}`, `{"routing_key_set":true,"severity":"info"}`},
		{"matrix", "matrix", `{"homeserver_url":"https://m.example.org","access_token":"syt_x","room_id":"!a:m.example.org"}`,
			`{"homeserver_url":"https://m.example.org","access_token_set":true,"room_id":"!a:m.example.org"}`},
		{"gotify", "gotify", `{"server_url":"https://g.example.com","token":"t","priority":3}`,
			`{"server_url":"https://g.example.com","token_set":true,"priority":3}`},
		{"mattermost", "mattermost", `{"url":"https://chat.example.com/hooks/x","channel":"ops"}`, `{"url_set":true,"channel":"ops"}`},
		{"rocketchat", "rocketchat", `{"url":"https://rc.example.com/hooks/a/b","channel":"#ops"}`, `{"url_set":true,"channel":"#ops"}`},
		{"googlechat", "googlechat", `{"url":"https://chat.googleapis.com/v1/spaces/A/messages?key=k&token=t"}`, `{"url_set":true}`},
		{"email has no secrets", "email", `{"to":["ops@example.com"]}`, `{"to":["ops@example.com"]}`},
		{"empty", "slack", ``, `{"url_set":false}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Redact(tt.typ, json.RawMessage(tt.config))
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(got))
		})
	}
	_, err := Redact("carrier-pigeon", nil)
	assert.ErrorIs(t, err, ErrUnknownType)
	_, err = Redact("slack", json.RawMessage(`[1]`))
	assert.Error(t, err)
}

func TestMergeSecrets(t *testing.T) {
	t.Parallel()
	stored := `{"url":"https://h.example.com/x","secret":"hush","headers":{"Authorization":"Bearer t","X-Team":"ops"}}`
	tests := []struct {
		name    string
		typ     string
		old     string
		updated string
		want    string
	}{
		{"a secret left out is kept", "webhook", stored, `{"url":"https://h.example.com/v2"}`,
			`{"url":"https://h.example.com/v2","secret":"hush","headers":{"Authorization":"Bearer t","X-Team":"ops"}}`},
		{"the redacted config sent back changes nothing", "webhook", stored,
			`{"url":"https://h.example.com/x","secret_set":true,"headers":{"Authorization":"","X-Team":""}}`, stored},
		{"a new secret replaces the old", "webhook", stored, `{"url":"https://h.example.com/x","secret":"new"}`,
			`{"url":"https://h.example.com/x","secret":"new","headers":{"Authorization":"Bearer t","X-Team":"ops"}}`},
		{"an empty secret clears it", "webhook", stored, `{"url":"https://h.example.com/x","secret":""}`,
			`{"url":"https://h.example.com/x","secret":"","headers":{"Authorization":"Bearer t","X-Team":"ops"}}`},
		{"headers: kept, changed, added and dropped by name", "webhook", stored,
			`{"url":"https://h.example.com/x","headers":{"authorization":"","X-Team":"infra","X-New":"1"}}`,
			`{"url":"https://h.example.com/x","secret":"hush","headers":{"authorization":"Bearer t","X-Team":"infra","X-New":"1"}}`},
		{"headers: an empty object clears them", "webhook", stored, `{"url":"https://h.example.com/x","headers":{}}`,
			`{"url":"https://h.example.com/x","secret":"hush","headers":{}}`},
		{"headers: a new name without a value stays empty", "webhook", stored, `{"url":"https://h.example.com/x","headers":{"X-Other":""}}`,
			`{"url":"https://h.example.com/x","secret":"hush","headers":{"X-Other":""}}`},
		{"slack url kept", "slack", `{"url":"https://hooks.slack.com/services/T/B/X"}`, `{"url_set":true}`,
			`{"url":"https://hooks.slack.com/services/T/B/X"}`},
		{"slack url replaced", "slack", `{"url":"https://hooks.slack.com/services/T/B/X"}`, `{"url":"https://hooks.slack.com/services/T/B/Y"}`,
			`{"url":"https://hooks.slack.com/services/T/B/Y"}`},
		{"telegram: a new chat keeps the token", "telegram", `{"bot_token":"1:x","chat_id":"@ops"}`, `{"chat_id":"@dev"}`,
			`{"bot_token":"1:x","chat_id":"@dev"}`},
		{"ntfy: no token stored, none sent", "ntfy", `{"topic":"ops"}`, `{"topic":"dev","token_set":false}`, `{"topic":"dev"}`},
		{"non-secret keys are replaced, not merged", "pagerduty", `{"routing_key":"k","severity":"info"}`, `{}`, `{"routing_key":"k"}`},
		{"nothing stored yet", "slack", ``, `{"url":"https://hooks.slack.com/services/T/B/X"}`, `{"url":"https://hooks.slack.com/services/T/B/X"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := MergeSecrets(tt.typ, json.RawMessage(tt.old), json.RawMessage(tt.updated))
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(got))
		})
	}
	_, err := MergeSecrets("slack", json.RawMessage(`{}`), json.RawMessage(`"x"`))
	assert.Error(t, err)
	_, err = MergeSecrets("webhook", json.RawMessage(stored), json.RawMessage(`{"headers":["x"]}`))
	var ce *ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "headers", ce.Key)
	_, err = MergeSecrets("carrier-pigeon", nil, nil)
	assert.ErrorIs(t, err, ErrUnknownType)
}

// What a client is shown, sent back unchanged, is what was stored, for every type:
// the form a UI edits round-trips.
func TestRedactMergeRoundTrip(t *testing.T) {
	t.Parallel()
	configs := map[string]string{
		"webhook":    `{"url":"https://h.example.com/x","secret":"hush","headers":{"Authorization":"Bearer t"}}`,
		"slack":      `{"url":"https://hooks.slack.com/services/T/B/X"}`,
		"discord":    `{"url":"https://discord.com/api/webhooks/1/x"}`,
		"teams":      `{"url":"https://x.logic.azure.com/workflows/x"}`,
		"email":      `{"to":["ops@example.com"]}`,
		"telegram":   `{"bot_token":"` + telegramTestToken + `","chat_id":"@ops_team"}`,
		"ntfy":       `{"url":"https://ntfy.sh","topic":"ops","token":"tk_x","priority":4}`,
		"pagerduty":  `{"routing_key":"` + pagerdutyTestKey + `","severity":"error"}`,
		"gotify":     `{"server_url":"https://gotify.example.com","token":"` + gotifyTestToken + `","priority":5}`,
		"mattermost": `{"url":"https://chat.example.com/hooks/mmhook","channel":"ops"}`,
		"googlechat": `{"url":"https://chat.googleapis.com/v1/spaces/A/messages?key=gckey&token=gctoken"}`,
		"rocketchat": `{"url":"https://rc.example.com/hooks/rcid/rctoken","channel":"#ops","username":"WatchDog"}`,
		"matrix":     `{"homeserver_url":"https://matrix.example.org","access_token":"` + matrixTestToken + `","room_id":"!ops:example.org"}`,
		"opsgenie":   `{"api_key":"` + opsgenieTestKey + `","region":"eu","priority":"P2"}`,
		"pushover":   `{"user_key":"` + pushoverTestUser + `","app_token":"` + pushoverTestToken + `","priority":-1,"device":"phone","sound":"magic"}`,
		"zulip":      `{"site":"https://example.zulipchat.com","email":"` + zulipTestEmail + `","api_key":"` + zulipTestKey + `","stream":"ops","topic":"uptime"}`,
		"twilio":     `{"account_sid":"` + twilioTestSID + `","auth_token":"` + twilioTestToken + `","from":"+15557654321","to":"+4915112345678"}`,
	}
	require.Len(t, configs, len(Types()), "a config for every type")
	for typ, stored := range configs {
		t.Run(typ, func(t *testing.T) {
			t.Parallel()
			shown, err := Redact(typ, json.RawMessage(stored))
			require.NoError(t, err)
			for _, secret := range []string{"hush", "Bearer t", "T/B/X", "api/webhooks/1/x", "workflows/x", telegramTestToken, "tk_x", pagerdutyTestKey,
				matrixTestToken, gotifyTestToken, "mmhook", "rctoken", "gctoken",
				opsgenieTestKey, twilioTestToken, pushoverTestUser, pushoverTestToken, zulipTestKey} {
				assert.NotContains(t, string(shown), secret)
			}
			merged, err := MergeSecrets(typ, json.RawMessage(stored), shown)
			require.NoError(t, err)
			assert.JSONEq(t, stored, string(merged))
		})
	}
}
