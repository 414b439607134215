package httpapi_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/auth"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

func TestLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		// The answers to a wrong password and to an unknown user, compared below.
		var wrongPassword, unknownUser problemBody

		runScenarios(t, e, []apiScenario{
			{
				Name: "right password", Method: http.MethodPost, URL: "/api/v1/auth/login", NoAuth: true,
				Body:           `{"username":"admin","password":"correct horse battery staple"}`,
				ExpectedStatus: http.StatusOK,
				AfterTest: func(t *testing.T, res *response) {
					var p tokenPair
					res.JSON(t, &p)
					assert.Equal(t, "Bearer", p.TokenType)
					assert.Positive(t, p.ExpiresIn)
					assert.LessOrEqual(t, p.ExpiresIn, 900, "access tokens are short-lived")
					assert.Len(t, strings.Split(p.AccessToken, "."), 3, "the access token is a JWT")
					assert.NotEmpty(t, p.RefreshToken)
					assert.NotEqual(t, e.Refresh, p.RefreshToken, "every login gets its own refresh token")
				},
			},
			{
				Name: "wrong password", Method: http.MethodPost, URL: "/api/v1/auth/login", NoAuth: true,
				Body:            `{"username":"admin","password":"not the password"}`,
				ExpectedStatus:  http.StatusUnauthorized,
				ExpectedContent: []string{`"invalid username or password"`},
				AfterTest:       func(t *testing.T, res *response) { wrongPassword = res.Problem(t) },
			},
			{
				Name: "unknown user", Method: http.MethodPost, URL: "/api/v1/auth/login", NoAuth: true,
				Body:            `{"username":"nobody","password":"not the password"}`,
				ExpectedStatus:  http.StatusUnauthorized,
				ExpectedContent: []string{`"invalid username or password"`},
				AfterTest:       func(t *testing.T, res *response) { unknownUser = res.Problem(t) },
			},
			{
				Name: "missing username", Method: http.MethodPost, URL: "/api/v1/auth/login", NoAuth: true, InvalidRequest: true,
				Body: `{"password":"whatever"}`, ExpectedStatus: http.StatusBadRequest, ExpectedFields: []string{"username"},
			},
			{
				Name: "missing password", Method: http.MethodPost, URL: "/api/v1/auth/login", NoAuth: true, InvalidRequest: true,
				Body: `{"username":"admin"}`, ExpectedStatus: http.StatusBadRequest, ExpectedFields: []string{"password"},
			},
			{
				Name: "empty password", Method: http.MethodPost, URL: "/api/v1/auth/login", NoAuth: true,
				Body: `{"username":"admin","password":""}`, ExpectedStatus: http.StatusBadRequest, ExpectedFields: []string{"password"},
			},
			{
				Name: "unknown field", Method: http.MethodPost, URL: "/api/v1/auth/login", NoAuth: true, InvalidRequest: true,
				Body: `{"username":"admin","password":"x","remember_me":true}`, ExpectedStatus: http.StatusBadRequest, ExpectedFields: []string{"remember_me"},
			},
			{
				Name: "not JSON", Method: http.MethodPost, URL: "/api/v1/auth/login", NoAuth: true, InvalidRequest: true,
				Body: `username=admin&password=x`, ContentType: "application/x-www-form-urlencoded",
				ExpectedStatus: http.StatusUnsupportedMediaType,
			},
			{
				Name: "the current user", Method: http.MethodGet, URL: "/api/v1/auth/me",
				ExpectedStatus:  http.StatusOK,
				ExpectedContent: []string{`"username":"admin"`, `"role":"admin"`, `"totp_enabled":false`},
			},
		})

		t.Run("unknown user and wrong password look the same", func(t *testing.T) {
			require.NotEmpty(t, wrongPassword.Type)
			wrongPassword.RequestID, unknownUser.RequestID = "", ""
			assert.Equal(t, wrongPassword, unknownUser)
		})
	})
}

