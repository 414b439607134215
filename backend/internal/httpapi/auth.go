package httpapi

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/watchdog-monitor/watchdog/backend/internal/account"
	"github.com/watchdog-monitor/watchdog/backend/internal/audit"
	"github.com/watchdog-monitor/watchdog/backend/internal/auth"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
)

const principalKey = "principal"

// maxUsernameLen bounds a username at login.
const maxUsernameLen = 128

// maxOTPLen bounds a two-factor code: six digits, or a recovery code.
const maxOTPLen = 32

// require lets a request through only with a valid bearer credential (an access
// token or an API key) whose role is at least the route's, and puts who it acts for
// in the context. No credential or a bad one is 401; too low a role is 403.
func (a *api) require(ac access) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			scheme, token, ok := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
				return unauthorized("send an access token or API key as Authorization: Bearer <token>")
			}
			p, err := a.Auth.Authenticate(c.Request().Context(), strings.TrimSpace(token))
			if err != nil {
				return err
			}
			switch {
			case ac.session && p.Key != nil:
				return forbidden("API keys cannot do this; log in as the user")
			case !p.Role.AtLeast(ac.least):
				return forbidden("this needs the " + string(ac.least) + " role; yours is " + string(p.Role))
			}
			c.Set(principalKey, p)
			return next(c)
		}
	}
}

// caller is who the request acts for (set by require).
func caller(c echo.Context) auth.Principal { return c.Get(principalKey).(auth.Principal) }

func pairOut(p auth.Pair) TokenPair {
	return TokenPair{AccessToken: p.AccessToken, TokenType: "Bearer",
		ExpiresIn: int(time.Until(p.ExpiresAt).Round(time.Second).Seconds()), RefreshToken: p.RefreshToken}
}

// login godoc
//
//	@ID	login
//	@Summary		Log in
//	@Description	Exchanges a username and password, and for a user with two-factor login a code in otp, for a short-lived access token and a refresh token. Attempts are rate-limited per client address and per username.
//	@Tags			auth
//	@Accept			json
//	@Produce		json
//	@Param			body	body		LoginRequest	true	"Credentials"
//	@Success		200		{object}	TokenPair
//	@Failure		400		{object}	Problem	"Malformed body"
//	@Failure		401		{object}	Problem	"Wrong username or password; or, with two-factor login, a missing (type ends in otp-required) or wrong (invalid-otp) code"
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
		// Before the rate limit, so an oversized name costs no database write.
		return badRequest("username", "must be at most %d bytes", maxUsernameLen)
	}
	if body.Password == "" {
		return badRequest("password", "is required")
	}
	if len(body.OTP) > maxOTPLen {
		return badRequest("otp", "must be at most %d bytes", maxOTPLen)
	}
	pair, err := a.Auth.Login(c.Request().Context(), body.Username, body.Password, body.OTP, c.RealIP())
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
//	@Description	With an API key: the key's owner, with the role the key acts with.
//	@Tags		auth
//	@Produce	json
//	@Security	BearerAuth
//	@Security	ApiKeyAuth
//	@Success	200	{object}	User
//	@Failure	401	{object}	Problem	"Missing or invalid token"
//	@Router		/auth/me [get]
func (a *api) me(c echo.Context) error {
	p := caller(c)
	out := userOut(p.User)
	// With an API key, the role the key acts with: what a script may actually do.
	out.Role = string(p.Role)
	return c.JSON(http.StatusOK, out)
}

// PasswordChange is the body of POST /auth/password.
type PasswordChange struct {
	CurrentPassword string `json:"current_password" validate:"required"`
	NewPassword     string `json:"new_password" validate:"required" minLength:"8" maxLength:"72"`
} // @name PasswordChange

// changePassword godoc
//
//	@ID	changePassword
//	@Summary		Change your password
//	@Description	Replaces the caller's password. Every token issued before, the caller's included, stops working at once; the answer is a fresh pair for the caller.
//	@Tags			auth
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			body	body		PasswordChange	true	"The current and the new password"
//	@Success		200		{object}	TokenPair
//	@Failure		400		{object}	Problem	"Malformed body"
//	@Failure		401		{object}	Problem	"Missing or invalid token"
//	@Failure		403		{object}	Problem	"Called with an API key"
//	@Failure		415		{object}	Problem	"Body is not JSON"
//	@Failure		422		{object}	Problem	"current_password is wrong, or new_password breaks a rule"
//	@Failure		429		{object}	Problem	"Too many attempts; see Retry-After"
//	@Header			429		{integer}	Retry-After	"Seconds to wait before the next attempt"
//	@Router			/auth/password [post]
func (a *api) changePassword(c echo.Context) error {
	var body PasswordChange
	if err := decode(c, &body); err != nil {
		return err
	}
	if body.CurrentPassword == "" {
		return invalid("current_password", "is required")
	}
	if msg := account.PasswordRule(body.NewPassword); msg != "" {
		return invalid("new_password", msg)
	}
	p := caller(c)
	pair, err := a.Auth.ChangePassword(c.Request().Context(), p.User, body.CurrentPassword, body.NewPassword)
	if errors.Is(err, auth.ErrWrongPassword) {
		return invalid("current_password", "is not your current password")
	}
	if err != nil {
		return err
	}
	a.record(c, audit.Update, audit.KindUser, p.User.ID, p.User.Username,
		map[string]audit.Change{"password": {Before: audit.Masked, After: audit.Masked}})
	return c.JSON(http.StatusOK, pairOut(pair))
}

