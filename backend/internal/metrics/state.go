package metrics

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// Names of the sources, as the source label of watchdog_scrape_errors_total.
const (
	sourceTargetStates  = "target_states"
	sourceBacklog       = "backlog"
	sourceOutboxPending = "outbox_pending"
)

// Target states, as the state label of watchdog_targets.
var targetStates = []string{"up", "down", "unknown", "paused"}

// stateCollector reports the gauges that describe current state, read from the
// Sources at scrape time, so they are never stale and cost nothing between scrapes.
// Each source is read once per scrape, all within one sourceTimeout.
//
// A source that fails leaves its series out of that scrape: it is reported as an
// invalid metric, which the handler (set to continue on error) logs once with the
// error's text while serving every other series, and it is counted in
// watchdog_scrape_errors_total{source}, which is what to alert on. The collector
// logs nothing itself.
type stateCollector struct {
	sources atomic.Pointer[Sources]

	targetUp     *prometheus.Desc
	targetInfo   *prometheus.Desc
	targets      *prometheus.Desc
	backlog      *prometheus.Desc
	inFlight     *prometheus.Desc
	workers      *prometheus.Desc
	utilization  *prometheus.Desc
	pending      *prometheus.Desc
	scrapeErrors *prometheus.CounterVec
}

func newStateCollector() *stateCollector {
	c := &stateCollector{
		targetUp: prometheus.NewDesc("watchdog_target_up",
			"Whether an active target is up (1) or down (0); targets not yet checked and paused ones are left out.",
			[]string{"target_id"}, nil),
		// The name is editable: carried on every per-target series, a rename would end
		// them all and start new ones. Queries join it from here instead, per replica
		// (each replica reports every target once, but right after a rename two
		// replicas may report different names, so on(target_id) alone is many-to-many):
		//   watchdog_target_up * on(instance, target_id) group_left(name) watchdog_target_info
		// or, across replicas, against one name per target:
		//   … * on(target_id) group_left(name) topk by (target_id) (1, watchdog_target_info)
		targetInfo: prometheus.NewDesc("watchdog_target_info",
			"Always 1; carries each target's name, to join onto the per-target series by target_id.",
			[]string{"target_id", "name"}, nil),
		targets: prometheus.NewDesc("watchdog_targets",
			"Targets by state: up, down, unknown (active, not yet checked) or paused.",
			[]string{"state"}, nil),
		backlog: prometheus.NewDesc("watchdog_scheduler_backlog",
			"Checks due and not yet done.", nil, nil),
		inFlight: prometheus.NewDesc("watchdog_workers_in_flight",
			"Checks running now.", nil, nil),
		workers: prometheus.NewDesc("watchdog_workers",
			"Size of the check worker pool.", nil, nil),
		utilization: prometheus.NewDesc("watchdog_worker_utilization_ratio",
			"Share of the check workers busy now, from 0 to 1.", nil, nil),
		pending: prometheus.NewDesc("watchdog_notifications_pending",
			"Notifications waiting to be sent.", nil, nil),
		scrapeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "watchdog_scrape_errors_total",
			Help: "Scrapes in which a source of the state gauges failed; those gauges were left out.",
		}, []string{"source"}),
	}
	// Start every source's count at zero, so an alert on its rate has a series to see.
	for _, s := range []string{sourceTargetStates, sourceBacklog, sourceOutboxPending} {
		c.scrapeErrors.WithLabelValues(s)
	}
	return c
}

// Describe implements prometheus.Collector.
func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.targetUp, c.targetInfo, c.targets, c.backlog, c.inFlight, c.workers, c.utilization, c.pending} {
		ch <- d
	}
	c.scrapeErrors.Describe(ch)
}

// Collect implements prometheus.Collector.
func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	// The error counter goes last, so a failure shows in the same scrape.
	defer c.scrapeErrors.Collect(ch)
	s := c.sources.Load()
	if s == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), sourceTimeout)
	defer cancel()

	if s.TargetStates != nil {
		c.collectTargets(ctx, ch, s.TargetStates)
	}
	if s.Backlog != nil {
		c.collectCount(ctx, ch, c.backlog, sourceBacklog, s.Backlog)
	}
	if s.OutboxPending != nil {
		c.collectCount(ctx, ch, c.pending, sourceOutboxPending, s.OutboxPending)
	}
	if s.Workers > 0 {
		ch <- prometheus.MustNewConstMetric(c.workers, prometheus.GaugeValue, float64(s.Workers))
	}
	if s.InFlight != nil {
		n := s.InFlight()
		ch <- prometheus.MustNewConstMetric(c.inFlight, prometheus.GaugeValue, float64(n))
		if s.Workers > 0 {
			// Clamped, as the source may also count checks run on request, outside
			// the pool: the pool cannot be more than fully busy.
			u := min(float64(n)/float64(s.Workers), 1)
			ch <- prometheus.MustNewConstMetric(c.utilization, prometheus.GaugeValue, u)
		}
	}
}

func (c *stateCollector) collectTargets(ctx context.Context, ch chan<- prometheus.Metric,
	read func(context.Context) ([]TargetState, error)) {
	states, err := read(ctx)
	if err != nil {
		c.fail(ch, c.targets, sourceTargetStates, fmt.Errorf("read target states: %w", err))
		return
	}
	counts := make(map[string]int, len(targetStates))
	for _, t := range states {
		id := strconv.FormatInt(t.ID, 10)
		ch <- prometheus.MustNewConstMetric(c.targetInfo, prometheus.GaugeValue, 1, id, t.Name)
		state := t.Status
		switch {
		case !t.Active:
			state = "paused"
		case state != "up" && state != "down":
			state = "unknown"
		}
		counts[state]++
		if state == "up" || state == "down" {
			v := 0.0
			if state == "up" {
				v = 1
			}
			ch <- prometheus.MustNewConstMetric(c.targetUp, prometheus.GaugeValue, v, id)
		}
	}
	// Every state is reported, zero included, so a sum or a ratio never misses one.
	for _, s := range targetStates {
		ch <- prometheus.MustNewConstMetric(c.targets, prometheus.GaugeValue, float64(counts[s]), s)
	}
}

func (c *stateCollector) collectCount(ctx context.Context, ch chan<- prometheus.Metric, desc *prometheus.Desc,
	source string, read func(context.Context) (int64, error)) {
	n, err := read(ctx)
	if err != nil {
		c.fail(ch, desc, source, fmt.Errorf("read %s: %w", source, err))
		return
	}
	ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, float64(n))
}

func (c *stateCollector) fail(ch chan<- prometheus.Metric, desc *prometheus.Desc, source string, err error) {
	c.scrapeErrors.WithLabelValues(source).Inc()
	ch <- prometheus.NewInvalidMetric(desc, err)
}
