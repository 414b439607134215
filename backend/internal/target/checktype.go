package target

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// The rules of a target's type: its URL's form and the settings only some types have.
// Settings a type has no use for must be left at their defaults, so that a request
// that sets one learns it does nothing instead of having it silently ignored.

// defaultName is the name a target gets when none is given: the URL's host, the name
// a dns check asks for, or "heartbeat". The store makes it unique.
func (t Target) defaultName() string {
	switch t.Type {
	case TypeHeartbeat:
		return string(TypeHeartbeat)
	case TypeDNS:
		if e, err := ParseEndpoint(t.Type, t.URL); err == nil {
			return e.Name
		}
	}
	if u, err := url.Parse(t.URL); err == nil {
		return u.Hostname()
	}
	return ""
}

// HTTPS reports whether t is an http target on https, which has a certificate.
func (t Target) HTTPS() bool {
	return t.Type == TypeHTTP && strings.HasPrefix(strings.ToLower(t.URL), "https:")
}

// HasCertificate reports whether t's checks see a server certificate: https and tls.
func (t Target) HasCertificate() bool { return t.HTTPS() || t.Type == TypeTLS }

// alertDefaults are a type's default thresholds and retries. A heartbeat's missed
// deadline is the outage itself and its next ping ends it, as Healthchecks has it;
// nothing is retried, as nothing is sent.
func alertDefaults(typ Type) (failureThreshold, successThreshold, retries int) {
	if typ == TypeHeartbeat {
		return 1, 1, 0
	}
	return DefaultFailureThreshold, DefaultSuccessThreshold, DefaultRetries
}

// resetUnusedSettings returns the settings t's new type has no use for to their
// defaults, so that changing a target's type takes one field (and its url), not a
// list of the old type's settings to clear. A setting p itself sends is left for
// Validate to judge.
func (t *Target) resetUnusedSettings(from Type, p Patch) {
	// A heartbeat's defaults differ (see New): a type change into or out of it takes
	// the new type's, for what the patch does not set.
	if (from == TypeHeartbeat) != (t.Type == TypeHeartbeat) {
		fail, success, retries := alertDefaults(t.Type)
		if p.FailureThreshold == nil {
			t.FailureThreshold = fail
		}
		if p.SuccessThreshold == nil {
			t.SuccessThreshold = success
		}
		if p.Retries == nil {
			t.Retries = retries
		}
	}
	if t.Type != TypeHTTP {
		if p.Method == nil {
			t.Method = DefaultMethod
		}
		if p.ExpectedStatus == nil {
			t.ExpectedStatus = DefaultExpectedStatus
		}
		if p.Headers == nil {
			t.Headers = map[string]string{}
		}
		if p.KeepWarm == nil {
			t.KeepWarm = false
		}
		if p.Platform == nil {
			t.Platform = ""
		}
		if p.Impersonate == nil {
			t.Impersonate = ImpersonateNone
		}
	}
	if p.Conditions == nil {
		kept := []Condition{}
		for _, c := range t.Conditions {
			if ConditionAllowed(t.Type, c.Type) {
				kept = append(kept, c)
			}
		}
		t.Conditions = kept
	}
	if t.Type == TypeHeartbeat && p.URL == nil {
		t.URL = ""
	}
	if t.Type != TypeHeartbeat {
		if p.PeriodSeconds == nil {
			t.PeriodSeconds = DefaultPeriodSeconds
		}
		if p.GraceSeconds == nil {
			t.GraceSeconds = DefaultGraceSeconds
		}
		if p.Cron == nil {
			t.Cron = ""
		}
	}
	if !t.HasCertificate() {
		if p.CertExpiryDays == nil {
			t.CertExpiryDays = DefaultCertExpiryDays
		}
		if p.TLSCAPEM == nil {
			t.TLSCAPEM = ""
		}
		if p.TLSClientCertPEM == nil {
			t.TLSClientCertPEM = ""
		}
		if p.TLSClientKeyPEM == nil {
			t.TLSClientKeyPEM = ""
		}
		if p.TLSSkipVerify == nil {
			t.TLSSkipVerify = false
		}
	}
}

