package probe

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/watchdog-monitor/watchdog/backend/internal/netguard"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// fastSleep waits a thousandth of the asked time, so tests that only count retries do
// not spend the target's real retry delays.
func fastSleep(ctx context.Context, d time.Duration) error {
	return sleep(ctx, d/1000)
}

// newProber returns a Prober closed when the test ends. Tests reach their httptest
// servers on 127.0.0.1, which only a guard allowing private targets lets through.
func newProber(t *testing.T, allowPrivate bool, opts Options) *Prober {
	t.Helper()
	opts.Guard = netguard.New(allowPrivate)
	if opts.Sleep == nil {
		opts.Sleep = fastSleep
	}
	p := New(opts)
	t.Cleanup(p.Close)
	return p
}

// newTarget is a valid target for url with quick timings and no retries.
func newTarget(url string) target.Target {
	return target.Target{
		ID:                7,
		Name:              "test",
		URL:               url,
		Method:            "GET",
		Headers:           map[string]string{},
		IntervalSeconds:   60,
		TimeoutSeconds:    5,
		ExpectedStatus:    target.DefaultExpectedStatus,
		Retries:           0,
		RetryDelaySeconds: 1,
		IsActive:          true,
	}
}

// counted wraps h so the test can tell how many requests reached the server.
func counted(h http.Handler) (http.Handler, *atomic.Int64) {
	var hits atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		h.ServeHTTP(w, r)
	}), &hits
}

// newServer starts an httptest server counting its hits.
func newServer(t *testing.T, h http.Handler) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	h, hits := counted(h)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, hits
}

func status(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) }
}

// hang answers nothing until the client goes away.
func hang(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

func statusOf(c target.Check) string {
	if c.StatusCode == nil {
		return "none"
	}
	return fmt.Sprint(*c.StatusCode)
}

func TestCheckStatus(t *testing.T) {
	t.Parallel()
	redirects := http.NewServeMux()
	redirects.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/new", http.StatusMovedPermanently)
	})
	redirects.HandleFunc("/new", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "moved here")
	})

	tests := []struct {
		name         string
		handler      http.Handler
		path         string
		expected     string
		retries      int
		wantOK       bool
		wantStatus   string
		wantHits     int64
		wantAttempts int
		wantErr      string
	}{
		{name: "200 is up", handler: status(200), wantOK: true, wantStatus: "200", wantHits: 1, wantAttempts: 1},
		{name: "500 is down after every retry", handler: status(500), retries: 2, wantStatus: "500", wantHits: 3, wantAttempts: 3,
			wantErr: "unexpected status 500 (expected 200-399)"},
		{name: "503 is retried", handler: status(503), retries: 1, wantStatus: "503", wantHits: 2, wantAttempts: 2,
			wantErr: "unexpected status 503 (expected 200-399)"},
		{name: "404 is down with no retry", handler: status(404), retries: 3, wantStatus: "404", wantHits: 1, wantAttempts: 1,
			wantErr: "unexpected status 404 (expected 200-399)"},
		{name: "429 is down with no retry", handler: status(429), retries: 3, wantStatus: "429", wantHits: 1, wantAttempts: 1,
			wantErr: "unexpected status 429"},
		{name: "418 in a custom set is up", handler: status(418), expected: "200-299,418", wantOK: true, wantStatus: "418", wantHits: 1, wantAttempts: 1},
		{name: "204 outside a custom set is down", handler: status(204), expected: "200,418", retries: 2, wantStatus: "204", wantHits: 1, wantAttempts: 1,
			wantErr: "unexpected status 204 (expected 200,418)"},
		{name: "500 listed as expected is up", handler: status(500), expected: "500", retries: 2, wantOK: true, wantStatus: "500", wantHits: 1, wantAttempts: 1},
		{name: "empty expected status means 200-399", handler: status(204), expected: "", wantOK: true, wantStatus: "204", wantHits: 1, wantAttempts: 1},
		{name: "301 redirect is followed to 200", handler: redirects, path: "/old", wantOK: true, wantStatus: "200", wantHits: 2, wantAttempts: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, hits := newServer(t, tt.handler)
			p := newProber(t, true, Options{})
			tg := newTarget(srv.URL + tt.path)
			tg.Retries = tt.retries
			// An empty expected status (a target stored before the default) means 200-399.
			tg.ExpectedStatus = tt.expected

			before := time.Now()
			c := p.Check(context.Background(), tg)

			if c.OK != tt.wantOK || (c.Error == "") != tt.wantOK {
				t.Errorf("OK = %v, Error = %q; want OK %v", c.OK, c.Error, tt.wantOK)
			}
			if !strings.Contains(c.Error, tt.wantErr) {
				t.Errorf("Error = %q, want it to contain %q", c.Error, tt.wantErr)
			}
			if got := statusOf(c); got != tt.wantStatus {
				t.Errorf("StatusCode = %s, want %s", got, tt.wantStatus)
			}
			if got := hits.Load(); got != tt.wantHits {
				t.Errorf("server hits = %d, want %d", got, tt.wantHits)
			}
			if c.Attempts != tt.wantAttempts {
				t.Errorf("Attempts = %d, want %d", c.Attempts, tt.wantAttempts)
			}
			if c.TargetID != tg.ID {
				t.Errorf("TargetID = %d, want %d", c.TargetID, tg.ID)
			}
			if c.CheckedAt.Location() != time.UTC || c.CheckedAt.Before(before.Add(-time.Second)) || c.CheckedAt.After(time.Now()) {
				t.Errorf("CheckedAt = %v, want the check's start in UTC", c.CheckedAt)
			}
			if c.ColdStart || c.WakeMS != nil {
				t.Errorf("ColdStart = %v, WakeMS = %v; want a warm check", c.ColdStart, c.WakeMS)
			}
		})
	}
}

