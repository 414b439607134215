package target

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewFillsDefaults(t *testing.T) {
	tg, err := New(Spec{URL: " https://api.example.com/health "}, Limits{MinIntervalSeconds: 30})
	require.NoError(t, err)
	assert.Equal(t, "api.example.com", tg.Name)
	assert.Equal(t, "https://api.example.com/health", tg.URL)
	assert.Equal(t, "GET", tg.Method)
	assert.Equal(t, 300, tg.IntervalSeconds)
	assert.Equal(t, 10, tg.TimeoutSeconds)
	assert.Equal(t, "200-399", tg.ExpectedStatus)
	assert.Equal(t, 3, tg.Retries)
	assert.Equal(t, 15, tg.RetryDelaySeconds)
	assert.True(t, tg.IsActive)
	assert.Equal(t, []string{}, tg.Tags)
	assert.Equal(t, map[string]string{}, tg.Headers)
	assert.Equal(t, StatusUnknown, tg.LastStatus)

	short, err := New(Spec{URL: "https://a.example.com", IntervalSeconds: new(5)}, Limits{MinIntervalSeconds: 1})
	require.NoError(t, err)
	assert.Equal(t, 4, short.TimeoutSeconds, "the default timeout stays below a short interval")
}

func TestValidationNamesTheField(t *testing.T) {
	refuse := func(u *url.URL) error {
		if u.Hostname() == "127.0.0.1" {
			return assert.AnError
		}
		return nil
	}
	lim := Limits{MinIntervalSeconds: 30, CheckURL: refuse}
	long := strings.Repeat("x", 201)
	tests := []struct {
		name  string
		spec  Spec
		field string
	}{
		{"missing url", Spec{}, "url"},
		{"ftp url", Spec{URL: "ftp://example.com/"}, "url"},
		{"relative url", Spec{URL: "/health"}, "url"},
		{"no host", Spec{URL: "http://"}, "url"},
		{"credentials in url", Spec{URL: "https://user:pw@example.com/"}, "url"},
		{"refused host", Spec{URL: "http://127.0.0.1:8080/"}, "url"},
		{"long name", Spec{URL: "https://example.com", Name: new(long)}, "name"},
		{"name with a NUL", Spec{URL: "https://example.com", Name: new("a\x00b")}, "name"},
		{"name with a newline", Spec{URL: "https://example.com", Name: new("a\nb")}, "name"},
		{"bad method", Spec{URL: "https://example.com", Method: new("BREW")}, "method"},
		{"interval too short", Spec{URL: "https://example.com", IntervalSeconds: new(29)}, "interval_seconds"},
		{"interval too long", Spec{URL: "https://example.com", IntervalSeconds: new(86401)}, "interval_seconds"},
		{"timeout not below interval", Spec{URL: "https://example.com", IntervalSeconds: new(30), TimeoutSeconds: new(30)}, "timeout_seconds"},
		{"timeout too long", Spec{URL: "https://example.com", IntervalSeconds: new(3600), TimeoutSeconds: new(301)}, "timeout_seconds"},
		{"header value with newline", Spec{URL: "https://example.com", Headers: map[string]string{"X-A": "a\r\nX-B: b"}}, "headers"},
		{"bad header name", Spec{URL: "https://example.com", Headers: map[string]string{"Bad Name": "v"}}, "headers"},
		{"expected status not a code", Spec{URL: "https://example.com", ExpectedStatus: new("abc")}, "expected_status"},
		{"expected status out of range", Spec{URL: "https://example.com", ExpectedStatus: new("600")}, "expected_status"},
		{"expected status backwards", Spec{URL: "https://example.com", ExpectedStatus: new("399-200")}, "expected_status"},
		{"negative retries", Spec{URL: "https://example.com", Retries: ptr(-1)}, "retries"},
		{"too many retries", Spec{URL: "https://example.com", Retries: ptr(11)}, "retries"},
		{"retry delay too long", Spec{URL: "https://example.com", RetryDelaySeconds: new(3601)}, "retry_delay_seconds"},
		{"tag too long", Spec{URL: "https://example.com", Tags: []string{strings.Repeat("t", 51)}}, "tags"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.spec, lim)
			var verr *ValidationError
			require.ErrorAs(t, err, &verr)
			var fields []string
			for _, f := range verr.Fields {
				fields = append(fields, f.Field)
			}
			assert.Contains(t, fields, tc.field)
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestPatchValidatesTheWhole(t *testing.T) {
	lim := Limits{MinIntervalSeconds: 10}
	tg, err := New(Spec{URL: "https://example.com", IntervalSeconds: new(60), TimeoutSeconds: new(20), Tags: []string{"b", "a", "b", " "}}, lim)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, tg.Tags, "sorted, trimmed, unique")

	_, err = Patch{IntervalSeconds: ptr(15)}.Apply(tg, lim)
	var verr *ValidationError
	require.ErrorAs(t, err, &verr, "an interval below the kept timeout of 20 s")
	assert.Equal(t, "timeout_seconds", verr.Fields[0].Field)

	paused, err := Patch{IsActive: ptr(false)}.Apply(tg, lim)
	require.NoError(t, err)
	assert.False(t, paused.IsActive)
	assert.Equal(t, tg.URL, paused.URL, "the rest stays")
	assert.Equal(t, 60, paused.IntervalSeconds)
}

func TestExpectedStatusSets(t *testing.T) {
	set, err := ParseStatusSet("200-299, 301,418")
	require.NoError(t, err)
	for code, want := range map[int]bool{199: false, 200: true, 250: true, 299: true, 300: false, 301: true, 418: true, 500: false} {
		assert.Equal(t, want, set.Contains(code), "%d", code)
	}
	for _, bad := range []string{"", "2OO", "200-", "200,,300", "99", "600", "300-200"} {
		_, err := ParseStatusSet(bad)
		assert.Error(t, err, bad)
	}
}

func TestBudgetNeverOverrunsTheInterval(t *testing.T) {
	tg := Target{IntervalSeconds: 300, TimeoutSeconds: 10, Retries: 3, RetryDelaySeconds: 15}
	assert.Equal(t, 15*time.Second, tg.RetryDelay(1))
	assert.Equal(t, 30*time.Second, tg.RetryDelay(2))
	assert.Equal(t, 60*time.Second, tg.RetryDelay(3))
	assert.Equal(t, 4*10*time.Second+105*time.Second, tg.CheckBudget())
	assert.Equal(t, tg.CheckBudget()+LeaseMargin, tg.Lease())

	tg.IntervalSeconds = 60
	assert.Equal(t, 60*time.Second, tg.CheckBudget(), "capped at the interval")
	tg.Retries = 0
	assert.Equal(t, 10*time.Second, tg.CheckBudget())
}

func TestNextSlotKeepsThePhase(t *testing.T) {
	base := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	ivl := time.Minute
	tests := []struct {
		name string
		now  time.Time
		want time.Time
	}{
		{"on time", base.Add(2 * time.Second), base.Add(time.Minute)},
		{"late within the interval", base.Add(59 * time.Second), base.Add(time.Minute)},
		{"exactly one interval late", base.Add(time.Minute), base.Add(2 * time.Minute)},
		{"an hour late: one check, back in phase", base.Add(time.Hour + 10*time.Second), base.Add(61 * time.Minute)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, NextSlot(base, ivl, base, tc.now))
		})
	}
	// Started 50 s late (a lease taken over): the slot 10 s later is skipped.
	assert.Equal(t, base.Add(2*time.Minute), NextSlot(base, ivl, base.Add(50*time.Second), base.Add(51*time.Second)))
	// Started 20 s late: the next slot is 40 s on, more than half an interval.
	assert.Equal(t, base.Add(time.Minute), NextSlot(base, ivl, base.Add(20*time.Second), base.Add(21*time.Second)))
}

