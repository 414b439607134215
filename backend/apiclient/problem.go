package apiclient

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Response is what every generated response type (ListTargetsResponse, …) has: the
// status and the raw body.
type Response interface {
	StatusCode() int
	GetBody() []byte
}

// Error is an answer with a status of 400 or more, with the fields of its RFC 9457
// problem. Errors names each offending request field:
//
//	var apiErr *apiclient.Error
//	if errors.As(err, &apiErr) {
//		for _, f := range apiErr.Errors {
//			fmt.Printf("%s: %s\n", f.Field, f.Message)
//		}
//	}
type Error struct {
	Status int
	// Type is a URN whose last segment is a stable slug, such as
	// "urn:watchdog:problem:validation"; Slug returns that segment.
	Type      string
	Title     string
	Detail    string
	Errors    []FieldError
	RequestID string // matches the server's log line
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("watchdog api: %d %s", e.Status, e.Slug())
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.RequestID != "" {
		msg += " (request " + e.RequestID + ")"
	}
	return msg
}

// Slug is the last segment of Type ("validation", "not-found", "rate-limited",
// "otp-required"…), or the status text when the answer was not a problem.
func (e *Error) Slug() string {
	if i := strings.LastIndexByte(e.Type, ':'); i >= 0 && e.Type != "about:blank" {
		return e.Type[i+1:]
	}
	return strings.ToLower(strings.ReplaceAll(http.StatusText(e.Status), " ", "-"))
}

// Field returns the message for one request field, by its JSON name.
func (e *Error) Field(name string) (string, bool) {
	for _, f := range e.Errors {
		if f.Field == name {
			return f.Message, true
		}
	}
	return "", false
}

// AsProblem returns the problem of an answer with a status of 400 or more, and false
// for any other. An error answer that is not problem+json (from a proxy, say) gets a
// problem made from its status.
func AsProblem(res Response) (*Problem, bool) {
	status := res.StatusCode()
	if status < 400 {
		return nil, false
	}
	var p Problem
	if err := json.Unmarshal(res.GetBody(), &p); err != nil || p.Title == "" {
		p = Problem{Type: "about:blank", Title: http.StatusText(status)}
	}
	// The status line is the truth; a proxy may have answered in the server's place.
	p.Status = status
	return &p, true
}

// ResponseError returns an *Error for an answer with a status of 400 or more, and nil
// for any other.
func ResponseError(res Response) error {
	p, ok := AsProblem(res)
	if !ok {
		return nil
	}
	e := &Error{Status: p.Status, Type: p.Type, Title: p.Title}
	if p.Detail != nil {
		e.Detail = *p.Detail
	}
	if p.Errors != nil {
		e.Errors = *p.Errors
	}
	if p.RequestId != nil {
		e.RequestID = *p.RequestId
	}
	return e
}

// OK passes a generated call's result through, turning an answer with a status of 400
// or more into an *Error, so one check covers both ways a call can fail:
//
//	res, err := apiclient.OK(c.GetTargetWithResponse(ctx, id))
//	if err != nil {
//		return err
//	}
//	fmt.Println(res.JSON200.Name)
func OK[R Response](res R, err error) (R, error) {
	if err != nil {
		return res, err
	}
	if err := ResponseError(res); err != nil {
		return res, err
	}
	return res, nil
}
