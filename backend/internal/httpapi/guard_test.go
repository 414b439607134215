package httpapi_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/httpapi"
	"github.com/watchdog-monitor/watchdog/backend/internal/netguard"
	"github.com/watchdog-monitor/watchdog/backend/internal/notify"
)

// withGuard applies one outbound guard everywhere, as the server does: to target and
// channel URLs when they are saved, and to channel sends.
func withGuard(allowPrivate bool) func(*httpapi.Deps) {
	return func(d *httpapi.Deps) {
		g := netguard.New(allowPrivate)
		dialer := g.Dialer()
		d.Limits.CheckURL = g.CheckURL
		d.Notify = notify.Env{
			Client:   &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DialContext: dialer.DialContext}},
			CheckURL: g.CheckURL,
		}
	}
}

// refusedURLs are refused at create in every setting: metadata in each form a URL can
// carry it, and ports no connection can use.
var refusedURLs = []string{
	"http://[fd00:ec2::254%25lo]/",
	"http://[fd00:ec2::254%25eth0]/latest",
	"http://[fd00:ec2::254%251]/",
	"http://[64:ff9b::a9fe:a9fe%25lo]/",
	"http://[fd00:ec2::1]/",
	"http://169.254.0.23/",
	"http://0xa9fea9fe/",
	"http://2852039166/",
	"http://0251.0376.0251.0376/",
	"http://169.254.169.254./",
	"http://1.2.3.4.5/",
	"http://example.com:0/",
	"http://example.com:65536/",
	"http://example.com:99999/",
}

// loopbackForms are 127.0.0.1 as a browser reads them: refused unless private
// targets are allowed.
var loopbackForms = []string{
	"http://127.1:8080/", "http://0x7f000001/", "http://2130706433/", "http://017700000001/", "http://127.0.0.1./",
}

func TestGuardAtCreate(t *testing.T) {
	for _, allowPrivate := range []bool{false, true} {
		t.Run(fmt.Sprintf("allowPrivate=%v", allowPrivate), func(t *testing.T) {
			e := newEnv(t, nil, withGuard(allowPrivate))
			var scenarios []apiScenario
			refused := append([]string{}, refusedURLs...)
			if !allowPrivate {
				refused = append(refused, loopbackForms...)
			}
			for _, u := range refused {
				scenarios = append(scenarios,
					apiScenario{Name: "target " + u, Method: http.MethodPost, URL: "/api/v1/targets",
						Body: mustJSON(t, map[string]any{"url": u}), ExpectedStatus: http.StatusUnprocessableEntity,
						ExpectedFields: []string{"url"}},
					apiScenario{Name: "webhook " + u, Method: http.MethodPost, URL: "/api/v1/channels",
						Body:           mustJSON(t, map[string]any{"name": "hook", "type": "webhook", "config": map[string]any{"url": u}}),
						ExpectedStatus: http.StatusUnprocessableEntity, ExpectedFields: []string{"config.url"}},
					apiScenario{Name: "ntfy " + u, Method: http.MethodPost, URL: "/api/v1/channels",
						Body:           mustJSON(t, map[string]any{"name": "push", "type": "ntfy", "config": map[string]any{"url": u, "topic": "ops"}}),
						ExpectedStatus: http.StatusUnprocessableEntity, ExpectedFields: []string{"config.url"}},
				)
			}
			runScenarios(t, e, scenarios)

			if allowPrivate {
				for i, u := range loopbackForms {
					tg := e.createTarget(t, map[string]any{"name": fmt.Sprintf("loopback %d", i), "url": u})
					assert.Equal(t, u, tg.URL, "the URL is kept as written")
					e.createChannel(t, map[string]any{"name": fmt.Sprintf("hook %d", i), "type": "webhook", "config": map[string]any{"url": u}})
				}
			}
			// A channel saved before the guard was this strict is refused on update too.
			ch := e.createChannel(t, map[string]any{"name": "ok", "type": "webhook", "config": map[string]any{"url": "https://hooks.example.com/x"}})
			res := e.send(t, request{Method: http.MethodPatch, Path: fmt.Sprintf("/api/v1/channels/%d", ch.ID),
				Body: `{"config":{"url":"http://[fd00:ec2::254%25lo]/"}}`})
			assert.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
			assert.Contains(t, res.Problem(t).Fields(), "config.url")
		})
	}
}

