package apiclient

import (
	"context"
	"encoding/json"
	"fmt"
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
)

// withBackoff shortens the first backoff step so the tests do not wait half a second.
func withBackoff(d time.Duration) Option {
	return func(s *settings) error { s.backoff = d; return nil }
}

// received is one request as the scripted server saw it.
type received struct {
	method, path, body string
	remote             string // the client's address: one per connection
	header             http.Header
	at                 time.Time
}

// scripted answers its n-th request with steps[n], the last step repeating, and
// keeps every request it received.
type scripted struct {
	*httptest.Server
	mu    sync.Mutex
	got   []received
	steps []http.HandlerFunc
}

func newScripted(t *testing.T, steps ...http.HandlerFunc) *scripted {
	t.Helper()
	s := &scripted{steps: steps}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		n := len(s.got)
		s.got = append(s.got, received{r.Method, r.URL.Path, string(body), r.RemoteAddr, r.Header.Clone(), time.Now()})
		s.mu.Unlock()
		s.steps[min(n, len(s.steps)-1)](w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *scripted) requests() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.got...)
}

// answer writes a problem with the given status and headers ("Name: value").
func answer(status int, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for _, h := range headers {
			k, v, _ := strings.Cut(h, ": ")
			w.Header().Set(k, v)
		}
		if status < 400 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = io.WriteString(w, `{"id":7,"name":"shop","items":[],"total":0}`)
			return
		}
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"type": "urn:watchdog:problem:rate-limited", "title": http.StatusText(status), "status": status})
	}
}

