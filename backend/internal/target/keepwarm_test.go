package target

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the host's zoneinfo

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var everyDay = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

func mustSchedule(t *testing.T, tz string, windows ...WarmWindow) Schedule {
	t.Helper()
	s, errs := ParseSchedule(windows, tz)
	require.Empty(t, errs)
	return s
}

func utc(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

func TestParseSchedule(t *testing.T) {
	tooMany := make([]WarmWindow, MaxWarmWindows+1)
	for i := range tooMany {
		tooMany[i] = WarmWindow{Days: []string{"mon"}, Start: "08:00", End: "09:00"}
	}
	tests := []struct {
		name    string
		windows []WarmWindow
		tz      string
		want    []FieldError // only Field and a fragment of Message are compared
	}{
		{name: "no windows, default zone"},
		{name: "utc by name", tz: "UTC"},
		{name: "iana zone", tz: "America/New_York", windows: []WarmWindow{{Days: []string{"mon"}, Start: "08:00", End: "20:00"}}},
		{name: "end at 24:00", windows: []WarmWindow{{Days: everyDay, Start: "00:00", End: "24:00"}}},
		{name: "past midnight", windows: []WarmWindow{{Days: []string{"fri"}, Start: "22:00", End: "02:00"}}},
		{name: "at most 28", windows: tooMany[:MaxWarmWindows]},
		{name: "unknown zone", tz: "Mars/Olympus", want: []FieldError{{"timezone", "unknown time zone"}}},
		{name: "local zone", tz: "Local", want: []FieldError{{"timezone", "not Local"}}},
		{name: "too many windows", windows: tooMany, want: []FieldError{{"warm_windows", "at most 28"}}},
		{name: "no days", windows: []WarmWindow{{Start: "08:00", End: "09:00"}},
			want: []FieldError{{"warm_windows[0].days", "at least one day"}}},
		{name: "unknown day", windows: []WarmWindow{{Days: []string{"mon", "funday"}, Start: "08:00", End: "09:00"}},
			want: []FieldError{{"warm_windows[0].days", `"funday" is not a day`}}},
		{name: "capitalised day", windows: []WarmWindow{{Days: []string{"Mon"}, Start: "08:00", End: "09:00"}},
			want: []FieldError{{"warm_windows[0].days", `"Mon" is not a day`}}},
		{name: "duplicate day", windows: []WarmWindow{{Days: []string{"tue", "tue"}, Start: "08:00", End: "09:00"}},
			want: []FieldError{{"warm_windows[0].days", `"tue" is listed twice`}}},
		{name: "start 24:00", windows: []WarmWindow{{Days: []string{"mon"}, Start: "24:00", End: "09:00"}},
			want: []FieldError{{"warm_windows[0].start", "00:00 to 23:59"}}},
		{name: "start without leading zero", windows: []WarmWindow{{Days: []string{"mon"}, Start: "8:00", End: "09:00"}},
			want: []FieldError{{"warm_windows[0].start", "HH:MM"}}},
		{name: "end 24:30", windows: []WarmWindow{{Days: []string{"mon"}, Start: "08:00", End: "24:30"}},
			want: []FieldError{{"warm_windows[0].end", "00:00 to 24:00"}}},
		{name: "minute 60", windows: []WarmWindow{{Days: []string{"mon"}, Start: "08:60", End: "09:00"}},
			want: []FieldError{{"warm_windows[0].start", "HH:MM"}}},
		{name: "seconds given", windows: []WarmWindow{{Days: []string{"mon"}, Start: "08:00:00", End: "09:00"}},
			want: []FieldError{{"warm_windows[0].start", "HH:MM"}}},
		{name: "start equals end", windows: []WarmWindow{{Days: []string{"mon"}, Start: "08:00", End: "08:00"}},
			want: []FieldError{{"warm_windows[0].end", "must differ from start"}}},
		{name: "00:00 to 24:00 is fine but 00:00 to 00:00 is not", windows: []WarmWindow{{Days: []string{"mon"}, Start: "00:00", End: "00:00"}},
			want: []FieldError{{"warm_windows[0].end", "must differ from start"}}},
		{name: "every error at once, by index", tz: "Nowhere/Special",
			windows: []WarmWindow{
				{Days: []string{"mon"}, Start: "08:00", End: "20:00"},
				{Days: []string{"xyz"}, Start: "25:00", End: "x"},
			},
			want: []FieldError{
				{"timezone", "unknown time zone"},
				{"warm_windows[1].days", "not a day"},
				{"warm_windows[1].start", "HH:MM"},
				{"warm_windows[1].end", "HH:MM"},
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, errs := ParseSchedule(tc.windows, tc.tz)
			require.Len(t, errs, len(tc.want), "%v", errs)
			for i, w := range tc.want {
				assert.Equal(t, w.Field, errs[i].Field)
				assert.Contains(t, errs[i].Message, w.Message)
			}
			if len(tc.want) > 0 {
				assert.Equal(t, Schedule{}, s)
				return
			}
			require.NotNil(t, s.Location)
			assert.NotNil(t, s.Windows, "serializes as []")
			assert.Len(t, s.Windows, len(tc.windows))
		})
	}
}

func TestParseScheduleNormalizes(t *testing.T) {
	in := []WarmWindow{{Days: []string{"sun", "wed", "mon"}, Start: "08:00", End: "20:00"}}
	s := mustSchedule(t, "", in...)
	assert.Equal(t, []string{"mon", "wed", "sun"}, s.Windows[0].Days, "week order")
	assert.Equal(t, []string{"sun", "wed", "mon"}, in[0].Days, "the input is not changed")
	assert.Equal(t, time.UTC, s.Location)
}

// TestWindowAcrossClockChanges pins each window to the real instants it opens and
// closes on the days the clocks change in 2026: Europe on Mar 29 and Oct 25 (at 01:00
// UTC), the US on Mar 8 and Nov 1 (at 02:00 local).
func TestWindowAcrossClockChanges(t *testing.T) {
	tests := []struct {
		name       string
		tz         string
		day        time.Time // the date the window starts on (its weekday is the window's day)
		start, end string
		wantStart  time.Time
		wantEnd    time.Time
		wantLen    time.Duration
	}{
		{name: "berlin day, spring forward", tz: "Europe/Berlin", day: utc(2026, 3, 29, 0, 0), start: "08:00", end: "20:00",
			wantStart: utc(2026, 3, 29, 6, 0), wantEnd: utc(2026, 3, 29, 18, 0), wantLen: 12 * time.Hour},
		{name: "berlin day, fall back", tz: "Europe/Berlin", day: utc(2026, 10, 25, 0, 0), start: "08:00", end: "20:00",
			wantStart: utc(2026, 10, 25, 7, 0), wantEnd: utc(2026, 10, 25, 19, 0), wantLen: 12 * time.Hour},
		{name: "berlin day before spring forward", tz: "Europe/Berlin", day: utc(2026, 3, 28, 0, 0), start: "08:00", end: "20:00",
			wantStart: utc(2026, 3, 28, 7, 0), wantEnd: utc(2026, 3, 28, 19, 0), wantLen: 12 * time.Hour},
		{name: "berlin night into spring forward: closes when the clocks jump past 02:00", tz: "Europe/Berlin",
			day: utc(2026, 3, 28, 0, 0), start: "22:00", end: "02:00",
			wantStart: utc(2026, 3, 28, 21, 0), wantEnd: utc(2026, 3, 29, 1, 0), wantLen: 4 * time.Hour},
		{name: "berlin night into fall back: closes the first time the clock reads 02:00", tz: "Europe/Berlin",
			day: utc(2026, 10, 24, 0, 0), start: "22:00", end: "02:00",
			wantStart: utc(2026, 10, 24, 20, 0), wantEnd: utc(2026, 10, 25, 0, 0), wantLen: 4 * time.Hour},
		{name: "berlin night through the repeated hour", tz: "Europe/Berlin",
			day: utc(2026, 10, 24, 0, 0), start: "22:00", end: "03:00",
			wantStart: utc(2026, 10, 24, 20, 0), wantEnd: utc(2026, 10, 25, 2, 0), wantLen: 6 * time.Hour},
		{name: "berlin start in the skipped hour opens at the jump", tz: "Europe/Berlin",
			day: utc(2026, 3, 29, 0, 0), start: "02:30", end: "04:00",
			wantStart: utc(2026, 3, 29, 1, 0), wantEnd: utc(2026, 3, 29, 2, 0), wantLen: time.Hour},
		{name: "berlin start in the repeated hour opens at its first occurrence", tz: "Europe/Berlin",
			day: utc(2026, 10, 25, 0, 0), start: "02:30", end: "04:00",
			wantStart: utc(2026, 10, 25, 0, 30), wantEnd: utc(2026, 10, 25, 3, 0), wantLen: 150 * time.Minute},
		{name: "new york day, spring forward", tz: "America/New_York", day: utc(2026, 3, 8, 0, 0), start: "08:00", end: "20:00",
			wantStart: utc(2026, 3, 8, 12, 0), wantEnd: utc(2026, 3, 9, 0, 0), wantLen: 12 * time.Hour},
		{name: "new york day, fall back", tz: "America/New_York", day: utc(2026, 11, 1, 0, 0), start: "08:00", end: "20:00",
			wantStart: utc(2026, 11, 1, 13, 0), wantEnd: utc(2026, 11, 2, 1, 0), wantLen: 12 * time.Hour},
		{name: "new york night into spring forward: closes when the clocks jump past 02:00", tz: "America/New_York",
			day: utc(2026, 3, 7, 0, 0), start: "22:00", end: "02:00",
			wantStart: utc(2026, 3, 8, 3, 0), wantEnd: utc(2026, 3, 8, 7, 0), wantLen: 4 * time.Hour},
		{name: "new york night into fall back keeps the repeated hour", tz: "America/New_York",
			day: utc(2026, 10, 31, 0, 0), start: "22:00", end: "02:00",
			wantStart: utc(2026, 11, 1, 2, 0), wantEnd: utc(2026, 11, 1, 7, 0), wantLen: 5 * time.Hour},
		{name: "new york start in the skipped hour opens at the jump", tz: "America/New_York",
			day: utc(2026, 3, 8, 0, 0), start: "02:30", end: "04:00",
			wantStart: utc(2026, 3, 8, 7, 0), wantEnd: utc(2026, 3, 8, 8, 0), wantLen: time.Hour},
		{name: "new york start in the repeated hour opens at its first occurrence", tz: "America/New_York",
			day: utc(2026, 11, 1, 0, 0), start: "01:30", end: "03:00",
			wantStart: utc(2026, 11, 1, 5, 30), wantEnd: utc(2026, 11, 1, 8, 0), wantLen: 150 * time.Minute},
		{name: "whole day, spring forward, is 23 h", tz: "Europe/Berlin", day: utc(2026, 3, 29, 0, 0), start: "00:00", end: "24:00",
			wantStart: utc(2026, 3, 28, 23, 0), wantEnd: utc(2026, 3, 29, 22, 0), wantLen: 23 * time.Hour},
		{name: "whole day, fall back, is 25 h", tz: "America/New_York", day: utc(2026, 11, 1, 0, 0), start: "00:00", end: "24:00",
			wantStart: utc(2026, 11, 1, 4, 0), wantEnd: utc(2026, 11, 2, 5, 0), wantLen: 25 * time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			day := Days[(int(tc.day.Weekday())+6)%7]
			s := mustSchedule(t, tc.tz, WarmWindow{Days: []string{day}, Start: tc.start, End: tc.end})

			got := s.AwakeIntervals(tc.day.Add(-36*time.Hour), tc.day.Add(72*time.Hour))
			require.Len(t, got, 1)
			assert.Equal(t, tc.wantStart, got[0].Start.UTC(), "start")
			assert.Equal(t, tc.wantEnd, got[0].End.UTC(), "end")
			assert.Equal(t, tc.wantLen, got[0].Duration(), "real time awake")

			next, ok := s.NextStart(tc.wantStart.Add(-time.Hour))
			require.True(t, ok)
			assert.True(t, next.Equal(tc.wantStart), "NextStart %v", next.UTC())
			assert.True(t, s.NextEnd(tc.wantStart).Equal(tc.wantEnd), "NextEnd from the start")
			assert.True(t, s.NextEnd(tc.wantEnd.Add(-time.Second)).Equal(tc.wantEnd), "NextEnd near the end")

			assert.False(t, s.Active(tc.wantStart.Add(-time.Nanosecond)), "just before")
			assert.True(t, s.Active(tc.wantStart), "at the start")
			assert.True(t, s.Active(tc.wantEnd.Add(-time.Nanosecond)), "just before the end")
			assert.False(t, s.Active(tc.wantEnd), "at the end")
		})
	}
}