// TestChannelTestSaysNothingOfPrivateHosts: POST /channels/{id}/test names no refused
// address, and quotes nothing a host reached only by the exception answered; the
// status code is still said.
func TestChannelTestSaysNothingOfPrivateHosts(t *testing.T) {
	const secret = "internal-secret-7f3a"
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `{"page": "`+secret+`"}`)
	}))
	t.Cleanup(rcv.Close)
	_, port, err := net.SplitHostPort(rcv.Listener.Addr().String())
	require.NoError(t, err)

	t.Run("refused dial", func(t *testing.T) {
		e := newEnv(t, nil, withGuard(false))
		// A name passes at create: it is judged on the address it resolves to.
		ch := e.createChannel(t, map[string]any{"name": "ops", "type": "webhook", "config": map[string]any{"url": "http://localhost:" + port + "/hook"}})
		res := e.send(t, request{Method: http.MethodPost, Path: fmt.Sprintf("/api/v1/channels/%d/test", ch.ID)})
		require.Equal(t, http.StatusBadGateway, res.Status, "%s", res.Body)
		detail := res.Problem(t).Detail
		assert.Contains(t, detail, "address not allowed")
		for _, leak := range []string{"127.0.0.1", "::1", port} {
			assert.NotContains(t, detail, leak, "the detail names the refused address")
		}
	})
	t.Run("private host allowed", func(t *testing.T) {
		e := newEnv(t, nil, withGuard(true))
		ch := e.createChannel(t, map[string]any{"name": "ops", "type": "webhook", "config": map[string]any{"url": "http://127.1:" + port + "/hook"}})
		res := e.send(t, request{Method: http.MethodPost, Path: fmt.Sprintf("/api/v1/channels/%d/test", ch.ID)})
		require.Equal(t, http.StatusBadGateway, res.Status, "%s", res.Body)
		detail := res.Problem(t).Detail
		assert.Contains(t, detail, "500")
		assert.NotContains(t, detail, secret)
	})
}

// TestCheckNowSaysNothingOfPrivateHosts: a check of a host reached only by the
// exception records no text it sent, and a redirect from it to a zoned metadata
// address is refused at the hop without naming the address.
func TestCheckNowSaysNothingOfPrivateHosts(t *testing.T) {
	const secret = "internal-secret-7f3a"
	mux := http.NewServeMux()
	mux.HandleFunc("/page", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status": "`+secret+`"}`)
	})
	mux.HandleFunc("/to-metadata", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://[fd00:ec2::254%25lo]/latest/meta-data/", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	// The harness's prober allows private targets, like ALLOW_PRIVATE_TARGETS.
	e := newEnv(t, nil, withGuard(true))
	page := e.createTarget(t, map[string]any{"name": "page", "url": srv.URL + "/page",
		"conditions": []map[string]any{{"type": "json", "path": "$.status", "op": "==", "value": "ok"}}})
	redirect := e.createTarget(t, map[string]any{"name": "redirect", "url": srv.URL + "/to-metadata"})

	for _, tt := range []struct {
		id      int64
		want    string
		leaking []string
	}{
		{id: page.ID, want: `$.status == "ok" failed`, leaking: []string{secret}},
		{id: redirect.ID, want: "address not allowed: a link-local or cloud metadata address", leaking: []string{"fd00", "%lo"}},
	} {
		res := e.send(t, request{Method: http.MethodPost, Path: targetPath(tt.id, "/check")})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var c checkBody
		res.JSON(t, &c)
		assert.False(t, c.OK)
		assert.Contains(t, c.Error, tt.want)
		got := e.get(t, targetPath(tt.id)).Map(t)
		for _, leak := range tt.leaking {
			assert.NotContains(t, c.Error, leak)
			assert.NotContains(t, fmt.Sprint(got["last_error"]), leak)
		}
	}
}
