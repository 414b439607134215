// Package manifest is WatchDog's configuration as code: a YAML (or JSON) document of
// targets, notification channels and status pages that `watchdog export` writes and
// `watchdog apply` makes the database match, object by object, matched by name (slug
// for pages). Secrets are never written in clear: they are ${ENV_NAME} references,
// resolved when the document is applied.
package manifest

// Version is the document format's version.
const Version = 1

// Document is a whole configuration.
type Document struct {
	// Version is 1.
	Version     int          `yaml:"version" json:"version" jsonschema:"required,enum=1"`
	Channels    []Channel    `yaml:"channels,omitempty" json:"channels,omitempty"`
	Targets     []Target     `yaml:"targets,omitempty" json:"targets,omitempty"`
	StatusPages []StatusPage `yaml:"status_pages,omitempty" json:"status_pages,omitempty"`
}

// Channel is a notification channel. Its config holds the type's settings as in the
// API; secret settings are ${ENV_NAME} references.
type Channel struct {
	Name      string         `yaml:"name" json:"name" jsonschema:"required"`
	Type      string         `yaml:"type" json:"type" jsonschema:"required,enum=webhook,enum=slack,enum=discord,enum=email,enum=telegram,enum=ntfy,enum=teams,enum=pagerduty,enum=matrix,enum=mattermost,enum=rocketchat,enum=googlechat,enum=gotify,enum=pushover,enum=opsgenie,enum=zulip,enum=twilio"`
	Config    map[string]any `yaml:"config,omitempty" json:"config,omitempty"`
	IsDefault bool           `yaml:"is_default,omitempty" json:"is_default,omitempty"`
}

