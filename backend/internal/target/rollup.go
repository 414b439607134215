package target

import (
	"math"
	"time"
)

// LatencyBounds are the inclusive upper bounds, in milliseconds, of the latency
// histogram's buckets; a last bucket holds everything slower. They grow by about a
// quarter each step, so a percentile read from the histogram is off by at most half
// a bucket, about 12%, and usually far less: it is interpolated inside the bucket and
// clamped to the slowest and fastest answers seen.
var LatencyBounds = [Buckets - 1]int{
	5, 10, 15, 20, 30, 40, 50, 65, 80, 100, 130, 160, 200, 250, 320, 400, 500, 650,
	800, 1000, 1300, 1600, 2000, 2500, 3200, 4000, 5000, 6500, 8000, 10000, 15000,
	20000, 30000, 60000,
}

// Buckets is the number of histogram buckets.
const Buckets = 35

// Bucket returns the histogram bucket a latency falls in.
func Bucket(latencyMS int) int {
	for i, b := range LatencyBounds {
		if latencyMS <= b {
			return i
		}
	}
	return Buckets - 1
}

// Rollup summarises a target's checks over a stretch of time in a form that adds up:
// counts and a latency histogram of the successful checks. Hourly and daily rollups
// are stored, so statistics over a day or a year read a few dozen rows instead of
// every check.
type Rollup struct {
	Checks     int
	Up         int
	ColdStarts int
	// Latency of successful checks: their sum, extremes and histogram.
	LatencySumMS int64
	LatencyMinMS *int
	LatencyMaxMS *int
	Histogram    [Buckets]int
}

// Group is a run of checks alike in outcome and latency bucket, as the database
// counts them.
type Group struct {
	OK        bool
	ColdStart bool
	Bucket    int
	Count     int
	SumMS     int64
	MinMS     int
	MaxMS     int
}

// AddGroup counts a group of checks in.
func (r *Rollup) AddGroup(g Group) {
	r.Checks += g.Count
	if !g.OK {
		return
	}
	r.Up += g.Count
	if g.ColdStart {
		r.ColdStarts += g.Count
	}
	r.LatencySumMS += g.SumMS
	r.Histogram[min(max(g.Bucket, 0), Buckets-1)] += g.Count
	r.noteExtremes(&g.MinMS, &g.MaxMS)
}

// Merge adds another rollup in.
func (r *Rollup) Merge(o Rollup) {
	r.Checks += o.Checks
	r.Up += o.Up
	r.ColdStarts += o.ColdStarts
	r.LatencySumMS += o.LatencySumMS
	for i, n := range o.Histogram {
		r.Histogram[i] += n
	}
	r.noteExtremes(o.LatencyMinMS, o.LatencyMaxMS)
}

func (r *Rollup) noteExtremes(lo, hi *int) {
	if lo != nil && (r.LatencyMinMS == nil || *lo < *r.LatencyMinMS) {
		v := *lo
		r.LatencyMinMS = &v
	}
	if hi != nil && (r.LatencyMaxMS == nil || *hi > *r.LatencyMaxMS) {
		v := *hi
		r.LatencyMaxMS = &v
	}
}

// Stats reads uptime and latency percentiles off the rollup.
func (r Rollup) Stats(window time.Duration) Stats {
	s := Stats{Window: window, Checks: r.Checks, Up: r.Up, Down: r.Checks - r.Up, ColdStarts: r.ColdStarts}
	if r.Checks > 0 {
		ratio := float64(r.Up) / float64(r.Checks)
		s.UptimeRatio = &ratio
	}
	s.LatencyP50 = r.Percentile(50)
	s.LatencyP95 = r.Percentile(95)
	s.LatencyP99 = r.Percentile(99)
	return s
}

// Percentile estimates the p-th percentile latency of the successful checks by
// nearest rank, interpolating inside the bucket the rank falls in, or nil when there
// were none.
func (r Rollup) Percentile(p float64) *int {
	total := 0
	for _, n := range r.Histogram {
		total += n
	}
	if total == 0 || r.LatencyMinMS == nil || r.LatencyMaxMS == nil {
		return nil
	}
	rank := min(max(int(math.Ceil(p/100*float64(total))), 1), total)
	seen := 0
	for i, n := range r.Histogram {
		if seen+n < rank {
			seen += n
			continue
		}
		lo, hi := 0, *r.LatencyMaxMS
		if i > 0 {
			lo = LatencyBounds[i-1]
		}
		if i < Buckets-1 {
			hi = LatencyBounds[i]
		}
		// The rank-th of n values spread evenly over (lo, hi].
		v := float64(lo) + float64(hi-lo)*(float64(rank-seen)-0.5)/float64(n)
		out := min(max(int(math.Round(v)), *r.LatencyMinMS), *r.LatencyMaxMS)
		return &out
	}
	return r.LatencyMaxMS
}