// seen is what a server saw of a request.
type seen struct {
	method string
	host   string
	header http.Header
}

func TestCheckRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    Options
		method  string
		headers map[string]string
		want    func(t *testing.T, s seen)
	}{
		{name: "GET sends browser-like defaults", method: "GET", want: func(t *testing.T, s seen) {
			wantHeader(t, s, "User-Agent", DefaultUserAgent)
			wantHeader(t, s, "Accept", defaultAccept)
			wantHeader(t, s, "Accept-Language", defaultAcceptLanguage)
			if !strings.Contains(s.header.Get("Accept-Encoding"), "gzip") {
				t.Errorf("Accept-Encoding = %q, want gzip left to the transport", s.header.Get("Accept-Encoding"))
			}
		}},
		{name: "HEAD is sent as HEAD", method: "HEAD", want: func(t *testing.T, s seen) {
			if s.method != "HEAD" {
				t.Errorf("method = %s, want HEAD", s.method)
			}
		}},
		{name: "POST is sent as POST", method: "POST", want: func(t *testing.T, s seen) {
			if s.method != "POST" {
				t.Errorf("method = %s, want POST", s.method)
			}
		}},
		{name: "target headers override the defaults", method: "GET",
			headers: map[string]string{"user-agent": "watchdog-test/1", "Accept": "application/json", "X-Api-Key": "k1"},
			want: func(t *testing.T, s seen) {
				wantHeader(t, s, "User-Agent", "watchdog-test/1")
				wantHeader(t, s, "Accept", "application/json")
				wantHeader(t, s, "X-Api-Key", "k1")
				wantHeader(t, s, "Accept-Language", defaultAcceptLanguage)
			}},
		{name: "a Host header picks the virtual host", method: "GET", headers: map[string]string{"Host": "status.example.test"},
			want: func(t *testing.T, s seen) {
				if s.host != "status.example.test" {
					t.Errorf("Host = %q, want status.example.test", s.host)
				}
			}},
		{name: "Options.UserAgent replaces the default", opts: Options{UserAgent: "watchdog/2.0"}, method: "GET",
			want: func(t *testing.T, s seen) { wantHeader(t, s, "User-Agent", "watchdog/2.0") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := make(chan seen, 1)
			srv, _ := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got <- seen{method: r.Method, host: r.Host, header: r.Header.Clone()}
			}))
			p := newProber(t, true, tt.opts)
			tg := newTarget(srv.URL)
			tg.Method = tt.method
			tg.Headers = tt.headers

			c := p.Check(context.Background(), tg)
			if !c.OK {
				t.Fatalf("check failed: %s", c.Error)
			}
			tt.want(t, <-got)
		})
	}
}

func wantHeader(t *testing.T, s seen, name, want string) {
	t.Helper()
	if got := s.header.Get(name); got != want {
		t.Errorf("%s = %q, want %q", name, got, want)
	}
}

// failFirst answers the first request with fail and every later one with 200.
func failFirst(fail http.HandlerFunc) http.HandlerFunc {
	var n atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			fail(w, r)
			return
		}
		w.WriteHeader(http.StatusOK)
	}
}

// closeConn drops the connection without an answer.
func closeConn(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	_ = conn.Close()
}

// slowFor delays its answer by d, or until the client goes away.
func slowFor(d time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
		}
	}
}

func TestCheckColdStart(t *testing.T) {
	t.Parallel()
	usual := 10
	slowUsual := 1000
	tests := []struct {
		name         string
		handler      http.HandlerFunc
		median       *int
		retries      int
		wantOK       bool
		wantCold     bool
		wantAttempts int
		wantWakeMin  time.Duration
	}{
		{name: "500 then 200 woke the target", handler: failFirst(status(500)), median: &usual, retries: 2,
			wantOK: true, wantCold: true, wantAttempts: 2},
		{name: "closed connection then 200 woke the target", handler: failFirst(closeConn), median: &usual, retries: 2,
			wantOK: true, wantCold: true, wantAttempts: 2},
		{name: "first answer past the cold threshold", handler: failFirst(slowFor(2200 * time.Millisecond)), median: &usual,
			wantOK: true, wantCold: true, wantAttempts: 1, wantWakeMin: 2200 * time.Millisecond},
		{name: "slow answer within five times the usual pace", handler: failFirst(slowFor(2200 * time.Millisecond)), median: &slowUsual,
			wantOK: true, wantAttempts: 1},
		{name: "fast answer is warm", handler: status(200), median: &usual, wantOK: true, wantAttempts: 1},
		{name: "no median yet, fast answer is warm", handler: status(200), wantOK: true, wantAttempts: 1},
		{name: "a check that stays down is no cold start", handler: status(500), median: &usual, retries: 1, wantAttempts: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := newServer(t, tt.handler)
			p := newProber(t, true, Options{})
			tg := newTarget(srv.URL)
			tg.MedianLatencyMS = tt.median
			tg.Retries = tt.retries

			c := p.Check(context.Background(), tg)
			if c.OK != tt.wantOK {
				t.Fatalf("OK = %v (%s), want %v", c.OK, c.Error, tt.wantOK)
			}
			if c.Attempts != tt.wantAttempts {
				t.Errorf("Attempts = %d, want %d", c.Attempts, tt.wantAttempts)
			}
			if c.ColdStart != tt.wantCold {
				t.Errorf("ColdStart = %v, want %v (latency %d ms)", c.ColdStart, tt.wantCold, c.LatencyMS)
			}
			switch {
			case !tt.wantCold && c.WakeMS != nil:
				t.Errorf("WakeMS = %d, want nil for a warm check", *c.WakeMS)
			case tt.wantCold && c.WakeMS == nil:
				t.Error("WakeMS = nil, want the wake time")
			case tt.wantCold:
				// The wake time runs from the first attempt to the answer, so it holds
				// the last attempt's latency at least.
				if *c.WakeMS < c.LatencyMS || *c.WakeMS < int(tt.wantWakeMin.Milliseconds()) {
					t.Errorf("WakeMS = %d, want ≥ latency %d ms and ≥ %v", *c.WakeMS, c.LatencyMS, tt.wantWakeMin)
				}
			}
		})
	}
}

