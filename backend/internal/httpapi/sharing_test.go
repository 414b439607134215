package httpapi_test

// Two-factor login, public status pages and badges, and the audit log.

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/account"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

func TestTwoFactorLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, trustLoopback)
		// The server's clock is the test's: codes are checked against it.
		now := time.Date(2026, 11, 25, 9, 0, 10, 0, time.UTC)
		e.Auth.SetClock(func() time.Time { return now })
		u := e.addUser(t, account.RoleEditor)
		token := e.loginAs(t, u.Username, adminPass).AccessToken

		res := e.send(t, request{Method: http.MethodPost, Path: "/api/v1/auth/totp/setup", Token: token})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		setup := res.Map(t)
		secret := setup["secret"].(string)
		assert.True(t, strings.HasPrefix(setup["otpauth_url"].(string), "otpauth://totp/WatchDog:"+u.Username+"?"), setup["otpauth_url"])
		assert.Contains(t, setup["otpauth_url"], "secret="+secret)
		code := func(at time.Time) string {
			c, err := totp.GenerateCode(secret, at)
			require.NoError(t, err)
			return c
		}
		login := func(otp string) *response {
			body := map[string]string{"username": u.Username, "password": adminPass}
			if otp != "" {
				body["otp"] = otp
			}
			return e.send(t, request{Method: http.MethodPost, Path: "/api/v1/auth/login", NoAuth: true, Body: mustJSON(t, body),
				Headers: map[string]string{"X-Forwarded-For": fmt.Sprintf("10.200.0.%d", clientIPs.Add(1)%250)}})
		}
		// Until enabled, login is unchanged.
		assert.Equal(t, http.StatusOK, login("").Status)

		res = e.send(t, request{Method: http.MethodPost, Path: "/api/v1/auth/totp/enable", Token: token, Body: `{"code":"000000"}`})
		assert.Equal(t, http.StatusUnprocessableEntity, res.Status, "a wrong code does not enable it")
		res = e.send(t, request{Method: http.MethodPost, Path: "/api/v1/auth/totp/enable", Token: token,
			Body: mustJSON(t, map[string]string{"code": code(now)})})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		// Enabling checks the secret the code was made from: a second setup in another
		// tab replacing it meanwhile enables nothing.
		assert.ErrorIs(t, s.EnableTOTP(context.Background(), u.ID, "ANOTHERSECRET", 1, nil), account.ErrTOTPEnabled)
		var rc struct {
			RecoveryCodes []string `json:"recovery_codes"`
		}
		res.JSON(t, &rc)
		require.Len(t, rc.RecoveryCodes, 10)
		me := e.send(t, request{Method: http.MethodGet, Path: "/api/v1/auth/me", Token: token})
		assert.Contains(t, string(me.Body), `"totp_enabled":true`)

		// Without a code: 401 otp-required. The code that enabled it is spent.
		res = login("")
		assert.Equal(t, http.StatusUnauthorized, res.Status)
		assert.True(t, strings.HasSuffix(res.Problem(t).Type, "otp-required"), res.Problem(t).Type)
		res = login(code(now))
		assert.Equal(t, http.StatusUnauthorized, res.Status, "a code used once is refused")
		assert.True(t, strings.HasSuffix(res.Problem(t).Type, "invalid-otp"))

		// The next step's code works once; a wrong one never.
		now = now.Add(30 * time.Second)
		assert.Equal(t, http.StatusUnauthorized, login("123456").Status)
		assert.Equal(t, http.StatusOK, login(code(now)).Status)
		assert.Equal(t, http.StatusUnauthorized, login(code(now)).Status, "reused")

		// One step of skew either way: the phone's clock 30 s ahead or behind.
		now = now.Add(2 * time.Minute)
		assert.Equal(t, http.StatusOK, login(code(now.Add(30*time.Second))).Status, "phone one step ahead")
		now = now.Add(2 * time.Minute)
		assert.Equal(t, http.StatusOK, login(code(now.Add(-30*time.Second))).Status, "phone one step behind")
		now = now.Add(2 * time.Minute)
		assert.Equal(t, http.StatusUnauthorized, login(code(now.Add(-90*time.Second))).Status, "three steps off")
		// An older step than the last accepted is refused even within the skew.
		now = now.Add(2 * time.Minute)
		require.Equal(t, http.StatusOK, login(code(now.Add(30*time.Second))).Status)
		assert.Equal(t, http.StatusUnauthorized, login(code(now)).Status, "a step before the last one used")

		// A recovery code logs in once, whatever its case.
		assert.Equal(t, http.StatusOK, login(strings.ToUpper(rc.RecoveryCodes[3])).Status)
		assert.Equal(t, http.StatusUnauthorized, login(rc.RecoveryCodes[3]).Status, "spent")

		// Turning it off needs the password.
		res = e.send(t, request{Method: http.MethodPost, Path: "/api/v1/auth/totp/disable", Token: token, Body: `{"password":"wrong password"}`})
		assert.Equal(t, http.StatusUnprocessableEntity, res.Status)
		res = e.send(t, request{Method: http.MethodPost, Path: "/api/v1/auth/totp/disable", Token: token, Body: mustJSON(t, map[string]string{"password": adminPass})})
		assert.Equal(t, http.StatusNoContent, res.Status)
		assert.Equal(t, http.StatusOK, login("").Status)
	})
}

