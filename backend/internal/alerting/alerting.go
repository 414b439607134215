// Package alerting holds the decisions behind WatchDog's alerts, apart from the
// database that records them: when a target's run of checks confirms it down or back
// up (its failure and success thresholds), when so many targets fail together that
// the checker itself is the likelier culprit (degraded), and what each notification
// says. Everything here is a pure function of its arguments; the store reads the
// counters, calls these, and writes the outcome in the transaction that recorded the
// check, so a decision and its effects commit together.
package alerting

import (
	"fmt"
	"math"
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/notify"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// Policy decides when many failures at once are the checker's own fault, and where
// messages link to.
type Policy struct {
	// Ratio of the active targets that, opening incidents within Window, make the
	// checker "degraded": one notice replaces their alerts.
	Ratio  float64
	Window time.Duration
	// MinTargets is the fewest incidents that can count as degraded, so two targets of
	// three failing together still alert.
	MinTargets int
	// PublicURL is the dashboard's address, for links in messages; may be empty.
	PublicURL string
}

// DefaultPolicy is the policy a store starts with.
func DefaultPolicy() Policy {
	return Policy{Ratio: 0.5, Window: 5 * time.Minute, MinTargets: 5}
}

// Streak is a target's confirmed status and its run counters after a check was
// counted.
type Streak struct {
	// Status is the confirmed status: "up", "down" or "unknown" (never confirmed).
	Status           string
	Failures         int // consecutive failed checks
	Successes        int // consecutive successful checks
	FailureThreshold int
	SuccessThreshold int
}

// Crosses reports whether the counters call for a change of confirmed status: a
// target not down goes down after FailureThreshold failures in a row; a down one
// comes back up after SuccessThreshold successes; a target never confirmed is up at
// its first success, since there is no outage to be sure has ended.
//
// The store's compare-and-set UPDATE states the same rule in SQL, so that of several
// replicas exactly one applies it; this is what picks the targets worth sending it.
func (s Streak) Crosses() bool {
	switch s.Status {
	case string(target.StatusDown):
		return s.Successes >= s.SuccessThreshold
	case string(target.StatusUnknown):
		return s.Failures >= s.FailureThreshold || s.Successes >= 1
	default:
		return s.Failures >= s.FailureThreshold
	}
}

// WindowStart is the earliest time an incident opened at now counts towards the
// degraded state.
func (p Policy) WindowStart(now time.Time) time.Time { return now.Add(-p.Window) }

// MayDegrade reports whether `recent` incidents opened within the window are enough
// to be worth weighing against the active targets. It needs no count of the active
// targets, so a store can ask it first and skip that count nearly always.
func (p Policy) MayDegrade(recent int64) bool { return recent >= int64(p.MinTargets) }

// Degraded reports whether `down` targets failing among `active` ones is the checker's
// fault rather than theirs: at least MinTargets, and at least Ratio of the active
// ones. Entering the state counts the incidents opened within the window; leaving it
// counts every open one, so a long outage of many targets keeps it.
func (p Policy) Degraded(down, active int64) bool {
	return p.MayDegrade(down) && float64(down) >= p.Ratio*float64(active)
}

// DashboardURL links to a target's page, or is "" when no public address is set.
func (p Policy) DashboardURL(targetID int64) string {
	if p.PublicURL == "" {
		return ""
	}
	return fmt.Sprintf("%s/targets/%d", p.PublicURL, targetID)
}

// TargetMessage is the notification of event (down, up, warm_gap) about one target's
// incident.
func (p Policy) TargetMessage(event string, t notify.TargetRef, inc *notify.IncidentRef, now time.Time) notify.Message {
	return notify.Message{Event: event, Target: &t, Incident: inc, OccurredAt: now, DashboardURL: p.DashboardURL(t.ID)}
}

// CheckerMessage is a checker-wide notification (degraded, recovered): how many of the
// active targets are down, and a link to the dashboard itself.
func (p Policy) CheckerMessage(event string, affected, active int64, now time.Time) notify.Message {
	return notify.Message{Event: event, OccurredAt: now, Affected: int(affected), Active: int(active), DashboardURL: p.PublicURL}
}

// DownCause is a down incident's cause in words.
func DownCause(failures int) string {
	if failures == 1 {
		return "1 failed check"
	}
	return fmt.Sprintf("%d failed checks in a row", failures)
}

// DownStarted is when a down incident began: at the first failure of the run that
// opened it, or now when that is unknown.
func DownStarted(streakStarted *time.Time, now time.Time) time.Time {
	if streakStarted == nil {
		return now
	}
	return *streakStarted
}

// WarmGapCause is a warm-gap incident's cause in words.
func WarmGapCause(idle time.Duration) string {
	return fmt.Sprintf("no successful request for over %s, its host's idle limit", idle)
}

// CertExpiryCause says when a certificate expires, for its cert_expiry incident.
func CertExpiryCause(expires, now time.Time) string {
	left := expires.Sub(now)
	if left <= 0 {
		return fmt.Sprintf("the certificate expired on %s", expires.UTC().Format(time.DateOnly))
	}
	days := int(math.Round(left.Hours() / 24))
	when := fmt.Sprintf("in %d days", days)
	switch days {
	case 0:
		when = "within a day"
	case 1:
		when = "in 1 day"
	}
	return fmt.Sprintf("the certificate expires %s, on %s", when, expires.UTC().Format(time.DateOnly))
}

// WarmGapStarted is when a warm gap began: when the host's idle limit ran out after
// the last successful request, or now when there never was one.
func WarmGapStarted(lastSuccess *time.Time, idle time.Duration, now time.Time) time.Time {
	if lastSuccess == nil {
		return now
	}
	return lastSuccess.Add(idle)
}
