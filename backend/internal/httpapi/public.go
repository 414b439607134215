package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/watchdog-monitor/watchdog/backend/internal/badge"
	"github.com/watchdog-monitor/watchdog/backend/internal/statuspage"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// PublicStatusPage is what anyone may see of a status page: names, states and uptime,
// never a target's URL, headers or errors.
type PublicStatusPage struct {
	Title       string         `json:"title" validate:"required" example:"Acme status"`
	Description string         `json:"description" validate:"required" example:"Our public services."`
	Targets     []PublicTarget `json:"targets" validate:"required"`
	// Incidents of the page's targets in the last 30 days and any still open, newest
	// first, at most 20.
	Incidents   []PublicIncident `json:"incidents" validate:"required"`
	GeneratedAt time.Time        `json:"generated_at" validate:"required" format:"date-time"`
} // @name PublicStatusPage

// PublicTarget is one target as a status page shows it.
type PublicTarget struct {
	ID     int64  `json:"id" validate:"required" example:"1"`
	Name   string `json:"name" validate:"required" example:"shop-api"`
	Status string `json:"status" validate:"required" enums:"up,down,unknown,paused" example:"up"`
	// Uptime24h and Uptime30d are from 0 to 1; null when there were no checks.
	Uptime24h *float64 `json:"uptime_24h" validate:"required" extensions:"x-nullable" format:"double" example:"0.999"`
	Uptime30d *float64 `json:"uptime_30d" validate:"required" extensions:"x-nullable" format:"double" example:"0.9987"`
} // @name PublicTarget

// PublicIncident is an incident as a status page shows it: when, not why.
type PublicIncident struct {
	ID         int64      `json:"id" validate:"required" example:"7"`
	TargetID   int64      `json:"target_id" validate:"required" example:"1"`
	TargetName string     `json:"target_name" validate:"required" example:"shop-api"`
	Kind       string     `json:"kind" validate:"required" enums:"down,warm_gap" example:"down"`
	StartedAt  time.Time  `json:"started_at" validate:"required" format:"date-time"`
	ResolvedAt *time.Time `json:"resolved_at" validate:"required" extensions:"x-nullable" format:"date-time"`
} // @name PublicIncident

// publicMaxAge is how long browsers and proxies may keep a public answer, and about
// how long this process keeps it: a page shared widely costs a few queries a minute.
const publicMaxAge = 30 * time.Second

// publicTTL is how long a computed public answer is reused by this process.
const publicTTL = 10 * time.Second

const publicIncidents = 20

// publicCache keeps computed public answers for publicTTL. Keys are checked before
// they get here (a slug of the right shape, a target id), and when full it first
// drops what has expired, then everything, so a flood of made-up slugs neither grows
// it nor holds memory.
type publicCache struct {
	mu      sync.Mutex
	entries map[string]publicAnswer
}

// reset forgets every answer: a status page changed, and this replica shows it at once.
func (pc *publicCache) reset() {
	pc.mu.Lock()
	pc.entries = nil
	pc.mu.Unlock()
}

type publicAnswer struct {
	status      int
	contentType string
	body        []byte
	at          time.Time
}

const publicCacheMax = 4096

func (pc *publicCache) get(ctx context.Context, key string, compute func(context.Context) (publicAnswer, error)) (publicAnswer, error) {
	now := time.Now()
	pc.mu.Lock()
	if a, ok := pc.entries[key]; ok && now.Sub(a.at) < publicTTL {
		pc.mu.Unlock()
		return a, nil
	}
	pc.mu.Unlock()
	a, err := compute(ctx)
	if err != nil {
		return publicAnswer{}, err
	}
	a.at = now
	pc.mu.Lock()
	if len(pc.entries) >= publicCacheMax {
		for k, old := range pc.entries {
			if now.Sub(old.at) >= publicTTL {
				delete(pc.entries, k)
			}
		}
	}
	if pc.entries == nil || len(pc.entries) >= publicCacheMax {
		pc.entries = map[string]publicAnswer{}
	}
	pc.entries[key] = a
	pc.mu.Unlock()
	return a, nil
}

