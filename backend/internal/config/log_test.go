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
		{"check_retention", "30d"},
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

	// pgx reads a password from the query as well as from user:pass@, and a SQLite
	// path or a libpq key=value string can carry one too: every form is masked, in
	// the log and in String().
	for _, tc := range []struct {
		name, url, want string
		secrets         []string
	}{
		{"password in the query", "postgres://u@db/x?password=qsecret", "postgres://u@db/x?password=xxxxx", []string{"qsecret"}},
		{"sslpassword in the query", "postgres://u@db/x?sslmode=verify-full&sslpassword=ssl-secret", "postgres://u@db/x?sslmode=verify-full&sslpassword=xxxxx", []string{"ssl-secret"}},
		{"both and user info", "postgres://u:upw-secret@db/x?password=q-secret&sslpassword=s-secret&application_name=wd",
			"postgres://u:xxxxx@db/x?password=xxxxx&sslpassword=xxxxx&application_name=wd", []string{"upw-secret", "q-secret", "s-secret"}},
		{"any key naming a secret", "postgres://db/x?client_secret=c-secret&auth_token=t-secret&PassWord=p-secret",
			"postgres://db/x?client_secret=xxxxx&auth_token=xxxxx&PassWord=xxxxx", []string{"c-secret", "t-secret", "p-secret"}},
		{"an escaped key", "postgres://db/x?pass%77ord=e-secret", "postgres://db/x?pass%77ord=xxxxx", []string{"e-secret"}},
		{"key=value form", "host=db user=u password=kv-secret dbname=x", "host=db user=u password=xxxxx dbname=x", []string{"kv-secret"}},
		{"key=value form, quoted", "host=db password='kv secret' sslpassword=ssl-kv", "host=db password=xxxxx sslpassword=xxxxx", []string{"kv secret", "ssl-kv"}},
		{"digits then # in the password", "postgres://wd:2024#Spring@db/wd", "postgres://xxxxx@db/wd", []string{"2024", "Spring"}},
		{"digits then / in the password", "postgres://wd:123/abc@db/wd", "postgres://xxxxx@db/wd", []string{"123/abc", "abc@"}},
		{"digits then ? in the password", "postgres://wd:2024?Spring@db/wd", "postgres://xxxxx@db/wd", []string{"2024", "Spring"}},
		{"postgresql://, digits then # in the password", "postgresql://wd:2024#Spring@db/wd?sslmode=require",
			"postgresql://xxxxx@db/wd?sslmode=require", []string{"2024", "Spring"}},
		{"digits then / in the password, and a password in the query", "postgres://wd:123/abc@db/wd?password=q-secret",
			"postgres://xxxxx@db/wd?password=xxxxx", []string{"123/abc", "abc@", "q-secret"}},
		{"# in a password in the query", "postgres://u@db/x?password=q-secret#more-secret", "postgres://u@db/x?password=xxxxx#xxxxx", []string{"q-secret", "more-secret"}},
		{"an escaped @ in the password", "postgres://user:p%40ss@h/db", "postgres://user:xxxxx@h/db", []string{"p%40ss", "p@ss"}},
		{"does not parse", "postgres://wd:p%zzss@db/wd", "(unparseable)", []string{"p%zzss", "zzss"}},
		{"a SQLite path with a query", "file:data/x.db?password=f-secret&mode=rwc", "file:data/x.db?password=xxxxx&mode=rwc", []string{"f-secret"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			c.DatabaseURL = tc.url
			assert.Equal(t, tc.want, loggedConfig(t, c)["database_url"])
			assert.Equal(t, tc.want, MaskURL(tc.url))
			for _, secret := range tc.secrets {
				assert.NotContains(t, c.String(), secret)
				assert.NotContains(t, MaskURL(tc.url), secret)
			}
		})
	}
}

// A setting added to Config must be added to LogValue too, or the start-up line
// silently stops describing the running server.
func TestConfigLogNamesEverySetting(t *testing.T) {
	got := loggedConfig(t, Default())
	assert.Len(t, got, reflect.TypeFor[Config]().NumField(),
		"LogValue (config/log.go) logs every field of Config: add the new setting there, masked if it is a secret")
}
