package target_test

import (
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the host's zoneinfo

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	require.NoError(t, err)
	return v
}

func TestHeartbeatDeadline(t *testing.T) {
	hour := 3600
	cases := []struct {
		name     string
		period   int
		grace    int
		cron     string
		tz       string
		ping     string
		deadline string
	}{
		{name: "period plus grace", period: 86400, grace: hour, ping: "2026-01-10T12:00:00Z", deadline: "2026-01-11T13:00:00Z"},
		{name: "short period", period: 2, grace: 1, ping: "2026-01-10T12:00:00Z", deadline: "2026-01-10T12:00:03Z"},
		{name: "period ignores daylight saving", period: 86400, grace: 60, tz: "Europe/Berlin",
			ping: "2026-03-28T23:00:00Z", deadline: "2026-03-29T23:01:00Z"},
		{name: "cron daily in UTC", cron: "0 2 * * *", grace: hour, ping: "2026-01-10T02:00:05Z", deadline: "2026-01-11T03:00:00Z"},
		{name: "cron before March change, Berlin (CET)", cron: "0 2 * * *", tz: "Europe/Berlin", grace: hour,
			ping: "2026-03-27T01:00:10Z", deadline: "2026-03-28T02:00:00Z"},
		// 29 March 2026 has no 02:00 in Berlin: that day expects no run.
		{name: "cron over the spring-forward night, Berlin", cron: "0 2 * * *", tz: "Europe/Berlin", grace: hour,
			ping: "2026-03-28T01:00:10Z", deadline: "2026-03-30T01:00:00Z"},
		{name: "cron 02:30 on the spring-forward day is skipped", cron: "30 2 * * *", tz: "Europe/Berlin", grace: 600,
			ping: "2026-03-28T01:30:00Z", deadline: "2026-03-30T00:40:00Z"},
		{name: "cron after the change keeps 02:00 local (CEST)", cron: "0 2 * * *", tz: "Europe/Berlin", grace: hour,
			ping: "2026-03-30T00:00:30Z", deadline: "2026-03-31T01:00:00Z"},
		// 25 October 2026: 02:00 CEST, then the clocks go back and 02:00 comes again
		// (CET). A daily job runs once; its next run is the next day's.
		{name: "cron over the autumn night, Berlin: 02:00 expected once", cron: "0 2 * * *", tz: "Europe/Berlin", grace: hour,
			ping: "2026-10-25T00:00:20Z", deadline: "2026-10-26T02:00:00Z"},
		{name: "cron the day before the autumn change", cron: "0 2 * * *", tz: "Europe/Berlin", grace: hour,
			ping: "2026-10-24T00:00:20Z", deadline: "2026-10-25T01:00:00Z"},
		{name: "cron every 15 minutes", cron: "*/15 * * * *", grace: 300, ping: "2026-01-10T12:07:00Z", deadline: "2026-01-10T12:20:00Z"},
		// Every 15 minutes runs through both passes of the repeated hour.
		{name: "cron every 15 minutes in the repeated hour", cron: "*/15 * * * *", tz: "Europe/Berlin", grace: 60,
			ping: "2026-10-25T00:50:00Z", deadline: "2026-10-25T01:01:00Z"},
		{name: "cron descriptor", cron: "@daily", tz: "Europe/Berlin", grace: hour,
			ping: "2026-01-10T10:00:00Z", deadline: "2026-01-11T00:00:00Z"},
		// Chatham (+13:45 → +12:45 at 03:45 on 5 April 2026): 03:15 comes twice; a ping
		// at 02:49 in the second pass is after the first 03:15, so the next is the
		// next day's (robfig/cron's Next gave one before the ping).
		{name: "Chatham: 03:15 in the repeated hour, expected once", cron: "15 3 * * *", tz: "Pacific/Chatham", grace: 600,
			ping: "2026-04-04T14:04:00Z", deadline: "2026-04-05T14:40:00Z"},
		{name: "Chatham: ping before the first 03:15", cron: "15 3 * * *", tz: "Pacific/Chatham", grace: 600,
			ping: "2026-04-04T13:04:00Z", deadline: "2026-04-04T13:40:00Z"},
		// Lord Howe goes back half an hour (02:00 +11 → 01:30 +10:30) on 5 April 2026.
		{name: "Lord Howe: 01:45 in the repeated half hour, expected once", cron: "45 1 * * *", tz: "Australia/Lord_Howe", grace: 600,
			ping: "2026-04-04T15:00:00Z", deadline: "2026-04-05T15:25:00Z"},
		{name: "Lord Howe: @daily the night of the change", cron: "@daily", tz: "Australia/Lord_Howe", grace: 600,
			ping: "2026-04-04T12:00:00Z", deadline: "2026-04-04T13:10:00Z"},
		{name: "Lord Howe: 02:00 the morning of the change", cron: "0 2 * * *", tz: "Australia/Lord_Howe", grace: 600,
			ping: "2026-04-04T12:00:00Z", deadline: "2026-04-04T15:40:00Z"},
		{name: "Lord Howe: 03:15 the morning of the change", cron: "15 3 * * *", tz: "Australia/Lord_Howe", grace: 600,
			ping: "2026-04-04T12:00:00Z", deadline: "2026-04-04T16:55:00Z"},
		// Troll goes back two hours (03:00 +02 → 01:00 +00) on 25 October 2026.
		{name: "Troll: 02:00 the night of the change", cron: "0 2 * * *", tz: "Antarctica/Troll", grace: 600,
			ping: "2026-10-24T23:00:00Z", deadline: "2026-10-25T00:10:00Z"},
		{name: "Troll: 02:30 after its first pass", cron: "30 2 * * *", tz: "Antarctica/Troll", grace: 600,
			ping: "2026-10-25T01:00:00Z", deadline: "2026-10-26T02:40:00Z"},
		// Asunción (-03 in summer, 1 January included): robfig/cron skipped to 2025.
		{name: "Asunción: @yearly", cron: "@yearly", tz: "America/Asuncion", grace: 600,
			ping: "2023-06-01T12:00:00Z", deadline: "2024-01-01T03:10:00Z"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hb := target.Target{Type: target.TypeHeartbeat, PeriodSeconds: c.period, GraceSeconds: c.grace, Cron: c.cron, Timezone: c.tz}
			assert.Equal(t, at(t, c.deadline), hb.HeartbeatDeadline(at(t, c.ping)).UTC())
		})
	}
}