// silentListener accepts TCP connections and never writes a byte.
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
		}
	})
	t.Cleanup(func() {
		_ = ln.Close()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}

// closedPort is an address on 127.0.0.1 where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// trickle sends headers at once, then a byte every 100 ms until the client leaves.
func trickle(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusOK)
	for {
		if _, err := w.Write([]byte("x")); err != nil {
			return
		}
		w.(http.Flusher).Flush()
		select {
		case <-time.After(100 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
	}
}

func TestCheckFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// url starts a server and returns the target URL and its hit counter (nil
		// when the server is not an HTTP one).
		url          func(t *testing.T) (string, *atomic.Int64)
		timeout      int
		retries      int
		wantErr      string
		wantStatus   string
		wantAttempts int
		wantHits     int64
		maxElapsed   time.Duration
	}{
		{name: "server accepts and never answers",
			url:     func(t *testing.T) (string, *atomic.Int64) { return silentListener(t), nil },
			timeout: 1, wantErr: "timeout after 1s", wantStatus: "none", wantAttempts: 1, maxElapsed: 1500 * time.Millisecond},
		{name: "server answers headers and never ends the body",
			url: func(t *testing.T) (string, *atomic.Int64) {
				srv, hits := newServer(t, http.HandlerFunc(trickle))
				return srv.URL, hits
			},
			timeout: 1, wantErr: "timeout after 1s reading the body", wantStatus: "200", wantAttempts: 1, wantHits: 1, maxElapsed: 1500 * time.Millisecond},
		{name: "a timeout is retried",
			url: func(t *testing.T) (string, *atomic.Int64) {
				srv, hits := newServer(t, http.HandlerFunc(hang))
				return srv.URL, hits
			},
			timeout: 1, retries: 1, wantErr: "timeout after 1s", wantStatus: "none", wantAttempts: 2, wantHits: 2, maxElapsed: 2500 * time.Millisecond},
		{name: "connection refused is retried",
			url:     func(t *testing.T) (string, *atomic.Int64) { return "http://" + closedPort(t), nil },
			timeout: 1, retries: 2, wantErr: "connection refused", wantStatus: "none", wantAttempts: 3, maxElapsed: time.Second},
		{name: "redirecting forever stops at the limit",
			url: func(t *testing.T) (string, *atomic.Int64) {
				var n atomic.Int64
				srv, hits := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, fmt.Sprintf("/loop/%d", n.Add(1)), http.StatusFound)
				}))
				return srv.URL, hits
			},
			timeout: 5, retries: 2, wantErr: "stopped after 5 redirects", wantStatus: "302", wantAttempts: 1, wantHits: 6, maxElapsed: time.Second},
		{name: "untrusted certificate is final",
			url: func(t *testing.T) (string, *atomic.Int64) {
				h, hits := counted(status(200))
				srv := httptest.NewUnstartedServer(h)
				// The refused handshake is the point; keep its log line out of the output.
				srv.Config.ErrorLog = log.New(io.Discard, "", 0)
				srv.StartTLS()
				t.Cleanup(srv.Close)
				return srv.URL, hits
			},
			timeout: 5, retries: 2, wantErr: "certificate", wantStatus: "none", wantAttempts: 1, maxElapsed: time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			url, hits := tt.url(t)
			p := newProber(t, true, Options{})
			tg := newTarget(url)
			tg.TimeoutSeconds = tt.timeout
			tg.Retries = tt.retries

			start := time.Now()
			c := p.Check(context.Background(), tg)
			elapsed := time.Since(start)

			if c.OK || !strings.Contains(c.Error, tt.wantErr) {
				t.Errorf("OK = %v, Error = %q; want down with %q", c.OK, c.Error, tt.wantErr)
			}
			if got := statusOf(c); got != tt.wantStatus {
				t.Errorf("StatusCode = %s, want %s", got, tt.wantStatus)
			}
			if c.Attempts != tt.wantAttempts {
				t.Errorf("Attempts = %d, want %d", c.Attempts, tt.wantAttempts)
			}
			if hits != nil && hits.Load() != tt.wantHits {
				t.Errorf("server hits = %d, want %d", hits.Load(), tt.wantHits)
			}
			if elapsed > tt.maxElapsed {
				t.Errorf("check took %v, want at most %v", elapsed, tt.maxElapsed)
			}
			// A few milliseconds of bookkeeping may follow the last deadline.
			if limit := tg.CheckBudget() + 50*time.Millisecond; elapsed > limit {
				t.Errorf("check took %v, past its budget %v", elapsed, tg.CheckBudget())
			}
		})
	}
}

