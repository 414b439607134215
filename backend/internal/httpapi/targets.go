package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/watchdog-monitor/watchdog/backend/internal/account"
	"github.com/watchdog-monitor/watchdog/backend/internal/audit"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// listTargets godoc
//
//	@ID	listTargets
//	@Summary		List targets
//	@Description	One page of targets ordered by name, with the total that match.
//	@Tags			targets
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			limit	query		int		false	"Page size"		default(50)	minimum(1)	maximum(500)
//	@Param			offset	query		int		false	"Items to skip"	default(0)	minimum(0)
//	@Param			q		query		string	false	"Substring of the name or URL, any case"
//	@Param			status	query		string	false	"up, down, unknown (active targets in that state), paused or active"	Enums(up, down, unknown, paused, active)
//	@Param			tag		query		string	false	"Only targets with this tag"
//	@Param			sort	query		string	false	"Order: name, status (down first, paused last), latency, checked (last check time) or cert_expiry (soonest first; none last); a leading - reverses"	Enums(name, -name, status, -status, latency, -latency, checked, -checked, cert_expiry, -cert_expiry)	default(name)
//	@Success		200		{object}	TargetList
//	@Failure		400		{object}	Problem	"Bad query parameter"
//	@Failure		401		{object}	Problem	"Missing or invalid token"
//	@Router			/targets [get]
func (a *api) listTargets(c echo.Context) error {
	limit, err := queryInt(c, "limit", 50, 1, 500)
	if err != nil {
		return err
	}
	offset, err := queryInt(c, "offset", 0, 0, 1<<31-1)
	if err != nil {
		return err
	}
	status := c.QueryParam("status")
	statuses := []string{"", string(target.StatusUp), string(target.StatusDown), string(target.StatusUnknown), target.FilterPaused, target.FilterActive}
	if !slices.Contains(statuses, status) {
		return badRequest("status", "must be one of up, down, unknown, paused, active")
	}
	sort := c.QueryParam("sort")
	if sort != "" && !slices.Contains(target.Sorts, sort) {
		return badRequest("sort", "must be one of %s", strings.Join(target.Sorts, ", "))
	}
	items, total, err := a.Store.ListTargets(c.Request().Context(), target.ListFilter{
		Limit: limit, Offset: offset, Query: strings.TrimSpace(c.QueryParam("q")), Status: status, Tag: c.QueryParam("tag"), Sort: sort,
	})
	if err != nil {
		return err
	}
	out := TargetList{Items: make([]Target, len(items)), Total: total, Limit: limit, Offset: offset}
	for i, t := range items {
		out.Items[i] = a.targetView(c, t)
	}
	return c.JSON(http.StatusOK, out)
}

// createTarget godoc
//
//	@ID	createTarget
//	@Summary		Create a target
//	@Description	Adds a URL to monitor; only url is required. A field left out takes its default; a field sent (0 or "" included) is validated as it is. A name left out is the URL's host, with " (2)", " (3)", ... added when another target has it; a given name that another target has, in any case, is a 409. An active target is checked within about a second. A URL whose host is a literal loopback, private or cloud-metadata address (in any form a browser reads: 127.1, 0x7f000001, an IPv6 zone) or whose port is outside 1-65535 is refused unless the operator allows private targets (link-local and metadata never).
//	@Tags			targets
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			body	body		TargetCreate	true	"The target"
//	@Success		201		{object}	Target
//	@Header			201		{string}	Location	"/api/v1/targets/{id}"
//	@Failure		400		{object}	Problem	"Malformed body, unknown field or wrong type"
//	@Failure		401		{object}	Problem	"Missing or invalid token"
//	@Failure		403		{object}	Problem	"Role below editor"
//	@Failure		413		{object}	Problem	"Body over 1 MiB"
//	@Failure		415		{object}	Problem	"Body is not JSON"
//	@Failure		409		{object}	Problem	"Another target has this name (names are unique in any case)"
//	@Failure		422		{object}	Problem	"A field breaks a rule; errors names it"
//	@Router			/targets [post]
func (a *api) createTarget(c echo.Context) error {
	var body TargetCreate
	if err := decode(c, &body); err != nil {
		return err
	}
	ctx := c.Request().Context()
	spec := body.spec()
	if body.ChannelIDs == nil {
		defaults, err := a.Store.DefaultChannelIDs(ctx)
		if err != nil {
			return err
		}
		spec.ChannelIDs = defaults
	}
	t, err := target.New(spec, a.Limits)
	if err != nil {
		return err
	}
	if err := a.channelsExist(ctx, t.ChannelIDs); err != nil {
		return err
	}
	created, err := a.Store.CreateTarget(ctx, t)
	if err != nil {
		return err
	}
	out, err := a.withBudgetWarning(c, created)
	if err != nil {
		return err
	}
	a.recordDiff(c, audit.Create, audit.KindTarget, created.ID, created.Name, nil, targetAudit(created), targetSecrets...)
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/targets/%d", created.ID))
	return c.JSON(http.StatusCreated, out)
}

