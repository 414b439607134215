package apiclient

// The hand-written part of the package: New, its options and the transport chain.
// client.gen.go is generated (`make docs`) and never edited; it already defines
// Client, ClientOption, WithHTTPClient and WithBaseURL, so the wrapper is SDK and its
// options are Option.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// apiPath is where the server mounts API v1 (the document's servers entry).
const apiPath = "/api/v1"

// DefaultUserAgent is sent when WithUserAgent is not given.
const DefaultUserAgent = "watchdog-go-sdk"

// SDK is the generated ClientWithResponses behind New's transport chain: every call
// carries the credential, is retried on 429 and 503, and a login is renewed as
// needed. All the generated …WithResponse methods are available on it. It is safe
// for concurrent use.
type SDK struct {
	*ClientWithResponses
	baseURL string
	http    *http.Client
}

// BaseURL is the normalised API root the client calls, ending in /api/v1.
func (c *SDK) BaseURL() string { return c.baseURL }

// HTTPClient is the authenticating, retrying client under the SDK, for a request the
// OpenAPI document does not describe.
func (c *SDK) HTTPClient() *http.Client { return c.http }

// Option configures New.
type Option func(*settings) error

type settings struct {
	apiKey             string
	username, password string
	login              bool
	http               *http.Client
	retries            int
	maxWait            time.Duration
	backoff            time.Duration // first backoff step; tests shorten it
	userAgent          string
	now                func() time.Time // tests move the session's clock
}

// WithAPIKey authenticates every request with an API key (wd_…, from POST
// /api-keys). Keys do not expire, so nothing is ever renewed.
func WithAPIKey(key string) Option {
	return func(s *settings) error {
		if key == "" {
			return errors.New("api key is empty")
		}
		s.apiKey = key
		return nil
	}
}

// WithLogin authenticates as a user. The SDK logs in on the first request that
// needs it, refreshes the access token shortly before it expires and once after a
// 401, and logs in again when the refresh token no longer works. An account with
// two-factor login cannot log in unattended: give it an API key instead.
func WithLogin(username, password string) Option {
	return func(s *settings) error {
		if username == "" || password == "" {
			return errors.New("login needs a username and a password")
		}
		s.username, s.password, s.login = username, password, true
		return nil
	}
}

// WithHTTP sets the http.Client to send through, for its timeout, proxy, TLS or
// cookie settings. The SDK copies it and wraps its Transport; the given client is not
// changed. A Timeout covers a request's retries and waits as well.
func WithHTTP(hc *http.Client) Option {
	return func(s *settings) error {
		if hc == nil {
			return errors.New("http client is nil")
		}
		s.http = hc
		return nil
	}
}

// WithRetries sets how many times a request is sent again after a 429, a 503 or,
// for GET, HEAD, PUT and DELETE, a network error (default 3; 0 turns retrying off).
func WithRetries(n int) Option {
	return func(s *settings) error {
		if n < 0 {
			return fmt.Errorf("retries %d is negative", n)
		}
		s.retries = n
		return nil
	}
}

// WithMaxWait caps a single wait between attempts (default 30 s). When the server's
// Retry-After asks for longer, the SDK returns its answer instead of waiting.
func WithMaxWait(d time.Duration) Option {
	return func(s *settings) error {
		if d <= 0 {
			return fmt.Errorf("max wait %s is not positive", d)
		}
		s.maxWait = d
		return nil
	}
}

// WithUserAgent sets the User-Agent header (default DefaultUserAgent).
func WithUserAgent(ua string) Option {
	return func(s *settings) error {
		s.userAgent = ua
		return nil
	}
}

// New returns a client for the WatchDog at baseURL. Both the server's root
// ("http://localhost:8080", "https://example.com/watchdog") and its API root
// ("http://localhost:8080/api/v1") are accepted. Without WithAPIKey or WithLogin only
// the public endpoints answer.
func New(baseURL string, opts ...Option) (*SDK, error) {
	s := settings{retries: 3, maxWait: 30 * time.Second, backoff: 500 * time.Millisecond,
		userAgent: DefaultUserAgent, now: time.Now}
	for _, o := range opts {
		if err := o(&s); err != nil {
			return nil, fmt.Errorf("new client: %w", err)
		}
	}
	if s.apiKey != "" && s.login {
		return nil, errors.New("new client: give either an API key or a login, not both")
	}
	api, err := normaliseBaseURL(baseURL)
	if err != nil {
		return nil, fmt.Errorf("new client: %w", err)
	}

	var hc http.Client
	if s.http != nil {
		hc = *s.http
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	retrying := &retryTransport{next: base, retries: s.retries, maxWait: s.maxWait, backoff: s.backoff}
	editors := []ClientOption{}
	if s.userAgent != "" {
		editors = append(editors, WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("User-Agent", s.userAgent)
			return nil
		}))
	}

	var creds credentials
	switch {
	case s.apiKey != "":
		creds = staticKey(s.apiKey)
	case s.login:
		// The session logs in and refreshes through the retrying transport but not
		// through the authenticating one: its own calls carry no bearer.
		plain := hc
		plain.Transport = retrying
		anon, err := NewClientWithResponses(api, append([]ClientOption{WithHTTPClient(&plain)}, editors...)...)
		if err != nil {
			return nil, fmt.Errorf("new client: %w", err)
		}
		creds = newSession(anon, s.username, s.password, s.now)
	}
	hc.Transport = retrying
	if creds != nil {
		hc.Transport = &authTransport{next: retrying, creds: creds}
	}
	gen, err := NewClientWithResponses(api, append([]ClientOption{WithHTTPClient(&hc)}, editors...)...)
	if err != nil {
		return nil, fmt.Errorf("new client: %w", err)
	}
	return &SDK{ClientWithResponses: gen, baseURL: api, http: &hc}, nil
}

// normaliseBaseURL turns a server or API root into the API root, without a trailing
// slash.
func normaliseBaseURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("base url: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("base url %q: want http(s)://host[:port][/path]", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("base url %q: no query, fragment or user info", raw)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	if !strings.HasSuffix(u.Path, apiPath) {
		u.Path += apiPath
	}
	return u.String(), nil
}
