package httpapi

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/watchdog-monitor/watchdog/backend/internal/account"
	"github.com/watchdog-monitor/watchdog/backend/internal/auth"
	"github.com/watchdog-monitor/watchdog/backend/internal/notify"
	"github.com/watchdog-monitor/watchdog/backend/internal/statuspage"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// Problem is an RFC 9457 problem details object, the body of every error response.
type Problem struct {
	// Type identifies the kind of problem; its last segment is a stable slug such as
	// "validation" or "not-found".
	Type   string `json:"type" validate:"required" example:"urn:watchdog:problem:validation"`
	Title  string `json:"title" validate:"required" example:"Invalid request"`
	Status int    `json:"status" validate:"required" example:"422"`
	Detail string `json:"detail,omitempty" example:"interval_seconds: must be between 30 and 86400"`
	// Errors names each offending field of the request.
	Errors []FieldProblem `json:"errors,omitempty"`
	// RequestID matches the X-Request-Id response header and the server's log line.
	RequestID string `json:"request_id,omitempty"`
} // @name Problem

// FieldProblem says what is wrong with one field, by its JSON name.
type FieldProblem struct {
	Field   string `json:"field" validate:"required" example:"interval_seconds"`
	Message string `json:"message" validate:"required" example:"must be between 30 and 86400"`
	// Line and Column place the field in an uploaded document (POST /config/apply),
	// counting from 1; left out elsewhere, and where the place is not known.
	Line   int `json:"line,omitempty" example:"14"`
	Column int `json:"column,omitempty" example:"23"`
} // @name FieldError

const problemType = "urn:watchdog:problem:"

// problem is an error that knows its HTTP answer. Handlers return it for request
// errors; domain errors are mapped in toProblem.
type problem struct {
	status int
	slug   string
	title  string
	detail string
	fields []FieldProblem
	header http.Header
}

func (p *problem) Error() string { return p.detail }

func badRequest(field, format string, args ...any) *problem {
	msg := fmt.Sprintf(format, args...)
	return &problem{status: http.StatusBadRequest, slug: "bad-request", title: "Bad request",
		detail: field + ": " + msg, fields: []FieldProblem{{Field: field, Message: msg}}}
}

func notFoundProblem(what string) *problem {
	return &problem{status: http.StatusNotFound, slug: "not-found", title: "Not found", detail: what + " not found"}
}

// toProblem maps an error to the problem sent for it. The domain never knows status
// codes; this is the one place that decides them.
func toProblem(err error) *problem {
	var p *problem
	var verr *target.ValidationError
	var rl *auth.RateLimitError
	var he *echo.HTTPError
	switch {
	case errors.As(err, &p):
		return p
	case errors.As(err, &verr):
		fields := make([]FieldProblem, len(verr.Fields))
		details := make([]string, len(verr.Fields))
		for i, f := range verr.Fields {
			fields[i] = FieldProblem{Field: f.Field, Message: f.Message}
			details[i] = f.Field + ": " + f.Message
		}
		return &problem{status: http.StatusUnprocessableEntity, slug: "validation", title: "Invalid request",
			detail: strings.Join(details, "; "), fields: fields}
	case errors.Is(err, target.ErrNotFound):
		return notFoundProblem("target")
	case errors.Is(err, notify.ErrChannelNotFound):
		return notFoundProblem("channel")
	case errors.Is(err, target.ErrNotCheckable):
		return conflict("type", "a heartbeat is not checked: it is pinged at its ping_url")
	case errors.Is(err, target.ErrNameTaken):
		return conflict("name", "a target with this name exists (names are unique, in any case)")
	case errors.Is(err, notify.ErrNameTaken):
		return conflict("name", "a channel with this name exists")
	case errors.Is(err, account.ErrNotFound):
		return notFoundProblem("user")
	case errors.Is(err, account.ErrKeyNotFound):
		return notFoundProblem("API key")
	case errors.Is(err, statuspage.ErrNotFound):
		return notFoundProblem("status page")
	case errors.Is(err, account.ErrUsernameTaken):
		return conflict("username", "a user with this name exists")
	case errors.Is(err, statuspage.ErrSlugTaken):
		return conflict("slug", "a status page with this slug exists")
	case errors.Is(err, account.ErrLastAdmin):
		return &problem{status: http.StatusConflict, slug: "last-admin", title: "Conflict",
			detail: "the last admin cannot be deleted or demoted; make another user admin first"}
	case errors.Is(err, account.ErrTOTPEnabled):
		return &problem{status: http.StatusConflict, slug: "conflict", title: "Conflict", detail: "two-factor login is already on"}
	case errors.Is(err, account.ErrOTPRequired):
		return &problem{status: http.StatusUnauthorized, slug: "otp-required", title: "Unauthorized",
			detail: "this account has two-factor login: send the code from the authenticator app as otp",
			fields: []FieldProblem{{Field: "otp", Message: "is required"}}}
	case errors.Is(err, account.ErrOTPInvalid):
		return &problem{status: http.StatusUnauthorized, slug: "invalid-otp", title: "Unauthorized",
			detail: "wrong or already used two-factor code", fields: []FieldProblem{{Field: "otp", Message: "is wrong or already used"}}}
	case errors.As(err, &rl):
		secs := max(1, int(rl.RetryAfter.Seconds()+0.999))
		return &problem{status: http.StatusTooManyRequests, slug: "rate-limited", title: "Too many requests",
			detail: fmt.Sprintf("too many login attempts; try again in %d s", secs),
			header: http.Header{"Retry-After": {strconv.Itoa(secs)}}}
	case errors.Is(err, account.ErrInvalidCredentials):
		return &problem{status: http.StatusUnauthorized, slug: "invalid-credentials", title: "Unauthorized",
			detail: "invalid username or password"}
	case errors.Is(err, auth.ErrInvalidToken), errors.Is(err, account.ErrRefreshInvalid), errors.Is(err, account.ErrRefreshReused):
		return unauthorized("invalid or expired token")
	case errors.As(err, &he):
		return fromEcho(he)
	}
	if cause, ok := store.Unavailable(err); ok {
		return unavailable("the database is unavailable (" + cause + "); try again shortly")
	}
	return &problem{status: http.StatusInternalServerError, slug: "internal", title: "Internal server error",
		detail: "the server failed to handle the request; the log has the details under this request id"}
}

