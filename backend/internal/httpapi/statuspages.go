package httpapi

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/watchdog-monitor/watchdog/backend/internal/audit"
	"github.com/watchdog-monitor/watchdog/backend/internal/statuspage"
)

// StatusPage is a public status page's settings.
type StatusPage struct {
	ID int64 `json:"id" validate:"required" example:"1"`
	// Slug is the page's address: /status/{slug} in the dashboard.
	Slug        string `json:"slug" validate:"required" example:"acme"`
	Title       string `json:"title" validate:"required" example:"Acme status"`
	Description string `json:"description" validate:"required" example:"Our public services."`
	// TargetIDs are the targets shown, in order; only these get public badges.
	TargetIDs []int64   `json:"target_ids" validate:"required"`
	CreatedAt time.Time `json:"created_at" validate:"required" format:"date-time"`
	UpdatedAt time.Time `json:"updated_at" validate:"required" format:"date-time"`
} // @name StatusPage

// StatusPageCreate is the body of POST /status-pages.
type StatusPageCreate struct {
	Slug        string  `json:"slug" validate:"required" maxLength:"64" pattern:"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$" example:"acme"`
	Title       string  `json:"title" validate:"required" maxLength:"100" example:"Acme status"`
	Description string  `json:"description,omitempty" maxLength:"2000" example:"Our public services."`
	TargetIDs   []int64 `json:"target_ids,omitempty"`
} // @name StatusPageCreate

// StatusPagePatch is the body of PATCH /status-pages/{id}; target_ids replaces the
// list.
type StatusPagePatch struct {
	Slug        *string  `json:"slug,omitempty" maxLength:"64" pattern:"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$"`
	Title       *string  `json:"title,omitempty" maxLength:"100"`
	Description *string  `json:"description,omitempty" maxLength:"2000"`
	TargetIDs   *[]int64 `json:"target_ids,omitempty"`
} // @name StatusPagePatch

// StatusPageList is every status page, by slug.
type StatusPageList struct {
	Items []StatusPage `json:"items" validate:"required"`
} // @name StatusPageList

