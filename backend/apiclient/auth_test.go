package apiclient

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withClock gives the login session a clock the test moves.
func withClock(now func() time.Time) Option {
	return func(s *settings) error { s.now = now; return nil }
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// authServer is the auth part of the API: login and one-use refresh tokens, and
// /targets behind a bearer token.
type authServer struct {
	*httptest.Server
	loginDelay time.Duration
	expiresIn  int

	mu        sync.Mutex
	refuseAll bool // every access token issued from now on is refused
	issued    int
	access    map[string]bool // accepted access tokens
	refresh   map[string]bool // unused refresh tokens
	logins    int
	refreshes int // attempts, good or not
	targets   []received
}

func newAuthServer(t *testing.T, loginDelay time.Duration) *authServer {
	s := &authServer{loginDelay: loginDelay, expiresIn: 900, access: map[string]bool{}, refresh: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/auth/login", func(w http.ResponseWriter, r *http.Request) {
		var body LoginRequest
		_ = json.NewDecoder(r.Body).Decode(&body)
		time.Sleep(s.loginDelay) // holds the login open while other callers arrive
		s.mu.Lock()
		defer s.mu.Unlock()
		s.logins++
		if body.Username != "alice" || body.Password != "secret" {
			problem(w, 401, "invalid-credentials", "invalid username or password")
			return
		}
		s.issue(w)
	})
	mux.HandleFunc("POST /api/v1/auth/refresh", func(w http.ResponseWriter, r *http.Request) {
		var body RefreshRequest
		_ = json.NewDecoder(r.Body).Decode(&body)
		s.mu.Lock()
		defer s.mu.Unlock()
		s.refreshes++
		if !s.refresh[body.RefreshToken] {
			problem(w, 401, "unauthorized", "invalid or expired token")
			return
		}
		delete(s.refresh, body.RefreshToken)
		s.issue(w)
	})
	mux.HandleFunc("/api/v1/targets", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		defer s.mu.Unlock()
		s.targets = append(s.targets, received{method: r.Method, body: string(body), header: r.Header.Clone()})
		if !s.access[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")] {
			problem(w, 401, "unauthorized", "invalid or expired token")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodPost {
			w.WriteHeader(201)
			_, _ = io.WriteString(w, `{"id":1}`)
			return
		}
		_, _ = io.WriteString(w, `{"items":[],"total":0,"limit":50,"offset":0}`)
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// issue answers with a new token pair; s.mu is held.
func (s *authServer) issue(w http.ResponseWriter) {
	s.issued++
	pair := TokenPair{AccessToken: fmt.Sprintf("access-%d", s.issued), RefreshToken: fmt.Sprintf("refresh-%d", s.issued),
		TokenType: "Bearer", ExpiresIn: s.expiresIn}
	if !s.refuseAll {
		s.access[pair.AccessToken] = true
	}
	s.refresh[pair.RefreshToken] = true
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(pair)
}

func problem(w http.ResponseWriter, status int, slug, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"type": "urn:watchdog:problem:" + slug, "title": http.StatusText(status), "status": status, "detail": detail})
}

// revoke makes the server refuse every access token, and the refresh tokens too when
// refresh is true.
func (s *authServer) revoke(refresh bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.access = map[string]bool{}
	if refresh {
		s.refresh = map[string]bool{}
	}
}

// counts returns logins, refresh attempts and /targets requests so far, and the
// bearer of the last of those.
func (s *authServer) counts() (logins, refreshes, targets int, lastBearer string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.targets) > 0 {
		lastBearer = s.targets[len(s.targets)-1].header.Get("Authorization")
	}
	return s.logins, s.refreshes, len(s.targets), lastBearer
}

