package target

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/watchdog-monitor/watchdog/backend/internal/text"
)

// FieldError says what is wrong with one field of a request, by its JSON name.
type FieldError struct {
	Field   string
	Message string
}

// ValidationError lists every field of a target that breaks a rule.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return "invalid target: " + strings.Join(parts, "; ")
}

func (e *ValidationError) add(field, format string, args ...any) {
	e.Fields = append(e.Fields, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Limits are the operator's bounds on what a target may ask for.
type Limits struct {
	MinIntervalSeconds int
	// Preset looks up a keep-warm platform preset by key; nil knows none.
	Preset func(key string) (Preset, bool)
	// CheckURL refuses a URL the outbound guard would never send to: a host that is a
	// literal loopback, private or metadata address (in any form, 127.1 included), or a
	// port outside 1-65535. Nil accepts every URL.
	CheckURL func(u *url.URL) error
}

// Methods are the HTTP methods a check may use.
var Methods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

const (
	maxNameLen        = 200
	maxURLLen         = 2048
	maxHeaders        = 50
	maxHeaderValueLen = 4096
	maxTags           = 20
	maxTagLen         = 50
	maxTimeoutSeconds = 300
	maxRetries        = 10
	maxRetryDelay     = 3600
	maxChannels       = 50
)

// Spec is what a client asks for when it creates a target. A nil field was left out
// and takes its default; a field that is set is validated as it is, so an explicit 0 or
// "" is refused with the field's own rule rather than replaced by the default.
type Spec struct {
	// Name nil defaults to the URL's host, made unique by the store.
	Name              *string
	URL               string
	Method            *string
	Headers           map[string]string
	IntervalSeconds   *int
	TimeoutSeconds    *int
	ExpectedStatus    *string
	Retries           *int
	RetryDelaySeconds *int
	IsActive          *bool
	Tags              []string
	FailureThreshold  *int
	SuccessThreshold  *int
	Conditions        []Condition
	ChannelIDs        []int64
	// KeepWarm nil turns keep-warm on when Platform is set.
	KeepWarm           *bool
	Platform           string
	IdleTimeoutSeconds *int
	WakeTimeoutSeconds *int
	WarmWindows        []WarmWindow
	Timezone           string
	BudgetGroup        string
	// Type nil is http.
	Type             *Type
	CertExpiryDays   *int
	TLSCAPEM         string
	TLSClientCertPEM string
	TLSClientKeyPEM  string
	TLSSkipVerify    *bool
	PeriodSeconds    *int
	GraceSeconds     *int
	Cron             string
	Impersonate      *Impersonation
}

// Preset is what a platform preset fills in on a keep-warm target.
type Preset struct {
	// IdleTimeoutSeconds is 0 when the host's idle limit is not fixed or not known.
	IdleTimeoutSeconds int
	WakeTimeoutSeconds int
}

// New builds a target from a spec, filling defaults for the fields left out, and
// validates it.
func New(s Spec, lim Limits) (Target, error) {
	t := Target{
		URL:               strings.TrimSpace(s.URL),
		Method:            DefaultMethod,
		Headers:           s.Headers,
		ExpectedStatus:    DefaultExpectedStatus,
		Retries:           DefaultRetries,
		RetryDelaySeconds: DefaultRetryDelaySeconds,
		IsActive:          true,
		Tags:              s.Tags,
		FailureThreshold:  DefaultFailureThreshold,
		SuccessThreshold:  DefaultSuccessThreshold,
		Conditions:        s.Conditions,
		ChannelIDs:        s.ChannelIDs,
		LastStatus:        StatusUnknown,
		Type:              TypeHTTP,
		CertExpiryDays:    DefaultCertExpiryDays,
		PeriodSeconds:     DefaultPeriodSeconds,
		GraceSeconds:      DefaultGraceSeconds,
		TLSCAPEM:          s.TLSCAPEM,
		TLSClientCertPEM:  s.TLSClientCertPEM,
		TLSClientKeyPEM:   s.TLSClientKeyPEM,
		Cron:              strings.TrimSpace(s.Cron),
	}
	set(&t.Type, s.Type)
	t.FailureThreshold, t.SuccessThreshold, t.Retries = alertDefaults(t.Type)
	set(&t.CertExpiryDays, s.CertExpiryDays)
	set(&t.TLSSkipVerify, s.TLSSkipVerify)
	set(&t.Impersonate, s.Impersonate)
	set(&t.PeriodSeconds, s.PeriodSeconds)
	set(&t.GraceSeconds, s.GraceSeconds)
	set(&t.Name, s.Name)
	set(&t.Method, s.Method)
	set(&t.IntervalSeconds, s.IntervalSeconds)
	set(&t.TimeoutSeconds, s.TimeoutSeconds)
	set(&t.ExpectedStatus, s.ExpectedStatus)
	set(&t.Retries, s.Retries)
	set(&t.RetryDelaySeconds, s.RetryDelaySeconds)
	set(&t.IsActive, s.IsActive)
	set(&t.FailureThreshold, s.FailureThreshold)
	set(&t.SuccessThreshold, s.SuccessThreshold)
	set(&t.IdleTimeoutSeconds, s.IdleTimeoutSeconds)
	set(&t.WakeTimeoutSeconds, s.WakeTimeoutSeconds)
	t.Name = strings.TrimSpace(t.Name)
	t.Method = strings.ToUpper(t.Method)
	t.Platform = strings.TrimSpace(s.Platform)
	t.WarmWindows, t.Timezone, t.BudgetGroup = s.WarmWindows, s.Timezone, strings.TrimSpace(s.BudgetGroup)
	t.KeepWarm = t.Platform != ""
	set(&t.KeepWarm, s.KeepWarm)
	applyPreset(&t, lim, s.IdleTimeoutSeconds == nil, s.WakeTimeoutSeconds == nil)
	// The interval and timeout come last: a keep-warm target's interval is derived from
	// everything else in force, and a default timeout must fit the interval it gets.
	var planErr *FieldError
	switch {
	case s.IntervalSeconds == nil && t.KeepWarm && t.IdleTimeoutSeconds > 0:
		planErr = planKeepWarm(&t, lim, s.TimeoutSeconds == nil)
	case s.IntervalSeconds == nil:
		t.IntervalSeconds = DefaultIntervalSeconds
		fallthrough
	default:
		if s.TimeoutSeconds == nil {
			// The default must not break "timeout below interval" for a short interval.
			t.TimeoutSeconds = max(1, min(DefaultTimeoutSeconds, t.IntervalSeconds-1))
		}
	}
	if s.Name == nil {
		t.DefaultName = true
		t.Name = t.defaultName()
	}
	t.normalize()
	if planErr != nil {
		// Validate would only say that the interval it was given does not fit; what the
		// client can change is the idle limit or the settings that make the check long.
		return t, &ValidationError{Fields: []FieldError{*planErr}}
	}
	return t, t.Validate(lim)
}

// Patch is a partial update: nil fields stay as they are. Headers replaces the plain
// headers and keeps the credential headers it leaves out (see MergeHeaders).
type Patch struct {
	Name               *string
	URL                *string
	Method             *string
	Headers            *map[string]string
	IntervalSeconds    *int
	TimeoutSeconds     *int
	ExpectedStatus     *string
	Retries            *int
	RetryDelaySeconds  *int
	IsActive           *bool
	Tags               *[]string
	FailureThreshold   *int
	SuccessThreshold   *int
	Conditions         *[]Condition
	ChannelIDs         *[]int64
	KeepWarm           *bool
	Platform           *string
	IdleTimeoutSeconds *int
	WakeTimeoutSeconds *int
	WarmWindows        *[]WarmWindow
	Timezone           *string
	BudgetGroup        *string
	Type               *Type
	CertExpiryDays     *int
	TLSCAPEM           *string
	TLSClientCertPEM   *string
	// TLSClientKeyPEM is write-only: nil keeps the key the target has.
	TLSClientKeyPEM *string
	TLSSkipVerify   *bool
	PeriodSeconds   *int
	GraceSeconds    *int
	Cron            *string
	Impersonate     *Impersonation
}

// Apply returns the target with the patch applied and validated.
func (p Patch) Apply(t Target, lim Limits) (Target, error) {
	set(&t.Name, p.Name)
	set(&t.URL, p.URL)
	set(&t.Method, p.Method)
	if p.Headers != nil {
		t.Headers = MergeHeaders(t.Headers, *p.Headers)
	}
	set(&t.IntervalSeconds, p.IntervalSeconds)
	set(&t.TimeoutSeconds, p.TimeoutSeconds)
	set(&t.ExpectedStatus, p.ExpectedStatus)
	set(&t.Retries, p.Retries)
	set(&t.RetryDelaySeconds, p.RetryDelaySeconds)
	set(&t.IsActive, p.IsActive)
	set(&t.Tags, p.Tags)
	set(&t.FailureThreshold, p.FailureThreshold)
	set(&t.SuccessThreshold, p.SuccessThreshold)
	set(&t.Conditions, p.Conditions)
	set(&t.ChannelIDs, p.ChannelIDs)
	set(&t.KeepWarm, p.KeepWarm)
	set(&t.IdleTimeoutSeconds, p.IdleTimeoutSeconds)
	set(&t.WakeTimeoutSeconds, p.WakeTimeoutSeconds)
	set(&t.WarmWindows, p.WarmWindows)
	set(&t.Timezone, p.Timezone)
	set(&t.BudgetGroup, p.BudgetGroup)
	if t.Type == "" {
		t.Type = TypeHTTP // a target from before types
	}
	if p.Type != nil && *p.Type != t.Type {
		from := t.Type
		t.Type = *p.Type
		t.resetUnusedSettings(from, p)
	}
	set(&t.CertExpiryDays, p.CertExpiryDays)
	set(&t.TLSCAPEM, p.TLSCAPEM)
	set(&t.TLSClientCertPEM, p.TLSClientCertPEM)
	set(&t.TLSClientKeyPEM, p.TLSClientKeyPEM)
	set(&t.TLSSkipVerify, p.TLSSkipVerify)
	set(&t.Impersonate, p.Impersonate)
	set(&t.PeriodSeconds, p.PeriodSeconds)
	set(&t.GraceSeconds, p.GraceSeconds)
	set(&t.Cron, p.Cron)
	t.Cron = strings.TrimSpace(t.Cron)
	if p.Platform != nil && strings.TrimSpace(*p.Platform) != t.Platform {
		// A new platform fills what the patch does not set itself, and turns
		// keep-warm on unless the patch says otherwise.
		t.Platform = strings.TrimSpace(*p.Platform)
		if p.KeepWarm == nil && t.Platform != "" {
			t.KeepWarm = true
		}
		applyPreset(&t, lim, p.IdleTimeoutSeconds == nil, p.WakeTimeoutSeconds == nil)
		if t.KeepWarm && p.IntervalSeconds == nil && t.IdleTimeoutSeconds > 0 {
			// The timeout in force is the target's (or the patch's): only the interval is
			// derived, from the settings the patched target will have.
			if planErr := planKeepWarm(&t, lim, false); planErr != nil {
				return t, &ValidationError{Fields: []FieldError{*planErr}}
			}
		}
	}
	t.BudgetGroup = strings.TrimSpace(t.BudgetGroup)
	t.Name = strings.TrimSpace(t.Name)
	t.URL = strings.TrimSpace(t.URL)
	t.Method = strings.ToUpper(t.Method)
	t.normalize()
	return t, t.Validate(lim)
}

// applyPreset fills a target's idle limit and wake timeout from its platform's preset
// where the request left them out, and the wake timeout's default where it was left out
// and no preset gives one (an explicit 0 is left for Validate to refuse). An unknown platform is left for Validate to report.
func applyPreset(t *Target, lim Limits, fillIdle, fillWake bool) {
	if t.Platform != "" && lim.Preset != nil {
		if p, ok := lim.Preset(t.Platform); ok {
			if fillIdle {
				t.IdleTimeoutSeconds = p.IdleTimeoutSeconds
			}
			if fillWake {
				t.WakeTimeoutSeconds = p.WakeTimeoutSeconds
			}
		}
	}
	if fillWake && t.WakeTimeoutSeconds == 0 {
		t.WakeTimeoutSeconds = DefaultWakeTimeoutSeconds
	}
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// normalize puts equivalent inputs in one form: tags trimmed, sorted and unique, and
// empty collections non-nil so they serialize as [] and {}.
func (t *Target) normalize() {
	// Only a heartbeat has a ping URL; it gets one when it becomes a heartbeat.
	if t.Type != TypeHeartbeat {
		t.PingToken = ""
	} else if t.PingToken == "" {
		t.PingToken = NewPingToken()
	}
	tags := make([]string, 0, len(t.Tags))
	for _, tag := range t.Tags {
		if tag = strings.TrimSpace(tag); tag != "" {
			tags = append(tags, tag)
		}
	}
	slices.Sort(tags)
	t.Tags = slices.Compact(tags)
	t.ExpectedStatus = NormalizeStatusSet(t.ExpectedStatus)
	if t.Headers == nil {
		t.Headers = map[string]string{}
	}
	if t.Conditions == nil {
		t.Conditions = []Condition{}
	}
	if t.WarmWindows == nil {
		t.WarmWindows = []WarmWindow{}
	}
	if t.Timezone == "" {
		t.Timezone = "UTC"
	}
	ids := slices.Clone(t.ChannelIDs)
	slices.Sort(ids)
	t.ChannelIDs = slices.Compact(ids)
	if t.ChannelIDs == nil {
		t.ChannelIDs = []int64{}
	}
}

// Validate checks every rule and reports all broken ones at once.
func (t Target) Validate(lim Limits) error {
	var v ValidationError
	if t.Name == "" {
		v.add("name", "is required")
	} else if msg := text.Line(t.Name, maxNameLen); msg != "" {
		v.add("name", "%s", msg)
	}
	validateType(&v, t, lim)
	if !slices.Contains(Methods, t.Method) {
		v.add("method", "must be one of %s", strings.Join(Methods, ", "))
	}
	validateHeaders(&v, t.Headers)
	minInterval := max(1, lim.MinIntervalSeconds)
	if t.IntervalSeconds < minInterval || t.IntervalSeconds > MaxIntervalSeconds {
		v.add("interval_seconds", "must be between %d and %d", minInterval, MaxIntervalSeconds)
	}
	switch {
	case t.TimeoutSeconds < 1 || t.TimeoutSeconds > maxTimeoutSeconds:
		v.add("timeout_seconds", "must be between 1 and %d", maxTimeoutSeconds)
	case t.TimeoutSeconds >= t.IntervalSeconds:
		v.add("timeout_seconds", "must be less than interval_seconds (%d)", t.IntervalSeconds)
	}
	if _, err := ParseStatusSet(t.ExpectedStatus); err != nil {
		v.add("expected_status", "must be codes or ranges such as 200-399,418: %v", err)
	}
	if t.Retries < 0 || t.Retries > maxRetries {
		v.add("retries", "must be between 0 and %d", maxRetries)
	}
	if t.RetryDelaySeconds < 1 || t.RetryDelaySeconds > maxRetryDelay {
		v.add("retry_delay_seconds", "must be between 1 and %d", maxRetryDelay)
	}
	if len(t.Tags) > maxTags {
		v.add("tags", "must have at most %d entries", maxTags)
	}
	for _, tag := range t.Tags {
		if msg := text.Line(tag, maxTagLen); msg != "" {
			v.add("tags", "tag %q %s", tag, msg)
			break
		}
	}
	if t.FailureThreshold < 1 || t.FailureThreshold > MaxThreshold {
		v.add("failure_threshold", "must be between 1 and %d", MaxThreshold)
	}
	if t.SuccessThreshold < 1 || t.SuccessThreshold > MaxThreshold {
		v.add("success_threshold", "must be between 1 and %d", MaxThreshold)
	}
	validateKeepWarm(&v, t, lim)
	if len(t.ChannelIDs) > maxChannels {
		v.add("channel_ids", "must have at most %d entries", maxChannels)
	}
	for _, id := range t.ChannelIDs {
		if id < 1 {
			v.add("channel_ids", "must be channel ids")
			break
		}
	}
	validateConditions(&v, t.Type, t.Conditions)
	if len(v.Fields) > 0 {
		return &v
	}
	return nil
}

// maxBudgetGroupLen bounds a budget group's label.
const maxBudgetGroupLen = 100

// validateKeepWarm checks the keep-warm fields: a known platform, an idle limit when
// keep-warm is on, an interval below it, windows that parse in a known time zone.
func validateKeepWarm(v *ValidationError, t Target, lim Limits) {
	if t.Platform != "" {
		known := false
		if lim.Preset != nil {
			_, known = lim.Preset(t.Platform)
		}
		if !known {
			v.add("platform", "is not a known platform (see GET /api/v1/platforms)")
		}
	}
	if t.IdleTimeoutSeconds < 0 || t.IdleTimeoutSeconds > 30*86400 {
		v.add("idle_timeout_seconds", "must be between 1 and %d", 30*86400)
	}
	if t.WakeTimeoutSeconds < 1 || t.WakeTimeoutSeconds > MaxWakeTimeoutSeconds {
		v.add("wake_timeout_seconds", "must be between 1 and %d", MaxWakeTimeoutSeconds)
	}
	if t.KeepWarm {
		switch {
		case t.IdleTimeoutSeconds == 0:
			v.add("idle_timeout_seconds", "is required when keep_warm is on and the platform does not give it")
		case t.IntervalSeconds >= t.IdleTimeoutSeconds:
			v.add("interval_seconds", "must be below idle_timeout_seconds (%d): a longer wait lets the service fall asleep", t.IdleTimeoutSeconds)
		}
	}
	if _, errs := ParseSchedule(t.WarmWindows, t.Timezone); len(errs) > 0 {
		v.Fields = append(v.Fields, errs...)
	}
	if msg := text.Line(t.BudgetGroup, maxBudgetGroupLen); msg != "" {
		v.add("budget_group", "%s", msg)
	}
}

func validateURL(v *ValidationError, raw string, lim Limits) {
	if raw == "" {
		v.add("url", "is required")
		return
	}
	if len(raw) > maxURLLen {
		v.add("url", "must be at most %d characters", maxURLLen)
		return
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		v.add("url", "must be an absolute http or https URL")
		return
	}
	if u.User != nil {
		v.add("url", "must not carry credentials; send them in headers")
		return
	}
	if lim.CheckURL != nil {
		if err := lim.CheckURL(u); err != nil {
			v.add("url", "%v", err)
		}
	}
}

func validateHeaders(v *ValidationError, headers map[string]string) {
	if len(headers) > maxHeaders {
		v.add("headers", "must have at most %d entries", maxHeaders)
		return
	}
	for _, name := range slices.Sorted(maps.Keys(headers)) {
		value := headers[name]
		if !isToken(name) {
			v.add("headers", "%q is not a valid header name", name)
		} else if !validHeaderValue(value) || len(value) > maxHeaderValueLen {
			v.add("headers", "value of %q must be one line of at most %d characters, valid UTF-8 with no control characters but tab", name, maxHeaderValueLen)
		}
	}
}

// validHeaderValue reports whether s may be sent as a header value: RFC 9110 allows
// visible characters, spaces and tabs, and no other control character (DEL included);
// Go's client refuses such a value on every request, so it is refused when stored.
func validHeaderValue(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r != '\t' && unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// isToken reports whether s is an HTTP token (RFC 9110 section 5.6.2), the only thing
// allowed in a header name.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("!#$%&'*+-.^_`|~", r)) {
			return false
		}
	}
	return true
}
