package apiclient

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// credentials hands out the bearer token for a request. An API key never changes; a
// login session renews its access token.
type credentials interface {
	token(ctx context.Context) (string, error)
	// renew drops a token the server refused, so that the next token call gets a new
	// one; it reports false when there is nothing to renew (an API key).
	renew(ctx context.Context, refused string) bool
}

// authTransport adds "Authorization: Bearer …" to each request that has none, and
// after a 401 sends the request once more with a renewed token.
type authTransport struct {
	next  http.RoundTripper
	creds credentials
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Header.Get("Authorization") != "" {
		return t.next.RoundTrip(req)
	}
	ctx := req.Context()
	tok, err := t.creds.token(ctx)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	res, err := t.next.RoundTrip(withBearer(req, tok))
	if err != nil || res.StatusCode != http.StatusUnauthorized {
		return res, err
	}
	// The token was refused before its time: revoked by a logout or a password
	// change, or the server's clock runs ahead. Renew it once; a second 401 is final.
	if !resendable(req) || !t.creds.renew(ctx, tok) {
		return res, nil
	}
	again, err := rewind(req)
	if err != nil {
		return res, nil
	}
	fresh, err := t.creds.token(ctx)
	if err != nil {
		closeBody(again)
		discard(res)
		return nil, err
	}
	discard(res)
	return t.next.RoundTrip(withBearer(again, fresh))
}

func withBearer(req *http.Request, tok string) *http.Request {
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+tok)
	return r
}

type staticKey string

func (k staticKey) token(context.Context) (string, error) { return string(k), nil }
func (staticKey) renew(context.Context, string) bool      { return false }

// session is a login: the token pair from POST /auth/login, renewed through POST
// /auth/refresh. One lock covers the pair and is held while it is renewed, so
// callers arriving meanwhile wait and then share the new pair: concurrent callers log
// in once, and a refresh token (good for one use) is never sent twice.
type session struct {
	api                *ClientWithResponses // sends no bearer
	username, password string
	now                func() time.Time

	lock    chan struct{} // a mutex whose waiters honour their context
	access  string
	refresh string
	renewAt time.Time
}

func newSession(api *ClientWithResponses, username, password string, now func() time.Time) *session {
	return &session{api: api, username: username, password: password, now: now, lock: make(chan struct{}, 1)}
}

func (s *session) acquire(ctx context.Context) error {
	select {
	case s.lock <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *session) release() { <-s.lock }

func (s *session) token(ctx context.Context) (string, error) {
	if err := s.acquire(ctx); err != nil {
		return "", err
	}
	defer s.release()
	if s.access != "" && s.now().Before(s.renewAt) {
		return s.access, nil
	}
	if s.refresh != "" {
		err := s.obtain("refresh", func() (*TokenPair, Response, error) {
			res, err := s.api.RefreshTokensWithResponse(ctx, RefreshRequest{RefreshToken: s.refresh})
			if err != nil {
				return nil, nil, err
			}
			return res.JSON200, res, nil
		})
		if err == nil {
			return s.access, nil
		}
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		// Expired, revoked or already used: a new login starts a new pair.
		s.refresh = ""
	}
	err := s.obtain("login", func() (*TokenPair, Response, error) {
		res, err := s.api.LoginWithResponse(ctx, LoginRequest{Username: s.username, Password: s.password})
		if err != nil {
			return nil, nil, err
		}
		return res.JSON200, res, nil
	})
	if err != nil {
		return "", err
	}
	return s.access, nil
}

// obtain runs a login or refresh call and keeps the pair it answers with. The
// renewal time is taken from before the call, so the token is renewed early rather
// than late, by a tenth of its lifetime but at most 30 s.
func (s *session) obtain(op string, call func() (*TokenPair, Response, error)) error {
	began := s.now()
	pair, res, err := call()
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := ResponseError(res); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if pair == nil || pair.AccessToken == "" {
		return fmt.Errorf("%s: unexpected answer %d", op, res.StatusCode())
	}
	s.access, s.refresh = pair.AccessToken, pair.RefreshToken
	if pair.ExpiresIn <= 0 {
		// No lifetime given: renew only when the server refuses the token.
		s.renewAt = began.AddDate(100, 0, 0)
		return nil
	}
	lifetime := time.Duration(pair.ExpiresIn) * time.Second
	s.renewAt = began.Add(lifetime - min(lifetime/10, 30*time.Second))
	return nil
}

func (s *session) renew(ctx context.Context, refused string) bool {
	if err := s.acquire(ctx); err != nil {
		return false
	}
	defer s.release()
	// Another caller may have renewed it already; then its token is the answer.
	if s.access == refused {
		s.renewAt = time.Time{}
	}
	return true
}