func TestActive(t *testing.T) {
	berlin := mustSchedule(t, "Europe/Berlin",
		WarmWindow{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Start: "08:00", End: "20:00"},
		WarmWindow{Days: []string{"fri"}, Start: "22:00", End: "02:00"},
	)
	newYork := mustSchedule(t, "America/New_York", WarmWindow{Days: everyDay, Start: "06:00", End: "23:00"})
	tests := []struct {
		name string
		s    Schedule
		at   time.Time
		want bool
	}{
		{"always on", Schedule{}, utc(2026, 1, 1, 3, 0), true},
		{"monday 07:59 Berlin", berlin, utc(2026, 1, 5, 6, 59), false},
		{"monday 08:00 Berlin", berlin, utc(2026, 1, 5, 7, 0), true},
		{"monday 19:59 Berlin", berlin, utc(2026, 1, 5, 18, 59), true},
		{"monday 20:00 Berlin", berlin, utc(2026, 1, 5, 19, 0), false},
		{"saturday noon Berlin", berlin, utc(2026, 1, 10, 11, 0), false},
		{"friday 23:00 Berlin", berlin, utc(2026, 1, 9, 22, 0), true},
		{"saturday 01:30 Berlin belongs to friday", berlin, utc(2026, 1, 10, 0, 30), true},
		{"saturday 02:00 Berlin", berlin, utc(2026, 1, 10, 1, 0), false},
		{"thursday 23:00 Berlin", berlin, utc(2026, 1, 8, 22, 0), false},
		{"sunday 01:30 Berlin: saturday has no night window", berlin, utc(2026, 1, 11, 0, 30), false},
		{"summer monday 08:30 Berlin", berlin, utc(2026, 7, 6, 6, 30), true},
		{"summer monday 07:30 Berlin", berlin, utc(2026, 7, 6, 5, 30), false},
		{"new york 05:59 EST", newYork, utc(2026, 1, 5, 10, 59), false},
		{"new york 06:00 EST", newYork, utc(2026, 1, 5, 11, 0), true},
		{"new york 22:59 EDT", newYork, utc(2026, 7, 6, 2, 59), true},
		{"new york 23:00 EDT", newYork, utc(2026, 7, 6, 3, 0), false},
		{"a hand-built window that does not parse never opens", Schedule{Windows: []WarmWindow{{Days: everyDay, Start: "x", End: "y"}}}, utc(2026, 1, 5, 12, 0), false},
		{"nil location is UTC", Schedule{Windows: []WarmWindow{{Days: everyDay, Start: "08:00", End: "09:00"}}}, utc(2026, 1, 5, 8, 30), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.s.Active(tc.at))
		})
	}
}

