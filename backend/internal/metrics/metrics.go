// Package metrics holds WatchDog's Prometheus metrics: counters and histograms the
// scheduler, the outbox and the HTTP server report into as things happen, gauges read
// from their sources at scrape time, and the handler that serves them all. Each
// Metrics value has its own registry, so tests and several instances never share
// series through the global default registry.
package metrics

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/watchdog-monitor/watchdog/backend/internal/buildinfo"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// sourceTimeout bounds the reads one scrape makes from its sources, together: a
// scrape that waits longer than Prometheus's default 10 s timeout is wasted.
const sourceTimeout = 5 * time.Second

// Options shape the series.
type Options struct {
	// PerTarget labels the check series by target_id. Off, they carry only the
	// outcome, which keeps an install with many thousands of targets cheap to scrape.
	PerTarget bool
	// ChannelTypes and DeliveryOutcomes are every notification channel type and every
	// outcome ObserveDelivery is told of. Each pair's count, and each type's duration,
	// is exported at zero from the start, so a delivery panel or an alert on the
	// absence of deliveries has a series to read before the first notification.
	ChannelTypes     []string
	DeliveryOutcomes []string
	// Log receives errors met while serving a scrape; nil discards them.
	Log *slog.Logger
}

// Sources are read on each scrape for the gauges that describe current state. Any of
// them may be nil (or Workers zero); its series are then left out.
type Sources struct {
	// TargetStates returns every target's current state.
	TargetStates func(ctx context.Context) ([]TargetState, error)
	// Backlog returns how many checks are due and not yet done.
	Backlog func(ctx context.Context) (int64, error)
	// InFlight returns how many checks are running now.
	InFlight func() int
	// Workers is the size of the check worker pool.
	Workers int
	// OutboxPending returns how many notifications wait to be sent.
	OutboxPending func(ctx context.Context) (int64, error)
}

// TargetState is what the target gauges need to know of one target.
type TargetState struct {
	ID     int64
	Name   string
	Status string // up, down or unknown
	Active bool
}

// Metrics records WatchDog's series and serves them. All methods are safe for
// concurrent use.
type Metrics struct {
	reg     *prometheus.Registry
	handler http.Handler

	checks *checkCollector

	lag                  prometheus.Histogram
	notifications        *prometheus.CounterVec
	notificationDuration *prometheus.HistogramVec
	httpRequests         *prometheus.CounterVec
	httpDuration         *prometheus.HistogramVec

	state *stateCollector
}

// New returns Metrics with every series registered on a private registry, along with
// the Go runtime and process collectors.
func New(opts Options) *Metrics {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Metrics{
		reg:    prometheus.NewRegistry(),
		checks: newCheckCollector(opts.PerTarget),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "watchdog_scheduler_lag_seconds",
			Help:    "How late a scheduled check started after its slot.",
			Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}),
		notifications: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "watchdog_notifications_total",
			Help: "Notification delivery attempts, by channel type and outcome (sent, retry, failed).",
		}, []string{"type", "outcome"}),
		notificationDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "watchdog_notification_duration_seconds",
			Help:    "Duration of a notification delivery attempt.",
			Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"type"}),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "watchdog_http_requests_total",
			Help: "HTTP requests served, by method, route pattern and status code.",
		}, []string{"method", "route", "code"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "watchdog_http_request_duration_seconds",
			Help:    "Duration of HTTP requests, by method and route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route"}),
		state: newStateCollector(),
	}
	for _, typ := range opts.ChannelTypes {
		for _, outcome := range opts.DeliveryOutcomes {
			m.notifications.WithLabelValues(typ, outcome)
		}
		m.notificationDuration.WithLabelValues(typ)
	}
	build := buildinfo.Read()
	buildInfo := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "watchdog_build_info",
		Help: "Always 1; carries the running binary's version, commit and Go version.",
		ConstLabels: prometheus.Labels{
			"version": build.Version, "commit": build.Commit, "goversion": build.GoVersion,
		},
	})
	buildInfo.Set(1)
	m.reg.MustRegister(buildInfo)
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.checks, m.lag,
		m.notifications, m.notificationDuration, m.httpRequests, m.httpDuration,
		m.state,
	)
	// Built once: HandlerOpts.Registry registers promhttp's own error counter, and a
	// second registration would panic.
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog: errorLog{log},
		// A failing source is reported as an invalid metric; serve everything else
		// rather than fail the whole scrape.
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.reg,
		// Overlapping scrapes share one gather, so the sources are read once at a time.
		CoalesceGather: true,
	})
	return m
}

// SetSources tells the scrape-time gauges where to read. Main calls it once, after
// the scheduler and the outbox exist; until then those gauges are left out.
func (m *Metrics) SetSources(s Sources) {
	m.state.sources.Store(&s)
}

// ObserveCheck counts one recorded check, its duration and whether it was a cold
// start. Interrupted checks are not recorded, so they are not counted either.
func (m *Metrics) ObserveCheck(c target.Check) {
	if c.Interrupted {
		return
	}
	m.checks.observe(c)
}

// ForgetTarget drops a deleted target's check series, so they stop being exported.
// Without PerTarget there is nothing to drop.
func (m *Metrics) ForgetTarget(id int64) { m.checks.forget(id) }

// ObserveLag records how late a scheduled check started after its slot; early starts
// count as on time.
func (m *Metrics) ObserveLag(d time.Duration) {
	m.lag.Observe(max(d, 0).Seconds())
}

// ObserveDelivery records one notification delivery attempt; outcome is sent, retry
// or failed.
func (m *Metrics) ObserveDelivery(channelType, outcome string, d time.Duration) {
	m.notifications.WithLabelValues(channelType, outcome).Inc()
	m.notificationDuration.WithLabelValues(channelType).Observe(d.Seconds())
}

// ObserveHTTP records one served request. route must be the route pattern, never the
// raw path, and an empty one is recorded as "unmatched"; methods outside the standard
// set are recorded as "other". Both keep clients from minting series at will.
func (m *Metrics) ObserveHTTP(method, route string, code int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	method = knownMethod(method)
	m.httpRequests.WithLabelValues(method, route, strconv.Itoa(code)).Inc()
	m.httpDuration.WithLabelValues(method, route).Observe(d.Seconds())
}

func knownMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "other"
}

// Handler serves the metrics in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler {
	return m.handler
}

// errorLog hands promhttp's errors to slog.
type errorLog struct{ log *slog.Logger }

func (l errorLog) Println(v ...any) {
	l.log.Error("serve metrics", "err", fmt.Sprint(v...))
}
