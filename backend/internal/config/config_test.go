package config

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
		"DATABASE_URL": "postgres://watchdog:db-password@db:5432/watchdog",
	}))
	require.NoError(t, err)
	out := c.String()
	for _, secret := range []string{strings.Repeat("s", 40), "hunter2-hunter2", "db-password"} {
		assert.NotContains(t, out, secret)
	}
	assert.Contains(t, out, "watchdog:xxxxx@db:5432")
}
