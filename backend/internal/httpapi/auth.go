package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/watchdog-monitor/watchdog/backend/internal/account"
	"github.com/watchdog-monitor/watchdog/backend/internal/auth"
)

const userKey = "user"

// maxUsernameLen bounds a username at login.
const maxUsernameLen = 128

// requireUser lets a request through only with a valid bearer access token, and
// puts its user in the context.
func (a *api) requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		scheme, token, ok := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			return unauthorized("send an access token as Authorization: Bearer <token>")
		}
		u, err := a.Auth.Authenticate(c.Request().Context(), strings.TrimSpace(token))
		if err != nil {
			return err
		}
		c.Set(userKey, u)
		return next(c)
	}
}

func pairOut(p auth.Pair) TokenPair {
	return TokenPair{AccessToken: p.AccessToken, TokenType: "Bearer",
		ExpiresIn: int(time.Until(p.ExpiresAt).Round(time.Second).Seconds()), RefreshToken: p.RefreshToken}
}

// login godoc
//
//	@ID	login
//	@Summary		Log in
//	@Description	Exchanges a username and password for a short-lived access token and a refresh token. Attempts are rate-limited per client address and per username.
//	@Tags			auth
//	@Accept			json
//	@Produce		json
//	@Param			body	body		LoginRequest	true	"Credentials"
//	@Success		200		{object}	TokenPair
//	@Failure		400		{object}	Problem	"Malformed body"
//	@Failure		401		{object}	Problem	"Wrong username or password"
//	@Failure		413		{object}	Problem	"Body over 1 MiB"
//	@Failure		415		{object}	Problem	"Body is not JSON"
//	@Failure		429		{object}	Problem	"Too many attempts; see Retry-After"
//	@Header			429		{integer}	Retry-After	"Seconds to wait before the next attempt"
//	@Router			/auth/login [post]
func (a *api) login(c echo.Context) error {
	var body LoginRequest
	if err := decode(c, &body); err != nil {
		return err
	}
	if body.Username == "" {
		return badRequest("username", "is required")
	}
	if len(body.Username) > maxUsernameLen {
		// Before the rate limiter, which keys its memory on usernames.
		return badRequest("username", "must be at most %d bytes", maxUsernameLen)
	}
	if body.Password == "" {
		return badRequest("password", "is required")
	}
	pair, err := a.Auth.Login(c.Request().Context(), body.Username, body.Password, c.RealIP())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pairOut(pair))
}

// refresh godoc
//
//	@ID	refreshTokens
//	@Summary		Refresh tokens
//	@Description	Spends a refresh token for a new token pair. The old refresh token stops working; presenting it again revokes every token from the same login.
//	@Tags			auth
//	@Accept			json
//	@Produce		json
//	@Param			body	body		RefreshRequest	true	"The refresh token"
//	@Success		200		{object}	TokenPair
//	@Failure		400		{object}	Problem	"Malformed body"
//	@Failure		401		{object}	Problem	"Unknown, spent, revoked or expired refresh token"
//	@Failure		413		{object}	Problem	"Body over 1 MiB"
//	@Failure		415		{object}	Problem	"Body is not JSON"
//	@Router			/auth/refresh [post]
func (a *api) refresh(c echo.Context) error {
	var body RefreshRequest
	if err := decode(c, &body); err != nil {
		return err
	}
	if body.RefreshToken == "" {
		return badRequest("refresh_token", "is required")
	}
	pair, err := a.Auth.Refresh(c.Request().Context(), body.RefreshToken)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pairOut(pair))
}

// logout godoc
//
//	@ID				logout
//	@Summary		Log out
//	@Description	Ends the login the refresh token came from: it and every token rotated from it stop working. Answers 204 whether or not the token was known.
//	@Tags			auth
//	@Accept			json
//	@Param			body	body	RefreshRequest	true	"The refresh token"
//	@Success		204
//	@Failure		400	{object}	Problem	"Malformed body"
//	@Failure		415	{object}	Problem	"Body is not JSON"
//	@Router			/auth/logout [post]
func (a *api) logout(c echo.Context) error {
	var body RefreshRequest
	if err := decode(c, &body); err != nil {
		return err
	}
	if body.RefreshToken == "" {
		return badRequest("refresh_token", "is required")
	}
	if err := a.Auth.Logout(c.Request().Context(), body.RefreshToken); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// me godoc
//
//	@ID	getCurrentUser
//	@Summary	The current user
//	@Tags		auth
//	@Produce	json
//	@Security	BearerAuth
//	@Success	200	{object}	User
//	@Failure	401	{object}	Problem	"Missing or invalid token"
//	@Router		/auth/me [get]
func (a *api) me(c echo.Context) error {
	return c.JSON(http.StatusOK, userOut(c.Get(userKey).(account.User)))
}
