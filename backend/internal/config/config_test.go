package config

import (
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestDefaults(t *testing.T) {
	c, err := Load(nil, env(nil))
	require.NoError(t, err)
	assert.Equal(t, ":8080", c.ListenAddr)
	assert.Equal(t, "admin", c.AdminUser)
	assert.Equal(t, 30, c.MinIntervalSeconds)
	assert.False(t, c.AllowPrivateTargets)
	assert.Empty(t, c.DatabaseURL, "SQLite by default")
}

func TestEnvironmentAndFlags(t *testing.T) {
	c, err := Load([]string{"-WORKERS", "8"}, env(map[string]string{
		"WORKERS": "4", "ALLOW_PRIVATE_TARGETS": "true", "CORS_ALLOWED_ORIGINS": "https://a.example, https://b.example",
		"CHECK_RETENTION": "30d", "TRUSTED_PROXIES": "10.0.0.0/8",
	}))
	require.NoError(t, err)
	assert.Equal(t, 8, c.Workers, "a flag wins over the environment")
	assert.True(t, c.AllowPrivateTargets)
	assert.Equal(t, []string{"https://a.example", "https://b.example"}, c.CORSAllowedOrigins)
	assert.Equal(t, 720*time.Hour, c.CheckRetention)
	require.Len(t, c.TrustedProxies, 1)
	assert.Equal(t, "10.0.0.0/8", c.TrustedProxies[0].String())
}

func TestBadSettingsAreRefused(t *testing.T) {
	tests := map[string]map[string]string{
		"JWT_SECRET":            {"JWT_SECRET": "too-short"},
		"WORKERS":               {"WORKERS": "many"},
		"MIN_INTERVAL_SECONDS":  {"MIN_INTERVAL_SECONDS": "0"},
		"ALLOW_PRIVATE_TARGETS": {"ALLOW_PRIVATE_TARGETS": "maybe"},
		"CHECK_RETENTION":       {"CHECK_RETENTION": "5m"},
		"LOG_FORMAT":            {"LOG_FORMAT": "xml"},
		"TRUSTED_PROXIES":       {"TRUSTED_PROXIES": "not-a-cidr"},
		"FRONTEND_DIR":          {"FRONTEND_DIR": "/does/not/exist"},
		"SELF_PING_URL":         {"SELF_PING_URL": "hc.example.com/ping/x"},
	}
	for name, vars := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Load(nil, env(vars))
			require.Error(t, err)
			assert.Contains(t, err.Error(), name)
		})
	}
}

func TestSecretsAreMaskedWhenPrinted(t *testing.T) {
	c, err := Load(nil, env(map[string]string{
		"JWT_SECRET": strings.Repeat("s", 40), "ADMIN_PASS": "hunter2-hunter2",
		"DATABASE_URL":  "postgres://watchdog:db-password@db:5432/watchdog",
		"SELF_PING_URL": "https://hc.example.com/api/v1/ping/ping-token-secret",
	}))
	require.NoError(t, err)
	out := c.String()
	for _, secret := range []string{strings.Repeat("s", 40), "hunter2-hunter2", "db-password", "ping-token-secret"} {
		assert.NotContains(t, out, secret)
	}
	assert.Contains(t, out, "watchdog:xxxxx@db:5432")
}

// TestFlagsAreTyped: each setting's flag prints its default as the README writes it,
// and a setting's boolean flag takes its value.
func TestFlagsAreTyped(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	c := Default()
	c.AddFlags(fs)
	tests := []struct{ name, typ, def string }{
		{"AUDIT_RETENTION", "duration", "365d"},
		{"CHECK_RETENTION", "duration", "7d"},
		{"SHUTDOWN_TIMEOUT", "duration", "20s"},
		{"DEGRADED_WINDOW", "duration", "5m"},
		{"ALLOW_PRIVATE_TARGETS", "bool", "false"},
		{"METRICS_PER_TARGET", "bool", "true"},
		{"WORKERS", "int", "5000"},
		{"DEGRADED_RATIO", "number", "0.5"},
		{"TRUSTED_PROXIES", "cidrs", ""},
		{"LISTEN_ADDR", "string", ":8080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fs.Lookup(tt.name)
			require.NotNil(t, f)
			assert.Equal(t, tt.typ, TypeName(f.Value))
			assert.Equal(t, tt.def, f.DefValue)
		})
	}
	require.NoError(t, fs.Parse([]string{"-ALLOW_PRIVATE_TARGETS", "true", "-AUDIT_RETENTION", "30d", "-TRUSTED_PROXIES", "10.0.0.0/8, 192.168.0.0/16"}))
	assert.Empty(t, fs.Args(), "the boolean setting took its value")
	assert.True(t, c.AllowPrivateTargets)
	assert.Equal(t, 30*24*time.Hour, c.AuditRetention)
	assert.Len(t, c.TrustedProxies, 2)
}

func TestFormatDuration(t *testing.T) {
	tests := map[time.Duration]string{
		365 * 24 * time.Hour:          "365d",
		36 * time.Hour:                "36h",
		90 * time.Minute:              "1h30m",
		5 * time.Minute:               "5m",
		20 * time.Second:              "20s",
		1500 * time.Millisecond:       "1.5s",
		24*time.Hour + 30*time.Minute: "24h30m",
		0:                             "0s",
	}
	for d, want := range tests {
		t.Run(want, func(t *testing.T) {
			assert.Equal(t, want, FormatDuration(d))
			back, err := target.ParseDays(want)
			require.NoError(t, err)
			assert.Equal(t, d, back, "reads back")
		})
	}
}

// TestEnvErrorsDoNotQuoteValues: a variable that does not parse is named, its value
// is not (it may be a secret put in the wrong variable).
func TestEnvErrorsDoNotQuoteValues(t *testing.T) {
	_, err := Load(nil, env(map[string]string{"WORKERS": "hunter2", "CHECK_RETENTION": "hunter3"}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "WORKERS: not a whole number")
	assert.Contains(t, err.Error(), "CHECK_RETENTION: not a duration")
	assert.NotContains(t, err.Error(), "hunter")

	c, err := Load([]string{"-WORKERS", "8"}, env(map[string]string{"WORKERS": "hunter2"}))
	require.NoError(t, err, "a flag given makes its variable unread")
	assert.Equal(t, 8, c.Workers)
}
