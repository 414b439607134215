package httpapi_test

// The harness: the real handler (httpapi.New) over a real store, a real auth.Service
// and a real scheduler, served by httptest.Server, with a client whose every exchange
// is checked against the published OpenAPI document (spec_test.go).

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/watchdog-monitor/watchdog/backend/internal/account"
	"github.com/watchdog-monitor/watchdog/backend/internal/apidoc"
	"github.com/watchdog-monitor/watchdog/backend/internal/auth"
	"github.com/watchdog-monitor/watchdog/backend/internal/httpapi"
	"github.com/watchdog-monitor/watchdog/backend/internal/netguard"
	"github.com/watchdog-monitor/watchdog/backend/internal/probe"
	"github.com/watchdog-monitor/watchdog/backend/internal/scheduler"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// The test server's signing key and first admin.
var testSecret = []byte("httpapi-test-signing-key-0123456789abcdef")

const (
	adminUser = "admin"
	adminPass = "correct horse battery staple"
)

// env is one running API.
type env struct {
	URL    string
	Store  *store.Store
	Auth   *auth.Service
	echo   *echo.Echo
	client *http.Client
	// Token and Refresh are the admin's, from a login through the API.
	Token   string
	Refresh string
}

// newEnv starts the API over s (a fresh SQLite store when nil), creates the admin and
// logs in. opts adjust the dependencies (CORS origins, …) before the handler is built.
func newEnv(t testing.TB, s *store.Store, opts ...func(*httpapi.Deps)) *env {
	t.Helper()
	if s == nil {
		s = storetest.SQLite(t)
	}
	e := newReplica(t, s, opts...)
	created, _, err := e.Auth.EnsureAdmin(context.Background(), adminUser, adminPass)
	require.NoError(t, err)
	require.True(t, created, "a fresh store has no admin yet")
	pair := e.login(t, adminUser, adminPass)
	e.Token, e.Refresh = pair.AccessToken, pair.RefreshToken
	return e
}

// newReplica starts one more API over s, as a replica sharing another env's database
// would run: its own handler, auth service and scheduler, no admin created and nobody
// logged in (Token is empty).
func newReplica(t testing.TB, s *store.Store, opts ...func(*httpapi.Deps)) *env {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	tokens, err := auth.NewTokens(testSecret)
	require.NoError(t, err)
	authSvc := auth.NewService(s, account.NewHasher(bcrypt.MinCost), tokens)

	// The prober may reach 127.0.0.1 (the test targets); the API's create-time check
	// still refuses literal private addresses, as in production by default.
	prober := probe.New(probe.Options{Guard: netguard.New(true)})
	sched, err := scheduler.New(s, prober, scheduler.Options{Workers: 4, Log: log})
	require.NoError(t, err)

	deps := httpapi.Deps{
		Store:   s,
		Auth:    authSvc,
		Checks:  sched,
		Limits:  target.Limits{MinIntervalSeconds: 30, CheckURL: netguard.New(false).CheckURL},
		Log:     log,
		OpenAPI: apidoc.OpenAPI,
	}
	for _, o := range opts {
		o(&deps)
	}
	e := httpapi.New(deps)
	ts := httptest.NewServer(e)
	t.Cleanup(func() {
		ts.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = sched.Stop(ctx)
		prober.Close()
	})

	base := ts.Client().Transport
	env := &env{
		URL: ts.URL, Store: s, Auth: authSvc, echo: e,
		client: &http.Client{
			Transport: &specCheck{base: base, spec: newSpecValidator(t, ts.URL)},
			// Tests look at redirects themselves.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			Timeout:       90 * time.Second,
		},
	}
	return env
}

// withCORS lets origins call the API from a browser.
func withCORS(origins ...string) func(*httpapi.Deps) {
	return func(d *httpapi.Deps) { d.CORSAllowedOrigins = origins }
}

// response is an answer, read in full.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test when it cannot.
func (r *response) JSON(t testing.TB, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.Body, v), "decode %s", clip(r.Body))
}

// Map decodes the body as a JSON object.
func (r *response) Map(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// problemBody is an RFC 9457 problem as the API sends it.
type problemBody struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail"`
	RequestID string `json:"request_id"`
	Errors    []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
		Line    int    `json:"line"`
		Column  int    `json:"column"`
	} `json:"errors"`
}

