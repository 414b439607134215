package selfping_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/logtest"
	"github.com/watchdog-monitor/watchdog/backend/internal/netguard"
	"github.com/watchdog-monitor/watchdog/backend/internal/probe"
	"github.com/watchdog-monitor/watchdog/backend/internal/scheduler"
	"github.com/watchdog-monitor/watchdog/backend/internal/selfping"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

// watcher is a local server standing in for another monitor's ping URL.
type watcher struct {
	*httptest.Server
	mu    sync.Mutex
	pings []hit
}

type hit struct {
	at           time.Time
	method, path string
	body         string
}

func newWatcher(t *testing.T) *watcher {
	w := &watcher{}
	w.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.mu.Lock()
		w.pings = append(w.pings, hit{at: time.Now(), method: r.Method, path: r.URL.Path, body: string(b)})
		w.mu.Unlock()
		_, _ = rw.Write([]byte("OK"))
	}))
	t.Cleanup(w.Close)
	return w
}

func (w *watcher) hits() []hit {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]hit(nil), w.pings...)
}

func startScheduler(t *testing.T, s *store.Store) *scheduler.Scheduler {
	t.Helper()
	p := probe.New(probe.Options{Guard: netguard.New(true)})
	sch, err := scheduler.New(s, p, scheduler.Options{Workers: 2, Tick: 50 * time.Millisecond, Log: storetest.Logger(t)})
	require.NoError(t, err)
	require.NoError(t, sch.Start())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = sch.Stop(ctx)
		p.Close()
	})
	return sch
}

func startPinger(t *testing.T, h selfping.Health, c selfping.Claimer, url string, every time.Duration) *selfping.Pinger {
	t.Helper()
	p, err := selfping.New(h, c, selfping.Options{URL: url, Every: every, Log: storetest.Logger(t)})
	require.NoError(t, err)
	p.Start()
	t.Cleanup(p.Stop)
	return p
}

func TestSelfPingWhileHealthyThenFailWithTheReason(t *testing.T) {
	s := storetest.SQLite(t)
	sch := startScheduler(t, s)
	w := newWatcher(t)
	startPinger(t, sch, s, w.URL+"/api/v1/ping/tok/", 200*time.Millisecond)

	require.Eventually(t, func() bool { return len(w.hits()) >= 3 }, 10*time.Second, 20*time.Millisecond)
	for _, h := range w.hits() {
		assert.Equal(t, http.MethodGet, h.method)
		assert.Equal(t, "/api/v1/ping/tok/", h.path, "a healthy scheduler pings the URL itself")
	}

	// A stopped scheduler is not healthy: the pings become /fail with the reason.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, sch.Stop(ctx))
	require.Eventually(t, func() bool {
		hs := w.hits()
		return hs[len(hs)-1].path == "/api/v1/ping/tok/fail"
	}, 10*time.Second, 20*time.Millisecond)
	hs := w.hits()
	last := hs[len(hs)-1]
	assert.Equal(t, http.MethodPost, last.method)
	assert.Equal(t, "the scheduler is stopping", last.body)
}

// Two replicas on one database ping once per tick between them.
func TestSelfPingOncePerDeployment(t *testing.T) {
	dbURL := storetest.PostgresURL(t)
	a, b := storetest.Open(t, dbURL), storetest.Open(t, dbURL)
	schA, schB := startScheduler(t, a), startScheduler(t, b)
	w := newWatcher(t)
	every := 300 * time.Millisecond
	startPinger(t, schA, a, w.URL+"/ping/tok", every)
	startPinger(t, schB, b, w.URL+"/ping/tok", every)

	require.Eventually(t, func() bool { return len(w.hits()) >= 5 }, 10*time.Second, 20*time.Millisecond)
	seen := map[int64]bool{}
	for _, h := range w.hits() {
		assert.Equal(t, "/ping/tok", h.path)
		tick := h.at.UnixNano() / int64(every)
		assert.False(t, seen[tick], "tick %d pinged twice", tick)
		seen[tick] = true
	}
}

func TestNewRefusesABadURL(t *testing.T) {
	_, err := selfping.New(nil, nil, selfping.Options{URL: "hc.example.com/x"})
	assert.Error(t, err)
}

// TestFailedPingNeverLogsTheURL: a ping that fails is logged with what went wrong,
// never with the URL (its token is a credential), however the client printed it.
func TestFailedPingNeverLogsTheURL(t *testing.T) {
	const secret = "s3cr3t-ping-token"
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close() // connections to it are refused
	redirect := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		http.Redirect(rw, r, closedURL+"/ping/"+secret, http.StatusFound)
	}))
	t.Cleanup(redirect.Close)
	notFound := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		rw.WriteHeader(http.StatusNotFound)
		_, _ = rw.Write([]byte(secret))
	}))
	t.Cleanup(notFound.Close)
	host := strings.TrimPrefix(closedURL, "http://")

	cases := []struct {
		name, url, want string
	}{
		{name: "redirected to a URL with a secret path", url: redirect.URL + "/start", want: "connection refused"},
		{name: "user and password", url: "http://watchdog:" + secret + "@" + host + "/ping/" + secret, want: "connection refused"},
		{name: "a space in the path", url: "http://" + host + "/ping/" + secret + " x", want: "connection refused"},
		{name: "upper-case scheme", url: "HTTP://" + host + "/ping/" + secret, want: "connection refused"},
		{name: "an error status", url: notFound.URL + "/ping/" + secret, want: "answered status 404"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var out logtest.Buffer
			log := slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))
			p, err := selfping.New(okHealth{}, nil, selfping.Options{URL: c.url, Every: 50 * time.Millisecond, Log: log})
			require.NoError(t, err)
			p.Start()
			t.Cleanup(p.Stop)
			require.Eventually(t, func() bool { return strings.Contains(out.String(), "self-ping failed") },
				5*time.Second, 10*time.Millisecond)
			p.Stop()
			lines := out.WithMsg(t, "self-ping failed; the watcher may report this deployment down")
			require.NotEmpty(t, lines)
			assert.Contains(t, lines[0]["err"], c.want)
			assert.NotContains(t, out.String(), secret)
			assert.NotContains(t, out.String(), url.PathEscape(secret))
		})
	}
}

type okHealth struct{}

func (okHealth) Health() (bool, string) { return true, "" }
