package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// listChecks godoc
//
//	@ID	listChecks
//	@Summary		A target's checks
//	@Description	Newest first. To page back, pass the checked_at of the last item as before.
//	@Tags			checks
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id		path		int		true	"Target id"	minimum(1)
//	@Param			limit	query		int		false	"How many"	default(50)	minimum(1)	maximum(1000)
//	@Param			before	query		string	false	"Only checks started before this RFC 3339 time"	format(date-time)
//	@Success		200		{object}	CheckList
//	@Failure		400		{object}	Problem	"Bad id or query parameter"
//	@Failure		401		{object}	Problem	"Missing or invalid token"
//	@Failure		404		{object}	Problem	"No such target"
//	@Router			/targets/{id}/checks [get]
func (a *api) listChecks(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	limit, err := queryInt(c, "limit", 50, 1, 1000)
	if err != nil {
		return err
	}
	var before *time.Time
	if raw := c.QueryParam("before"); raw != "" {
		t, err := time.Parse(time.RFC3339Nano, raw)
		if err != nil {
			return badRequest("before", "must be an RFC 3339 time such as 2026-01-02T15:04:05Z")
		}
		before = &t
	}
	ctx := c.Request().Context()
	if err := a.exists(ctx, id); err != nil {
		return err
	}
	checks, err := a.Store.ListChecks(ctx, id, before, limit)
	if err != nil {
		return err
	}
	out := CheckList{Items: make([]Check, len(checks))}
	for i, chk := range checks {
		out.Items[i] = checkOut(chk)
	}
	return c.JSON(http.StatusOK, out)
}

func (a *api) exists(ctx context.Context, id int64) error {
	_, err := a.Store.GetTarget(ctx, id)
	return err
}

// maxWindow is the longest stats window: a year, which the daily rollups cover.
const maxWindow = 366 * 24 * time.Hour

// exactWindow is the longest window whose percentiles are exact: its checks are read
// one by one (at most 3,600 of one target). Longer windows are read from rollups,
// whose percentiles are estimated from a latency histogram.
const exactWindow = time.Hour

// targetStats godoc
//
//	@ID	getTargetStats
//	@Summary		A target's uptime and latency
//	@Description	Uptime ratio, counts and latency percentiles (over successful checks) for the window ending now. Windows up to an hour are exact; longer ones come from hourly rollups (daily beyond 90 days): counts are exact to the hour, percentiles are estimated from a latency histogram (within about 12%); a window's first part-hour is read whole once its checks are past retention, and a window reaching past 90 days starts at its first whole day.
//	@Tags			checks
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id		path		int		true	"Target id"	minimum(1)
//	@Param			window	query		string	false	"A duration such as 1h, 24h, 7d, 30d or 1y (1m to 366d)"	default(24h)
//	@Success		200		{object}	TargetStats
//	@Failure		400		{object}	Problem	"Bad id or window"
//	@Failure		401		{object}	Problem	"Missing or invalid token"
//	@Failure		404		{object}	Problem	"No such target"
//	@Router			/targets/{id}/stats [get]
func (a *api) targetStats(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	raw := c.QueryParam("window")
	if raw == "" {
		raw = "24h"
	}
	window, err := parseWindow(raw)
	if err != nil || window < time.Minute || window > maxWindow {
		return badRequest("window", "must be a duration from 1m to 366d, such as 24h, 7d or 1y")
	}
	ctx := c.Request().Context()
	t, err := a.Store.GetTarget(ctx, id)
	if err != nil {
		return err
	}
	s, err := a.windowStats(ctx, id, window)
	if err != nil {
		return err
	}
	out := TargetStats{
		TargetID: id, Window: raw, WindowSeconds: int(window.Seconds()),
		Checks: s.Checks, Up: s.Up, Down: s.Down, UptimeRatio: s.UptimeRatio,
		LatencyP50MS: s.LatencyP50, LatencyP95MS: s.LatencyP95, LatencyP99MS: s.LatencyP99,
		ColdStarts: s.ColdStarts,
	}
	if s.Checks > 0 {
		ratio := float64(s.Checks-s.ColdStarts) / float64(s.Checks)
		out.WarmRatio = &ratio
	}
	if t.KeepWarm {
		if err := a.warmStats(ctx, t, window, &out); err != nil {
			return err
		}
	}
	return c.JSON(http.StatusOK, out)
}

// warmStats adds a keep-warm target's figures. They read its successful checks one
// by one, which keep-warm's long intervals keep few (a week at 14 min is 720).
func (a *api) warmStats(ctx context.Context, t target.Target, window time.Duration, out *TargetStats) error {
	now := time.Now().UTC()
	from := now.Add(-window)
	if t.CreatedAt.After(from) {
		from = t.CreatedAt // no gap before it existed
	}
	wakes, successes, err := a.Store.WarmChecks(ctx, t.ID, from)
	if err != nil {
		return err
	}
	f := target.Warm(from, wakes, successes)
	out.WakeMSP50, out.MaxWarmGapSeconds = f.WakeP50MS, f.MaxGapSeconds
	if out.WarmGapBreaches, err = a.Store.WarmGapBreaches(ctx, t.ID, from); err != nil {
		return err
	}
	if t.IdleTimeoutSeconds > 0 {
		hours, err := a.Store.AwakeHours(ctx, map[int64]time.Duration{t.ID: time.Duration(t.IdleTimeoutSeconds) * time.Second}, from, now)
		if err != nil {
			return err
		}
		out.AwakeHours = round2(hours[t.ID])
	}
	return nil
}