// servePublic answers a public route from the cache, marking a found answer cacheable
// by anyone and readable from any origin (status pages are embedded elsewhere).
func (a *api) servePublic(c echo.Context, key string, compute func(context.Context) (publicAnswer, error)) error {
	ans, err := a.public.get(c.Request().Context(), key, compute)
	if err != nil {
		return err
	}
	if ans.status == http.StatusNotFound {
		return notFoundProblem(strings.SplitN(key, ":", 2)[0])
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(publicMaxAge.Seconds())))
	h.Set(echo.HeaderAccessControlAllowOrigin, "*")
	return c.Blob(ans.status, ans.contentType, ans.body)
}

// publicStatusPage godoc
//
//	@ID	getPublicStatusPage
//	@Summary		A public status page
//	@Description	No credential needed. Names, states, uptime over 24 hours and 30 days, and recent incidents of the page's targets; never a URL, header or error text. Cacheable for 30 s.
//	@Tags			public
//	@Produce		json
//	@Param			slug	path		string	true	"The page's slug"
//	@Success		200		{object}	PublicStatusPage
//	@Header			200		{string}	Cache-Control	"public, max-age=30"
//	@Failure		404		{object}	Problem	"No such page"
//	@Router			/public/status-pages/{slug} [get]
func (a *api) publicStatusPage(c echo.Context) error {
	slug := c.Param("slug")
	if !statuspage.ValidSlug(slug) {
		return notFoundProblem("status page")
	}
	return a.servePublic(c, "status page:"+slug, func(ctx context.Context) (publicAnswer, error) {
		p, err := a.Store.StatusPageBySlug(ctx, slug)
		if errors.Is(err, statuspage.ErrNotFound) {
			return publicAnswer{status: http.StatusNotFound}, nil
		}
		if err != nil {
			return publicAnswer{}, err
		}
		out, err := a.publicPage(ctx, p)
		if err != nil {
			return publicAnswer{}, err
		}
		body, err := json.Marshal(out)
		if err != nil {
			return publicAnswer{}, err
		}
		return publicAnswer{status: http.StatusOK, contentType: echo.MIMEApplicationJSON, body: body}, nil
	})
}

// publicPage reads what page p shows. Uptime comes from the hourly and daily rollups
// plus the checks since the last rollup, by index: never a scan of the checks table.
func (a *api) publicPage(ctx context.Context, p statuspage.Page) (PublicStatusPage, error) {
	now := time.Now()
	targets, err := a.Store.PageTargets(ctx, p.TargetIDs)
	if err != nil {
		return PublicStatusPage{}, err
	}
	ids := make([]int64, len(targets))
	names := make(map[int64]string, len(targets))
	for i, t := range targets {
		ids[i] = t.ID
		names[t.ID] = t.Name
	}
	day, err := a.Store.Summaries(ctx, ids, now.Add(-24*time.Hour), now)
	if err != nil {
		return PublicStatusPage{}, err
	}
	month, err := a.Store.Summaries(ctx, ids, now.Add(-30*24*time.Hour), now)
	if err != nil {
		return PublicStatusPage{}, err
	}
	out := PublicStatusPage{Title: p.Title, Description: p.Description, Targets: make([]PublicTarget, len(targets)),
		Incidents: []PublicIncident{}, GeneratedAt: now.UTC().Truncate(time.Second)}
	for i, t := range targets {
		out.Targets[i] = PublicTarget{ID: t.ID, Name: t.Name, Status: t.Status,
			Uptime24h: uptimeOf(day[t.ID]), Uptime30d: uptimeOf(month[t.ID])}
	}
	// A certificate warning is a reminder to whoever runs the service, not an outage
	// its visitors saw: a public page shows outages only.
	incidents, _, err := a.Store.ListIncidents(ctx, target.IncidentFilter{TargetIDs: ids,
		Since: now.Add(-30 * 24 * time.Hour), Kinds: []string{target.IncidentDown, target.IncidentWarmGap}, Limit: publicIncidents})
	if err != nil {
		return PublicStatusPage{}, err
	}
	for _, inc := range incidents {
		out.Incidents = append(out.Incidents, PublicIncident{ID: inc.ID, TargetID: inc.TargetID, TargetName: names[inc.TargetID],
			Kind: inc.Kind, StartedAt: inc.StartedAt, ResolvedAt: inc.ResolvedAt})
	}
	return out, nil
}

