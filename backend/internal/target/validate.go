package target

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
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
	// CheckHost refuses a URL host the outbound guard would never dial (a literal
	// loopback, private or metadata address). Nil accepts every host.
	CheckHost func(host string) error
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

// Spec is what a client asks for when it creates a target; zero values take defaults.
type Spec struct {
	Name              string
	URL               string
	Method            string
	Headers           map[string]string
	IntervalSeconds   int
	TimeoutSeconds    int
	ExpectedStatus    string
	Retries           *int
	RetryDelaySeconds int
	IsActive          *bool
	Tags              []string
	FailureThreshold  int
	SuccessThreshold  int
	Conditions        []Condition
	ChannelIDs        []int64
	// KeepWarm nil turns keep-warm on when Platform is set.
	KeepWarm           *bool
	Platform           string
	IdleTimeoutSeconds int
	WakeTimeoutSeconds int
	WarmWindows        []WarmWindow
	Timezone           string
	BudgetGroup        string
}

// Preset is what a platform preset fills in on a keep-warm target.
type Preset struct {
	// IdleTimeoutSeconds is 0 when the host's idle limit is not fixed or not known.
	IdleTimeoutSeconds int
	WakeTimeoutSeconds int
}

// New builds a target from a spec, filling defaults, and validates it.
func New(s Spec, lim Limits) (Target, error) {
	t := Target{
		Name:              strings.TrimSpace(s.Name),
		URL:               strings.TrimSpace(s.URL),
		Method:            strings.ToUpper(s.Method),
		Headers:           s.Headers,
		IntervalSeconds:   s.IntervalSeconds,
		TimeoutSeconds:    s.TimeoutSeconds,
		ExpectedStatus:    s.ExpectedStatus,
		Retries:           DefaultRetries,
		RetryDelaySeconds: s.RetryDelaySeconds,
		IsActive:          true,
		Tags:              s.Tags,
		FailureThreshold:  s.FailureThreshold,
		SuccessThreshold:  s.SuccessThreshold,
		Conditions:        s.Conditions,
		ChannelIDs:        s.ChannelIDs,
		LastStatus:        StatusUnknown,
	}
	if t.FailureThreshold == 0 {
		t.FailureThreshold = DefaultFailureThreshold
	}
	if t.SuccessThreshold == 0 {
		t.SuccessThreshold = DefaultSuccessThreshold
	}
	t.Platform = strings.TrimSpace(s.Platform)
	t.IdleTimeoutSeconds, t.WakeTimeoutSeconds = s.IdleTimeoutSeconds, s.WakeTimeoutSeconds
	t.WarmWindows, t.Timezone, t.BudgetGroup = s.WarmWindows, s.Timezone, strings.TrimSpace(s.BudgetGroup)
	t.KeepWarm = t.Platform != ""
	if s.KeepWarm != nil {
		t.KeepWarm = *s.KeepWarm
	}
	applyPreset(&t, lim, s.IdleTimeoutSeconds == 0, s.WakeTimeoutSeconds == 0)
	if t.KeepWarm && s.IntervalSeconds == 0 && t.IdleTimeoutSeconds > 0 {
		t.IntervalSeconds = keepWarmInterval(t)
	}
	if s.Retries != nil {
		t.Retries = *s.Retries
	}
	if s.IsActive != nil {
		t.IsActive = *s.IsActive
	}
	if t.Method == "" {
		t.Method = DefaultMethod
	}
	if t.IntervalSeconds == 0 {
		t.IntervalSeconds = DefaultIntervalSeconds
	}
	if t.TimeoutSeconds == 0 {
		// The default must not break "timeout below interval" for a short interval.
		t.TimeoutSeconds = max(1, min(DefaultTimeoutSeconds, t.IntervalSeconds-1))
	}
	if t.ExpectedStatus == "" {
		t.ExpectedStatus = DefaultExpectedStatus
	}
	if t.RetryDelaySeconds == 0 {
		t.RetryDelaySeconds = DefaultRetryDelaySeconds
	}
	if t.Name == "" {
		if u, err := url.Parse(t.URL); err == nil {
			t.Name = u.Hostname()
		}
	}
	t.normalize()
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
	if p.Platform != nil && strings.TrimSpace(*p.Platform) != t.Platform {
		// A new platform fills what the patch does not set itself, and turns
		// keep-warm on unless the patch says otherwise.
		t.Platform = strings.TrimSpace(*p.Platform)
		if p.KeepWarm == nil && t.Platform != "" {
			t.KeepWarm = true
		}
		applyPreset(&t, lim, p.IdleTimeoutSeconds == nil, p.WakeTimeoutSeconds == nil)
		if t.KeepWarm && p.IntervalSeconds == nil && t.IdleTimeoutSeconds > 0 {
			t.IntervalSeconds = keepWarmInterval(t)
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
// where the request left them out, and the wake timeout's default where no preset
// gives one. An unknown platform is left for Validate to report.
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
	if t.WakeTimeoutSeconds == 0 {
		t.WakeTimeoutSeconds = DefaultWakeTimeoutSeconds
	}
}

// keepWarmInterval is the interval a keep-warm target gets when it asks for none: the
// longest that leaves room for a failed attempt and a retry before the host's idle
// limit.
func keepWarmInterval(t Target) int {
	timeout, delay := t.TimeoutSeconds, t.RetryDelaySeconds
	if timeout == 0 {
		timeout = DefaultTimeoutSeconds
	}
	if delay == 0 {
		delay = DefaultRetryDelaySeconds
	}
	n, _ := DefaultKeepWarmInterval(t.IdleTimeoutSeconds, timeout, delay)
	return n
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// normalize puts equivalent inputs in one form: tags trimmed, sorted and unique, and
// empty collections non-nil so they serialize as [] and {}.
func (t *Target) normalize() {
	tags := make([]string, 0, len(t.Tags))
	for _, tag := range t.Tags {
		if tag = strings.TrimSpace(tag); tag != "" {
			tags = append(tags, tag)
		}
	}
	slices.Sort(tags)
	t.Tags = slices.Compact(tags)
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
	} else if len(t.Name) > maxNameLen {
		v.add("name", "must be at most %d characters", maxNameLen)
	} else if strings.IndexFunc(t.Name, unicode.IsControl) >= 0 || !utf8.ValidString(t.Name) {
		v.add("name", "must be printable text")
	}
	validateURL(&v, t.URL, lim)
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
		if len(tag) > maxTagLen || strings.IndexFunc(tag, unicode.IsControl) >= 0 {
			v.add("tags", "each tag must be at most %d printable characters", maxTagLen)
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
	validateConditions(&v, t.Conditions)
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
	if len(t.BudgetGroup) > maxBudgetGroupLen || strings.IndexFunc(t.BudgetGroup, unicode.IsControl) >= 0 {
		v.add("budget_group", "must be at most %d printable characters", maxBudgetGroupLen)
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
	if lim.CheckHost != nil {
		if err := lim.CheckHost(u.Hostname()); err != nil {
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
		} else if strings.ContainsAny(value, "\r\n\x00") || len(value) > maxHeaderValueLen {
			v.add("headers", "value of %q must be one line of at most %d characters", name, maxHeaderValueLen)
		}
	}
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
