package httpapi_test

// The conformance net: every request these tests send goes through specCheck, which
// finds the operation in the published OpenAPI document (docs/openapi.json, embedded
// as apidoc.OpenAPI) and validates the request and the response against it with
// kin-openapi. A status the operation does not list, a media type it does not list, or
// a body its schema does not allow fails the test that sent the request.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/apidoc"
	"github.com/watchdog-monitor/watchdog/backend/internal/httpapi"
)

// specValidator knows the published document and checks exchanges against it.
type specValidator struct {
	// One router per server; gorillamux matches a parameter inside a path segment
	// (uptime-{window}.svg), which the legacy router does not.
	routers []routers.Router
	opts    *openapi3filter.Options
}

// newSpecValidator loads the published document for a server at baseURL. The document
// says servers: [/api/v1], and /healthz and /readyz carry a path-level server "/";
// kin-openapi's router only looks at the document's servers, so the document is loaded
// twice: once with the API paths under baseURL/api/v1, once with the root paths under
// baseURL.
func init() {
	// Badges are SVG: checked as the string the document says they are.
	openapi3filter.RegisterBodyDecoder("image/svg+xml", openapi3filter.FileBodyDecoder)
	// Configuration documents are YAML text, a string to the document.
	openapi3filter.RegisterBodyDecoder("application/yaml", openapi3filter.FileBodyDecoder)
}

func newSpecValidator(t testing.TB, baseURL string) *specValidator {
	t.Helper()
	api := loadSpec(t)
	root := loadSpec(t)
	api.Servers = openapi3.Servers{{URL: baseURL + "/api/v1"}}
	root.Servers = openapi3.Servers{{URL: baseURL}}
	apiPaths, rootPaths := openapi3.NewPaths(), openapi3.NewPaths()
	for path, item := range api.Paths.Map() {
		if len(item.Servers) > 0 {
			continue
		}
		apiPaths.Set(path, item)
	}
	for path, item := range root.Paths.Map() {
		if len(item.Servers) == 0 {
			continue
		}
		item.Servers = openapi3.Servers{{URL: baseURL}}
		rootPaths.Set(path, item)
	}
	require.Positive(t, apiPaths.Len(), "the document has API paths")
	require.Positive(t, rootPaths.Len(), "the document has root paths (/healthz, /readyz)")
	api.Paths, root.Paths = apiPaths, rootPaths

	apiRouter, err := gorillamux.NewRouter(api)
	require.NoError(t, err, "build a router for the API paths")
	rootRouter, err := gorillamux.NewRouter(root)
	require.NoError(t, err, "build a router for the root paths")
	return &specValidator{
		routers: []routers.Router{apiRouter, rootRouter},
		opts: &openapi3filter.Options{
			IncludeResponseStatus:             true,
			MultiError:                        true,
			RejectWhenRequestBodyNotSpecified: true,
			// Authentication has its own tests; here a token's presence is enough.
			AuthenticationFunc:      openapi3filter.NoopAuthenticationFunc,
			SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.EnableFormatValidation()},
		},
	}
}

// loadSpec parses and validates apidoc.OpenAPI. Its object schemas are then closed
// (additionalProperties: false where the document says nothing): the API promises that
// every response matches the document exactly, so a field a handler sends without
// documenting it is a mismatch too — a generated SDK would drop it silently.
func loadSpec(t testing.TB) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(apidoc.OpenAPI)
	require.NoError(t, err, "load the OpenAPI document")
	require.NoError(t, doc.Validate(context.Background()), "the OpenAPI document is valid")
	no := false
	for _, ref := range doc.Components.Schemas {
		s := ref.Value
		if s != nil && s.Type.Is(openapi3.TypeObject) && len(s.Properties) > 0 &&
			s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil {
			s.AdditionalProperties.Has = &no
		}
	}
	return doc
}

// unspecified are the exchanges the document rightly leaves out: the document itself,
// its browsable UI, and CORS preflights (answered by the CORS middleware for any path).
func unspecified(req *http.Request) bool {
	p := req.URL.Path
	switch {
	case p == "/openapi.json", p == "/docs", strings.HasPrefix(p, "/docs/"):
		return true
	case req.Method == http.MethodOptions && req.Header.Get("Access-Control-Request-Method") != "":
		return true
	}
	return false
}

