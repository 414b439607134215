package target

// Heartbeats, as Healthchecks has them: a job pings its URL when it runs, and the
// heartbeat fails when no ping comes by its deadline. The deadline is the last ping
// plus the period plus the grace, or, with a cron schedule, the schedule's next time
// after the last ping plus the grace. A heartbeat never pinged has no deadline at all:
// it stays unknown and cannot fail until its first ping.

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/robfig/cron/v3"
)

// pingTokenBytes is the randomness in a ping token: 192 bits, well past guessing.
const pingTokenBytes = 24

// NewPingToken returns a fresh, unguessable heartbeat ping token (URL-safe).
func NewPingToken() string {
	b := make([]byte, pingTokenBytes)
	// crypto/rand.Read never returns an error on the platforms Go supports.
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ErrNotHeartbeat is returned for a heartbeat-only operation (a new ping token) on a
// target of another type.
var ErrNotHeartbeat = errors.New("not a heartbeat")

// ErrNotCheckable is returned for a check asked of a heartbeat: it is not checked, it
// is pinged, and a probe of its (empty) address would record a failure it never had.
var ErrNotCheckable = errors.New("a heartbeat is not checked: it is pinged")

// MaxPingMessageBytes is how much of a ping's body is kept as its check's message.
const MaxPingMessageBytes = 10 * 1024

// cronParser reads the five standard fields (minute hour day-of-month month
// day-of-week) and the @daily-style descriptors, as crontab does.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ValidateHeartbeat checks a heartbeat's cron expression, when it has one: five
// fields (or an @daily-style descriptor), no time zone of its own (timezone says it),
// not @every (that is a period), and a schedule that fires at all. Period and grace
// bounds are checked with the other per-type rules (validateHeartbeat); the time zone
// with the other fields of the target.
func ValidateHeartbeat(t Target) []FieldError {
	if t.Cron == "" {
		return nil
	}
	if msg := cronProblem(t.Cron, t.Timezone); msg != "" {
		return []FieldError{{Field: "cron", Message: msg}}
	}
	return nil
}

// cronProblem says what is wrong with a cron expression, or "" when nothing is.
func cronProblem(expr, tz string) string {
	switch {
	case len(expr) > 200 || !utf8.ValidString(expr):
		return "must be a cron expression of five fields such as \"0 2 * * *\""
	case strings.HasPrefix(expr, "TZ=") || strings.HasPrefix(expr, "CRON_TZ="):
		return "must not name a time zone; set timezone instead"
	case strings.HasPrefix(expr, "@every"):
		return "@every is a period: set period_seconds instead"
	}
	if !strings.HasPrefix(expr, "@") && len(strings.Fields(expr)) != 5 {
		return "must have five fields (minute hour day-of-month month day-of-week), such as \"0 2 * * *\""
	}
	sched, err := cronParser.Parse(expr)
	if err != nil {
		return "does not parse: " + err.Error()
	}
	loc, err := heartbeatLocation(tz)
	if err != nil {
		return "" // the time zone's own error says it
	}
	if sched.Next(time.Now().In(loc)).IsZero() {
		return "never fires (no such date)"
	}
	return ""
}

// heartbeatLocation is the zone a cron schedule runs in; "" is UTC.
func heartbeatLocation(tz string) (*time.Location, error) {
	switch tz {
	case "", "UTC":
		return time.UTC, nil
	case "Local":
		return nil, errors.New("the server's local zone is not allowed")
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("load time zone %q: %w", tz, err)
	}
	return loc, nil
}

// Period is the time a heartbeat expects between pings (without cron).
func (t Target) Period() time.Duration { return time.Duration(t.PeriodSeconds) * time.Second }

// Grace is how late a ping may come before the heartbeat fails.
func (t Target) Grace() time.Duration { return time.Duration(t.GraceSeconds) * time.Second }

// nextRun is the cron schedule's first time after `after`, in the target's zone. ok is
// false when there is no schedule that parses (validation keeps one from being
// stored) or it never fires again.
//
// Across daylight-saving changes it expects what cron runs: a time the spring change
// skips (02:30 on the night clocks jump from 02:00 to 03:00) is not expected that day,
// so a job cron skips or runs late never fails for it; and a fixed time in the hour
// the autumn change repeats is expected once, at its first pass, as cron runs it once
// (a job every few minutes of every hour is expected in both passes, as it runs).
func (t Target) nextRun(after time.Time) (time.Time, bool) {
	sched, err := cronParser.Parse(t.Cron)
	if err != nil {
		return time.Time{}, false
	}
	loc, err := heartbeatLocation(t.Timezone)
	if err != nil {
		return time.Time{}, false
	}
	everyHour := cronEveryHour(t.Cron)
	next := after.In(loc)
	for range 4 {
		next = sched.Next(next)
		if next.IsZero() {
			return time.Time{}, false
		}
		if everyHour || !repeatedWallTime(next) {
			return next.UTC(), true
		}
	}
	return next.UTC(), true
}

// cronEveryHour says whether a schedule's hour field is a wildcard (*, */2): such a
// job runs by the clock in every hour, a repeated one too.
func cronEveryHour(expr string) bool {
	if expr == "@hourly" {
		return true
	}
	f := strings.Fields(expr)
	return len(f) == 5 && strings.HasPrefix(f[1], "*")
}

// repeatedWallTime says whether the wall-clock time of at already happened earlier the
// same night: at is in the second pass of an hour the autumn change repeats.
func repeatedWallTime(at time.Time) bool {
	_, offset := at.Zone()
	for _, d := range []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour} {
		earlier := at.Add(-d)
		_, before := earlier.Zone()
		if time.Duration(before-offset)*time.Second == d &&
			earlier.Hour() == at.Hour() && earlier.Minute() == at.Minute() {
			return true
		}
	}
	return false
}

