package notify

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// received is one request a receiver got.
type received struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   []byte
}

// receiver stands in for a provider's endpoint on 127.0.0.1: it records every request
// and answers with the status, headers and body it was told to. By default it echoes
// the request's path, query, headers and body back in its answer, so tests can check
// that an error repeating the answer still hides the secrets.
type receiver struct {
	*httptest.Server

	mu     sync.Mutex
	got    []received
	status int
	header map[string]string
	body   string
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	r := &receiver{status: http.StatusOK}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.got = append(r.got, received{Method: req.Method, Path: req.URL.Path, Query: req.URL.RawQuery,
		Header: req.Header.Clone(), Body: body})
	status, header, answer := r.status, r.header, r.body
	r.mu.Unlock()
	for k, v := range header {
		w.Header().Set(k, v)
	}
	if answer == "" {
		echo, _ := json.Marshal(map[string]any{"path": req.URL.Path, "query": req.URL.RawQuery,
			"header": req.Header, "body": string(body)})
		answer = string(echo)
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, answer)
}

// answer sets how the receiver answers from now on; an empty body echoes the request.
func (r *receiver) answer(status int, body string, header map[string]string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status, r.body, r.header = status, body, header
}

// only is the one request the receiver got.
func (r *receiver) only(t *testing.T) received {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	require.Len(t, r.got, 1, "requests received")
	return r.got[0]
}

// deliver sends m through a channel of type typ whose config is built around a fresh
// receiver's URL, answered with status, and returns the one request it got.
func deliver(t *testing.T, typ string, status int, config func(base string) map[string]any, m Message) received {
	t.Helper()
	rcv := newReceiver(t)
	rcv.answer(status, "{}", nil)
	ch := Channel{Type: typ, Config: rawJSON(t, config(rcv.URL))}
	require.NoError(t, Send(context.Background(), ch, testEnv(rcv), m))
	return rcv.only(t)
}

// testEnv sends to local fakes: any host, and the fixed API addresses pointed at r.
func testEnv(r *receiver) Env {
	env := Env{Client: &http.Client{Timeout: 5 * time.Second}, AnyHost: true}
	if r != nil {
		env.APIBase = map[string]string{}
		for _, typ := range Types() {
			env.APIBase[typ] = r.URL
		}
	}
	return env
}

// assertJSONRequest checks a request carrying a JSON body: its method, path, query
// and content type, and the body compared whole with want.
func assertJSONRequest(t *testing.T, got received, method, path, query, want string) {
	t.Helper()
	assert.Equal(t, method, got.Method)
	assert.Equal(t, path, got.Path)
	assert.Equal(t, query, got.Query)
	assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
	assert.JSONEq(t, want, string(got.Body))
}

// withSettings is a config builder whose configs have extra settings added (or
// replaced).
func withSettings(config func(base string) map[string]any, extra map[string]any) func(base string) map[string]any {
	return func(base string) map[string]any {
		c := config(base)
		maps.Copy(c, extra)
		return c
	}
}

func rawJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

var (
	started  = time.Date(2025, 3, 4, 9, 48, 0, 0, time.UTC)
	occurred = time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
)

func shopAPI() *TargetRef {
	return &TargetRef{ID: 7, Name: "shop-api", URL: "https://shop.example.com/health"}
}

func downMessage() Message {
	return Message{DeliveryID: "del-down-1", Event: EventDown, Target: shopAPI(),
		Incident: &IncidentRef{ID: 42, Kind: "down", StartedAt: started, Cause: "3 failed checks in a row",
			FirstError: "unexpected status 503 (expected 200-399)", LastError: "connection refused"},
		OccurredAt: occurred, DashboardURL: "https://watchdog.example.com/targets/7"}
}

func upMessage() Message {
	resolved := occurred
	m := downMessage()
	m.DeliveryID, m.Event = "del-up-1", EventUp
	m.Incident.ResolvedAt = &resolved
	return m
}

func testMessage() Message {
	return Message{DeliveryID: "test-abc", Event: EventTest, OccurredAt: occurred}
}

func degradedMessage() Message {
	return Message{DeliveryID: "del-deg-1", Event: EventDegraded, OccurredAt: occurred, Affected: 37, Active: 40}
}

func recoveredMessage() Message {
	return Message{DeliveryID: "del-rec-1", Event: EventRecovered, OccurredAt: occurred, Affected: 2, Active: 40}
}