func TestNextStart(t *testing.T) {
	weekdays := mustSchedule(t, "Europe/Berlin", WarmWindow{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Start: "08:00", End: "20:00"})
	chained := mustSchedule(t, "UTC",
		WarmWindow{Days: []string{"mon"}, Start: "08:00", End: "12:00"},
		WarmWindow{Days: []string{"mon"}, Start: "12:00", End: "20:00"},
		WarmWindow{Days: []string{"mon"}, Start: "10:00", End: "14:00"},
	)
	nights := mustSchedule(t, "America/New_York", WarmWindow{Days: everyDay, Start: "22:00", End: "02:00"})
	tests := []struct {
		name   string
		s      Schedule
		after  time.Time
		want   time.Time
		wantOK bool
	}{
		{name: "always on", s: Schedule{}, after: utc(2026, 1, 5, 0, 0)},
		{name: "all day every day never turns on", s: mustSchedule(t, "Europe/Berlin", WarmWindow{Days: everyDay, Start: "00:00", End: "24:00"}), after: utc(2026, 3, 28, 0, 0)},
		{name: "before the window", s: weekdays, after: utc(2026, 1, 5, 5, 0), want: utc(2026, 1, 5, 7, 0), wantOK: true},
		{name: "strictly after: at the opening, the next one", s: weekdays, after: utc(2026, 1, 5, 7, 0), want: utc(2026, 1, 6, 7, 0), wantOK: true},
		{name: "friday evening skips the weekend", s: weekdays, after: utc(2026, 1, 9, 19, 0), want: utc(2026, 1, 12, 7, 0), wantOK: true},
		{name: "over the spring change", s: weekdays, after: utc(2026, 3, 27, 19, 0), want: utc(2026, 3, 30, 6, 0), wantOK: true},
		{name: "touching and overlapping windows open once", s: chained, after: utc(2026, 1, 5, 9, 0), want: utc(2026, 1, 12, 8, 0), wantOK: true},
		{name: "night window opens tonight", s: nights, after: utc(2026, 1, 5, 12, 0), want: utc(2026, 1, 6, 3, 0), wantOK: true},
		{name: "inside a night window, the next night", s: nights, after: utc(2026, 1, 6, 5, 0), want: utc(2026, 1, 7, 3, 0), wantOK: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tc.s.NextStart(tc.after)
			require.Equal(t, tc.wantOK, ok)
			assert.True(t, got.Equal(tc.want), "got %v, want %v", got.UTC(), tc.want)
		})
	}
}

