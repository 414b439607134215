// Package target holds the monitoring domain: targets, the checks made of them, the
// rules a target must satisfy, and the uptime and latency math. It knows nothing of
// HTTP servers, SQL or scheduling libraries.
package target

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Status is what the last check said about a target.
type Status string

// The statuses a target can be in. A paused target keeps its last status; "paused" is
// a filter over is_active, not a status.
const (
	StatusUp      Status = "up"
	StatusDown    Status = "down"
	StatusUnknown Status = "unknown"
)

// ErrNotFound is returned when a target (or one of its checks) does not exist.
var ErrNotFound = errors.New("not found")

// ErrNameTaken is returned when another target has the name, in any case: names are
// unique because config as code matches targets by them.
var ErrNameTaken = errors.New("a target with this name exists")

// Defaults for a new target. The retry defaults are the original WatchDog's: three
// retries, the first after 15 s, each later one after twice the wait before it.
const (
	DefaultIntervalSeconds   = 300
	DefaultTimeoutSeconds    = 10
	DefaultExpectedStatus    = "200-399"
	DefaultMethod            = "GET"
	DefaultRetries           = 3
	DefaultRetryDelaySeconds = 15
	MaxIntervalSeconds       = 86400
	// A target is down after this many failed checks in a row, and up again after
	// DefaultSuccessThreshold successes: one blip is not an outage.
	DefaultFailureThreshold = 3
	DefaultSuccessThreshold = 2
	MaxThreshold            = 100
	// DefaultWakeTimeoutSeconds is a waking attempt's time when no platform gives one.
	DefaultWakeTimeoutSeconds = 90
	MaxWakeTimeoutSeconds     = 600
)

// LeaseMargin is added to a check's own time budget to make its lease: long enough that
// a live worker always finishes (and writes its result) before another replica may take
// the target over, short enough that a crashed replica's targets move on within about
// one interval.
const LeaseMargin = 10 * time.Second

// Type is the kind of check a target gets. Every type but heartbeat takes its address
// in URL, with a scheme that names the type (tcp://host:port, dns://resolver/name?type=A).
type Type string

// The check types. A heartbeat is not checked at all: it is pinged, and fails when a
// ping does not come by its deadline.
const (
	TypeHTTP      Type = "http"
	TypeTCP       Type = "tcp"
	TypeTLS       Type = "tls"
	TypeDNS       Type = "dns"
	TypeICMP      Type = "icmp"
	TypeHeartbeat Type = "heartbeat"
)

// Types lists every check type, http first (the default).
var Types = []Type{TypeHTTP, TypeTCP, TypeTLS, TypeDNS, TypeICMP, TypeHeartbeat}

// Defaults of the settings the non-http types add.
const (
	// DefaultCertExpiryDays: a certificate expiring within this many days opens a
	// cert_expiry incident. 0 turns the warning off.
	DefaultCertExpiryDays = 14
	MaxCertExpiryDays     = 365
	// A heartbeat expects a ping a day, and waits an hour past that before it fails.
	DefaultPeriodSeconds = 86400
	DefaultGraceSeconds  = 3600
)

