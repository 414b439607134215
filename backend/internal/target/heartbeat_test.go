package target_test

import (
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
