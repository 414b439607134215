package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/watchdog-monitor/watchdog/backend/internal/account"
	"github.com/watchdog-monitor/watchdog/backend/internal/audit"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// UserList is every user, by username.
type UserList struct {
	Items []User `json:"items" validate:"required"`
} // @name UserList

// UserCreate is the body of POST /users: an admin invites someone with a first
// password to hand over.
type UserCreate struct {
	// Username is 1 to 128 of the letters a-z and A-Z, digits and . _ - @ +, and
	// unique whatever its case ("Admin" is taken when "admin" exists: 409).
	Username string `json:"username" validate:"required" maxLength:"128" example:"alice"`
	Password string `json:"password" validate:"required" minLength:"8" maxLength:"72" example:"a long first password"`
	Role     string `json:"role" validate:"required" enums:"admin,editor,viewer" example:"viewer"`
} // @name UserCreate

// UserPatch is the body of PATCH /users/{id}. A new password ends the user's
// sessions; totp_enabled can only be turned off (for a lost phone).
type UserPatch struct {
	Role        *string `json:"role,omitempty" enums:"admin,editor,viewer" example:"editor"`
	Password    *string `json:"password,omitempty" minLength:"8" maxLength:"72"`
	TOTPEnabled *bool   `json:"totp_enabled,omitempty" example:"false"`
} // @name UserPatch

func roleField(field, role string) error {
	if !account.Role(role).Valid() {
		return invalid(field, "must be one of admin, editor, viewer")
	}
	return nil
}

// listUsers godoc
//
//	@ID	listUsers
//	@Summary	List users
//	@Description	Every user, with role and whether two-factor login is on (admin only).
//	@Tags		users
//	@Produce	json
//	@Security	BearerAuth
//	@Security	ApiKeyAuth
//	@Success	200	{object}	UserList
//	@Failure	401	{object}	Problem	"Missing or invalid token"
//	@Failure	403	{object}	Problem	"Not an admin"
//	@Router		/users [get]
func (a *api) listUsers(c echo.Context) error {
	users, err := a.Store.ListUsers(c.Request().Context())
	if err != nil {
		return err
	}
	out := UserList{Items: make([]User, len(users))}
	for i, u := range users {
		out.Items[i] = userOut(u)
	}
	return c.JSON(http.StatusOK, out)
}

// createUser godoc
//
//	@ID	createUser
//	@Summary		Create a user
//	@Description	Invites a person with a role and a first password to hand over; they can change it with POST /auth/password. Needs a login: API keys get 403.
//	@Tags			users
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			body	body		UserCreate	true	"The user"
//	@Success		201		{object}	User
//	@Failure		400		{object}	Problem	"Malformed body"
//	@Failure		401		{object}	Problem	"Missing or invalid token"
//	@Failure		403		{object}	Problem	"Not an admin, or called with an API key"
//	@Failure		409		{object}	Problem	"A user has this name"
//	@Failure		415		{object}	Problem	"Body is not JSON"
//	@Failure		422		{object}	Problem	"A field breaks a rule"
//	@Router			/users [post]
func (a *api) createUser(c echo.Context) error {
	var body UserCreate
	if err := decode(c, &body); err != nil {
		return err
	}
	var v target.ValidationError
	for _, f := range []target.FieldError{
		{Field: "username", Message: account.UsernameRule(body.Username)},
		{Field: "password", Message: account.PasswordRule(body.Password)},
		{Field: "role", Message: account.RoleRule(account.Role(body.Role))},
	} {
		if f.Message != "" {
			v.Fields = append(v.Fields, f)
		}
	}
	if len(v.Fields) > 0 {
		return &v
	}
	hash, err := a.Auth.HashPassword(body.Password)
	if err != nil {
		return invalid("password", err.Error())
	}
	u, err := a.Store.CreateUser(c.Request().Context(), account.User{Username: body.Username, PasswordHash: hash, Role: account.Role(body.Role)})
	if err != nil {
		return err
	}
	out := userOut(u)
	// No Location: users are read as a list (DESIGN has no GET /users/{id}).
	a.recordDiff(c, audit.Create, audit.KindUser, u.ID, u.Username, nil, out)
	return c.JSON(http.StatusCreated, out)
}