// TestCheckErrorsKeepSecrets makes sure a failure's text carries neither header values
// nor the URL's query, both of which often hold credentials.
func TestCheckErrorsKeepSecrets(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-token"
	srv, _ := newServer(t, status(503))
	loop, _ := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.String(), http.StatusFound)
	}))
	tests := []struct {
		name string
		url  string
	}{
		{name: "an answer with a bad status", url: srv.URL + "/health?token=" + secret},
		{name: "a refused connection", url: "http://" + closedPort(t) + "/health?token=" + secret},
		{name: "a redirect limit", url: loop.URL + "/?token=" + secret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newProber(t, true, Options{})
			tg := newTarget(tt.url)
			tg.Headers = map[string]string{"Authorization": "Bearer " + secret}
			c := p.Check(context.Background(), tg)
			if c.OK || c.Error == "" {
				t.Fatalf("OK = %v, Error = %q; want a failure", c.OK, c.Error)
			}
			if strings.Contains(c.Error, secret) {
				t.Errorf("Error = %q leaks the secret", c.Error)
			}
		})
	}
}

// TestCheckLargeBody is not parallel: it measures the heap, which other tests would
// disturb.
func TestCheckLargeBody(t *testing.T) {
	const gib = 1 << 30
	tests := []struct {
		name          string
		contentLength bool
	}{
		{name: "endless chunked body"},
		{name: "1 GiB with a content length", contentLength: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var written atomic.Int64
			done := make(chan struct{})
			srv, _ := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				defer close(done)
				if tt.contentLength {
					w.Header().Set("Content-Length", fmt.Sprint(gib))
				}
				chunk := make([]byte, 32<<10)
				for written.Load() < gib && r.Context().Err() == nil {
					n, err := w.Write(chunk)
					written.Add(int64(n))
					if err != nil {
						return
					}
				}
			}))
			p := newProber(t, true, Options{})
			tg := newTarget(srv.URL)
			tg.TimeoutSeconds = 10

			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			c := p.Check(context.Background(), tg)
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)

			if !c.OK || statusOf(c) != "200" {
				t.Errorf("OK = %v, status %s, Error = %q; want up with 200 (the cap read, then closed)", c.OK, statusOf(c), c.Error)
			}
			if elapsed > 3*time.Second {
				t.Errorf("check took %v, want far less than the 10 s timeout", elapsed)
			}
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("server still writing 5 s after the check; the body was not closed")
			}
			if got := written.Load(); got > 64<<20 {
				t.Errorf("server wrote %d MiB, want far below 1 GiB", got>>20)
			}
			// Allocation over the whole check, so a body held even briefly shows up.
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 20<<20 {
				t.Errorf("check allocated %d MiB, want under 20 MiB", grew>>20)
			}
		})
	}
}

func TestCheckHTTP2(t *testing.T) {
	t.Parallel()
	protos := make(chan int, 1)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		protos <- r.ProtoMajor
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)

	p := newProber(t, true, Options{})
	// Trust the test server's certificate; everything else stays as New set it.
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	p.transport.TLSClientConfig = srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	p.transport.TLSClientConfig.RootCAs = roots

	c := p.Check(context.Background(), newTarget(srv.URL))
	if !c.OK {
		t.Fatalf("check failed: %s", c.Error)
	}
	if got := <-protos; got != 2 {
		t.Errorf("request arrived over HTTP/%d, want HTTP/2", got)
	}
}

func TestCheckBudget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		handler      http.HandlerFunc
		wantAttempts int
	}{
		// Retry 1 needs 3 s of wait and 1 s of attempt: it fits in 5 s after a fast
		// first answer. Retry 2 would wait 6 s more and is never started.
		{name: "fast failures retry while a retry fits", handler: status(500), wantAttempts: 2},
		// After a 1 s timeout, a 3 s wait and a 1 s attempt just fit; the retry is cut
		// off at the budget, and retry 2 is never started.
		{name: "timeouts retry while a retry fits", handler: hang, wantAttempts: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, hits := newServer(t, tt.handler)
			// Real waits: the budget is about wall time.
			p := newProber(t, true, Options{Sleep: sleep})
			tg := newTarget(srv.URL)
			tg.IntervalSeconds = 5
			tg.TimeoutSeconds = 1
			tg.Retries = 3
			tg.RetryDelaySeconds = 3

			start := time.Now()
			c := p.Check(context.Background(), tg)
			elapsed := time.Since(start)

			if c.OK {
				t.Fatal("check is up, want down")
			}
			// The last attempt may be cut off at the budget, a few milliseconds late.
			if limit := tg.CheckBudget(); limit != 5*time.Second || elapsed > limit+50*time.Millisecond {
				t.Errorf("check took %v, want within its budget %v (the 5 s interval)", elapsed, limit)
			}
			if c.Attempts != tt.wantAttempts || hits.Load() != int64(tt.wantAttempts) {
				t.Errorf("Attempts = %d, server hits = %d; want %d", c.Attempts, hits.Load(), tt.wantAttempts)
			}
		})
	}
}

