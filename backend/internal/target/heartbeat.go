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
	"sync"
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

// Bounds of a ping token. A shorter one is guessable: 22 characters of even the 62
// letters and digits are 131 bits, past the 128 a ping token must have (ours are 32
// characters of 64, 192 bits; a kept Uptime Kuma push token is 32 of 62). A longer
// one is refused by the ping endpoint before it costs a query or a rate-limit entry.
const (
	MinPingTokenLen = 22
	MaxPingTokenLen = 64
)

// ValidPingToken says whether s can be a ping token: MinPingTokenLen to
// MaxPingTokenLen URL-safe characters (letters, digits, - and _), which a URL's path
// carries as they are. The ping endpoint answers 404 to anything else, so an importer
// keeps only a token that passes.
func ValidPingToken(s string) bool {
	if len(s) < MinPingTokenLen || len(s) > MaxPingTokenLen {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
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
	if loc, ok := zoneCache.Load(tz); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("load time zone %q: %w", tz, err)
	}
	zoneCache.Store(tz, loc)
	return loc, nil
}

// zoneCache keeps the zones loaded: time.LoadLocation reads and parses the zone's
// file on every call, and a deadline is reckoned for every ping. A zone loaded is
// immutable for the life of the process (tzdata changes come with a restart), so
// this memo is the one piece of package state here; failures are not kept.
var zoneCache sync.Map // zone name → *time.Location

// Period is the time a heartbeat expects between pings (without cron).
func (t Target) Period() time.Duration { return time.Duration(t.PeriodSeconds) * time.Second }

// Grace is how late a ping may come before the heartbeat fails.
func (t Target) Grace() time.Duration { return time.Duration(t.GraceSeconds) * time.Second }

// nextRun is the cron schedule's first time after `after`, in the target's zone. ok is
// false when there is no schedule that parses (validation keeps one from being
// stored) or it does not fire within cronHorizonYears.
//
// It is reckoned on the zone's wall clock, not by robfig/cron's Next, which steps
// instants and errs across some daylight-saving changes (Chatham's +12:45, Lord
// Howe's half-hour change, Troll's two hours): it can return a time before `after`
// or skip a day. The rule, which a test checks against a minute-by-minute oracle:
//   - a local time matches when its minute, hour, day of month, month and day of week
//     match the schedule's fields as cron matches them (day of month or day of week
//     when both are restricted);
//   - a local time the spring change skips (02:30 on the night clocks jump from 02:00
//     to 03:00) does not exist, so it is not expected that day: a job cron skips or
//     runs late never fails for it;
//   - a fixed time in the hour the autumn change repeats is expected once, at its
//     first pass, as cron runs it once; a schedule whose hour field is a wildcard
//     (every few minutes of every hour, @hourly) is expected in both passes, as it
//     runs.
func (t Target) nextRun(after time.Time) (time.Time, bool) {
	parsed, err := cronParser.Parse(t.Cron)
	if err != nil {
		return time.Time{}, false
	}
	sched, ok := parsed.(*cron.SpecSchedule)
	if !ok {
		return time.Time{}, false
	}
	loc, err := heartbeatLocation(t.Timezone)
	if err != nil {
		return time.Time{}, false
	}
	return cronNext(sched, loc, cronEveryHour(t.Cron), after)
}

// cronHorizonYears bounds nextRun's search: a schedule that validated fires at least
// every four years (29 February), so five years is past any next run.
const cronHorizonYears = 5

// cronStarBit is robfig/cron's mark of a field written as * (or a descriptor's): with
// it on day of month or day of week, both days must match; without, either.
const cronStarBit = 1 << 63

