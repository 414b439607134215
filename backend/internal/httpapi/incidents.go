package httpapi

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// Incident is a period in which a target was down (or, for keep-warm, let go cold).
type Incident struct {
	ID       int64  `json:"id" validate:"required" example:"7"`
	TargetID int64  `json:"target_id" validate:"required" example:"1"`
	Kind     string `json:"kind" validate:"required" enums:"down,warm_gap,cert_expiry" example:"down"`
	// StartedAt is the first failed check of the run that opened it.
	StartedAt time.Time `json:"started_at" validate:"required" format:"date-time"`
	// ResolvedAt is null while it is open.
	ResolvedAt *time.Time `json:"resolved_at" validate:"required" extensions:"x-nullable" format:"date-time"`
	Cause      string     `json:"cause" validate:"required" example:"3 failed checks in a row"`
	FirstError string     `json:"first_error" validate:"required" example:"unexpected status 503 (expected 200-399)"`
	LastError  string     `json:"last_error" validate:"required" example:"connection refused"`
} // @name Incident

// IncidentList is one page of incidents, newest first.
type IncidentList struct {
	Items  []Incident `json:"items" validate:"required"`
	Total  int        `json:"total" validate:"required" example:"3"`
	Limit  int        `json:"limit" validate:"required" example:"50"`
	Offset int        `json:"offset" validate:"required" example:"0"`
} // @name IncidentList

func incidentOut(i target.Incident) Incident {
	return Incident{ID: i.ID, TargetID: i.TargetID, Kind: i.Kind, StartedAt: i.StartedAt, ResolvedAt: i.ResolvedAt,
		Cause: i.Cause, FirstError: i.FirstError, LastError: i.LastError}
}

// listIncidents godoc
//
//	@ID	listIncidents
//	@Summary	List incidents
//	@Description	Every target's incidents, newest first.
//	@Tags		incidents
//	@Produce	json
//	@Security	BearerAuth
//	@Security	ApiKeyAuth
//	@Param		limit	query		int		false	"Page size"		default(50)	minimum(1)	maximum(500)
//	@Param		offset	query		int		false	"Items to skip"	default(0)	minimum(0)
//	@Param		open	query		bool	false	"Only unresolved incidents"
//	@Success	200		{object}	IncidentList
//	@Failure	400		{object}	Problem	"Bad query parameter"
//	@Failure	401		{object}	Problem	"Missing or invalid token"
//	@Router		/incidents [get]
func (a *api) listIncidents(c echo.Context) error {
	return a.incidents(c, 0)
}

// targetIncidents godoc
//
//	@ID	listTargetIncidents
//	@Summary	List a target's incidents
//	@Description	The target's incidents, newest first.
//	@Tags		incidents
//	@Produce	json
//	@Security	BearerAuth
//	@Security	ApiKeyAuth
//	@Param		id		path		int		true	"Target id"	minimum(1)
//	@Param		limit	query		int		false	"Page size"		default(50)	minimum(1)	maximum(500)
//	@Param		offset	query		int		false	"Items to skip"	default(0)	minimum(0)
//	@Param		open	query		bool	false	"Only unresolved incidents"
//	@Success	200		{object}	IncidentList
//	@Failure	400		{object}	Problem	"Bad id or query parameter"
//	@Failure	401		{object}	Problem	"Missing or invalid token"
//	@Failure	404		{object}	Problem	"No such target"
//	@Router		/targets/{id}/incidents [get]
func (a *api) targetIncidents(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := a.exists(c.Request().Context(), id); err != nil {
		return err
	}
	return a.incidents(c, id)
}

func (a *api) incidents(c echo.Context, targetID int64) error {
	limit, err := queryInt(c, "limit", 50, 1, 500)
	if err != nil {
		return err
	}
	offset, err := queryInt(c, "offset", 0, 0, 1<<31-1)
	if err != nil {
		return err
	}
	open, err := queryBool(c, "open")
	if err != nil {
		return err
	}
	items, total, err := a.Store.ListIncidents(c.Request().Context(),
		target.IncidentFilter{TargetID: targetID, Open: open, Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	out := IncidentList{Items: make([]Incident, len(items)), Total: total, Limit: limit, Offset: offset}
	for i, inc := range items {
		out.Items[i] = incidentOut(inc)
	}
	return c.JSON(http.StatusOK, out)
}
