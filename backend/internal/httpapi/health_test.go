package httpapi_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/watchdog-monitor/watchdog/backend/internal/apidoc"
	"github.com/watchdog-monitor/watchdog/backend/internal/logtest"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

func TestHealthAndDocs(t *testing.T) {
	e := newEnv(t, nil)
	runScenarios(t, e, []apiScenario{
		{Name: "liveness", Method: http.MethodGet, URL: "/healthz", NoAuth: true,
			ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"status":"ok"`},
			ExpectedHeaders: map[string]string{"Content-Type": "application/json"}},
		{Name: "readiness", Method: http.MethodGet, URL: "/readyz", NoAuth: true,
			ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"status":"ok"`}},
		{Name: "the OpenAPI document", Method: http.MethodGet, URL: "/openapi.json", NoAuth: true,
			ExpectedStatus: http.StatusOK, ExpectedHeaders: map[string]string{"Content-Type": "application/json"},
			AfterTest: func(t *testing.T, res *response) {
				var doc map[string]any
				require.NoError(t, json.Unmarshal(res.Body, &doc), "valid JSON")
				assert.Equal(t, "3.0.3", doc["openapi"])
				assert.Equal(t, apidoc.OpenAPI, res.Body, "served as embedded")
			}},
		// Relative redirects, so that a proxy's path prefix is kept (TestDocsRedirectKeepsAPrefix).
		{Name: "docs redirect", Method: http.MethodGet, URL: "/docs", NoAuth: true,
			ExpectedStatus: http.StatusFound, ExpectedHeaders: map[string]string{"Location": "docs/index.html"}},
		{Name: "docs/ redirect", Method: http.MethodGet, URL: "/docs/", NoAuth: true,
			ExpectedStatus: http.StatusFound, ExpectedHeaders: map[string]string{"Location": "index.html"}},
		{Name: "docs page", Method: http.MethodGet, URL: "/docs/index.html", NoAuth: true,
			ExpectedStatus: http.StatusOK, ExpectedContent: []string{"<html", "swagger", "/openapi.json"},
			AfterTest: func(t *testing.T, res *response) {
				assert.True(t, strings.HasPrefix(res.Header.Get("Content-Type"), "text/html"), res.Header.Get("Content-Type"))
				// Swagger UI's inline bootstrap needs a looser policy than the API's.
				assert.Contains(t, res.Header.Get("Content-Security-Policy"), "'unsafe-inline'")
			}},
	})
}

func TestReadinessFailsWithoutTheDatabase(t *testing.T) {
	s := storetest.SQLite(t)
	e := newEnv(t, s)
	require.NoError(t, s.Close())
	runScenarios(t, e, []apiScenario{
		{Name: "readyz", Method: http.MethodGet, URL: "/readyz", NoAuth: true,
			ExpectedStatus: http.StatusServiceUnavailable, ExpectedContent: []string{"urn:watchdog:problem:unavailable"}},
		{Name: "healthz still answers", Method: http.MethodGet, URL: "/healthz", NoAuth: true, ExpectedStatus: http.StatusOK},
		// A store failure is a documented 500 problem, not a hang or a bare error.
		{Name: "a read needing the database", Method: http.MethodGet, URL: "/api/v1/stats",
			ExpectedStatus: http.StatusInternalServerError, ExpectedContent: []string{"urn:watchdog:problem:internal"},
			NotExpectedContent: []string{"sql", "closed"}},
	})
}