// getTarget godoc
//
//	@ID	getTarget
//	@Summary	Get a target
//	@Description	One target with its last check's outcome. Credential headers are write-only: `secret_headers` names the ones set.
//	@Tags		targets
//	@Produce	json
//	@Security	BearerAuth
//	@Security	ApiKeyAuth
//	@Param		id	path		int	true	"Target id"	minimum(1)
//	@Success	200	{object}	Target
//	@Failure	400	{object}	Problem	"Bad id"
//	@Failure	401	{object}	Problem	"Missing or invalid token"
//	@Failure	404	{object}	Problem	"No such target"
//	@Router		/targets/{id} [get]
func (a *api) getTarget(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	t, err := a.Store.GetTarget(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a.targetView(c, t))
}

// updateTarget godoc
//
//	@ID	updateTarget
//	@Summary		Update a target
//	@Description	Changes only the fields sent. {"is_active": false} pauses the target; {"is_active": true} resumes it and checks it at once.
//	@Tags			targets
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id		path		int			true	"Target id"	minimum(1)
//	@Param			body	body		TargetPatch	true	"Fields to change"
//	@Success		200		{object}	Target
//	@Failure		400		{object}	Problem	"Malformed body, unknown field or wrong type"
//	@Failure		401		{object}	Problem	"Missing or invalid token"
//	@Failure		403		{object}	Problem	"Role below editor"
//	@Failure		404		{object}	Problem	"No such target"
//	@Failure		413		{object}	Problem	"Body over 1 MiB"
//	@Failure		415		{object}	Problem	"Body is not JSON"
//	@Failure		409		{object}	Problem	"Another target has this name (names are unique in any case)"
//	@Failure		422		{object}	Problem	"A field breaks a rule; errors names it"
//	@Router			/targets/{id} [patch]
func (a *api) updateTarget(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body TargetPatch
	if err := decode(c, &body); err != nil {
		return err
	}
	ctx := c.Request().Context()
	before, err := a.Store.GetTarget(ctx, id)
	if err != nil {
		return err
	}
	after, err := body.patch().Apply(before, a.Limits)
	if err != nil {
		return err
	}
	if err := a.channelsExist(ctx, after.ChannelIDs); err != nil {
		return err
	}
	updated, err := a.Store.UpdateTarget(ctx, before, after)
	if err != nil {
		return err
	}
	out, err := a.withBudgetWarning(c, updated)
	if err != nil {
		return err
	}
	a.recordDiff(c, audit.Update, audit.KindTarget, updated.ID, updated.Name, targetAudit(before), targetAudit(updated), targetSecrets...)
	return c.JSON(http.StatusOK, out)
}

// targetSecrets are a target's fields the audit log masks: headers often carry tokens.
var targetSecrets = []string{"headers"}

// targetAudit is the view the audit log compares: the API's, with every header, so
// that a changed credential is recorded (masked) although answers never show it.
func targetAudit(t target.Target) Target {
	out := targetOut(t)
	out.Headers = t.Headers
	return out
}

// skipVerifyWarning is the warning every target with tls_skip_verify carries.
const skipVerifyWarning = "tls_skip_verify is on: any certificate is accepted, so a man in the middle would go unnoticed; trust the service's CA with tls_ca_pem instead"

// targetView is the API form of t with its ping URL, and the warnings the server has
// about it: a keep-warm target on a platform whose host HTTP pings do not keep awake
// says so, as does a target that does not verify certificates.
func (a *api) targetView(c echo.Context, t target.Target) Target {
	out := targetOut(t)
	// The ping URL lets whoever holds it report the job done or failed: it is a
	// credential of the target, shown to those who may change the target (a viewer
	// could otherwise hide an outage with a ping).
	if t.Type == target.TypeHeartbeat && t.PingToken != "" && caller(c).Role.AtLeast(account.RoleEditor) {
		u := a.origin(c) + target.PingPath(t.PingToken)
		out.PingURL = &u
	}
	if p, ok := a.Platforms.Get(t.Platform); ok && t.KeepWarm {
		if w := p.Warning(); w != "" {
			out.Warnings = append(out.Warnings, w)
		}
	}
	if t.TLSSkipVerify {
		out.Warnings = append(out.Warnings, skipVerifyWarning)
	}
	return out
}

