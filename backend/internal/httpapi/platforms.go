package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/watchdog-monitor/watchdog/backend/internal/platform"
)

// Platform is a keep-warm preset: how a host puts an idle service to sleep, with the
// source of each fact and when it was looked up.
type Platform struct {
	Key  string `json:"key" validate:"required" example:"render-free"`
	Name string `json:"name" validate:"required" example:"Render (free web service)"`
	// IdleTimeoutSeconds is how long the host lets a service idle before it sleeps;
	// null when it is not fixed or not known (give it on the target).
	IdleTimeoutSeconds *int `json:"idle_timeout_seconds" validate:"required" extensions:"x-nullable" example:"900"`
	// WakeTimeoutSeconds is how long an attempt that may find it asleep may take.
	WakeTimeoutSeconds int `json:"wake_timeout_seconds" validate:"required" example:"90"`
	// TypicalWakeSeconds is how early the first request of a window goes out; 0 means
	// a request cannot wake it.
	TypicalWakeSeconds int `json:"typical_wake_seconds" validate:"required" example:"60"`
	// MonthlyFreeHours is the free pool of awake hours a month; null when the free
	// allowance is not counted in hours.
	MonthlyFreeHours *float64 `json:"monthly_free_hours" validate:"required" extensions:"x-nullable" example:"750"`
	// HoursScope is what shares one pool.
	HoursScope string `json:"hours_scope" validate:"required" enums:"service,workspace,account,project,organisation,none" example:"workspace"`
	// Activity is what the host counts as activity.
	Activity string `json:"activity" validate:"required" example:"inbound HTTP traffic"`
	// PingsKeepAwake says whether HTTP pings keep it awake; null when unconfirmed.
	PingsKeepAwake *bool  `json:"pings_keep_awake" validate:"required" extensions:"x-nullable" example:"true"`
	Notes          string `json:"notes" validate:"required" example:"Render calls keeping a free service awake unsupported."`
	SourceURL      string `json:"source_url" validate:"required" example:"https://render.com/docs/free"`
	AsOf           string `json:"as_of" validate:"required" example:"2026-11"`
} // @name Platform

// PlatformList is the preset catalog, with its version.
type PlatformList struct {
	Version string     `json:"version" validate:"required" example:"2026-11-25"`
	Items   []Platform `json:"items" validate:"required"`
} // @name PlatformList

func platformOut(p platform.Preset) Platform {
	return Platform{Key: p.Key, Name: p.Name, IdleTimeoutSeconds: p.IdleTimeoutSeconds,
		WakeTimeoutSeconds: p.WakeTimeoutSeconds, TypicalWakeSeconds: p.TypicalWakeSeconds,
		MonthlyFreeHours: p.MonthlyFreeHours, HoursScope: p.HoursScope, Activity: p.Activity,
		PingsKeepAwake: p.PingsKeepAwake, Notes: p.Notes, SourceURL: p.SourceURL, AsOf: p.AsOf}
}

// listPlatforms godoc
//
//	@ID	listPlatforms
//	@Summary		List keep-warm platform presets
//	@Description	How each known host puts an idle service to sleep: idle limit, wake time, free hours and their scope, what counts as activity, whether HTTP pings keep it awake, with a source and an "as of" date for each. Versioned data shipped with the server.
//	@Tags			keep-warm
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Success		200	{object}	PlatformList
//	@Failure		401	{object}	Problem	"Missing or invalid token"
//	@Router			/platforms [get]
func (a *api) listPlatforms(c echo.Context) error {
	presets := a.Platforms.List()
	out := PlatformList{Version: a.Platforms.Version, Items: make([]Platform, len(presets))}
	for i, p := range presets {
		out.Items[i] = platformOut(p)
	}
	return c.JSON(http.StatusOK, out)
}
