package httpapi_test

// Access: the role × endpoint matrix, generated from the route table, and the
// behaviour of users, sessions and API keys around it.

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/account"
	"github.com/watchdog-monitor/watchdog/backend/internal/httpapi"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

// trustLoopback believes X-Forwarded-For from 127.0.0.1, so a test can log in many
// times "from" different addresses without meeting the per-address login limit.
func trustLoopback(d *httpapi.Deps) {
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	d.TrustedProxies = []*net.IPNet{loopback}
}

var clientIPs atomic.Int64

// loginAs logs in from an address of its own (see trustLoopback).
func (e *env) loginAs(t testing.TB, username, password string) tokenPair {
	t.Helper()
	n := clientIPs.Add(1)
	res := e.send(t, request{Method: http.MethodPost, Path: "/api/v1/auth/login", NoAuth: true,
		Headers: map[string]string{"X-Forwarded-For": fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255)},
		Body:    mustJSON(t, map[string]string{"username": username, "password": password})})
	require.Equal(t, http.StatusOK, res.Status, "login %s: %s", username, res.Body)
	var p tokenPair
	res.JSON(t, &p)
	return p
}

// addUser stores a user with a role straight through the store, so the matrix does
// not depend on the routes it tests.
func (e *env) addUser(t testing.TB, role account.Role) account.User {
	t.Helper()
	hash, err := e.Auth.HashPassword(adminPass)
	require.NoError(t, err)
	u, err := e.Store.CreateUser(context.Background(), account.User{
		Username: fmt.Sprintf("%s-%d", role, clientIPs.Add(1)), PasswordHash: hash, Role: role})
	require.NoError(t, err)
	return u
}

// addKey stores an API key of role for user u and returns the key.
func (e *env) addKey(t testing.TB, u account.User, role account.Role, expires *time.Time) (string, account.APIKey) {
	t.Helper()
	key, prefix, hash := account.NewKey()
	k, err := e.Store.CreateAPIKey(context.Background(), account.APIKey{UserID: u.ID, Username: u.Username,
		Name: fmt.Sprintf("key-%d", clientIPs.Add(1)), Role: role, Prefix: prefix, Hash: hash, ExpiresAt: expires})
	require.NoError(t, err)
	return key, k
}

// credential is one way of calling the API in the matrix.
type credential struct {
	name string
	role account.Role // "" for none
	key  bool
	// token is sent as the bearer; user is who it acts for.
	token string
	user  account.User
}

// matrixFixture builds a valid request for a route, fresh for each call, acting as
// cred. A route that spends its caller's session (a password change) makes a
// throwaway user of the same kind and returns its token in request.Token.
type matrixFixture func(t *testing.T, e *env, cred credential) request

func TestRoleMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		targets := newTargetServer(t)
		hooks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
		t.Cleanup(hooks.Close)
		e := newEnv(t, s, withNotify, trustLoopback, func(d *httpapi.Deps) { d.Notify.CheckURL = nil })
		ctx := context.Background()

		admin, err := s.UserByName(ctx, adminUser)
		require.NoError(t, err)
		creds := []credential{{name: "no credential"}}
		for _, role := range account.Roles {
			u := e.addUser(t, role)
			creds = append(creds, credential{name: string(role), role: role, token: e.loginAs(t, u.Username, adminPass).AccessToken, user: u})
		}
		for _, role := range account.Roles {
			key, _ := e.addKey(t, admin, role, nil)
			creds = append(creds, credential{name: string(role) + " API key", role: role, key: true, token: key, user: admin})
		}

		// Objects the read routes look at; write routes make their own.
		newTarget := func(t *testing.T) int64 {
			return e.createTarget(t, map[string]any{"name": fmt.Sprintf("t-%d", clientIPs.Add(1)), "url": targets + "/ok"}).ID
		}
		newChannel := func(t *testing.T) int64 {
			res := e.send(t, request{Method: http.MethodPost, Path: "/api/v1/channels", Body: mustJSON(t, map[string]any{
				"name": fmt.Sprintf("c-%d", clientIPs.Add(1)), "type": "webhook", "config": map[string]any{"url": hooks.URL + "/hook"}})})
			require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
			return int64(res.Map(t)["id"].(float64))
		}
		newPage := func(t *testing.T, targetIDs ...int64) (int64, string) {
			slug := fmt.Sprintf("page-%d", clientIPs.Add(1))
			if targetIDs == nil {
				targetIDs = []int64{}
			}
			res := e.send(t, request{Method: http.MethodPost, Path: "/api/v1/status-pages",
				Body: mustJSON(t, map[string]any{"slug": slug, "title": "Status", "target_ids": targetIDs})})
			require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
			return int64(res.Map(t)["id"].(float64)), slug
		}
		shown := newTarget(t)
		pageID, slug := newPage(t, shown)
		channel := newChannel(t)

		// throwaway is a fresh user of cred's role logged in, for routes that spend
		// the caller's session; a key stays a key (those routes refuse keys anyway).
		throwaway := func(t *testing.T, cred credential) (account.User, string) {
			if cred.key || cred.role == "" {
				return cred.user, cred.token
			}
			u := e.addUser(t, cred.role)
			return u, e.loginAs(t, u.Username, adminPass).AccessToken
		}
		get := func(path string) matrixFixture {
			return func(*testing.T, *env, credential) request { return request{Method: http.MethodGet, Path: path} }
		}
		fixtures := map[string]matrixFixture{
			"POST /auth/login": func(t *testing.T, e *env, _ credential) request {
				u := e.addUser(t, account.RoleViewer)
				return request{Method: http.MethodPost, Path: "/api/v1/auth/login",
					Body: mustJSON(t, map[string]string{"username": u.Username, "password": adminPass})}
			},
			"POST /auth/refresh": func(t *testing.T, e *env, _ credential) request {
				u := e.addUser(t, account.RoleViewer)
				return request{Method: http.MethodPost, Path: "/api/v1/auth/refresh",
					Body: mustJSON(t, map[string]string{"refresh_token": e.loginAs(t, u.Username, adminPass).RefreshToken})}
			},
			"POST /auth/logout": func(t *testing.T, _ *env, _ credential) request {
				return request{Method: http.MethodPost, Path: "/api/v1/auth/logout", Body: `{"refresh_token":"not-a-token"}`}
			},
			"GET /auth/me": get("/api/v1/auth/me"),
			"POST /auth/password": func(t *testing.T, e *env, cred credential) request {
				_, token := throwaway(t, cred)
				return request{Method: http.MethodPost, Path: "/api/v1/auth/password", Token: token,
					Body: mustJSON(t, map[string]string{"current_password": adminPass, "new_password": "another long password"})}
			},
			"POST /auth/totp/setup": func(t *testing.T, e *env, cred credential) request {
				_, token := throwaway(t, cred)
				return request{Method: http.MethodPost, Path: "/api/v1/auth/totp/setup", Token: token}
			},
			"POST /auth/totp/enable": func(t *testing.T, e *env, cred credential) request {
				u, token := throwaway(t, cred)
				code := "000000"
				if !cred.key && cred.role != "" {
					secret, _, err := account.NewTOTP(u.Username)
					require.NoError(t, err)
					require.NoError(t, e.Store.SetTOTPSecret(context.Background(), u.ID, secret))
					code, err = totp.GenerateCode(secret, time.Now())
					require.NoError(t, err)
				}
				return request{Method: http.MethodPost, Path: "/api/v1/auth/totp/enable", Token: token, Body: mustJSON(t, map[string]string{"code": code})}
			},
			"POST /auth/totp/disable": func(t *testing.T, e *env, cred credential) request {
				_, token := throwaway(t, cred)
				return request{Method: http.MethodPost, Path: "/api/v1/auth/totp/disable", Token: token, Body: mustJSON(t, map[string]string{"password": adminPass})}
			},

			"GET /users": get("/api/v1/users"),
			"POST /users": func(t *testing.T, _ *env, _ credential) request {
				return request{Method: http.MethodPost, Path: "/api/v1/users", Body: mustJSON(t, map[string]string{
					"username": fmt.Sprintf("invited-%d", clientIPs.Add(1)), "password": adminPass, "role": "viewer"})}
			},
			"PATCH /users/:id": func(t *testing.T, e *env, _ credential) request {
				return request{Method: http.MethodPatch, Path: fmt.Sprintf("/api/v1/users/%d", e.addUser(t, account.RoleViewer).ID), Body: `{"role":"editor"}`}
			},
			"DELETE /users/:id": func(t *testing.T, e *env, _ credential) request {
				return request{Method: http.MethodDelete, Path: fmt.Sprintf("/api/v1/users/%d", e.addUser(t, account.RoleViewer).ID)}
			},

			"GET /api-keys": get("/api/v1/api-keys"),
			"POST /api-keys": func(t *testing.T, _ *env, _ credential) request {
				return request{Method: http.MethodPost, Path: "/api/v1/api-keys", Body: `{"name":"script","role":"viewer"}`}
			},
			"DELETE /api-keys/:id": func(t *testing.T, e *env, cred credential) request {
				owner := cred.user
				if cred.role == "" {
					owner = admin
				}
				_, k := e.addKey(t, owner, account.RoleViewer, nil)
				return request{Method: http.MethodDelete, Path: fmt.Sprintf("/api/v1/api-keys/%d", k.ID)}
			},

			"GET /targets": get("/api/v1/targets"),
			"POST /targets": func(t *testing.T, _ *env, _ credential) request {
				return request{Method: http.MethodPost, Path: "/api/v1/targets",
					Body: mustJSON(t, map[string]any{"name": fmt.Sprintf("new-%d", clientIPs.Add(1)), "url": targets + "/ok"})}
			},
			"GET /targets/:id": get(targetPath(shown)),
			"PATCH /targets/:id": func(t *testing.T, _ *env, _ credential) request {
				return request{Method: http.MethodPatch, Path: targetPath(shown), Body: `{"interval_seconds":600}`}
			},
			"DELETE /targets/:id": func(t *testing.T, _ *env, _ credential) request {
				return request{Method: http.MethodDelete, Path: targetPath(newTarget(t))}
			},
			"POST /targets/:id/check": func(*testing.T, *env, credential) request {
				return request{Method: http.MethodPost, Path: targetPath(shown, "/check")}
			},
			"GET /targets/:id/checks":    get(targetPath(shown, "/checks")),
			"GET /targets/:id/stats":     get(targetPath(shown, "/stats")),
			"GET /targets/:id/incidents": get(targetPath(shown, "/incidents")),
			"POST /targets/:id/ping-token": func(t *testing.T, e *env, _ credential) request {
				return request{Method: http.MethodPost, Path: targetPath(addHeartbeat(t, e.Store).ID, "/ping-token")}
			},
			"GET /channels":     get("/api/v1/channels"),
			"GET /channels/:id": get(fmt.Sprintf("/api/v1/channels/%d", channel)),
			"POST /channels/:id/test": func(*testing.T, *env, credential) request {
				return request{Method: http.MethodPost, Path: fmt.Sprintf("/api/v1/channels/%d/test", channel)}
			},
			"GET /incidents":                    get("/api/v1/incidents"),
			"GET /platforms":                    get("/api/v1/platforms"),
			"GET /budgets":                      get("/api/v1/budgets"),
			"GET /heartbeats":                   get(fmt.Sprintf("/api/v1/heartbeats?ids=%d", shown)),
			"GET /stats":                        get("/api/v1/stats"),
			"GET /status-pages":                 get("/api/v1/status-pages"),
			"GET /status-pages/:id":             get(fmt.Sprintf("/api/v1/status-pages/%d", pageID)),
			"GET /public/status-pages/:slug":    get("/api/v1/public/status-pages/" + slug),
			"GET /public/badges/:id/status.svg": get(fmt.Sprintf("/api/v1/public/badges/%d/status.svg", shown)),
			"GET /public/badges/:id/:file":      get(fmt.Sprintf("/api/v1/public/badges/%d/uptime-24h.svg", shown)),
			"GET /audit":                        get("/api/v1/audit"),
			"GET /config/export":                get("/api/v1/config/export"),
			"POST /config/apply": func(t *testing.T, _ *env, _ credential) request {
				return request{Method: http.MethodPost, Path: "/api/v1/config/apply?dry_run=true", ContentType: "application/yaml",
					Body: "version: 1\ntargets:\n  - name: from-config\n    url: https://example.com/\n"}
			},
			"POST /channels": func(t *testing.T, _ *env, _ credential) request {
				return request{Method: http.MethodPost, Path: "/api/v1/channels", Body: mustJSON(t, map[string]any{
					"name": fmt.Sprintf("c-%d", clientIPs.Add(1)), "type": "webhook", "config": map[string]any{"url": hooks.URL + "/hook"}})}
			},
			"PATCH /channels/:id": func(t *testing.T, _ *env, _ credential) request {
				return request{Method: http.MethodPatch, Path: fmt.Sprintf("/api/v1/channels/%d", channel), Body: `{"is_default":false}`}
			},
			"DELETE /channels/:id": func(t *testing.T, _ *env, _ credential) request {
				return request{Method: http.MethodDelete, Path: fmt.Sprintf("/api/v1/channels/%d", newChannel(t))}
			},
			"POST /status-pages": func(t *testing.T, _ *env, _ credential) request {
				return request{Method: http.MethodPost, Path: "/api/v1/status-pages",
					Body: mustJSON(t, map[string]any{"slug": fmt.Sprintf("p-%d", clientIPs.Add(1)), "title": "Ours"})}
			},
			"PATCH /status-pages/:id": func(t *testing.T, _ *env, _ credential) request {
				return request{Method: http.MethodPatch, Path: fmt.Sprintf("/api/v1/status-pages/%d", pageID), Body: `{"description":"changed"}`}
			},
			"DELETE /status-pages/:id": func(t *testing.T, _ *env, _ credential) request {
				id, _ := newPage(t)
				return request{Method: http.MethodDelete, Path: fmt.Sprintf("/api/v1/status-pages/%d", id)}
			},
		}

		// A ping of a fresh heartbeat for each call, so the per-token limit stays out
		// of the matrix.
		for _, suffix := range []string{"", "/start", "/fail", "/:exit_code"} {
			for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPost} {
				fixtures[method+" /ping/:token"+suffix] = func(t *testing.T, e *env, _ credential) request {
					path := "/api/v1/ping/" + addHeartbeat(t, e.Store).PingToken + strings.Replace(suffix, ":exit_code", "0", 1)
					return request{Method: method, Path: path}
				}
			}
		}
		for _, r := range httpapi.Routes() {
			fixture, ok := fixtures[r.Method+" "+r.Path]
			if !assert.True(t, ok, "the matrix has no fixture for %s %s: add one", r.Method, r.Path) {
				continue
			}
			for _, cred := range creds {
				want := "2xx"
				switch {
				case r.Public:
				case cred.role == "":
					want = "401"
				case cred.key && r.Session, !cred.role.AtLeast(r.Least):
					want = "403"
				}
				t.Run(fmt.Sprintf("%s %s as %s", r.Method, r.Path, cred.name), func(t *testing.T) {
					req := fixture(t, e, cred)
					if req.Token == "" {
						req.Token = cred.token
					}
					req.NoAuth = req.Token == ""
					res := e.send(t, req)
					switch want {
					case "2xx":
						assert.True(t, res.Status >= 200 && res.Status < 300, "want 2xx, got %d: %s", res.Status, clip(res.Body))
					case "401":
						assert.Equal(t, http.StatusUnauthorized, res.Status, "%s", clip(res.Body))
					case "403":
						assert.Equal(t, http.StatusForbidden, res.Status, "%s", clip(res.Body))
						assert.True(t, strings.HasSuffix(res.Problem(t).Type, ":forbidden"))
					}
				})
			}
		}
	})
}

func TestAPIKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, trustLoopback)
		ctx := context.Background()
		editor := e.addUser(t, account.RoleEditor)
		editorToken := e.loginAs(t, editor.Username, adminPass).AccessToken

		// Shown once: the create answer has it, the list never does.
		res := e.send(t, request{Method: http.MethodPost, Path: "/api/v1/api-keys", Token: editorToken,
			Body: `{"name":"deploy-script","role":"editor"}`})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		created := res.Map(t)
		key := created["key"].(string)
		assert.True(t, strings.HasPrefix(key, "wd_"), key)
		assert.GreaterOrEqual(t, len(key), 40, "high entropy")
		assert.True(t, strings.HasPrefix(key, created["prefix"].(string)))
		list := e.send(t, request{Method: http.MethodGet, Path: "/api/v1/api-keys", Token: editorToken})
		require.Equal(t, http.StatusOK, list.Status)
		assert.NotContains(t, string(list.Body), key)
		assert.Contains(t, string(list.Body), `"deploy-script"`)

		// The database holds a hash, not the key: read every stored value and look.
		rows := storetest.RawRows(t, s, "api_keys")
		require.Len(t, rows, 1)
		for col, v := range rows[0] {
			assert.NotContains(t, v, key[len("wd_"):], "column %s holds the key", col)
		}
		assert.Equal(t, account.HashKey(key), rows[0]["key_hash"])

		// It works from curl or an SDK, as the editor, with last_used_at batched.
		res = e.send(t, request{Method: http.MethodPost, Path: "/api/v1/targets", Token: key,
			Body: `{"name":"from-a-script","url":"https://example.com/"}`})
		assert.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		keys, err := s.ListAPIKeys(ctx, editor.ID)
		require.NoError(t, err)
		assert.Nil(t, keys[0].LastUsedAt, "not written on the request itself")
		require.NoError(t, e.Auth.Usage.Flush(ctx))
		keys, err = s.ListAPIKeys(ctx, editor.ID)
		require.NoError(t, err)
		require.NotNil(t, keys[0].LastUsedAt, "written by the batch")
		assert.WithinDuration(t, time.Now(), *keys[0].LastUsedAt, time.Minute)

		// A key cannot outrank its creator, nor make keys.
		res = e.send(t, request{Method: http.MethodPost, Path: "/api/v1/api-keys", Token: editorToken,
			Body: `{"name":"too-strong","role":"admin"}`})
		assert.Equal(t, http.StatusUnprocessableEntity, res.Status)
		assert.Contains(t, res.Problem(t).Fields(), "role")
		res = e.send(t, request{Method: http.MethodPost, Path: "/api/v1/api-keys", Token: key, Body: `{"name":"k2","role":"viewer"}`})
		assert.Equal(t, http.StatusForbidden, res.Status)
		// Past expiry is refused at create.
		res = e.send(t, request{Method: http.MethodPost, Path: "/api/v1/api-keys", Token: editorToken,
			Body: mustJSON(t, map[string]any{"name": "old", "role": "viewer", "expires_at": time.Now().Add(-time.Hour)})})
		assert.Equal(t, http.StatusUnprocessableEntity, res.Status)
		assert.Contains(t, res.Problem(t).Fields(), "expires_at")

		// A viewer key reads but cannot create.
		viewerKey, _ := e.addKey(t, editor, account.RoleViewer, nil)
		assert.Equal(t, http.StatusOK, e.send(t, request{Method: http.MethodGet, Path: "/api/v1/targets", Token: viewerKey}).Status)
		me := e.send(t, request{Method: http.MethodGet, Path: "/api/v1/auth/me", Token: viewerKey})
		assert.Contains(t, string(me.Body), `"role":"viewer"`, "/auth/me tells a script the role its key acts with")
		res = e.send(t, request{Method: http.MethodPost, Path: "/api/v1/targets", Token: viewerKey, Body: `{"name":"no","url":"https://example.com/"}`})
		assert.Equal(t, http.StatusForbidden, res.Status)

		// A key acts with at most its creator's current role: demote the editor and
		// their editor key can no longer write.
		_, err = s.UpdateUser(ctx, editor.ID, store.UserChange{Role: ptr(account.RoleViewer)})
		require.NoError(t, err)
		res = e.send(t, request{Method: http.MethodPost, Path: "/api/v1/targets", Token: key, Body: `{"name":"demoted","url":"https://example.com/"}`})
		assert.Equal(t, http.StatusForbidden, res.Status)

		// Expired and deleted keys are 401.
		past := time.Now().Add(-time.Second)
		expired, _ := e.addKey(t, editor, account.RoleViewer, &past)
		assert.Equal(t, http.StatusUnauthorized, e.send(t, request{Method: http.MethodGet, Path: "/api/v1/targets", Token: expired}).Status)
		res = e.send(t, request{Method: http.MethodDelete, Path: fmt.Sprintf("/api/v1/api-keys/%d", int64(created["id"].(float64))), Token: editorToken})
		assert.Equal(t, http.StatusNoContent, res.Status)
		assert.Equal(t, http.StatusUnauthorized, e.send(t, request{Method: http.MethodGet, Path: "/api/v1/targets", Token: key}).Status)
		// Someone else's key is not yours to delete.
		_, adminKey := e.addKey(t, account.User{ID: 1, Username: adminUser}, account.RoleViewer, nil)
		res = e.send(t, request{Method: http.MethodDelete, Path: fmt.Sprintf("/api/v1/api-keys/%d", adminKey.ID), Token: editorToken})
		assert.Equal(t, http.StatusNotFound, res.Status)
		// A made-up key in the right shape is 401, like any bad credential.
		fake, _, _ := account.NewKey()
		assert.Equal(t, http.StatusUnauthorized, e.send(t, request{Method: http.MethodGet, Path: "/api/v1/targets", Token: fake}).Status)
	})
}

