package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/watchdog-monitor/watchdog/backend/internal/account"
)

// access says who may call a route: no one needs a credential for a public route;
// otherwise the caller's role must be at least the route's.
type access struct {
	public bool
	least  account.Role
	// session routes are about the person at the keyboard (their password, their 2FA,
	// minting keys): an API key gets 403 there, so a leaked key cannot make itself
	// permanent or lock its owner out.
	session bool
}

var (
	public  = access{public: true}
	viewer  = access{least: account.RoleViewer}
	editor  = access{least: account.RoleEditor}
	admin   = access{least: account.RoleAdmin}
	session = access{least: account.RoleViewer, session: true}
	// Changing users takes a person: a leaked admin key must not be able to make
	// itself a backdoor account or reset its owner's password.
	adminSession = access{least: account.RoleAdmin, session: true}
)

type route struct {
	method  string
	path    string
	access  access
	handler func(*api, echo.Context) error
}

// routeTable is the whole API v1 on one screen, with who may call each route: this
// is the one place roles are enforced. Auth is applied per route, not to a group, so
// an unknown method on a known path is a 405.
var routeTable = []route{
	{http.MethodPost, "/auth/login", public, (*api).login},
	{http.MethodPost, "/auth/refresh", public, (*api).refresh},
	{http.MethodPost, "/auth/logout", public, (*api).logout},
	{http.MethodGet, "/auth/me", viewer, (*api).me},
	{http.MethodPost, "/auth/password", session, (*api).changePassword},
	{http.MethodPost, "/auth/totp/setup", session, (*api).setupTOTP},
	{http.MethodPost, "/auth/totp/enable", session, (*api).enableTOTP},
	{http.MethodPost, "/auth/totp/disable", session, (*api).disableTOTP},

	{http.MethodGet, "/users", admin, (*api).listUsers},
	{http.MethodPost, "/users", adminSession, (*api).createUser},
	{http.MethodPatch, "/users/:id", adminSession, (*api).updateUser},
	{http.MethodDelete, "/users/:id", adminSession, (*api).deleteUser},

	{http.MethodGet, "/api-keys", viewer, (*api).listAPIKeys},
	{http.MethodPost, "/api-keys", session, (*api).createAPIKey},
	{http.MethodDelete, "/api-keys/:id", viewer, (*api).deleteAPIKey},

	{http.MethodGet, "/targets", viewer, (*api).listTargets},
	{http.MethodPost, "/targets", editor, (*api).createTarget},
	{http.MethodGet, "/targets/:id", viewer, (*api).getTarget},
	{http.MethodPatch, "/targets/:id", editor, (*api).updateTarget},
	{http.MethodDelete, "/targets/:id", editor, (*api).deleteTarget},
	{http.MethodPost, "/targets/:id/check", editor, (*api).checkNow},
	{http.MethodGet, "/targets/:id/checks", viewer, (*api).listChecks},
	{http.MethodGet, "/targets/:id/stats", viewer, (*api).targetStats},
	{http.MethodGet, "/targets/:id/incidents", viewer, (*api).targetIncidents},
	{http.MethodPost, "/targets/:id/ping-token", editor, (*api).regeneratePingToken},

	{http.MethodGet, "/channels", viewer, (*api).listChannels},
	{http.MethodPost, "/channels", editor, (*api).createChannel},
	{http.MethodGet, "/channels/:id", viewer, (*api).getChannel},
	{http.MethodPatch, "/channels/:id", editor, (*api).updateChannel},
	{http.MethodDelete, "/channels/:id", editor, (*api).deleteChannel},
	{http.MethodPost, "/channels/:id/test", editor, (*api).testChannel},

	{http.MethodGet, "/incidents", viewer, (*api).listIncidents},

	{http.MethodGet, "/platforms", viewer, (*api).listPlatforms},
	{http.MethodGet, "/budgets", viewer, (*api).listBudgets},

	{http.MethodGet, "/heartbeats", viewer, (*api).heartbeats},
	{http.MethodGet, "/stats", viewer, (*api).stats},

	{http.MethodGet, "/status-pages", viewer, (*api).listStatusPages},
	{http.MethodPost, "/status-pages", editor, (*api).createStatusPage},
	{http.MethodGet, "/status-pages/:id", viewer, (*api).getStatusPage},
	{http.MethodPatch, "/status-pages/:id", editor, (*api).updateStatusPage},
	{http.MethodDelete, "/status-pages/:id", editor, (*api).deleteStatusPage},
	{http.MethodGet, "/public/status-pages/:slug", public, (*api).publicStatusPage},
	{http.MethodGet, "/public/badges/:id/status.svg", public, (*api).statusBadge},
	{http.MethodGet, "/public/badges/:id/:file", public, (*api).uptimeBadge},

	// Heartbeat pings: public, the token in the path is the credential (ping.go).
	{http.MethodGet, "/ping/:token", public, (*api).pingGet},
	{http.MethodHead, "/ping/:token", public, (*api).pingHead},
	{http.MethodPost, "/ping/:token", public, (*api).pingPost},
	{http.MethodGet, "/ping/:token/start", public, (*api).pingStartGet},
	{http.MethodHead, "/ping/:token/start", public, (*api).pingStartHead},
	{http.MethodPost, "/ping/:token/start", public, (*api).pingStartPost},
	{http.MethodGet, "/ping/:token/fail", public, (*api).pingFailGet},
	{http.MethodHead, "/ping/:token/fail", public, (*api).pingFailHead},
	{http.MethodPost, "/ping/:token/fail", public, (*api).pingFailPost},
	{http.MethodGet, "/ping/:token/:exit_code", public, (*api).pingExitGet},
	{http.MethodHead, "/ping/:token/:exit_code", public, (*api).pingExitHead},
	{http.MethodPost, "/ping/:token/:exit_code", public, (*api).pingExitPost},

	{http.MethodGet, "/audit", admin, (*api).listAudit},

	{http.MethodGet, "/config/export", viewer, (*api).exportConfig},
	{http.MethodPost, "/config/apply", editor, (*api).applyConfig},
}

