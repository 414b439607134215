package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/httpapi"
	"github.com/watchdog-monitor/watchdog/backend/internal/netguard"
	"github.com/watchdog-monitor/watchdog/backend/internal/notify"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// withNotify lets test messages reach receivers on 127.0.0.1 (the API's create-time
// check of literal private addresses still applies).
func withNotify(d *httpapi.Deps) {
	d.Notify = notify.Env{Client: &http.Client{Timeout: 5 * time.Second}, CheckURL: netguard.New(false).CheckURL}
}

type channelBody struct {
	ID        int64          `json:"id"`
	Name      string         `json:"name"`
	Type      string         `json:"type"`
	Config    map[string]any `json:"config"`
	IsDefault bool           `json:"is_default"`
}

func (e *env) createChannel(t testing.TB, body any) channelBody {
	t.Helper()
	res := e.send(t, request{Method: http.MethodPost, Path: "/api/v1/channels", Body: mustJSON(t, body)})
	require.Equal(t, http.StatusCreated, res.Status, "create channel: %s", res.Body)
	var ch channelBody
	res.JSON(t, &ch)
	return ch
}

func TestChannelsCRUD(t *testing.T) {
	e := newEnv(t, nil, withNotify)
	hook := e.createChannel(t, map[string]any{"name": "ops", "type": "webhook", "is_default": true,
		"config": map[string]any{"url": "https://hooks.example.com/wd", "secret": "hush-hush", "headers": map[string]string{"X-Team": "ops"}}})
	slack := e.createChannel(t, map[string]any{"name": "chat", "type": "slack",
		"config": map[string]any{"url": "https://hooks.slack.com/services/T000/B000/hookpath8"}})

	runScenarios(t, e, []apiScenario{
		{Name: "list hides secrets", Method: http.MethodGet, URL: "/api/v1/channels", ExpectedStatus: http.StatusOK,
			ExpectedContent:    []string{`"name":"chat"`, `"name":"ops"`, `"secret_set":true`, `"url":"https://hooks.example.com/wd"`},
			NotExpectedContent: []string{"hush-hush", "hookpath8"}},
		{Name: "get", Method: http.MethodGet, URL: fmt.Sprintf("/api/v1/channels/%d", slack.ID), ExpectedStatus: http.StatusOK,
			ExpectedContent: []string{`"type":"slack"`}, NotExpectedContent: []string{"hooks.slack.com"}},
		{Name: "unknown id", Method: http.MethodGet, URL: "/api/v1/channels/999", ExpectedStatus: http.StatusNotFound},
		{Name: "duplicate name", Method: http.MethodPost, URL: "/api/v1/channels", ExpectedStatus: http.StatusConflict,
			Body: `{"name":"ops","type":"webhook","config":{"url":"https://x.example.com"}}`},
		{Name: "unknown type", Method: http.MethodPost, URL: "/api/v1/channels", ExpectedStatus: http.StatusUnprocessableEntity,
			Body: `{"name":"x","type":"carrier-pigeon","config":{}}`, ExpectedFields: []string{"type"}, InvalidRequest: true},
		{Name: "slack off its host", Method: http.MethodPost, URL: "/api/v1/channels", ExpectedStatus: http.StatusUnprocessableEntity,
			Body: `{"name":"x","type":"slack","config":{"url":"https://evil.example.com/services/a"}}`, ExpectedFields: []string{"config.url"}},
		{Name: "webhook to a private address", Method: http.MethodPost, URL: "/api/v1/channels", ExpectedStatus: http.StatusUnprocessableEntity,
			Body: `{"name":"x","type":"webhook","config":{"url":"http://169.254.169.254/latest"}}`, ExpectedFields: []string{"config.url"}},
		{Name: "missing name", Method: http.MethodPost, URL: "/api/v1/channels", ExpectedStatus: http.StatusUnprocessableEntity,
			Body: `{"name":"","type":"webhook","config":{"url":"https://x.example.com"}}`, ExpectedFields: []string{"name"}},
		{Name: "unknown field", Method: http.MethodPost, URL: "/api/v1/channels", ExpectedStatus: http.StatusBadRequest,
			Body: `{"name":"y","type":"webhook","config":{"url":"https://x.example.com"},"colour":"red"}`, InvalidRequest: true},
		// The rules of notify.Channel.Validate, which apply and the importers call too.
		{Name: "305-character name with a BEL", Method: http.MethodPost, URL: "/api/v1/channels", ExpectedStatus: http.StatusUnprocessableEntity,
			Body: `{"name":"` + strings.Repeat("n", 300) + `\u0007oops","type":"ntfy","config":{"topic":"t"}}`, ExpectedFields: []string{"name"},
			ExpectedContent: []string{"at most 100 characters"}, InvalidRequest: true},
		{Name: "name with a BEL", Method: http.MethodPost, URL: "/api/v1/channels", ExpectedStatus: http.StatusUnprocessableEntity,
			Body: `{"name":"ops\u0007","type":"ntfy","config":{"topic":"t"}}`, ExpectedFields: []string{"name"}, ExpectedContent: []string{"control"}},
		{Name: "name with a bidi override", Method: http.MethodPost, URL: "/api/v1/channels", ExpectedStatus: http.StatusUnprocessableEntity,
			Body: `{"name":"\u202eops","type":"ntfy","config":{"topic":"t"}}`, ExpectedFields: []string{"name"}, ExpectedContent: []string{"U+202E"}},
		{Name: "name of zero-width spaces", Method: http.MethodPost, URL: "/api/v1/channels", ExpectedStatus: http.StatusUnprocessableEntity,
			Body: `{"name":"\u200b\u200b","type":"ntfy","config":{"topic":"t"}}`, ExpectedFields: []string{"name"}},
	})

	// A patch that leaves the secret out keeps it; the config is otherwise replaced.
	res := e.send(t, request{Method: http.MethodPatch, Path: fmt.Sprintf("/api/v1/channels/%d", hook.ID),
		Body: `{"name":"ops-hook","config":{"url":"https://hooks.example.com/v2"}}`})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var patched channelBody
	res.JSON(t, &patched)
	assert.Equal(t, "ops-hook", patched.Name)
	assert.Equal(t, true, patched.Config["secret_set"])
	stored, err := e.Store.GetChannel(context.Background(), hook.ID)
	require.NoError(t, err)
	assert.Contains(t, string(stored.Config), "hush-hush")
	assert.Contains(t, string(stored.Config), "/v2")

	// A new target names no channels: it gets the default ones; [] means none.
	tg := e.createTarget(t, map[string]any{"url": "https://a.example.com"})
	got := e.get(t, targetPath(tg.ID)).Map(t)
	assert.Equal(t, []any{float64(hook.ID)}, got["channel_ids"])
	none := e.createTarget(t, map[string]any{"url": "https://b.example.com", "channel_ids": []int{}})
	assert.Equal(t, []any{}, e.get(t, targetPath(none.ID)).Map(t)["channel_ids"])

	runScenarios(t, e, []apiScenario{
		{Name: "target names an unknown channel", Method: http.MethodPost, URL: "/api/v1/targets", ExpectedStatus: http.StatusUnprocessableEntity,
			Body: `{"url":"https://c.example.com","channel_ids":[424242]}`, ExpectedFields: []string{"channel_ids"}},
		{Name: "patch subscribes", Method: http.MethodPatch, URL: targetPath(none.ID), ExpectedStatus: http.StatusOK,
			Body: fmt.Sprintf(`{"channel_ids":[%d,%d]}`, slack.ID, hook.ID), ExpectedContent: []string{fmt.Sprintf(`"channel_ids":[%d,%d]`, hook.ID, slack.ID)}},
		{Name: "thresholds out of range", Method: http.MethodPatch, URL: targetPath(none.ID), ExpectedStatus: http.StatusUnprocessableEntity,
			Body: `{"failure_threshold":0,"success_threshold":101}`, ExpectedFields: []string{"failure_threshold", "success_threshold"}, InvalidRequest: true},
		{Name: "delete channel", Method: http.MethodDelete, URL: fmt.Sprintf("/api/v1/channels/%d", slack.ID), ExpectedStatus: http.StatusNoContent},
		{Name: "its subscription goes with it", Method: http.MethodGet, URL: targetPath(none.ID), ExpectedStatus: http.StatusOK,
			ExpectedContent: []string{fmt.Sprintf(`"channel_ids":[%d]`, hook.ID)}},
		{Name: "delete again", Method: http.MethodDelete, URL: fmt.Sprintf("/api/v1/channels/%d", slack.ID), ExpectedStatus: http.StatusNotFound},
	})
}

