package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/apiclient"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

// TestHostileTargetsAreSurvived: a target that never answers, one that streams a
// gigabyte and one that redirects forever each cost a worker no longer than their
// timeout, memory stays flat, and a healthy target keeps its schedule beside them.
func TestHostileTargetsAreSurvived(t *testing.T) {
	f := newFleet(t)
	srv := startServer(t, map[string]string{"DATABASE_URL": storetest.SQLiteURL(t), "WORKERS": "4"})
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	hostile := map[string]string{"/hang/1": "timeout", "/stream/1": "", "/loop/1": "redirects"}
	ids := map[string]int{}
	for path := range hostile {
		ids[path] = srv.create(t, apiclient.TargetCreate{Url: f.URL + path, IntervalSeconds: ptr(2), TimeoutSeconds: ptr(1), Retries: ptr(0)}).Id
	}
	healthy := srv.create(t, apiclient.TargetCreate{Url: f.URL + "/ok/1", IntervalSeconds: ptr(2), TimeoutSeconds: ptr(1)})

	time.Sleep(5 * time.Second)
	var heapPeak runtime.MemStats
	runtime.ReadMemStats(&heapPeak)

	assert.GreaterOrEqual(t, f.count("/ok/1"), 3, "the healthy target keeps its schedule")
	for path, wantErr := range hostile {
		checks := srv.checks(t, ids[path])
		require.NotEmpty(t, checks, path)
		assert.LessOrEqual(t, f.count(path)/max(1, len(checks)), 6, "%s: a check follows at most 5 redirects", path)
		if wantErr != "" {
			assert.False(t, checks[0].Ok, path)
			assert.Contains(t, checks[0].Error, wantErr, path)
		}
		for _, c := range checks {
			assert.LessOrEqual(t, c.LatencyMs, 1500, "%s: the worker is freed at the timeout", path)
		}
	}
	f.mu.Lock()
	streamed := f.written["/stream/1"]
	f.mu.Unlock()
	assert.Less(t, streamed, int64(64<<20), "the body is read up to the cap, then dropped")
	grew := int64(heapPeak.HeapInuse) - int64(before.HeapInuse)
	assert.Less(t, grew, int64(64<<20), "memory stays flat")
	t.Logf("heap in use grew by %d KiB; the stream target sent %d KiB over %d checks; healthy target pinged %d times",
		grew>>10, streamed>>10, len(srv.checks(t, ids["/stream/1"])), f.count("/ok/1"))
	assert.NotEmpty(t, srv.checks(t, healthy.Id))
}

// pgProxy is a TCP proxy in front of PostgreSQL that the test can cut and restore,
// as a network fault between WatchDog and its database would.
type pgProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]bool
	wg     sync.WaitGroup
}

func newPGProxy(t *testing.T, target string) *pgProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &pgProxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() {
		_ = ln.Close()
		p.cut()
		p.wg.Wait()
	})
	return p
}

func (p *pgProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			_ = c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			_ = c.Close()
			continue
		}
		p.conns[c], p.conns[up] = true, true
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(c, up)
		go p.pipe(up, c)
	}
}

func (p *pgProxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	_, _ = io.Copy(dst, src)
	_ = dst.Close()
	_ = src.Close()
}

// cut drops every connection and refuses new ones until restore.
func (p *pgProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		_ = c.Close()
		delete(p.conns, c)
	}
}

func (p *pgProxy) restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
}

