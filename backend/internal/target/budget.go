package target

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

// Free-hour budgets. Some hosts give a workspace a pool of awake hours a month shared by
// all its services (Render: 750 h, so one service warm around the clock fits and two do
// not). A budget group is the targets that draw on one pool; this file works out what
// they use and what their keep-warm plan will cost.

// BudgetMonth is the month budgets are planned for: the longest, 31 days or 744 h, so a
// plan that fits it fits every month.
const BudgetMonth = 31 * 24 * time.Hour

// BudgetService is one keep-warm target as the budget sees it.
type BudgetService struct {
	Schedule Schedule
	// IdleSeconds is how long the host keeps the service awake after its last request.
	IdleSeconds int
	// Active is false for a paused target: nothing pings it, so it costs nothing.
	Active bool
}

func (s BudgetService) idle() time.Duration {
	return time.Duration(max(s.IdleSeconds, 0)) * time.Second
}

// awake is the time in [from, to) the plan keeps the service awake: from each window's
// opening until the idle limit after it closes (the last check is at most at the close,
// and the host lets the service sleep an idle limit after it). Time covered twice counts
// once.
func (s BudgetService) awake(from, to time.Time) time.Duration {
	if !s.Active || !from.Before(to) {
		return 0
	}
	if s.Schedule.alwaysOn() {
		return to.Sub(from)
	}
	idle := s.idle()
	// Windows that closed up to an idle limit before from still keep it awake at from.
	ivs := s.Schedule.AwakeIntervals(from.Add(-idle), to)
	for i := range ivs {
		ivs[i].End = ivs[i].End.Add(idle)
	}
	var total time.Duration
	for _, iv := range mergeIntervals(ivs) {
		total += clip(iv, from, to).Duration()
	}
	return total
}

// PlannedHours is what the service's plan costs in a 31-day month from monthStart (an
// instant; the month is BudgetMonth of real time from it): awake from the opening of
// each window until IdleSeconds after it closes, time covered twice counted once. A
// service kept warm always costs 744 h, a paused one nothing.
func PlannedHours(s BudgetService, monthStart time.Time) float64 {
	return s.awake(monthStart, monthStart.Add(BudgetMonth)).Hours()
}

// ProjectedHours is where a budget group will end the month: the hours used so far plus
// what every service's plan costs in what is left of it, [now, monthEnd).
func ProjectedHours(used float64, services []BudgetService, now, monthEnd time.Time) float64 {
	total := used
	for _, s := range services {
		total += s.awake(now, monthEnd).Hours()
	}
	return total
}

// UsedHours is how long a service was awake in [from, to), judged from the times of its
// successful requests: each keeps it awake for the idle limit after it, and time covered
// twice counts once. Requests should be sorted; unsorted ones are sorted first.
func UsedHours(requests []time.Time, idle time.Duration, from, to time.Time) float64 {
	if idle <= 0 || !from.Before(to) {
		return 0
	}
	if !slices.IsSortedFunc(requests, time.Time.Compare) {
		requests = slices.SortedFunc(slices.Values(requests), time.Time.Compare)
	}
	var total time.Duration
	var cur Interval // the stretch being built; zero until the first request counts
	for _, r := range requests {
		iv := clip(Interval{Start: r, End: r.Add(idle)}, from, to)
		if !iv.End.After(iv.Start) {
			continue
		}
		if !cur.End.IsZero() && !iv.Start.After(cur.End) {
			cur.End = iv.End // sorted, so iv ends no sooner than cur
			continue
		}
		total += cur.Duration()
		cur = iv
	}
	total += cur.Duration()
	return total.Hours()
}

// Advice says in one short line whether a budget group's plan fits its pool and, when
// not, by how much to trim it: the excess spread over every service and every day of a
// 31-day month, rounded up to the minute so that trimming as much makes it fit.
//
//	fits: 430 h of 750 h planned, 320 h spare
//	over by 738 h: trim each of 2 services' keep-warm time by 11 h 55 min a day
func Advice(planned, pool float64, services int) string {
	if planned <= pool {
		p, q := wholeHours(planned), wholeHours(pool)
		return fmt.Sprintf("fits: %s h of %s h planned, %s h spare", thousands(p), thousands(q), thousands(max(q-p, 0)))
	}
	over := planned - pool
	head := "over by " + thousands(wholeHours(over)) + " h"
	if services < 1 {
		return head
	}
	perDay := over / float64(services) / (BudgetMonth.Hours() / 24)
	if perDay >= 24-1e-9 {
		return head + ": the pool cannot keep these services awake; pause some"
	}
	trim := humanSeconds(int(math.Ceil(perDay*60-1e-9)) * 60)
	if services == 1 {
		return head + ": trim its keep-warm time by " + trim + " a day"
	}
	return fmt.Sprintf("%s: trim each of %d services' keep-warm time by %s a day", head, services, trim)
}

// wholeHours rounds a number of hours up to a whole hour, so a plan or an excess is never
// shown as smaller than it is; the small allowance absorbs floating-point dust.
func wholeHours(h float64) int64 {
	return max(int64(math.Ceil(h-1e-9)), 0)
}

// thousands writes n with its thousands separated by commas: "1,488".
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
