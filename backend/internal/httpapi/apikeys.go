package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"

	"github.com/watchdog-monitor/watchdog/backend/internal/account"
	"github.com/watchdog-monitor/watchdog/backend/internal/audit"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// APIKey is a key for scripts and SDKs, listed without the key itself.
type APIKey struct {
	ID   int64  `json:"id" validate:"required" example:"4"`
	Name string `json:"name" validate:"required" example:"deploy-script"`
	Role string `json:"role" validate:"required" enums:"admin,editor,viewer" example:"editor"`
	// Prefix is the key's first characters, to tell keys apart.
	Prefix string `json:"prefix" validate:"required" example:"wd_3kTq9ZbW"`
	// UserID and Username say whose key it is; it acts as them, with at most their role.
	UserID   int64  `json:"user_id" validate:"required" example:"1"`
	Username string `json:"username" validate:"required" example:"admin"`
	// ExpiresAt is null for a key that does not expire.
	ExpiresAt *time.Time `json:"expires_at" validate:"required" extensions:"x-nullable" format:"date-time"`
	// LastUsedAt is written in batches, so it can be some seconds behind.
	LastUsedAt *time.Time `json:"last_used_at" validate:"required" extensions:"x-nullable" format:"date-time"`
	CreatedAt  time.Time  `json:"created_at" validate:"required" format:"date-time"`
} // @name APIKey

// APIKeyCreated is a new key, with the key itself shown this once.
type APIKeyCreated struct {
	ID     int64  `json:"id" validate:"required" example:"4"`
	Name   string `json:"name" validate:"required" example:"deploy-script"`
	Role   string `json:"role" validate:"required" enums:"admin,editor,viewer" example:"editor"`
	Prefix string `json:"prefix" validate:"required" example:"wd_3kTq9ZbW"`
	// Key is sent as Authorization: Bearer <key>. It is not stored and cannot be shown again.
	Key       string     `json:"key" validate:"required" example:"wd_3kTq9ZbWc1V2rS8Yx0dLmN4pQ7aHfE6gJ5uK2bT9wXz"`
	ExpiresAt *time.Time `json:"expires_at" validate:"required" extensions:"x-nullable" format:"date-time"`
	CreatedAt time.Time  `json:"created_at" validate:"required" format:"date-time"`
} // @name APIKeyCreated

// APIKeyCreate is the body of POST /api-keys.
type APIKeyCreate struct {
	Name string `json:"name" validate:"required" maxLength:"100" example:"deploy-script"`
	// Role is at most the creator's.
	Role string `json:"role" validate:"required" enums:"admin,editor,viewer" example:"editor"`
	// ExpiresAt, when set, must be in the future; left out or null, the key does not
	// expire.
	ExpiresAt *time.Time `json:"expires_at,omitempty" extensions:"x-nullable" format:"date-time"`
} // @name APIKeyCreate

// APIKeyList is a page of keys, newest first.
type APIKeyList struct {
	Items []APIKey `json:"items" validate:"required"`
} // @name APIKeyList

func apiKeyOut(k account.APIKey) APIKey {
	return APIKey{ID: k.ID, Name: k.Name, Role: string(k.Role), Prefix: k.Prefix, UserID: k.UserID, Username: k.Username,
		ExpiresAt: k.ExpiresAt, LastUsedAt: k.LastUsedAt, CreatedAt: k.CreatedAt}
}

// keysOwner is whose keys the caller manages: an admin all, anyone else their own.
func keysOwner(c echo.Context) int64 {
	if p := caller(c); p.Role != account.RoleAdmin {
		return p.User.ID
	}
	return 0
}

// listAPIKeys godoc
//
//	@ID	listAPIKeys
//	@Summary		List API keys
//	@Description	The caller's keys; an admin sees everyone's. The keys themselves are never shown again.
//	@Tags			api-keys
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Success		200	{object}	APIKeyList
//	@Failure		401	{object}	Problem	"Missing or invalid token"
//	@Router			/api-keys [get]
func (a *api) listAPIKeys(c echo.Context) error {
	keys, err := a.Store.ListAPIKeys(c.Request().Context(), keysOwner(c))
	if err != nil {
		return err
	}
	out := APIKeyList{Items: make([]APIKey, len(keys))}
	for i, k := range keys {
		out.Items[i] = apiKeyOut(k)
	}
	return c.JSON(http.StatusOK, out)
}

