package httpapi

import (
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/account"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// The request and response bodies of API v1. Their JSON names are the contract in
// DESIGN.md; the `// @name` comments give the OpenAPI schemas plain names.

// Target is a monitored URL with its settings and latest state.
type Target struct {
	ID   int64  `json:"id" validate:"required" example:"1"`
	Name string `json:"name" validate:"required" example:"shop-api"`
	// Type is the kind of check: http, tcp, tls, dns, icmp or heartbeat.
	Type string `json:"type" validate:"required" enums:"http,tcp,tls,dns,icmp,heartbeat" example:"http"`
	// URL is where the check goes, in its type's form: https://…, tcp://host:port,
	// tls://host:port, dns://resolver:53/name?type=A, icmp://host; "" for a heartbeat.
	URL    string `json:"url" validate:"required" example:"https://shop.example.com/health"`
	Method string `json:"method" validate:"required" enums:"GET,HEAD,POST,PUT,PATCH,DELETE,OPTIONS" example:"GET"`
	// Headers are the headers sent with each check, except credentials
	// (Authorization, Cookie, *Token*, *Key*, *Secret*, …): those are write-only.
	Headers map[string]string `json:"headers" validate:"required"`
	// SecretHeaders names, sorted, the credential headers that are set; their values
	// are never returned. A PATCH of headers keeps those it leaves out.
	SecretHeaders     []string `json:"secret_headers" validate:"required" readonly:"true" example:"Authorization"`
	IntervalSeconds   int      `json:"interval_seconds" validate:"required" example:"300"`
	TimeoutSeconds    int      `json:"timeout_seconds" validate:"required" example:"10"`
	ExpectedStatus    string   `json:"expected_status" validate:"required" example:"200-399"`
	Retries           int      `json:"retries" validate:"required" example:"3"`
	RetryDelaySeconds int      `json:"retry_delay_seconds" validate:"required" example:"15"`
	IsActive          bool     `json:"is_active" validate:"required" example:"true"`
	Tags              []string `json:"tags" validate:"required"`
	// FailureThreshold failed checks in a row open an incident and make the target down.
	FailureThreshold int `json:"failure_threshold" validate:"required" example:"3"`
	// SuccessThreshold successful checks in a row resolve it.
	SuccessThreshold int         `json:"success_threshold" validate:"required" example:"2"`
	Conditions       []Condition `json:"conditions" validate:"required"`
	// ChannelIDs are the notification channels told of this target's incidents.
	ChannelIDs []int64 `json:"channel_ids" validate:"required"`
	// KeepWarm: the service must not fall asleep; its interval is planned around
	// idle_timeout_seconds.
	KeepWarm bool `json:"keep_warm" validate:"required" example:"false"`
	// Platform is a preset key from GET /platforms, or "".
	Platform string `json:"platform" validate:"required" example:"render-free"`
	// IdleTimeoutSeconds is the host's idle limit; null when not known.
	IdleTimeoutSeconds *int `json:"idle_timeout_seconds" validate:"required" extensions:"x-nullable" example:"900"`
	// WakeTimeoutSeconds is how long an attempt that may find it asleep may take.
	WakeTimeoutSeconds int `json:"wake_timeout_seconds" validate:"required" example:"90"`
	// WarmWindows are when it must be awake, in timezone; [] means always.
	WarmWindows []WarmWindow `json:"warm_windows" validate:"required"`
	Timezone    string       `json:"timezone" validate:"required" example:"Europe/Berlin"`
	// BudgetGroup names the targets that share one pool of free hours.
	BudgetGroup string `json:"budget_group" validate:"required" example:"render-workspace"`
	// CertExpiryDays: a certificate (https and tls) expiring within this many days opens
	// a cert_expiry incident; 0 is off.
	CertExpiryDays int `json:"cert_expiry_days" validate:"required" example:"14"`
	// CertExpiresAt is when the certificate the last check saw expires; null before one
	// was seen and for types without one.
	CertExpiresAt *time.Time `json:"cert_expires_at" validate:"required" extensions:"x-nullable" format:"date-time" readonly:"true"`
	// TLSCAPEM is a CA certificate (PEM) trusted besides the system's, for https and tls.
	TLSCAPEM string `json:"tls_ca_pem" validate:"required" example:""`
	// TLSClientCertPEM is the client certificate (PEM) sent for mutual TLS.
	TLSClientCertPEM string `json:"tls_client_cert_pem" validate:"required" example:""`
	// TLSClientKeySet says a client key is set; the key itself is write-only.
	TLSClientKeySet bool `json:"tls_client_key_set" validate:"required" readonly:"true" example:"false"`
	// TLSSkipVerify accepts any certificate (self-signed internal services); the target
	// carries a warning while it is on.
	TLSSkipVerify bool `json:"tls_skip_verify" validate:"required" example:"false"`
	// Impersonate makes an http target's requests carry that browser's TLS ClientHello,
	// HTTP/2 settings and header order, for services behind bot walls that fingerprint
	// TLS; "" (the default) is Go's own TLS with browser-like headers.
	Impersonate string `json:"impersonate" validate:"required" enums:",chrome,firefox,safari" example:""`
	// PeriodSeconds and GraceSeconds: a heartbeat expects a ping every period, and
	// fails when none came by the last ping + period + grace.
	PeriodSeconds int `json:"period_seconds" validate:"required" example:"86400"`
	// GraceSeconds is how late a ping may come: at least 60 s, or MIN_INTERVAL_SECONDS
	// when that is lower.
	GraceSeconds int `json:"grace_seconds" validate:"required" example:"3600"`
	// Cron (five fields, in timezone), when set, replaces period_seconds: a ping is due
	// at each of its times, plus grace.
	Cron string `json:"cron" validate:"required" example:""`
	// PingURL is where a heartbeat's job reports (GET, HEAD or POST; /start, /fail and
	// /{exit-code} below it); null for other types, and for a caller below editor: it is
	// a credential. Regenerate it with POST /targets/{id}/ping-token.
	PingURL *string `json:"ping_url" validate:"required" extensions:"x-nullable" readonly:"true" example:"https://watchdog.example.com/api/v1/ping/Xb3…"`
	// LastPingAt is a heartbeat's last ping of any kind; null before the first.
	LastPingAt *time.Time `json:"last_ping_at" validate:"required" extensions:"x-nullable" format:"date-time" readonly:"true"`
	// Warnings say what the server noticed about the settings, e.g. that the platform
	// is not kept awake by HTTP pings.
	Warnings []string `json:"warnings" validate:"required"`
	// LastStatus is the confirmed state: it turns down after failure_threshold failed
	// checks in a row and up after success_threshold successes.
	LastStatus     string     `json:"last_status" validate:"required" enums:"up,down,unknown" example:"up"`
	LastCheckedAt  *time.Time `json:"last_checked_at" validate:"required" extensions:"x-nullable" format:"date-time"`
	LastLatencyMS  *int       `json:"last_latency_ms" validate:"required" extensions:"x-nullable" example:"87"`
	LastStatusCode *int       `json:"last_status_code" validate:"required" extensions:"x-nullable" example:"200"`
	// LastError is empty when the last check succeeded.
	LastError string `json:"last_error" validate:"required" example:""`
	// NextCheckAt is null while the target is paused.
	NextCheckAt *time.Time `json:"next_check_at" validate:"required" extensions:"x-nullable" format:"date-time"`
	CreatedAt   time.Time  `json:"created_at" validate:"required" format:"date-time"`
	UpdatedAt   time.Time  `json:"updated_at" validate:"required" format:"date-time"`
} // @name Target

func targetOut(t target.Target) Target {
	return Target{
		ID: t.ID, Name: t.Name, Type: string(t.Type), URL: t.URL, Method: t.Method,
		Headers: target.PlainHeaders(t.Headers), SecretHeaders: target.CredentialHeaderNames(t.Headers),
		IntervalSeconds: t.IntervalSeconds, TimeoutSeconds: t.TimeoutSeconds, ExpectedStatus: t.ExpectedStatus,
		Retries: t.Retries, RetryDelaySeconds: t.RetryDelaySeconds, IsActive: t.IsActive, Tags: t.Tags,
		FailureThreshold: t.FailureThreshold, SuccessThreshold: t.SuccessThreshold,
		Conditions: conditionsOut(t.Conditions), ChannelIDs: t.ChannelIDs,
		KeepWarm: t.KeepWarm, Platform: t.Platform, WakeTimeoutSeconds: t.WakeTimeoutSeconds,
		IdleTimeoutSeconds: idleOut(t.IdleTimeoutSeconds), WarmWindows: windowsOut(t.WarmWindows), Timezone: t.Timezone,
		BudgetGroup: t.BudgetGroup, Warnings: []string{},
		CertExpiryDays: t.CertExpiryDays, CertExpiresAt: t.CertExpiresAt, TLSCAPEM: t.TLSCAPEM,
		TLSClientCertPEM: t.TLSClientCertPEM, TLSClientKeySet: t.TLSClientKeyPEM != "", TLSSkipVerify: t.TLSSkipVerify,
		Impersonate: string(t.Impersonate), PeriodSeconds: t.PeriodSeconds, GraceSeconds: t.GraceSeconds, Cron: t.Cron, LastPingAt: t.LastPingAt,
		LastStatus: string(t.LastStatus), LastCheckedAt: t.LastCheckedAt, LastLatencyMS: t.LastLatencyMS,
		LastStatusCode: t.LastStatusCode, LastError: t.LastError, NextCheckAt: t.NextCheckAt,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
	}
}

// TargetCreate is the body of POST /targets. Only url is required (a heartbeat's is
// ""); a field left out takes its default, and a field sent is validated as it is (0
// or "" included).
type TargetCreate struct {
	// Type defaults to http.
	Type *string `json:"type,omitempty" enums:"http,tcp,tls,dns,icmp,heartbeat" example:"http"`
	// URL in the type's form (see Target.url); "" for a heartbeat, which may leave it out.
	URL string `json:"url" validate:"required" maxLength:"2048" example:"https://shop.example.com/health"`
	// Name defaults to the URL's host, with " (2)", " (3)", ... when another target has
	// it. Names are unique in any case.
	Name    *string           `json:"name,omitempty" maxLength:"200" example:"shop-api"`
	Method  *string           `json:"method,omitempty" enums:"GET,HEAD,POST,PUT,PATCH,DELETE,OPTIONS" example:"GET"`
	Headers map[string]string `json:"headers,omitempty"`
	// IntervalSeconds defaults to 300; at least MIN_INTERVAL_SECONDS, at most 86400.
	IntervalSeconds *int `json:"interval_seconds,omitempty" minimum:"1" maximum:"86400" example:"300"`
	// TimeoutSeconds defaults to 10 and must be below the interval.
	TimeoutSeconds *int `json:"timeout_seconds,omitempty" minimum:"1" maximum:"300" example:"10"`
	// ExpectedStatus lists the codes that count as up; default 200-399.
	ExpectedStatus *string `json:"expected_status,omitempty" example:"200-399"`
	// Retries after a failed attempt (network error, timeout or 5xx); default 3.
	Retries *int `json:"retries,omitempty" minimum:"0" maximum:"10" example:"3"`
	// RetryDelaySeconds is the wait before the first retry, doubled for each later one; default 15.
	RetryDelaySeconds *int     `json:"retry_delay_seconds,omitempty" minimum:"1" maximum:"3600" example:"15"`
	IsActive          *bool    `json:"is_active,omitempty" example:"true"`
	Tags              []string `json:"tags,omitempty" maxItems:"20"`
	// FailureThreshold defaults to 3.
	FailureThreshold *int `json:"failure_threshold,omitempty" minimum:"1" maximum:"100" example:"3"`
	// SuccessThreshold defaults to 2.
	SuccessThreshold *int        `json:"success_threshold,omitempty" minimum:"1" maximum:"100" example:"2"`
	Conditions       []Condition `json:"conditions,omitempty" maxItems:"20"`
	// ChannelIDs left out subscribes the target to the default channels; [] to none.
	ChannelIDs *[]int64 `json:"channel_ids,omitempty" maxItems:"50"`
	// KeepWarm defaults to true when platform is set.
	KeepWarm *bool `json:"keep_warm,omitempty" example:"true"`
	// Platform fills idle_timeout_seconds and wake_timeout_seconds from its preset.
	Platform string `json:"platform,omitempty" example:"render-free"`
	// IdleTimeoutSeconds is required for keep-warm when the platform does not give it;
	// interval_seconds must be below it and, left out, is derived from it.
	IdleTimeoutSeconds *int `json:"idle_timeout_seconds,omitempty" minimum:"1" example:"900"`
	// WakeTimeoutSeconds defaults to the preset's, else 90.
	WakeTimeoutSeconds *int         `json:"wake_timeout_seconds,omitempty" minimum:"1" maximum:"600" example:"90"`
	WarmWindows        []WarmWindow `json:"warm_windows,omitempty" maxItems:"28"`
	// Timezone is an IANA name; default UTC.
	Timezone    string `json:"timezone,omitempty" example:"Europe/Berlin"`
	BudgetGroup string `json:"budget_group,omitempty" maxLength:"100" example:"render-workspace"`
	// CertExpiryDays defaults to 14; 0 turns the warning off.
	CertExpiryDays   *int   `json:"cert_expiry_days,omitempty" minimum:"0" maximum:"365" example:"14"`
	TLSCAPEM         string `json:"tls_ca_pem,omitempty" maxLength:"65536"`
	TLSClientCertPEM string `json:"tls_client_cert_pem,omitempty" maxLength:"65536"`
	// TLSClientKeyPEM is write-only.
	TLSClientKeyPEM string `json:"tls_client_key_pem,omitempty" maxLength:"65536"`
	TLSSkipVerify   *bool  `json:"tls_skip_verify,omitempty" example:"false"`
	// Impersonate (http targets): chrome, firefox or safari; "" (the default) is none.
	Impersonate *string `json:"impersonate,omitempty" enums:",chrome,firefox,safari" example:"chrome"`
	// PeriodSeconds defaults to 86400, at least MIN_INTERVAL_SECONDS (heartbeats).
	PeriodSeconds *int `json:"period_seconds,omitempty" minimum:"1" maximum:"31536000" example:"86400"`
	// GraceSeconds defaults to 3600, at least 60 s, or MIN_INTERVAL_SECONDS when that
	// is lower (heartbeats).
	GraceSeconds *int   `json:"grace_seconds,omitempty" minimum:"1" maximum:"604800" example:"3600"`
	Cron         string `json:"cron,omitempty" maxLength:"100" example:"0 2 * * *"`
} // @name TargetCreate

func (b TargetCreate) spec() target.Spec {
	s := target.Spec{
		Name: b.Name, URL: b.URL, Method: b.Method, Headers: b.Headers, IntervalSeconds: b.IntervalSeconds,
		TimeoutSeconds: b.TimeoutSeconds, ExpectedStatus: b.ExpectedStatus, Retries: b.Retries,
		RetryDelaySeconds: b.RetryDelaySeconds, IsActive: b.IsActive, Tags: b.Tags,
		FailureThreshold: b.FailureThreshold, SuccessThreshold: b.SuccessThreshold,
		Conditions: conditionsIn(b.Conditions),
		KeepWarm:   b.KeepWarm, Platform: b.Platform, IdleTimeoutSeconds: b.IdleTimeoutSeconds,
		WakeTimeoutSeconds: b.WakeTimeoutSeconds, WarmWindows: windowsIn(b.WarmWindows), Timezone: b.Timezone,
		BudgetGroup: b.BudgetGroup, Type: (*target.Type)(b.Type), CertExpiryDays: b.CertExpiryDays,
		TLSCAPEM: b.TLSCAPEM, TLSClientCertPEM: b.TLSClientCertPEM, TLSClientKeyPEM: b.TLSClientKeyPEM,
		TLSSkipVerify: b.TLSSkipVerify, PeriodSeconds: b.PeriodSeconds, GraceSeconds: b.GraceSeconds, Cron: b.Cron,
		Impersonate: (*target.Impersonation)(b.Impersonate),
	}
	if b.ChannelIDs != nil {
		s.ChannelIDs = *b.ChannelIDs
	}
	return s
}

// WarmWindow is a weekly stretch of time in which a keep-warm target must be awake.
// An end before the start runs past midnight.
type WarmWindow struct {
	Days  []string `json:"days" validate:"required" example:"mon,tue,wed,thu,fri"`
	Start string   `json:"start" validate:"required" example:"08:00"`
	End   string   `json:"end" validate:"required" example:"20:00"`
} // @name WarmWindow

func idleOut(seconds int) *int {
	if seconds <= 0 {
		return nil
	}
	return &seconds
}

func windowsOut(ws []target.WarmWindow) []WarmWindow {
	out := make([]WarmWindow, len(ws))
	for i, w := range ws {
		out[i] = WarmWindow{Days: w.Days, Start: w.Start, End: w.End}
	}
	return out
}

func windowsIn(ws []WarmWindow) []target.WarmWindow {
	if ws == nil {
		return nil
	}
	out := make([]target.WarmWindow, len(ws))
	for i, w := range ws {
		out[i] = target.WarmWindow{Days: w.Days, Start: w.Start, End: w.End}
	}
	return out
}

// Condition is one more rule a target's answer must meet to count as up. Kinds:
// latency (op < or <=, value in ms), body (contains, not_contains, matches,
// not_matches), json (path such as $.status; ==, !=, <, <=, >, >=, exists,
// not_exists, contains, matches), header (name; exists, not_exists, ==, !=,
// contains, matches) for http; cert_days (> or >=, value in days) for https and tls;
// answer (contains, not_contains, ==, matches, not_matches) and rcode (== or !=,
// NOERROR, NXDOMAIN, …) for dns; packet_loss (< or <=, percent) for icmp; latency
// for every type but heartbeat.
type Condition struct {
	Type string `json:"type" validate:"required" enums:"latency,body,json,header,cert_days,answer,rcode,packet_loss" example:"json"`
	// Path is the JSONPath of a json condition.
	Path string `json:"path,omitempty" example:"$.status"`
	// Name is the header of a header condition.
	Name  string `json:"name,omitempty" example:""`
	Op    string `json:"op" validate:"required" enums:"<,<=,>,>=,==,!=,contains,not_contains,matches,not_matches,exists,not_exists" example:"=="`
	Value string `json:"value,omitempty" maxLength:"1024" example:"ok"`
} // @name Condition

func conditionsOut(cs []target.Condition) []Condition {
	out := make([]Condition, len(cs))
	for i, c := range cs {
		out[i] = Condition{Type: c.Type, Path: c.Path, Name: c.Name, Op: c.Op, Value: c.Value}
	}
	return out
}

func conditionsIn(cs []Condition) []target.Condition {
	if cs == nil {
		return nil
	}
	out := make([]target.Condition, len(cs))
	for i, c := range cs {
		out[i] = target.Condition{Type: c.Type, Path: c.Path, Name: c.Name, Op: c.Op, Value: c.Value}
	}
	return out
}

// TargetPatch is the body of PATCH /targets/{id}: fields left out stay as they are.
// {"is_active": false} pauses a target, {"is_active": true} resumes it.
type TargetPatch struct {
	Name *string `json:"name,omitempty" maxLength:"200"`
	// Type changes the kind of check; the url must then be in the new type's form.
	Type   *string `json:"type,omitempty" enums:"http,tcp,tls,dns,icmp,heartbeat"`
	URL    *string `json:"url,omitempty" maxLength:"2048"`
	Method *string `json:"method,omitempty" enums:"GET,HEAD,POST,PUT,PATCH,DELETE,OPTIONS"`
	// Headers replaces the plain headers; a credential header left out is kept, one
	// sent as "" is removed.
	Headers           *map[string]string `json:"headers,omitempty"`
	IntervalSeconds   *int               `json:"interval_seconds,omitempty" minimum:"1" maximum:"86400"`
	TimeoutSeconds    *int               `json:"timeout_seconds,omitempty" minimum:"1" maximum:"300"`
	ExpectedStatus    *string            `json:"expected_status,omitempty"`
	Retries           *int               `json:"retries,omitempty" minimum:"0" maximum:"10"`
	RetryDelaySeconds *int               `json:"retry_delay_seconds,omitempty" minimum:"1" maximum:"3600"`
	IsActive          *bool              `json:"is_active,omitempty" example:"false"`
	Tags              *[]string          `json:"tags,omitempty" maxItems:"20"`
	FailureThreshold  *int               `json:"failure_threshold,omitempty" minimum:"1" maximum:"100"`
	SuccessThreshold  *int               `json:"success_threshold,omitempty" minimum:"1" maximum:"100"`
	Conditions        *[]Condition       `json:"conditions,omitempty" maxItems:"20"`
	ChannelIDs        *[]int64           `json:"channel_ids,omitempty" maxItems:"50"`
	KeepWarm          *bool              `json:"keep_warm,omitempty"`
	Platform          *string            `json:"platform,omitempty"`
	// IdleTimeoutSeconds 0 clears it.
	IdleTimeoutSeconds *int          `json:"idle_timeout_seconds,omitempty" minimum:"0"`
	WakeTimeoutSeconds *int          `json:"wake_timeout_seconds,omitempty" minimum:"1" maximum:"600"`
	WarmWindows        *[]WarmWindow `json:"warm_windows,omitempty" maxItems:"28"`
	Timezone           *string       `json:"timezone,omitempty"`
	BudgetGroup        *string       `json:"budget_group,omitempty" maxLength:"100"`
	// CertExpiryDays defaults to 14; 0 turns the warning off.
	CertExpiryDays   *int    `json:"cert_expiry_days,omitempty" minimum:"0" maximum:"365" example:"14"`
	TLSCAPEM         *string `json:"tls_ca_pem,omitempty" maxLength:"65536"`
	TLSClientCertPEM *string `json:"tls_client_cert_pem,omitempty" maxLength:"65536"`
	// TLSClientKeyPEM is write-only. Left out, the key is kept; "" removes it.
	TLSClientKeyPEM *string `json:"tls_client_key_pem,omitempty" maxLength:"65536"`
	TLSSkipVerify   *bool   `json:"tls_skip_verify,omitempty" example:"false"`
	// Impersonate (http targets): chrome, firefox or safari; "" turns it off.
	Impersonate *string `json:"impersonate,omitempty" enums:",chrome,firefox,safari" example:"chrome"`
	// PeriodSeconds: at least MIN_INTERVAL_SECONDS (heartbeats).
	PeriodSeconds *int `json:"period_seconds,omitempty" minimum:"1" maximum:"31536000" example:"86400"`
	// GraceSeconds: at least 60 s, or MIN_INTERVAL_SECONDS when that is lower
	// (heartbeats).
	GraceSeconds *int    `json:"grace_seconds,omitempty" minimum:"1" maximum:"604800" example:"3600"`
	Cron         *string `json:"cron,omitempty" maxLength:"100" example:"0 2 * * *"`
} // @name TargetPatch

func (b TargetPatch) patch() target.Patch {
	p := target.Patch{
		Name: b.Name, URL: b.URL, Method: b.Method, Headers: b.Headers, IntervalSeconds: b.IntervalSeconds,
		TimeoutSeconds: b.TimeoutSeconds, ExpectedStatus: b.ExpectedStatus, Retries: b.Retries,
		RetryDelaySeconds: b.RetryDelaySeconds, IsActive: b.IsActive, Tags: b.Tags,
		FailureThreshold: b.FailureThreshold, SuccessThreshold: b.SuccessThreshold, ChannelIDs: b.ChannelIDs,
		KeepWarm: b.KeepWarm, Platform: b.Platform, IdleTimeoutSeconds: b.IdleTimeoutSeconds,
		WakeTimeoutSeconds: b.WakeTimeoutSeconds, Timezone: b.Timezone, BudgetGroup: b.BudgetGroup,
		Type: (*target.Type)(b.Type), CertExpiryDays: b.CertExpiryDays, TLSCAPEM: b.TLSCAPEM,
		TLSClientCertPEM: b.TLSClientCertPEM, TLSClientKeyPEM: b.TLSClientKeyPEM, TLSSkipVerify: b.TLSSkipVerify,
		PeriodSeconds: b.PeriodSeconds, GraceSeconds: b.GraceSeconds, Cron: b.Cron,
		Impersonate: (*target.Impersonation)(b.Impersonate),
	}
	if b.WarmWindows != nil {
		ws := windowsIn(*b.WarmWindows)
		if ws == nil {
			ws = []target.WarmWindow{}
		}
		p.WarmWindows = &ws
	}
	if b.Conditions != nil {
		cs := conditionsIn(*b.Conditions)
		if cs == nil {
			cs = []target.Condition{}
		}
		p.Conditions = &cs
	}
	return p
}

// TargetList is one page of targets.
type TargetList struct {
	Items  []Target `json:"items" validate:"required"`
	Total  int      `json:"total" validate:"required" example:"42"`
	Limit  int      `json:"limit" validate:"required" example:"50"`
	Offset int      `json:"offset" validate:"required" example:"0"`
} // @name TargetList

// Check is the outcome of one check of a target, after any retries.
type Check struct {
	ID        int64     `json:"id" validate:"required" example:"1001"`
	TargetID  int64     `json:"target_id" validate:"required" example:"1"`
	CheckedAt time.Time `json:"checked_at" validate:"required" format:"date-time"`
	// LatencyMS is the duration of the last attempt.
	LatencyMS  int  `json:"latency_ms" validate:"required" example:"87"`
	StatusCode *int `json:"status_code" validate:"required" extensions:"x-nullable" example:"200"`
	OK         bool `json:"ok" validate:"required" example:"true"`
	// Error is empty when the check succeeded.
	Error    string `json:"error" validate:"required" example:""`
	Attempts int    `json:"attempts" validate:"required" example:"1"`
	// ColdStart marks a check that woke a sleeping target.
	ColdStart bool `json:"cold_start" validate:"required" example:"false"`
	// WakeMS is, for a cold start, the time from the first attempt to the answer.
	WakeMS *int `json:"wake_ms" validate:"required" extensions:"x-nullable"`
	// CertExpiresAt is when the server's certificate expires (https and tls checks).
	CertExpiresAt *time.Time `json:"cert_expires_at" validate:"required" extensions:"x-nullable" format:"date-time"`
	// Answer is a dns check's records as text, one per line.
	Answer *string `json:"answer" validate:"required" extensions:"x-nullable" example:"93.184.215.14"`
	// PacketLoss is an icmp check's share of echo requests lost, in percent.
	PacketLoss *float64 `json:"packet_loss" validate:"required" extensions:"x-nullable" format:"double" example:"0"`
	// Message is what a heartbeat's ping sent in its body (up to 10 KB).
	Message *string `json:"message" validate:"required" extensions:"x-nullable" example:"backup done: 12 GB"`
} // @name Check

func checkOut(c target.Check) Check {
	return Check{ID: c.ID, TargetID: c.TargetID, CheckedAt: c.CheckedAt, LatencyMS: c.LatencyMS,
		StatusCode: c.StatusCode, OK: c.OK, Error: c.Error, Attempts: c.Attempts, ColdStart: c.ColdStart, WakeMS: c.WakeMS,
		CertExpiresAt: c.CertExpiresAt, Answer: c.Answer, PacketLoss: c.PacketLoss, Message: c.Message}
}

// CheckList is a page of a target's checks, newest first.
type CheckList struct {
	Items []Check `json:"items" validate:"required"`
} // @name CheckList

// TargetStats summarise a target's checks over a window.
type TargetStats struct {
	TargetID      int64  `json:"target_id" validate:"required" example:"1"`
	Window        string `json:"window" validate:"required" example:"24h"`
	WindowSeconds int    `json:"window_seconds" validate:"required" example:"86400"`
	Checks        int    `json:"checks" validate:"required" example:"288"`
	Up            int    `json:"up" validate:"required" example:"287"`
	Down          int    `json:"down" validate:"required" example:"1"`
	// UptimeRatio is up/checks, from 0 to 1; null when there were no checks.
	UptimeRatio *float64 `json:"uptime_ratio" validate:"required" extensions:"x-nullable" format:"double" example:"0.9965"`
	// Latency percentiles over successful checks; null when there were none.
	LatencyP50MS *int `json:"latency_p50_ms" validate:"required" extensions:"x-nullable" example:"85"`
	LatencyP95MS *int `json:"latency_p95_ms" validate:"required" extensions:"x-nullable" example:"140"`
	LatencyP99MS *int `json:"latency_p99_ms" validate:"required" extensions:"x-nullable" example:"310"`
	// ColdStarts counts the checks that found the target asleep.
	ColdStarts int `json:"cold_starts" validate:"required" example:"1"`
	// WarmRatio is the share of checks that found it awake; null without checks.
	WarmRatio *float64 `json:"warm_ratio" validate:"required" extensions:"x-nullable" format:"double" example:"0.996"`
	// WakeMSP50 is the median wake time of its cold starts (from checks still kept);
	// null when there were none. Keep-warm targets only.
	WakeMSP50 *int `json:"wake_ms_p50" validate:"required" extensions:"x-nullable" example:"31000"`
	// MaxWarmGapSeconds is the longest stretch without a successful check (from checks
	// still kept); null when there were none. Keep-warm targets only.
	MaxWarmGapSeconds *int `json:"max_warm_gap_seconds" validate:"required" extensions:"x-nullable" example:"870"`
	// WarmGapBreaches counts warm-gap incidents that started in the window.
	WarmGapBreaches int `json:"warm_gap_breaches" validate:"required" example:"0"`
	// AwakeHours is how long the service was awake in the window (keep-warm targets
	// with an idle limit; 0 otherwise).
	AwakeHours float64 `json:"awake_hours" validate:"required" example:"23.9"`
} // @name TargetStats

// Stats count all targets by state.
type Stats struct {
	Total   int `json:"total" validate:"required" example:"42"`
	Active  int `json:"active" validate:"required" example:"40"`
	Paused  int `json:"paused" validate:"required" example:"2"`
	Up      int `json:"up" validate:"required" example:"38"`
	Down    int `json:"down" validate:"required" example:"1"`
	Unknown int `json:"unknown" validate:"required" example:"1"`
	// OverBudget counts keep-warm targets in budget groups whose plan does not fit.
	OverBudget int `json:"over_budget" validate:"required" example:"0"`
} // @name Stats

// LoginRequest is the body of POST /auth/login.
type LoginRequest struct {
	Username string `json:"username" validate:"required" maxLength:"128" example:"admin"`
	Password string `json:"password" validate:"required" example:"correct horse battery staple"`
	// OTP is the authenticator app's current code, or a recovery code, for a user with
	// two-factor login.
	OTP string `json:"otp,omitempty" maxLength:"32" example:"123456"`
} // @name LoginRequest

// RefreshRequest is the body of POST /auth/refresh.
type RefreshRequest struct {
	RefreshToken string `json:"refresh_token" validate:"required"`
} // @name RefreshRequest

// TokenPair is what a login or a refresh returns.
type TokenPair struct {
	AccessToken string `json:"access_token" validate:"required"`
	TokenType   string `json:"token_type" validate:"required" enums:"Bearer" example:"Bearer"`
	// ExpiresIn is the access token's lifetime in seconds.
	ExpiresIn int `json:"expires_in" validate:"required" example:"900"`
	// RefreshToken gets the next pair from POST /auth/refresh, once.
	RefreshToken string `json:"refresh_token" validate:"required"`
} // @name TokenPair

// User is a person who can log in.
type User struct {
	ID          int64     `json:"id" validate:"required" example:"1"`
	Username    string    `json:"username" validate:"required" example:"admin"`
	Role        string    `json:"role" validate:"required" enums:"admin,editor,viewer" example:"admin"`
	TOTPEnabled bool      `json:"totp_enabled" validate:"required" example:"false"`
	CreatedAt   time.Time `json:"created_at" validate:"required" format:"date-time"`
} // @name User

func userOut(u account.User) User {
	return User{ID: u.ID, Username: u.Username, Role: string(u.Role), TOTPEnabled: u.TOTPEnabled, CreatedAt: u.CreatedAt}
}

// Health is the body of the health and readiness answers.
type Health struct {
	Status string `json:"status" validate:"required" example:"ok"`
} // @name Health

// Beat is one check in a heartbeat strip.
type Beat struct {
	CheckedAt  time.Time `json:"checked_at" validate:"required" format:"date-time"`
	OK         bool      `json:"ok" validate:"required" example:"true"`
	LatencyMS  int       `json:"latency_ms" validate:"required" example:"87"`
	StatusCode *int      `json:"status_code" validate:"required" extensions:"x-nullable" example:"200"`
	ColdStart  bool      `json:"cold_start" validate:"required" example:"false"`
} // @name Beat

// Heartbeat is a target's recent checks, oldest first, and its uptime over 24 hours.
type Heartbeat struct {
	TargetID int64 `json:"target_id" validate:"required" example:"1"`
	// Uptime24h is from 0 to 1; null when there were no checks in the last 24 hours.
	Uptime24h *float64 `json:"uptime_24h" validate:"required" extensions:"x-nullable" format:"double" example:"0.998"`
	Checks    []Beat   `json:"checks" validate:"required"`
} // @name Heartbeat

// HeartbeatList holds the heartbeats of the targets asked for that exist.
type HeartbeatList struct {
	Items []Heartbeat `json:"items" validate:"required"`
} // @name HeartbeatList

func heartbeatOut(h target.Heartbeat) Heartbeat {
	beats := make([]Beat, len(h.Checks))
	for i, c := range h.Checks {
		beats[i] = Beat{CheckedAt: c.CheckedAt, OK: c.OK, LatencyMS: c.LatencyMS, StatusCode: c.StatusCode, ColdStart: c.ColdStart}
	}
	return Heartbeat{TargetID: h.TargetID, Uptime24h: h.Uptime24h, Checks: beats}
}
