package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/watchdog-monitor/watchdog/backend/internal/audit"
)

// AuditEntry is one recorded change.
type AuditEntry struct {
	ID int64     `json:"id" validate:"required" example:"12"`
	At time.Time `json:"at" validate:"required" format:"date-time"`
	// ActorID is the user who acted (their id stays after they are deleted; null only
	// for a change no user made).
	ActorID *int64 `json:"actor_id" validate:"required" extensions:"x-nullable" example:"1"`
	// Actor is the user's name, with the API key's when one was used.
	Actor  string `json:"actor" validate:"required" example:"admin"`
	Action string `json:"action" validate:"required" enums:"create,update,delete" example:"update"`
	Kind   string `json:"kind" validate:"required" enums:"target,channel,user,api_key,status_page,config" example:"target"`
	// ObjectID is the changed object's id.
	ObjectID   *int64 `json:"object_id" validate:"required" extensions:"x-nullable" example:"3"`
	ObjectName string `json:"object_name" validate:"required" example:"shop-api"`
	// Changes holds each changed field's value before and after; secrets read
	// "********", and before is left out on a create, after on a delete.
	Changes map[string]AuditChange `json:"changes" validate:"required"`
} // @name AuditEntry

// AuditChange is one field's value before and after a change; a side is left out
// where the object did not exist (a create, a delete) or the value was null.
type AuditChange struct {
	Before any `json:"before,omitempty"`
	After  any `json:"after,omitempty"`
} // @name AuditChange

// AuditList is one page of the audit log, newest first.
type AuditList struct {
	Items  []AuditEntry `json:"items" validate:"required"`
	Total  int          `json:"total" validate:"required" example:"120"`
	Limit  int          `json:"limit" validate:"required" example:"50"`
	Offset int          `json:"offset" validate:"required" example:"0"`
} // @name AuditList

// listAudit godoc
//
//	@ID	listAudit
//	@Summary		Read the audit log
//	@Description	Who created, changed or deleted what, and when, newest first. Kept for AUDIT_RETENTION (a year by default).
//	@Tags			audit
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			limit	query		int		false	"Page size"		default(50)	minimum(1)	maximum(500)
//	@Param			offset	query		int		false	"Items to skip"	default(0)	minimum(0)
//	@Param			kind	query		string	false	"Only changes of this kind of object"	Enums(target,channel,user,api_key,status_page,config)
//	@Success		200		{object}	AuditList
//	@Failure		400		{object}	Problem	"Bad query parameter"
//	@Failure		401		{object}	Problem	"Missing or invalid token"
//	@Failure		403		{object}	Problem	"Not an admin"
//	@Router			/audit [get]
func (a *api) listAudit(c echo.Context) error {
	limit, err := queryInt(c, "limit", 50, 1, 500)
	if err != nil {
		return err
	}
	offset, err := queryInt(c, "offset", 0, 0, 1<<30)
	if err != nil {
		return err
	}
	kind := c.QueryParam("kind")
	switch kind {
	case "", audit.KindTarget, audit.KindChannel, audit.KindUser, audit.KindAPIKey, audit.KindStatusPage, audit.KindConfig:
	default:
		return badRequest("kind", "must be one of target, channel, user, api_key, status_page, config")
	}
	entries, total, err := a.Store.ListAudit(c.Request().Context(), audit.Filter{Kind: kind, Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	out := AuditList{Items: make([]AuditEntry, len(entries)), Total: total, Limit: limit, Offset: offset}
	for i, e := range entries {
		changes := make(map[string]AuditChange, len(e.Changes))
		for k, ch := range e.Changes {
			changes[k] = AuditChange(ch)
		}
		out.Items[i] = AuditEntry{ID: e.ID, At: e.At, ActorID: e.ActorID, Actor: e.Actor, Action: e.Action, Kind: e.Kind,
			ObjectID: e.ObjectID, ObjectName: e.ObjectName, Changes: changes}
	}
	return c.JSON(http.StatusOK, out)
}

// record writes an audit entry for a change the caller just made. The change has
// already committed, so a failure to record is logged, not answered: the caller's
// request succeeded.
func (a *api) record(c echo.Context, action, kind string, id int64, name string, changes map[string]audit.Change) {
	if action == audit.Update && len(changes) == 0 {
		return // a PATCH that changed nothing is not a change
	}
	p := caller(c)
	actor := p.User.ID
	e := audit.Entry{At: time.Now(), ActorID: &actor, Actor: p.Name(), Action: action, Kind: kind,
		ObjectName: name, Changes: changes}
	if id != 0 {
		e.ObjectID = &id
	}
	// Not the request's context: a client hanging up must not cancel the record.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request().Context()), 5*time.Second)
	defer cancel()
	if err := a.Store.AddAudit(ctx, e); err != nil {
		a.Log.Error("write audit entry", "request_id", c.Response().Header().Get(echo.HeaderXRequestID),
			"kind", kind, objectKey(kind), id, "action", action, "err", err)
	}
}

// recordDiff records the fields that differ between the views before and after a
// change (either nil for a create or a delete), secret fields masked.
func (a *api) recordDiff(c echo.Context, action, kind string, id int64, name string, before, after any, secret ...string) {
	changes, err := audit.Diff(before, after, secret, []string{"id", "updated_at", "created_at", "last_status",
		"last_checked_at", "last_latency_ms", "last_status_code", "last_error", "next_check_at", "warnings", "last_used_at"})
	if err != nil {
		a.Log.Error("audit diff", "kind", kind, objectKey(kind), id, "err", err)
	}
	a.record(c, action, kind, id, name, changes)
}

// objectKey is the log key for the id of an object of kind: target_id and channel_id,
// as every other line about a target or a channel names it, else object_id.
func objectKey(kind string) string {
	switch kind {
	case audit.KindTarget:
		return "target_id"
	case audit.KindChannel:
		return "channel_id"
	}
	return "object_id"
}
