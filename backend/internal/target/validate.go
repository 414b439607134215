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

// Patch is a partial update: nil fields stay as they are.
type Patch struct {
	Name              *string
	URL               *string
	Method            *string
	Headers           *map[string]string
	IntervalSeconds   *int
	TimeoutSeconds    *int
	ExpectedStatus    *string
	Retries           *int
	RetryDelaySeconds *int
	IsActive          *bool
	Tags              *[]string
	FailureThreshold  *int
	SuccessThreshold  *int
	Conditions        *[]Condition
	ChannelIDs        *[]int64
}

// Apply returns the target with the patch applied and validated.
func (p Patch) Apply(t Target, lim Limits) (Target, error) {
	set(&t.Name, p.Name)
	set(&t.URL, p.URL)
	set(&t.Method, p.Method)
	set(&t.Headers, p.Headers)
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
	t.Name = strings.TrimSpace(t.Name)
	t.URL = strings.TrimSpace(t.URL)
	t.Method = strings.ToUpper(t.Method)
	t.normalize()
	return t, t.Validate(lim)
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