// reset drops the connection without an answer (a TCP RST), as a crashing server or
// a proxy would.
func reset(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

func newSDK(t *testing.T, url string, opts ...Option) *SDK {
	t.Helper()
	c, err := New(url, append([]Option{WithAPIKey("wd_test"), withBackoff(10 * time.Millisecond)}, opts...)...)
	require.NoError(t, err)
	return c
}

func TestSDKRetry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	body := TargetCreate{Url: "https://shop.example.com/health", Name: ptr("shop")}

	t.Run("429 waits for Retry-After seconds, once", func(t *testing.T) {
		t.Parallel()
		srv := newScripted(t, answer(429, "Retry-After: 1"), answer(200))
		began := time.Now()
		res, err := newSDK(t, srv.URL).ListTargetsWithResponse(ctx, nil)
		elapsed := time.Since(began)
		require.NoError(t, err)
		assert.Equal(t, 200, res.StatusCode())
		got := srv.requests()
		require.Len(t, got, 2)
		assert.GreaterOrEqual(t, elapsed, 900*time.Millisecond)
		assert.GreaterOrEqual(t, got[1].at.Sub(got[0].at), 900*time.Millisecond)
		assert.Less(t, elapsed, 5*time.Second)
	})

	t.Run("Retry-After as an HTTP date", func(t *testing.T) {
		t.Parallel()
		// Dates have whole seconds, so two seconds ahead is between one and two away.
		at := time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat)
		srv := newScripted(t, answer(503, "Retry-After: "+at), answer(200))
		res, err := newSDK(t, srv.URL).ListTargetsWithResponse(ctx, nil)
		require.NoError(t, err)
		assert.Equal(t, 200, res.StatusCode())
		got := srv.requests()
		require.Len(t, got, 2)
		assert.GreaterOrEqual(t, got[1].at.Sub(got[0].at), 900*time.Millisecond)
	})

	t.Run("503 without Retry-After backs off exponentially", func(t *testing.T) {
		t.Parallel()
		srv := newScripted(t, answer(503), answer(503), answer(200))
		res, err := newSDK(t, srv.URL, withBackoff(100*time.Millisecond)).ListTargetsWithResponse(ctx, nil)
		require.NoError(t, err)
		assert.Equal(t, 200, res.StatusCode())
		got := srv.requests()
		require.Len(t, got, 3)
		// The jitter takes at most half of each step (100 ms, then 200 ms).
		assert.GreaterOrEqual(t, got[1].at.Sub(got[0].at), 50*time.Millisecond)
		assert.GreaterOrEqual(t, got[2].at.Sub(got[1].at), 100*time.Millisecond)
	})

	t.Run("POST is not sent again after a connection reset", func(t *testing.T) {
		t.Parallel()
		srv := newScripted(t, reset, answer(201))
		_, err := newSDK(t, srv.URL).CreateTargetWithResponse(ctx, body)
		require.Error(t, err)
		assert.Len(t, srv.requests(), 1, "it may have created the target")
	})

	t.Run("GET is sent again after a connection reset", func(t *testing.T) {
		t.Parallel()
		srv := newScripted(t, reset, answer(200))
		res, err := newSDK(t, srv.URL).ListTargetsWithResponse(ctx, nil)
		require.NoError(t, err)
		assert.Equal(t, 200, res.StatusCode())
		assert.Len(t, srv.requests(), 2)
	})

	t.Run("POST is sent again after a 429, with the same body", func(t *testing.T) {
		t.Parallel()
		srv := newScripted(t, answer(429, "Retry-After: 0"), answer(201))
		res, err := newSDK(t, srv.URL).CreateTargetWithResponse(ctx, body)
		require.NoError(t, err)
		require.NotNil(t, res.JSON201)
		assert.Equal(t, 7, res.JSON201.Id)
		got := srv.requests()
		require.Len(t, got, 2)
		assert.JSONEq(t, `{"url":"https://shop.example.com/health","name":"shop"}`, got[0].body)
		assert.Equal(t, got[0].body, got[1].body)
		assert.Equal(t, http.MethodPost, got[1].method)
		assert.Equal(t, "/api/v1/targets", got[1].path)
	})

	t.Run("a body that cannot be read twice is not sent again", func(t *testing.T) {
		t.Parallel()
		srv := newScripted(t, answer(429, "Retry-After: 0"), answer(201))
		// Hiding the reader's type leaves the request without GetBody.
		once := struct{ io.Reader }{strings.NewReader(`{"url":"https://shop.example.com/"}`)}
		res, err := newSDK(t, srv.URL).CreateTargetWithBodyWithResponse(ctx, "application/json", once)
		require.NoError(t, err)
		assert.Equal(t, 429, res.StatusCode())
		assert.Len(t, srv.requests(), 1)
	})

	t.Run("a cancelled context stops the wait", func(t *testing.T) {
		t.Parallel()
		srv := newScripted(t, answer(429, "Retry-After: 30"))
		ctx, cancel := context.WithCancel(ctx)
		time.AfterFunc(100*time.Millisecond, cancel)
		began := time.Now()
		_, err := newSDK(t, srv.URL, WithMaxWait(time.Minute)).ListTargetsWithResponse(ctx, nil)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Less(t, time.Since(began), 5*time.Second)
		assert.Len(t, srv.requests(), 1)
	})

	t.Run("a wait past the deadline is not started", func(t *testing.T) {
		t.Parallel()
		srv := newScripted(t, answer(429, "Retry-After: 30"))
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		began := time.Now()
		res, err := newSDK(t, srv.URL, WithMaxWait(time.Minute)).ListTargetsWithResponse(ctx, nil)
		require.NoError(t, err)
		assert.Equal(t, 429, res.StatusCode(), "the answer, at once, instead of a timeout later")
		assert.Less(t, time.Since(began), 5*time.Second)
	})

	t.Run("a Retry-After beyond the max wait returns the answer", func(t *testing.T) {
		t.Parallel()
		srv := newScripted(t, answer(429, "Retry-After: 120"), answer(200))
		res, err := newSDK(t, srv.URL, WithMaxWait(5*time.Second)).ListTargetsWithResponse(ctx, nil)
		require.NoError(t, err)
		assert.Equal(t, 429, res.StatusCode())
		assert.Len(t, srv.requests(), 1)
	})

	t.Run("retries exhausted returns the last answer", func(t *testing.T) {
		t.Parallel()
		var n int
		var mu sync.Mutex
		last := func(w http.ResponseWriter, _ *http.Request) {
			mu.Lock()
			n++
			detail := fmt.Sprintf("attempt %d", n)
			mu.Unlock()
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(503)
			_ = json.NewEncoder(w).Encode(map[string]any{"type": "urn:watchdog:problem:unavailable", "title": "Service unavailable", "status": 503, "detail": detail})
		}
		srv := newScripted(t, last)
		res, err := OK(newSDK(t, srv.URL, WithRetries(2)).ListTargetsWithResponse(ctx, nil))
		assert.Len(t, srv.requests(), 3)
		require.NotNil(t, res)
		assert.Equal(t, 503, res.StatusCode())
		var apiErr *Error
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "unavailable", apiErr.Slug())
		assert.Equal(t, "attempt 3", apiErr.Detail)
	})

	t.Run("no retries when turned off", func(t *testing.T) {
		t.Parallel()
		srv := newScripted(t, answer(503), answer(200))
		res, err := newSDK(t, srv.URL, WithRetries(0)).ListTargetsWithResponse(ctx, nil)
		require.NoError(t, err)
		assert.Equal(t, 503, res.StatusCode())
		assert.Len(t, srv.requests(), 1)
	})
}

func TestSDKRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, header string
		want         time.Duration
		ok           bool
	}{
		{"seconds", "7", 7 * time.Second, true},
		{"zero", "0", 0, true},
		{"spaces", " 2 ", 2 * time.Second, true},
		{"date ahead", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{"date past", now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"missing", "", 0, false},
		{"negative", "-3", 0, false},
		{"fraction", "1.5", 0, false},
		{"garbage", "soon", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := retryAfter(tc.header, now)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestSDKBackoff(t *testing.T) {
	rt := &retryTransport{backoff: 100 * time.Millisecond, maxWait: time.Second}
	for _, tc := range []struct {
		n        int
		min, max time.Duration
	}{
		{0, 50 * time.Millisecond, 100 * time.Millisecond},
		{1, 100 * time.Millisecond, 200 * time.Millisecond},
		{3, 400 * time.Millisecond, 800 * time.Millisecond},
		{4, 500 * time.Millisecond, time.Second}, // capped at the max wait
		{62, 500 * time.Millisecond, time.Second},
	} {
		t.Run(fmt.Sprint(tc.n), func(t *testing.T) {
			for range 100 {
				d := rt.backoffFor(tc.n)
				assert.GreaterOrEqual(t, d, tc.min)
				assert.LessOrEqual(t, d, tc.max)
			}
		})
	}
}
