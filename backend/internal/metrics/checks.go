package metrics

import (
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// checkBuckets are the upper bounds, in seconds, of watchdog_check_duration_seconds.
// They start at 5 ms: a target on the same network answers in a few milliseconds, and
// with a first bucket at 50 ms histogram_quantile placed a 2 ms answer at about 25 ms.
// Each bound is a series per target and outcome, so there are few of them; above 30 s
// (a cold start, a timeout) +Inf is precise enough.
var checkBuckets = [...]float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// Outcomes index a tally's arrays.
const (
	outcomeUp = iota
	outcomeDown
)

var outcomes = [2]string{outcomeUp: string(target.StatusUp), outcomeDown: string(target.StatusDown)}

// tally is one target's check counts (or, without PerTarget, every target's): about
// 250 bytes. client_golang's own vector children cost some kilobytes per target, which
// at 10,000 targets was 80 MB of a 120 MB process.
type tally struct {
	count   [2]uint64
	sum     [2]float64
	buckets [2][len(checkBuckets)]uint64 // not cumulative; Collect adds them up
	cold    uint64
}

// checkCollector keeps the tallies and turns them into watchdog_checks_total,
// watchdog_check_duration_seconds and watchdog_cold_starts_total at scrape time.
type checkCollector struct {
	perTarget bool
	checks    *prometheus.Desc
	duration  *prometheus.Desc
	cold      *prometheus.Desc

	mu      sync.Mutex
	tallies map[int64]*tally // by target id; the one key 0 without PerTarget
}

func newCheckCollector(perTarget bool) *checkCollector {
	labels, coldLabels := []string{"outcome"}, []string(nil)
	if perTarget {
		labels, coldLabels = []string{"target_id", "outcome"}, []string{"target_id"}
	}
	return &checkCollector{
		perTarget: perTarget,
		checks:    prometheus.NewDesc("watchdog_checks_total", "Checks recorded, by outcome.", labels, nil),
		duration:  prometheus.NewDesc("watchdog_check_duration_seconds", "Duration of a check's last attempt.", labels, nil),
		cold:      prometheus.NewDesc("watchdog_cold_starts_total", "Checks that found their target asleep and woke it.", coldLabels, nil),
		tallies:   map[int64]*tally{},
	}
}

func (c *checkCollector) observe(ch target.Check) {
	id := ch.TargetID
	if !c.perTarget {
		id = 0
	}
	o := outcomeUp
	if !ch.OK {
		o = outcomeDown
	}
	seconds := float64(ch.LatencyMS) / 1000
	b := 0
	for b < len(checkBuckets) && seconds > checkBuckets[b] {
		b++
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.tallies[id]
	if t == nil {
		t = &tally{}
		c.tallies[id] = t
	}
	t.count[o]++
	t.sum[o] += seconds
	if b < len(checkBuckets) {
		t.buckets[o][b]++
	}
	if ch.ColdStart {
		t.cold++
	}
}

func (c *checkCollector) forget(id int64) {
	if !c.perTarget {
		return
	}
	c.mu.Lock()
	delete(c.tallies, id)
	c.mu.Unlock()
}

func (c *checkCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.checks
	ch <- c.duration
	ch <- c.cold
}

func (c *checkCollector) Collect(ch chan<- prometheus.Metric) {
	// Copy, then emit: observers wait for a copy of the map, not for the scrape.
	c.mu.Lock()
	ids := make([]int64, 0, len(c.tallies))
	snap := make([]tally, 0, len(c.tallies))
	for id, t := range c.tallies {
		ids = append(ids, id)
		snap = append(snap, *t)
	}
	c.mu.Unlock()
	for i, t := range snap {
		var labels []string
		if c.perTarget {
			labels = []string{strconv.FormatInt(ids[i], 10)}
		}
		for o, outcome := range outcomes {
			l := append(labels[:len(labels):len(labels)], outcome)
			ch <- prometheus.MustNewConstMetric(c.checks, prometheus.CounterValue, float64(t.count[o]), l...)
			cumulative := make(map[float64]uint64, len(checkBuckets))
			var n uint64
			for b, bound := range checkBuckets {
				n += t.buckets[o][b]
				cumulative[bound] = n
			}
			ch <- prometheus.MustNewConstHistogram(c.duration, t.count[o], t.sum[o], cumulative, l...)
		}
		ch <- prometheus.MustNewConstMetric(c.cold, prometheus.CounterValue, float64(t.cold), labels...)
	}
}