func TestResponseHeaders(t *testing.T) {
	e := newEnv(t, nil)
	// The transport checks X-Request-Id, nosniff, a CSP, no-store on /api and the
	// problem's request_id on every exchange; these scenarios reach each kind of answer.
	runScenarios(t, e, []apiScenario{
		{Name: "a JSON answer", Method: http.MethodGet, URL: "/api/v1/stats", ExpectedStatus: http.StatusOK,
			ExpectedHeaders: map[string]string{"Cache-Control": "no-store", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"},
			AfterTest: func(t *testing.T, res *response) {
				csp := res.Header.Get("Content-Security-Policy")
				assert.Contains(t, csp, "frame-ancestors 'none'")
				assert.NotContains(t, csp, "unsafe-inline", "the API's own policy allows no inline script")
			}},
		{Name: "a 401 problem", Method: http.MethodGet, URL: "/api/v1/stats", NoAuth: true, ExpectedStatus: http.StatusUnauthorized,
			ExpectedHeaders: map[string]string{"Cache-Control": "no-store", "Content-Type": "application/problem+json"}},
		{Name: "a 404 problem", Method: http.MethodGet, URL: "/api/v1/targets/424242", ExpectedStatus: http.StatusNotFound},
		{Name: "a 400 problem", Method: http.MethodGet, URL: "/api/v1/targets?limit=x", InvalidRequest: true, ExpectedStatus: http.StatusBadRequest},
		{Name: "an unknown API route", Method: http.MethodGet, URL: "/api/v1/no-such-thing", OffSpec: true,
			ExpectedStatus: http.StatusNotFound, ExpectedContent: []string{"urn:watchdog:problem:not-found"}},
		{Name: "an unknown route outside the API", Method: http.MethodGet, URL: "/no-such-thing", NoAuth: true, OffSpec: true,
			ExpectedStatus: http.StatusNotFound, ExpectedContent: []string{"urn:watchdog:problem:not-found"}},
		{Name: "a health answer", Method: http.MethodGet, URL: "/healthz", NoAuth: true, ExpectedStatus: http.StatusOK},
	})

	t.Run("a method the path does not take", func(t *testing.T) {
		res := e.send(t, request{Method: http.MethodPut, Path: "/api/v1/stats", Body: `{}`, OffSpec: true})
		// 405 would be more exact; Echo's catch-all route for the authenticated group
		// answers 404 first (see the report). Either way: a problem, never a 2xx.
		assert.Contains(t, []int{http.StatusNotFound, http.StatusMethodNotAllowed}, res.Status)
		assert.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
	})
	t.Run("request ids differ per request", func(t *testing.T) {
		a := e.get(t, "/api/v1/stats").Header.Get("X-Request-Id")
		b := e.get(t, "/api/v1/stats").Header.Get("X-Request-Id")
		assert.NotEqual(t, a, b)
	})
	t.Run("a problem's request_id is its X-Request-Id", func(t *testing.T) {
		res := e.get(t, "/api/v1/targets/424242")
		p := res.Problem(t)
		assert.NotEmpty(t, p.RequestID)
		assert.Equal(t, res.Header.Get("X-Request-Id"), p.RequestID)
	})
}

func TestCORS(t *testing.T) {
	const allowed, other = "https://dash.example", "https://evil.example"
	preflight := func(origin string) map[string]string {
		return map[string]string{
			"Origin":                         origin,
			"Access-Control-Request-Method":  http.MethodPatch,
			"Access-Control-Request-Headers": "authorization,content-type",
		}
	}

	t.Run("with an allowed origin", func(t *testing.T) {
		e := newEnv(t, nil, withCORS(allowed))
		runScenarios(t, e, []apiScenario{
			{Name: "preflight from the allowed origin", Method: http.MethodOptions, URL: "/api/v1/targets/1", NoAuth: true,
				Headers: preflight(allowed), ExpectedStatus: http.StatusNoContent,
				ExpectedHeaders: map[string]string{"Access-Control-Allow-Origin": allowed, "Access-Control-Max-Age": "600"},
				AfterTest: func(t *testing.T, res *response) {
					assert.Contains(t, res.Header.Get("Access-Control-Allow-Methods"), http.MethodPatch)
					assert.Contains(t, strings.ToLower(res.Header.Get("Access-Control-Allow-Headers")), "authorization")
					assert.Contains(t, strings.ToLower(res.Header.Get("Access-Control-Allow-Headers")), "content-type")
				}},
			{Name: "preflight from another origin", Method: http.MethodOptions, URL: "/api/v1/targets/1", NoAuth: true,
				Headers: preflight(other), ExpectedStatus: http.StatusNoContent,
				ExpectedHeaders: map[string]string{"Access-Control-Allow-Origin": ""},
				AfterTest: func(t *testing.T, res *response) {
					assert.Empty(t, res.Header.Get("Access-Control-Allow-Methods"))
				}},
			{Name: "a request from the allowed origin", Method: http.MethodGet, URL: "/api/v1/stats",
				Headers: map[string]string{"Origin": allowed}, ExpectedStatus: http.StatusOK,
				ExpectedHeaders: map[string]string{"Access-Control-Allow-Origin": allowed},
				AfterTest: func(t *testing.T, res *response) {
					exposed := strings.ToLower(res.Header.Get("Access-Control-Expose-Headers"))
					for _, h := range []string{"location", "x-request-id", "retry-after"} {
						assert.Contains(t, exposed, h)
					}
				}},
			{Name: "a request from another origin", Method: http.MethodGet, URL: "/api/v1/stats",
				Headers: map[string]string{"Origin": other}, ExpectedStatus: http.StatusOK,
				ExpectedHeaders: map[string]string{"Access-Control-Allow-Origin": ""}},
			{Name: "an error from the allowed origin is readable", Method: http.MethodGet, URL: "/api/v1/stats", NoAuth: true,
				Headers: map[string]string{"Origin": allowed}, ExpectedStatus: http.StatusUnauthorized,
				ExpectedHeaders: map[string]string{"Access-Control-Allow-Origin": allowed}},
		})
	})

	t.Run("without allowed origins", func(t *testing.T) {
		e := newEnv(t, nil)
		t.Run("preflight", func(t *testing.T) {
			// No CORS middleware: Echo answers OPTIONS itself, but grants no origin, so a
			// browser refuses the cross-origin call.
			res := e.send(t, request{Method: http.MethodOptions, Path: "/api/v1/targets/1", NoAuth: true, Headers: preflight(allowed)})
			assert.Empty(t, res.Header.Get("Access-Control-Allow-Origin"))
			assert.Empty(t, res.Header.Get("Access-Control-Allow-Methods"))
		})
		runScenarios(t, e, []apiScenario{
			{Name: "a request", Method: http.MethodGet, URL: "/api/v1/stats",
				Headers: map[string]string{"Origin": allowed}, ExpectedStatus: http.StatusOK,
				ExpectedHeaders: map[string]string{"Access-Control-Allow-Origin": ""}},
		})
	})
}

// TestDatabaseOutageIs503: while the database cannot take writes (here PostgreSQL made
// read-only under the running server), a write is answered 503 with Retry-After, so
// clients and the SDK try again, readiness says writes fail and why, and the outage
// is logged once, however many requests meet it.
func TestDatabaseOutageIs503(t *testing.T) {
	ctx := context.Background()
	dbURL := storetest.PostgresURL(t)
	var logs logtest.Buffer
	s, err := store.Open(ctx, dbURL, slog.New(slog.NewTextHandler(&logs, nil)))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	_, err = s.Migrate(ctx)
	require.NoError(t, err)
	e := newEnv(t, s)

	admin, err := pgx.Connect(ctx, storetest.DefaultAdminURL)
	require.NoError(t, err)
	defer func() { _ = admin.Close(ctx) }()
	name := strings.TrimPrefix(mustParseURL(t, dbURL).Path, "/")
	_, err = admin.Exec(ctx, "ALTER DATABASE "+name+" SET default_transaction_read_only = on")
	require.NoError(t, err)
	// Sessions take the setting when they start: end the server's.
	_, err = admin.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name)
	require.NoError(t, err)

	// The first request after that may meet a connection the server ended (57P01,
	// "shutting down"); the pool then opens read-only ones.
	require.Eventually(t, func() bool { return e.get(t, "/api/v1/targets").Status == http.StatusOK },
		5*time.Second, 50*time.Millisecond)

	unavailable := apiScenario{Name: "a write while the database is read-only", Method: http.MethodPost, URL: "/api/v1/targets",
		Body: `{"url":"https://example.com/"}`, ExpectedStatus: http.StatusServiceUnavailable,
		ExpectedContent:    []string{"urn:watchdog:problem:unavailable", "read-only"},
		NotExpectedContent: []string{"SQLSTATE", "25006"},
		ExpectedHeaders:    map[string]string{"Retry-After": "5", "Content-Type": "application/problem+json"}}
	runScenarios(t, e, []apiScenario{unavailable, unavailable, unavailable,
		{Name: "reads still work", Method: http.MethodGet, URL: "/api/v1/targets", ExpectedStatus: http.StatusOK},
		{Name: "readiness says writes fail", Method: http.MethodGet, URL: "/readyz", NoAuth: true,
			ExpectedStatus:  http.StatusServiceUnavailable,
			ExpectedContent: []string{"urn:watchdog:problem:unavailable", "writes are failing", "read-only"}},
	})
	var failing []string
	for line := range strings.SplitSeq(logs.String(), "\n") {
		if strings.Contains(line, "level=ERROR") || strings.Contains(line, "level=WARN") {
			failing = append(failing, line)
		}
	}
	assert.Len(t, failing, 1, "one line when the outage starts, not one per request:\n%s", logs.String())
}

func mustParseURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u
}

// Behind a reverse proxy that mounts WatchDog under /watchdog and strips the prefix,
// the browser asks for /watchdog/docs while the server sees /docs: the redirect must
// land on /watchdog/docs/index.html, not /docs/index.html at the proxy's root. It
// does so directly, and from the server's root too.
func TestDocsRedirectKeepsAPrefix(t *testing.T) {
	e := newEnv(t, nil)
	for _, tt := range []struct{ asked, seen, want string }{
		{"https://proxy.test/watchdog/docs", "/docs", "https://proxy.test/watchdog/docs/index.html"},
		{"https://proxy.test/watchdog/docs/", "/docs/", "https://proxy.test/watchdog/docs/index.html"},
		{"https://watchdog.test/docs", "/docs", "https://watchdog.test/docs/index.html"},
		{"https://watchdog.test/docs/", "/docs/", "https://watchdog.test/docs/index.html"},
	} {
		t.Run(tt.asked, func(t *testing.T) {
			res := e.send(t, request{Method: http.MethodGet, Path: tt.seen, NoAuth: true})
			require.Equal(t, http.StatusFound, res.Status)
			loc, err := url.Parse(res.Header.Get("Location"))
			require.NoError(t, err)
			assert.False(t, loc.IsAbs() || strings.HasPrefix(loc.Path, "/"), "relative: %s", loc)
			assert.Equal(t, tt.want, mustParseURL(t, tt.asked).ResolveReference(loc).String())
			page := e.send(t, request{Method: http.MethodGet, Path: mustParseURL(t, "https://watchdog.test"+tt.seen).ResolveReference(loc).Path, NoAuth: true})
			assert.Equal(t, http.StatusOK, page.Status, "the redirect lands on the page")
		})
	}
}