// TestDatabaseOutageIsSurvived cuts the connection to PostgreSQL mid-run: the
// scheduler keeps going, /readyz says 503 meanwhile, and when the database returns
// every check that was made is recorded, none twice.
func TestDatabaseOutageIsSurvived(t *testing.T) {
	dbURL := storetest.PostgresURL(t)
	u, err := url.Parse(dbURL)
	require.NoError(t, err)
	proxy := newPGProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	proxied := u.String()
	f := newFleet(t)
	srv := startServer(t, map[string]string{"DATABASE_URL": proxied})

	var ids []int
	paths := []string{"/ok/a", "/ok/b", "/slow/a", "/slow/b", "/slow/c"}
	for _, p := range paths {
		ids = append(ids, srv.create(t, apiclient.TargetCreate{Url: f.URL + p, IntervalSeconds: ptr(2), TimeoutSeconds: ptr(1), Retries: ptr(0)}).Id)
	}
	time.Sleep(2500 * time.Millisecond)

	proxy.cut()
	outage := time.Now()
	assert.Eventually(t, func() bool { return status(t, srv.URL+"/readyz") == http.StatusServiceUnavailable },
		5*time.Second, 100*time.Millisecond, "readiness reports the lost database")
	time.Sleep(4 * time.Second)
	proxy.restore()
	t.Logf("database cut for %s", time.Since(outage).Round(time.Millisecond))

	assert.Eventually(t, func() bool { return status(t, srv.URL+"/readyz") == http.StatusOK },
		10*time.Second, 100*time.Millisecond, "readiness recovers by itself")
	afterOutage := map[string]int{}
	for _, p := range paths {
		afterOutage[p] = f.count(p)
	}
	assert.Eventually(t, func() bool {
		for _, p := range paths {
			if f.count(p) <= afterOutage[p] {
				return false
			}
		}
		return true
	}, 6*time.Second, 100*time.Millisecond, "every target is checked again soon, none waits out a lease")

	// Stop the server so every result in flight is written, then compare, reading the
	// database directly (a second server would start pinging again): each request the
	// fleet saw is one recorded check.
	srv.stop()
	st := storetest.Open(t, dbURL)
	for i, p := range paths {
		hits := f.count(p)
		checks, err := st.ListChecks(context.Background(), int64(ids[i]), nil, 1000)
		require.NoError(t, err)
		assert.Equal(t, hits, len(checks), "%s: every ping recorded exactly once (%d pings)", p, hits)
	}
}

// TestSDKWaitsOutADatabaseOutage: with the connection to PostgreSQL cut under the
// server, the API answers 503 with Retry-After (not a 500 no client retries), and the
// Go SDK, waiting as told, gets its request through once the database is back, done
// once.
func TestSDKWaitsOutADatabaseOutage(t *testing.T) {
	ctx := context.Background()
	dbURL := storetest.PostgresURL(t)
	u, err := url.Parse(dbURL)
	require.NoError(t, err)
	proxy := newPGProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	srv := startServer(t, map[string]string{"DATABASE_URL": u.String()})
	made, err := srv.client.CreateAPIKeyWithResponse(ctx, apiclient.APIKeyCreate{Name: "sdk", Role: apiclient.APIKeyCreateRoleEditor})
	require.NoError(t, err)
	require.NotNil(t, made.JSON201, "%d %s", made.StatusCode(), made.Body)
	c, err := apiclient.New(srv.URL, apiclient.WithAPIKey(made.JSON201.Key))
	require.NoError(t, err)

	proxy.cut()
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/targets", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+made.JSON201.Key)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode, "%s", body)
	assert.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
	assert.Equal(t, "5", res.Header.Get("Retry-After"))
	assert.Contains(t, string(body), "urn:watchdog:problem:unavailable")

	created := make(chan error, 1)
	asked := time.Now()
	go func() {
		_, err := apiclient.OK(c.CreateTargetWithResponse(ctx, apiclient.TargetCreate{
			Url: "https://sdk-outage.example.com/", Name: ptr("through-the-outage")}))
		created <- err
	}()
	time.Sleep(time.Second)
	proxy.restore()
	select {
	case err := <-created:
		require.NoError(t, err, "the SDK waits out the 503 and gets through")
		t.Logf("created %s after asking, the database back after 1 s", time.Since(asked).Round(time.Millisecond))
	case <-time.After(30 * time.Second):
		t.Fatal("the SDK's request never got through")
	}
	list, err := apiclient.OK(c.ListTargetsWithResponse(ctx, &apiclient.ListTargetsParams{Q: ptr("through-the-outage")}))
	require.NoError(t, err)
	assert.Len(t, list.JSON200.Items, 1, "created once")
}