// TestTwoFactorLockout: guesses of the six digits are counted in the database, so every
// replica sees them, and lock the code out for longer and longer.
func TestTwoFactorLockout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, trustLoopback)
		now := time.Date(2026, 11, 25, 9, 0, 10, 0, time.UTC)
		e.Auth.SetClock(func() time.Time { return now })
		u := e.addUser(t, account.RoleViewer)
		secret, _, err := account.NewTOTP(u.Username)
		require.NoError(t, err)
		ctx := context.Background()
		require.NoError(t, s.SetTOTPSecret(ctx, u.ID, secret))
		require.NoError(t, s.EnableTOTP(ctx, u.ID, secret, 0, []string{"unused"}))
		login := func(otp string) *response {
			return e.send(t, request{Method: http.MethodPost, Path: "/api/v1/auth/login", NoAuth: true,
				Body:    mustJSON(t, map[string]string{"username": u.Username, "password": adminPass, "otp": otp}),
				Headers: map[string]string{"X-Forwarded-For": fmt.Sprintf("10.201.0.%d", clientIPs.Add(1)%250)}})
		}
		right := func() string {
			c, err := totp.GenerateCode(secret, now)
			require.NoError(t, err)
			return c
		}
		for i := 1; i < 5; i++ {
			assert.Equal(t, http.StatusUnauthorized, login("000000").Status, "wrong code %d", i)
		}
		res := login("000000")
		assert.Equal(t, http.StatusTooManyRequests, res.Status, "the fifth wrong code locks")
		assert.Equal(t, "60", res.Header.Get("Retry-After"))
		assert.Equal(t, http.StatusTooManyRequests, login(right()).Status, "even the right code waits out the lock")

		now = now.Add(61 * time.Second)
		res = login("000000")
		assert.Equal(t, http.StatusTooManyRequests, res.Status)
		assert.Equal(t, "120", res.Header.Get("Retry-After"), "each further failure doubles the lock")
		now = now.Add(121 * time.Second)
		assert.Equal(t, http.StatusOK, login(right()).Status)
		// A success starts the count again.
		now = now.Add(30 * time.Second)
		assert.Equal(t, http.StatusUnauthorized, login("000000").Status)
	})
}

// TestTOTPMatchSkew checks the code window directly, at step edges.
func TestTOTPMatchSkew(t *testing.T) {
	secret, _, err := account.NewTOTP("x")
	require.NoError(t, err)
	base := time.Unix(1_800_000_000, 0) // a step boundary: 1.8e9 is a multiple of 30
	for _, tc := range []struct {
		name    string
		codeAt  time.Duration
		ok      bool
		stepOff int64
	}{
		{"same step", 0, true, 0},
		{"end of the same step", 29 * time.Second, true, 0},
		{"one step ahead", 30 * time.Second, true, 1},
		{"one step behind", -1 * time.Second, true, -1},
		{"two steps ahead", 60 * time.Second, false, 0},
		{"two steps behind", -31 * time.Second, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, err := totp.GenerateCode(secret, base.Add(tc.codeAt))
			require.NoError(t, err)
			step, err := account.MatchTOTP(secret, code, base)
			if !tc.ok {
				assert.True(t, errors.Is(err, account.ErrOTPInvalid))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, base.Unix()/30+tc.stepOff, step)
		})
	}
}

func TestPublicStatusPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		base := newTargetServer(t)
		e := newEnv(t, s)
		secretURL := base + "/ok?token=s3cr3t-in-the-url"
		shown := e.createTarget(t, map[string]any{"name": "<script>alert(1)</script> shop", "url": secretURL,
			"headers": map[string]string{"Authorization": "Bearer header-secret"}})
		hidden := e.createTarget(t, map[string]any{"name": "internal-only", "url": base + "/fail"})
		// A check with an error text, and an incident, on the shown target.
		res := e.send(t, request{Method: http.MethodPost, Path: targetPath(shown.ID, "/check")})
		require.Equal(t, http.StatusOK, res.Status)
		storetest.Exec(t, s, "INSERT INTO incidents (target_id, kind, started_at, cause, first_error, last_error, created_at) VALUES (?, 'down', ?, '3 failed checks in a row', 'error-text-secret', 'error-text-secret', ?)",
			shown.ID, time.Now().UTC().Add(-time.Hour), time.Now().UTC())
		storetest.Exec(t, s, "UPDATE targets SET last_error = 'error-text-secret' WHERE id = ?", shown.ID)

		res = e.send(t, request{Method: http.MethodPost, Path: "/api/v1/status-pages", Body: mustJSON(t, map[string]any{
			"slug": "acme", "title": "Acme status", "description": "Our services", "target_ids": []int64{shown.ID}})})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)

		res = e.send(t, request{Method: http.MethodGet, Path: "/api/v1/public/status-pages/acme", NoAuth: true})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		raw := string(res.Body)
		for _, private := range []string{secretURL, base, "s3cr3t", "header-secret", "error-text-secret", "internal-only", "127.0.0.1"} {
			assert.NotContains(t, raw, private, "the public page leaks %q", private)
		}
		var page struct {
			Title   string `json:"title"`
			Targets []struct {
				ID        int64    `json:"id"`
				Name      string   `json:"name"`
				Status    string   `json:"status"`
				Uptime24h *float64 `json:"uptime_24h"`
			} `json:"targets"`
			Incidents []struct {
				TargetName string `json:"target_name"`
			} `json:"incidents"`
		}
		res.JSON(t, &page)
		require.Len(t, page.Targets, 1)
		assert.Equal(t, "<script>alert(1)</script> shop", page.Targets[0].Name, "names are data; the page renders them as text")
		require.NotNil(t, page.Targets[0].Uptime24h)
		assert.Equal(t, 1.0, *page.Targets[0].Uptime24h)
		require.Len(t, page.Incidents, 1)
		assert.Equal(t, "public, max-age=30", res.Header.Get("Cache-Control"))
		etag := res.Header.Get("ETag")
		require.NotEmpty(t, etag)
		res = e.send(t, request{Method: http.MethodGet, Path: "/api/v1/public/status-pages/acme", NoAuth: true,
			Headers: map[string]string{"If-None-Match": etag}})
		assert.Equal(t, http.StatusNotModified, res.Status)

		// Cheap: within its few seconds a computed answer is served from memory, so
		// a page shared widely does not reach the database per visitor.
		storetest.Exec(t, s, "UPDATE targets SET name = 'renamed' WHERE id = ?", shown.ID)
		res = e.send(t, request{Method: http.MethodGet, Path: "/api/v1/public/status-pages/acme", NoAuth: true})
		assert.Equal(t, http.StatusOK, res.Status)
		assert.NotContains(t, string(res.Body), "renamed", "served from the cache")

		// Badges: only for targets on a page.
		res = e.send(t, request{Method: http.MethodGet, Path: fmt.Sprintf("/api/v1/public/badges/%d/status.svg", shown.ID), NoAuth: true})
		require.Equal(t, http.StatusOK, res.Status)
		assert.Equal(t, "image/svg+xml", res.Header.Get("Content-Type"))
		assertSVG(t, res.Body, "status: up")
		for _, w := range []string{"24h", "7d", "30d"} {
			res = e.send(t, request{Method: http.MethodGet, Path: fmt.Sprintf("/api/v1/public/badges/%d/uptime-%s.svg", shown.ID, w), NoAuth: true})
			require.Equal(t, http.StatusOK, res.Status, w)
			assertSVG(t, res.Body, "uptime "+w+": 100%")
		}
		for _, path := range []string{
			fmt.Sprintf("/api/v1/public/badges/%d/status.svg", hidden.ID),
			fmt.Sprintf("/api/v1/public/badges/%d/uptime-24h.svg", hidden.ID),
			"/api/v1/public/badges/999999/status.svg",
		} {
			assert.Equal(t, http.StatusNotFound, e.send(t, request{Method: http.MethodGet, Path: path, NoAuth: true}).Status, path)
		}
		res = e.send(t, request{Method: http.MethodGet, Path: fmt.Sprintf("/api/v1/public/badges/%d/uptime-1y.svg", shown.ID), NoAuth: true, InvalidRequest: true})
		assert.Equal(t, http.StatusNotFound, res.Status)
		assert.Equal(t, http.StatusNotFound, e.send(t, request{Method: http.MethodGet, Path: "/api/v1/public/status-pages/nope", NoAuth: true}).Status)
		assert.Equal(t, http.StatusNotFound, e.send(t, request{Method: http.MethodGet, Path: "/api/v1/public/status-pages/" + strings.Repeat("x", 200), NoAuth: true}).Status)
		// A page made after its slug was asked for shows at once: writes reset the cache.
		res = e.send(t, request{Method: http.MethodPost, Path: "/api/v1/status-pages", Body: `{"slug":"nope","title":"Now it exists"}`})
		require.Equal(t, http.StatusCreated, res.Status)
		assert.Equal(t, http.StatusOK, e.send(t, request{Method: http.MethodGet, Path: "/api/v1/public/status-pages/nope", NoAuth: true}).Status)

		// Validation: slug shape, unknown target, taken slug.
		runScenarios(t, e, []apiScenario{
			{Name: "bad slug", Method: http.MethodPost, URL: "/api/v1/status-pages", InvalidRequest: true,
				Body: `{"slug":"Not A Slug","title":"x"}`, ExpectedStatus: http.StatusUnprocessableEntity, ExpectedFields: []string{"slug"}},
			{Name: "unknown target", Method: http.MethodPost, URL: "/api/v1/status-pages",
				Body: `{"slug":"other","title":"x","target_ids":[999999]}`, ExpectedStatus: http.StatusUnprocessableEntity, ExpectedFields: []string{"target_ids[0]"}},
			{Name: "taken slug", Method: http.MethodPost, URL: "/api/v1/status-pages",
				Body: `{"slug":"acme","title":"x"}`, ExpectedStatus: http.StatusConflict, ExpectedFields: []string{"slug"}},
		})
	})
}

