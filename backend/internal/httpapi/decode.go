package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// MaxBodyBytes is the largest request body accepted.
const MaxBodyBytes = 1 << 20

// decode reads a JSON request body into v strictly: an unknown field, a wrong type,
// trailing data or an over-long body is a problem naming what is wrong, so bad input
// never half-reaches the database.
func decode(c echo.Context, v any) error {
	req := c.Request()
	if ct := req.Header.Get(echo.HeaderContentType); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return &problem{status: http.StatusUnsupportedMediaType, slug: "unsupported-media-type",
				title: "Unsupported media type", detail: "send the body as application/json"}
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), req.Body, MaxBodyBytes))
	if err != nil {
		return decodeProblem(err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeProblem(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return badRequest("body", "must hold a single JSON object")
	}
	// encoding/json has already read the body, but it replaced broken text with U+FFFD
	// and read null as "leave as it is": what it stored is not what was sent. The body is
	// known to be valid JSON now, so the scan only judges what the decoder let through.
	if err := scanBody(body, reflect.TypeOf(v)); err != nil {
		return err
	}
	return nil
}

func decodeProblem(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	var he *echo.HTTPError
	switch {
	case errors.Is(err, io.EOF):
		return badRequest("body", "is empty; send a JSON object")
	case errors.As(err, &tooBig),
		// Echo's body limit stops a body of unknown length (chunked) with its own error.
		errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge:
		return echo.ErrStatusRequestEntityTooLarge
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("body", "is not valid JSON")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return badRequest("body", "must be a JSON object")
		}
		return badRequest(field, "must be %s, not %s", jsonKind(typ.Type.Kind().String()), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return badRequest(field, "is not a known field")
	}
	return badRequest("body", "cannot be read: %v", err)
}

func jsonKind(goKind string) string {
	switch goKind {
	case "int", "int64", "int32", "uint", "uint64", "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "string":
		return "a string"
	case "slice":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return goKind
}

// jsonEncoder writes compact JSON without escaping <, > and & (the API is not HTML).
func jsonEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

// queryInt reads an optional integer query parameter within [lo, hi].
func queryInt(c echo.Context, name string, def, lo, hi int) (int, error) {
	raw := c.QueryParam(name)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < lo || n > hi {
		return 0, badRequest(name, "must be a whole number from %d to %d", lo, hi)
	}
	return n, nil
}

// queryBool reads an optional boolean query parameter.
func queryBool(c echo.Context, name string) (bool, error) {
	v := c.QueryParam(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, badRequest(name, "must be true or false")
	}
	return b, nil
}

// pathID reads the {id} path parameter.
func pathID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, badRequest("id", "must be a positive whole number")
	}
	return id, nil
}

// parseWindow reads a stats window: a Go duration ("90m", "24h"), whole days ("7d")
// or a year ("1y").
func parseWindow(raw string) (time.Duration, error) {
	if raw == "1y" {
		return 365 * 24 * time.Hour, nil
	}
	return target.ParseDays(raw)
}