func TestSummarize(t *testing.T) {
	var samples []Sample
	for i := 1; i <= 100; i++ {
		samples = append(samples, Sample{OK: true, LatencyMS: i})
	}
	samples = append(samples, Sample{OK: false, LatencyMS: 10000})
	s := Summarize(time.Hour, samples)
	assert.Equal(t, 101, s.Checks)
	assert.Equal(t, 100, s.Up)
	assert.Equal(t, 1, s.Down)
	assert.InDelta(t, 100.0/101, *s.UptimeRatio, 1e-9)
	assert.Equal(t, 50, *s.LatencyP50)
	assert.Equal(t, 95, *s.LatencyP95)
	assert.Equal(t, 99, *s.LatencyP99, "failures do not count towards latency")

	empty := Summarize(time.Hour, nil)
	assert.Nil(t, empty.UptimeRatio, "no checks: unknown, not 0% or 100%")
	assert.Nil(t, empty.LatencyP50)
}

func TestColdThresholdAndRunningMedian(t *testing.T) {
	assert.Equal(t, 2*time.Second, ColdThreshold(nil))
	assert.Equal(t, 2*time.Second, ColdThreshold(ptr(100)), "never below 2 s")
	assert.Equal(t, 5*time.Second, ColdThreshold(ptr(1000)), "5× the usual latency")

	var m *int
	for range 200 {
		v := NextMedian(m, 100)
		m = &v
	}
	assert.Equal(t, 100, *m)
	v := NextMedian(m, 30000)
	assert.LessOrEqual(t, v, 107, "one outlier barely moves it")
	for range 300 {
		v := NextMedian(m, 400)
		m = &v
	}
	assert.Equal(t, 400, *m, "a lasting change is followed")
}
