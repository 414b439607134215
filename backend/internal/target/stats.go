package target

import (
	"math"
	"slices"
	"time"
)

// Sample is the part of a check the statistics need.
type Sample struct {
	OK        bool
	LatencyMS int
	ColdStart bool
}

// Stats summarise a target's checks over a window.
type Stats struct {
	Window      time.Duration
	Checks      int
	Up          int
	Down        int
	UptimeRatio *float64 // nil when there were no checks: unknown, not 0 and not 1
	LatencyP50  *int
	LatencyP95  *int
	LatencyP99  *int
	// ColdStarts counts the checks that found the target asleep.
	ColdStarts int
}

// Summarize computes uptime and latency percentiles. Latency is taken over successful
// checks only: a timeout's duration says how long we waited, not how fast it answered.
func Summarize(window time.Duration, samples []Sample) Stats {
	s := Stats{Window: window, Checks: len(samples)}
	latencies := make([]int, 0, len(samples))
	for _, c := range samples {
		if c.ColdStart {
			s.ColdStarts++
		}
		if c.OK {
			s.Up++
			latencies = append(latencies, c.LatencyMS)
		} else {
			s.Down++
		}
	}
	if s.Checks > 0 {
		ratio := float64(s.Up) / float64(s.Checks)
		s.UptimeRatio = &ratio
	}
	slices.Sort(latencies)
	s.LatencyP50 = Percentile(latencies, 50)
	s.LatencyP95 = Percentile(latencies, 95)
	s.LatencyP99 = Percentile(latencies, 99)
	return s
}

// Percentile returns the nearest-rank p-th percentile of sorted values, or nil when
// there are none.
func Percentile(sorted []int, p float64) *int {
	if len(sorted) == 0 {
		return nil
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	v := sorted[min(max(rank, 1), len(sorted))-1]
	return &v
}

// coldFloor is the least a first answer must take to count as a wake-up, whatever the
// target's usual pace: a 40 ms service answering in 300 ms is slow, not asleep.
const coldFloor = 2 * time.Second

// ColdThreshold is how long a first answer may take before the check counts as having
// woken the target: max(2 s, 5× its usual latency).
func ColdThreshold(medianMS *int) time.Duration {
	if medianMS == nil {
		return coldFloor
	}
	return max(coldFloor, 5*time.Duration(*medianMS)*time.Millisecond)
}

// NextMedian moves a running median estimate one step towards a new observation. It
// needs no history: each step is a sixteenth of the current estimate (at least 1 ms),
// so it settles on the median of a steady stream and shrugs off single outliers.
func NextMedian(current *int, observedMS int) int {
	if current == nil {
		return observedMS
	}
	m := *current
	step := max(1, m/16)
	switch {
	case observedMS > m:
		m = min(observedMS, m+step)
	case observedMS < m:
		m = max(observedMS, m-step)
	}
	return m
}

// Heartbeat is a target's most recent checks, oldest first, with its uptime over the
// last day: what a dashboard row shows.
type Heartbeat struct {
	TargetID  int64
	Checks    []Check
	Uptime24h *float64
}

// WarmFigures are a keep-warm target's figures over a window, from its checks.
type WarmFigures struct {
	// WakeP50MS is the median wake time of its cold starts; nil when there were none.
	WakeP50MS *int
	// MaxGapSeconds is the longest stretch between successful checks (or from the
	// window's start to the first); nil when there were no successes.
	MaxGapSeconds *int
}

// Warm computes WarmFigures from the wake times of a window's cold starts and the
// times of its successful checks (sorted).
func Warm(from time.Time, wakes []int, successes []time.Time) WarmFigures {
	var f WarmFigures
	slices.Sort(wakes)
	f.WakeP50MS = Percentile(wakes, 50)
	if len(successes) > 0 {
		prev, longest := from, time.Duration(0)
		for _, at := range successes {
			longest = max(longest, at.Sub(prev))
			prev = at
		}
		secs := int(longest.Seconds())
		f.MaxGapSeconds = &secs
	}
	return f
}