// Problem decodes a problem body, checking its media type.
func (r *response) Problem(t testing.TB) problemBody {
	t.Helper()
	assert.Equal(t, "application/problem+json", r.Header.Get("Content-Type"))
	var p problemBody
	r.JSON(t, &p)
	return p
}

// Fields lists the problem's errors[].field.
func (p problemBody) Fields() []string {
	out := make([]string, len(p.Errors))
	for i, e := range p.Errors {
		out[i] = e.Field
	}
	return out
}

// request is what a test sends.
type request struct {
	Method string
	Path   string // from the server's root: /api/v1/targets
	Body   string
	// BodyReader, when set, is sent instead of Body with an unknown length (chunked).
	BodyReader  io.Reader
	ContentType string // default application/json when there is a body
	Headers     map[string]string
	// Token is sent as a bearer token; "" sends the admin's unless NoAuth.
	Token  string
	NoAuth bool
	// InvalidRequest marks a request that breaks the document on purpose.
	InvalidRequest bool
	// OffSpec marks a request to an operation the document does not have, on purpose.
	OffSpec bool
}

// send makes one request and returns the answer, read in full. The transport checks
// the exchange against the OpenAPI document; what it finds fails t here.
func (e *env) send(t testing.TB, r request) *response {
	t.Helper()
	var body io.Reader
	switch {
	case r.BodyReader != nil:
		body = io.MultiReader(r.BodyReader) // hides the length: sent chunked
	case r.Body != "":
		body = strings.NewReader(r.Body)
	}
	req, err := http.NewRequest(r.Method, e.URL+r.Path, body)
	require.NoError(t, err)
	if body != nil {
		ct := r.ContentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	switch {
	case r.NoAuth:
	case r.Token != "":
		req.Header.Set("Authorization", "Bearer "+r.Token)
	default:
		req.Header.Set("Authorization", "Bearer "+e.Token)
	}
	for k, v := range r.Headers {
		req.Header.Set(k, v)
	}
	x := &exchange{invalidRequest: r.InvalidRequest, offSpec: r.OffSpec}
	res, err := e.client.Do(withExchange(req, x))
	x.report(t)
	require.NoError(t, err, "%s %s", r.Method, r.Path)
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return &response{Status: res.StatusCode, Header: res.Header, Body: b}
}

func (e *env) get(t testing.TB, path string) *response {
	t.Helper()
	return e.send(t, request{Method: http.MethodGet, Path: path})
}

// mustJSON encodes v for a request body.
func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// tokenPair is the body of a login or refresh answer.
type tokenPair struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
}

// login logs in through the API and fails the test unless it works.
func (e *env) login(t testing.TB, username, password string) tokenPair {
	t.Helper()
	res := e.send(t, request{Method: http.MethodPost, Path: "/api/v1/auth/login", NoAuth: true,
		Body: mustJSON(t, map[string]string{"username": username, "password": password})})
	require.Equal(t, http.StatusOK, res.Status, "login: %s", res.Body)
	var p tokenPair
	res.JSON(t, &p)
	return p
}

// targetBody is a Target as the API sends it.
type targetBody struct {
	ID                int64             `json:"id"`
	Name              string            `json:"name"`
	URL               string            `json:"url"`
	Method            string            `json:"method"`
	Headers           map[string]string `json:"headers"`
	SecretHeaders     []string          `json:"secret_headers"`
	IntervalSeconds   int               `json:"interval_seconds"`
	TimeoutSeconds    int               `json:"timeout_seconds"`
	ExpectedStatus    string            `json:"expected_status"`
	Retries           int               `json:"retries"`
	RetryDelaySeconds int               `json:"retry_delay_seconds"`
	IsActive          bool              `json:"is_active"`
	Tags              []string          `json:"tags"`
	LastStatus        string            `json:"last_status"`
	LastCheckedAt     *time.Time        `json:"last_checked_at"`
	LastLatencyMS     *int              `json:"last_latency_ms"`
	LastStatusCode    *int              `json:"last_status_code"`
	LastError         string            `json:"last_error"`
	NextCheckAt       *time.Time        `json:"next_check_at"`
	CreatedAt         time.Time         `json:"created_at"`
	UpdatedAt         time.Time         `json:"updated_at"`
}