// exchange is one request sent by a test: what the transport needs to know about it,
// and what it found. The sender reports the findings (env.send), so a failure points
// at the test's line, not into net/http.
type exchange struct {
	// invalidRequest marks a request that breaks the document on purpose (a bad body
	// or parameter): its response is validated, the request is not.
	invalidRequest bool
	// offSpec marks a request to a path or method the document rightly leaves out (an
	// unknown route, a method a path does not take); only the common promises apply.
	offSpec bool

	// problems break the document or a common promise; notes are for the log.
	problems []string
	notes    []string
}

func (x *exchange) problemf(format string, args ...any) {
	x.problems = append(x.problems, fmt.Sprintf(format, args...))
}

// report fails t with the exchange's problems and logs its notes.
func (x *exchange) report(t testing.TB) {
	t.Helper()
	for _, n := range x.notes {
		t.Log(n)
	}
	for _, p := range x.problems {
		t.Error(p)
	}
}

type exchangeKey struct{}

// withExchange attaches x to req.
func withExchange(req *http.Request, x *exchange) *http.Request {
	return req.WithContext(context.WithValue(req.Context(), exchangeKey{}, x))
}

// specCheck is the RoundTripper under every test client.
type specCheck struct {
	base http.RoundTripper
	spec *specValidator
}

func (s *specCheck) RoundTrip(req *http.Request) (*http.Response, error) {
	x, ok := req.Context().Value(exchangeKey{}).(*exchange)
	if !ok {
		// Every request must be checked; one sent past the helpers would not be.
		return nil, errors.New("spec check: request sent without a test; use env.send")
	}
	what := req.Method + " " + req.URL.RequestURI()

	in, err := s.spec.route(req)
	switch {
	case err != nil && (x.offSpec || unspecified(req)):
		in = nil
	case err != nil:
		x.problemf("%s: no operation in the OpenAPI document matches: %v", what, err)
	default:
		// Validate a copy, and send the request with its body intact (and its length
		// unknown if it was: a chunked request stays chunked).
		var body []byte
		if req.Body != nil && req.Body != http.NoBody {
			if body, err = io.ReadAll(req.Body); err != nil {
				return nil, fmt.Errorf("spec check: read request body: %w", err)
			}
			_ = req.Body.Close()
			req = req.Clone(req.Context())
			req.Body = io.NopCloser(bytes.NewReader(body))
			in.Request = req.Clone(req.Context())
			in.Request.Body = io.NopCloser(bytes.NewReader(body))
		}
		err := openapi3filter.ValidateRequest(req.Context(), in)
		switch {
		case err != nil && !x.invalidRequest:
			x.problemf("%s: the request does not match the OpenAPI document (mark it InvalidRequest if that is on purpose):\n%v", what, err)
		case err == nil && x.invalidRequest:
			// Not a failure: the server's rules may be stricter than a schema can say.
			// Logged, because a client generated from the document cannot know them.
			x.notes = append(x.notes, what+": the OpenAPI document does not rule out this invalid request")
		}
		in.Request = req
	}

	res, err := s.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("spec check: read response body: %w", err)
	}
	res.Body = io.NopCloser(bytes.NewReader(body))

	for _, p := range commonProblems(req, res.StatusCode, res.Header, body) {
		x.problemf("%s → %d: %s", what, res.StatusCode, p)
	}
	if in != nil {
		if err := s.spec.validateResponse(in, res.StatusCode, res.Header, body); err != nil {
			x.problemf("%s → %d: the response does not match the OpenAPI document:\n%v\nbody: %s", what, res.StatusCode, err, clip(body))
		}
	}
	return res, nil
}

// route finds req's operation in the document.
func (v *specValidator) route(req *http.Request) (*openapi3filter.RequestValidationInput, error) {
	err := routers.ErrPathNotFound
	for _, r := range v.routers {
		var route *routers.Route
		var params map[string]string
		if route, params, err = r.FindRoute(req); err == nil {
			return &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: v.opts}, nil
		}
	}
	return nil, err
}

// validateResponse checks one answer: its status is listed for the operation, its
// media type is the one listed for that status, and its body fits the schema.
func (v *specValidator) validateResponse(in *openapi3filter.RequestValidationInput, status int, header http.Header, body []byte) error {
	if status == http.StatusNotModified {
		return validateNotModified(in, header, body)
	}
	rin := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header, Options: v.opts}
	rin.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(in.Request.Context(), rin); err != nil {
		return err
	}
	resp := in.Route.Operation.Responses.Status(status)
	if resp != nil && resp.Value != nil && len(resp.Value.Content) == 0 && len(body) > 0 {
		return fmt.Errorf("status %d is documented without a body, but the response has %d bytes", status, len(body))
	}
	return nil
}

