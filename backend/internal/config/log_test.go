package config

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loggedConfig logs c the way the server does at start-up, as JSON, and returns the
// "config" object.
func loggedConfig(t *testing.T, c Config) map[string]any {
	t.Helper()
	var out bytes.Buffer
	slog.New(slog.NewJSONHandler(&out, nil)).Info("starting", "config", c)
	var line struct {
		Config map[string]any `json:"config"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &line), out.String())
	return line.Config
}

func TestConfigLogsAsFields(t *testing.T) {
	c, err := Load(nil, env(map[string]string{
		"WORKERS": "12", "ALLOW_PRIVATE_TARGETS": "true", "CHECK_RETENTION": "30d",
		"TRUSTED_PROXIES": "10.0.0.0/8, 192.168.0.0/16", "CORS_ALLOWED_ORIGINS": "https://a.example",
	}))
	require.NoError(t, err)
	got := loggedConfig(t, c)
	for _, tc := range []struct {
		key  string
		want any
	}{
		{"workers", float64(12)},
		{"allow_private_targets", true},
		{"check_retention", "720h0m0s"},
		{"shutdown_timeout", "20s"},
		{"listen_addr", ":8080"},
		{"trusted_proxies", "10.0.0.0/8,192.168.0.0/16"},
		{"cors_allowed_origins", "https://a.example"},
		{"database_url", "(sqlite default)"},
		{"jwt_secret", "(unset)"},
		{"smtp_port", float64(587)},
	} {
		t.Run(tc.key, func(t *testing.T) {
			assert.Equal(t, tc.want, got[tc.key])
		})
	}
}

func TestConfigLogMasksSecrets(t *testing.T) {
	secrets := map[string]string{
		"JWT_SECRET":    strings.Repeat("j", 40),
		"ADMIN_PASS":    "admin-pass-hunter2",
		"SMTP_PASSWORD": "smtp-pass-hunter2",
		"METRICS_TOKEN": "metrics-token-hunter2",
		"DATABASE_URL":  "postgres://watchdog:db-pass-hunter2@db:5432/watchdog",
	}
	c, err := Load(nil, env(secrets))
	require.NoError(t, err)
	got := loggedConfig(t, c)
	raw, err := json.Marshal(got)
	require.NoError(t, err)
	for name, secret := range secrets {
		t.Run(name, func(t *testing.T) {
			// The URL's user name stays; the password part is the secret.
			if name == "DATABASE_URL" {
				secret = "db-pass-hunter2"
			}
			assert.NotContains(t, string(raw), secret)
		})
	}
	for key, want := range map[string]string{
		"jwt_secret": "(set)", "admin_pass": "(set)", "smtp_password": "(set)", "metrics_token": "(set)",
		"database_url": "postgres://watchdog:xxxxx@db:5432/watchdog",
	} {
		assert.Equal(t, want, got[key], key)
	}
}

// A setting added to Config must be added to LogValue too, or the start-up line
// silently stops describing the running server.
func TestConfigLogNamesEverySetting(t *testing.T) {
	got := loggedConfig(t, Default())
	assert.Len(t, got, reflect.TypeFor[Config]().NumField(),
		"LogValue (config/log.go) logs every field of Config: add the new setting there, masked if it is a secret")
}