func TestCheckCancel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// cancelAfter < 0 cancels before the check starts.
		cancelAfter  time.Duration
		handler      http.HandlerFunc
		wantErr      string
		wantAttempts int
		wantHits     int64
	}{
		{name: "mid-attempt", cancelAfter: 200 * time.Millisecond, handler: hang,
			wantErr: "check cancelled", wantAttempts: 1, wantHits: 1},
		{name: "while waiting to retry", cancelAfter: 300 * time.Millisecond, handler: status(502),
			wantErr: "unexpected status 502", wantAttempts: 1, wantHits: 1},
		{name: "before the check starts", cancelAfter: -1, handler: status(200),
			wantErr: "check cancelled", wantAttempts: 1, wantHits: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, hits := newServer(t, tt.handler)
			p := newProber(t, true, Options{Sleep: sleep})
			tg := newTarget(srv.URL)
			tg.TimeoutSeconds = 30
			tg.IntervalSeconds = 300
			tg.Retries = 3
			tg.RetryDelaySeconds = 15

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancelAfter < 0 {
				cancel()
			} else {
				time.AfterFunc(tt.cancelAfter, cancel)
			}
			start := time.Now()
			c := p.Check(ctx, tg)
			elapsed := time.Since(start)

			if elapsed > time.Second {
				t.Errorf("check took %v after cancellation, want under 1 s", elapsed)
			}
			if ctx.Err() == nil {
				t.Error("ctx.Err() = nil, want the caller to see the cancellation")
			}
			if c.OK || !strings.Contains(c.Error, tt.wantErr) {
				t.Errorf("OK = %v, Error = %q; want down with %q", c.OK, c.Error, tt.wantErr)
			}
			if c.Attempts != tt.wantAttempts || hits.Load() != tt.wantHits {
				t.Errorf("Attempts = %d, server hits = %d; want %d and %d", c.Attempts, hits.Load(), tt.wantAttempts, tt.wantHits)
			}
		})
	}
}

func TestCheckGuard(t *testing.T) {
	t.Parallel()
	srv, hits := newServer(t, status(200))
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	toMetadata, redirectHits := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
	}))
	toZoned, zonedHits := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://[fd00:ec2::254%25lo]/latest/meta-data/", http.StatusFound)
	}))

	tests := []struct {
		name         string
		allowPrivate bool
		url          string
		wantErr      string // empty: the check is up
	}{
		{name: "loopback literal", url: "http://127.0.0.1:" + port + "/", wantErr: "a loopback"},
		{name: "IPv6 loopback literal", url: "http://[::1]:" + port + "/", wantErr: "a loopback"},
		{name: "hostname resolving to loopback", url: "http://localhost:" + port + "/", wantErr: "a loopback"},
		// The numeric forms a browser reads as 127.0.0.1 are 127.0.0.1 here too.
		{name: "short loopback", url: "http://127.1:" + port + "/", wantErr: "a loopback"},
		{name: "hex loopback", url: "http://0x7f000001:" + port + "/", wantErr: "a loopback"},
		{name: "decimal loopback", url: "http://2130706433:" + port + "/", wantErr: "a loopback"},
		{name: "octal loopback", url: "http://017700000001:" + port + "/", wantErr: "a loopback"},
		{name: "loopback with a trailing dot", url: "http://127.0.0.1.:" + port + "/", wantErr: "a loopback"},
		// Refused in Control, before connect: a real connect to 10.0.0.1 would hang for
		// the whole timeout, so the elapsed-time bound below proves no packet left.
		{name: "private network", url: "http://10.0.0.1/", wantErr: "a loopback, private or reserved"},
		{name: "metadata", url: "http://169.254.169.254/latest/meta-data/", wantErr: "cloud metadata address"},
		{name: "metadata with private targets allowed", allowPrivate: true,
			url: "http://169.254.169.254/latest/meta-data/", wantErr: "cloud metadata address"},
		{name: "other link-local metadata with private targets allowed", allowPrivate: true,
			url: "http://169.254.0.23/", wantErr: "cloud metadata address"},
		{name: "numeric metadata with private targets allowed", allowPrivate: true,
			url: "http://0xa9fea9fe/latest/meta-data/", wantErr: "cloud metadata address"},
		{name: "decimal metadata with private targets allowed", allowPrivate: true,
			url: "http://2852039166/", wantErr: "cloud metadata address"},
		{name: "IPv6 metadata with private targets allowed", allowPrivate: true,
			url: "http://[fd00:ec2::254]/", wantErr: "cloud metadata address"},
		{name: "zoned IPv6 metadata with private targets allowed", allowPrivate: true,
			url: "http://[fd00:ec2::254%25lo]/", wantErr: "cloud metadata address"},
		{name: "zoned NAT64 metadata with private targets allowed", allowPrivate: true,
			url: "http://[64:ff9b::a9fe:a9fe%25lo]/", wantErr: "cloud metadata address"},
		{name: "redirect to metadata is refused at the hop", allowPrivate: true,
			url: toMetadata.URL, wantErr: "cloud metadata address"},
		{name: "redirect to zoned metadata is refused at the hop", allowPrivate: true,
			url: toZoned.URL, wantErr: "cloud metadata address"},
		{name: "loopback with private targets allowed", allowPrivate: true, url: srv.URL},
		{name: "short loopback with private targets allowed", allowPrivate: true, url: "http://127.1:" + port + "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProber(t, tt.allowPrivate, Options{})
			tg := newTarget(tt.url)
			tg.Retries = 2
			hitsBefore := hits.Load()

			start := time.Now()
			c := p.Check(context.Background(), tg)
			elapsed := time.Since(start)

			if tt.wantErr == "" {
				if !c.OK {
					t.Errorf("check failed: %s", c.Error)
				}
				return
			}
			if c.OK || !strings.Contains(c.Error, netguard.ErrForbidden.Error()) || !strings.Contains(c.Error, tt.wantErr) {
				t.Errorf("OK = %v, Error = %q; want refused with %q", c.OK, c.Error, tt.wantErr)
			}
			// The refused address is not said: for a name it would tell whoever saved
			// the URL what the name resolves to.
			for _, addr := range []string{"127.0.0.1", "::1", "10.0.0.1", "169.254", "fd00", "ff9b", port} {
				if strings.Contains(c.Error, addr) {
					t.Errorf("Error = %q names the refused address (%s)", c.Error, addr)
				}
			}
			if c.Attempts != 1 {
				t.Errorf("Attempts = %d, want 1: a refusal is final", c.Attempts)
			}
			if elapsed > 500*time.Millisecond {
				t.Errorf("refusal took %v, want it before any connection", elapsed)
			}
			if got := hits.Load() - hitsBefore; got != 0 {
				t.Errorf("server hit %d times, want 0", got)
			}
		})
	}
	if got := redirectHits.Load(); got != 1 {
		t.Errorf("redirecting server hits = %d, want 1", got)
	}
	if got := zonedHits.Load(); got != 1 {
		t.Errorf("server redirecting to a zoned address hits = %d, want 1", got)
	}
}

