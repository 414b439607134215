package httpapi_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/httpapi"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

func TestConfigOverHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		doc := "version: 1\ntargets:\n  - name: shop\n    url: https://shop.example.com/\n    tags: [prod]\n" +
			"status_pages:\n  - slug: shop\n    title: Shop\n    targets: [shop]\n"
		apply := func(query, body, contentType string) *response {
			// JSON is accepted beside the documented YAML (the description says so).
			return e.send(t, request{Method: http.MethodPost, Path: "/api/v1/config/apply" + query, Body: body,
				ContentType: contentType, InvalidRequest: contentType != "application/yaml"})
		}
		res := apply("?dry_run=true", doc, "application/yaml")
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		assert.Contains(t, string(res.Body), `"dry_run":true`)
		assert.Equal(t, 0, e.listTargets(t, "").Total, "a dry run changes nothing")

		res = apply("", doc, "application/yaml")
		require.Equal(t, http.StatusOK, res.Status)
		assert.Contains(t, string(res.Body), `{"kind":"target","name":"shop","action":"created"}`)
		// The same document as JSON is the same configuration: nothing changes.
		res = apply("", `{"version":1,"targets":[{"name":"shop","url":"https://shop.example.com/","tags":["prod"]}],`+
			`"status_pages":[{"slug":"shop","title":"Shop","targets":["shop"]}]}`, "application/json")
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		assert.NotContains(t, string(res.Body), `"created"`)
		assert.NotContains(t, string(res.Body), `"updated"`)

		// An error names the field and the line, and changes nothing.
		bad := strings.Replace(doc, "tags: [prod]", "tags: [prod]\n    interval_seconds: 5", 1)
		res = apply("", bad, "application/yaml")
		assert.Equal(t, http.StatusUnprocessableEntity, res.Status)
		p := res.Problem(t)
		assert.Equal(t, []string{"targets[0].interval_seconds"}, p.Fields())
		assert.Contains(t, p.Detail, "line 6, column 23:")
		res = apply("", "version: 1\ntargets: {", "application/yaml")
		assert.Equal(t, http.StatusUnprocessableEntity, res.Status)

		// Every error at once, each with its field, line and column; JSON too.
		for _, tc := range []struct{ name, body, contentType string }{
			{"yaml", "version: 1\ntargets:\n  - name: a\n    url: https://a.example.com/\n    interval_seconds: sixty\n    colour: red\n", "application/yaml"},
			{"json", "{\"version\": 1, \"targets\": [{\"name\": \"a\", \"url\": \"https://a.example.com/\",\n  \"interval_seconds\": \"sixty\", \"colour\": \"red\"}]}", "application/json"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := apply("", tc.body, tc.contentType)
				require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
				p := res.Problem(t)
				require.Len(t, p.Errors, 2, "%s", res.Body)
				assert.Equal(t, "targets[0].interval_seconds", p.Errors[0].Field)
				assert.Equal(t, `want a number, got "sixty"`, p.Errors[0].Message)
				assert.Equal(t, "targets[0].colour", p.Errors[1].Field)
				assert.Equal(t, `unknown field "colour"`, p.Errors[1].Message)
				if tc.name == "yaml" {
					assert.Equal(t, [4]int{5, 23, 6, 5}, [4]int{p.Errors[0].Line, p.Errors[0].Column, p.Errors[1].Line, p.Errors[1].Column})
				} else {
					assert.Equal(t, [4]int{2, 23, 2, 32}, [4]int{p.Errors[0].Line, p.Errors[0].Column, p.Errors[1].Line, p.Errors[1].Column})
				}
				assert.Contains(t, p.Detail, `targets[0].interval_seconds: want a number, got "sixty"; line `)
			})
		}
		// Past MaxErrors, errors[] holds the errors only; the detail counts the rest.
		var many strings.Builder
		many.WriteString("version: 1\ntargets:\n")
		for range 150 {
			many.WriteString("  - {name: a, url: 'https://a.example.com/', retries: many}\n")
		}
		res = apply("", many.String(), "application/yaml")
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
		p = res.Problem(t)
		require.Len(t, p.Errors, 100)
		for _, fe := range p.Errors {
			assert.Equal(t, `want a number, got "many"`, fe.Message)
		}
		assert.Equal(t, "targets[99].retries", p.Errors[99].Field)
		assert.True(t, strings.HasSuffix(p.Detail, `targets[99].retries: want a number, got "many"; and 50 more errors (fix these first)`), p.Detail)

		res = e.send(t, request{Method: http.MethodPost, Path: "/api/v1/config/apply", Body: doc, ContentType: "application/xml", InvalidRequest: true})
		assert.Equal(t, http.StatusUnsupportedMediaType, res.Status)

		// Over HTTP only WATCHDOG_* variables are read: an editor cannot pull the
		// server's own settings into a target.
		t.Setenv("JWT_SECRET_FOR_TEST", "must-not-leak")
		t.Setenv("WATCHDOG_TARGET_OK_AUTHORIZATION", "tok")
		res = apply("", "version: 1\ntargets:\n  - name: leak\n    url: https://example.com/?k=${JWT_SECRET_FOR_TEST}\n", "application/yaml")
		assert.Equal(t, http.StatusUnprocessableEntity, res.Status)
		assert.NotContains(t, string(res.Body), "must-not-leak")
		res = apply("?dry_run=true", "version: 1\ntargets:\n  - name: ok\n    url: https://example.com/\n    headers: {Authorization: '${WATCHDOG_TARGET_OK_AUTHORIZATION}'}\n", "application/yaml")
		assert.Equal(t, http.StatusOK, res.Status, "%s", res.Body)

		// Nor a WATCHDOG_* secret outside the field it was exported from: in a URL
		// (readable by every viewer) or another target's credential header (sent to a
		// server the editor chose) it is a 422 naming the line, and nothing changes.
		t.Setenv("WATCHDOG_CHANNEL_OPS_SECRET", "ops-webhook-secret")
		for _, tc := range []struct{ doc, field, line string }{
			{"version: 1\ntargets:\n  - name: leak\n    url: https://example.com/?k=${WATCHDOG_CHANNEL_OPS_SECRET}\n", "targets[0].url", "line 4, column 10:"},
			{"version: 1\ntargets:\n  - name: leak\n    url: https://example.com/\n    headers:\n      X-Note: ${WATCHDOG_CHANNEL_OPS_SECRET}\n", "targets[0].headers.X-Note", "line 6, column 15:"},
			{"version: 1\ntargets:\n  - name: leak\n    url: https://example.com/\n    headers:\n      Authorization: ${WATCHDOG_CHANNEL_OPS_SECRET}\n", "targets[0].headers.Authorization", "line 6, column 22:"},
		} {
			res = apply("", tc.doc, "application/yaml")
			require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
			p := res.Problem(t)
			assert.Contains(t, p.Detail, tc.line)
			assert.Equal(t, []string{tc.field}, p.Fields())
			assert.NotContains(t, string(res.Body), "ops-webhook-secret")
		}
		res = e.get(t, "/api/v1/targets?q=leak")
		assert.Contains(t, string(res.Body), `"total":0`)

		res = e.get(t, "/api/v1/config/export")
		require.Equal(t, http.StatusOK, res.Status)
		assert.Equal(t, "application/yaml", res.Header.Get("Content-Type"))
		assert.Contains(t, string(res.Body), "name: shop")
		assert.Contains(t, string(res.Body), "slug: shop")

		res = e.get(t, "/api/v1/audit?kind=config")
		require.Equal(t, http.StatusOK, res.Status)
		assert.Contains(t, string(res.Body), `"target shop":{"after":"created"}`)
		assert.Contains(t, string(res.Body), `"total":1`, "the no-op apply is not recorded")
		assert.Contains(t, string(res.Body), `"actor":"admin"`)
		res = e.get(t, "/api/v1/audit?kind=target")
		require.Equal(t, http.StatusOK, res.Status)
		assert.Contains(t, string(res.Body), `"action":"create","kind":"target"`, "each object has its entry")
		assert.Contains(t, string(res.Body), `"object_name":"shop"`)
	})
}