type targetList struct {
	Items  []targetBody `json:"items"`
	Total  int          `json:"total"`
	Limit  int          `json:"limit"`
	Offset int          `json:"offset"`
}

// checkBody is a Check as the API sends it.
type checkBody struct {
	ID         int64     `json:"id"`
	TargetID   int64     `json:"target_id"`
	CheckedAt  time.Time `json:"checked_at"`
	LatencyMS  int       `json:"latency_ms"`
	StatusCode *int      `json:"status_code"`
	OK         bool      `json:"ok"`
	Error      string    `json:"error"`
	Attempts   int       `json:"attempts"`
	ColdStart  bool      `json:"cold_start"`
	WakeMS     *int      `json:"wake_ms"`
}

// createTarget posts body (any JSON value) and fails the test unless it is created.
func (e *env) createTarget(t testing.TB, body any) targetBody {
	t.Helper()
	res := e.send(t, request{Method: http.MethodPost, Path: "/api/v1/targets", Body: mustJSON(t, body)})
	require.Equal(t, http.StatusCreated, res.Status, "create target: %s", res.Body)
	var tb targetBody
	res.JSON(t, &tb)
	return tb
}

// listTargets returns GET /api/v1/targets with the query.
func (e *env) listTargets(t testing.TB, query string) targetList {
	t.Helper()
	res := e.get(t, "/api/v1/targets"+query)
	require.Equal(t, http.StatusOK, res.Status, "list targets: %s", res.Body)
	var l targetList
	res.JSON(t, &l)
	return l
}

// apiScenario is one request and what must come back, in PocketBase's style.
type apiScenario struct {
	Name   string
	Method string
	URL    string
	Body   string
	// ContentType overrides application/json for Body.
	ContentType string
	Headers     map[string]string
	// Token replaces the admin's token; NoAuth sends none.
	Token  string
	NoAuth bool
	// InvalidRequest: the request breaks the document on purpose (its response is
	// still validated).
	InvalidRequest bool
	// OffSpec: the operation is not in the document, on purpose (an unknown route).
	OffSpec bool

	ExpectedStatus int
	// ExpectedContent are substrings of the body; NotExpectedContent must be absent.
	ExpectedContent    []string
	NotExpectedContent []string
	// ExpectedFields must each be named by the problem's errors[].field.
	ExpectedFields []string
	// ExpectedHeaders must have these values ("*" for any non-empty value).
	ExpectedHeaders map[string]string
	// AfterTest checks anything else.
	AfterTest func(t *testing.T, res *response)
}

// run sends the scenario's request and checks the answer.
func (sc apiScenario) run(t *testing.T, e *env) *response {
	t.Helper()
	res := e.send(t, request{Method: sc.Method, Path: sc.URL, Body: sc.Body, ContentType: sc.ContentType,
		Headers: sc.Headers, Token: sc.Token, NoAuth: sc.NoAuth, InvalidRequest: sc.InvalidRequest, OffSpec: sc.OffSpec})
	assert.Equal(t, sc.ExpectedStatus, res.Status, "%s %s: %s", sc.Method, sc.URL, clip(res.Body))
	for _, s := range sc.ExpectedContent {
		assert.Contains(t, string(res.Body), s)
	}
	for _, s := range sc.NotExpectedContent {
		assert.NotContains(t, string(res.Body), s)
	}
	if len(sc.ExpectedFields) > 0 {
		p := res.Problem(t)
		for _, f := range sc.ExpectedFields {
			assert.Contains(t, p.Fields(), f, "problem names %q: %+v", f, p)
			assert.Contains(t, p.Detail, f, "the detail names %q too", f)
		}
	}
	for k, v := range sc.ExpectedHeaders {
		if v == "*" {
			assert.NotEmpty(t, res.Header.Get(k), "header %s", k)
		} else {
			assert.Equal(t, v, res.Header.Get(k), "header %s", k)
		}
	}
	if sc.AfterTest != nil {
		sc.AfterTest(t, res)
	}
	return res
}

// runScenarios runs each scenario as a subtest named after it.
func runScenarios(t *testing.T, e *env, scenarios []apiScenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) { sc.run(t, e) })
	}
}

// targetPath is the API path of a target.
func targetPath(id int64, rest ...string) string {
	return fmt.Sprintf("/api/v1/targets/%d", id) + strings.Join(rest, "")
}