func TestNewRequiresGuard(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("New without a Guard did not panic")
		}
	}()
	New(Options{})
}

// TestCheckLeavesNoGoroutines runs checks of every quick kind, then closes the Prober's
// idle connections: any goroutine left past that, on either end, is a connection still
// busy with a body never closed. The server stays up, so it cannot end those for us.
// Not parallel, so other tests' goroutines do not come and go meanwhile.
func TestCheckLeavesNoGoroutines(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", status(200))
	mux.HandleFunc("/missing", status(404))
	mux.HandleFunc("/error", status(500))
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ok", http.StatusFound) })
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/close", closeConn)
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		chunk := make([]byte, 32<<10)
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	paths := []string{"/ok", "/missing", "/error", "/moved", "/loop", "/close", "/big"}

	srv := httptest.NewServer(mux)
	defer srv.Close()
	before := runtime.NumGoroutine()
	p := New(Options{Guard: netguard.New(true), Sleep: fastSleep})
	for range 3 {
		for _, path := range paths {
			tg := newTarget(srv.URL + path)
			tg.Retries = 1
			p.Check(context.Background(), tg)
		}
	}
	p.Close()

	assertGoroutinesBackTo(t, before)
}

// assertGoroutinesBackTo fails unless the goroutines, given a few seconds to wind down,
// are no more than before.
func assertGoroutinesBackTo(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if after := runtime.NumGoroutine(); after > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines before, %d after closing idle connections:\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
}

// TestCheckRedirectToLoopbackIsRefused: with private targets not allowed, a target the
// guard lets through (here 127.0.0.2, allowed by name for the test, as an operator
// could) that redirects to 127.0.0.1 is refused at the hop, and the loopback server
// never sees a request.
func TestCheckRedirectToLoopbackIsRefused(t *testing.T) {
	t.Parallel()
	inner, innerHits := newServer(t, status(200))
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Fatalf("listen on 127.0.0.2: %v", err)
	}
	outer := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, inner.URL+"/private", http.StatusFound)
	}))
	outer.Listener = ln
	outer.Start()
	t.Cleanup(outer.Close)

	p := New(Options{Guard: netguard.New(false, netip.MustParsePrefix("127.0.0.2/32")), Sleep: fastSleep})
	t.Cleanup(p.Close)
	c := p.Check(context.Background(), newTarget(outer.URL+"/"))
	if c.OK || !strings.Contains(c.Error, "address not allowed: a loopback") || strings.Contains(c.Error, "127.0.0.1") {
		t.Errorf("OK = %v, Error = %q; want the redirect to 127.0.0.1 refused", c.OK, c.Error)
	}
	if got := innerHits.Load(); got != 0 {
		t.Errorf("loopback server hit %d times, want 0", got)
	}
	direct := p.Check(context.Background(), newTarget(outer.URL+"/"))
	if direct.Attempts != 1 {
		t.Errorf("Attempts = %d: a refusal is final", direct.Attempts)
	}
}

// TestDrainStopsRetryWaits: at shutdown a check waiting to retry ends at once with the
// failure it has, rather than holding the worker through its backoff.
func TestDrainStopsRetryWaits(t *testing.T) {
	t.Parallel()
	srv, hits := newServer(t, status(503))
	p := New(Options{Guard: netguard.New(true)}) // the real timer: a 15 s wait
	t.Cleanup(p.Close)
	tg := newTarget(srv.URL)
	tg.Retries, tg.RetryDelaySeconds, tg.IntervalSeconds = 3, 15, 300
	go func() {
		time.Sleep(300 * time.Millisecond)
		p.Drain()
	}()
	start := time.Now()
	c := p.Check(context.Background(), tg)
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("check took %v after Drain, want it to end promptly", elapsed)
	}
	if c.OK || c.Attempts != 1 || hits.Load() != 1 || !c.Interrupted {
		t.Errorf("OK=%v attempts=%d hits=%d interrupted=%v, want one failed attempt, interrupted", c.OK, c.Attempts, hits.Load(), c.Interrupted)
	}
	again := p.Check(context.Background(), tg)
	if again.Attempts != 1 {
		t.Errorf("after Drain a check makes %d attempts, want 1", again.Attempts)
	}
}

func TestCleanText(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"plain":                        "plain",
		"x509: valid for evil\x00name": "x509: valid for evil name",
		"bad utf8 \xff\xfe here":       "bad utf8 \uFFFD here",
		"line\r\nbreak\ttab":           "line  break tab",
	}
	for in, want := range tests {
		if got := cleanText(in); got != want {
			t.Errorf("cleanText(%q) = %q, want %q", in, got, want)
		}
	}
	long := cleanText(strings.Repeat("é", 2000))
	if len(long) > maxErrorLen+len("…") || !utf8.ValidString(long) {
		t.Errorf("long text not cut to a valid %d bytes: %d bytes", maxErrorLen, len(long))
	}
}

