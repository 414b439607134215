package main

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// analysis is what the checks table and the fleet's log say about the window.
type analysis struct {
	checks     int       // scheduled checks whose slot fell in the window
	rows       int       // check rows whose check started in the window
	lateness   []float64 // ms, one per check, sorted
	fallbacks  int       // checks whose lateness came from CheckedAt, no arrival matched
	duplicates int       // requests beyond each check's own attempts
	// unrecorded counts targets that got requests in the window which no recorded
	// check accounts for: checks cut off by the shutdown, or results lost.
	unrecorded int
	// unchecked counts targets the fleet heard nothing from in a span that must hold
	// a check of each, or is -1 when the run is too short to have such a span.
	unchecked int
}

// analyse matches recorded checks with the requests the fleet saw.
//
// A check's requests are its target's arrivals from the moment the check started
// (checked_at: the replica's clock, the fleet's too, as they share the machine) up to
// the start of the target's next recorded check. A target's next check is claimed only
// once this one is recorded, so the span holds every attempt of this check and none of
// the next one's. Slots cannot draw that line: under load the product may set the
// next slot before this check's last request has even arrived. When no later check is
// recorded, the span ends at the later of one second after the start (the first
// attempt is on the wire by then) and the next slot of the series after the start.
//
// Requests in a span beyond the check's recorded attempts are duplicates: a slot
// checked twice (the checks table stores a slot once, so only the fleet can see it)
// or a request the product never accounted for.
//
// timings must hold every check of the run, not only the window's: those after it
// bound the last spans. ids maps fleet indexes to target ids; arrivals must be sorted.
func analyse(timings []store.Timing, ids []int64, arrivals func(int) []int64,
	interval time.Duration, from, to, firstDue time.Time) analysis {
	slices.SortFunc(timings, func(a, b store.Timing) int {
		return cmp.Or(cmp.Compare(a.TargetID, b.TargetID), a.ScheduledAt.Compare(b.ScheduledAt))
	})
	byTarget := make(map[int64][]store.Timing, len(ids))
	for start := 0; start < len(timings); {
		end := start + 1
		for end < len(timings) && timings[end].TargetID == timings[start].TargetID {
			end++
		}
		byTarget[timings[start].TargetID] = timings[start:end]
		start = end
	}

	var a analysis
	inWindow := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
	for i, id := range ids {
		checks, arr := byTarget[id], arrivals(i)
		search := func(t time.Time) int {
			return sort.Search(len(arr), func(j int) bool { return arr[j] >= t.UnixNano() })
		}
		for k, t := range checks {
			if inWindow(t.CheckedAt) {
				a.rows++
			}
			if !inWindow(t.ScheduledAt) {
				continue
			}
			a.checks++
			end := spanEnd(checks, k, interval)
			lo, hi := search(t.CheckedAt), search(end)
			if lo < hi {
				a.lateness = append(a.lateness, float64(arr[lo]-t.ScheduledAt.UnixNano())/1e6)
			} else {
				a.fallbacks++
				a.lateness = append(a.lateness, float64(t.CheckedAt.Sub(t.ScheduledAt).Microseconds())/1000)
			}
			a.duplicates += max(0, hi-lo-t.Attempts)
		}
		// The recorded checks' spans run without a gap from the first start to the end
		// of the last span; requests in the window outside them are unaccounted.
		covered := func(n int64) bool { return false }
		if len(checks) > 0 {
			first, last := checks[0].CheckedAt.UnixNano(), spanEnd(checks, len(checks)-1, interval).UnixNano()
			covered = func(n int64) bool { return n >= first && n < last }
		}
		for _, n := range arr[search(from):search(to)] {
			if !covered(n) {
				a.unrecorded++
				break
			}
		}
	}
	slices.Sort(a.lateness)
	a.unchecked = unchecked(len(ids), arrivals, interval, from, to, firstDue)
	return a
}

// spanEnd is where the span of checks[k] (one target's, by slot) ends.
func spanEnd(checks []store.Timing, k int, interval time.Duration) time.Time {
	if k+1 < len(checks) {
		return checks[k+1].CheckedAt
	}
	t := checks[k]
	return later(t.CheckedAt.Add(time.Second), slotAfter(t.ScheduledAt, interval, t.CheckedAt))
}

// slotAfter is the first slot of the series scheduled + k × interval after t: the
// earliest the product means to schedule the successor of a check started at t. (Its
// estimate of now can lag behind; that matters only for a successor never recorded.)
func slotAfter(scheduled time.Time, interval time.Duration, t time.Time) time.Time {
	if t.Before(scheduled) {
		return scheduled.Add(interval)
	}
	return scheduled.Add((t.Sub(scheduled)/interval + 1) * interval)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// unchecked counts the targets that got no request at all in the window, stretched
// back to one interval when it is shorter: any span of one interval holds a slot of
// every target once all have been due. The fleet, not the checks table, decides: a
// check still retrying when the run stops is never recorded, but it did reach its
// target. It is -1 when even the stretched span starts before every target was due.
func unchecked(n int, arrivals func(int) []int64, interval time.Duration, from, to, firstDue time.Time) int {
	if to.Sub(from) < interval {
		from = to.Add(-interval)
	}
	if from.Before(firstDue) {
		return -1
	}
	count := 0
	for i := range n {
		arr := arrivals(i)
		j := sort.Search(len(arr), func(j int) bool { return arr[j] >= from.UnixNano() })
		if j == len(arr) || arr[j] >= to.UnixNano() {
			count++
		}
	}
	return count
}

// percentile is the nearest-rank p-th percentile of sorted values, or 0 for none.
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// typeAnalysis is one check type's scheduled checks in the window, read from the
// checks table alone: the slot and the start of each check.
type typeAnalysis struct {
	checks   int       // slot in the window
	rows     int       // check started in the window
	lateness []float64 // ms, checked_at − scheduled_at, sorted
}

// analyseByType sorts the window's scheduled checks by their target's type. It needs
// no fleet log, so it measures every type alike, tcp included (whose connections do
// not say which target they are for). Lateness here is from the slot to the start of
// the check as the replica saw it, without the dial.
func analyseByType(timings []store.Timing, typeByID map[int64]target.Type, from, to time.Time) map[target.Type]*typeAnalysis {
	out := map[target.Type]*typeAnalysis{}
	inWindow := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
	for _, t := range timings {
		typ, ok := typeByID[t.TargetID]
		if !ok {
			continue
		}
		a := out[typ]
		if a == nil {
			a = &typeAnalysis{}
			out[typ] = a
		}
		if inWindow(t.CheckedAt) {
			a.rows++
		}
		if !inWindow(t.ScheduledAt) {
			continue
		}
		a.checks++
		a.lateness = append(a.lateness, float64(t.CheckedAt.Sub(t.ScheduledAt).Microseconds())/1000)
	}
	for _, a := range out {
		slices.Sort(a.lateness)
	}
	return out
}

// countBetween counts the sorted arrivals in [from, to).
func countBetween(arr []int64, from, to time.Time) int {
	lo := sort.Search(len(arr), func(j int) bool { return arr[j] >= from.UnixNano() })
	hi := sort.Search(len(arr), func(j int) bool { return arr[j] >= to.UnixNano() })
	return hi - lo
}
