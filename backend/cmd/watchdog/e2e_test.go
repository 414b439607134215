package main

// End-to-end tests: the real server (newApp + serve, as main wires it) against a
// local fleet of HTTP targets, driven through the Go client generated from the
// published OpenAPI document.

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/apiclient"
	"github.com/watchdog-monitor/watchdog/backend/internal/config"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

const testAdminPass = "e2e-admin-password"

// fleet stands in for the monitored services. It records every request per path;
// /down/… answers 500, /slow/… after a second, /hang/… never, /stream/… sends an
// endless body, /loop/… redirects to itself forever.
type fleet struct {
	*httptest.Server
	mu      sync.Mutex
	hits    map[string][]time.Time
	written map[string]int64
}

func newFleet(t *testing.T) *fleet {
	f := &fleet{hits: map[string][]time.Time{}, written: map[string]int64{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fleet) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.hits[r.URL.Path] = append(f.hits[r.URL.Path], time.Now())
	f.mu.Unlock()
	kind, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	switch kind {
	case "down":
		w.WriteHeader(http.StatusInternalServerError)
	case "slow":
		select {
		case <-time.After(time.Second):
		case <-r.Context().Done():
		}
	case "hang":
		<-r.Context().Done()
	case "stream":
		chunk := make([]byte, 64<<10)
		var n int64
		defer func() {
			f.mu.Lock()
			f.written[r.URL.Path] += n
			f.mu.Unlock()
		}()
		for n < 1<<30 {
			m, err := w.Write(chunk)
			n += int64(m)
			if err != nil {
				return
			}
		}
	case "loop":
		http.Redirect(w, r, r.URL.Path, http.StatusFound)
	default:
		_, _ = io.WriteString(w, "ok")
	}
}

func (f *fleet) count(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.hits[path])
}

func (f *fleet) times(path string) []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Time(nil), f.hits[path]...)
}

// server is a WatchDog running in this test process.
type server struct {
	URL    string
	client *apiclient.ClientWithResponses
	stop   func()
}

// startServer runs the real server on 127.0.0.1 with the given environment on top of
// test defaults, and logs in as the admin.
func startServer(t *testing.T, env map[string]string) *server {
	t.Helper()
	vars := map[string]string{
		"ADMIN_PASS": testAdminPass, "ALLOW_PRIVATE_TARGETS": "true", "MIN_INTERVAL_SECONDS": "1",
		"WORKERS": "16", "LOG_LEVEL": "warn", "SHUTDOWN_TIMEOUT": "3s",
	}
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := config.Load(nil, func(k string) string { return vars[k] })
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	a, err := newApp(ctx, cfg, storetest.Logger(t), nil)
	if err != nil {
		cancel()
		t.Fatalf("start server: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- a.serve(ctx, ln) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	s := &server{URL: "http://" + ln.Addr().String(), stop: stop}
	s.client = login(t, s.URL)
	return s
}

// login returns a generated client that sends the admin's access token.
func login(t *testing.T, baseURL string) *apiclient.ClientWithResponses {
	t.Helper()
	anon, err := apiclient.NewClientWithResponses(baseURL + "/api/v1")
	require.NoError(t, err)
	res, err := anon.LoginWithResponse(context.Background(), apiclient.LoginRequest{Username: "admin", Password: testAdminPass})
	require.NoError(t, err)
	require.NotNil(t, res.JSON200, "login: %d %s", res.StatusCode(), res.Body)
	token := res.JSON200.AccessToken
	c, err := apiclient.NewClientWithResponses(baseURL+"/api/v1", apiclient.WithRequestEditorFn(
		func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+token)
			return nil
		}))
	require.NoError(t, err)
	return c
}

func ptr[T any](v T) *T { return &v }

func (s *server) create(t *testing.T, body apiclient.TargetCreate) apiclient.Target {
	t.Helper()
	res, err := s.client.CreateTargetWithResponse(context.Background(), body)
	require.NoError(t, err)
	require.NotNil(t, res.JSON201, "create: %d %s", res.StatusCode(), res.Body)
	return *res.JSON201
}

func (s *server) checks(t *testing.T, id int) []apiclient.Check {
	t.Helper()
	res, err := s.client.ListChecksWithResponse(context.Background(), id, &apiclient.ListChecksParams{Limit: ptr(1000)})
	require.NoError(t, err)
	require.NotNil(t, res.JSON200, "checks: %d %s", res.StatusCode(), res.Body)
	return res.JSON200.Items
}

func status(t *testing.T, url string) int {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	_ = res.Body.Close()
	return res.StatusCode
}