func TestNextDeadlineAfterMiss(t *testing.T) {
	cases := []struct {
		name            string
		period, grace   int
		cron, tz        string
		slot, now, next string
	}{
		{name: "one period on", period: 3600, grace: 600, slot: "2026-01-10T12:00:00Z", now: "2026-01-10T12:00:01Z", next: "2026-01-10T13:00:00Z"},
		{name: "judged late: the next slot ahead, on the series", period: 3600, grace: 600,
			slot: "2026-01-10T12:00:00Z", now: "2026-01-10T15:30:00Z", next: "2026-01-10T16:00:00Z"},
		{name: "cron: the next run after the missed one, plus grace", cron: "0 2 * * *", tz: "Europe/Berlin", grace: 3600,
			slot: "2026-01-10T02:00:00Z", now: "2026-01-10T02:00:01Z", next: "2026-01-11T02:00:00Z"},
		{name: "cron judged days late", cron: "0 2 * * *", grace: 3600,
			slot: "2026-01-10T03:00:00Z", now: "2026-01-13T12:00:00Z", next: "2026-01-14T03:00:00Z"},
		{name: "cron with grace longer than its spacing", cron: "*/15 * * * *", grace: 3600,
			slot: "2026-01-10T13:00:00Z", now: "2026-01-10T13:00:01Z", next: "2026-01-10T13:15:00Z"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hb := target.Target{Type: target.TypeHeartbeat, PeriodSeconds: c.period, GraceSeconds: c.grace, Cron: c.cron, Timezone: c.tz}
			next := hb.NextDeadlineAfterMiss(at(t, c.slot), at(t, c.now))
			assert.Equal(t, at(t, c.next), next.UTC())
			assert.True(t, next.After(at(t, c.now)), "the next deadline is ahead of now")
		})
	}
}

