package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUnknownMethodsAndRoutes(t *testing.T) {
	e := newEnv(t, nil)
	res := e.send(t, request{Method: http.MethodPut, Path: "/api/v1/stats", OffSpec: true})
	assert.Equal(t, http.StatusMethodNotAllowed, res.Status, "a known path with another method")
	assert.Equal(t, "Method not allowed", res.Problem(t).Title)
	res = e.send(t, request{Method: http.MethodDelete, Path: "/api/v1/stats", NoAuth: true, OffSpec: true})
	assert.Equal(t, http.StatusMethodNotAllowed, res.Status, "decided before authentication")
	res = e.send(t, request{Method: http.MethodGet, Path: "/api/v1/nothing-here", OffSpec: true})
	assert.Equal(t, http.StatusNotFound, res.Status)
	assert.Equal(t, "no such resource", res.Problem(t).Detail)
}

func TestRequestIDs(t *testing.T) {
	e := newEnv(t, nil)
	tests := []struct {
		name, sent string
		kept       bool
	}{
		{"a plain id from a proxy is kept", "edge-7f3a.42", true},
		{"an id with spaces is replaced", "forged log line", false},
		{"an id with a newline is replaced", "a\tb", false},
		{"an over-long id is replaced", strings.Repeat("a", 65), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := e.send(t, request{Method: http.MethodGet, Path: "/healthz", NoAuth: true, Headers: map[string]string{"X-Request-Id": tc.sent}})
			got := res.Header.Get("X-Request-Id")
			if tc.kept {
				assert.Equal(t, tc.sent, got)
			} else {
				assert.NotEqual(t, tc.sent, got)
				assert.Len(t, got, 32)
			}
		})
	}
}

func TestLongUsernameIsRefusedBeforeTheLimiter(t *testing.T) {
	e := newEnv(t, nil)
	body := `{"username":"` + strings.Repeat("u", 129) + `","password":"whatever-it-is"}`
	res := e.send(t, request{Method: http.MethodPost, Path: "/api/v1/auth/login", Body: body, NoAuth: true, InvalidRequest: true})
	assert.Equal(t, http.StatusBadRequest, res.Status)
	assert.Equal(t, []string{"username"}, res.Problem(t).Fields())
}

func TestSortAndLogout(t *testing.T) {
	e := newEnv(t, nil)
	e.createTarget(t, map[string]any{"url": "https://b.example.com/", "name": "bravo", "is_active": false})
	e.createTarget(t, map[string]any{"url": "https://a.example.com/", "name": "alpha", "is_active": false})
	list := e.listTargets(t, "?sort=-name")
	require.Len(t, list.Items, 2)
	assert.Equal(t, "bravo", list.Items[0].Name)
	res := e.send(t, request{Method: http.MethodGet, Path: "/api/v1/targets?sort=url", InvalidRequest: true})
	assert.Equal(t, http.StatusBadRequest, res.Status)
	assert.Equal(t, []string{"sort"}, res.Problem(t).Fields())

	out := e.send(t, request{Method: http.MethodPost, Path: "/api/v1/auth/logout", NoAuth: true,
		Body: `{"refresh_token":"` + e.Refresh + `"}`})
	assert.Equal(t, http.StatusNoContent, out.Status)
	again := e.send(t, request{Method: http.MethodPost, Path: "/api/v1/auth/refresh", NoAuth: true,
		Body: `{"refresh_token":"` + e.Refresh + `"}`})
	assert.Equal(t, http.StatusUnauthorized, again.Status, "the login is over")
}
