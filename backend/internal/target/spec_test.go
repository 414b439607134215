package target

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fieldsOf lists the fields a validation error names.
func fieldsOf(t *testing.T, err error) map[string]string {
	t.Helper()
	var verr *ValidationError
	require.ErrorAs(t, err, &verr)
	out := map[string]string{}
	for _, f := range verr.Fields {
		out[f.Field] = f.Message
	}
	return out
}

// An explicit 0 or "" is validated as PATCH validates it, never replaced by the
// default: only a field left out takes one.
func TestExplicitZeroIsValidated(t *testing.T) {
	lim := Limits{MinIntervalSeconds: 30}
	base := func() Spec { return Spec{URL: "https://example.com/", IntervalSeconds: new(300)} }
	tests := []struct {
		field string
		set   func(*Spec)
	}{
		{"interval_seconds", func(s *Spec) { s.IntervalSeconds = new(0) }},
		{"timeout_seconds", func(s *Spec) { s.TimeoutSeconds = new(0) }},
		{"failure_threshold", func(s *Spec) { s.FailureThreshold = new(0) }},
		{"success_threshold", func(s *Spec) { s.SuccessThreshold = new(0) }},
		{"retry_delay_seconds", func(s *Spec) { s.RetryDelaySeconds = new(0) }},
		{"wake_timeout_seconds", func(s *Spec) { s.WakeTimeoutSeconds = new(0) }},
		{"name", func(s *Spec) { s.Name = new("") }},
		{"method", func(s *Spec) { s.Method = new("") }},
		{"expected_status", func(s *Spec) { s.ExpectedStatus = new("") }},
	}
	orig, err := New(base(), lim)
	require.NoError(t, err)
	for _, tc := range tests {
		t.Run(tc.field, func(t *testing.T) {
			s := base()
			tc.set(&s)
			_, err := New(s, lim)
			created := fieldsOf(t, err)
			require.Contains(t, created, tc.field)

			// PATCH refuses the same value with the same message.
			var p Patch
			switch tc.field {
			case "interval_seconds":
				p.IntervalSeconds = new(0)
			case "timeout_seconds":
				p.TimeoutSeconds = new(0)
			case "failure_threshold":
				p.FailureThreshold = new(0)
			case "success_threshold":
				p.SuccessThreshold = new(0)
			case "retry_delay_seconds":
				p.RetryDelaySeconds = new(0)
			case "wake_timeout_seconds":
				p.WakeTimeoutSeconds = new(0)
			case "name":
				p.Name = new("")
			case "method":
				p.Method = new("")
			case "expected_status":
				p.ExpectedStatus = new("")
			}
			_, err = p.Apply(orig, lim)
			assert.Equal(t, fieldsOf(t, err)[tc.field], created[tc.field])
		})
	}

	t.Run("left out takes the defaults", func(t *testing.T) {
		tg, err := New(Spec{URL: "https://example.com/"}, lim)
		require.NoError(t, err)
		assert.Equal(t, []int{300, 10, 3, 2, 15, 90}, []int{tg.IntervalSeconds, tg.TimeoutSeconds, tg.FailureThreshold,
			tg.SuccessThreshold, tg.RetryDelaySeconds, tg.WakeTimeoutSeconds})
		assert.True(t, tg.DefaultName, "a name left out is the host's, for the store to make unique")
		named, err := New(Spec{URL: "https://example.com/", Name: new("shop")}, lim)
		require.NoError(t, err)
		assert.False(t, named.DefaultName)
	})
}

func TestTextRules(t *testing.T) {
	lim := Limits{}
	url := "https://example.com/"
	tests := []struct {
		name  string
		spec  Spec
		field string
	}{
		{"name with a bidi override", Spec{URL: url, Name: new("\u202eadmin")}, "name"},
		{"name of zero-width spaces", Spec{URL: url, Name: new("\u200b\u200b")}, "name"},
		{"name with invalid UTF-8", Spec{URL: url, Name: new("a\xffb")}, "name"},
		{"tag with a zero-width space", Spec{URL: url, Tags: []string{"pr\u200bod"}}, "tags"},
		{"tag with a bidi isolate", Spec{URL: url, Tags: []string{"a\u2066b"}}, "tags"},
		{"budget group with a control character", Spec{URL: url, BudgetGroup: "ws\x07"}, "budget_group"},
		{"budget group with a bidi override", Spec{URL: url, BudgetGroup: "\u202ews"}, "budget_group"},
		{"header value with DEL", Spec{URL: url, Headers: map[string]string{"X-A": "a\x7fb"}}, "headers"},
		{"header value with a bell", Spec{URL: url, Headers: map[string]string{"X-A": "a\ab"}}, "headers"},
		{"header value with invalid UTF-8", Spec{URL: url, Headers: map[string]string{"X-A": "a\xffb"}}, "headers"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.spec, lim)
			assert.Contains(t, fieldsOf(t, err), tc.field)
		})
	}
	tg, err := New(Spec{URL: url, Headers: map[string]string{"X-A": "a\tb é"}, Name: new("café 🚀"), Tags: []string{"東京"}}, lim)
	require.NoError(t, err, "a tab in a header value, and letters of any script, are fine")
	assert.Equal(t, "a\tb é", tg.Headers["X-A"])
}