func ptr[T any](v T) *T { return &v }

func TestSessionsEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, trustLoopback)
		u := e.addUser(t, account.RoleEditor)
		first := e.loginAs(t, u.Username, adminPass)
		second := e.loginAs(t, u.Username, adminPass)
		me := func(token string) int {
			return e.send(t, request{Method: http.MethodGet, Path: "/api/v1/auth/me", Token: token}).Status
		}
		refresh := func(token string) int {
			return e.send(t, request{Method: http.MethodPost, Path: "/api/v1/auth/refresh", NoAuth: true,
				Body: mustJSON(t, map[string]string{"refresh_token": token})}).Status
		}
		require.Equal(t, http.StatusOK, me(first.AccessToken))
		oldKey, _ := e.addKey(t, u, account.RoleViewer, nil)
		require.Equal(t, http.StatusOK, me(oldKey))

		// A wrong current password changes nothing.
		res := e.send(t, request{Method: http.MethodPost, Path: "/api/v1/auth/password", Token: first.AccessToken,
			Body: `{"current_password":"not it at all","new_password":"a new long password"}`})
		assert.Equal(t, http.StatusUnprocessableEntity, res.Status)
		assert.Contains(t, res.Problem(t).Fields(), "current_password")
		assert.Equal(t, http.StatusOK, me(first.AccessToken))

		res = e.send(t, request{Method: http.MethodPost, Path: "/api/v1/auth/password", Token: first.AccessToken,
			Body: `{"current_password":"` + adminPass + `","new_password":"a new long password"}`})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var fresh tokenPair
		res.JSON(t, &fresh)
		// Every earlier token, the caller's included, is dead at once.
		assert.Equal(t, http.StatusUnauthorized, me(first.AccessToken))
		assert.Equal(t, http.StatusUnauthorized, me(second.AccessToken))
		assert.Equal(t, http.StatusUnauthorized, refresh(first.RefreshToken))
		assert.Equal(t, http.StatusUnauthorized, refresh(second.RefreshToken))
		assert.Equal(t, http.StatusOK, me(fresh.AccessToken))
		assert.Equal(t, http.StatusUnauthorized, me(oldKey), "keys minted before are deleted too")
		e.loginAs(t, u.Username, "a new long password")

		// Your own password is not reset through the users API, which asks for no
		// current password: a stolen admin session must not take the account over.
		admin, err := s.UserByName(context.Background(), adminUser)
		require.NoError(t, err)
		res = e.send(t, request{Method: http.MethodPatch, Path: fmt.Sprintf("/api/v1/users/%d", admin.ID), Body: `{"password":"taken over now"}`})
		assert.Equal(t, http.StatusUnprocessableEntity, res.Status)
		assert.Contains(t, res.Problem(t).Fields(), "password")

		// An admin's reset of the password does the same.
		res = e.send(t, request{Method: http.MethodPatch, Path: fmt.Sprintf("/api/v1/users/%d", u.ID), Body: `{"password":"reset by the admin"}`})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		assert.Equal(t, http.StatusUnauthorized, me(fresh.AccessToken))
		assert.Equal(t, http.StatusUnauthorized, refresh(fresh.RefreshToken))

		// Deleting a user ends their access and refresh tokens and their keys.
		again := e.loginAs(t, u.Username, "reset by the admin")
		key, _ := e.addKey(t, u, account.RoleViewer, nil)
		require.Equal(t, http.StatusOK, me(key))
		res = e.send(t, request{Method: http.MethodDelete, Path: fmt.Sprintf("/api/v1/users/%d", u.ID)})
		require.Equal(t, http.StatusNoContent, res.Status)
		assert.Equal(t, http.StatusUnauthorized, me(again.AccessToken))
		assert.Equal(t, http.StatusUnauthorized, refresh(again.RefreshToken))
		assert.Equal(t, http.StatusUnauthorized, me(key))
	})
}