func TestValidateHeartbeat(t *testing.T) {
	cases := []struct {
		name, cron, tz string
		msg            string
	}{
		{name: "no cron: nothing to check"},
		{name: "cron of five fields", cron: "0 2 * * 1-5", tz: "Europe/Berlin"},
		{name: "cron descriptor", cron: "@hourly"},
		{name: "cron of six fields", cron: "0 0 2 * * *", msg: "must have five fields"},
		{name: "cron that does not parse", cron: "0 25 * * *", msg: "does not parse"},
		{name: "cron that never fires", cron: "0 0 30 2 *", msg: "never fires"},
		{name: "cron naming a zone", cron: "CRON_TZ=Europe/Berlin 0 2 * * *", msg: "set timezone instead"},
		{name: "@every", cron: "@every 5m", msg: "set period_seconds instead"},
		{name: "an unknown zone is the timezone field's error, not cron's", cron: "0 2 * * *", tz: "Mars/Olympus"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			errs := target.ValidateHeartbeat(target.Target{Type: target.TypeHeartbeat, PeriodSeconds: 86400, GraceSeconds: 3600, Cron: c.cron, Timezone: c.tz})
			if c.msg == "" {
				assert.Empty(t, errs)
				return
			}
			require.Len(t, errs, 1, "%v", errs)
			assert.Equal(t, "cron", errs[0].Field)
			assert.Contains(t, errs[0].Message, c.msg)
		})
	}
}

func TestPingMessage(t *testing.T) {
	assert.Nil(t, target.PingMessage(nil))
	assert.Nil(t, target.PingMessage([]byte(" \n")))
	assert.Equal(t, "line 1\nline\t2 x", *target.PingMessage([]byte("line 1\nline\t2\x00x")))
	assert.Equal(t, "bad \uFFFD byte", *target.PingMessage([]byte("bad \xff byte")))
	big := strings.Repeat("é", 6000) // 12,000 bytes
	msg := *target.PingMessage([]byte(big))
	assert.LessOrEqual(t, len(msg), target.MaxPingMessageBytes)
	assert.Equal(t, strings.Repeat("é", 5120), msg, "cut at a character boundary")
}

func TestMissedPingError(t *testing.T) {
	success, fail := at(t, "2026-01-10T12:00:00Z"), at(t, "2026-01-10T13:00:00Z")
	assert.Equal(t, "no ping since 2026-01-10T13:00:00Z", target.Target{LastSuccessAt: &success, LastPingAt: &fail}.MissedPingError(),
		"the last ping of any kind")
	assert.Equal(t, "no ping since 2026-01-10T12:00:00Z", target.Target{LastSuccessAt: &success}.MissedPingError())
}