func TestChannelTestMessage(t *testing.T) {
	var status atomic.Int32
	status.Store(http.StatusOK)
	var got atomic.Value
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got.Store(string(b))
		w.WriteHeader(int(status.Load()))
	}))
	t.Cleanup(rcv.Close)
	// The receiver is on 127.0.0.1, which the default create-time check refuses.
	e := newEnv(t, nil, withNotify, func(d *httpapi.Deps) { d.Notify.CheckURL = nil })
	ch := e.createChannel(t, map[string]any{"name": "ops", "type": "webhook", "config": map[string]any{"url": rcv.URL + "/hook"}})
	path := fmt.Sprintf("/api/v1/channels/%d/test", ch.ID)

	res := e.send(t, request{Method: http.MethodPost, Path: path})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	assert.JSONEq(t, `{"delivered":true}`, string(res.Body))
	assert.Contains(t, got.Load(), `"event":"test"`)

	status.Store(http.StatusInternalServerError)
	res = e.send(t, request{Method: http.MethodPost, Path: path})
	assert.Equal(t, http.StatusBadGateway, res.Status)
	assert.Contains(t, res.Problem(t).Detail, "500")
	res = e.send(t, request{Method: http.MethodPost, Path: "/api/v1/channels/999/test"})
	assert.Equal(t, http.StatusNotFound, res.Status)
}

