package target

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestPlannedHours(t *testing.T) {
	march := utc(2026, 3, 1, 0, 0) // a Sunday; March 2026 has 22 weekdays
	const renderIdle = 15 * 60
	daily := func(tz, start, end string) Schedule {
		return mustSchedule(t, tz, WarmWindow{Days: everyDay, Start: start, End: end})
	}
	weekdays := []string{"mon", "tue", "wed", "thu", "fri"}
	tests := []struct {
		name string
		s    BudgetService
		want float64
	}{
		{"always on", BudgetService{IdleSeconds: renderIdle, Active: true}, 744},
		{"paused costs nothing", BudgetService{IdleSeconds: renderIdle}, 0},
		{"12 h a day, no idle tail", BudgetService{Schedule: daily("UTC", "08:00", "20:00"), Active: true}, 372},
		{"12 h a day plus a 15 min tail", BudgetService{Schedule: daily("UTC", "08:00", "20:00"), IdleSeconds: renderIdle, Active: true}, 372 + 31*0.25},
		{"12 h a day in Berlin across the spring change", BudgetService{Schedule: daily("Europe/Berlin", "08:00", "20:00"), Active: true}, 372},
		{"weekdays only", BudgetService{Schedule: mustSchedule(t, "UTC", WarmWindow{Days: weekdays, Start: "08:00", End: "20:00"}),
			IdleSeconds: renderIdle, Active: true}, 22 * 12.25},
		{"overlapping windows count once", BudgetService{Schedule: mustSchedule(t, "UTC",
			WarmWindow{Days: everyDay, Start: "08:00", End: "20:00"},
			WarmWindow{Days: everyDay, Start: "12:00", End: "22:00"},
		), Active: true}, 31 * 14},
		{"a tail inside the next window counts once", BudgetService{Schedule: mustSchedule(t, "UTC",
			WarmWindow{Days: everyDay, Start: "08:00", End: "12:00"},
			WarmWindow{Days: everyDay, Start: "12:30", End: "20:00"},
		), IdleSeconds: 3600, Active: true}, 31 * 13},
		// Feb 28's night and its tail reach 03:00 on Mar 1; Mar 31's night is cut at
		// midnight: 3 + 30×5 + 2.
		{"nights cut at the month's edges", BudgetService{Schedule: daily("UTC", "22:00", "02:00"), IdleSeconds: 3600, Active: true}, 155},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.InDelta(t, tc.want, PlannedHours(tc.s, march), 1e-9)
		})
	}
}

func TestPoolOfRenderServices(t *testing.T) {
	march := utc(2026, 3, 1, 0, 0)
	warm := BudgetService{IdleSeconds: 900, Active: true}
	tests := []struct {
		name       string
		services   []BudgetService
		wantHours  float64
		wantFits   bool
		wantAdvice string
	}{
		{"one always-on service fits", []BudgetService{warm}, 744, true, "fits: 744 h of 750 h planned, 6 h spare"},
		{"two always-on services do not", []BudgetService{warm, warm}, 1488, false,
			"over by 738 h: trim each of 2 services' keep-warm time by 11 h 55 min a day"},
		{"one always-on and one 12 h a day do not", []BudgetService{warm, {
			Schedule: mustSchedule(t, "UTC", WarmWindow{Days: everyDay, Start: "08:00", End: "20:00"}), IdleSeconds: 900, Active: true,
		}}, 744 + 379.75, false, "over by 374 h: trim each of 2 services' keep-warm time by 6 h 2 min a day"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var planned float64
			for _, s := range tc.services {
				planned += PlannedHours(s, march)
			}
			assert.InDelta(t, tc.wantHours, planned, 1e-9)
			assert.Equal(t, tc.wantFits, planned <= 750)
			assert.Equal(t, tc.wantAdvice, Advice(planned, 750, len(tc.services)))
		})
	}
}

