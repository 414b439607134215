package httpapi

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/watchdog-monitor/watchdog/backend/internal/manifest"
)

// ApplyReport says what applying a configuration did, or would do in a dry run.
type ApplyReport struct {
	DryRun bool        `json:"dry_run" validate:"required" example:"false"`
	Items  []ApplyItem `json:"items" validate:"required"`
} // @name ApplyReport

// ApplyItem is what happened to one object.
type ApplyItem struct {
	Kind   string `json:"kind" validate:"required" enums:"channel,target,status_page" example:"target"`
	Name   string `json:"name" validate:"required" example:"shop-api"`
	Action string `json:"action" validate:"required" enums:"created,updated,unchanged,deleted" example:"created"`
} // @name ApplyItem

// exportConfig godoc
//
//	@ID	exportConfig
//	@Summary		Export the configuration
//	@Description	Every channel, target and status page as a YAML document that POST /config/apply (or `watchdog apply -f`) takes back. Secrets are ${ENV_NAME} references; the comment at the top names the variables to set. The document's JSON Schema is docs/watchdog.schema.json.
//	@Tags			config
//	@Produce		application/yaml
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Success		200	{string}	string	"The document, YAML"
//	@Failure		401	{object}	Problem	"Missing or invalid token"
//	@Router			/config/export [get]
func (a *api) exportConfig(c echo.Context) error {
	doc, secrets, err := manifest.Export(c.Request().Context(), a.Store)
	if err != nil {
		return err
	}
	out, err := manifest.Marshal(doc, secrets)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "application/yaml", out)
}

// applyConfig godoc
//
//	@ID	applyConfig
//	@Summary		Apply a configuration
//	@Description	Makes the channels, targets and status pages match the document (YAML or JSON), matching objects by name (slug for pages), in one transaction: a document with any error changes nothing, and the problem lists every error at once, each with its field (targets[2].interval_seconds), line and column. The body may also be the same document as JSON (application/json). Applying the same document twice changes nothing the second time. ${WATCHDOG_…} references are read from the server's environment (no other names: the server's own settings stay out of reach), and each only into the secret field export wrote it for (a channel's secret setting, a target's credential header); anywhere else a reference is a 422 naming its line.
//	@Tags			config
//	@Accept			application/yaml
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			dry_run	query		bool	false	"Report what would change and change nothing"
//	@Param			prune	query		bool	false	"Delete the objects the document does not have"
//	@Param			body	body		string	true	"The document"
//	@Success		200		{object}	ApplyReport
//	@Failure		400		{object}	Problem	"Bad query parameter, or a body that broke off"
//	@Failure		401		{object}	Problem	"Missing or invalid token"
//	@Failure		403		{object}	Problem	"Role below editor"
//	@Failure		413		{object}	Problem	"Body over 1 MiB"
//	@Failure		415		{object}	Problem	"Body is neither YAML nor JSON"
//	@Failure		422		{object}	Problem	"The document breaks rules: errors[] lists each, with field, line and column"
//	@Router			/config/apply [post]
func (a *api) applyConfig(c echo.Context) error {
	dryRun, err := queryBool(c, "dry_run")
	if err != nil {
		return err
	}
	prune, err := queryBool(c, "prune")
	if err != nil {
		return err
	}
	if ct := c.Request().Header.Get(echo.HeaderContentType); ct != "" {
		mt, _, _ := mime.ParseMediaType(ct)
		switch mt {
		case "application/yaml", "application/x-yaml", "text/yaml", "application/json", "text/plain":
		default:
			return &problem{status: http.StatusUnsupportedMediaType, slug: "unsupported-media-type",
				title: "Unsupported media type", detail: "send the document as application/yaml or application/json"}
		}
	}
	doc, err := manifest.Parse(http.MaxBytesReader(c.Response(), c.Request().Body, MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return echo.ErrStatusRequestEntityTooLarge
		}
		var le *manifest.LineError
		if !errors.As(err, &le) {
			// The upload broke off or timed out: the client's connection, which must
			// not read as the database's (a 503 that marks this replica not ready).
			return badRequest("body", "could not be read to its end")
		}
		return lineProblem(err)
	}
	p := caller(c)
	actorID := p.User.ID
	// The audit entries are written in the apply's transaction (manifest.Apply).
	report, err := doc.Apply(c.Request().Context(), a.Store, manifest.ApplyOptions{
		Prune: prune, DryRun: dryRun, Limits: a.Limits, Notify: a.Notify, EnvPrefix: "WATCHDOG_", Env: a.Env,
		Actor: p.Name(), ActorID: &actorID})
	if err != nil {
		return lineProblem(err)
	}
	out := ApplyReport{DryRun: report.DryRun, Items: make([]ApplyItem, len(report.Items))}
	for i, it := range report.Items {
		out.Items[i] = ApplyItem{Kind: it.Kind, Name: it.Name, Action: it.Action}
		if it.Kind == "target" && it.Action == manifest.Deleted && !dryRun && a.Metrics != nil {
			a.Metrics.ForgetTarget(it.ID)
		}
	}
	if !dryRun {
		a.public.reset()
	}
	return c.JSON(http.StatusOK, out)
}

// lineProblem answers a document's errors as one 422 naming, for each, its field,
// line and column; the detail reads as the command line prints them.
func lineProblem(err error) error {
	all := manifest.List(err)
	if len(all) == 0 {
		return err
	}
	fields := make([]FieldProblem, len(all))
	details := make([]string, len(all))
	for i, le := range all {
		field := le.Path
		if field == "" {
			field = "body"
		}
		fields[i] = FieldProblem{Field: field, Message: le.Msg, Line: le.Line, Column: le.Column}
		details[i] = le.Error()
	}
	if more := manifest.Omitted(err); more > 0 {
		// Said in the detail only: errors[] holds errors, each with its field.
		details = append(details, fmt.Sprintf("and %d more errors (fix these first)", more))
	}
	return &problem{status: http.StatusUnprocessableEntity, slug: "validation", title: "Invalid request",
		detail: strings.Join(details, "; "), fields: fields}
}