func TestIncidentsList(t *testing.T) {
	e := newEnv(t, nil)
	tg := e.createTarget(t, map[string]any{"url": "https://a.example.com", "failure_threshold": 1, "success_threshold": 1})
	other := e.createTarget(t, map[string]any{"url": "https://b.example.com", "failure_threshold": 1})
	ctx := context.Background()
	at := time.Now().Add(-time.Minute).UTC()
	rec := func(id int64, ok bool) {
		at = at.Add(time.Second)
		c := target.Check{TargetID: id, CheckedAt: at, OK: ok, Attempts: 1}
		if !ok {
			c.Error = "unexpected status 503 (expected 200-399)"
		}
		require.NoError(t, e.Store.Record(ctx, []store.Result{{Check: c}}))
	}
	rec(tg.ID, false)
	rec(tg.ID, true)
	rec(tg.ID, false)
	rec(other.ID, false)

	runScenarios(t, e, []apiScenario{
		{Name: "all, newest first", Method: http.MethodGet, URL: "/api/v1/incidents", ExpectedStatus: http.StatusOK,
			AfterTest: func(t *testing.T, res *response) {
				var l struct {
					Items []struct {
						TargetID   int64      `json:"target_id"`
						ResolvedAt *time.Time `json:"resolved_at"`
						Cause      string     `json:"cause"`
						FirstError string     `json:"first_error"`
					} `json:"items"`
					Total int `json:"total"`
				}
				res.JSON(t, &l)
				require.Equal(t, 3, l.Total)
				assert.Equal(t, other.ID, l.Items[0].TargetID)
				assert.Nil(t, l.Items[0].ResolvedAt)
				assert.NotNil(t, l.Items[2].ResolvedAt)
				assert.Equal(t, "1 failed check", l.Items[2].Cause)
				assert.Equal(t, "unexpected status 503 (expected 200-399)", l.Items[2].FirstError)
			}},
		{Name: "open only", Method: http.MethodGet, URL: "/api/v1/incidents?open=true", ExpectedStatus: http.StatusOK,
			ExpectedContent: []string{`"total":2`}},
		{Name: "paged", Method: http.MethodGet, URL: "/api/v1/incidents?limit=1&offset=1", ExpectedStatus: http.StatusOK,
			ExpectedContent: []string{`"total":3`, `"limit":1`, `"offset":1`}},
		{Name: "one target", Method: http.MethodGet, URL: targetPath(tg.ID, "/incidents"), ExpectedStatus: http.StatusOK,
			ExpectedContent: []string{`"total":2`}},
		{Name: "unknown target", Method: http.MethodGet, URL: targetPath(9999, "/incidents"), ExpectedStatus: http.StatusNotFound},
		{Name: "bad open", Method: http.MethodGet, URL: "/api/v1/incidents?open=maybe", ExpectedStatus: http.StatusBadRequest,
			InvalidRequest: true, ExpectedFields: []string{"open"}},
		{Name: "target shows its confirmed status", Method: http.MethodGet, URL: targetPath(tg.ID), ExpectedStatus: http.StatusOK,
			ExpectedContent: []string{`"last_status":"down"`, `"failure_threshold":1`, `"conditions":[]`}},
	})
}