func TestLastAdmin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		admin, err := s.UserByName(context.Background(), adminUser)
		require.NoError(t, err)
		path := fmt.Sprintf("/api/v1/users/%d", admin.ID)
		runScenarios(t, e, []apiScenario{
			{Name: "demote the last admin", Method: http.MethodPatch, URL: path, Body: `{"role":"editor"}`,
				ExpectedStatus: http.StatusConflict, ExpectedContent: []string{"last-admin"}},
			{Name: "delete the last admin", Method: http.MethodDelete, URL: path,
				ExpectedStatus: http.StatusConflict, ExpectedContent: []string{"last-admin"}},
			{Name: "a second admin", Method: http.MethodPost, URL: "/api/v1/users",
				Body: `{"username":"root2","password":"` + adminPass + `","role":"admin"}`, ExpectedStatus: http.StatusCreated},
			{Name: "a taken username", Method: http.MethodPost, URL: "/api/v1/users",
				Body: `{"username":"root2","password":"` + adminPass + `","role":"viewer"}`, ExpectedStatus: http.StatusConflict, ExpectedFields: []string{"username"}},
			{Name: "bad fields", Method: http.MethodPost, URL: "/api/v1/users",
				Body: `{"username":"has space","password":"short","role":"owner"}`, InvalidRequest: true,
				ExpectedStatus: http.StatusUnprocessableEntity, ExpectedFields: []string{"username", "password", "role"}},
			{Name: "now the first may step down", Method: http.MethodPatch, URL: path, Body: `{"role":"editor"}`,
				ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"role":"editor"`}},
			{Name: "the new role applies to the next request", Method: http.MethodGet, URL: "/api/v1/users",
				ExpectedStatus: http.StatusForbidden},
		})
		users, err := s.ListUsers(context.Background())
		require.NoError(t, err)
		admins := 0
		for _, u := range users {
			if u.Role == account.RoleAdmin {
				admins++
			}
		}
		assert.Equal(t, 1, admins, "root2 is the one admin left")
	})
}