// Target is a monitored URL. Fields left out take the API's defaults, and a field
// given is validated as it is (an explicit 0 is refused, not defaulted); channels name
// the channels it notifies (none when left out).
//
// Type is http when left out; the other types take their address in url with a scheme
// naming the type (tcp://host:port, dns://resolver/name?type=A), and a heartbeat has
// none. A heartbeat's ping token is not in the document: it is a credential of the
// target, kept by apply and regenerated through the API.
type Target struct {
	Name string `yaml:"name" json:"name" jsonschema:"required"`
	// Type is the kind of check; left out, http.
	Type string `yaml:"type,omitempty" json:"type,omitempty" jsonschema:"enum=http,enum=tcp,enum=tls,enum=dns,enum=icmp,enum=heartbeat"`
	// URL is where the check goes: http(s)://…, tcp://host:port, tls://host:port,
	// icmp://host or dns://[resolver[:port]]/name?type=A; a heartbeat has none.
	URL               string            `yaml:"url,omitempty" json:"url,omitempty" jsonschema:"format=uri"`
	Method            *string           `yaml:"method,omitempty" json:"method,omitempty" jsonschema:"enum=GET,enum=HEAD,enum=POST,enum=PUT,enum=PATCH,enum=DELETE,enum=OPTIONS"`
	Headers           map[string]string `yaml:"headers,omitempty" json:"headers,omitempty"`
	IntervalSeconds   *int              `yaml:"interval_seconds,omitempty" json:"interval_seconds,omitempty"`
	TimeoutSeconds    *int              `yaml:"timeout_seconds,omitempty" json:"timeout_seconds,omitempty"`
	ExpectedStatus    *string           `yaml:"expected_status,omitempty" json:"expected_status,omitempty"`
	Retries           *int              `yaml:"retries,omitempty" json:"retries,omitempty"`
	RetryDelaySeconds *int              `yaml:"retry_delay_seconds,omitempty" json:"retry_delay_seconds,omitempty"`
	Paused            bool              `yaml:"paused,omitempty" json:"paused,omitempty"`
	Tags              []string          `yaml:"tags,omitempty" json:"tags,omitempty"`
	FailureThreshold  *int              `yaml:"failure_threshold,omitempty" json:"failure_threshold,omitempty"`
	SuccessThreshold  *int              `yaml:"success_threshold,omitempty" json:"success_threshold,omitempty"`
	Conditions        []Condition       `yaml:"conditions,omitempty" json:"conditions,omitempty"`
	Channels          []string          `yaml:"channels,omitempty" json:"channels,omitempty"`
	// KeepWarm left out is on when platform is set.
	KeepWarm           *bool        `yaml:"keep_warm,omitempty" json:"keep_warm,omitempty"`
	Platform           string       `yaml:"platform,omitempty" json:"platform,omitempty"`
	IdleTimeoutSeconds *int         `yaml:"idle_timeout_seconds,omitempty" json:"idle_timeout_seconds,omitempty"`
	WakeTimeoutSeconds *int         `yaml:"wake_timeout_seconds,omitempty" json:"wake_timeout_seconds,omitempty"`
	WarmWindows        []WarmWindow `yaml:"warm_windows,omitempty" json:"warm_windows,omitempty"`
	Timezone           string       `yaml:"timezone,omitempty" json:"timezone,omitempty"`
	BudgetGroup        string       `yaml:"budget_group,omitempty" json:"budget_group,omitempty"`
	// CertExpiryDays (https and tls targets) is how many days before the certificate
	// ends a cert_expiry incident opens; 0 is off, left out 14.
	CertExpiryDays *int `yaml:"cert_expiry_days,omitempty" json:"cert_expiry_days,omitempty"`
	// TLSCAPEM (https and tls targets) is a CA certificate, PEM, trusted besides the
	// system's.
	TLSCAPEM string `yaml:"tls_ca_pem,omitempty" json:"tls_ca_pem,omitempty"`
	// TLSClientCertPEM (https and tls targets) is the client certificate, PEM, of
	// mutual TLS.
	TLSClientCertPEM string `yaml:"tls_client_cert_pem,omitempty" json:"tls_client_cert_pem,omitempty"`
	// TLSClientKeyPEM is the client certificate's key: a secret, so a ${ENV_NAME}
	// reference, as export writes it (WATCHDOG_TARGET_<NAME>_TLS_CLIENT_KEY_PEM).
	TLSClientKeyPEM string `yaml:"tls_client_key_pem,omitempty" json:"tls_client_key_pem,omitempty"`
	// TLSSkipVerify (https and tls targets) accepts any certificate, for self-signed
	// internal services.
	TLSSkipVerify *bool `yaml:"tls_skip_verify,omitempty" json:"tls_skip_verify,omitempty"`
	// Impersonate (http targets): chrome, firefox or safari sends that browser's TLS and
	// HTTP/2 fingerprint; left out, none.
	Impersonate *string `yaml:"impersonate,omitempty" json:"impersonate,omitempty" jsonschema:"enum=,enum=chrome,enum=firefox,enum=safari"`
	// PeriodSeconds (heartbeat) is how often a ping is expected; left out 86400.
	PeriodSeconds *int `yaml:"period_seconds,omitempty" json:"period_seconds,omitempty"`
	// GraceSeconds (heartbeat) is how late a ping may be; left out 3600.
	GraceSeconds *int `yaml:"grace_seconds,omitempty" json:"grace_seconds,omitempty"`
	// Cron (heartbeat), five fields in timezone, says when pings are expected instead
	// of period_seconds.
	Cron string `yaml:"cron,omitempty" json:"cron,omitempty"`
}

// Condition is one more rule a target's answer must meet, as in the API.
type Condition struct {
	Type  string `yaml:"type" json:"type" jsonschema:"required,enum=latency,enum=body,enum=json,enum=header,enum=cert_days,enum=answer,enum=rcode,enum=packet_loss"`
	Path  string `yaml:"path,omitempty" json:"path,omitempty"`
	Name  string `yaml:"name,omitempty" json:"name,omitempty"`
	Op    string `yaml:"op" json:"op" jsonschema:"required"`
	Value string `yaml:"value,omitempty" json:"value,omitempty"`
}

// WarmWindow is a weekly stretch in which a keep-warm target must be awake.
type WarmWindow struct {
	Days  []string `yaml:"days" json:"days" jsonschema:"required"`
	Start string   `yaml:"start" json:"start" jsonschema:"required"`
	End   string   `yaml:"end" json:"end" jsonschema:"required"`
}

// StatusPage is a public status page; targets names the targets it shows, in order.
type StatusPage struct {
	Slug        string   `yaml:"slug" json:"slug" jsonschema:"required,pattern=^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$"`
	Title       string   `yaml:"title" json:"title" jsonschema:"required"`
	Description string   `yaml:"description,omitempty" json:"description,omitempty"`
	Targets     []string `yaml:"targets,omitempty" json:"targets,omitempty"`
}