// validateNotModified checks a 304: the document describes conditional requests once
// (the info description) and marks the operations that take them with x-conditional
// instead of listing a 304 on each, so a 304 is right only for such an operation,
// asked with If-None-Match, and carries the ETag and no body.
func validateNotModified(in *openapi3filter.RequestValidationInput, header http.Header, body []byte) error {
	op := in.Route.Operation
	if conditional, _ := op.Extensions["x-conditional"].(bool); !conditional {
		return fmt.Errorf("status 304 is not supported: %s is not marked x-conditional", op.OperationID)
	}
	if in.Request.Header.Get("If-None-Match") == "" {
		return errors.New("status 304 without If-None-Match in the request")
	}
	if header.Get("ETag") == "" {
		return errors.New("status 304 without an ETag header")
	}
	if len(body) > 0 {
		return fmt.Errorf("status 304 with a %d-byte body", len(body))
	}
	return nil
}

// commonProblems are the promises every response keeps, documented operation or not.
func commonProblems(req *http.Request, status int, h http.Header, body []byte) []string {
	var out []string
	if h.Get("X-Request-Id") == "" {
		out = append(out, "no X-Request-Id header")
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		out = append(out, fmt.Sprintf("X-Content-Type-Options is %q, want nosniff", got))
	}
	if h.Get("Content-Security-Policy") == "" {
		out = append(out, "no Content-Security-Policy header")
	}
	publicOK := strings.HasPrefix(req.URL.Path, "/api/v1/public/") && (status == http.StatusOK || status == http.StatusNotModified)
	if publicOK && h.Get("Cache-Control") != "public, max-age=30" {
		out = append(out, fmt.Sprintf("Cache-Control is %q, want public, max-age=30 on a public answer", h.Get("Cache-Control")))
	}
	if strings.HasPrefix(req.URL.Path, "/api/") && !publicOK && h.Get("Cache-Control") != "no-store" {
		out = append(out, fmt.Sprintf("Cache-Control is %q, want no-store on /api", h.Get("Cache-Control")))
	}
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	if status >= 400 && mt != "application/problem+json" {
		out = append(out, fmt.Sprintf("an error answered as %q, want application/problem+json", h.Get("Content-Type")))
	}
	if mt == "application/problem+json" && req.Method != http.MethodHead {
		var p struct {
			Type      string `json:"type"`
			Status    int    `json:"status"`
			RequestID string `json:"request_id"`
		}
		if err := json.Unmarshal(body, &p); err != nil {
			out = append(out, fmt.Sprintf("problem body is not JSON: %v", err))
			return out
		}
		if p.Status != status {
			out = append(out, fmt.Sprintf("problem status %d differs from the HTTP status", p.Status))
		}
		if !strings.HasPrefix(p.Type, "urn:watchdog:problem:") {
			out = append(out, fmt.Sprintf("problem type %q is not a urn:watchdog:problem: slug", p.Type))
		}
		if p.RequestID == "" || p.RequestID != h.Get("X-Request-Id") {
			out = append(out, fmt.Sprintf("problem request_id %q differs from X-Request-Id %q", p.RequestID, h.Get("X-Request-Id")))
		}
	}
	return out
}

func clip(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}

