package notify

import (
	"context"
	"net/url"
	"regexp"
	"slices"
	"time"
)

// PagerDuty Events API v2. A down or warm_gap triggers an alert and the matching up
// resolves it: both carry the incident's dedup key, so PagerDuty pairs them. The
// routing (integration) key is a secret.
func init() {
	register(channelType[pagerdutyConfig, *pagerdutyConfig]{name: "pagerduty", secrets: []string{"routing_key"}, send: sendPagerDuty})
}

type pagerdutyConfig struct {
	RoutingKey string `json:"routing_key"`
	// Severity of triggered alerts: critical (the default), error, warning or info.
	Severity string `json:"severity"`
}

var pagerdutyKey = regexp.MustCompile(`^[A-Za-z0-9]{32}$`)

func (c *pagerdutyConfig) check(Env) error {
	var p problems
	p.required("routing_key", c.RoutingKey, pagerdutyKey, "the 32-character integration key of an Events API v2 integration")
	if c.Severity == "" {
		c.Severity = "critical"
	}
	if !slices.Contains([]string{"critical", "error", "warning", "info"}, c.Severity) {
		p.add("severity", "must be critical, error, warning or info")
	}
	return p.err()
}

// maxPagerDutySummary is the Events API's limit on payload.summary.
const maxPagerDutySummary = 1024

type pagerdutyPayload struct {
	Summary       string         `json:"summary"`
	Source        string         `json:"source"`
	Severity      string         `json:"severity"`
	Timestamp     string         `json:"timestamp,omitempty"`
	Class         string         `json:"class,omitempty"`
	CustomDetails map[string]any `json:"custom_details,omitempty"`
}

type pagerdutyLink struct {
	Href string `json:"href"`
	Text string `json:"text"`
}

type pagerdutyEvent struct {
	RoutingKey  string            `json:"routing_key"`
	EventAction string            `json:"event_action"`
	DedupKey    string            `json:"dedup_key"`
	Payload     *pagerdutyPayload `json:"payload,omitempty"`
	Client      string            `json:"client"`
	ClientURL   string            `json:"client_url,omitempty"`
	Links       []pagerdutyLink   `json:"links,omitempty"`
}

func sendPagerDuty(ctx context.Context, c *pagerdutyConfig, env Env, m Message) error {
	ev := pagerdutyEvent{RoutingKey: c.RoutingKey, EventAction: "trigger", DedupKey: dedupKey(m),
		Client: "WatchDog", ClientURL: m.DashboardURL}
	if m.Event == EventUp || m.Event == EventRecovered {
		// A resolve needs only its key; PagerDuty ignores a payload on it.
		ev.EventAction = "resolve"
	} else {
		title, _ := summary(m, plain())
		ev.Payload = &pagerdutyPayload{Summary: clip(title, maxPagerDutySummary), Source: pagerdutySource(m),
			Severity: c.Severity, Class: m.Event, CustomDetails: pagerdutyDetails(m)}
		if !m.OccurredAt.IsZero() {
			ev.Payload.Timestamp = m.OccurredAt.UTC().Format(time.RFC3339)
		}
	}
	if m.DashboardURL != "" {
		ev.Links = []pagerdutyLink{{Href: m.DashboardURL, Text: "WatchDog dashboard"}}
	}
	endpoint := apiBase(env, "pagerduty", "https://events.pagerduty.com") + "/v2/enqueue"
	return postJSON(ctx, env, "pagerduty", endpoint, ev, c.RoutingKey)
}

// pagerdutySource is where the problem is: the target's host, or WatchDog itself.
func pagerdutySource(m Message) string {
	if m.Target != nil {
		if u, err := url.Parse(m.Target.URL); err == nil && u.Hostname() != "" {
			return u.Hostname()
		}
	}
	return "watchdog"
}

func pagerdutyDetails(m Message) map[string]any {
	d := map[string]any{"event": m.Event}
	if t := m.Target; t != nil {
		d["target_id"], d["target"], d["url"] = t.ID, t.Name, t.URL
	}
	if inc := m.Incident; inc != nil {
		d["incident_id"], d["kind"], d["cause"] = inc.ID, inc.Kind, inc.Cause
		d["first_error"], d["last_error"] = inc.FirstError, inc.LastError
		if !inc.StartedAt.IsZero() {
			d["started_at"] = inc.StartedAt.UTC().Format(time.RFC3339)
		}
	}
	if m.Event == EventDegraded {
		d["affected"], d["active"] = m.Affected, m.Active
	}
	return d
}