func TestEndToEnd(t *testing.T) {
	for name, dbURL := range map[string]func(testing.TB) string{"sqlite": storetest.SQLiteURL, "postgres": storetest.PostgresURL} {
		t.Run(name, func(t *testing.T) {
			f := newFleet(t)
			srv := startServer(t, map[string]string{"DATABASE_URL": dbURL(t)})
			ctx := context.Background()
			assert.Equal(t, http.StatusOK, status(t, srv.URL+"/healthz"))
			assert.Equal(t, http.StatusOK, status(t, srv.URL+"/readyz"))

			up := srv.create(t, apiclient.TargetCreate{Url: f.URL + "/ok/1", Name: ptr("shop-api"), IntervalSeconds: ptr(2), TimeoutSeconds: ptr(1), Tags: &[]string{"prod"}})
			down := srv.create(t, apiclient.TargetCreate{Url: f.URL + "/down/1", IntervalSeconds: ptr(2), TimeoutSeconds: ptr(1), Retries: ptr(0),
				FailureThreshold: ptr(1)})
			toPause := srv.create(t, apiclient.TargetCreate{Url: f.URL + "/ok/pause", IntervalSeconds: ptr(2), TimeoutSeconds: ptr(1)})
			toDelete := srv.create(t, apiclient.TargetCreate{Url: f.URL + "/ok/delete", IntervalSeconds: ptr(2), TimeoutSeconds: ptr(1)})
			assert.Equal(t, "shop-api", up.Name)
			assert.Equal(t, []string{"prod"}, up.Tags)

			// Every target is checked at once, then every two seconds.
			require.Eventually(t, func() bool { return f.count("/ok/pause") >= 1 && f.count("/ok/delete") >= 1 }, 3*time.Second, 50*time.Millisecond)
			paused, err := srv.client.UpdateTargetWithResponse(ctx, toPause.Id, apiclient.TargetPatch{IsActive: ptr(false)})
			require.NoError(t, err)
			require.NotNil(t, paused.JSON200)
			assert.False(t, paused.JSON200.IsActive)
			assert.Nil(t, paused.JSON200.NextCheckAt)
			deleted, err := srv.client.DeleteTargetWithResponse(ctx, toDelete.Id)
			require.NoError(t, err)
			assert.Equal(t, http.StatusNoContent, deleted.StatusCode())
			pausedHits, deletedHits := f.count("/ok/pause"), f.count("/ok/delete")

			began := time.Now()
			time.Sleep(5 * time.Second)
			elapsed := time.Since(began)

			assert.Equal(t, pausedHits, f.count("/ok/pause"), "a paused target is not pinged")
			assert.Equal(t, deletedHits, f.count("/ok/delete"), "a deleted target is not pinged")
			hits := f.times("/ok/1")
			assert.GreaterOrEqual(t, len(hits), 3, "pinged on its interval")
			// The first check runs at the first dispatch tick after the target is created
			// (up to a tick, one second, after its slot); the ones after it keep to the
			// slots (previous slot + interval, no drift), so the first gap is the
			// interval less that lateness and only the later gaps are the interval.
			for i := 1; i < len(hits); i++ {
				gap := hits[i].Sub(hits[i-1]).Seconds()
				if i == 1 {
					assert.True(t, gap >= 0.9 && gap <= 2.4, "gap 1 is %.2fs, want the interval less at most a tick", gap)
					continue
				}
				assert.InDelta(t, 2, gap, 0.4, "gap %d", i)
			}

			upChecks := srv.checks(t, up.Id)
			assert.Len(t, upChecks, len(hits), "each ping recorded once")
			for i, c := range upChecks {
				assert.True(t, c.Ok)
				if i > 0 {
					assert.False(t, c.CheckedAt.After(upChecks[i-1].CheckedAt), "newest first")
				}
			}
			downChecks := srv.checks(t, down.Id)
			require.NotEmpty(t, downChecks)
			assert.False(t, downChecks[0].Ok)
			assert.Contains(t, downChecks[0].Error, "unexpected status 500")
			require.NotNil(t, downChecks[0].StatusCode)
			assert.Equal(t, 500, *downChecks[0].StatusCode)

			st, err := srv.client.GetTargetStatsWithResponse(ctx, down.Id, &apiclient.GetTargetStatsParams{Window: ptr("1h")})
			require.NoError(t, err)
			require.NotNil(t, st.JSON200)
			require.NotNil(t, st.JSON200.UptimeRatio)
			assert.Equal(t, 0.0, *st.JSON200.UptimeRatio)
			st, err = srv.client.GetTargetStatsWithResponse(ctx, up.Id, nil)
			require.NoError(t, err)
			require.NotNil(t, st.JSON200.UptimeRatio)
			assert.Equal(t, 1.0, *st.JSON200.UptimeRatio)
			assert.Equal(t, len(upChecks), st.JSON200.Checks)
			assert.NotNil(t, st.JSON200.LatencyP95Ms)

			totals, err := srv.client.GetStatsWithResponse(ctx)
			require.NoError(t, err)
			require.NotNil(t, totals.JSON200)
			assert.Equal(t, apiclient.Stats{Total: 3, Active: 2, Paused: 1, Up: 1, Down: 1, Unknown: 0}, *totals.JSON200)

			list, err := srv.client.ListTargetsWithResponse(ctx, &apiclient.ListTargetsParams{Status: ptr(apiclient.ListTargetsParamsStatusDown)})
			require.NoError(t, err)
			require.NotNil(t, list.JSON200)
			require.Len(t, list.JSON200.Items, 1)
			assert.Equal(t, down.Id, list.JSON200.Items[0].Id)

			now, err := srv.client.CheckTargetWithResponse(ctx, up.Id)
			require.NoError(t, err)
			require.NotNil(t, now.JSON200)
			assert.True(t, now.JSON200.Ok)

			checksMade := len(upChecks) + len(downChecks)
			t.Logf("%s: %d scheduled checks of 2 targets in %s", name, checksMade, elapsed.Round(time.Millisecond))
		})
	}
}
