package apiclient

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func ptr[T any](v T) *T { return &v }

func TestSDKNew(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		opts           []Option
		err            string
	}{
		{name: "server root", in: "http://localhost:8080", want: "http://localhost:8080/api/v1"},
		{name: "trailing slash", in: "http://localhost:8080/", want: "http://localhost:8080/api/v1"},
		{name: "api root", in: "https://wd.example.com/api/v1", want: "https://wd.example.com/api/v1"},
		{name: "api root with slash", in: "https://wd.example.com/api/v1/", want: "https://wd.example.com/api/v1"},
		{name: "behind a path prefix", in: "https://example.com/watchdog", want: "https://example.com/watchdog/api/v1"},
		{name: "no scheme", in: "localhost:8080", err: "want http(s)://host"},
		{name: "other scheme", in: "ftp://example.com", err: "want http(s)://host"},
		{name: "query", in: "http://example.com/?x=1", err: "no query"},
		{name: "key and login", in: "http://example.com", opts: []Option{WithAPIKey("wd_x"), WithLogin("a", "b")}, err: "not both"},
		{name: "empty key", in: "http://example.com", opts: []Option{WithAPIKey("")}, err: "api key is empty"},
		{name: "negative retries", in: "http://example.com", opts: []Option{WithRetries(-1)}, err: "negative"},
		{name: "zero max wait", in: "http://example.com", opts: []Option{WithMaxWait(0)}, err: "not positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(tc.in, tc.opts...)
			if tc.err != "" {
				assert.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, c.BaseURL())
		})
	}
}

func TestSDKHeaders(t *testing.T) {
	ctx := context.Background()
	srv := newScripted(t, answer(200))

	_, err := newSDK(t, srv.URL).ListTargetsWithResponse(ctx, nil)
	require.NoError(t, err)
	custom := &http.Client{Timeout: 5 * time.Second}
	c, err := New(srv.URL+"/api/v1", WithAPIKey("wd_other"), WithUserAgent("deploy-bot/2"), WithHTTP(custom))
	require.NoError(t, err)
	_, err = c.GetCurrentUserWithResponse(ctx)
	require.NoError(t, err)
	anon, err := New(srv.URL)
	require.NoError(t, err)
	_, err = anon.GetPublicStatusPageWithResponse(ctx, "acme")
	require.NoError(t, err)

	got := srv.requests()
	require.Len(t, got, 3)
	assert.Equal(t, "/api/v1/targets", got[0].path)
	assert.Equal(t, "Bearer wd_test", got[0].header.Get("Authorization"))
	assert.Equal(t, DefaultUserAgent, got[0].header.Get("User-Agent"))
	assert.Equal(t, "/api/v1/auth/me", got[1].path)
	assert.Equal(t, "Bearer wd_other", got[1].header.Get("Authorization"))
	assert.Equal(t, "deploy-bot/2", got[1].header.Get("User-Agent"))
	assert.Empty(t, got[2].header.Get("Authorization"), "no credential, none sent")
	assert.Nil(t, custom.Transport, "the caller's client is not changed")
	assert.Equal(t, 5*time.Second, c.HTTPClient().Timeout)
}

// fakeResponse is an answer as a generated response type presents it.
type fakeResponse struct {
	status int
	body   string
}

func (r fakeResponse) StatusCode() int { return r.status }
func (r fakeResponse) GetBody() []byte { return []byte(r.body) }

func TestSDKProblem(t *testing.T) {
	validation := `{"type":"urn:watchdog:problem:validation","title":"Invalid request","status":422,
		"detail":"interval_seconds: must be between 30 and 86400","request_id":"r-1",
		"errors":[{"field":"url","message":"is required"},{"field":"interval_seconds","message":"must be between 30 and 86400"}]}`
	for _, tc := range []struct {
		name     string
		res      fakeResponse
		isErr    bool
		slug     string
		fields   []FieldError
		errorMsg string
	}{
		{name: "success", res: fakeResponse{200, `{"id":1}`}},
		{name: "not modified", res: fakeResponse{304, ``}},
		{name: "validation", res: fakeResponse{422, validation}, isErr: true, slug: "validation",
			fields:   []FieldError{{Field: "url", Message: "is required"}, {Field: "interval_seconds", Message: "must be between 30 and 86400"}},
			errorMsg: "watchdog api: 422 validation: interval_seconds: must be between 30 and 86400 (request r-1)"},
		{name: "not a problem", res: fakeResponse{502, `<html>Bad gateway</html>`}, isErr: true, slug: "bad-gateway",
			errorMsg: "watchdog api: 502 bad-gateway"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, ok := AsProblem(tc.res)
			assert.Equal(t, tc.isErr, ok)
			err := ResponseError(tc.res)
			if !tc.isErr {
				assert.Nil(t, p)
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, tc.res.status, p.Status)
			var apiErr *Error
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.slug, apiErr.Slug())
			assert.Equal(t, tc.fields, apiErr.Errors)
			assert.Equal(t, tc.errorMsg, err.Error())
		})
	}

	apiErr := ResponseError(fakeResponse{422, validation}).(*Error)
	msg, ok := apiErr.Field("interval_seconds")
	assert.True(t, ok)
	assert.Equal(t, "must be between 30 and 86400", msg)
	_, ok = apiErr.Field("name")
	assert.False(t, ok)

	// OK passes a transport error through untouched and checks the status otherwise.
	boom := errors.New("boom")
	_, err := OK(fakeResponse{}, boom)
	assert.Same(t, boom, err)
	_, err = OK(fakeResponse{422, validation}, nil)
	assert.ErrorAs(t, err, &apiErr)
	_, err = OK(fakeResponse{201, `{}`}, nil)
	assert.NoError(t, err)
}

// The answer a retry replaces is drained, so the retry reuses its connection.
func TestSDKRetryReusesConnection(t *testing.T) {
	big := func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(503)
		_, _ = w.Write(make([]byte, 10<<10))
	}
	srv := newScripted(t, big, answer(200))
	res, err := newSDK(t, srv.URL).ListTargetsWithResponse(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, 200, res.StatusCode())
	got := srv.requests()
	require.Len(t, got, 2)
	assert.Equal(t, got[0].remote, got[1].remote)
}
