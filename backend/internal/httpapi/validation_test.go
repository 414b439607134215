package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/httpapi"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// badTargets are create bodies that must be refused, each naming its field. InvalidRequest
// marks those the OpenAPI document itself already rules out (wrong type, unknown
// field, a method outside the enum); the rest are valid JSON for the document and only
// the server's rules catch them.
var badTargets = []apiScenario{
	{Name: "url missing", Body: `{"name":"x"}`, InvalidRequest: true, ExpectedStatus: 422, ExpectedFields: []string{"url"}},
	{Name: "url empty", Body: `{"url":""}`, ExpectedStatus: 422, ExpectedFields: []string{"url"}},
	{Name: "url ftp", Body: `{"url":"ftp://x"}`, ExpectedStatus: 422, ExpectedFields: []string{"url"}},
	{Name: "url relative", Body: `{"url":"/health"}`, ExpectedStatus: 422, ExpectedFields: []string{"url"}},
	{Name: "url without host", Body: `{"url":"http://"}`, ExpectedStatus: 422, ExpectedFields: []string{"url"}},
	{Name: "url with credentials", Body: `{"url":"https://user:secret@example.com/"}`, ExpectedStatus: 422, ExpectedFields: []string{"url"},
		NotExpectedContent: []string{"secret@"}},
	{Name: "url loopback v4", Body: `{"url":"http://127.0.0.1/"}`, ExpectedStatus: 422, ExpectedFields: []string{"url"}},
	{Name: "url loopback v6", Body: `{"url":"http://[::1]/"}`, ExpectedStatus: 422, ExpectedFields: []string{"url"}},
	{Name: "url private", Body: `{"url":"http://10.0.0.1/"}`, ExpectedStatus: 422, ExpectedFields: []string{"url"}},
	{Name: "url cloud metadata", Body: `{"url":"http://169.254.169.254/latest/meta-data/"}`, ExpectedStatus: 422,
		ExpectedFields: []string{"url"}, ExpectedContent: []string{"metadata"}},
	{Name: "url cloud metadata v6", Body: `{"url":"http://[fd00:ec2::254]/"}`, ExpectedStatus: 422, ExpectedFields: []string{"url"}},
	{Name: "url IPv4-mapped loopback", Body: `{"url":"http://[::ffff:127.0.0.1]/"}`, ExpectedStatus: 422, ExpectedFields: []string{"url"}},
	{Name: "interval too short", Body: `{"url":"https://example.com/","interval_seconds":29}`, ExpectedStatus: 422,
		ExpectedFields: []string{"interval_seconds"}, ExpectedContent: []string{"30"}},
	{Name: "interval too long", Body: `{"url":"https://example.com/","interval_seconds":86401}`, InvalidRequest: true, ExpectedStatus: 422,
		ExpectedFields: []string{"interval_seconds"}},
	{Name: "interval negative", Body: `{"url":"https://example.com/","interval_seconds":-60}`, InvalidRequest: true, ExpectedStatus: 422,
		ExpectedFields: []string{"interval_seconds"}},
	{Name: "timeout equal to interval", Body: `{"url":"https://example.com/","interval_seconds":30,"timeout_seconds":30}`,
		ExpectedStatus: 422, ExpectedFields: []string{"timeout_seconds"}},
	{Name: "timeout above interval", Body: `{"url":"https://example.com/","interval_seconds":60,"timeout_seconds":90}`,
		ExpectedStatus: 422, ExpectedFields: []string{"timeout_seconds"}},
	{Name: "header value with CR LF", Body: `{"url":"https://example.com/","headers":{"X-A":"a\r\nX-Injected: 1"}}`,
		ExpectedStatus: 422, ExpectedFields: []string{"headers"}},
	{Name: "header value with LF", Body: `{"url":"https://example.com/","headers":{"X-A":"a\nb"}}`,
		ExpectedStatus: 422, ExpectedFields: []string{"headers"}},
	{Name: "bad header name", Body: `{"url":"https://example.com/","headers":{"Bad Name":"x"}}`,
		ExpectedStatus: 422, ExpectedFields: []string{"headers"}},
	{Name: "bad header name with colon", Body: `{"url":"https://example.com/","headers":{"X-A:":"x"}}`,
		ExpectedStatus: 422, ExpectedFields: []string{"headers"}},
	{Name: "bad method", Body: `{"url":"https://example.com/","method":"FETCH"}`, InvalidRequest: true,
		ExpectedStatus: 422, ExpectedFields: []string{"method"}},
	{Name: "expected_status letters", Body: `{"url":"https://example.com/","expected_status":"abc"}`,
		ExpectedStatus: 422, ExpectedFields: []string{"expected_status"}},
	{Name: "expected_status 600", Body: `{"url":"https://example.com/","expected_status":"600"}`,
		ExpectedStatus: 422, ExpectedFields: []string{"expected_status"}},
	{Name: "expected_status reversed range", Body: `{"url":"https://example.com/","expected_status":"399-200"}`,
		ExpectedStatus: 422, ExpectedFields: []string{"expected_status"}},
	{Name: "retries negative", Body: `{"url":"https://example.com/","retries":-1}`, InvalidRequest: true, ExpectedStatus: 422, ExpectedFields: []string{"retries"}},
	{Name: "too many tags", Body: `{"url":"https://example.com/","tags":["1","2","3","4","5","6","7","8","9","10","11","12","13","14","15","16","17","18","19","20","21"]}`,
		ExpectedStatus: 422, ExpectedFields: []string{"tags"}},
	{Name: "several fields at once", Body: `{"url":"ftp://x","interval_seconds":5,"expected_status":"abc"}`,
		ExpectedStatus: 422, ExpectedFields: []string{"url", "interval_seconds", "expected_status"}},
	{Name: "unknown field", Body: `{"url":"https://example.com/","intervall_seconds":60}`, InvalidRequest: true,
		ExpectedStatus: 400, ExpectedFields: []string{"intervall_seconds"}},
	{Name: "wrong type", Body: `{"url":"https://example.com/","interval_seconds":"60"}`, InvalidRequest: true,
		ExpectedStatus: 400, ExpectedFields: []string{"interval_seconds"}},
	{Name: "wrong type in a nested field", Body: `{"url":"https://example.com/","headers":{"X-A":1}}`, InvalidRequest: true,
		ExpectedStatus: 400, ExpectedFields: []string{"headers"}},
	{Name: "fraction for an integer", Body: `{"url":"https://example.com/","interval_seconds":60.5}`, InvalidRequest: true,
		ExpectedStatus: 400, ExpectedFields: []string{"interval_seconds"}},
	{Name: "null url", Body: `{"url":null}`, InvalidRequest: true, ExpectedStatus: 422, ExpectedFields: []string{"url"}},
	{Name: "invalid JSON", Body: `{"url":`, InvalidRequest: true, ExpectedStatus: 400, ExpectedFields: []string{"body"}},
	{Name: "trailing data", Body: `{"url":"https://example.com/"} {"url":"https://example.org/"}`, InvalidRequest: true,
		ExpectedStatus: 400, ExpectedFields: []string{"body"}},
	{Name: "array body", Body: `[{"url":"https://example.com/"}]`, InvalidRequest: true, ExpectedStatus: 400, ExpectedFields: []string{"body"}},
	{Name: "empty body", Body: ``, InvalidRequest: true, ExpectedStatus: 400, ExpectedFields: []string{"body"}},
	{Name: "text/plain", Body: `{"url":"https://example.com/"}`, ContentType: "text/plain", InvalidRequest: true,
		ExpectedStatus: 415, ExpectedContent: []string{"unsupported-media-type"}},
	{Name: "malformed content type", Body: `{"url":"https://example.com/"}`, ContentType: "application/", InvalidRequest: true,
		ExpectedStatus: 415},
}

func TestCreateTargetValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		for _, sc := range badTargets {
			sc.Name = "POST " + sc.Name
			sc.Method, sc.URL = http.MethodPost, "/api/v1/targets"
			t.Run(sc.Name, func(t *testing.T) {
				res := sc.run(t, e)
				if sc.ExpectedStatus == 422 {
					assert.Equal(t, "urn:watchdog:problem:validation", res.Problem(t).Type)
				}
			})
		}
		bodyLimitScenarios(t, e, http.MethodPost, "/api/v1/targets")

		t.Run("nothing was written", func(t *testing.T) {
			l := e.listTargets(t, "")
			assert.Equal(t, 0, l.Total)
			assert.Contains(t, string(e.get(t, "/api/v1/targets").Body), `"items":[]`)
			_, total, err := s.ListTargets(context.Background(), target.ListFilter{Limit: 10})
			require.NoError(t, err)
			assert.Zero(t, total, "the store holds no target")
			st := e.get(t, "/api/v1/stats").Map(t)
			assert.EqualValues(t, 0, st["total"])
		})
	})
}

func TestUpdateTargetValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		orig := e.createTarget(t, map[string]any{"url": "https://example.com/", "name": "keep", "interval_seconds": 60,
			"headers": map[string]string{"X-A": "1"}, "tags": []string{"t"}})
		path := targetPath(orig.ID)
		runScenarios(t, e, []apiScenario{
			{Name: "interval too short", Method: http.MethodPatch, URL: path, Body: `{"interval_seconds":29}`,
				ExpectedStatus: 422, ExpectedFields: []string{"interval_seconds"}},
			{Name: "timeout not below the kept interval", Method: http.MethodPatch, URL: path, Body: `{"timeout_seconds":60}`,
				ExpectedStatus: 422, ExpectedFields: []string{"timeout_seconds"}},
			{Name: "interval below the kept timeout", Method: http.MethodPatch, URL: path, Body: `{"interval_seconds":30,"timeout_seconds":30}`,
				ExpectedStatus: 422, ExpectedFields: []string{"timeout_seconds"}},
			{Name: "private url", Method: http.MethodPatch, URL: path, Body: `{"url":"http://192.168.1.1/"}`,
				ExpectedStatus: 422, ExpectedFields: []string{"url"}},
			{Name: "metadata url", Method: http.MethodPatch, URL: path, Body: `{"url":"http://169.254.169.254/"}`,
				ExpectedStatus: 422, ExpectedFields: []string{"url"}},
			{Name: "empty name", Method: http.MethodPatch, URL: path, Body: `{"name":"  "}`,
				ExpectedStatus: 422, ExpectedFields: []string{"name"}},
			{Name: "header with CR LF", Method: http.MethodPatch, URL: path, Body: `{"headers":{"X-A":"a\r\nb"}}`,
				ExpectedStatus: 422, ExpectedFields: []string{"headers"}},
			{Name: "bad expected_status", Method: http.MethodPatch, URL: path, Body: `{"expected_status":"600"}`,
				ExpectedStatus: 422, ExpectedFields: []string{"expected_status"}},
			{Name: "unknown field", Method: http.MethodPatch, URL: path, Body: `{"paused":true}`, InvalidRequest: true,
				ExpectedStatus: 400, ExpectedFields: []string{"paused"}},
			{Name: "wrong type", Method: http.MethodPatch, URL: path, Body: `{"is_active":"no"}`, InvalidRequest: true,
				ExpectedStatus: 400, ExpectedFields: []string{"is_active"}},
			{Name: "invalid JSON", Method: http.MethodPatch, URL: path, Body: `{`, InvalidRequest: true,
				ExpectedStatus: 400, ExpectedFields: []string{"body"}},
			{Name: "empty body", Method: http.MethodPatch, URL: path, Body: ``, InvalidRequest: true,
				ExpectedStatus: 400, ExpectedFields: []string{"body"}},
			{Name: "text/plain", Method: http.MethodPatch, URL: path, Body: `{"name":"x"}`, ContentType: "text/plain", InvalidRequest: true,
				ExpectedStatus: 415},
			{Name: "a bad body for an unknown id is still a 400", Method: http.MethodPatch, URL: "/api/v1/targets/987654", Body: `{`,
				InvalidRequest: true, ExpectedStatus: 400},
		})
		bodyLimitScenarios(t, e, http.MethodPatch, path)

		t.Run("the target is unchanged", func(t *testing.T) {
			var got targetBody
			e.get(t, path).JSON(t, &got)
			assert.Equal(t, "keep", got.Name)
			assert.Equal(t, "https://example.com/", got.URL)
			assert.Equal(t, 60, got.IntervalSeconds)
			assert.Equal(t, 10, got.TimeoutSeconds)
			assert.Equal(t, map[string]string{"X-A": "1"}, got.Headers)
			assert.Equal(t, []string{"t"}, got.Tags)
			assert.Equal(t, "200-399", got.ExpectedStatus)
			assert.True(t, got.IsActive)
		})
	})
}