// TestDocsPageLoadsEverythingItAsks reads the docs page, finds every file it loads
// (stylesheet, icons, scripts, and the document its script fetches) and gets each one
// the way the browser would: none may fail. The old Swagger UI set-up also offered
// doc.json and doc.yaml, which answered 500; those names are gone (404).
func TestDocsPageLoadsEverythingItAsks(t *testing.T) {
	e := newEnv(t, nil)
	page := e.send(t, request{Method: http.MethodGet, Path: "/docs/index.html", NoAuth: true})
	require.Equal(t, http.StatusOK, page.Status)
	refs := regexp.MustCompile(`(?:href|src)="([^"]+)"|new URL\('([^']+)'`).FindAllStringSubmatch(string(page.Body), -1)
	base, err := url.Parse("http://watchdog.test/docs/index.html")
	require.NoError(t, err)
	wantType := map[string]string{".css": "text/css", ".js": "text/javascript", ".png": "image/png", ".json": "application/json"}
	seen := map[string]bool{}
	for _, m := range refs {
		ref := m[1] + m[2]
		u, err := base.Parse(ref)
		require.NoError(t, err, ref)
		if u.Path == "/" || seen[u.Path] {
			continue // the server the page offers "Try it out" against, not a file
		}
		seen[u.Path] = true
		t.Run(u.Path, func(t *testing.T) {
			res := e.send(t, request{Method: http.MethodGet, Path: u.Path, NoAuth: true})
			assert.Equal(t, http.StatusOK, res.Status)
			assert.NotEmpty(t, res.Body)
			ct := res.Header.Get("Content-Type")
			assert.True(t, strings.HasPrefix(ct, wantType[path.Ext(u.Path)]), "%s answered as %q", u.Path, ct)
		})
	}
	// The stylesheet, two icons, the Swagger UI bundle and the OpenAPI document.
	assert.Len(t, seen, 5, "files the page loads: %v", seen)
	assert.True(t, seen["/openapi.json"], "the page loads the OpenAPI 3 document")

	for _, gone := range []string{"/docs/doc.json", "/docs/doc.yaml", "/docs/swagger-initializer.js", "/docs/nothing"} {
		res := e.send(t, request{Method: http.MethodGet, Path: gone, NoAuth: true})
		assert.Equal(t, http.StatusNotFound, res.Status, gone)
	}
}
