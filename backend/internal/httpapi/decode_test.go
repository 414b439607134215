package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

// TestBodiesRefuseBrokenTextAndNull: encoding/json turns invalid UTF-8 and unpaired
// surrogate escapes into U+FFFD and reads null as "left out"; every endpoint refuses
// both instead, naming the field by its path.
func TestBodiesRefuseBrokenTextAndNull(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		tgt := e.createTarget(t, map[string]any{"url": "https://example.com/", "name": "kept"})
		const url = `"url":"https://example.com/"`
		hook := `"type":"webhook","config":{"url":"https://hooks.example.com/x"`
		scenarios := []apiScenario{
			{Name: "target name invalid UTF-8", Method: http.MethodPost, URL: "/api/v1/targets",
				Body: "{" + url + `,"name":"a` + "\xff" + `b"}`, ExpectedStatus: 422, ExpectedFields: []string{"name"}},
			{Name: "target name lone high surrogate", Method: http.MethodPost, URL: "/api/v1/targets",
				Body: "{" + url + `,"name":"a\ud800b"}`, ExpectedStatus: 422, ExpectedFields: []string{"name"}},
			{Name: "target name lone low surrogate", Method: http.MethodPost, URL: "/api/v1/targets",
				Body: "{" + url + `,"name":"a\udc00"}`, ExpectedStatus: 422, ExpectedFields: []string{"name"}},
			{Name: "header value lone surrogate", Method: http.MethodPost, URL: "/api/v1/targets",
				Body: "{" + url + `,"headers":{"X-Foo":"\ud83d"}}`, ExpectedStatus: 422, ExpectedFields: []string{"headers.X-Foo"}},
			{Name: "header value null", Method: http.MethodPost, URL: "/api/v1/targets",
				Body: "{" + url + `,"headers":{"X-Foo":null}}`, InvalidRequest: true, ExpectedStatus: 422, ExpectedFields: []string{"headers.X-Foo"}},
			{Name: "tag null", Method: http.MethodPost, URL: "/api/v1/targets",
				Body: "{" + url + `,"tags":["a",null]}`, InvalidRequest: true, ExpectedStatus: 422, ExpectedFields: []string{"tags[1]"}},
			{Name: "tag invalid UTF-8", Method: http.MethodPost, URL: "/api/v1/targets",
				Body: "{" + url + `,"tags":["` + "\xc3" + `"]}`, ExpectedStatus: 422, ExpectedFields: []string{"tags[0]"}},
			{Name: "interval null", Method: http.MethodPost, URL: "/api/v1/targets",
				Body: "{" + url + `,"interval_seconds":null}`, InvalidRequest: true, ExpectedStatus: 422, ExpectedFields: []string{"interval_seconds"}},
			{Name: "condition path null", Method: http.MethodPost, URL: "/api/v1/targets",
				Body: "{" + url + `,"conditions":[{"type":"json","path":null,"op":"exists"}]}`, InvalidRequest: true,
				ExpectedStatus: 422, ExpectedFields: []string{"conditions[0].path"}},
			{Name: "patch name lone surrogate", Method: http.MethodPatch, URL: targetPath(tgt.ID),
				Body: `{"name":"\udfff"}`, ExpectedStatus: 422, ExpectedFields: []string{"name"}},
			{Name: "patch tags null element", Method: http.MethodPatch, URL: targetPath(tgt.ID),
				Body: `{"tags":[null]}`, InvalidRequest: true, ExpectedStatus: 422, ExpectedFields: []string{"tags[0]"}},
			{Name: "channel config url invalid UTF-8", Method: http.MethodPost, URL: "/api/v1/channels",
				Body:           `{"name":"c1","type":"webhook","config":{"url":"https://hooks.example.com/` + "\xfe" + `"}}`,
				ExpectedStatus: 422, ExpectedFields: []string{"config.url"}},
			{Name: "channel config value null", Method: http.MethodPost, URL: "/api/v1/channels",
				Body: `{"name":"c2",` + hook + `,"secret":null}}`, InvalidRequest: true, ExpectedStatus: 422, ExpectedFields: []string{"config.secret"}},
			{Name: "channel name lone surrogate", Method: http.MethodPost, URL: "/api/v1/channels",
				Body: `{"name":"\ud800",` + hook + `}}`, ExpectedStatus: 422, ExpectedFields: []string{"name"}},
			{Name: "status page title invalid UTF-8", Method: http.MethodPost, URL: "/api/v1/status-pages",
				Body: `{"slug":"acme","title":"Acme` + "\xff" + `"}`, ExpectedStatus: 422, ExpectedFields: []string{"title"}},
			{Name: "status page target id null", Method: http.MethodPost, URL: "/api/v1/status-pages",
				Body: `{"slug":"acme","title":"Acme","target_ids":[null]}`, InvalidRequest: true,
				ExpectedStatus: 422, ExpectedFields: []string{"target_ids[0]"}},
			{Name: "user name lone surrogate", Method: http.MethodPost, URL: "/api/v1/users",
				Body:           `{"username":"al\udc01ce","password":"a long first password","role":"viewer"}`,
				ExpectedStatus: 422, ExpectedFields: []string{"username"}},
			{Name: "user role null", Method: http.MethodPost, URL: "/api/v1/users",
				Body: `{"username":"alice","password":"a long first password","role":null}`, InvalidRequest: true,
				ExpectedStatus: 422, ExpectedFields: []string{"role"}},
			{Name: "body null", Method: http.MethodPost, URL: "/api/v1/targets", Body: `null`, InvalidRequest: true,
				ExpectedStatus: 400, ExpectedFields: []string{"body"}},
		}
		runScenarios(t, e, scenarios)

		runScenarios(t, e, []apiScenario{
			{Name: "a surrogate pair is one character", Method: http.MethodPost, URL: "/api/v1/targets",
				Body: "{" + url + `,"name":"rocket \ud83d\ude80"}`, ExpectedStatus: 201, ExpectedContent: []string{"rocket 🚀"}},
			{Name: "a nullable field may be null", Method: http.MethodPost, URL: "/api/v1/api-keys",
				Body: `{"name":"ci","role":"viewer","expires_at":null}`, ExpectedStatus: 201, ExpectedContent: []string{`"expires_at":null`}},
		})
	})
}