// bodyLimitScenarios send bodies around the 1 MiB limit to a JSON endpoint.
func bodyLimitScenarios(t *testing.T, e *env, method, path string) {
	t.Helper()
	// padded is a JSON object of exactly n bytes whose name breaks a rule (too long),
	// so a body that gets through the limit is a 422, not a change.
	padded := func(n int) string {
		const head, tail = `{"url":"https://example.com/","name":"`, `"}`
		return head + strings.Repeat("n", n-len(head)-len(tail)) + tail
	}
	t.Run(method+" body over 1 MiB", func(t *testing.T) {
		res := e.send(t, request{Method: method, Path: path, Body: padded(httpapi.MaxBodyBytes + 1), InvalidRequest: true})
		assert.Equal(t, http.StatusRequestEntityTooLarge, res.Status, "%s", clip(res.Body))
		assert.Equal(t, "urn:watchdog:problem:too-large", res.Problem(t).Type)
	})
	t.Run(method+" body over 1 MiB, chunked", func(t *testing.T) {
		res := e.send(t, request{Method: method, Path: path, BodyReader: strings.NewReader(padded(2 * httpapi.MaxBodyBytes)), InvalidRequest: true})
		assert.Equal(t, http.StatusRequestEntityTooLarge, res.Status, "%s", clip(res.Body))
		assert.Equal(t, "urn:watchdog:problem:too-large", res.Problem(t).Type)
	})
	t.Run(method+" body of exactly 1 MiB is read", func(t *testing.T) {
		res := e.send(t, request{Method: method, Path: path, Body: padded(httpapi.MaxBodyBytes), InvalidRequest: true})
		assert.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", clip(res.Body))
		assert.Contains(t, res.Problem(t).Fields(), "name")
	})
	t.Run(method+" body of exactly 1 MiB, chunked, is read", func(t *testing.T) {
		res := e.send(t, request{Method: method, Path: path, BodyReader: strings.NewReader(padded(httpapi.MaxBodyBytes)), InvalidRequest: true})
		assert.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", clip(res.Body))
	})
}

