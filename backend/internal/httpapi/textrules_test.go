package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

// TestTextPeopleWriteIsChecked: usernames and status page titles and descriptions
// follow the one rule for text (no control, bidi or zero-width characters, something
// visible), and usernames are unique whatever their case.
func TestTextPeopleWriteIsChecked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, trustLoopback)
		user := func(name string) string {
			return mustJSON(t, map[string]string{"username": name, "password": adminPass, "role": "viewer"})
		}
		page := func(title, description string) string {
			return mustJSON(t, map[string]any{"slug": "s", "title": title, "description": description, "target_ids": []int64{}})
		}
		runScenarios(t, e, []apiScenario{
			{Name: "username with a bidi override", Method: http.MethodPost, URL: "/api/v1/users", Body: user("\u202eadmin"),
				ExpectedStatus: http.StatusUnprocessableEntity, ExpectedFields: []string{"username"}},
			{Name: "username of two zero-width spaces", Method: http.MethodPost, URL: "/api/v1/users", Body: user("\u200b\u200b"),
				ExpectedStatus: http.StatusUnprocessableEntity, ExpectedFields: []string{"username"}},
			{Name: "username with a lookalike letter", Method: http.MethodPost, URL: "/api/v1/users", Body: user("\u0430dmin"),
				ExpectedStatus: http.StatusUnprocessableEntity, ExpectedFields: []string{"username"}},
			{Name: "username too long", Method: http.MethodPost, URL: "/api/v1/users", Body: user(strings.Repeat("a", 129)), InvalidRequest: true,
				ExpectedStatus: http.StatusUnprocessableEntity, ExpectedFields: []string{"username"}},
			{Name: "Admin when admin exists", Method: http.MethodPost, URL: "/api/v1/users", Body: user("Admin"),
				ExpectedStatus: http.StatusConflict, ExpectedFields: []string{"username"}},
			{Name: "an email address is a username", Method: http.MethodPost, URL: "/api/v1/users", Body: user("ana.b+ops@example.com"),
				ExpectedStatus: http.StatusCreated},
			{Name: "page title with a bidi override", Method: http.MethodPost, URL: "/api/v1/status-pages", Body: page("\u202eStatus", ""),
				ExpectedStatus: http.StatusUnprocessableEntity, ExpectedFields: []string{"title"}},
			{Name: "page title of zero-width spaces", Method: http.MethodPost, URL: "/api/v1/status-pages", Body: page("\u200b\u200b", ""),
				ExpectedStatus: http.StatusUnprocessableEntity, ExpectedFields: []string{"title"}},
			{Name: "page description with a zero-width space", Method: http.MethodPost, URL: "/api/v1/status-pages", Body: page("Status", "all\u200bgood"),
				ExpectedStatus: http.StatusUnprocessableEntity, ExpectedFields: []string{"description"}},
			{Name: "page description of lines", Method: http.MethodPost, URL: "/api/v1/status-pages", Body: page("Status 🚀", "line one\nline two"),
				ExpectedStatus: http.StatusCreated},
		})

		// Login matches the username whatever its case.
		pair := e.loginAs(t, "ADMIN", adminPass)
		res := e.send(t, request{Method: http.MethodGet, Path: "/api/v1/auth/me", Token: pair.AccessToken})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		assert.Contains(t, string(res.Body), `"username":"admin"`)
	})
}