func uptimeOf(r *target.Rollup) *float64 {
	if r == nil || r.Checks == 0 {
		return nil
	}
	u := float64(r.Up) / float64(r.Checks)
	return &u
}

// badgeWindows are the uptime badges' windows, by the name in their file.
var badgeWindows = map[string]time.Duration{"24h": 24 * time.Hour, "7d": 7 * 24 * time.Hour, "30d": 30 * 24 * time.Hour}

// statusBadge godoc
//
//	@ID	getStatusBadge
//	@Summary		A target's status badge
//	@Description	No credential needed, for targets shown on some status page; any other id is 404. An SVG in the shields.io style, cacheable for 30 s.
//	@Tags			public
//	@Produce		image/svg+xml
//	@Param			id	path		int	true	"Target id"	minimum(1)
//	@Success		200	{string}	string	"SVG image"
//	@Header			200	{string}	Cache-Control	"public, max-age=30"
//	@Failure		404	{object}	Problem	"No such target on any status page"
//	@Router			/public/badges/{id}/status.svg [get]
func (a *api) statusBadge(c echo.Context) error { return a.serveBadge(c, "") }

// uptimeBadge godoc
//
//	@ID	getUptimeBadge
//	@Summary		A target's uptime badge
//	@Description	No credential needed, for targets shown on some status page; any other id is 404. Uptime over 24 hours, 7 days or 30 days as an SVG in the shields.io style, cacheable for 30 s.
//	@Tags			public
//	@Produce		image/svg+xml
//	@Param			id		path		int		true	"Target id"	minimum(1)
//	@Param			window	path		string	true	"The window"	Enums(24h,7d,30d)
//	@Success		200		{string}	string	"SVG image"
//	@Header			200		{string}	Cache-Control	"public, max-age=30"
//	@Failure		404		{object}	Problem	"No such target on any status page, or no such window"
//	@Router			/public/badges/{id}/uptime-{window}.svg [get]
func (a *api) uptimeBadge(c echo.Context) error {
	// Echo cannot route a parameter inside a path segment, so the file name is read here.
	window, ok := strings.CutPrefix(c.Param("file"), "uptime-")
	window, svg := strings.CutSuffix(window, ".svg")
	if _, known := badgeWindows[window]; !ok || !svg || !known {
		return notFoundProblem("badge")
	}
	return a.serveBadge(c, window)
}

// serveBadge answers a badge of target :id: its status when window is "", else its
// uptime over the window.
func (a *api) serveBadge(c echo.Context, window string) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return notFoundProblem("badge")
	}
	return a.servePublic(c, "badge:"+strconv.FormatInt(id, 10)+"/"+window, func(ctx context.Context) (publicAnswer, error) {
		shown, err := a.Store.OnStatusPage(ctx, id)
		if err != nil || !shown {
			return publicAnswer{status: http.StatusNotFound}, err
		}
		b, err := a.badgeFor(ctx, id, window)
		if err != nil {
			return publicAnswer{}, err
		}
		return publicAnswer{status: http.StatusOK, contentType: "image/svg+xml", body: badge.Render(b)}, nil
	})
}

func (a *api) badgeFor(ctx context.Context, id int64, window string) (badge.Badge, error) {
	targets, err := a.Store.PageTargets(ctx, []int64{id})
	if err != nil || len(targets) == 0 {
		return badge.Badge{}, errors.Join(err, target.ErrNotFound)
	}
	if window == "" {
		color := map[string]string{"up": badge.Green, "down": badge.Red}[targets[0].Status]
		if color == "" {
			color = badge.Grey
		}
		return badge.Badge{Label: "status", Message: targets[0].Status, Color: color}, nil
	}
	now := time.Now()
	sums, err := a.Store.Summaries(ctx, []int64{id}, now.Add(-badgeWindows[window]), now)
	if err != nil {
		return badge.Badge{}, err
	}
	b := badge.Badge{Label: "uptime " + window, Message: "no data", Color: badge.Grey}
	if u := uptimeOf(sums[id]); u != nil {
		b.Message, b.Color = badge.Percent(*u), badge.UptimeColor(*u)
	}
	return b, nil
}
