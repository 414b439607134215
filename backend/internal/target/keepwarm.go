package target

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Keep-warm planning: when a target's warm windows are open, and how often it must be
// pinged so the host never sees it idle for long enough to put it to sleep.
//
// Every instant here is built from a wall-clock time with time.Date in the schedule's
// location, never by adding hours to a midnight, so a window 08:00–20:00 is 12 h of real
// time on the days the clocks change as on any other day.

// Days are the names a warm window's days are written with, Monday first.
var Days = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// MaxWarmWindows is how many warm windows one target may have: four a day for a week.
const MaxWarmWindows = 28

// WarmWindow is a span of the day, on some days of the week, in which a target is kept
// warm. Start and End are "HH:MM" on a 24-hour clock; End may be "24:00". An End before
// Start runs past midnight: the window belongs to the day it starts on, so
// {Days: ["fri"], Start: "22:00", End: "02:00"} covers Friday night into Saturday.
type WarmWindow struct {
	Days  []string
	Start string
	End   string
}

// Schedule is when a keep-warm target must be awake: its warm windows, read in a time
// zone. No windows means always.
type Schedule struct {
	Windows []WarmWindow
	// Location is the zone the windows' clock times are read in; nil means UTC.
	Location *time.Location
}

// Interval is a span of time, from Start up to but not including End.
type Interval struct {
	Start, End time.Time
}

// Duration is the length of the interval.
func (i Interval) Duration() time.Duration { return i.End.Sub(i.Start) }

// ParseSchedule validates warm windows and a time zone (an IANA name; empty means UTC)
// and returns the schedule they make. Errors name the request fields they come from:
// "timezone", "warm_windows", "warm_windows[i].days", "warm_windows[i].start" and
// "warm_windows[i].end". On error the schedule is the zero Schedule, which is always on,
// so a caller must not use it. Days are put in week order, Monday first.
func ParseSchedule(windows []WarmWindow, tz string) (Schedule, []FieldError) {
	var v ValidationError
	loc := time.UTC
	switch tz {
	case "", "UTC":
	case "Local":
		// The server's own zone would change meaning with the host it runs on.
		v.add("timezone", "must be an IANA time zone name such as Europe/Berlin, not Local")
	default:
		l, err := time.LoadLocation(tz)
		if err != nil {
			v.add("timezone", "unknown time zone %q; use an IANA name such as Europe/Berlin", tz)
		} else {
			loc = l
		}
	}
	if len(windows) > MaxWarmWindows {
		v.add("warm_windows", "must have at most %d entries", MaxWarmWindows)
	}
	out := make([]WarmWindow, 0, len(windows))
	for i, w := range windows {
		field := "warm_windows[" + strconv.Itoa(i) + "]."
		days := validateDays(&v, field+"days", w.Days)
		start, startOK := parseClock(w.Start, false)
		if !startOK {
			v.add(field+"start", "must be a time HH:MM from 00:00 to 23:59")
		}
		end, endOK := parseClock(w.End, true)
		switch {
		case !endOK:
			v.add(field+"end", "must be a time HH:MM from 00:00 to 24:00")
		case startOK && end == start:
			v.add(field+"end", "must differ from start; leave warm_windows empty to keep warm all day")
		}
		out = append(out, WarmWindow{Days: days, Start: w.Start, End: w.End})
	}
	if len(v.Fields) > 0 {
		return Schedule{}, v.Fields
	}
	return Schedule{Windows: out, Location: loc}, nil
}

// validateDays checks a window's days and returns them in week order.
func validateDays(v *ValidationError, field string, days []string) []string {
	if len(days) == 0 {
		v.add(field, "must name at least one day")
		return nil
	}
	seen := make([]bool, len(Days))
	for _, d := range days {
		i := slices.Index(Days, d)
		switch {
		case i < 0:
			v.add(field, "%q is not a day; use %s", d, strings.Join(Days, ", "))
			return nil
		case seen[i]:
			v.add(field, "%q is listed twice", d)
			return nil
		}
		seen[i] = true
	}
	out := make([]string, 0, len(days))
	for i, ok := range seen {
		if ok {
			out = append(out, Days[i])
		}
	}
	return out
}

const minutesPerDay = 24 * 60