func TestNextEnd(t *testing.T) {
	weekdays := mustSchedule(t, "Europe/Berlin", WarmWindow{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Start: "08:00", End: "20:00"})
	chained := mustSchedule(t, "UTC",
		WarmWindow{Days: []string{"mon"}, Start: "08:00", End: "12:00"},
		WarmWindow{Days: []string{"mon"}, Start: "12:00", End: "20:00"},
	)
	nights := mustSchedule(t, "UTC", WarmWindow{Days: everyDay, Start: "22:00", End: "24:00"}, WarmWindow{Days: everyDay, Start: "00:00", End: "02:00"})
	allWeek := mustSchedule(t, "UTC", WarmWindow{Days: everyDay, Start: "12:00", End: "12:01"}, WarmWindow{Days: everyDay, Start: "12:01", End: "12:00"})
	tests := []struct {
		name  string
		s     Schedule
		after time.Time
		want  time.Time
	}{
		{"always on never ends", Schedule{}, utc(2026, 1, 5, 0, 0), time.Time{}},
		{"windows covering the whole week never end", allWeek, utc(2026, 1, 5, 0, 0), time.Time{}},
		{"inside", weekdays, utc(2026, 1, 5, 12, 0), utc(2026, 1, 5, 19, 0)},
		{"outside is now", weekdays, utc(2026, 1, 10, 12, 0), utc(2026, 1, 10, 12, 0)},
		{"at the close is outside", weekdays, utc(2026, 1, 5, 19, 0), utc(2026, 1, 5, 19, 0)},
		{"a chain closes at its last window", chained, utc(2026, 1, 5, 9, 0), utc(2026, 1, 5, 20, 0)},
		{"windows touching at midnight make one night", nights, utc(2026, 1, 5, 23, 0), utc(2026, 1, 6, 2, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.s.NextEnd(tc.after)
			assert.True(t, got.Equal(tc.want), "got %v, want %v", got.UTC(), tc.want)
		})
	}
}