// retryAfterSeconds is what a 503 asks clients to wait before trying again: long
// enough not to add load to a database that is failing, short enough that a blip
// costs a client little.
const retryAfterSeconds = 5

// unavailable is a 503: the request was not carried out because the server cannot
// work now (its database is failing), and may be sent again, any method included,
// after Retry-After.
func unavailable(detail string) *problem {
	return &problem{status: http.StatusServiceUnavailable, slug: "unavailable", title: "Service unavailable",
		detail: detail, header: http.Header{"Retry-After": {strconv.Itoa(retryAfterSeconds)}}}
}

func forbidden(detail string) *problem {
	return &problem{status: http.StatusForbidden, slug: "forbidden", title: "Forbidden", detail: detail}
}

func conflict(field, msg string) *problem {
	return &problem{status: http.StatusConflict, slug: "conflict", title: "Conflict",
		detail: field + ": " + msg, fields: []FieldProblem{{Field: field, Message: msg}}}
}

func invalid(field, msg string) *problem {
	return &problem{status: http.StatusUnprocessableEntity, slug: "validation", title: "Invalid request",
		detail: field + ": " + msg, fields: []FieldProblem{{Field: field, Message: msg}}}
}

func unauthorized(detail string) *problem {
	return &problem{status: http.StatusUnauthorized, slug: "unauthorized", title: "Unauthorized", detail: detail,
		header: http.Header{"WWW-Authenticate": {`Bearer realm="watchdog"`}}}
}

func fromEcho(he *echo.HTTPError) *problem {
	slug := map[int]string{
		http.StatusNotFound:              "not-found",
		http.StatusMethodNotAllowed:      "method-not-allowed",
		http.StatusRequestEntityTooLarge: "too-large",
		http.StatusUnsupportedMediaType:  "unsupported-media-type",
		http.StatusUnauthorized:          "unauthorized",
		http.StatusBadRequest:            "bad-request",
	}[he.Code]
	if slug == "" {
		slug = strings.ToLower(strings.ReplaceAll(http.StatusText(he.Code), " ", "-"))
	}
	detail := fmt.Sprint(he.Message)
	switch he.Code {
	case http.StatusRequestEntityTooLarge:
		detail = "request body is larger than 1 MiB"
	case http.StatusNotFound:
		detail = "no such resource"
	case http.StatusMethodNotAllowed:
		detail = "this resource does not answer that method"
	}
	if detail != "" {
		detail = strings.ToLower(detail[:1]) + detail[1:]
	}
	title := http.StatusText(he.Code)
	title = title[:1] + strings.ToLower(title[1:])
	return &problem{status: he.Code, slug: slug, title: title, detail: detail}
}

// errorHandler answers every error as application/problem+json and logs each server
// error once, with the request id that the client also sees. A failing database is
// the exception: it is reported to health, which logs when the outage starts and when
// it ends, not once per request.
func errorHandler(log *slog.Logger, health *store.Health) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		p := toProblem(err)
		reqID := c.Response().Header().Get(echo.HeaderXRequestID)
		switch {
		case p.slug == "unavailable":
			if _, ok := store.Unavailable(err); ok && health != nil {
				health.Failed(err)
			}
		case p.status >= 500:
			log.ErrorContext(c.Request().Context(), "request failed",
				"request_id", reqID, "method", c.Request().Method, "path", c.Path(), "err", err)
		}
		for k, vs := range p.header {
			for _, v := range vs {
				c.Response().Header().Add(k, v)
			}
		}
		body := Problem{Type: problemType + p.slug, Title: p.title, Status: p.status, Detail: p.detail,
			Errors: p.fields, RequestID: reqID}
		c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
		c.Response().WriteHeader(p.status)
		if c.Request().Method == http.MethodHead {
			return
		}
		if err := jsonEncoder(c.Response()).Encode(body); err != nil {
			log.WarnContext(c.Request().Context(), "write problem response", "err", err)
		}
	}
}