// cronNext walks the local calendar from two days before `after` (a wall clock can
// run a day behind the instant) and, on each day that matches, the schedule's hours
// and minutes in order, and returns the first instant after `after` whose wall clock
// is one of them (see nextRun for the rule).
func cronNext(s *cron.SpecSchedule, loc *time.Location, everyHour bool, after time.Time) (time.Time, bool) {
	// No instant after `after` shows a wall clock before lowest (a run further off
	// than 32 hours shows one past it whatever the offsets, which stay within ±16
	// hours), so the days and times before it are passed over without the zone.
	lowest := after.Unix() + int64(minOffset(loc, after, after.Add(32*time.Hour)))
	local := after.In(loc)
	day := time.Date(local.Year(), local.Month(), local.Day()-2, 0, 0, 0, 0, time.UTC)
	end := day.AddDate(cronHorizonYears, 0, 0)
	// Wall clocks are walked in order, but instants need not follow it: in an hour
	// the autumn change repeats, 02:00 of the second pass comes after 02:15 of the
	// first. So the earliest instant found is kept until the wall clock is past any
	// an earlier instant could show (stop).
	var best time.Time
	var stop int64
	for ; day.Before(end); day = day.Add(24 * time.Hour) { // UTC days: 24 hours each
		if !best.IsZero() && day.Unix() >= stop {
			break
		}
		if day.Unix()+86400 <= lowest || !cronDayMatches(s, day) {
			continue
		}
		for h := range 24 {
			if s.Hour&(1<<uint(h)) == 0 || day.Unix()+int64(h+1)*3600 <= lowest {
				continue
			}
			for m := range 60 {
				wall := day.Unix() + int64(h)*3600 + int64(m)*60
				if s.Minute&(1<<uint(m)) == 0 || wall+60 <= lowest {
					continue
				}
				if !best.IsZero() && wall >= stop {
					return best.UTC(), true
				}
				for i, at := range wallInstants(loc, wall) {
					if i > 0 && !everyHour {
						break // a fixed time is expected at its first pass only
					}
					if at.After(after) && (best.IsZero() || at.Before(best)) {
						best = at
						stop = best.Unix() + int64(maxOffset(loc, after, best))
					}
				}
			}
		}
	}
	return best.UTC(), !best.IsZero()
}

// cronDayMatches says whether a calendar day (a UTC midnight standing for the local
// date) matches the schedule's day of month, month and day of week, as robfig/cron
// matches them.
func cronDayMatches(s *cron.SpecSchedule, day time.Time) bool {
	if s.Month&(1<<uint(day.Month())) == 0 {
		return false
	}
	dom := s.Dom&(1<<uint(day.Day())) != 0
	dow := s.Dow&(1<<uint(day.Weekday())) != 0
	if s.Dom&cronStarBit != 0 || s.Dow&cronStarBit != 0 {
		return dom && dow
	}
	return dom || dow
}

// wallInstants are the instants, earliest first, whose wall clock in loc is wall
// (seconds since 1970 of the local time read as if UTC): none when a change skips
// it, two when a change repeats it. Each offset in force within 16 hours of it is
// tried.
func wallInstants(loc *time.Location, wall int64) []time.Time {
	var out []time.Time
	to := time.Unix(wall, 0).Add(16 * time.Hour)
	for at := time.Unix(wall, 0).Add(-16 * time.Hour); at.Before(to); {
		zoned := at.In(loc)
		_, offset := zoned.Zone()
		inst := time.Unix(wall-int64(offset), 0)
		if _, o := inst.In(loc).Zone(); o == offset && (len(out) == 0 || out[len(out)-1].Before(inst)) {
			out = append(out, inst)
		}
		_, zoneEnd := zoned.ZoneBounds()
		if zoneEnd.IsZero() {
			break
		}
		at = zoneEnd
	}
	return out
}

// minOffset and maxOffset are the lowest and highest UTC offsets, in seconds, loc has
// between from and to.
func minOffset(loc *time.Location, from, to time.Time) int {
	lowest, _ := offsetRange(loc, from, to)
	return lowest
}

func maxOffset(loc *time.Location, from, to time.Time) int {
	_, highest := offsetRange(loc, from, to)
	return highest
}

func offsetRange(loc *time.Location, from, to time.Time) (lowest, highest int) {
	_, lowest = from.In(loc).Zone()
	highest = lowest
	for at := from; !at.After(to); {
		zoned := at.In(loc)
		_, offset := zoned.Zone()
		lowest, highest = min(lowest, offset), max(highest, offset)
		_, zoneEnd := zoned.ZoneBounds()
		if zoneEnd.IsZero() {
			break
		}
		at = zoneEnd
	}
	return lowest, highest
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