func TestAwakeIntervals(t *testing.T) {
	from, to := utc(2026, 1, 5, 0, 0), utc(2026, 1, 7, 0, 0) // Monday and Tuesday
	tests := []struct {
		name     string
		s        Schedule
		from, to time.Time
		want     []Interval
	}{
		{name: "always on is one interval", s: Schedule{}, from: from, to: to, want: []Interval{{from, to}}},
		{name: "empty range", s: Schedule{}, from: to, to: from},
		{name: "every day", s: mustSchedule(t, "", WarmWindow{Days: everyDay, Start: "08:00", End: "20:00"}), from: from, to: to,
			want: []Interval{{utc(2026, 1, 5, 8, 0), utc(2026, 1, 5, 20, 0)}, {utc(2026, 1, 6, 8, 0), utc(2026, 1, 6, 20, 0)}}},
		{name: "overlapping windows merged", s: mustSchedule(t, "",
			WarmWindow{Days: []string{"mon"}, Start: "08:00", End: "12:00"},
			WarmWindow{Days: []string{"mon", "tue"}, Start: "11:00", End: "15:00"},
			WarmWindow{Days: []string{"mon"}, Start: "09:00", End: "10:00"},
		), from: from, to: to,
			want: []Interval{{utc(2026, 1, 5, 8, 0), utc(2026, 1, 5, 15, 0)}, {utc(2026, 1, 6, 11, 0), utc(2026, 1, 6, 15, 0)}}},
		{name: "clipped at both ends, the night before included", s: mustSchedule(t, "", WarmWindow{Days: everyDay, Start: "22:00", End: "02:00"}),
			from: utc(2026, 1, 5, 1, 0), to: utc(2026, 1, 5, 23, 0),
			want: []Interval{{utc(2026, 1, 5, 1, 0), utc(2026, 1, 5, 2, 0)}, {utc(2026, 1, 5, 22, 0), utc(2026, 1, 5, 23, 0)}}},
		{name: "windows touching at midnight merged", s: mustSchedule(t, "",
			WarmWindow{Days: []string{"mon"}, Start: "20:00", End: "24:00"},
			WarmWindow{Days: []string{"tue"}, Start: "00:00", End: "04:00"},
		), from: from, to: to,
			want: []Interval{{utc(2026, 1, 5, 20, 0), utc(2026, 1, 6, 4, 0)}}},
		{name: "weekend window outside a weekday range", s: mustSchedule(t, "", WarmWindow{Days: []string{"sat", "sun"}, Start: "08:00", End: "20:00"}),
			from: from, to: to},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.s.AwakeIntervals(tc.from, tc.to)
			require.Len(t, got, len(tc.want))
			for i := range tc.want {
				assert.True(t, got[i].Start.Equal(tc.want[i].Start), "start %d: %v", i, got[i].Start)
				assert.True(t, got[i].End.Equal(tc.want[i].End), "end %d: %v", i, got[i].End)
			}
		})
	}
}

