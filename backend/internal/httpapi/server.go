// Package httpapi is WatchDog's HTTP interface: API v1 under /api/v1 (JSON, bearer
// tokens, RFC 9457 problems), health and readiness probes, the OpenAPI document and
// its browsable UI, and optionally the built dashboard. Handlers are thin: they read
// the request, call the store, auth or scheduler, and write the answer.
package httpapi

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/labstack/gommon/random"

	"github.com/watchdog-monitor/watchdog/backend/internal/auth"
	"github.com/watchdog-monitor/watchdog/backend/internal/metrics"
	"github.com/watchdog-monitor/watchdog/backend/internal/notify"
	"github.com/watchdog-monitor/watchdog/backend/internal/platform"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// CheckRunner runs a check on request and records it.
type CheckRunner interface {
	CheckNow(ctx context.Context, t target.Target) (target.Check, error)
}

// Deps are what the API needs, handed over by main.
type Deps struct {
	Store  *store.Store
	Auth   *auth.Service
	Checks CheckRunner
	Limits target.Limits
	Log    *slog.Logger
	// OpenAPI is the OpenAPI 3 document served at /openapi.json.
	OpenAPI []byte
	// CORSAllowedOrigins may call the API from a browser; empty allows none.
	CORSAllowedOrigins []string
	// TrustedProxies are the networks whose X-Forwarded-For is believed when telling
	// a client's address (for the login rate limit); empty trusts no header.
	TrustedProxies []*net.IPNet
	// FrontendDir, when set, is served at / with index.html for unknown paths.
	FrontendDir string
	// Notify is what notification channels need to validate and send (test messages).
	Notify notify.Env
	// NotifyTimeout bounds a test message; zero means 10 s.
	NotifyTimeout time.Duration
	// Platforms is the keep-warm preset catalog; nil means the one built in.
	Platforms *platform.Catalog
	// Metrics, when set, counts requests and is served at /metrics, behind
	// MetricsToken when that is set.
	Metrics      *metrics.Metrics
	MetricsToken string
	// Env fills the ${WATCHDOG_…} references of an applied document: main's view of
	// the environment over ./.env, the same `watchdog apply` uses. nil reads the
	// process environment.
	Env func(string) string
	// PublicURL is where people reach this server (PUBLIC_URL), for heartbeat ping
	// URLs; empty means the address each request came in on.
	PublicURL string
}

type api struct {
	Deps
	public publicCache
	// pings limits heartbeat pings per token (ping.go).
	pings *pingLimiter
}

// New returns the HTTP handler with every route and middleware in place.
func New(d Deps) *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	// Echo's own logger (errors only, e.g. a route added without a handler) writes
	// through slog too: no line of another shape in the stream.
	e.Logger.SetHeader("")
	e.Logger.SetOutput(echoLogWriter{d.Log})
	var health *store.Health
	if d.Store != nil {
		health = d.Store.Health()
	}
	e.HTTPErrorHandler = errorHandler(d.Log, health)
	e.IPExtractor = ipExtractor(d.TrustedProxies)

	e.Pre(pingTrailingSlash)
	e.Use(requestID, requestLogger(d.Log))
	if d.Metrics != nil {
		// Before Recover, so a panic counts as the 500 it becomes.
		e.Use(metricsMiddleware(d.Metrics))
	}
	e.Use(
		middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			d.Log.Error("panic", "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err, "stack", string(stack))
			return err
		}}),
		securityHeaders,
		// "1MiB", not "1M": Echo reads "1M" as 1,000,000 bytes, below MaxBodyBytes.
		// Not for pings: a job's output of any size must not lose its ping; the ping
		// handler keeps 10 KB and reads at most 10 MiB (ping.go).
		middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: "1MiB", Skipper: isPingPath}),
	)
	if len(d.CORSAllowedOrigins) > 0 {
		e.Use(middleware.CORSWithConfig(middleware.CORSConfig{
			AllowOrigins:  d.CORSAllowedOrigins,
			AllowMethods:  []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete},
			AllowHeaders:  []string{echo.HeaderAuthorization, echo.HeaderContentType, "If-None-Match"},
			ExposeHeaders: []string{echo.HeaderLocation, echo.HeaderXRequestID, "Retry-After", "ETag"},
			MaxAge:        600,
		}))
	}
	if d.Platforms == nil {
		d.Platforms = platform.MustLoad()
	}
	if d.Limits.Preset == nil {
		d.Limits.Preset = d.Platforms.TargetPreset
	}
	a := &api{Deps: d, pings: newPingLimiter()}
	a.routes(e)
	if d.FrontendDir != "" {
		e.Use(dashboard(d.FrontendDir))
	}
	return e
}

// echoLogWriter turns what Echo's logger writes, one message a call, into slog lines.
type echoLogWriter struct{ log *slog.Logger }

func (w echoLogWriter) Write(p []byte) (int, error) {
	if w.log != nil {
		w.log.Error("echo", "detail", strings.TrimSpace(string(p)))
	}
	return len(p), nil
}

// requestID gives every request an id, answered in X-Request-Id and written in its log
// line and problem body. A client's own id is kept when it is a short plain token (so
// a proxy's id carries through) and replaced otherwise, so nobody can write arbitrary
// text into the logs through it.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !safeRequestID(id) {
			id = random.String(32)
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

func safeRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

func ipExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		// Believe only the TCP peer: a header is the client's to forge, and a forged
		// address would dodge the login rate limit.
		return echo.ExtractIPDirect()
	}
	opts := make([]echo.TrustOption, 0, len(trusted)+3)
	opts = append(opts, echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false))
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// apiCSP allows nothing but same-origin resources: the dashboard ships no inline
// script or style, and nothing may frame it.
const apiCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// docsCSP is the same, except that the API docs page (Swagger UI) needs its inline
// bootstrap script and styles.
const docsCSP = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if strings.HasPrefix(c.Request().URL.Path, "/docs") {
			h.Set("Content-Security-Policy", docsCSP)
		} else {
			h.Set("Content-Security-Policy", apiCSP)
		}
		if c.IsTLS() {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if strings.HasPrefix(c.Request().URL.Path, "/api/") {
			// Answers carry private data and tokens: no shared cache may keep them.
			h.Set("Cache-Control", "no-store")
		}
		return next(c)
	}
}

// quietPaths are logged at debug level only: orchestrators probe health every few
// seconds and Prometheus scrapes every few more, and a line each would bury the
// requests people make.
var quietPaths = map[string]bool{
	"/healthz": true, "/readyz": true, "/api/v1/healthz": true, "/api/v1/readyz": true, "/metrics": true,
}

// requestLogger logs one line per request, with the request id; health probes and
// metrics scrapes only at debug level.
func requestLogger(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				// Let the error handler write the answer now, so the line has its status.
				c.Error(err)
			}
			req, res := c.Request(), c.Response()
			level := slog.LevelInfo
			if quietPaths[req.URL.Path] {
				level = slog.LevelDebug
			}
			log.Log(req.Context(), level, "request",
				"request_id", res.Header().Get(echo.HeaderXRequestID),
				"method", req.Method, "path", logPath(req.URL.Path), "status", res.Status,
				"bytes", res.Size, "duration_ms", time.Since(start).Milliseconds(), "ip", c.RealIP())
			return nil
		}
	}
}