// documentedAs names the documented path of a route whose Echo path differs: Echo
// cannot route a parameter inside a segment, so the handler reads the file name.
var documentedAs = map[string]string{
	"/public/badges/:id/:file": "/public/badges/{id}/uptime-{window}.svg",
}

func (a *api) routes(e *echo.Echo) {
	e.GET("/healthz", a.healthz)
	e.GET("/readyz", a.readyz)
	// Also under the API's base path: generated clients (oapi-codegen) ignore the
	// document's path-level server "/" for the probes and call them there.
	e.GET("/api/v1/healthz", a.healthz)
	e.GET("/api/v1/readyz", a.readyz)
	if a.Metrics != nil {
		e.GET("/metrics", metricsHandler(a.Metrics, a.MetricsToken))
	}
	e.GET("/openapi.json", a.openAPI)
	// Relative, like the page's own links: behind a proxy that mounts WatchDog under a
	// prefix (/watchdog/docs → /docs), an absolute /docs/index.html would leave it.
	e.GET("/docs", func(c echo.Context) error { return c.Redirect(http.StatusFound, "docs/index.html") })
	e.GET("/docs/", func(c echo.Context) error { return c.Redirect(http.StatusFound, "index.html") })
	e.GET("/docs/index.html", docsIndex)
	for _, name := range docsAssets {
		e.GET("/docs/"+name, docsAsset(name))
	}

	v1 := e.Group("/api/v1")
	for _, r := range routeTable {
		handler := func(c echo.Context) error { return r.handler(a, c) }
		var mw []echo.MiddlewareFunc
		if !r.access.public {
			mw = append(mw, a.require(r.access))
		}
		if r.method == http.MethodGet {
			mw = append(mw, etag)
		}
		v1.Add(r.method, r.path, handler, mw...)
	}
}
