package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/watchdog-monitor/watchdog/backend/internal/metrics"
)

// metricsMiddleware records every request in m by method, route pattern (c.Path(),
// never the raw path, so ids in URLs cannot mint series), status and duration.
// Echo matches the route before running middleware added with Use, so the pattern is
// known here; a request no route matched has none and is recorded as "unmatched".
func metricsMiddleware(m *metrics.Metrics) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				// As Echo's RequestLogger does with HandleError: have the error handler
				// write the answer now, so the status recorded is the one the client
				// gets (a domain error's 404, say), not a guess from the error. The
				// error still goes up the chain for other middleware to see; the error
				// handler leaves a committed response alone, so it is answered once.
				c.Error(err)
			}
			m.ObserveHTTP(c.Request().Method, c.Path(), c.Response().Status, time.Since(start))
			return err
		}
	}
}

// metricsHandler serves m in the Prometheus formats. When token is set, a scraper must
// send it as "Authorization: Bearer <token>"; the API's user tokens are short-lived
// and tied to a person, which a scrape job cannot be, so this is a token of its own.
func metricsHandler(m *metrics.Metrics, token string) echo.HandlerFunc {
	h := m.Handler()
	// Compared as digests so the comparison takes the same time whatever the length
	// of the token sent.
	want := sha256.Sum256([]byte(token))
	return func(c echo.Context) error {
		if token != "" {
			scheme, got, ok := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
			sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
			if !ok || !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
				return unauthorized("send the metrics token as Authorization: Bearer <token>")
			}
		}
		h.ServeHTTP(c.Response(), c.Request())
		return nil
	}
}