// TestCronNextRunOracle checks a cron heartbeat's next run, for pings every 7 minutes
// over a year in zones whose daylight-saving changes are odd (a 45-minute offset, a
// half-hour change, a two-hour change, summer time over New Year), against a brute
// force that walks the zone's instants minute by minute. Its rule is nextRun's: a
// local time the spring change skips never shows, so it is not expected; a fixed time
// the autumn change repeats is expected at its first pass only; a schedule with a
// wildcard hour is expected at both passes.
func TestCronNextRunOracle(t *testing.T) {
	cases := []struct {
		tz, cron string
		from     string
		horizon  time.Duration // how far past the last ping the next run can be
	}{
		{tz: "Pacific/Chatham", cron: "15 3 * * *", from: "2026-01-01T00:00:00Z", horizon: 72 * time.Hour},
		{tz: "Australia/Lord_Howe", cron: "45 1 * * *", from: "2026-01-01T00:00:00Z", horizon: 72 * time.Hour},
		{tz: "Australia/Lord_Howe", cron: "@daily", from: "2026-01-01T00:00:00Z", horizon: 72 * time.Hour},
		{tz: "Australia/Lord_Howe", cron: "0 2 * * *", from: "2026-01-01T00:00:00Z", horizon: 72 * time.Hour},
		{tz: "Australia/Lord_Howe", cron: "15 3 * * *", from: "2026-01-01T00:00:00Z", horizon: 72 * time.Hour},
		{tz: "Antarctica/Troll", cron: "0 2 * * *", from: "2026-01-01T00:00:00Z", horizon: 72 * time.Hour},
		{tz: "Antarctica/Troll", cron: "30 2 * * *", from: "2026-01-01T00:00:00Z", horizon: 72 * time.Hour},
		{tz: "America/Asuncion", cron: "@yearly", from: "2023-01-01T00:00:00Z", horizon: 400 * 24 * time.Hour},
		{tz: "Europe/Berlin", cron: "30 2 * * *", from: "2026-01-01T00:00:00Z", horizon: 72 * time.Hour},
		{tz: "Europe/Berlin", cron: "*/15 * * * *", from: "2026-01-01T00:00:00Z", horizon: 72 * time.Hour},
	}
	for _, c := range cases {
		t.Run(c.tz+" "+c.cron, func(t *testing.T) {
			t.Parallel()
			loc, err := time.LoadLocation(c.tz)
			require.NoError(t, err)
			match, everyHour := oracleSchedule(t, c.cron)
			from := at(t, c.from)
			to := from.AddDate(1, 0, 0)

			// Every instant the schedule expects, from a day before the first ping on.
			var runs []time.Time
			seen := map[[5]int]bool{}
			for i := from.Add(-24 * time.Hour); i.Before(to.Add(c.horizon)); i = i.Add(time.Minute) {
				l := i.In(loc)
				wall := [5]int{l.Year(), int(l.Month()), l.Day(), l.Hour(), l.Minute()}
				if !match(l) || (!everyHour && seen[wall]) {
					continue
				}
				seen[wall] = true
				runs = append(runs, i)
			}

			hb := target.Target{Type: target.TypeHeartbeat, Cron: c.cron, Timezone: c.tz}
			wrong := 0
			for ping := from.Add(13 * time.Second); ping.Before(to); ping = ping.Add(7 * time.Minute) {
				k := sort.Search(len(runs), func(k int) bool { return runs[k].After(ping) })
				if k == len(runs) {
					t.Fatalf("ping %s: the oracle's horizon is too short", ping)
				}
				if got := hb.HeartbeatDeadline(ping).UTC(); !got.Equal(runs[k]) {
					if wrong++; wrong <= 5 {
						t.Errorf("ping %s (%s): next run %s (%s), want %s (%s)", ping.Format(time.RFC3339), ping.In(loc),
							got.Format(time.RFC3339), got.In(loc), runs[k].Format(time.RFC3339), runs[k].In(loc))
					}
				}
			}
			assert.Zero(t, wrong, "pings with a wrong next run")
		})
	}
}

// oracleSchedule reads the few cron forms TestCronNextRunOracle uses (numbers, *,
// */n; @daily, @yearly) on its own, apart from robfig/cron's parser.
func oracleSchedule(t *testing.T, expr string) (match func(time.Time) bool, everyHour bool) {
	t.Helper()
	switch expr {
	case "@daily":
		expr = "0 0 * * *"
	case "@yearly":
		expr = "0 0 1 1 *"
	}
	f := strings.Fields(expr)
	require.Len(t, f, 5)
	field := func(s string) func(int) bool {
		if s == "*" {
			return func(int) bool { return true }
		}
		if n, ok := strings.CutPrefix(s, "*/"); ok {
			step, err := strconv.Atoi(n)
			require.NoError(t, err)
			return func(v int) bool { return v%step == 0 }
		}
		want, err := strconv.Atoi(s)
		require.NoError(t, err)
		return func(v int) bool { return v == want }
	}
	minute, hour, dom, month := field(f[0]), field(f[1]), field(f[2]), field(f[3])
	require.Equal(t, "*", f[4], "the oracle knows no day of week")
	return func(l time.Time) bool {
		return minute(l.Minute()) && hour(l.Hour()) && dom(l.Day()) && month(int(l.Month()))
	}, strings.HasPrefix(f[1], "*")
}

func TestValidPingToken(t *testing.T) {
	assert.True(t, target.ValidPingToken(target.NewPingToken()))
	assert.True(t, target.ValidPingToken(strings.Repeat("a", 22)), "128 bits and more")
	assert.False(t, target.ValidPingToken(strings.Repeat("a", 21)))
	assert.True(t, target.ValidPingToken(strings.Repeat("A-_9", 16)), "64 characters")
	assert.False(t, target.ValidPingToken(strings.Repeat("a", 65)), "the ping endpoint answers 404 past 64")
	assert.False(t, target.ValidPingToken(strings.Repeat("a", 30)+"%20"))
	assert.False(t, target.ValidPingToken(strings.Repeat("é", 22)))
	assert.False(t, target.ValidPingToken(""))
}