func TestBadQueryParameters(t *testing.T) {
	e := newEnv(t, nil)
	tb := e.createTarget(t, map[string]any{"url": "https://example.com/"})
	bad := func(name, url, field string) apiScenario {
		return apiScenario{Name: name, Method: http.MethodGet, URL: url, InvalidRequest: true,
			ExpectedStatus: http.StatusBadRequest, ExpectedFields: []string{field}}
	}
	runScenarios(t, e, []apiScenario{
		bad("targets limit=0", "/api/v1/targets?limit=0", "limit"),
		bad("targets limit=abc", "/api/v1/targets?limit=abc", "limit"),
		bad("targets limit=501", "/api/v1/targets?limit=501", "limit"),
		bad("targets limit=-1", "/api/v1/targets?limit=-1", "limit"),
		bad("targets offset=-1", "/api/v1/targets?offset=-1", "offset"),
		bad("targets offset=x", "/api/v1/targets?offset=x", "offset"),
		bad("targets status=bogus", "/api/v1/targets?status=bogus", "status"),
		bad("checks limit=0", targetPath(tb.ID, "/checks?limit=0"), "limit"),
		bad("checks limit=1001", targetPath(tb.ID, "/checks?limit=1001"), "limit"),
		bad("checks before=yesterday", targetPath(tb.ID, "/checks?before=yesterday"), "before"),
		bad("checks before=date only", targetPath(tb.ID, "/checks?before=2026-01-02"), "before"),
		bad("stats window=5s", targetPath(tb.ID, "/stats?window=5s"), "window"),
		bad("stats window=367d", targetPath(tb.ID, "/stats?window=367d"), "window"),
		bad("stats window=abc", targetPath(tb.ID, "/stats?window=abc"), "window"),
		bad("stats window=-24h", targetPath(tb.ID, "/stats?window=-24h"), "window"),
		{Name: "targets limit=500 is fine", Method: http.MethodGet, URL: "/api/v1/targets?limit=500", ExpectedStatus: http.StatusOK,
			ExpectedContent: []string{`"limit":500`}},
		{Name: "checks limit=1000 is fine", Method: http.MethodGet, URL: targetPath(tb.ID, "/checks?limit=1000"), ExpectedStatus: http.StatusOK,
			ExpectedContent: []string{`"items":[]`}},
		{Name: "stats window=90d is fine", Method: http.MethodGet, URL: targetPath(tb.ID, "/stats?window=90d"), ExpectedStatus: http.StatusOK,
			ExpectedContent: []string{`"window":"90d"`, `"window_seconds":7776000`}},
		{Name: "stats window=1m is fine", Method: http.MethodGet, URL: targetPath(tb.ID, "/stats?window=1m"), ExpectedStatus: http.StatusOK,
			ExpectedContent: []string{`"window_seconds":60`}},
		{Name: "a bad parameter is reported before an unknown id", Method: http.MethodGet, URL: "/api/v1/targets/987654/checks?limit=0",
			InvalidRequest: true, ExpectedStatus: http.StatusBadRequest, ExpectedFields: []string{"limit"}},
	})
}