const maxKeyName = 100

// createAPIKey godoc
//
//	@ID	createAPIKey
//	@Summary		Create an API key
//	@Description	Makes a key acting as the caller with at most the caller's role. The answer holds the key this once; only its hash is kept. Send it as Authorization: Bearer <key>. Keys cannot make keys: log in to do this.
//	@Tags			api-keys
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			body	body		APIKeyCreate	true	"The key"
//	@Success		201		{object}	APIKeyCreated
//	@Failure		400		{object}	Problem	"Malformed body"
//	@Failure		401		{object}	Problem	"Missing or invalid token"
//	@Failure		403		{object}	Problem	"Called with an API key"
//	@Failure		415		{object}	Problem	"Body is not JSON"
//	@Failure		422		{object}	Problem	"A field breaks a rule, e.g. a role above the caller's"
//	@Router			/api-keys [post]
func (a *api) createAPIKey(c echo.Context) error {
	var body APIKeyCreate
	if err := decode(c, &body); err != nil {
		return err
	}
	p := caller(c)
	var v target.ValidationError
	switch name := strings.TrimSpace(body.Name); {
	case name == "":
		v.Fields = append(v.Fields, target.FieldError{Field: "name", Message: "is required"})
	case len(body.Name) > maxKeyName || strings.IndexFunc(body.Name, unicode.IsControl) >= 0:
		v.Fields = append(v.Fields, target.FieldError{Field: "name", Message: fmt.Sprintf("must be at most %d printable characters", maxKeyName)})
	}
	role := account.Role(body.Role)
	switch {
	case !role.Valid():
		v.Fields = append(v.Fields, target.FieldError{Field: "role", Message: "must be one of admin, editor, viewer"})
	case !p.Role.AtLeast(role):
		v.Fields = append(v.Fields, target.FieldError{Field: "role", Message: "cannot be above your own role, " + string(p.Role)})
	}
	if body.ExpiresAt != nil && !body.ExpiresAt.After(time.Now()) {
		v.Fields = append(v.Fields, target.FieldError{Field: "expires_at", Message: "must be in the future"})
	}
	if len(v.Fields) > 0 {
		return &v
	}
	key, prefix, hash := account.NewKey()
	k, err := a.Store.CreateAPIKey(c.Request().Context(), account.APIKey{UserID: p.User.ID, Username: p.User.Username,
		Name: body.Name, Role: role, Prefix: prefix, Hash: hash, ExpiresAt: body.ExpiresAt})
	if err != nil {
		return err
	}
	a.recordDiff(c, audit.Create, audit.KindAPIKey, k.ID, k.Name, nil, apiKeyOut(k))
	return c.JSON(http.StatusCreated, APIKeyCreated{ID: k.ID, Name: k.Name, Role: string(k.Role), Prefix: k.Prefix,
		Key: key, ExpiresAt: k.ExpiresAt, CreatedAt: k.CreatedAt})
}

// deleteAPIKey godoc
//
//	@ID	deleteAPIKey
//	@Summary		Delete an API key
//	@Description	The key stops working at once. Anyone may delete their own keys, an admin anyone's; a key can delete itself.
//	@Tags			api-keys
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path	int	true	"Key id"	minimum(1)
//	@Success		204
//	@Failure		400	{object}	Problem	"Bad id"
//	@Failure		401	{object}	Problem	"Missing or invalid token"
//	@Failure		404	{object}	Problem	"No such key of yours"
//	@Router			/api-keys/{id} [delete]
func (a *api) deleteAPIKey(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	k, err := a.Store.DeleteAPIKey(c.Request().Context(), id, keysOwner(c))
	if err != nil {
		return err
	}
	a.recordDiff(c, audit.Delete, audit.KindAPIKey, k.ID, k.Name, apiKeyOut(k), nil)
	return c.NoContent(http.StatusNoContent)
}
