// Package notify holds the notification channel types: how each one's settings are
// checked, which of them are secrets, and how a message is sent through it. Adding a
// channel type is one file that registers a Provider; nothing else needs to change.
// Messages are fixed templates whose fields are escaped for each provider's format:
// there is no user-supplied template language.
package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"time"
)

// Events a message can be about.
const (
	EventDown    = "down"
	EventUp      = "up"
	EventWarmGap = "warm_gap"
	// EventCertExpiry: a target's certificate expires within its cert_expiry_days.
	EventCertExpiry = "cert_expiry"
	EventTest       = "test"
	// EventDegraded replaces the target alerts when most targets fail at once: the
	// fault is more likely the checker's own network than every target.
	EventDegraded = "checker_degraded"
	// EventRecovered follows EventDegraded when the checker sees targets up again.
	EventRecovered = "checker_recovered"
)

// Channel is a configured destination for notifications.
type Channel struct {
	ID   int64
	Name string
	Type string
	// Config holds the type's settings as JSON, secrets included.
	Config json.RawMessage
	// IsDefault channels are subscribed by new targets that name no channels.
	IsDefault bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TargetRef names the target a message is about.
type TargetRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

// IncidentRef is the incident a message is about.
type IncidentRef struct {
	ID         int64      `json:"id"`
	Kind       string     `json:"kind"`
	StartedAt  time.Time  `json:"started_at"`
	ResolvedAt *time.Time `json:"resolved_at"`
	Cause      string     `json:"cause"`
	FirstError string     `json:"first_error"`
	LastError  string     `json:"last_error"`
}

// Message is one notification. Its JSON form is the generic webhook's body.
type Message struct {
	// DeliveryID is unique per (incident, event, channel) and the same on every retry,
	// so a receiver can drop a repeat.
	DeliveryID string       `json:"-"`
	Event      string       `json:"event"`
	Target     *TargetRef   `json:"target"`
	Incident   *IncidentRef `json:"incident"`
	OccurredAt time.Time    `json:"occurred_at"`
	// Affected and Active count the failing and the active targets, for the
	// checker-wide events.
	Affected int `json:"affected,omitempty"`
	Active   int `json:"active,omitempty"`
	// DashboardURL links to the target's page when PUBLIC_URL is set.
	DashboardURL string `json:"dashboard_url,omitempty"`
}

// SMTP is the outgoing mail server, from the SMTP_* settings.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string
	// TLS is "starttls" (required before authenticating), "tls" (implicit, port 465)
	// or "none" (only for a relay on the same machine).
	TLS string
	// RootCAs verifies the server; nil means the system's roots.
	RootCAsPEM []byte
}

// Env is what senders need from the process.
type Env struct {
	// Client sends every HTTP notification. Its dialer must be the outbound guard's,
	// like the prober's, so a channel URL cannot reach private addresses.
	Client *http.Client
	// CheckURL is the outbound guard's judgement of a URL setting (a literal private
	// or metadata host, a port out of range), so a channel that could never be sent
	// to is refused when it is saved, on every write path; nil accepts every URL.
	CheckURL func(u *url.URL) error
	SMTP     SMTP
	// AnyHost lifts the rule that Slack, Discord, Teams, Telegram and PagerDuty URLs
	// be on the provider's official hosts, and lets their API base be overridden. Only
	// tests set it, to talk to local fakes.
	AnyHost bool
	// APIBase overrides a provider's fixed API address (Telegram, PagerDuty) when
	// AnyHost is set; keyed by channel type.
	APIBase map[string]string
}

// Provider is one channel type.
type Provider interface {
	// Type is the type's name in the API ("slack").
	Type() string
	// Secrets are the config keys that are write-only: accepted, kept, never returned.
	Secrets() []string
	// Validate checks a config; a *ConfigError names the offending key.
	Validate(config json.RawMessage, env Env) error
	// Send delivers one message. A failure is a *SendError saying whether to retry.
	Send(ctx context.Context, config json.RawMessage, env Env, m Message) error
}

var providers = map[string]Provider{}

// register adds a provider; each type's file calls it from init.
func register(p Provider) {
	if _, dup := providers[p.Type()]; dup {
		panic("notify: type registered twice: " + p.Type())
	}
	providers[p.Type()] = p
}

// Types lists the channel types, sorted.
func Types() []string {
	out := make([]string, 0, len(providers))
	for t := range providers {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// ErrUnknownType is returned for a channel type no provider has.
var ErrUnknownType = errors.New("unknown channel type")

// Lookup returns the provider of a type.
func Lookup(typ string) (Provider, error) {
	p, ok := providers[typ]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownType, typ)
	}
	return p, nil
}

// ConfigError says what is wrong with one key of a channel's config.
type ConfigError struct {
	// Key is the config key ("url", "headers.X-Token"); the API reports it as
	// config.<key>.
	Key     string
	Message string
}

func (e *ConfigError) Error() string { return e.Key + ": " + e.Message }

// SendError is a failed delivery.
type SendError struct {
	// Retry is true for failures that may pass: network errors, timeouts, 429, 5xx.
	Retry bool
	// RetryAfter is the provider's requested wait (429's Retry-After), or 0.
	RetryAfter time.Duration
	// Status is the HTTP status the provider answered, or 0.
	Status int
	Err    error
}

func (e *SendError) Error() string { return e.Err.Error() }
func (e *SendError) Unwrap() error { return e.Err }

// SecretFields names typ's write-only config keys, and its keys whose every value is
// a secret (a webhook's headers).
func SecretFields(typ string) (keys, maps []string, err error) {
	p, err := Lookup(typ)
	if err != nil {
		return nil, nil, err
	}
	return p.Secrets(), secretMaps(p), nil
}

// IsSecret reports whether key is one of typ's write-only config keys.
func IsSecret(typ, key string) bool {
	p, ok := providers[typ]
	return ok && slices.Contains(p.Secrets(), key)
}

// Errors of the channel store.
var (
	ErrChannelNotFound = errors.New("channel not found")
	ErrNameTaken       = errors.New("a channel with this name exists")
)