// HeartbeatDeadline is when a heartbeat pinged at `ping` fails unless pinged again:
// the ping plus period plus grace, or the cron schedule's next time after the ping
// plus grace. Cron times are reckoned in the target's time zone on the wall clock,
// so a job at 02:00 stays at 02:00 across daylight-saving changes (see nextRun for
// the hour that is skipped or repeated).
func (t Target) HeartbeatDeadline(ping time.Time) time.Time {
	if t.Cron != "" {
		if next, ok := t.nextRun(ping); ok {
			return next.Add(t.Grace())
		}
	}
	return ping.Add(t.Period()).Add(t.Grace())
}

// NextDeadlineAfterMiss is a heartbeat's deadline after the one at `slot` was missed
// (judged at now): one period on (or the cron's next time after the one missed, plus
// grace), past now. A silent job so fails once per period, not once per tick, and a
// checker that was down for a while judges the missed stretch once.
func (t Target) NextDeadlineAfterMiss(slot, now time.Time) time.Time {
	if t.Cron != "" {
		// The run that was due is slot - grace; the next one expected is the first
		// after it whose deadline is still ahead.
		from := slot.Add(-t.Grace())
		if floor := now.Add(-t.Grace()); floor.After(from) {
			from = floor
		}
		if next, ok := t.nextRun(from); ok {
			return next.Add(t.Grace())
		}
	}
	period := max(t.Period(), time.Second)
	next := slot.Add(period)
	if !next.After(now) {
		next = slot.Add((now.Sub(slot)/period + 1) * period)
	}
	return next
}

// MissedPingError is the error of the failed check a missed deadline records: since
// the last ping of any kind (a heartbeat is only armed by one).
func (t Target) MissedPingError() string {
	last := t.LastPingAt
	if last == nil {
		last = t.LastSuccessAt
	}
	if last == nil {
		return "no ping since it was armed"
	}
	return "no ping since " + last.UTC().Format(time.RFC3339)
}

// PingMessage is a ping's body as a check's message: at most MaxPingMessageBytes, cut
// at a character boundary, invalid UTF-8 replaced and control characters blanked as
// Printable does, except line breaks and tabs: a body is usually a job's log output,
// and its lines are what someone reads. nil when the body is empty.
func PingMessage(body []byte) *string {
	msg, _ := truncate(string(body), MaxPingMessageBytes)
	msg = strings.ToValidUTF8(msg, "\uFFFD")
	msg = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || !unicode.IsControl(r) {
			return r
		}
		return ' '
	}, msg)
	// A replacement character is longer than the byte it replaces.
	msg, _ = truncate(msg, MaxPingMessageBytes)
	if strings.TrimSpace(msg) == "" {
		return nil
	}
	return &msg
}