// validateType checks the type, the URL in the type's form, and that settings of
// other types are left alone.
func validateType(v *ValidationError, t Target, lim Limits) {
	if !slices.Contains(Types, t.Type) {
		names := make([]string, len(Types))
		for i, typ := range Types {
			names[i] = string(typ)
		}
		v.add("type", "must be one of %s", strings.Join(names, ", "))
		return
	}
	switch t.Type {
	case TypeHTTP:
		validateURL(v, t.URL, lim)
	case TypeHeartbeat:
		if t.URL != "" {
			v.add("url", "must be left out: a heartbeat is pinged at its ping_url, it pings nothing")
		}
		validateHeartbeat(v, t, lim)
	default:
		validateEndpoint(v, t, lim)
	}
	if t.Type != TypeHTTP {
		onlyHTTP := func(field string, isDefault bool) {
			if !isDefault {
				v.add(field, "applies to http targets only")
			}
		}
		onlyHTTP("method", t.Method == DefaultMethod)
		onlyHTTP("expected_status", t.ExpectedStatus == DefaultExpectedStatus)
		onlyHTTP("headers", len(t.Headers) == 0)
		// Keep-warm sends requests a sleeping web service counts as activity.
		onlyHTTP("keep_warm", !t.KeepWarm)
		onlyHTTP("platform", t.Platform == "")
		onlyHTTP("impersonate", t.Impersonate == ImpersonateNone)
	}
	if !slices.Contains(Impersonations, t.Impersonate) {
		v.add("impersonate", "must be one of \"\" (no browser), chrome, firefox or safari")
	}
	if t.Type != TypeHeartbeat {
		onlyHeartbeat := func(field string, isDefault bool) {
			if !isDefault {
				v.add(field, "applies to heartbeat targets only")
			}
		}
		onlyHeartbeat("period_seconds", t.PeriodSeconds == DefaultPeriodSeconds)
		onlyHeartbeat("grace_seconds", t.GraceSeconds == DefaultGraceSeconds)
		onlyHeartbeat("cron", t.Cron == "")
	}
	if !t.HasCertificate() {
		if t.CertExpiryDays != DefaultCertExpiryDays {
			v.add("cert_expiry_days", "applies to https and tls targets only")
		}
		for _, f := range []struct {
			field string
			set   bool
		}{
			{"tls_ca_pem", t.TLSCAPEM != ""}, {"tls_client_cert_pem", t.TLSClientCertPEM != ""},
			{"tls_client_key_pem", t.TLSClientKeyPEM != ""}, {"tls_skip_verify", t.TLSSkipVerify},
		} {
			if f.set {
				v.add(f.field, "applies to https and tls targets only")
			}
		}
	}
	if t.HasCertificate() {
		v.Fields = append(v.Fields, ValidateTLSPEM(t.TLSCAPEM, t.TLSClientCertPEM, t.TLSClientKeyPEM)...)
	} else if t.Type == TypeHTTP {
		for i, c := range t.Conditions {
			if c.Type == ConditionCertDays {
				v.add(fmt.Sprintf("conditions[%d].type", i), "needs an https url: plain http has no certificate")
			}
		}
	}
	if t.HasCertificate() && (t.CertExpiryDays < 0 || t.CertExpiryDays > MaxCertExpiryDays) {
		v.add("cert_expiry_days", "must be between 0 (off) and %d", MaxCertExpiryDays)
	}
}

// validateEndpoint checks a tcp, tls, dns or icmp URL, and refuses a host (a dns
// check's resolver) the outbound guard would never reach, as for http.
func validateEndpoint(v *ValidationError, t Target, lim Limits) {
	if t.URL == "" {
		v.add("url", "is required (%s)", formOf(t.Type))
		return
	}
	if len(t.URL) > maxURLLen {
		v.add("url", "must be at most %d characters", maxURLLen)
		return
	}
	e, err := ParseEndpoint(t.Type, t.URL)
	if err != nil {
		v.add("url", "%v", err)
		return
	}
	if e.Host == "" || lim.CheckURL == nil {
		// A dns check without a resolver asks the system's, the operator's own.
		return
	}
	u, err := url.Parse(t.URL)
	if err != nil {
		return
	}
	if err := lim.CheckURL(u); err != nil {
		v.add("url", "%v", err)
	}
}

// Bounds of a heartbeat's schedule: a period of at least the operator's minimum
// interval, at most a year; grace from a minute (MinGraceSeconds) to a week.
const (
	MaxPeriodSeconds = 365 * 86400
	MaxGraceSeconds  = 7 * 86400
	maxCronLen       = 100
)

// MinGraceSeconds is the least grace a heartbeat may have: a minute, as Healthchecks
// has it, since with a cron schedule a grace of 0 makes the deadline the run's own
// time and a job that pings a second late fails every run. A server whose checks are
// scaled down (MIN_INTERVAL_SECONDS under a minute, in tests) allows that instead.
func MinGraceSeconds(lim Limits) int {
	if lim.MinIntervalSeconds > 0 {
		return min(60, lim.MinIntervalSeconds)
	}
	return 60
}

func validateHeartbeat(v *ValidationError, t Target, lim Limits) {
	minPeriod := max(1, lim.MinIntervalSeconds)
	if t.PeriodSeconds < minPeriod || t.PeriodSeconds > MaxPeriodSeconds {
		v.add("period_seconds", "must be between %d and %d", minPeriod, MaxPeriodSeconds)
	}
	if minGrace := MinGraceSeconds(lim); t.GraceSeconds < minGrace || t.GraceSeconds > MaxGraceSeconds {
		v.add("grace_seconds", "must be between %d and %d (at least a minute, or MIN_INTERVAL_SECONDS when lower)", minGrace, MaxGraceSeconds)
	}
	if len(t.Cron) > maxCronLen {
		v.add("cron", "must be at most %d characters", maxCronLen)
		return
	}
	v.Fields = append(v.Fields, ValidateHeartbeat(t)...)
}

// CertExpiring reports whether a certificate that expires at expires is within days
// of its end at now: the target's cert_expiry incident should be open. days 0 is off.
func CertExpiring(expires time.Time, days int, now time.Time) bool {
	return days > 0 && expires.Sub(now) < time.Duration(days)*24*time.Hour
}

// PingPath is where a heartbeat with token is pinged, from the server's root.
func PingPath(token string) string { return "/api/v1/ping/" + token }

// CertWatchEnds says whether an update from before to after ends what the certificate
// warning knew: it ends when the target no longer has a certificate, its address
// changed, or the warning was turned off; the date seen is forgotten too unless only
// the warning was turned off.
func CertWatchEnds(before, after Target) (ends, forgetDate bool) {
	moved := !after.HasCertificate() || after.URL != before.URL || after.Type != before.Type
	return moved || after.CertExpiryDays == 0, moved
}