// Target is a URL that WatchDog checks on a schedule.
type Target struct {
	ID   int64
	Name string
	// Type is the kind of check; the zero value is never stored (New fills http).
	Type Type
	// DefaultName says the name was left out and is the URL's host: the store adds
	// " (2)", " (3)", ... when another target has it, as names are unique.
	DefaultName       bool
	URL               string
	Method            string
	Headers           map[string]string
	IntervalSeconds   int
	TimeoutSeconds    int
	ExpectedStatus    string
	Retries           int
	RetryDelaySeconds int
	IsActive          bool
	Tags              []string
	// FailureThreshold failed checks in a row open an incident and make the target
	// down; SuccessThreshold successes in a row resolve it.
	FailureThreshold int
	SuccessThreshold int
	// Conditions are further rules an answer must meet to count as up.
	Conditions []Condition
	// ChannelIDs are the notification channels told of this target's incidents.
	ChannelIDs []int64

	// KeepWarm marks a service that must not fall asleep: its schedule is planned
	// around IdleTimeoutSeconds, the host's idle limit (0 when unknown).
	KeepWarm           bool
	Platform           string
	IdleTimeoutSeconds int
	// WakeTimeoutSeconds is how long an attempt that may find it asleep may take.
	WakeTimeoutSeconds int
	// WarmWindows, in Timezone, are when it must be awake; none means always.
	WarmWindows []WarmWindow
	Timezone    string
	// BudgetGroup names the targets that share one pool of free hours.
	BudgetGroup string

	// CertExpiryDays is how many days before its certificate expires an https or tls
	// target opens a cert_expiry incident; 0 is off.
	CertExpiryDays int
	// TLS options of https and tls targets: a CA (PEM) to trust besides the system's,
	// a client certificate and key for mutual TLS (the key is write-only), and
	// skipping verification for self-signed internal services. None of them touches
	// the outbound guard.
	TLSCAPEM         string
	TLSClientCertPEM string
	TLSClientKeyPEM  string
	TLSSkipVerify    bool
	// Impersonate makes an http target's requests look like the named browser's on the
	// wire (TLS ClientHello, HTTP/2 settings, header order), for services behind bot
	// walls that fingerprint TLS; "" is Go's own TLS with browser-like headers.
	Impersonate Impersonation
	// A heartbeat's schedule: a ping every PeriodSeconds, or at the times of Cron (five
	// fields, in Timezone), each allowed GraceSeconds late.
	PeriodSeconds int
	GraceSeconds  int
	Cron          string
	// PingToken is a heartbeat's part of its ping URL; empty for other types.
	PingToken string
	// LastPingAt is a heartbeat's last ping of any kind.
	LastPingAt *time.Time
	// RunStartedAt is when a heartbeat's job said it started (/start), until its next
	// ping: that ping's latency is the run's duration.
	RunStartedAt *time.Time
	// CertExpiresAt is when the certificate seen by the last check that saw one ends.
	CertExpiresAt *time.Time

	// LastSuccessAt is the last successful check; WarmSince is when the target was
	// last meant to become warm (created, resumed, keep-warm turned on).
	LastSuccessAt *time.Time
	WarmSince     *time.Time
	// WarmGapBreaches counts the times it went longer than its idle limit without a
	// successful check inside a window.
	WarmGapBreaches int

	LastStatus     Status
	LastCheckedAt  *time.Time
	LastLatencyMS  *int
	LastStatusCode *int
	LastError      string
	NextCheckAt    *time.Time
	// MedianLatencyMS is a running estimate of the target's usual answer time, kept so a
	// check can tell a slow wake-up (a cold start) from the target's normal pace.
	MedianLatencyMS *int

	CreatedAt time.Time
	UpdatedAt time.Time
}

// Interval is the time between two scheduled checks.
func (t Target) Interval() time.Duration { return time.Duration(t.IntervalSeconds) * time.Second }

// Timeout is the time one attempt may take.
func (t Target) Timeout() time.Duration { return time.Duration(t.TimeoutSeconds) * time.Second }

// RetryDelay is the wait before the n-th retry (n from 1): the first delay, doubled for
// each retry after it.
func (t Target) RetryDelay(n int) time.Duration {
	d := time.Duration(t.RetryDelaySeconds) * time.Second
	for i := 1; i < n && d < 24*time.Hour; i++ {
		d *= 2
	}
	return d
}

// CheckBudget is the longest one check (every attempt and every wait between them) may
// take. It never exceeds the interval, so a check cannot overrun into the next one —
// except a keep-warm target's, which always has room for one waking attempt: a host
// may take longer to wake than the interval that keeps it awake.
func (t Target) CheckBudget() time.Duration {
	timeout := t.Timeout()
	if t.KeepWarm {
		timeout = max(timeout, t.WakeTimeout())
	}
	total := time.Duration(t.Retries+1) * timeout
	for n := 1; n <= t.Retries; n++ {
		total += t.RetryDelay(n)
	}
	budget := min(total, t.Interval())
	if t.KeepWarm {
		budget = max(budget, t.WakeTimeout())
	}
	return budget
}

// WakeTimeout is how long an attempt that may find a keep-warm target asleep may take.
func (t Target) WakeTimeout() time.Duration {
	return time.Duration(t.WakeTimeoutSeconds) * time.Second
}

// Warm-gap verdicts of a check of a keep-warm target.
const (
	WarmGapNone   = 0
	WarmGapBreach = 1 // failing, and longer than the idle limit without a success in a window
	WarmGapClosed = -1
)