// assertSVG checks a badge is well-formed SVG saying label.
func assertSVG(t *testing.T, body []byte, label string) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(string(body)))
	var root xml.StartElement
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "badge is well-formed XML")
		if se, ok := tok.(xml.StartElement); ok && root.Name.Local == "" {
			root = se
		}
	}
	assert.Equal(t, "svg", root.Name.Local)
	assert.Equal(t, "http://www.w3.org/2000/svg", root.Name.Space)
	assert.Contains(t, string(body), `aria-label="`+label+`"`)
}

func TestAuditLog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, trustLoopback)
		editor := e.addUser(t, account.RoleEditor)
		editorToken := e.loginAs(t, editor.Username, adminPass).AccessToken

		created := e.send(t, request{Method: http.MethodPost, Path: "/api/v1/targets", Token: editorToken,
			Body: `{"name":"audited","url":"https://example.com/","headers":{"Authorization":"Bearer very-secret"}}`})
		require.Equal(t, http.StatusCreated, created.Status)
		id := int64(created.Map(t)["id"].(float64))
		res := e.send(t, request{Method: http.MethodPatch, Path: targetPath(id), Token: editorToken, Body: `{"interval_seconds":600,"is_active":false}`})
		require.Equal(t, http.StatusOK, res.Status)
		res = e.send(t, request{Method: http.MethodPatch, Path: targetPath(id), Token: editorToken, Body: `{"interval_seconds":600}`})
		require.Equal(t, http.StatusOK, res.Status, "a PATCH that changes nothing leaves no entry")
		res = e.send(t, request{Method: http.MethodDelete, Path: targetPath(id), Token: editorToken})
		require.Equal(t, http.StatusNoContent, res.Status)

		// Viewers and editors may not read it.
		assert.Equal(t, http.StatusForbidden, e.send(t, request{Method: http.MethodGet, Path: "/api/v1/audit", Token: editorToken}).Status)
		res = e.send(t, request{Method: http.MethodGet, Path: "/api/v1/audit?kind=target"})
		require.Equal(t, http.StatusOK, res.Status)
		assert.NotContains(t, string(res.Body), "very-secret", "secrets are masked")
		var log struct {
			Items []struct {
				ActorID    *int64                    `json:"actor_id"`
				Actor      string                    `json:"actor"`
				Action     string                    `json:"action"`
				Kind       string                    `json:"kind"`
				ObjectID   *int64                    `json:"object_id"`
				ObjectName string                    `json:"object_name"`
				Changes    map[string]map[string]any `json:"changes"`
				At         time.Time                 `json:"at"`
			} `json:"items"`
			Total int `json:"total"`
		}
		res.JSON(t, &log)
		require.Equal(t, 3, log.Total)
		del, upd, crt := log.Items[0], log.Items[1], log.Items[2]
		for i, want := range []string{"delete", "update", "create"} {
			it := log.Items[i]
			assert.Equal(t, want, it.Action)
			assert.Equal(t, "target", it.Kind)
			assert.Equal(t, editor.Username, it.Actor)
			require.NotNil(t, it.ActorID)
			assert.Equal(t, editor.ID, *it.ActorID)
			assert.Equal(t, id, *it.ObjectID)
			assert.Equal(t, "audited", it.ObjectName)
			assert.WithinDuration(t, time.Now(), it.At, time.Minute)
		}
		assert.Equal(t, map[string]any{"after": "audited"}, crt.Changes["name"])
		assert.Equal(t, map[string]any{"after": "********"}, crt.Changes["headers"])
		assert.Equal(t, map[string]any{"before": 300.0, "after": 600.0}, upd.Changes["interval_seconds"])
		assert.Equal(t, map[string]any{"before": true, "after": false}, upd.Changes["is_active"])
		assert.NotContains(t, upd.Changes, "name", "only changed fields")
		assert.Equal(t, map[string]any{"before": "audited"}, del.Changes["name"])

		// Through an API key, the entry says so.
		key, _ := e.addKey(t, editor, account.RoleEditor, nil)
		res = e.send(t, request{Method: http.MethodPost, Path: "/api/v1/status-pages", Token: key, Body: `{"slug":"by-key","title":"By key"}`})
		require.Equal(t, http.StatusCreated, res.Status)
		res = e.send(t, request{Method: http.MethodGet, Path: "/api/v1/audit?kind=status_page&limit=1"})
		require.Equal(t, http.StatusOK, res.Status)
		assert.Contains(t, string(res.Body), editor.Username+` (API key `)

		// Retention removes old entries.
		storetest.Exec(t, s, "UPDATE audit_log SET at = ? WHERE kind = 'target'", time.Now().UTC().AddDate(-2, 0, 0))
		n, err := s.DeleteAuditBefore(context.Background(), time.Now().AddDate(-1, 0, 0))
		require.NoError(t, err)
		assert.EqualValues(t, 3, n)
	})
}
