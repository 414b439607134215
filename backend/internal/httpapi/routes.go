package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"
	echoSwagger "github.com/swaggo/echo-swagger"
)

// access says who may call a route.
type access int

const (
	public access = iota // no credential
	user                 // any logged-in user
)

type route struct {
	method  string
	path    string
	access  access
	handler func(*api, echo.Context) error
}

// routeTable is the whole API v1 on one screen, with who may call each route. Auth is
// applied per route, not to a group, so an unknown method on a known path is a 405.
var routeTable = []route{
	{http.MethodPost, "/auth/login", public, (*api).login},
	{http.MethodPost, "/auth/refresh", public, (*api).refresh},
	{http.MethodPost, "/auth/logout", public, (*api).logout},
	{http.MethodGet, "/auth/me", user, (*api).me},

	{http.MethodGet, "/targets", user, (*api).listTargets},
	{http.MethodPost, "/targets", user, (*api).createTarget},
	{http.MethodGet, "/targets/:id", user, (*api).getTarget},
	{http.MethodPatch, "/targets/:id", user, (*api).updateTarget},
	{http.MethodDelete, "/targets/:id", user, (*api).deleteTarget},
	{http.MethodPost, "/targets/:id/check", user, (*api).checkNow},
	{http.MethodGet, "/targets/:id/checks", user, (*api).listChecks},
	{http.MethodGet, "/targets/:id/stats", user, (*api).targetStats},
	{http.MethodGet, "/targets/:id/incidents", user, (*api).targetIncidents},

	{http.MethodGet, "/channels", user, (*api).listChannels},
	{http.MethodPost, "/channels", user, (*api).createChannel},
	{http.MethodGet, "/channels/:id", user, (*api).getChannel},
	{http.MethodPatch, "/channels/:id", user, (*api).updateChannel},
	{http.MethodDelete, "/channels/:id", user, (*api).deleteChannel},
	{http.MethodPost, "/channels/:id/test", user, (*api).testChannel},

	{http.MethodGet, "/incidents", user, (*api).listIncidents},

	{http.MethodGet, "/platforms", user, (*api).listPlatforms},
	{http.MethodGet, "/budgets", user, (*api).listBudgets},

	{http.MethodGet, "/heartbeats", user, (*api).heartbeats},
	{http.MethodGet, "/stats", user, (*api).stats},
}

func (a *api) routes(e *echo.Echo) {
	e.GET("/healthz", a.healthz)
	e.GET("/readyz", a.readyz)
	if a.Metrics != nil {
		e.GET("/metrics", metricsHandler(a.Metrics, a.MetricsToken))
	}
	e.GET("/openapi.json", a.openAPI)
	e.GET("/docs", func(c echo.Context) error { return c.Redirect(http.StatusFound, "/docs/index.html") })
	e.GET("/docs/*", echoSwagger.EchoWrapHandler(echoSwagger.URL("/openapi.json")))

	v1 := e.Group("/api/v1")
	for _, r := range routeTable {
		handler := func(c echo.Context) error { return r.handler(a, c) }
		var mw []echo.MiddlewareFunc
		if r.access == user {
			mw = append(mw, a.requireUser)
		}
		if r.method == http.MethodGet {
			mw = append(mw, etag)
		}
		v1.Add(r.method, r.path, handler, mw...)
	}
}