// TestSpecValidatorCatchesMismatches tests the net itself: an answer that breaks the
// document in each way that matters must be caught, or a green run proves nothing.
func TestSpecValidatorCatchesMismatches(t *testing.T) {
	const base = "http://127.0.0.1:1"
	v := newSpecValidator(t, base)
	target := `{"id":1,"name":"a","url":"https://a.example/","method":"GET","headers":{},"secret_headers":[],"interval_seconds":300,
		"timeout_seconds":10,"expected_status":"200-399","retries":3,"retry_delay_seconds":15,"is_active":true,
		"tags":[],"failure_threshold":3,"success_threshold":2,"conditions":[],"channel_ids":[],"keep_warm":false,"platform":"","idle_timeout_seconds":null,"wake_timeout_seconds":90,"warm_windows":[],"timezone":"UTC","budget_group":"","warnings":[],
		"type":"http","cert_expiry_days":14,"cert_expires_at":null,"tls_ca_pem":"","tls_client_cert_pem":"","tls_client_key_set":false,
		"tls_skip_verify":false,"impersonate":"","period_seconds":86400,"grace_seconds":3600,"cron":"","ping_url":null,"last_ping_at":null,"last_status":"unknown","last_checked_at":null,"last_latency_ms":null,"last_status_code":null,
		"last_error":"","next_check_at":null,"created_at":"2026-01-02T03:04:05Z","updated_at":"2026-01-02T03:04:05Z"}`
	problem := `{"type":"urn:watchdog:problem:not-found","title":"Not found","status":404,"request_id":"x"}`
	jsonCT := "application/json"
	problemCT := "application/problem+json"

	scenarios := []struct {
		Name        string
		Method      string
		Path        string
		Status      int
		ContentType string
		Body        string
		WantError   string // "" when the exchange is valid
	}{
		{"valid target", http.MethodGet, "/api/v1/targets/1", 200, jsonCT, target, ""},
		{"valid problem", http.MethodGet, "/api/v1/targets/1", 404, problemCT, problem, ""},
		{"valid health on the root server", http.MethodGet, "/healthz", 200, jsonCT, `{"status":"ok"}`, ""},
		{"undocumented status", http.MethodGet, "/api/v1/targets/1", 418, problemCT, problem, "status is not supported"},
		{"problem sent as application/json", http.MethodGet, "/api/v1/targets/1", 404, jsonCT, problem, "Content-Type"},
		{"tags null", http.MethodGet, "/api/v1/targets/1", 200, jsonCT, strings.Replace(target, `"tags":[]`, `"tags":null`, 1), "tags"},
		{"headers null", http.MethodGet, "/api/v1/targets/1", 200, jsonCT, strings.Replace(target, `"headers":{}`, `"headers":null`, 1), "headers"},
		{"required field missing", http.MethodGet, "/api/v1/targets/1", 200, jsonCT, strings.Replace(target, `"next_check_at":null,`, "", 1), "next_check_at"},
		{"enum broken", http.MethodGet, "/api/v1/targets/1", 200, jsonCT, strings.Replace(target, `"unknown"`, `"paused"`, 1), "last_status"},
		{"undocumented field", http.MethodGet, "/api/v1/targets/1", 200, jsonCT, strings.Replace(target, `"id":1,`, `"id":1,"secret":"x",`, 1), "secret"},
		{"bad date-time", http.MethodGet, "/api/v1/targets/1", 200, jsonCT, strings.Replace(target, `"created_at":"2026-01-02T03:04:05Z"`, `"created_at":"yesterday"`, 1), "created_at"},
		{"list items null", http.MethodGet, "/api/v1/targets", 200, jsonCT, `{"items":null,"total":0,"limit":50,"offset":0}`, "items"},
		{"body on a 204", http.MethodDelete, "/api/v1/targets/1", 204, "", `{}`, "without a body"},
		{"not modified", http.MethodGet, "/api/v1/targets/1", 304, "", "", ""},
		{"not modified with a body", http.MethodGet, "/api/v1/targets/1", 304, "", target, "body"},
		{"not modified on a POST", http.MethodPost, "/api/v1/targets/1/check", 304, "", "", "x-conditional"},
	}
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			req, err := http.NewRequest(sc.Method, base+sc.Path, nil)
			require.NoError(t, err)
			req.Header.Set("If-None-Match", `"tag"`)
			in, err := v.route(req)
			require.NoError(t, err)
			h := http.Header{"Etag": {`"tag"`}}
			if sc.ContentType != "" {
				h.Set("Content-Type", sc.ContentType)
			}
			err = v.validateResponse(in, sc.Status, h, []byte(sc.Body))
			if sc.WantError == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), sc.WantError)
		})
	}

	t.Run("unknown path is not routed", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodGet, base+"/api/v1/nothing-here", nil)
		require.NoError(t, err)
		_, err = v.route(req)
		assert.Error(t, err)
	})
	t.Run("a root path is not served under /api/v1", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodGet, base+"/api/v1/healthz", nil)
		require.NoError(t, err)
		_, err = v.route(req)
		assert.Error(t, err)
	})
}

