package httpapi_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/httpapi"
)

func TestDashboardIsServed(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "assets"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html><title>WatchDog</title>"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "assets", "app-1a2b.js"), []byte("console.log(1)"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "favicon.svg"), []byte("<svg/>"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(t.TempDir(), "secret.txt"), []byte("nope"), 0o644))
	e := newEnv(t, nil, func(d *httpapi.Deps) { d.FrontendDir = dir })

	tests := []struct {
		name, path  string
		status      int
		body, cache string
	}{
		{"root is the app", "/", 200, "<title>WatchDog</title>", "no-cache"},
		{"a route of the app is the app", "/targets/12", 200, "<title>WatchDog</title>", "no-cache"},
		{"a hashed asset is kept for good", "/assets/app-1a2b.js", 200, "console.log(1)", "public, max-age=31536000, immutable"},
		{"another file", "/favicon.svg", 200, "<svg/>", "no-cache"},
		{"a missing asset is 404, not the app", "/assets/app-old.js", 404, "not-found", ""},
		{"a missing config file is 404", "/config.json", 404, "not-found", ""},
		{"no way out of the directory", "/../../etc/passwd", 200, "<title>WatchDog</title>", "no-cache"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := e.send(t, request{Method: http.MethodGet, Path: tc.path, NoAuth: true, OffSpec: true})
			assert.Equal(t, tc.status, res.Status)
			assert.Contains(t, string(res.Body), tc.body)
			if tc.cache != "" {
				assert.Equal(t, tc.cache, res.Header.Get("Cache-Control"))
			}
			assert.NotEmpty(t, res.Header.Get("Content-Security-Policy"), "the app is served under the CSP")
		})
	}
	api := e.get(t, "/api/v1/stats")
	assert.Equal(t, http.StatusOK, api.Status, "the API is not shadowed by the app")
}