// TOTPSetup is a new two-factor secret, not in force until confirmed.
type TOTPSetup struct {
	// Secret is the base32 key, for apps that cannot scan.
	Secret string `json:"secret" validate:"required" example:"JBSWY3DPEHPK3PXP"`
	// OTPAuthURL is what the QR code holds.
	OTPAuthURL string `json:"otpauth_url" validate:"required" example:"otpauth://totp/WatchDog:admin?algorithm=SHA1&digits=6&issuer=WatchDog&period=30&secret=JBSWY3DPEHPK3PXP"`
} // @name TOTPSetup

// TOTPCode is the body of POST /auth/totp/enable.
type TOTPCode struct {
	Code string `json:"code" validate:"required" example:"123456"`
} // @name TOTPCode

// RecoveryCodes are one-time codes that log in instead of a TOTP code, shown once.
type RecoveryCodes struct {
	RecoveryCodes []string `json:"recovery_codes" validate:"required"`
} // @name RecoveryCodes

// PasswordConfirm is the body of actions that ask for the password again.
type PasswordConfirm struct {
	Password string `json:"password" validate:"required"`
} // @name PasswordConfirm

// setupTOTP godoc
//
//	@ID	setupTOTP
//	@Summary		Start two-factor setup
//	@Description	Makes a new TOTP secret (RFC 6238: SHA-1, 6 digits, 30 s) for the caller. Show otpauth_url as a QR code, then confirm with POST /auth/totp/enable; until then login is unchanged.
//	@Tags			auth
//	@Produce		json
//	@Security		BearerAuth
//	@Success		200	{object}	TOTPSetup
//	@Failure		401	{object}	Problem	"Missing or invalid token"
//	@Failure		403	{object}	Problem	"Called with an API key"
//	@Failure		409	{object}	Problem	"Two-factor login is already on"
//	@Router			/auth/totp/setup [post]
func (a *api) setupTOTP(c echo.Context) error {
	secret, url, err := a.Auth.SetupTOTP(c.Request().Context(), caller(c).User)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, TOTPSetup{Secret: secret, OTPAuthURL: url})
}

// enableTOTP godoc
//
//	@ID	enableTOTP
//	@Summary		Turn two-factor login on
//	@Description	Confirms the secret from setup with a current code. From now on login needs otp. The answer holds ten recovery codes, each good for one login, shown this once.
//	@Tags			auth
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			body	body		TOTPCode	true	"A code from the authenticator app"
//	@Success		200		{object}	RecoveryCodes
//	@Failure		400		{object}	Problem	"Malformed body"
//	@Failure		401		{object}	Problem	"Missing or invalid token"
//	@Failure		403		{object}	Problem	"Called with an API key"
//	@Failure		409		{object}	Problem	"Already on, or not set up"
//	@Failure		415		{object}	Problem	"Body is not JSON"
//	@Failure		422		{object}	Problem	"Wrong code"
//	@Router			/auth/totp/enable [post]
func (a *api) enableTOTP(c echo.Context) error {
	var body TOTPCode
	if err := decode(c, &body); err != nil {
		return err
	}
	u := caller(c).User
	codes, err := a.Auth.EnableTOTP(c.Request().Context(), u, body.Code)
	switch {
	case errors.Is(err, account.ErrOTPInvalid):
		return invalid("code", "is not the app's current code")
	case errors.Is(err, auth.ErrTOTPNotSetUp):
		return &problem{status: http.StatusConflict, slug: "conflict", title: "Conflict", detail: err.Error()}
	case err != nil:
		return err
	}
	a.record(c, audit.Update, audit.KindUser, u.ID, u.Username, map[string]audit.Change{"totp_enabled": {Before: false, After: true}})
	return c.JSON(http.StatusOK, RecoveryCodes{RecoveryCodes: codes})
}

// disableTOTP godoc
//
//	@ID	disableTOTP
//	@Summary		Turn two-factor login off
//	@Description	Needs the caller's password. Recovery codes are deleted. An admin can also turn it off for a user who lost their phone, with PATCH /users/{id}.
//	@Tags			auth
//	@Accept			json
//	@Security		BearerAuth
//	@Param			body	body	PasswordConfirm	true	"The caller's password"
//	@Success		204
//	@Failure		400	{object}	Problem	"Malformed body"
//	@Failure		401	{object}	Problem	"Missing or invalid token"
//	@Failure		403	{object}	Problem	"Called with an API key"
//	@Failure		415	{object}	Problem	"Body is not JSON"
//	@Failure		422	{object}	Problem	"Wrong password"
//	@Failure		429	{object}	Problem	"Too many attempts; see Retry-After"
//	@Router			/auth/totp/disable [post]
func (a *api) disableTOTP(c echo.Context) error {
	var body PasswordConfirm
	if err := decode(c, &body); err != nil {
		return err
	}
	u := caller(c).User
	err := a.Auth.CheckPassword(c.Request().Context(), u, body.Password)
	if errors.Is(err, auth.ErrWrongPassword) {
		return invalid("password", "is not your password")
	}
	if err != nil {
		return err
	}
	if _, err := a.Store.UpdateUser(c.Request().Context(), u.ID, store.UserChange{DisableTOTP: true}); err != nil {
		return err
	}
	if u.TOTPEnabled {
		a.record(c, audit.Update, audit.KindUser, u.ID, u.Username, map[string]audit.Change{"totp_enabled": {Before: true, After: false}})
	}
	return c.NoContent(http.StatusNoContent)
}