func TestExpectedStatusIsNormalisedAndBounded(t *testing.T) {
	for in, want := range map[string]string{
		" 200 ":              "200",
		"200 - 299 , 404":    "200-299,404",
		"\t200-399\t,\t418 ": "200-399,418",
	} {
		tg, err := New(Spec{URL: "https://example.com/", ExpectedStatus: new(in)}, Limits{})
		require.NoError(t, err, in)
		assert.Equal(t, want, tg.ExpectedStatus, "%q", in)
	}
	tg, err := New(Spec{URL: "https://example.com/"}, Limits{})
	require.NoError(t, err)
	patched, err := Patch{ExpectedStatus: new(" 200 , 201 ")}.Apply(tg, Limits{})
	require.NoError(t, err)
	assert.Equal(t, "200,201", patched.ExpectedStatus, "PATCH normalises too")

	long := strings.Repeat("200,", 200_000) + "200"
	_, err = New(Spec{URL: "https://example.com/", ExpectedStatus: &long}, Limits{})
	assert.Contains(t, fieldsOf(t, err)["expected_status"], "100 characters")
	many := strings.TrimSuffix(strings.Repeat("200,", 21), ",")
	_, err = New(Spec{URL: "https://example.com/", ExpectedStatus: &many}, Limits{})
	assert.Contains(t, fieldsOf(t, err)["expected_status"], "20 entries")
	_, err = ParseStatusSet(long)
	assert.Error(t, err, "the one parser refuses it too")
}

// A keep-warm target left without an interval gets one derived from the settings in
// force, which its own validation accepts; when none fits, the error names the idle
// limit and says what would fit.
func TestKeepWarmIntervalFromSettingsInForce(t *testing.T) {
	presets := map[string]Preset{"render-free": {IdleTimeoutSeconds: 900, WakeTimeoutSeconds: 60}, "tiny": {IdleTimeoutSeconds: 20, WakeTimeoutSeconds: 30}}
	lim := Limits{MinIntervalSeconds: 1, Preset: func(k string) (Preset, bool) { p, ok := presets[k]; return p, ok }}
	on := true
	tests := []struct {
		name              string
		spec              Spec
		interval, timeout int
		errField, errText string
	}{
		{name: "idle 4 s with the defaults", spec: Spec{KeepWarm: &on, IdleTimeoutSeconds: new(4)},
			errField: "idle_timeout_seconds", errText: "at least 19 s"},
		{name: "idle 4 s without retries", spec: Spec{KeepWarm: &on, IdleTimeoutSeconds: new(4), Retries: new(0)},
			interval: 3, timeout: 1},
		{name: "idle 60 s with retries 0", spec: Spec{KeepWarm: &on, IdleTimeoutSeconds: new(60), Retries: new(0)},
			interval: 50, timeout: 10},
		{name: "idle 60 s with the defaults", spec: Spec{KeepWarm: &on, IdleTimeoutSeconds: new(60)},
			interval: 25, timeout: 10},
		{name: "idle 30 s: the default timeout shrinks to fit", spec: Spec{KeepWarm: &on, IdleTimeoutSeconds: new(30)},
			interval: 7, timeout: 4},
		{name: "an explicit timeout is kept", spec: Spec{KeepWarm: &on, IdleTimeoutSeconds: new(30), TimeoutSeconds: new(5)},
			errField: "idle_timeout_seconds", errText: "5 s timeout"},
		{name: "a platform preset", spec: Spec{Platform: "render-free"}, interval: 865, timeout: 10},
		{name: "a platform preset with retries 0", spec: Spec{Platform: "render-free", Retries: new(0)}, interval: 890, timeout: 10},
		{name: "a platform preset with a longer retry delay", spec: Spec{Platform: "render-free", RetryDelaySeconds: new(100)},
			interval: 780, timeout: 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.spec.URL = "https://svc.example.com/"
			tg, err := New(tc.spec, lim)
			if tc.errField != "" {
				fields := fieldsOf(t, err)
				require.Len(t, fields, 1, "only the field the client can act on: %v", fields)
				assert.Contains(t, fields[tc.errField], tc.errText)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.interval, tg.IntervalSeconds, "interval")
			assert.Equal(t, tc.timeout, tg.TimeoutSeconds, "timeout")
		})
	}

	t.Run("the minimum interval is part of what must fit", func(t *testing.T) {
		_, err := New(Spec{URL: "https://svc.example.com/", KeepWarm: &on, IdleTimeoutSeconds: new(60)}, Limits{MinIntervalSeconds: 30})
		assert.Contains(t, fieldsOf(t, err)["idle_timeout_seconds"], "at least 65 s")
	})

	plain, err := New(Spec{URL: "https://svc.example.com/", IntervalSeconds: new(600)}, lim)
	require.NoError(t, err)
	t.Run("PATCH changing the platform derives from the target's settings", func(t *testing.T) {
		got, err := Patch{Platform: new("render-free")}.Apply(plain, lim)
		require.NoError(t, err)
		assert.Equal(t, 865, got.IntervalSeconds)
	})
	t.Run("PATCH changing the platform and retries derives from the new retries", func(t *testing.T) {
		got, err := Patch{Platform: new("render-free"), Retries: new(0)}.Apply(plain, lim)
		require.NoError(t, err)
		assert.Equal(t, 890, got.IntervalSeconds)
	})
	t.Run("PATCH to a platform whose limit leaves no room names idle_timeout_seconds", func(t *testing.T) {
		_, err := Patch{Platform: new("tiny")}.Apply(plain, lim)
		fields := fieldsOf(t, err)
		assert.Contains(t, fields["idle_timeout_seconds"], "at least 46 s")
		assert.NotContains(t, fields, "timeout_seconds")
	})
	t.Run("PATCH changing retries alone keeps the interval", func(t *testing.T) {
		warm, err := Patch{Platform: new("render-free")}.Apply(plain, lim)
		require.NoError(t, err)
		got, err := Patch{Retries: new(0)}.Apply(warm, lim)
		require.NoError(t, err)
		assert.Equal(t, 865, got.IntervalSeconds)
	})
}