// WarmGap judges a finished check of a keep-warm target against its idle limit: a
// failure that ends more than the idle limit after the last success (or after it was
// meant to become warm, or after its window opened, whichever is latest) while a
// window is open is a breach; a success closes any breach.
func (t Target) WarmGap(sched Schedule, c Check, end time.Time) int {
	if !t.KeepWarm || t.IdleTimeoutSeconds <= 0 {
		return WarmGapNone
	}
	if c.OK {
		return WarmGapClosed
	}
	if !sched.Active(end) {
		return WarmGapNone
	}
	ref := t.CreatedAt
	for _, at := range []*time.Time{t.LastSuccessAt, t.WarmSince} {
		if at != nil && at.After(ref) {
			ref = *at
		}
	}
	if len(sched.Windows) > 0 {
		if open := sched.AwakeIntervals(end.Add(-8*24*time.Hour), end.Add(time.Second)); len(open) > 0 {
			if start := open[len(open)-1].Start; start.After(ref) {
				ref = start
			}
		}
	}
	if end.Sub(ref) > time.Duration(t.IdleTimeoutSeconds)*time.Second {
		return WarmGapBreach
	}
	return WarmGapNone
}

// MayBeAsleep reports whether a keep-warm target's next check may find it asleep: it
// was never checked, its last check failed, or it has been idle past its host's limit.
// Such a check gets the wake timeout instead of the usual one.
func (t Target) MayBeAsleep(now time.Time) bool {
	if !t.KeepWarm {
		return false
	}
	if t.LastCheckedAt == nil || t.LastError != "" {
		return true
	}
	return t.IdleTimeoutSeconds > 0 && now.Sub(*t.LastCheckedAt) >= time.Duration(t.IdleTimeoutSeconds)*time.Second
}

// Lease is how long a claimed target stays reserved for the worker that claimed it.
func (t Target) Lease() time.Duration { return t.CheckBudget() + LeaseMargin }

// Check is the recorded outcome of one check of a target, after any retries.
type Check struct {
	ID       int64
	TargetID int64
	// CheckedAt is when the check started.
	CheckedAt time.Time
	// ScheduledAt is the slot the scheduler ran this check for; nil for a check run on
	// request. At most one check is recorded per target and slot.
	ScheduledAt *time.Time
	// LatencyMS is the duration of the last attempt.
	LatencyMS  int
	StatusCode *int
	OK         bool
	Error      string
	Attempts   int
	// ColdStart marks a check that succeeded only after a failed first attempt or a first
	// answer far slower than usual: the target was asleep and this check woke it.
	ColdStart bool
	// WakeMS is, for a cold start, the time from the first attempt to the answer.
	WakeMS *int
	// CertExpiresAt is when the server's certificate ends (https and tls checks).
	CertExpiresAt *time.Time
	// Answer is a dns check's records as text, one per line (capped).
	Answer *string
	// PacketLoss is an icmp check's share of echo requests unanswered, in percent.
	PacketLoss *float64
	// Message is what a heartbeat's ping sent in its body (capped).
	Message *string
	// Interrupted marks a check that stopped before its retries were done because the
	// checker is shutting down: its outcome is incomplete, so it is not recorded.
	Interrupted bool
}

// Status maps a check's outcome to a target status.
func (c Check) Status() Status {
	if c.OK {
		return StatusUp
	}
	return StatusDown
}

// NextSlot is the first slot after now in the series scheduled, scheduled+interval, …
// that is at least half an interval after the check started. Keeping to the series
// means checks never drift, and a target that missed slots while the checker was down
// gets one check, not one per missed slot; the half interval keeps a check made late
// (after a crashed replica's lease ran out) from being followed by another at once.
func NextSlot(scheduled time.Time, interval time.Duration, started, now time.Time) time.Time {
	next := scheduled.Add(interval)
	if !next.After(now) {
		missed := now.Sub(scheduled) / interval
		next = scheduled.Add((missed + 1) * interval)
	}
	if next.Sub(started) < interval/2 {
		next = next.Add(interval)
	}
	return next
}

// ListFilter narrows and pages a list of targets.
type ListFilter struct {
	Limit  int
	Offset int
	// Query matches a substring of the name or the URL, case-insensitively.
	Query string
	// Status is up, down or unknown (active targets in that state), paused, or active.
	Status string
	Tag    string
	// Sort is one of Sorts, "-" first for descending; empty means by name.
	Sort string
}

// Sorts are the orders a list of targets can be given in.
var Sorts = []string{"name", "-name", "status", "-status", "latency", "-latency", "checked", "-checked", "cert_expiry", "-cert_expiry"}

// Filter statuses beyond the Status values.
const (
	FilterPaused = "paused"
	FilterActive = "active"
)

// Totals counts targets by state, for the dashboard's summary.
type Totals struct {
	Total   int
	Active  int
	Paused  int
	Up      int
	Down    int
	Unknown int
}

// ParseDays is time.ParseDuration that also takes whole days, such as 7d: how people
// write retention and stats windows.
func ParseDays(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, fmt.Errorf("%q is not a number of days", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}