// TestEveryRouteIsDocumented compares the route table with the document: an operation
// served but not documented (or documented but not served) is a broken contract.
func TestEveryRouteIsDocumented(t *testing.T) {
	e := newEnv(t, nil)
	served := map[string]bool{}
	for _, r := range e.echo.Routes() {
		if !strings.HasPrefix(r.Method, "echo_") && r.Method != "" &&
			(strings.HasPrefix(r.Path, "/api/v1/") || r.Path == "/healthz" || r.Path == "/readyz") {
			p := strings.TrimPrefix(r.Path, "/api/v1")
			if doc, ok := httpapi.DocumentedAs[p]; ok {
				served[r.Method+" "+doc] = true
				continue
			}
			parts := strings.Split(p, "/")
			for i, s := range parts {
				if strings.HasPrefix(s, ":") {
					parts[i] = "{" + s[1:] + "}"
				}
			}
			served[r.Method+" "+strings.Join(parts, "/")] = true
		}
	}
	documented := map[string]bool{}
	doc := loadSpec(t)
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	keys := func(m map[string]bool) []string {
		out := make([]string, 0, len(m))
		for k := range m {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	assert.Equal(t, keys(served), keys(documented), "routes.go and docs/openapi.json list the same operations")
}

// TestSpecCheckFailsTheSendingTest runs the transport against a small server that
// breaks the document in several ways, and checks each break is found and kept for
// the test that sent the request.
func TestSpecCheckFailsTheSendingTest(t *testing.T) {
	mux := http.NewServeMux()
	reply := func(status int, ct, body string, withID bool) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			if withID {
				w.Header().Set("X-Request-Id", "r1")
			}
			w.Header().Set("X-Content-Type-Options", "nosniff")
			w.Header().Set("Content-Security-Policy", "default-src 'self'")
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("Content-Type", ct)
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		}
	}
	problem := func(status int, id string) string {
		return fmt.Sprintf(`{"type":"urn:watchdog:problem:x","title":"x","status":%d,"request_id":%q}`, status, id)
	}
	mux.HandleFunc("GET /api/v1/stats", reply(200, "application/json", `{"total":1}`, true))
	mux.HandleFunc("GET /api/v1/targets", reply(418, "application/problem+json", problem(418, "r1"), true))
	mux.HandleFunc("GET /api/v1/auth/me", reply(200, "text/plain", "admin", true))
	mux.HandleFunc("GET /api/v1/targets/1", reply(404, "application/json", problem(404, "r1"), false))
	mux.HandleFunc("GET /api/v1/targets/2", reply(404, "application/problem+json", problem(404, "other"), true))
	mux.HandleFunc("GET /healthz", reply(200, "application/json", `{"status":"ok"}`, true))
	mux.HandleFunc("PUT /api/v1/stats", reply(200, "application/json", `{}`, true))
	fake := httptest.NewServer(mux)
	defer fake.Close()
	client := &http.Client{Transport: &specCheck{base: http.DefaultTransport, spec: newSpecValidator(t, fake.URL)}}

	scenarios := []struct {
		Name    string
		Method  string
		Path    string
		Invalid bool
		Want    []string // substrings of the reported failures; none when valid
	}{
		{"valid exchange", http.MethodGet, "/healthz", false, nil},
		{"required fields missing", http.MethodGet, "/api/v1/stats", false, []string{"does not match the OpenAPI document", "active"}},
		{"undocumented status", http.MethodGet, "/api/v1/targets", false, []string{"status is not supported"}},
		{"undocumented media type", http.MethodGet, "/api/v1/auth/me", false, []string{"text/plain"}},
		{"problem as application/json, no request id", http.MethodGet, "/api/v1/targets/1", false,
			[]string{"no X-Request-Id", "want application/problem+json", "does not match the OpenAPI document"}},
		{"problem request_id differs from the header", http.MethodGet, "/api/v1/targets/2", false, []string{`request_id "other"`}},
		{"undocumented operation", http.MethodPut, "/api/v1/stats", false, []string{"no operation in the OpenAPI document"}},
		{"request breaking the document, unmarked", http.MethodGet, "/api/v1/targets?limit=abc", false,
			[]string{"the request does not match the OpenAPI document", "status is not supported"}},
		// Marked: the request is not held against the test, its answer still is.
		{"request breaking the document, marked", http.MethodGet, "/api/v1/targets?limit=abc", true,
			[]string{"status is not supported"}},
	}
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			x := &exchange{invalidRequest: sc.Invalid}
			req, err := http.NewRequest(sc.Method, fake.URL+sc.Path, nil)
			require.NoError(t, err)
			res, err := client.Do(withExchange(req, x))
			require.NoError(t, err)
			_ = res.Body.Close()
			all := strings.Join(x.problems, "\n")
			if len(sc.Want) == 0 {
				assert.Empty(t, x.problems)
			}
			for _, w := range sc.Want {
				assert.Contains(t, all, w)
			}
			if sc.Invalid {
				assert.NotContains(t, all, "the request does not match")
			}
		})
	}
	t.Run("a request sent past the helpers is refused", func(t *testing.T) {
		res, err := client.Get(fake.URL + "/healthz")
		if err == nil {
			_ = res.Body.Close()
		}
		assert.ErrorContains(t, err, "request sent without a test")
	})
}
