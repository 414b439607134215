package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// Budget is one pool of free hours shared by the keep-warm targets of a budget group.
type Budget struct {
	Group string `json:"group" validate:"required" example:"render-workspace"`
	// Platform is the group's platform (its first target's).
	Platform string `json:"platform" validate:"required" example:"render-free"`
	// MonthlyFreeHours is the platform's pool; null when it has none counted in hours.
	MonthlyFreeHours *float64 `json:"monthly_free_hours" validate:"required" extensions:"x-nullable" example:"750"`
	// UsedHours is the awake time so far this month (UTC).
	UsedHours float64 `json:"used_hours" validate:"required" example:"312.5"`
	// ProjectedHours is used plus what the plan costs for the rest of the month.
	ProjectedHours float64 `json:"projected_hours" validate:"required" example:"701"`
	// PlannedHoursPerMonth is what the current plan costs in a 31-day month.
	PlannedHoursPerMonth float64 `json:"planned_hours_per_month" validate:"required" example:"744"`
	// Fits is false when the plan costs more than the pool.
	Fits   bool   `json:"fits" validate:"required" example:"true"`
	Advice string `json:"advice" validate:"required" example:"fits: 744 h of 750 h planned, 6 h spare"`
	// TargetIDs are the group's keep-warm targets.
	TargetIDs []int64 `json:"target_ids" validate:"required"`
} // @name Budget

// BudgetList is every budget group, by name.
type BudgetList struct {
	Items []Budget `json:"items" validate:"required"`
} // @name BudgetList

// group is a budget group's targets and what the plan costs.
type group struct {
	name     string
	targets  []target.Target
	services []target.BudgetService
	pool     *float64
	platform string
	planned  float64
}

func monthStart(now time.Time) time.Time {
	now = now.UTC()
	return time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// groups reads the budget groups and prices each plan in a 31-day month.
func (a *api) groups(ctx context.Context, now time.Time) ([]*group, error) {
	targets, err := a.Store.KeepWarmGroups(ctx)
	if err != nil {
		return nil, err
	}
	start := monthStart(now)
	var out []*group
	for _, t := range targets {
		if len(out) == 0 || out[len(out)-1].name != t.BudgetGroup {
			out = append(out, &group{name: t.BudgetGroup, platform: t.Platform})
		}
		g := out[len(out)-1]
		if g.pool == nil {
			if p, ok := a.Platforms.Get(t.Platform); ok && p.MonthlyFreeHours != nil {
				g.pool, g.platform = p.MonthlyFreeHours, t.Platform
			}
		}
		// Validated at create: a schedule that no longer parses counts as always.
		sched, _ := target.ParseSchedule(t.WarmWindows, t.Timezone)
		s := target.BudgetService{Schedule: sched, IdleSeconds: t.IdleTimeoutSeconds, Active: t.IsActive}
		g.targets = append(g.targets, t)
		g.services = append(g.services, s)
		g.planned += target.PlannedHours(s, start)
	}
	return out, nil
}

func (g *group) fits() bool { return g.pool == nil || g.planned <= *g.pool }

// listBudgets godoc
//
//	@ID	listBudgets
//	@Summary		Free-hour budgets
//	@Description	For each budget group of keep-warm targets: the hours used this month (UTC), projected to its end, what the plan costs in a 31-day month, whether that fits the platform's free pool, and by how much to trim the windows when it does not. A service is awake from a successful request until the idle limit after the last one; before the last hourly rollup, an hour with a successful check counts as an hour awake.
//	@Tags			keep-warm
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Success		200	{object}	BudgetList
//	@Failure		401	{object}	Problem	"Missing or invalid token"
//	@Router			/budgets [get]
func (a *api) listBudgets(c echo.Context) error {
	ctx := c.Request().Context()
	now := time.Now().UTC()
	groups, err := a.groups(ctx, now)
	if err != nil {
		return err
	}
	idle := map[int64]time.Duration{}
	for _, g := range groups {
		for _, t := range g.targets {
			idle[t.ID] = time.Duration(t.IdleTimeoutSeconds) * time.Second
		}
	}
	start := monthStart(now)
	used, err := a.Store.AwakeHours(ctx, idle, start, now)
	if err != nil {
		return err
	}
	out := BudgetList{Items: make([]Budget, 0, len(groups))}
	for _, g := range groups {
		b := Budget{Group: g.name, Platform: g.platform, MonthlyFreeHours: g.pool, PlannedHoursPerMonth: round2(g.planned),
			Fits: g.fits(), TargetIDs: make([]int64, len(g.targets))}
		for i, t := range g.targets {
			b.TargetIDs[i] = t.ID
			b.UsedHours += used[t.ID]
		}
		b.ProjectedHours = round2(target.ProjectedHours(b.UsedHours, g.services, now, start.AddDate(0, 1, 0)))
		b.UsedHours = round2(b.UsedHours)
		if g.pool != nil {
			b.Advice = target.Advice(g.planned, *g.pool, len(g.targets))
		} else {
			b.Advice = "the platform has no free pool counted in hours"
		}
		out.Items = append(out.Items, b)
	}
	return c.JSON(http.StatusOK, out)
}

func round2(h float64) float64 { return float64(int64(h*100+0.5)) / 100 }

// overBudget counts the keep-warm targets in groups whose plan does not fit, and
// says why for the group named (for a create or update's warnings).
func (a *api) overBudget(ctx context.Context, name string) (int, string, error) {
	groups, err := a.groups(ctx, time.Now())
	if err != nil {
		return 0, "", err
	}
	n, why := 0, ""
	for _, g := range groups {
		if g.fits() {
			continue
		}
		n += len(g.targets)
		if g.name == name {
			why = fmt.Sprintf("budget group %q does not fit its %.0f free hours: %s", g.name, *g.pool,
				target.Advice(g.planned, *g.pool, len(g.targets)))
		}
	}
	return n, why, nil
}
