package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// etag lets pollers skip unchanged answers: a GET's 200 body is hashed into an ETag,
// and a request whose If-None-Match holds it gets 304 with no body. The dashboard
// polls every few seconds, and most polls find nothing new.
func etag(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		res := c.Response()
		real := res.Writer
		buf := &bufferedWriter{header: real.Header()}
		res.Writer = buf
		err := next(c)
		res.Writer = real
		if err != nil {
			// Not written yet: the error handler answers on the real writer.
			res.Committed = false
			return err
		}
		status := buf.status
		if status == 0 {
			status = http.StatusOK
		}
		if status == http.StatusOK {
			sum := sha256.Sum256(buf.body.Bytes())
			tag := `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
			real.Header().Set("ETag", tag)
			if matches(c.Request().Header.Get("If-None-Match"), tag) {
				real.Header().Del(echo.HeaderContentType)
				real.Header().Del(echo.HeaderContentLength)
				res.Status, res.Size = http.StatusNotModified, 0
				real.WriteHeader(http.StatusNotModified)
				return nil
			}
		}
		real.WriteHeader(status)
		n, err := real.Write(buf.body.Bytes())
		res.Size = int64(n)
		return err
	}
}

// matches reports whether an If-None-Match header names tag (weak or strong).
func matches(header, tag string) bool {
	for candidate := range strings.SplitSeq(header, ",") {
		candidate = strings.TrimPrefix(strings.TrimSpace(candidate), "W/")
		if candidate == tag || candidate == "*" {
			return true
		}
	}
	return false
}

// bufferedWriter holds a handler's answer so its hash can be known before it is sent.
type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *bufferedWriter) Header() http.Header         { return w.header }
func (w *bufferedWriter) WriteHeader(status int)      { w.status = status }
func (w *bufferedWriter) Write(b []byte) (int, error) { return w.body.Write(b) }