func statusPageOut(p statuspage.Page) StatusPage {
	return StatusPage{ID: p.ID, Slug: p.Slug, Title: p.Title, Description: p.Description, TargetIDs: p.TargetIDs,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

// listStatusPages godoc
//
//	@ID	listStatusPages
//	@Summary	List status pages
//	@Description	Every status page, with the targets each shows.
//	@Tags		status-pages
//	@Produce	json
//	@Security	BearerAuth
//	@Security	ApiKeyAuth
//	@Success	200	{object}	StatusPageList
//	@Failure	401	{object}	Problem	"Missing or invalid token"
//	@Router		/status-pages [get]
func (a *api) listStatusPages(c echo.Context) error {
	pages, err := a.Store.ListStatusPages(c.Request().Context())
	if err != nil {
		return err
	}
	out := StatusPageList{Items: make([]StatusPage, len(pages))}
	for i, p := range pages {
		out.Items[i] = statusPageOut(p)
	}
	return c.JSON(http.StatusOK, out)
}

// createStatusPage godoc
//
//	@ID	createStatusPage
//	@Summary		Create a status page
//	@Description	Publishes the listed targets' names, states and uptime (never their URLs, headers or errors) at GET /public/status-pages/{slug}, and lets them have badges.
//	@Tags			status-pages
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			body	body		StatusPageCreate	true	"The page"
//	@Success		201		{object}	StatusPage
//	@Header			201		{string}	Location	"/api/v1/status-pages/{id}"
//	@Failure		400		{object}	Problem	"Malformed body"
//	@Failure		401		{object}	Problem	"Missing or invalid token"
//	@Failure		403		{object}	Problem	"Role below editor"
//	@Failure		409		{object}	Problem	"A page has this slug"
//	@Failure		415		{object}	Problem	"Body is not JSON"
//	@Failure		422		{object}	Problem	"A field breaks a rule; target_ids[i] names an unknown target"
//	@Router			/status-pages [post]
func (a *api) createStatusPage(c echo.Context) error {
	var body StatusPageCreate
	if err := decode(c, &body); err != nil {
		return err
	}
	p := statuspage.Page{Slug: body.Slug, Title: body.Title, Description: body.Description, TargetIDs: body.TargetIDs}
	if p.TargetIDs == nil {
		p.TargetIDs = []int64{}
	}
	if err := p.Validate(); err != nil {
		return err
	}
	p, err := a.Store.CreateStatusPage(c.Request().Context(), p)
	if err != nil {
		return err
	}
	out := statusPageOut(p)
	a.public.reset()
	a.recordDiff(c, audit.Create, audit.KindStatusPage, p.ID, p.Slug, nil, out)
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/status-pages/%d", p.ID))
	return c.JSON(http.StatusCreated, out)
}

// getStatusPage godoc
//
//	@ID	getStatusPage
//	@Summary	Get a status page
//	@Description	One status page, with the targets it shows. Its public view is GET /public/status-pages/{slug}.
//	@Tags		status-pages
//	@Produce	json
//	@Security	BearerAuth
//	@Security	ApiKeyAuth
//	@Param		id	path		int	true	"Status page id"	minimum(1)
//	@Success	200	{object}	StatusPage
//	@Failure	400	{object}	Problem	"Bad id"
//	@Failure	401	{object}	Problem	"Missing or invalid token"
//	@Failure	404	{object}	Problem	"No such page"
//	@Router		/status-pages/{id} [get]
func (a *api) getStatusPage(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	p, err := a.Store.StatusPage(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, statusPageOut(p))
}

// updateStatusPage godoc
//
//	@ID	updateStatusPage
//	@Summary	Change a status page
//	@Description	Changes the fields sent and keeps the rest; `target_ids`, when sent, replaces the list of targets shown.
//	@Tags		status-pages
//	@Accept		json
//	@Produce	json
//	@Security	BearerAuth
//	@Security	ApiKeyAuth
//	@Param		id		path		int				true	"Status page id"	minimum(1)
//	@Param		body	body		StatusPagePatch	true	"The fields to change"
//	@Success	200		{object}	StatusPage
//	@Failure	400		{object}	Problem	"Malformed body or id"
//	@Failure	401		{object}	Problem	"Missing or invalid token"
//	@Failure	403		{object}	Problem	"Role below editor"
//	@Failure	404		{object}	Problem	"No such page"
//	@Failure	409		{object}	Problem	"Another page has this slug"
//	@Failure	415		{object}	Problem	"Body is not JSON"
//	@Failure	422		{object}	Problem	"A field breaks a rule"
//	@Router		/status-pages/{id} [patch]
func (a *api) updateStatusPage(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body StatusPagePatch
	if err := decode(c, &body); err != nil {
		return err
	}
	ctx := c.Request().Context()
	before, err := a.Store.StatusPage(ctx, id)
	if err != nil {
		return err
	}
	p := before
	if body.Slug != nil {
		p.Slug = *body.Slug
	}
	if body.Title != nil {
		p.Title = *body.Title
	}
	if body.Description != nil {
		p.Description = *body.Description
	}
	if body.TargetIDs != nil {
		p.TargetIDs = *body.TargetIDs
		if p.TargetIDs == nil {
			p.TargetIDs = []int64{}
		}
	}
	if err := p.Validate(); err != nil {
		return err
	}
	p, err = a.Store.UpdateStatusPage(ctx, p)
	if err != nil {
		return err
	}
	out := statusPageOut(p)
	a.public.reset()
	a.recordDiff(c, audit.Update, audit.KindStatusPage, p.ID, p.Slug, statusPageOut(before), out)
	return c.JSON(http.StatusOK, out)
}

// deleteStatusPage godoc
//
//	@ID	deleteStatusPage
//	@Summary		Delete a status page
//	@Description	The public page and the badges of targets on no other page stop answering.
//	@Tags			status-pages
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path	int	true	"Status page id"	minimum(1)
//	@Success		204
//	@Failure		400	{object}	Problem	"Bad id"
//	@Failure		401	{object}	Problem	"Missing or invalid token"
//	@Failure		403	{object}	Problem	"Role below editor"
//	@Failure		404	{object}	Problem	"No such page"
//	@Router			/status-pages/{id} [delete]
func (a *api) deleteStatusPage(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	before, err := a.Store.StatusPage(ctx, id)
	if err != nil {
		return err
	}
	if err := a.Store.DeleteStatusPage(ctx, id); err != nil {
		return err
	}
	a.public.reset()
	a.recordDiff(c, audit.Delete, audit.KindStatusPage, id, before.Slug, statusPageOut(before), nil)
	return c.NoContent(http.StatusNoContent)
}