func TestRefreshRotates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		refresh := func(token string) string { return mustJSON(t, map[string]string{"refresh_token": token}) }
		var next tokenPair

		runScenarios(t, e, []apiScenario{{
			Name: "spend the login's refresh token", Method: http.MethodPost, URL: "/api/v1/auth/refresh", NoAuth: true,
			Body: refresh(e.Refresh), ExpectedStatus: http.StatusOK,
			AfterTest: func(t *testing.T, res *response) {
				res.JSON(t, &next)
				assert.Equal(t, "Bearer", next.TokenType)
				assert.LessOrEqual(t, next.ExpiresIn, 900)
				assert.NotEqual(t, e.Refresh, next.RefreshToken, "a new refresh token")
			},
		}})
		require.NotEmpty(t, next.AccessToken)

		runScenarios(t, e, []apiScenario{
			{
				Name: "the new access token works", Method: http.MethodGet, URL: "/api/v1/auth/me", Token: next.AccessToken,
				ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"username":"admin"`},
			},
			{
				Name: "the spent refresh token is refused", Method: http.MethodPost, URL: "/api/v1/auth/refresh", NoAuth: true,
				Body: refresh(e.Refresh), ExpectedStatus: http.StatusUnauthorized,
			},
			{
				Name: "a garbage refresh token is refused", Method: http.MethodPost, URL: "/api/v1/auth/refresh", NoAuth: true,
				Body: refresh("not-a-refresh-token"), ExpectedStatus: http.StatusUnauthorized,
			},
			{
				Name: "missing refresh_token", Method: http.MethodPost, URL: "/api/v1/auth/refresh", NoAuth: true, InvalidRequest: true,
				Body: `{}`, ExpectedStatus: http.StatusBadRequest, ExpectedFields: []string{"refresh_token"},
			},
			{
				Name: "empty body", Method: http.MethodPost, URL: "/api/v1/auth/refresh", NoAuth: true, InvalidRequest: true,
				Body: ``, ExpectedStatus: http.StatusBadRequest, ExpectedFields: []string{"body"},
			},
		})

		// Presenting a spent token again revokes the whole family, so a thief holding the
		// newer token is cut off too.
		t.Run("reuse revoked the rotated token as well", func(t *testing.T) {
			res := e.send(t, request{Method: http.MethodPost, Path: "/api/v1/auth/refresh", NoAuth: true, Body: refresh(next.RefreshToken)})
			assert.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
		})
	})
}

// protectedRoutes are every operation that needs a token.
var protectedRoutes = []struct{ Method, URL, Body string }{
	{http.MethodGet, "/api/v1/auth/me", ""},
	{http.MethodGet, "/api/v1/targets", ""},
	{http.MethodPost, "/api/v1/targets", `{"url":"https://example.com/"}`},
	{http.MethodGet, "/api/v1/targets/1", ""},
	{http.MethodPatch, "/api/v1/targets/1", `{"is_active":false}`},
	{http.MethodDelete, "/api/v1/targets/1", ""},
	{http.MethodPost, "/api/v1/targets/1/check", ""},
	{http.MethodGet, "/api/v1/targets/1/checks", ""},
	{http.MethodGet, "/api/v1/targets/1/stats", ""},
	{http.MethodGet, "/api/v1/stats", ""},
}

func TestProtectedRoutesNeedAToken(t *testing.T) {
	e := newEnv(t, nil)
	e.createTarget(t, map[string]any{"url": "https://example.com/"}) // so /targets/1 exists
	for _, r := range protectedRoutes {
		for _, auth := range []struct{ name, header string }{
			{"no token", ""},
			{"empty bearer", "Bearer "},
			{"basic scheme", "Basic YWRtaW46YWRtaW4="},
			{"garbage token", "Bearer not-a-jwt"},
		} {
			t.Run(r.Method+" "+r.URL+" "+auth.name, func(t *testing.T) {
				req := request{Method: r.Method, Path: r.URL, Body: r.Body, NoAuth: true}
				if auth.header != "" {
					req.Headers = map[string]string{"Authorization": auth.header}
				}
				res := e.send(t, req)
				assert.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
				assert.True(t, strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer"),
					"WWW-Authenticate: %q", res.Header.Get("WWW-Authenticate"))
				p := res.Problem(t)
				assert.Equal(t, "urn:watchdog:problem:unauthorized", p.Type)
			})
		}
	}
	t.Run("the target is still there", func(t *testing.T) {
		assert.Equal(t, http.StatusOK, e.get(t, "/api/v1/targets/1").Status)
	})
}

// TestForgedTokensAreRefused signs tokens with the server's own key (as an attacker who
// guessed it, or a bug, might) and with none, and checks that only a token with exactly
// the right algorithm, issuer, audience, expiry and signature gets in.
func TestForgedTokensAreRefused(t *testing.T) {
	e := newEnv(t, nil)
	me := e.get(t, "/api/v1/auth/me").Map(t)
	sub := strconv.FormatInt(int64(me["id"].(float64)), 10)

	now := time.Now()
	claims := func(edit func(c *auth.Claims)) *auth.Claims {
		c := &auth.Claims{
			RegisteredClaims: jwt.RegisteredClaims{
				Issuer:    auth.TokenIssuer,
				Audience:  jwt.ClaimStrings{auth.TokenAudience},
				Subject:   sub,
				IssuedAt:  jwt.NewNumericDate(now),
				NotBefore: jwt.NewNumericDate(now),
				ExpiresAt: jwt.NewNumericDate(now.Add(5 * time.Minute)),
			},
			Role: "admin",
		}
		if edit != nil {
			edit(c)
		}
		return c
	}
	sign := func(method jwt.SigningMethod, key any, c *auth.Claims) string {
		s, err := jwt.NewWithClaims(method, c).SignedString(key)
		require.NoError(t, err)
		return s
	}
	hs256 := func(edit func(c *auth.Claims)) string { return sign(jwt.SigningMethodHS256, testSecret, claims(edit)) }

	// tampered keeps the signature of a valid token and swaps in another payload.
	tampered := func() string {
		parts := strings.Split(hs256(nil), ".")
		c := claims(func(c *auth.Claims) { c.Role = "superuser"; c.ExpiresAt = jwt.NewNumericDate(now.Add(24 * time.Hour)) })
		payload, err := json.Marshal(c)
		require.NoError(t, err)
		parts[1] = base64.RawURLEncoding.EncodeToString(payload)
		return strings.Join(parts, ".")
	}

	scenarios := []struct {
		Name   string
		Token  string
		Status int
	}{
		{"well-formed HS256 (control)", hs256(nil), http.StatusOK},
		{"garbage", "garbage", http.StatusUnauthorized},
		{"alg none", sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(nil)), http.StatusUnauthorized},
		{"alg none, signature stripped", strings.Join(strings.Split(sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(nil)), ".")[:2], ".") + ".", http.StatusUnauthorized},
		{"HS512 with the right key", sign(jwt.SigningMethodHS512, testSecret, claims(nil)), http.StatusUnauthorized},
		{"HS256 with another key", sign(jwt.SigningMethodHS256, []byte("another-key-0123456789abcdef-0123456789"), claims(nil)), http.StatusUnauthorized},
		{"expired", hs256(func(c *auth.Claims) {
			c.IssuedAt = jwt.NewNumericDate(now.Add(-time.Hour))
			c.NotBefore = c.IssuedAt
			c.ExpiresAt = jwt.NewNumericDate(now.Add(-2 * time.Minute))
		}), http.StatusUnauthorized},
		{"no exp", hs256(func(c *auth.Claims) { c.ExpiresAt = nil }), http.StatusUnauthorized},
		{"tampered payload", tampered(), http.StatusUnauthorized},
		{"wrong issuer", hs256(func(c *auth.Claims) { c.Issuer = "someone-else" }), http.StatusUnauthorized},
		{"wrong audience", hs256(func(c *auth.Claims) { c.Audience = jwt.ClaimStrings{"another-api"} }), http.StatusUnauthorized},
		{"issued in the future", hs256(func(c *auth.Claims) { c.IssuedAt = jwt.NewNumericDate(now.Add(time.Hour)) }), http.StatusUnauthorized},
		{"older token version", hs256(func(c *auth.Claims) { c.Version = 7 }), http.StatusUnauthorized},
		{"user that does not exist", hs256(func(c *auth.Claims) { c.Subject = "999999" }), http.StatusUnauthorized},
		{"subject not a number", hs256(func(c *auth.Claims) { c.Subject = "admin" }), http.StatusUnauthorized},
	}
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			res := e.send(t, request{Method: http.MethodGet, Path: "/api/v1/auth/me", Token: sc.Token})
			assert.Equal(t, sc.Status, res.Status, "%s", res.Body)
			if sc.Status == http.StatusUnauthorized {
				assert.True(t, strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer"))
				assert.Equal(t, "urn:watchdog:problem:unauthorized", res.Problem(t).Type)
			}
		})
	}
}

func TestLoginIsRateLimited(t *testing.T) {
	e := newEnv(t, nil)
	var limited []*response
	for i := range 25 {
		res := e.send(t, request{Method: http.MethodPost, Path: "/api/v1/auth/login", NoAuth: true,
			Body: `{"username":"admin","password":"wrong password ` + strconv.Itoa(i) + `"}`})
		require.Contains(t, []int{http.StatusUnauthorized, http.StatusTooManyRequests}, res.Status, "attempt %d: %s", i+1, res.Body)
		if res.Status == http.StatusTooManyRequests {
			limited = append(limited, res)
		}
	}
	require.NotEmpty(t, limited, "25 wrong passwords in a row are rate-limited")
	for _, res := range limited {
		secs, err := strconv.Atoi(res.Header.Get("Retry-After"))
		require.NoError(t, err, "Retry-After is whole seconds: %q", res.Header.Get("Retry-After"))
		assert.Positive(t, secs)
		p := res.Problem(t)
		assert.Equal(t, "urn:watchdog:problem:rate-limited", p.Type)
		assert.Equal(t, http.StatusTooManyRequests, p.Status)
	}
	t.Run("the right password waits too", func(t *testing.T) {
		res := e.send(t, request{Method: http.MethodPost, Path: "/api/v1/auth/login", NoAuth: true,
			Body: mustJSON(t, map[string]string{"username": adminUser, "password": adminPass})})
		assert.Equal(t, http.StatusTooManyRequests, res.Status)
		assert.NotEmpty(t, res.Header.Get("Retry-After"))
	})
	t.Run("tokens already issued still work", func(t *testing.T) {
		assert.Equal(t, http.StatusOK, e.get(t, "/api/v1/auth/me").Status)
	})
}

// TestLoginLimitsAddUpAcrossReplicas: two API servers on one PostgreSQL database, as
// behind the reverse proxy, count one set of attempts. Guesses spread over both get no
// more than the burst one replica would allow, and then both answer 429.
func TestLoginLimitsAddUpAcrossReplicas(t *testing.T) {
	scenarios := []struct {
		Name string
		// attempt is the body and the client address of the i-th guess.
		attempt func(i int) (body, addr string)
		// allowed is how many guesses the limit lets through: its burst, less the
		// admin's own login from 127.0.0.1 when the env started.
		allowed int
	}{
		{"per username", func(i int) (string, string) {
			return `{"username":"admin","password":"guess ` + strconv.Itoa(i) + `"}`, "10.90.0." + strconv.Itoa(i+1)
		}, 10 - 1},
		{"per client address", func(i int) (string, string) {
			return `{"username":"nobody-` + strconv.Itoa(i) + `","password":"guess"}`, "10.91.0.1"
		}, 20},
	}
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			dbURL := storetest.PostgresURL(t)
			replicas := []*env{
				newEnv(t, storetest.Open(t, dbURL), trustLoopback),
				newReplica(t, storetest.Open(t, dbURL), trustLoopback),
			}
			// One clock for both, so no token refills while the test runs, however slow.
			now := time.Now()
			for _, r := range replicas {
				r.Auth.SetClock(func() time.Time { return now })
			}
			for i := range 2*sc.allowed + 4 {
				body, addr := sc.attempt(i)
				res := replicas[i%2].send(t, request{Method: http.MethodPost, Path: "/api/v1/auth/login", NoAuth: true,
					Body: body, Headers: map[string]string{"X-Forwarded-For": addr}})
				if i < sc.allowed {
					assert.Equal(t, http.StatusUnauthorized, res.Status, "guess %d, on replica %d: within the burst", i+1, i%2)
					continue
				}
				if assert.Equal(t, http.StatusTooManyRequests, res.Status, "guess %d, on replica %d: past the burst of both together", i+1, i%2) {
					secs, err := strconv.Atoi(res.Header.Get("Retry-After"))
					require.NoError(t, err, "Retry-After is whole seconds: %q", res.Header.Get("Retry-After"))
					assert.Positive(t, secs)
					assert.Equal(t, "urn:watchdog:problem:rate-limited", res.Problem(t).Type)
				}
			}
		})
	}
}