// updateUser godoc
//
//	@ID	updateUser
//	@Summary		Change a user
//	@Description	Changes a user's role, sets a new password (which ends every session they hold and deletes their API keys), or turns their two-factor login off. A role change applies to their next request. The last admin cannot be demoted. Your own password and two-factor login change through /auth, which ask for your password. Needs a login: API keys get 403.
//	@Tags			users
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		int			true	"User id"	minimum(1)
//	@Param			body	body		UserPatch	true	"The fields to change"
//	@Success		200		{object}	User
//	@Failure		400		{object}	Problem	"Malformed body or id"
//	@Failure		401		{object}	Problem	"Missing or invalid token"
//	@Failure		403		{object}	Problem	"Not an admin, or called with an API key"
//	@Failure		404		{object}	Problem	"No such user"
//	@Failure		409		{object}	Problem	"The last admin cannot be demoted (type ends in last-admin)"
//	@Failure		415		{object}	Problem	"Body is not JSON"
//	@Failure		422		{object}	Problem	"A field breaks a rule"
//	@Router			/users/{id} [patch]
func (a *api) updateUser(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body UserPatch
	if err := decode(c, &body); err != nil {
		return err
	}
	var ch store.UserChange
	changes := map[string]audit.Change{}
	ctx := c.Request().Context()
	before, err := a.Store.UserByID(ctx, id)
	if err != nil {
		return err
	}
	if body.Role != nil {
		if err := roleField("role", *body.Role); err != nil {
			return err
		}
		r := account.Role(*body.Role)
		ch.Role = &r
	}
	self := caller(c).User.ID == id
	if body.Password != nil {
		if self {
			// Here no current password is asked for: a stolen session must not take
			// the account over.
			return invalid("password", "change your own password with POST /auth/password")
		}
		if msg := account.PasswordRule(*body.Password); msg != "" {
			return invalid("password", msg)
		}
		hash, err := a.Auth.HashPassword(*body.Password)
		if err != nil {
			return invalid("password", err.Error())
		}
		ch.PasswordHash = &hash
		changes["password"] = audit.Change{Before: audit.Masked, After: audit.Masked}
	}
	if body.TOTPEnabled != nil {
		if *body.TOTPEnabled {
			return invalid("totp_enabled", "can only be turned off here; the user turns it on from their account")
		}
		if self {
			return invalid("totp_enabled", "turn your own two-factor login off with POST /auth/totp/disable")
		}
		ch.DisableTOTP = true
	}
	u, err := a.Store.UpdateUser(ctx, id, ch)
	if err != nil {
		return err
	}
	out := userOut(u)
	diff, err := audit.Diff(userOut(before), out, nil, nil)
	if err != nil {
		return err
	}
	for k, v := range diff {
		changes[k] = v
	}
	a.record(c, audit.Update, audit.KindUser, u.ID, u.Username, changes)
	return c.JSON(http.StatusOK, out)
}

// deleteUser godoc
//
//	@ID	deleteUser
//	@Summary		Delete a user
//	@Description	Removes the user with their API keys; every token they hold stops working at once. The last admin cannot be deleted. Needs a login: API keys get 403.
//	@Tags			users
//	@Security		BearerAuth
//	@Param			id	path	int	true	"User id"	minimum(1)
//	@Success		204
//	@Failure		400	{object}	Problem	"Bad id"
//	@Failure		401	{object}	Problem	"Missing or invalid token"
//	@Failure		403	{object}	Problem	"Not an admin, or called with an API key"
//	@Failure		404	{object}	Problem	"No such user"
//	@Failure		409	{object}	Problem	"The last admin cannot be deleted (type ends in last-admin)"
//	@Router			/users/{id} [delete]
func (a *api) deleteUser(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	before, err := a.Store.UserByID(ctx, id)
	if err != nil {
		return err
	}
	if err := a.Store.DeleteUser(ctx, id); err != nil {
		return err
	}
	a.recordDiff(c, audit.Delete, audit.KindUser, id, before.Username, userOut(before), nil)
	return c.NoContent(http.StatusNoContent)
}