// brokenUpload is a request body whose connection fails part way, as a client's that
// stalls past the server's read timeout or hangs up does.
type brokenUpload struct{ sent bool }

func (b *brokenUpload) Read(p []byte) (int, error) {
	if !b.sent {
		b.sent = true
		return copy(p, "version: 1\ntargets:\n"), nil
	}
	return 0, &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
}

// TestBrokenUploadIsTheClients: a document whose upload breaks off is a 400, not the
// 503 of a database outage, and leaves the replica ready and checking.
func TestBrokenUploadIsTheClients(t *testing.T) {
	s := storetest.SQLite(t)
	e := newEnv(t, s)
	req := httptest.NewRequest(http.MethodPost, "/api/v1/config/apply", &brokenUpload{})
	req.Header.Set("Content-Type", "application/yaml")
	req.Header.Set("Authorization", "Bearer "+e.Token)
	rec := httptest.NewRecorder()
	e.echo.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusBadRequest, rec.Code, "%s", rec.Body)
	assert.Contains(t, rec.Body.String(), "body")
	res := e.send(t, request{Method: http.MethodGet, Path: "/readyz", NoAuth: true})
	assert.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
}

// TestConfigApplyReadsDepsEnv: the API fills references from the variables main hands
// it (the environment over ./.env), as `watchdog apply` does, not from the process
// environment alone; still only WATCHDOG_* ones.
func TestConfigApplyReadsDepsEnv(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"WATCHDOG_TARGET_OK_AUTHORIZATION": "from-dotenv", "JWT_SECRET": "must-not-leak"}
	e := newEnv(t, nil, func(d *httpapi.Deps) {
		d.Env = func(name string) string { return vars[name] }
	})
	tests := []struct {
		name, ref string
		status    int
	}{
		{"a WATCHDOG_ variable only the deps know", "WATCHDOG_TARGET_OK_AUTHORIZATION", http.StatusOK},
		{"a setting, never", "JWT_SECRET", http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := e.send(t, request{Method: http.MethodPost, Path: "/api/v1/config/apply?dry_run=true", ContentType: "application/yaml",
				Body: "version: 1\ntargets:\n  - name: ok\n    url: https://example.com/\n    headers: {Authorization: '${" + tt.ref + "}'}\n"})
			assert.Equal(t, tt.status, res.Status, "%s", res.Body)
			assert.NotContains(t, string(res.Body), "must-not-leak")
		})
	}
}