// The new self-hosted types through the API: created, listed without their tokens,
// tested against a fake server on 127.0.0.1, and refused when a PATCH moves the
// channel to another server without the token: the stored one goes nowhere new.
func TestSelfHostedChannelKeepsItsTokenHome(t *testing.T) {
	var keys atomic.Value
	keys.Store("")
	gotify := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		keys.Store(r.Method + " " + r.URL.Path + " " + r.Header.Get("X-Gotify-Key"))
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(gotify.Close)
	e := newEnv(t, nil, withNotify, func(d *httpapi.Deps) { d.Notify.CheckURL = nil })
	const token = "AbCdEfGhIjKlMnO"
	ch := e.createChannel(t, map[string]any{"name": "phone", "type": "gotify",
		"config": map[string]any{"server_url": gotify.URL, "token": token, "priority": 5}})
	assert.Equal(t, true, ch.Config["token_set"])
	assert.NotContains(t, mustJSON(t, ch), token)

	path := fmt.Sprintf("/api/v1/channels/%d", ch.ID)
	res := e.send(t, request{Method: http.MethodPost, Path: path + "/test"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	assert.Equal(t, "POST /message "+token, keys.Load())

	runScenarios(t, e, []apiScenario{
		{Name: "moved without the token", Method: http.MethodPatch, URL: path, ExpectedStatus: http.StatusUnprocessableEntity,
			Body: `{"config":{"server_url":"https://gotify.elsewhere.example","token_set":true}}`, ExpectedFields: []string{"config.token"},
			ExpectedContent: []string{"must be sent again when server_url changes"}, NotExpectedContent: []string{token}},
		{Name: "a priority as a word", Method: http.MethodPatch, URL: path, ExpectedStatus: http.StatusUnprocessableEntity,
			Body: `{"config":{"server_url":"` + gotify.URL + `","priority":"high"}}`, ExpectedFields: []string{"config.priority"},
			ExpectedContent: []string{"must be a whole number"}},
		{Name: "same server, new priority, token kept", Method: http.MethodPatch, URL: path, ExpectedStatus: http.StatusOK,
			Body: `{"config":{"server_url":"` + gotify.URL + `/","priority":2}}`, ExpectedContent: []string{`"token_set":true`, `"priority":2`},
			NotExpectedContent: []string{token}},
		{Name: "a fixed-host type takes no host", Method: http.MethodPost, URL: "/api/v1/channels", ExpectedStatus: http.StatusUnprocessableEntity,
			Body:           `{"name":"og","type":"opsgenie","config":{"api_key":"9f2b1c4e-7a3d-4e5f-8b6a-1c2d3e4f5a6b","url":"https://evil.example"}}`,
			ExpectedFields: []string{"config.url"}},
	})
	stored, err := e.Store.GetChannel(context.Background(), ch.ID)
	require.NoError(t, err)
	assert.Contains(t, string(stored.Config), token, "the refused move left the stored token as it was")
	assert.Contains(t, string(stored.Config), gotify.URL)
}