func (a *api) windowStats(ctx context.Context, id int64, window time.Duration) (target.Stats, error) {
	now := time.Now()
	if window <= exactWindow {
		samples, err := a.Store.Samples(ctx, id, now.Add(-window))
		if err != nil {
			return target.Stats{}, err
		}
		return target.Summarize(window, samples), nil
	}
	sums, err := a.Store.Summaries(ctx, []int64{id}, now.Add(-window), now)
	if err != nil {
		return target.Stats{}, err
	}
	var r target.Rollup
	if sum, ok := sums[id]; ok {
		r = *sum
	}
	return r.Stats(window), nil
}

// stats godoc
//
//	@ID	getStats
//	@Summary	Targets by state
//	@Description	How many targets there are, how many are active or paused, and how many are up, down or unknown: the dashboard's summary.
//	@Tags		checks
//	@Produce	json
//	@Security	BearerAuth
//	@Security	ApiKeyAuth
//	@Success	200	{object}	Stats
//	@Failure	401	{object}	Problem	"Missing or invalid token"
//	@Router		/stats [get]
func (a *api) stats(c echo.Context) error {
	t, err := a.Store.Totals(c.Request().Context())
	if err != nil {
		return err
	}
	over, _, err := a.overBudget(c.Request().Context(), "")
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, Stats{Total: t.Total, Active: t.Active, Paused: t.Paused, Up: t.Up, Down: t.Down,
		Unknown: t.Unknown, OverBudget: over})
}

// healthz godoc
//
//	@ID	healthz
//	@Summary		Liveness
//	@Description	200 while the process serves HTTP. No authentication.
//	@Tags			health
//	@Produce		json
//	@Success		200	{object}	Health
//	@Router			/healthz [get]
func (a *api) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, Health{Status: "ok"})
}

// readyz godoc
//
//	@ID	readyz
//	@Summary		Readiness
//	@Description	200 when the database answers within 2 s and takes writes, else 503 with the reason: unreachable, or writes failing (a full disk, an I/O error, read-only) since the time given, while check results are kept and retried. No authentication.
//	@Tags			health
//	@Produce		json
//	@Success		200	{object}	Health
//	@Failure		503	{object}	Problem	"Database unreachable or not taking writes"
//	@Router			/readyz [get]
func (a *api) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	health := a.Store.Health()
	if err := a.Store.Ping(ctx); err != nil {
		if _, ok := store.Unavailable(err); ok {
			health.Failed(err)
		}
		return unavailable("the database is unreachable")
	}
	// A ping reads; a full disk still answers it. Whether writes go through is what
	// the scheduler's writes found out last.
	var out *store.OutageError
	if errors.As(health.Err(), &out) {
		return unavailable(fmt.Sprintf("database writes are failing since %s (%s); check results are kept and retried",
			out.Since.UTC().Format(time.RFC3339), out.Cause))
	}
	return c.JSON(http.StatusOK, Health{Status: "ok"})
}

func (a *api) openAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, a.OpenAPI)
}

// maxHeartbeatIDs bounds one heartbeats request: a page of the dashboard.
const maxHeartbeatIDs = 200

// heartbeats godoc
//
//	@ID				listHeartbeats
//	@Summary		Recent checks of several targets
//	@Description	For each target asked for that exists, its last checks (oldest first, for a left-to-right strip) and its uptime over 24 hours: what one page of the dashboard needs, in one request.
//	@Tags			checks
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			ids		query		string	true	"Target ids, comma-separated (at most 200), e.g. 1,2,3"
//	@Param			limit	query		int		false	"Checks per target"	default(30)	minimum(1)	maximum(100)
//	@Success		200		{object}	HeartbeatList
//	@Failure		400		{object}	Problem	"Bad ids or limit"
//	@Failure		401		{object}	Problem	"Missing or invalid token"
//	@Router			/heartbeats [get]
func (a *api) heartbeats(c echo.Context) error {
	limit, err := queryInt(c, "limit", 30, 1, 100)
	if err != nil {
		return err
	}
	raw := strings.Split(c.QueryParam("ids"), ",")
	if len(raw) > maxHeartbeatIDs {
		return badRequest("ids", "must list at most %d ids", maxHeartbeatIDs)
	}
	ids := make([]int64, 0, len(raw))
	for _, r := range raw {
		id, err := strconv.ParseInt(strings.TrimSpace(r), 10, 64)
		if err != nil || id < 1 {
			return badRequest("ids", "must be target ids separated by commas, such as 1,2,3")
		}
		ids = append(ids, id)
	}
	hbs, err := a.Store.Heartbeats(c.Request().Context(), ids, limit, time.Now().Add(-24*time.Hour))
	if err != nil {
		return err
	}
	out := HeartbeatList{Items: make([]Heartbeat, len(hbs))}
	for i, h := range hbs {
		out.Items[i] = heartbeatOut(h)
	}
	return c.JSON(http.StatusOK, out)
}