func TestSDKLogin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	start := func(t *testing.T, loginDelay time.Duration) (*authServer, *SDK, *clock) {
		srv := newAuthServer(t, loginDelay)
		clk := &clock{now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
		c, err := New(srv.URL, WithLogin("alice", "secret"), withClock(clk.Now), withBackoff(time.Millisecond))
		require.NoError(t, err)
		return srv, c, clk
	}
	list := func(t *testing.T, c *SDK) {
		t.Helper()
		_, err := OK(c.ListTargetsWithResponse(ctx, nil))
		require.NoError(t, err)
	}

	t.Run("concurrent callers log in once, on first use", func(t *testing.T) {
		t.Parallel()
		srv, c, _ := start(t, 200*time.Millisecond)
		logins, _, _, _ := srv.counts()
		assert.Zero(t, logins, "New does not log in")
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				_, err := OK(c.ListTargetsWithResponse(ctx, nil))
				assert.NoError(t, err)
			})
		}
		wg.Wait()
		logins, refreshes, targets, bearer := srv.counts()
		assert.Equal(t, 1, logins)
		assert.Zero(t, refreshes)
		assert.Equal(t, 20, targets)
		assert.Equal(t, "Bearer access-1", bearer)
	})

	t.Run("refreshes shortly before expiry", func(t *testing.T) {
		t.Parallel()
		srv, c, clk := start(t, 0)
		list(t, c)
		clk.Add(869 * time.Second) // a 900 s token is renewed 30 s early
		list(t, c)
		logins, refreshes, _, bearer := srv.counts()
		assert.Equal(t, []int{1, 0}, []int{logins, refreshes})
		assert.Equal(t, "Bearer access-1", bearer)

		clk.Add(2 * time.Second)
		list(t, c)
		logins, refreshes, _, bearer = srv.counts()
		assert.Equal(t, []int{1, 1}, []int{logins, refreshes})
		assert.Equal(t, "Bearer access-2", bearer)
	})

	t.Run("refreshes once after a 401 and sends the body again", func(t *testing.T) {
		t.Parallel()
		srv, c, _ := start(t, 0)
		list(t, c)
		srv.revoke(false)
		res, err := OK(c.CreateTargetWithResponse(ctx, TargetCreate{Url: "https://shop.example.com/"}))
		require.NoError(t, err)
		assert.Equal(t, 1, res.JSON201.Id)
		logins, refreshes, targets, bearer := srv.counts()
		assert.Equal(t, []int{1, 1, 3}, []int{logins, refreshes, targets})
		assert.Equal(t, "Bearer access-2", bearer)
		srv.mu.Lock()
		defer srv.mu.Unlock()
		assert.JSONEq(t, `{"url":"https://shop.example.com/"}`, srv.targets[2].body)
		assert.Equal(t, srv.targets[1].body, srv.targets[2].body)
	})

	t.Run("logs in again when the refresh token is refused", func(t *testing.T) {
		t.Parallel()
		srv, c, _ := start(t, 0)
		list(t, c)
		srv.revoke(true) // a logout elsewhere ends the whole login
		list(t, c)
		logins, refreshes, _, bearer := srv.counts()
		assert.Equal(t, []int{2, 1}, []int{logins, refreshes})
		assert.Equal(t, "Bearer access-2", bearer)
	})

	t.Run("a second 401 is the answer", func(t *testing.T) {
		t.Parallel()
		srv, c, _ := start(t, 0)
		list(t, c)
		srv.mu.Lock()
		srv.refuseAll = true // no token works from now on
		srv.mu.Unlock()
		srv.revoke(false)
		res, err := c.ListTargetsWithResponse(ctx, nil)
		require.NoError(t, err)
		assert.Equal(t, 401, res.StatusCode())
		logins, refreshes, targets, _ := srv.counts()
		assert.Equal(t, []int{1, 1, 3}, []int{logins, refreshes, targets}, "one renewal, not a loop")
	})

	t.Run("wrong password is an *Error", func(t *testing.T) {
		t.Parallel()
		srv := newAuthServer(t, 0)
		c, err := New(srv.URL, WithLogin("alice", "wrong"))
		require.NoError(t, err)
		_, err = c.ListTargetsWithResponse(ctx, nil)
		var apiErr *Error
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 401, apiErr.Status)
		assert.Equal(t, "invalid-credentials", apiErr.Slug())
		assert.ErrorContains(t, err, "login: watchdog api: 401 invalid-credentials")
		_, _, targets, _ := srv.counts()
		assert.Zero(t, targets, "nothing is sent without a token")
	})

	t.Run("a cancelled context stops a caller waiting for the login", func(t *testing.T) {
		t.Parallel()
		_, c, _ := start(t, time.Second)
		var wg sync.WaitGroup
		defer wg.Wait()
		wg.Go(func() { _, _ = c.ListTargetsWithResponse(ctx, nil) }) // holds the session's lock
		require.Eventually(t, func() bool { return len(c.waiting()) == 1 }, time.Second, 5*time.Millisecond)
		short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		began := time.Now()
		_, err := c.ListTargetsWithResponse(short, nil)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Less(t, time.Since(began), time.Second)
	})
}

// waiting exposes the login session's lock to the tests: one element while it is held.
func (c *SDK) waiting() chan struct{} {
	return c.http.Transport.(*authTransport).creds.(*session).lock
}