// answer writes a fixed answer: status, Content-Type and body, after an optional delay.
func answer(code int, contentType, body string, delay time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("X-Version", "2.14.1")
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}
}

func TestCheckConditions(t *testing.T) {
	t.Parallel()
	const healthy = `{"status": "ok", "checks": [{"name": "db", "ok": true}], "queue": 3}`
	const degraded = `{"status": "degraded", "checks": [{"name": "db", "ok": false}], "queue": 3}`
	const page = `<html><body>Welcome back</body></html>`
	tests := []struct {
		name         string
		handler      http.HandlerFunc
		conds        []target.Condition
		retries      int
		wantOK       bool
		wantStatus   string
		wantAttempts int
		wantErr      string
	}{
		{name: "every kind passes", handler: answer(200, "application/json", healthy, 0), retries: 2,
			conds: []target.Condition{
				{Type: "latency", Op: "<", Value: "5000"},
				{Type: "body", Op: "contains", Value: `"status"`},
				{Type: "body", Op: "not_matches", Value: `(?i)exception`},
				{Type: "json", Path: "$.status", Op: "==", Value: "ok"},
				{Type: "json", Path: "$.checks[*].ok", Op: "!=", Value: "false"},
				{Type: "json", Path: "$.queue", Op: "<", Value: "10"},
				{Type: "header", Name: "content-type", Op: "contains", Value: "json"},
				{Type: "header", Name: "X-Version", Op: "matches", Value: `^2\.`},
			},
			wantOK: true, wantStatus: "200", wantAttempts: 1},
		{name: "body keyword missing is not retried", handler: answer(200, "text/html", "<html>Maintenance</html>", 0), retries: 3,
			conds:      []target.Condition{{Type: "body", Op: "contains", Value: "Welcome"}},
			wantStatus: "200", wantAttempts: 1,
			wantErr: `condition failed: body contains "Welcome" failed: not found`},
		{name: "json condition fails", handler: answer(200, "application/json", degraded, 0), retries: 3,
			conds:      []target.Condition{{Type: "json", Path: "$.status", Op: "==", Value: `"ok"`}},
			wantStatus: "200", wantAttempts: 1,
			// The server is on loopback, reached only because private targets are
			// allowed: what it answered is not quoted (target's tests cover the quote).
			wantErr: `condition failed: $.status == "ok" failed: got a value not shown (private host)`},
		{name: "json condition on a page that is not JSON", handler: answer(200, "text/html", page, 0),
			conds:      []target.Condition{{Type: "json", Path: "$.status", Op: "exists"}},
			wantStatus: "200", wantAttempts: 1,
			wantErr: `condition failed: $.status exists failed: body is not JSON`},
		{name: "header condition fails", handler: answer(200, "text/html", page, 0), retries: 3,
			conds:      []target.Condition{{Type: "header", Name: "Content-Type", Op: "contains", Value: "json"}},
			wantStatus: "200", wantAttempts: 1,
			wantErr: `condition failed: header Content-Type contains "json" failed: got a value not shown (private host)`},
		{name: "slow answer is retried", handler: answer(200, "text/html", page, 300*time.Millisecond), retries: 1,
			conds:      []target.Condition{{Type: "latency", Op: "<", Value: "100"}},
			wantStatus: "200", wantAttempts: 2,
			wantErr: `condition failed: latency_ms < 100 failed: took `},
		{name: "slow and wrong is not retried", handler: answer(200, "text/html", page, 300*time.Millisecond), retries: 2,
			conds: []target.Condition{
				{Type: "latency", Op: "<", Value: "100"},
				{Type: "body", Op: "contains", Value: "Goodbye"},
			},
			wantStatus: "200", wantAttempts: 1,
			wantErr: `; body contains "Goodbye" failed: not found`},
		{name: "expected status is judged first", handler: answer(404, "text/html", page, 0), retries: 2,
			conds:      []target.Condition{{Type: "body", Op: "contains", Value: "Goodbye"}},
			wantStatus: "404", wantAttempts: 1,
			wantErr: "unexpected status 404 (expected 200-399)"},
		{name: "invalid conditions are not checked", handler: answer(200, "text/html", page, 0), retries: 2,
			conds:      []target.Condition{{Type: "body", Op: "matches", Value: "(unclosed"}},
			wantStatus: "none", wantAttempts: 0,
			wantErr: "invalid conditions: conditions[0].value: must be a valid regexp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, hits := newServer(t, tt.handler)
			p := newProber(t, true, Options{})
			tg := newTarget(srv.URL)
			tg.Retries = tt.retries
			tg.Conditions = tt.conds

			c := p.Check(context.Background(), tg)

			if c.OK != tt.wantOK || (c.Error == "") != tt.wantOK {
				t.Errorf("OK = %v, Error = %q; want OK %v", c.OK, c.Error, tt.wantOK)
			}
			if !strings.Contains(c.Error, tt.wantErr) {
				t.Errorf("Error = %q, want it to contain %q", c.Error, tt.wantErr)
			}
			if got := statusOf(c); got != tt.wantStatus {
				t.Errorf("StatusCode = %s, want %s", got, tt.wantStatus)
			}
			if c.Attempts != tt.wantAttempts {
				t.Errorf("Attempts = %d, want %d", c.Attempts, tt.wantAttempts)
			}
			if got := hits.Load(); got != int64(tt.wantAttempts) {
				t.Errorf("server hits = %d, want one per attempt (%d)", got, tt.wantAttempts)
			}
		})
	}
}

