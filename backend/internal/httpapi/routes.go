package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"
	echoSwagger "github.com/swaggo/echo-swagger"
)

// routes is the whole API on one screen.
func (a *api) routes(e *echo.Echo) {
	e.GET("/healthz", a.healthz)
	e.GET("/readyz", a.readyz)
	e.GET("/openapi.json", a.openAPI)
	e.GET("/docs", func(c echo.Context) error { return c.Redirect(http.StatusFound, "/docs/index.html") })
	e.GET("/docs/*", echoSwagger.EchoWrapHandler(echoSwagger.URL("/openapi.json")))

	v1 := e.Group("/api/v1")
	v1.POST("/auth/login", a.login)
	v1.POST("/auth/refresh", a.refresh)

	authed := v1.Group("", a.requireUser)
	authed.GET("/auth/me", a.me)

	authed.GET("/targets", a.listTargets)
	authed.POST("/targets", a.createTarget)
	authed.GET("/targets/:id", a.getTarget)
	authed.PATCH("/targets/:id", a.updateTarget)
	authed.DELETE("/targets/:id", a.deleteTarget)
	authed.POST("/targets/:id/check", a.checkNow)
	authed.GET("/targets/:id/checks", a.listChecks)
	authed.GET("/targets/:id/stats", a.targetStats)

	authed.GET("/stats", a.stats)
}
