package notify

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// Opsgenie Alert API v2. A problem creates an alert whose alias is the same pairing
// key PagerDuty's dedup_key is, and the matching up (or checker_recovered) closes the
// alert by that alias: Opsgenie drops a create whose alias is already open, so a
// retried delivery never opens a second alert. The API key (an API integration's
// key) is a secret.
func init() {
	register(channelType[opsgenieConfig, *opsgenieConfig]{name: "opsgenie", secrets: []string{"api_key"}, send: sendOpsgenie})
}

type opsgenieConfig struct {
	APIKey string `json:"api_key"`
	// Region is where the Opsgenie account lives: "us" (the default) or "eu", which
	// have different API hosts.
	Region string `json:"region"`
	// Priority of created alerts, P1 (critical) to P5; P3 by default, as Opsgenie's own.
	Priority string `json:"priority"`
}

var opsgenieKey = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func (c *opsgenieConfig) check(Env) error {
	var p problems
	p.required("api_key", c.APIKey, opsgenieKey, "the API key of an Opsgenie API integration (a UUID)")
	if c.Region == "" {
		c.Region = "us"
	}
	if c.Region != "us" && c.Region != "eu" {
		p.add("region", "must be us or eu")
	}
	if c.Priority == "" {
		c.Priority = "P3"
	}
	if !slices.Contains([]string{"P1", "P2", "P3", "P4", "P5"}, c.Priority) {
		p.add("priority", "must be P1, P2, P3, P4 or P5")
	}
	return p.err()
}

// Opsgenie's limits on an alert's fields.
const (
	maxOpsgenieMessage     = 130
	maxOpsgenieDescription = 15000
	maxOpsgenieEntity      = 512
	maxOpsgenieNote        = 25000
)

// opsgenieTestNote starts a test alert's description.
const opsgenieTestNote = "This is a test alert from WatchDog: nothing is down. It stays open until you close it."

// opsgenieBase is the API host of a region; the "opsgenie.eu" override lets a test
// tell the two apart.
func opsgenieBase(env Env, region string) string {
	if region == "eu" {
		return apiBase(env, "opsgenie.eu", "https://api.eu.opsgenie.com")
	}
	return apiBase(env, "opsgenie", "https://api.opsgenie.com")
}

type opsgenieAlert struct {
	Message     string            `json:"message"`
	Alias       string            `json:"alias"`
	Description string            `json:"description,omitempty"`
	Priority    string            `json:"priority"`
	Source      string            `json:"source"`
	Tags        []string          `json:"tags"`
	Details     map[string]string `json:"details"`
	Entity      string            `json:"entity,omitempty"`
}

type opsgenieClose struct {
	Source string `json:"source"`
	Note   string `json:"note,omitempty"`
}

func sendOpsgenie(ctx context.Context, c *opsgenieConfig, env Env, m Message) error {
	title, body := summary(m, plain())
	alias := dedupKey(m)
	endpoint := opsgenieBase(env, c.Region) + "/v2/alerts"
	var payload any
	if m.Event == EventUp || m.Event == EventRecovered {
		// The alias goes in the path: escaped, though WatchDog's keys need none.
		endpoint += "/" + url.PathEscape(alias) + "/close?identifierType=alias"
		note := title
		if body != "" {
			note += "\n" + body
		}
		payload = opsgenieClose{Source: "WatchDog", Note: clip(note, maxOpsgenieNote)}
	} else {
		priority := c.Priority
		if m.Event == EventTest {
			// A test at the channel's priority could page whoever is on call (P1 does),
			// and nothing ever closes it: it goes at the lowest priority, saying what
			// it is.
			priority = "P5"
			body = opsgenieTestNote + "\n" + body
		}
		payload = opsgenieAlert{Message: clip(title, maxOpsgenieMessage), Alias: alias,
			Description: clip(body, maxOpsgenieDescription), Priority: priority, Source: "WatchDog",
			Tags: []string{"watchdog", m.Event}, Details: opsgenieDetails(m), Entity: opsgenieEntity(m)}
	}
	return post{provider: "opsgenie", url: endpoint,
		header: http.Header{"Authorization": {"GenieKey " + c.APIKey}}, secrets: []string{c.APIKey}}.sendJSON(ctx, env, payload)
}

// opsgenieEntity is what the alert is about: the target, or WatchDog's checker.
func opsgenieEntity(m Message) string {
	if m.Target == nil {
		if m.Event == EventDegraded {
			return "WatchDog checker"
		}
		return ""
	}
	return clip(oneLine(targetName(m.Target)), maxOpsgenieEntity)
}

// opsgenieDetails are the alert's custom properties; Opsgenie takes only strings,
// and at most 8,000 characters in all, which the clipped values keep to.
func opsgenieDetails(m Message) map[string]string {
	d := map[string]string{"event": m.Event}
	set := func(key, value string, n int) {
		if value = clip(oneLine(value), n); value != "" {
			d[key] = value
		}
	}
	if t := m.Target; t != nil {
		d["target_id"] = strconv.FormatInt(t.ID, 10)
		set("target", t.Name, maxNameInMessage)
		set("url", t.URL, maxURLInMessage)
	}
	if inc := m.Incident; inc != nil {
		d["incident_id"] = strconv.FormatInt(inc.ID, 10)
		set("kind", inc.Kind, maxNameInMessage)
		set("cause", inc.Cause, maxErrorInMessage)
		set("first_error", inc.FirstError, maxErrorInMessage)
		set("last_error", inc.LastError, maxErrorInMessage)
		if !inc.StartedAt.IsZero() {
			d["started_at"] = inc.StartedAt.UTC().Format(time.RFC3339)
		}
	}
	if m.Event == EventDegraded {
		d["affected"], d["active"] = strconv.Itoa(m.Affected), strconv.Itoa(m.Active)
	}
	set("dashboard", m.DashboardURL, maxURLInMessage)
	return d
}