// TestCheckConditionsBody is not parallel: it measures the heap, which other tests
// would disturb. The body is kept only for conditions that read it, and they see its
// first MaxBodyBytes.
func TestCheckConditionsBody(t *testing.T) {
	const limit = 4 << 20
	// A marker before the cap, 8 MiB of padding, and a marker past the cap.
	body := "<p>early</p>" + strings.Repeat("x", 2*limit) + "<p>late</p>"
	srv, _ := newServer(t, answer(200, "text/html", body, 0))
	tests := []struct {
		name      string
		conds     []target.Condition
		wantErr   string
		wantAlloc bool // whether the check may hold the body
	}{
		{name: "no conditions discard the body"},
		{name: "header and latency conditions discard the body", conds: []target.Condition{
			{Type: "latency", Op: "<", Value: "10000"},
			{Type: "header", Name: "Content-Type", Op: "==", Value: "text/html"},
		}},
		{name: "a body condition reads up to the cap", wantAlloc: true, conds: []target.Condition{
			{Type: "body", Op: "contains", Value: "<p>early</p>"},
		}},
		{name: "text past the cap is not seen", wantAlloc: true, conds: []target.Condition{
			{Type: "body", Op: "contains", Value: "<p>late</p>"},
		}, wantErr: `condition failed: body contains "<p>late</p>" failed: not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProber(t, true, Options{MaxBodyBytes: limit})
			tg := newTarget(srv.URL)
			tg.Conditions = tt.conds

			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			c := p.Check(context.Background(), tg)
			runtime.ReadMemStats(&after)

			if tt.wantErr == "" && !c.OK {
				t.Errorf("check failed: %s", c.Error)
			}
			if tt.wantErr != "" && (c.OK || c.Error != tt.wantErr) {
				t.Errorf("OK = %v, Error = %q; want down with %q", c.OK, c.Error, tt.wantErr)
			}
			grew := after.TotalAlloc - before.TotalAlloc
			if !tt.wantAlloc && grew > limit/2 {
				t.Errorf("check allocated %d KiB, want the body discarded, not kept", grew>>10)
			}
			if tt.wantAlloc && grew < limit {
				t.Errorf("check allocated %d KiB, want the body's first %d KiB kept", grew>>10, limit>>10)
			}
		})
	}
}

// TestCheckQuotesNothingOfAPrivateHost: a host reached only because private targets
// are allowed may be monitored, but its check errors quote nothing it sent (a banner
// in place of an HTTP answer, a body or header a condition read): otherwise saving a
// URL would be a way to read internal services. The status code is still said.
func TestCheckQuotesNothingOfAPrivateHost(t *testing.T) {
	t.Parallel()
	const secret = "internal-secret-7f3a"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		// Ends when the listener is closed at cleanup.
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = conn.Write([]byte("SSH-2.0-OpenSSH_9.6 " + secret + "\r\n"))
			_ = conn.Close()
		}
	}()
	web, _ := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Internal", secret)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, `{"status": "`+secret+`"}`)
	}))
	conditionsOK, _ := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Internal", secret)
		_, _ = io.WriteString(w, `{"status": "`+secret+`"}`)
	}))

	tests := []struct {
		name    string
		url     string
		conds   []target.Condition
		wantErr string
	}{
		{name: "a banner instead of HTTP", url: "http://" + ln.Addr().String() + "/",
			wantErr: "invalid answer (not shown: the host is private)"},
		{name: "an error status", url: web.URL, wantErr: "unexpected status 503"},
		{name: "conditions", url: conditionsOK.URL, conds: []target.Condition{
			{Type: "json", Path: "$.status", Op: "==", Value: "ok"},
			{Type: "header", Name: "X-Internal", Op: "not_exists"},
			{Type: "body", Op: "not_matches", Value: "internal-[a-z]+"},
		}, wantErr: `$.status == "ok" failed: got a value not shown (private host)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newProber(t, true, Options{})
			tg := newTarget(tt.url)
			tg.Conditions = tt.conds
			c := p.Check(context.Background(), tg)
			if c.OK || !strings.Contains(c.Error, tt.wantErr) {
				t.Errorf("OK = %v, Error = %q; want down with %q", c.OK, c.Error, tt.wantErr)
			}
			if strings.Contains(c.Error, secret) {
				t.Errorf("Error = %q quotes what the private host sent", c.Error)
			}
		})
	}
}

// A dial that times out on its own limit names the address it dialed; for a host let
// through only as private, that would tell whoever saved the URL where an internal
// name leads.
func TestClassifyStepTimeoutOfAPrivateHost(t *testing.T) {
	t.Parallel()
	err := &url.Error{Op: "Get", URL: "http://intranet.example/", Err: &net.OpError{Op: "dial", Net: "tcp",
		Addr: &net.TCPAddr{IP: net.ParseIP("10.0.0.5"), Port: 443}, Err: os.ErrDeadlineExceeded}}
	ctx := context.Background()
	private := classify(ctx, ctx, err, 30*time.Second, true)
	if strings.Contains(private.err, "10.0.0.5") || !strings.HasPrefix(private.err, "timeout") || !private.retry {
		t.Fatalf("private host: %+v", private)
	}
	public := classify(ctx, ctx, err, 30*time.Second, false)
	if !strings.Contains(public.err, "10.0.0.5") {
		t.Fatalf("a public host's timeout keeps its detail: %+v", public)
	}
}
