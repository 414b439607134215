package httpapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/account"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

// TestCredentialHeadersAreWriteOnly: a target's credential headers are stored and
// sent by the probe, but no answer carries their values: answers name them in
// secret_headers, and a PATCH that leaves one out keeps it.
func TestCredentialHeadersAreWriteOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, trustLoopback)
		const bearer = "Bearer very-secret-token-123"
		res := e.send(t, request{Method: http.MethodPost, Path: "/api/v1/targets", Body: mustJSON(t, map[string]any{
			"name": "api", "url": "https://api.example.com/",
			"headers": map[string]string{"Authorization": bearer, "X-Session-Id": "sess-42", "Accept": "application/json"},
		})})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		assert.NotContains(t, string(res.Body), "very-secret-token")
		assert.NotContains(t, string(res.Body), "sess-42")
		var tb struct {
			ID            int64             `json:"id"`
			Headers       map[string]string `json:"headers"`
			SecretHeaders []string          `json:"secret_headers"`
		}
		res.JSON(t, &tb)
		assert.Equal(t, map[string]string{"Accept": "application/json"}, tb.Headers)
		assert.Equal(t, []string{"Authorization", "X-Session-Id"}, tb.SecretHeaders)
		path := targetPath(tb.ID)

		// The store keeps them: the probe sends them.
		stored, err := s.GetTarget(context.Background(), tb.ID)
		require.NoError(t, err)
		assert.Equal(t, bearer, stored.Headers["Authorization"])

		// A PATCH of headers replaces the plain ones and keeps the credentials it
		// leaves out; "" removes one; a new value replaces it.
		res = e.send(t, request{Method: http.MethodPatch, Path: path, Body: `{"headers":{"Accept":"text/plain","x-session-id":""}}`})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		res.JSON(t, &tb)
		assert.Equal(t, map[string]string{"Accept": "text/plain"}, tb.Headers)
		assert.Equal(t, []string{"Authorization"}, tb.SecretHeaders)
		stored, err = s.GetTarget(context.Background(), tb.ID)
		require.NoError(t, err)
		assert.Equal(t, map[string]string{"Accept": "text/plain", "Authorization": bearer}, stored.Headers)
		res = e.send(t, request{Method: http.MethodPatch, Path: path, Body: `{"name":"api2"}`})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		stored, err = s.GetTarget(context.Background(), tb.ID)
		require.NoError(t, err)
		assert.Equal(t, bearer, stored.Headers["Authorization"], "a PATCH without headers keeps them")
		res = e.send(t, request{Method: http.MethodPatch, Path: path, Body: `{"headers":{"Authorization":"Bearer rotated-secret-456"}}`})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		assert.NotContains(t, string(res.Body), "rotated-secret")
		stored, err = s.GetTarget(context.Background(), tb.ID)
		require.NoError(t, err)
		assert.Equal(t, map[string]string{"Authorization": "Bearer rotated-secret-456"}, stored.Headers)

		// A viewer sees that it is set, never its value: list, get and the audit log
		// (read by an admin) alike.
		viewer := e.addUser(t, account.RoleViewer)
		token := e.loginAs(t, viewer.Username, adminPass).AccessToken
		for _, p := range []string{"/api/v1/targets", path} {
			res = e.send(t, request{Method: http.MethodGet, Path: p, Token: token})
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			assert.Contains(t, string(res.Body), `"secret_headers":["Authorization"]`)
			assert.NotContains(t, string(res.Body), "rotated-secret", p)
		}
		res = e.get(t, "/api/v1/audit?kind=target")
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		assert.NotContains(t, string(res.Body), "very-secret-token")
		assert.NotContains(t, string(res.Body), "rotated-secret")
		assert.NotContains(t, string(res.Body), "sess-42")
	})
}
