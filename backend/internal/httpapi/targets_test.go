package httpapi_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

func TestTargetsCRUD(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)

		t.Run("empty list", func(t *testing.T) {
			res := e.get(t, "/api/v1/targets")
			require.Equal(t, http.StatusOK, res.Status)
			assert.JSONEq(t, `{"items":[],"total":0,"limit":50,"offset":0}`, string(res.Body))
		})

		var created targetBody
		t.Run("create with only a url takes the defaults", func(t *testing.T) {
			res := e.send(t, request{Method: http.MethodPost, Path: "/api/v1/targets", Body: `{"url":"https://shop.example.com/health"}`})
			require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
			res.JSON(t, &created)
			assert.Equal(t, fmt.Sprintf("/api/v1/targets/%d", created.ID), res.Header.Get("Location"))
			assert.Positive(t, created.ID)
			assert.Equal(t, "shop.example.com", created.Name, "name defaults to the URL's host")
			assert.Equal(t, "https://shop.example.com/health", created.URL)
			assert.Equal(t, "GET", created.Method)
			assert.Equal(t, 300, created.IntervalSeconds)
			assert.Equal(t, 10, created.TimeoutSeconds)
			assert.Equal(t, "200-399", created.ExpectedStatus)
			assert.Equal(t, 3, created.Retries)
			assert.Equal(t, 15, created.RetryDelaySeconds)
			assert.True(t, created.IsActive)
			assert.Equal(t, "unknown", created.LastStatus)
			assert.Nil(t, created.LastCheckedAt)
			assert.Nil(t, created.LastLatencyMS)
			assert.Nil(t, created.LastStatusCode)
			assert.Empty(t, created.LastError)
			assert.NotNil(t, created.NextCheckAt, "an active target is scheduled")
			assert.False(t, created.CreatedAt.IsZero())
			raw := res.Map(t)
			assert.Equal(t, []any{}, raw["tags"], "tags is [] when empty, never null")
			assert.Equal(t, map[string]any{}, raw["headers"], "headers is {} when empty, never null")
		})

		t.Run("get", func(t *testing.T) {
			res := e.get(t, targetPath(created.ID))
			require.Equal(t, http.StatusOK, res.Status)
			var got targetBody
			res.JSON(t, &got)
			assert.Equal(t, created.ID, got.ID)
			assert.Equal(t, created.URL, got.URL)
			assert.Equal(t, created.Name, got.Name)
			assert.Equal(t, created.IntervalSeconds, got.IntervalSeconds)
			assert.Contains(t, string(res.Body), `"tags":[]`)
			assert.Contains(t, string(res.Body), `"headers":{}`)
		})

		var full targetBody
		t.Run("create with every field", func(t *testing.T) {
			full = e.createTarget(t, map[string]any{
				"name": "  Billing API  ", "url": "https://billing.example.com/ping", "method": "HEAD",
				"headers": map[string]string{"X-Api-Key": "k1"}, "interval_seconds": 60, "timeout_seconds": 5,
				"expected_status": "200,204", "retries": 0, "retry_delay_seconds": 5, "is_active": false,
				"tags": []string{"prod", " billing ", "prod", ""},
			})
			assert.Equal(t, "Billing API", full.Name, "trimmed")
			assert.Equal(t, "HEAD", full.Method)
			assert.Equal(t, map[string]string{}, full.Headers, "a credential header is write-only")
			assert.Equal(t, []string{"X-Api-Key"}, full.SecretHeaders)
			assert.Equal(t, 60, full.IntervalSeconds)
			assert.Equal(t, 5, full.TimeoutSeconds)
			assert.Equal(t, "200,204", full.ExpectedStatus)
			assert.Equal(t, 0, full.Retries, "an explicit 0 is kept, not defaulted")
			assert.Equal(t, 5, full.RetryDelaySeconds)
			assert.False(t, full.IsActive)
			assert.Nil(t, full.NextCheckAt, "a paused target has no next check")
			assert.Equal(t, []string{"billing", "prod"}, full.Tags, "trimmed, sorted, unique")
		})

		t.Run("timeout defaults below a short interval", func(t *testing.T) {
			tb := e.createTarget(t, map[string]any{"url": "https://short.example.com/", "interval_seconds": 30})
			assert.Equal(t, 10, tb.TimeoutSeconds)
			require.Equal(t, http.StatusNoContent, e.send(t, request{Method: http.MethodDelete, Path: targetPath(tb.ID)}).Status)
		})

		t.Run("patch one field leaves the others", func(t *testing.T) {
			res := e.send(t, request{Method: http.MethodPatch, Path: targetPath(full.ID), Body: `{"name":"Billing"}`})
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			var got targetBody
			res.JSON(t, &got)
			assert.Equal(t, "Billing", got.Name)
			want := full
			want.Name, want.UpdatedAt = got.Name, got.UpdatedAt
			// The 201 answer carries the server's clock to the nanosecond; PostgreSQL
			// keeps microseconds, so later reads of the same row are rounded.
			assert.WithinDuration(t, want.CreatedAt, got.CreatedAt, time.Microsecond)
			want.CreatedAt = got.CreatedAt
			assert.Equal(t, want, got)
			assert.False(t, got.UpdatedAt.Before(full.UpdatedAt.Truncate(time.Millisecond)))
		})

		t.Run("patch resumes and pauses", func(t *testing.T) {
			res := e.send(t, request{Method: http.MethodPatch, Path: targetPath(full.ID), Body: `{"is_active":true}`})
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			var got targetBody
			res.JSON(t, &got)
			assert.True(t, got.IsActive)
			assert.NotNil(t, got.NextCheckAt, "a resumed target is scheduled")

			res = e.send(t, request{Method: http.MethodPatch, Path: targetPath(full.ID), Body: `{"is_active":false}`})
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			res.JSON(t, &got)
			assert.False(t, got.IsActive)
			assert.Nil(t, got.NextCheckAt, "a paused target has no next check")
			assert.Contains(t, string(res.Body), `"next_check_at":null`)
			assert.Equal(t, "Billing", got.Name, "pausing changes nothing else")
			assert.Equal(t, 60, got.IntervalSeconds)
		})

		t.Run("patch empties tags and headers to [] and {}", func(t *testing.T) {
			res := e.send(t, request{Method: http.MethodPatch, Path: targetPath(full.ID), Body: `{"tags":[],"headers":{}}`})
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			assert.Contains(t, string(res.Body), `"tags":[]`)
			assert.Contains(t, string(res.Body), `"headers":{}`)
			res = e.get(t, targetPath(full.ID))
			assert.Contains(t, string(res.Body), `"tags":[]`)
			assert.Contains(t, string(res.Body), `"headers":{}`)
		})

		t.Run("delete, then it is gone", func(t *testing.T) {
			res := e.send(t, request{Method: http.MethodDelete, Path: targetPath(created.ID)})
			assert.Equal(t, http.StatusNoContent, res.Status)
			assert.Empty(t, res.Body)
			res = e.get(t, targetPath(created.ID))
			assert.Equal(t, http.StatusNotFound, res.Status)
			assert.Equal(t, "urn:watchdog:problem:not-found", res.Problem(t).Type)
			res = e.send(t, request{Method: http.MethodDelete, Path: targetPath(created.ID)})
			assert.Equal(t, http.StatusNotFound, res.Status)
		})

		t.Run("unknown and malformed ids", func(t *testing.T) {
			var scenarios []apiScenario
			for _, op := range []struct{ method, suffix, body string }{
				{http.MethodGet, "", ""},
				{http.MethodPatch, "", `{"name":"x"}`},
				{http.MethodDelete, "", ""},
				{http.MethodPost, "/check", ""},
				{http.MethodGet, "/checks", ""},
				{http.MethodGet, "/stats", ""},
			} {
				scenarios = append(scenarios,
					apiScenario{
						Name: op.method + " unknown id" + op.suffix, Method: op.method, URL: "/api/v1/targets/987654" + op.suffix,
						Body: op.body, ExpectedStatus: http.StatusNotFound, ExpectedContent: []string{`"urn:watchdog:problem:not-found"`},
					},
					apiScenario{
						Name: op.method + " non-numeric id" + op.suffix, Method: op.method, URL: "/api/v1/targets/abc" + op.suffix,
						Body: op.body, InvalidRequest: true, ExpectedStatus: http.StatusBadRequest, ExpectedFields: []string{"id"},
					},
					apiScenario{
						Name: op.method + " zero id" + op.suffix, Method: op.method, URL: "/api/v1/targets/0" + op.suffix,
						Body: op.body, InvalidRequest: true, ExpectedStatus: http.StatusBadRequest, ExpectedFields: []string{"id"},
					},
				)
			}
			runScenarios(t, e, scenarios)
		})
	})
}

func TestListTargetsPagesAndFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		// Listed by name: alpha, beta, delta, gamma, omega.
		ids := map[string]int64{}
		for _, tb := range []map[string]any{
			{"name": "alpha", "url": "https://alpha.example.com/", "tags": []string{"prod", "eu"}},
			{"name": "beta", "url": "https://beta.example.com/status", "tags": []string{"prod"}},
			{"name": "gamma", "url": "https://gamma.example.org/", "tags": []string{"staging"}},
			{"name": "delta", "url": "https://api.example.net/delta_x", "is_active": false},
			{"name": "Omega", "url": "https://omega.example.com/", "is_active": false, "tags": []string{"prod"}},
		} {
			ids[tb["name"].(string)] = e.createTarget(t, tb).ID
		}
		names := func(l targetList) []string {
			out := make([]string, len(l.Items))
			for i, it := range l.Items {
				out[i] = it.Name
			}
			return out
		}

		scenarios := []struct {
			Name  string
			Query string
			Want  []string
			Total int
		}{
			{"first page", "?limit=2", []string{"alpha", "beta"}, 5},
			{"second page", "?limit=2&offset=2", []string{"delta", "gamma"}, 5},
			{"last page", "?limit=2&offset=4", []string{"Omega"}, 5},
			{"past the end", "?limit=2&offset=10", []string{}, 5},
			{"q matches the name, any case", "?q=ALPH", []string{"alpha"}, 1},
			{"q matches the URL", "?q=example.org", []string{"gamma"}, 1},
			{"q treats _ literally", "?q=_", []string{"delta"}, 1},
			{"q treats % literally", "?q=" + url.QueryEscape("%"), []string{}, 0},
			{"q matching nothing", "?q=nothing-like-this", []string{}, 0},
			{"status paused", "?status=paused", []string{"delta", "Omega"}, 2},
			{"status active", "?status=active", []string{"alpha", "beta", "gamma"}, 3},
			{"status unknown counts only active targets", "?status=unknown", []string{"alpha", "beta", "gamma"}, 3},
			{"status up (none checked yet)", "?status=up", []string{}, 0},
			{"status down (none checked yet)", "?status=down", []string{}, 0},
			{"tag", "?tag=prod", []string{"alpha", "beta", "Omega"}, 3},
			{"tag and status", "?tag=prod&status=active", []string{"alpha", "beta"}, 2},
			{"tag and q and limit", "?tag=prod&q=a&limit=1&offset=1", []string{"beta"}, 3},
			{"unknown tag", "?tag=nope", []string{}, 0},
		}
		for _, sc := range scenarios {
			t.Run(sc.Name, func(t *testing.T) {
				res := e.get(t, "/api/v1/targets"+sc.Query)
				require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
				var l targetList
				res.JSON(t, &l)
				assert.Equal(t, sc.Want, names(l))
				assert.Equal(t, sc.Total, l.Total)
				q, _ := url.ParseQuery(sc.Query[1:])
				if q.Get("limit") != "" {
					assert.Equal(t, q.Get("limit"), fmt.Sprint(l.Limit))
				} else {
					assert.Equal(t, 50, l.Limit)
				}
				if q.Get("offset") != "" {
					assert.Equal(t, q.Get("offset"), fmt.Sprint(l.Offset))
				} else {
					assert.Equal(t, 0, l.Offset)
				}
				if len(sc.Want) == 0 {
					assert.Contains(t, string(res.Body), `"items":[]`, "an empty page is [], never null")
				}
				for _, it := range l.Items {
					assert.NotNil(t, it.Tags)
					assert.NotNil(t, it.Headers)
				}
			})
		}
		t.Run("items carry their tags", func(t *testing.T) {
			l := e.listTargets(t, "?q=alpha")
			require.Len(t, l.Items, 1)
			assert.Equal(t, []string{"eu", "prod"}, l.Items[0].Tags)
			assert.Equal(t, ids["alpha"], l.Items[0].ID)
		})
	})
}