// A month of a 08:00–20:00 Berlin window over the spring change is 12 h every day.
func TestAwakeIntervalsMonthAcrossSpringChange(t *testing.T) {
	s := mustSchedule(t, "Europe/Berlin", WarmWindow{Days: everyDay, Start: "08:00", End: "20:00"})
	ivs := s.AwakeIntervals(utc(2026, 3, 1, 0, 0), utc(2026, 4, 1, 0, 0))
	require.Len(t, ivs, 31)
	for _, iv := range ivs {
		assert.Equal(t, 12*time.Hour, iv.Duration(), "%v", iv.Start)
		assert.Equal(t, 8, iv.Start.In(s.Location).Hour())
	}
}

func TestDefaultKeepWarmInterval(t *testing.T) {
	tests := []struct {
		name                 string
		idle, timeout, retry int
		want                 int
		wantText             string
	}{
		{"render with the usual timeout", 900, 10, 15, 865,
			"every 14 min 25 s: the service sleeps after 15 min idle; this leaves room for a 10 s timeout, a 15 s wait and a retry before then"},
		{"render with a wake timeout", 900, 90, 15, 705,
			"every 11 min 45 s: the service sleeps after 15 min idle; this leaves room for a 1 min 30 s timeout, a 15 s wait and a retry before then"},
		{"an hour's idle limit", 3600, 60, 30, 3450,
			"every 57 min 30 s: the service sleeps after 1 h idle; this leaves room for a 1 min timeout, a 30 s wait and a retry before then"},
		{"exactly no room left", 35, 10, 15, 1,
			"every 1 s: the service sleeps after 35 s idle, too soon to leave room for a 10 s timeout, a 15 s wait and a retry"},
		{"one second of room", 36, 10, 15, 1,
			"every 1 s: the service sleeps after 36 s idle; this leaves room for a 10 s timeout, a 15 s wait and a retry before then"},
		{"idle limit of a week is capped at a day", 7 * 86400, 10, 15, MaxIntervalSeconds,
			"every 24 h: the service sleeps after 168 h idle; this is the longest interval allowed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, text := DefaultKeepWarmInterval(tc.idle, tc.timeout, tc.retry)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.wantText, text)
			if got > 1 && got < MaxIntervalSeconds {
				assert.LessOrEqual(t, got+2*tc.timeout+tc.retry, tc.idle, "a failure and a retry fit before the idle limit")
			}
		})
	}
}

func TestHumanSeconds(t *testing.T) {
	for in, want := range map[int]string{
		0: "0 s", -5: "0 s", 15: "15 s", 60: "1 min", 680: "11 min 20 s", 3600: "1 h",
		6000: "1 h 40 min", 3601: "1 h 1 s", 42900: "11 h 55 min",
	} {
		assert.Equal(t, want, humanSeconds(in), "%d", in)
	}
	assert.False(t, strings.Contains(humanSeconds(86400), "day"))
}
