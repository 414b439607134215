package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

// An explicit 0 or "" on create is validated as PATCH validates it; only a field left
// out takes its default.
func TestCreateValidatesExplicitZeros(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		const url = `"url":"https://example.com/"`
		var scenarios []apiScenario
		for _, field := range []string{"interval_seconds", "timeout_seconds", "failure_threshold", "success_threshold",
			"retry_delay_seconds", "wake_timeout_seconds"} {
			scenarios = append(scenarios, apiScenario{Name: field + " 0", Method: http.MethodPost, URL: "/api/v1/targets",
				Body: fmt.Sprintf(`{%s,"%s":0}`, url, field), InvalidRequest: true, ExpectedStatus: 422, ExpectedFields: []string{field}})
		}
		for _, field := range []string{"name", "method", "expected_status"} {
			scenarios = append(scenarios, apiScenario{Name: field + ` ""`, Method: http.MethodPost, URL: "/api/v1/targets",
				Body: fmt.Sprintf(`{%s,"%s":""}`, url, field), InvalidRequest: field == "method", ExpectedStatus: 422, ExpectedFields: []string{field}})
		}
		runScenarios(t, e, scenarios)
		assert.Equal(t, 0, e.listTargets(t, "").Total, "nothing was created")

		res := e.send(t, request{Method: http.MethodPost, Path: "/api/v1/targets", Body: `{"url":"https://example.com/"}`})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		for _, want := range []string{`"interval_seconds":300`, `"timeout_seconds":10`, `"failure_threshold":3`,
			`"success_threshold":2`, `"retry_delay_seconds":15`, `"wake_timeout_seconds":90`} {
			assert.Contains(t, string(res.Body), want, "left out, the default")
		}
	})
}

// Text the target's rules refuse, and expected_status in its one form.
func TestTargetTextRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		const url = `"url":"https://example.com/"`
		runScenarios(t, e, []apiScenario{
			{Name: "name with a bidi override", Method: http.MethodPost, URL: "/api/v1/targets",
				Body: "{" + url + `,"name":"\u202eadmin"}`, ExpectedStatus: 422, ExpectedFields: []string{"name"}},
			{Name: "name of zero-width spaces", Method: http.MethodPost, URL: "/api/v1/targets",
				Body: "{" + url + `,"name":"\u200b\u200b"}`, ExpectedStatus: 422, ExpectedFields: []string{"name"}},
			{Name: "tag with a zero-width joiner alone", Method: http.MethodPost, URL: "/api/v1/targets",
				Body: "{" + url + `,"tags":["\u200dprod"]}`, ExpectedStatus: 422, ExpectedFields: []string{"tags"}},
			{Name: "budget group with a bidi isolate", Method: http.MethodPost, URL: "/api/v1/targets",
				Body: "{" + url + `,"budget_group":"ws\u2067"}`, ExpectedStatus: 422, ExpectedFields: []string{"budget_group"}},
			{Name: "header value with DEL", Method: http.MethodPost, URL: "/api/v1/targets",
				Body: "{" + url + `,"headers":{"X-A":"a\u007fb"}}`, ExpectedStatus: 422, ExpectedFields: []string{"headers"}},
			{Name: "expected_status too long", Method: http.MethodPost, URL: "/api/v1/targets",
				Body: "{" + url + `,"expected_status":"` + strings.Repeat("200,", 100) + `200"}`, ExpectedStatus: 422,
				ExpectedFields: []string{"expected_status"}},
		})
		tg := e.createTarget(t, map[string]any{"url": "https://example.com/", "expected_status": "200 - 299 , 404",
			"headers": map[string]string{"X-A": "a\tb"}})
		assert.Equal(t, "200-299,404", tg.ExpectedStatus)
		res := e.send(t, request{Method: http.MethodPatch, Path: targetPath(tg.ID), Body: `{"expected_status":" 200 "}`})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		assert.Contains(t, string(res.Body), `"expected_status":"200"`)
	})
}

// Names are unique in any case: a default name gets a suffix, a given one that is taken
// is a 409, and an export of two unnamed targets on one host applies again.
func TestTargetNamesUniqueOverHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		a := e.createTarget(t, map[string]any{"url": "https://example.com/a"})
		b := e.createTarget(t, map[string]any{"url": "https://example.com/b"})
		assert.Equal(t, "example.com", a.Name)
		assert.Equal(t, "example.com (2)", b.Name)
		runScenarios(t, e, []apiScenario{
			{Name: "create with a taken name in another case", Method: http.MethodPost, URL: "/api/v1/targets",
				Body: `{"url":"https://x.example/","name":"Example.com"}`, ExpectedStatus: 409, ExpectedFields: []string{"name"}},
			{Name: "rename to a taken name", Method: http.MethodPatch, URL: targetPath(b.ID),
				Body: `{"name":"EXAMPLE.COM"}`, ExpectedStatus: 409, ExpectedFields: []string{"name"}},
		})

		exported := e.get(t, "/api/v1/config/export")
		require.Equal(t, http.StatusOK, exported.Status)
		res := e.send(t, request{Method: http.MethodPost, Path: "/api/v1/config/apply", Body: string(exported.Body),
			ContentType: "application/yaml"})
		require.Equal(t, http.StatusOK, res.Status, "the export applies: %s", res.Body)
		assert.NotContains(t, string(res.Body), `"created"`)
		assert.NotContains(t, string(res.Body), `"updated"`)
		assert.Equal(t, 2, e.listTargets(t, "").Total)
	})
}

// A keep-warm target's derived interval fits its own rules; when none fits, the error
// names idle_timeout_seconds and says what would.
func TestKeepWarmDerivedIntervalOverHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		runScenarios(t, e, []apiScenario{
			{Name: "idle limit 4 s", Method: http.MethodPost, URL: "/api/v1/targets",
				Body:           `{"url":"https://a.example.com","platform":"custom","idle_timeout_seconds":4}`,
				ExpectedStatus: 422, ExpectedFields: []string{"idle_timeout_seconds"}, ExpectedContent: []string{"at least"},
				NotExpectedContent: []string{`"field":"timeout_seconds"`, `"field":"interval_seconds"`}},
			{Name: "idle limit 90 s with retries 0", Method: http.MethodPost, URL: "/api/v1/targets",
				Body:           `{"url":"https://b.example.com","platform":"custom","idle_timeout_seconds":90,"retries":0}`,
				ExpectedStatus: 201, ExpectedContent: []string{`"interval_seconds":80`, `"timeout_seconds":10`}},
		})
	})
}