// origin is where clients reach this server: PUBLIC_URL when set, else the scheme and
// host the request says it came in on (a proxy's X-Forwarded-Proto included). Only the
// caller sees the answer, so a forged header misleads no one but its sender.
func (a *api) origin(c echo.Context) string {
	if a.PublicURL != "" {
		return strings.TrimSuffix(a.PublicURL, "/")
	}
	return c.Scheme() + "://" + c.Request().Host
}

// withBudgetWarning is targetView plus, for a keep-warm target whose budget group's
// plan does not fit its free hours, a warning saying by how much.
func (a *api) withBudgetWarning(c echo.Context, t target.Target) (Target, error) {
	ctx := c.Request().Context()
	out := a.targetView(c, t)
	if !t.KeepWarm || t.BudgetGroup == "" {
		return out, nil
	}
	_, why, err := a.overBudget(ctx, t.BudgetGroup)
	if err != nil {
		return out, err
	}
	if why != "" {
		out.Warnings = append(out.Warnings, why)
	}
	return out, nil
}

// channelsExist is a 422 naming channel_ids when one of ids is not a channel.
func (a *api) channelsExist(ctx context.Context, ids []int64) error {
	missing, err := a.Store.MissingChannels(ctx, ids)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return &target.ValidationError{Fields: []target.FieldError{{Field: "channel_ids",
			Message: fmt.Sprintf("channel %d does not exist", missing[0])}}}
	}
	return nil
}

// deleteTarget godoc
//
//	@ID	deleteTarget
//	@Summary	Delete a target
//	@Description	Deletes the target: it is no longer checked, and its id answers 404 from then on.
//	@Tags		targets
//	@Security	BearerAuth
//	@Security	ApiKeyAuth
//	@Param		id	path	int	true	"Target id"	minimum(1)
//	@Success	204
//	@Failure	400	{object}	Problem	"Bad id"
//	@Failure	401	{object}	Problem	"Missing or invalid token"
//	@Failure	403	{object}	Problem	"Role below editor"
//	@Failure	404	{object}	Problem	"No such target"
//	@Router		/targets/{id} [delete]
func (a *api) deleteTarget(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	before, err := a.Store.GetTarget(ctx, id)
	if err != nil {
		return err
	}
	if err := a.Store.DeleteTarget(ctx, id); err != nil {
		return err
	}
	a.recordDiff(c, audit.Delete, audit.KindTarget, id, before.Name, targetAudit(before), nil, targetSecrets...)
	if a.Metrics != nil {
		a.Metrics.ForgetTarget(id)
	}
	return c.NoContent(http.StatusNoContent)
}

// checkNowBudget bounds a check run on request: someone is waiting for the answer.
const checkNowBudget = 60 * time.Second

// checkNow godoc
//
//	@ID	checkTarget
//	@Summary		Check a target now
//	@Description	Runs one check at once (also of a paused target), records it and returns it. Retries that would take it past 60 s are left out. The schedule is not changed.
//	@Tags			targets
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		int	true	"Target id"	minimum(1)
//	@Success		200	{object}	Check
//	@Failure		400	{object}	Problem	"Bad id"
//	@Failure		401	{object}	Problem	"Missing or invalid token"
//	@Failure		403	{object}	Problem	"Role below editor"
//	@Failure		404	{object}	Problem	"No such target"
//	@Failure		409	{object}	Problem	"A heartbeat is not checked: it is pinged"
//	@Router			/targets/{id}/check [post]
func (a *api) checkNow(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	t, err := a.Store.GetTarget(c.Request().Context(), id)
	if err != nil {
		return err
	}
	// The probe never lets a check outlast its interval, retries included, so a
	// shorter interval is all it takes to bound the wait.
	t.IntervalSeconds = min(t.IntervalSeconds, int(checkNowBudget.Seconds()))
	t.TimeoutSeconds = min(t.TimeoutSeconds, t.IntervalSeconds)
	chk, err := a.Checks.CheckNow(c.Request().Context(), t)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, checkOut(chk))
}