func TestAdvice(t *testing.T) {
	tests := []struct {
		name          string
		planned, pool float64
		services      int
		want          string
	}{
		{"fits, rounded up", 379.75, 750, 1, "fits: 380 h of 750 h planned, 370 h spare"},
		{"exactly the pool fits", 750, 750, 3, "fits: 750 h of 750 h planned, 0 h spare"},
		{"one service over", 800, 750, 1, "over by 50 h: trim its keep-warm time by 1 h 37 min a day"},
		{"a little over rounds up to a minute", 750.01, 750, 1, "over by 1 h: trim its keep-warm time by 1 min a day"},
		{"thousands separated", 2232, 750, 3, "over by 1,482 h: trim each of 3 services' keep-warm time by 15 h 57 min a day"},
		{"no pool at all", 1488, 0, 2, "over by 1,488 h: the pool cannot keep these services awake; pause some"},
		{"no services given", 900, 750, 0, "over by 150 h"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Advice(tc.planned, tc.pool, tc.services))
		})
	}
}

func TestProjectedHours(t *testing.T) {
	monthEnd := utc(2026, 4, 1, 0, 0)
	services := []BudgetService{
		{IdleSeconds: 900, Active: true},
		{Schedule: mustSchedule(t, "UTC", WarmWindow{Days: everyDay, Start: "08:00", End: "20:00"}), Active: true},
		{IdleSeconds: 900}, // paused
	}
	tests := []struct {
		name string
		now  time.Time
		used float64
		want float64
	}{
		{"half way, at midnight", utc(2026, 3, 16, 0, 0), 300, 300 + 16*24 + 16*12},
		{"half way, inside a window", utc(2026, 3, 16, 12, 0), 300, 300 + 15.5*24 + 8 + 15*12},
		{"month over", monthEnd, 1000, 1000},
		{"past the end", monthEnd.Add(time.Hour), 1000, 1000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.InDelta(t, tc.want, ProjectedHours(tc.used, services, tc.now, monthEnd), 1e-9)
		})
	}

	t.Run("a tail still running at now counts", func(t *testing.T) {
		s := []BudgetService{{Schedule: mustSchedule(t, "UTC", WarmWindow{Days: []string{"mon"}, Start: "08:00", End: "20:00"}), IdleSeconds: 3600, Active: true}}
		now := utc(2026, 1, 5, 20, 30) // a Monday, half an hour after the window closed
		assert.InDelta(t, 0.5, ProjectedHours(0, s, now, utc(2026, 1, 6, 0, 0)), 1e-9)
	})
}

func TestUsedHours(t *testing.T) {
	from, to := utc(2026, 3, 1, 0, 0), utc(2026, 3, 2, 0, 0)
	at := func(h, m int) time.Time { return from.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	var everyTenMinutes []time.Time
	for tm := at(8, 0); !tm.After(at(20, 0)); tm = tm.Add(10 * time.Minute) {
		everyTenMinutes = append(everyTenMinutes, tm)
	}
	const idle = 15 * time.Minute
	tests := []struct {
		name     string
		requests []time.Time
		idle     time.Duration
		want     float64
	}{
		{"none", nil, idle, 0},
		{"one", []time.Time{at(8, 0)}, idle, 0.25},
		{"kept warm 08:00–20:00 every 10 min", everyTenMinutes, idle, 12.25},
		{"overlapping requests count once", []time.Time{at(0, 0), at(0, 10), at(0, 20)}, idle, 35.0 / 60},
		{"the same request twice", []time.Time{at(1, 0), at(1, 0)}, idle, 0.25},
		{"a gap lets it sleep", []time.Time{at(0, 0), at(1, 0)}, idle, 0.5},
		{"unsorted", []time.Time{at(1, 0), at(0, 10), at(0, 0)}, idle, 40.0 / 60},
		{"a request before from counts from from", []time.Time{from.Add(-10 * time.Minute)}, idle, 5.0 / 60},
		{"a request long before from does not", []time.Time{from.Add(-time.Hour)}, idle, 0},
		{"a request near to is cut at to", []time.Time{to.Add(-5 * time.Minute)}, idle, 5.0 / 60},
		{"a request at to does not count", []time.Time{to}, idle, 0},
		{"no idle limit", []time.Time{at(1, 0)}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.InDelta(t, tc.want, UsedHours(tc.requests, tc.idle, from, to), 1e-9)
		})
	}
}