// parseClock reads "HH:MM" as minutes after midnight. Only "24:00" may reach the end of
// the day, and only when allowEnd is set.
func parseClock(s string, allowEnd bool) (int, bool) {
	if len(s) != 5 || s[2] != ':' || !isDigits(s[:2]) || !isDigits(s[3:]) {
		return 0, false
	}
	h, _ := strconv.Atoi(s[:2])
	m, _ := strconv.Atoi(s[3:])
	switch {
	case h == 24 && m == 0 && allowEnd:
		return minutesPerDay, true
	case h > 23 || m > 59:
		return 0, false
	}
	return h*60 + m, true
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// window is a WarmWindow in a form fit for arithmetic.
type window struct {
	days       [7]bool // by time.Weekday: Sunday first
	start, end int     // minutes after midnight; end in 1..1440
}

// compile reads the schedule's windows. A window that does not parse (a Schedule built
// by hand rather than by ParseSchedule) is skipped: it is never open.
func (s Schedule) compile() []window {
	out := make([]window, 0, len(s.Windows))
	for _, w := range s.Windows {
		start, ok1 := parseClock(w.Start, false)
		end, ok2 := parseClock(w.End, true)
		if !ok1 || !ok2 || end == start {
			continue
		}
		if end == 0 {
			end = minutesPerDay
		}
		var c window
		for _, d := range w.Days {
			if i := slices.Index(Days, d); i >= 0 {
				c.days[(i+1)%7] = true // Days is Monday first, time.Weekday Sunday first
			}
		}
		c.start, c.end = start, end
		out = append(out, c)
	}
	return out
}

func (s Schedule) loc() *time.Location {
	if s.Location == nil {
		return time.UTC
	}
	return s.Location
}

// alwaysOn reports whether the schedule has no windows at all.
func (s Schedule) alwaysOn() bool { return len(s.Windows) == 0 }

// wallTime is the instant the clock in loc shows the given date and minute of the day
// (minute may be 1440, the next midnight). Two days a year some clock times do not map
// to exactly one instant, and time.Date's choice then depends on the zone (for a time
// skipped in spring it answers an hour later in Europe but an hour earlier in America),
// so this settles both cases the same way in every zone:
//   - a time the clocks skip (02:30 on a spring-forward night) is the instant they jump
//     past it (03:00 new time): a window "until 02:00" closes when the clocks go
//     forward, and one "from 02:30" opens then;
//   - a time the clocks show twice (02:30 on an autumn night in Europe) is its first
//     occurrence: a window "until 02:00" closes the first time the clock reads 02:00.
func wallTime(loc *time.Location, y int, m time.Month, d, minute int) time.Time {
	t := time.Date(y, m, d, 0, minute, 0, 0, loc)
	want := time.Date(y, m, d, 0, minute, 0, 0, time.UTC)
	got := asUTCWall(t)
	switch {
	case got.After(want): // skipped, and time.Date moved forward: the jump began t's zone
		start, _ := t.ZoneBounds()
		return start
	case got.Before(want): // skipped, and time.Date moved back: the jump ends t's zone
		_, end := t.ZoneBounds()
		return end
	}
	start, _ := t.ZoneBounds()
	if start.IsZero() {
		return t
	}
	_, prevOffset := start.Add(-time.Nanosecond).Zone()
	_, offset := t.Zone()
	if prevOffset > offset { // the clocks went back at start: t may have a twin before it
		twin := t.Add(-time.Duration(prevOffset-offset) * time.Second)
		if twin.Before(start) && asUTCWall(twin).Equal(want) {
			return twin
		}
	}
	return t
}

// asUTCWall is t's clock reading in its own zone, as if that reading were UTC: a way to
// compare clock readings across offsets.
func asUTCWall(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// spans returns the schedule's open stretches that overlap [from, to): every window
// occurrence, merged where they overlap or touch, sorted, not clipped. It is nil for a
// schedule without usable windows; the caller handles always-on.
func (s Schedule) spans(from, to time.Time) []Interval {
	ws := s.compile()
	if len(ws) == 0 || !from.Before(to) {
		return nil
	}
	loc := s.loc()
	local := from.In(loc)
	y, m, d := local.Date()
	var raw []Interval
	// A window lasts at most 25 h and belongs to the day it starts on, so days from
	// two before from's date cover every window still open at from.
	for k := -2; ; k++ {
		day := time.Date(y, m, d+k, 0, 0, 0, 0, time.UTC) // a civil date, no zone
		dy, dm, dd := day.Date()
		if !wallTime(loc, dy, dm, dd, 0).Before(to) {
			break
		}
		for _, w := range ws {
			if !w.days[day.Weekday()] {
				continue
			}
			iv := Interval{Start: wallTime(loc, dy, dm, dd, w.start)}
			if w.end > w.start {
				iv.End = wallTime(loc, dy, dm, dd, w.end)
			} else {
				iv.End = wallTime(loc, dy, dm, dd+1, w.end)
			}
			if iv.End.After(iv.Start) && iv.End.After(from) && iv.Start.Before(to) {
				raw = append(raw, iv)
			}
		}
	}
	return mergeIntervals(raw)
}

// mergeIntervals sorts intervals and joins those that overlap or touch.
func mergeIntervals(ivs []Interval) []Interval {
	slices.SortFunc(ivs, func(a, b Interval) int { return a.Start.Compare(b.Start) })
	var out []Interval
	for _, iv := range ivs {
		if n := len(out); n > 0 && !iv.Start.After(out[n-1].End) {
			if iv.End.After(out[n-1].End) {
				out[n-1].End = iv.End
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}

// Active reports whether t falls inside one of the schedule's windows, read on the
// clock of its location. A schedule without windows is always active.
func (s Schedule) Active(t time.Time) bool {
	if s.alwaysOn() {
		return true
	}
	return len(s.spans(t, t.Add(time.Nanosecond))) > 0
}

// horizon bounds the search for the next opening or closing. The windows repeat every
// week, so a schedule that neither opens nor closes within a week and a day (a day of
// slack for clock changes) never will: it is on all the time.
const horizon = 8 * 24 * time.Hour

// NextStart is the next instant strictly after `after` at which the schedule turns on:
// a window opening while another is still open does not count, because the target is
// awake already. It is false for a schedule that is always on, whether it has no
// windows or windows that cover every hour of the week. A window start the clocks skip
// (02:30 on a spring-forward night) is the instant they jump past it; see wallTime.
func (s Schedule) NextStart(after time.Time) (time.Time, bool) {
	if s.alwaysOn() {
		return time.Time{}, false
	}
	for _, iv := range s.spans(after, after.Add(horizon)) {
		if iv.Start.After(after) {
			return iv.Start, true
		}
	}
	return time.Time{}, false
}

// NextEnd is when the stretch of open windows that holds `after` closes: the time of
// the last keep-warm check of that stretch. It is `after` itself when no window is open
// then, and the zero Time when the schedule never closes (no windows, or windows that
// cover every hour of the week).
func (s Schedule) NextEnd(after time.Time) time.Time {
	if s.alwaysOn() {
		return time.Time{}
	}
	for _, iv := range s.spans(after, after.Add(horizon)) {
		if iv.Start.After(after) {
			break
		}
		if iv.End.After(after) {
			if iv.End.Sub(after) >= horizon {
				return time.Time{}
			}
			return iv.End
		}
	}
	return after
}

// AwakeIntervals are the spans of [from, to) in which the schedule keeps a target warm:
// the windows clipped to [from, to), overlapping or touching ones merged, in order. A
// schedule without windows gives the whole of [from, to).
func (s Schedule) AwakeIntervals(from, to time.Time) []Interval {
	if !from.Before(to) {
		return nil
	}
	if s.alwaysOn() {
		return []Interval{{Start: from, End: to}}
	}
	ivs := s.spans(from, to)
	for i := range ivs {
		ivs[i] = clip(ivs[i], from, to)
	}
	return ivs
}

func clip(iv Interval, from, to time.Time) Interval {
	if iv.Start.Before(from) {
		iv.Start = from
	}
	if iv.End.After(to) {
		iv.End = to
	}
	return iv
}

// DefaultKeepWarmInterval is the interval_seconds a keep-warm target gets when the
// request leaves it out: the longest that still leaves room, before the host's idle
// limit runs out, for a check that fails (timeout), the wait before the retry
// (retryDelay) and the retry itself (timeout again):
//
//	interval = idle - (timeout + retryDelay + timeout)
//
// Pass the wake timeout as timeoutSeconds when the attempts may use it. The result is in
// whole seconds, at least 1 and at most MaxIntervalSeconds (an idle limit of days needs
// no less frequent pings than daily). The string explains the number to a person, such
// as "every 14 min 25 s: the service sleeps after 15 min idle; this leaves room for a
// 10 s timeout, a 15 s wait and a retry before then". It does not name the platform; a
// caller that knows it may say so before it.
func DefaultKeepWarmInterval(idleSeconds, timeoutSeconds, retryDelaySeconds int) (int, string) {
	margin := 2*max(timeoutSeconds, 0) + max(retryDelaySeconds, 0)
	room := fmt.Sprintf("a %s timeout, a %s wait and a retry", humanSeconds(timeoutSeconds), humanSeconds(retryDelaySeconds))
	interval := idleSeconds - margin
	switch {
	case interval < 1:
		return 1, fmt.Sprintf("every 1 s: the service sleeps after %s idle, too soon to leave room for %s",
			humanSeconds(idleSeconds), room)
	case interval > MaxIntervalSeconds:
		return MaxIntervalSeconds, fmt.Sprintf("every %s: the service sleeps after %s idle; this is the longest interval allowed",
			humanSeconds(MaxIntervalSeconds), humanSeconds(idleSeconds))
	}
	return interval, fmt.Sprintf("every %s: the service sleeps after %s idle; this leaves room for %s before then",
		humanSeconds(interval), humanSeconds(idleSeconds), room)
}

// humanSeconds writes a number of seconds as people read it: "1 h 40 min", "11 min 20 s",
// "15 s".
func humanSeconds(secs int) string {
	if secs <= 0 {
		return "0 s"
	}
	var parts []string
	if h := secs / 3600; h > 0 {
		parts = append(parts, strconv.Itoa(h)+" h")
	}
	if m := secs % 3600 / 60; m > 0 {
		parts = append(parts, strconv.Itoa(m)+" min")
	}
	if s := secs % 60; s > 0 {
		parts = append(parts, strconv.Itoa(s)+" s")
	}
	return strings.Join(parts, " ")
}

// planKeepWarm gives a keep-warm target left without an interval the longest one that
// leaves room, before the host's idle limit runs out, for a failed attempt, the wait
// before the retry and the retry itself, with the timeout, retries and retry delay in
// force (with retries 0 there is no wait and no retry to leave room for). With
// fillTimeout the timeout was left out too: it takes its default, lowered as far as
// needed (not below 1 s) for the interval to stay above it. When no interval at least
// the operator's minimum and above the timeout fits, the error names
// idle_timeout_seconds, the setting that rules the plan, and says what would fit.
func planKeepWarm(t *Target, lim Limits, fillTimeout bool) *FieldError {
	attempts, wait := 1, 0
	if t.Retries > 0 {
		attempts, wait = 2, t.RetryDelaySeconds
	}
	timeout := t.TimeoutSeconds
	if fillTimeout {
		// interval = idle - attempts×timeout - wait must exceed the timeout.
		timeout = max(1, min(DefaultTimeoutSeconds, (t.IdleTimeoutSeconds-wait-1)/(attempts+1)))
	}
	interval := min(t.IdleTimeoutSeconds-attempts*timeout-wait, MaxIntervalSeconds)
	need := max(1, lim.MinIntervalSeconds, timeout+1)
	if interval >= need {
		t.IntervalSeconds, t.TimeoutSeconds = interval, timeout
		return nil
	}
	least := need + attempts*timeout + wait
	msg := fmt.Sprintf("must be at least %d s for checks at least %d s apart with a %d s timeout to keep the service awake",
		least, need, timeout)
	if attempts > 1 {
		msg = fmt.Sprintf("must be at least %d s for checks at least %d s apart with a %d s timeout, a %d s retry delay and a retry to keep the service awake; "+
			"or lower timeout_seconds, retry_delay_seconds or retries", least, need, timeout, wait)
	} else if !fillTimeout {
		msg += "; or lower timeout_seconds"
	}
	return &FieldError{Field: "idle_timeout_seconds", Message: msg}
}
