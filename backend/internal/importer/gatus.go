package importer

import (
	"bytes"
	"cmp"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/watchdog-monitor/watchdog/backend/internal/manifest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// maxGatusConfig bounds the file read: a monitor's configuration, not a data set.
const maxGatusConfig = 16 << 20

// gatusConfig is the part of Gatus's configuration an import reads. Everything else
// (storage, web, ui, security, metrics…) configures Gatus itself.
type gatusConfig struct {
	Endpoints         []gatusEndpoint `yaml:"endpoints"`
	ExternalEndpoints []gatusExternal `yaml:"external-endpoints"`
	Suites            []gatusNamed    `yaml:"suites"`
	// Alerting is kept as a node so that providers are read in the file's order.
	Alerting    yaml.Node `yaml:"alerting"`
	Maintenance yaml.Node `yaml:"maintenance"`
}

type gatusNamed struct {
	Name  string `yaml:"name"`
	Group string `yaml:"group"`
}

// gatusExternal is an external endpoint: a job pushes its results to Gatus, and with
// heartbeat.interval set Gatus also fails it when no push came in that long.
type gatusExternal struct {
	Enabled            *bool        `yaml:"enabled"`
	Name               string       `yaml:"name"`
	Group              string       `yaml:"group"`
	Token              string       `yaml:"token"`
	Alerts             []gatusAlert `yaml:"alerts"`
	MaintenanceWindows []any        `yaml:"maintenance-windows"`
	Heartbeat          struct {
		Interval string `yaml:"interval"`
	} `yaml:"heartbeat"`
}

type gatusEndpoint struct {
	Enabled            *bool             `yaml:"enabled"`
	Name               string            `yaml:"name"`
	Group              string            `yaml:"group"`
	URL                string            `yaml:"url"`
	Method             string            `yaml:"method"`
	Body               string            `yaml:"body"`
	GraphQL            bool              `yaml:"graphql"`
	Headers            map[string]string `yaml:"headers"`
	Interval           string            `yaml:"interval"`
	Conditions         []string          `yaml:"conditions"`
	Alerts             []gatusAlert      `yaml:"alerts"`
	MaintenanceWindows []any             `yaml:"maintenance-windows"`
	DNS                map[string]any    `yaml:"dns"`
	SSH                map[string]any    `yaml:"ssh"`
	Client             map[string]any    `yaml:"client"`
}

type gatusAlert struct {
	Type             string         `yaml:"type"`
	Enabled          *bool          `yaml:"enabled"`
	FailureThreshold int            `yaml:"failure-threshold"`
	SuccessThreshold int            `yaml:"success-threshold"`
	ProviderOverride map[string]any `yaml:"provider-override"`
}

// gatusDefaultInterval is Gatus's interval for an endpoint that sets none.
const gatusDefaultInterval = time.Minute

// gatusImport is one Gatus import under way.
type gatusImport struct {
	*builder
	// dir is the config file's directory: client.tls files are read relative to it.
	dir string
	// channel names, by provider type and by provider type and group (overrides).
	channelOf  map[string]string
	overrideOf map[string]map[string]string
	defaults   map[string]gatusAlert
	notCarried map[string]bool
}

// GatusFile is Gatus for the configuration file at path: the certificate and key
// files of client.tls are read relative to its directory.
func GatusFile(path string) (Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return Result{}, fmt.Errorf("open gatus config: %w", err)
	}
	defer func() { _ = f.Close() }()
	return gatus(f, filepath.Dir(path))
}

// Gatus reads a Gatus configuration: endpoints become targets (http, tcp, tls, icmp
// and dns ones), alerting providers become channels where WatchDog has the type,
// conditions become expected statuses and conditions where they map. Gatus's own
// ${VAR} references are kept, for apply to read from the environment as Gatus did.
// Files it names (client.tls) are read relative to the working directory.
func Gatus(r io.Reader) (Result, error) { return gatus(r, ".") }

func gatus(r io.Reader, dir string) (Result, error) {
	raw, err := io.ReadAll(io.LimitReader(r, maxGatusConfig+1))
	if err != nil {
		return Result{}, fmt.Errorf("read gatus config: %w", err)
	}
	if len(raw) > maxGatusConfig {
		return Result{}, fmt.Errorf("read gatus config: larger than %d MiB", maxGatusConfig>>20)
	}
	var cfg gatusConfig
	if err := yaml.NewDecoder(bytes.NewReader(raw)).Decode(&cfg); err != nil {
		if errors.Is(err, io.EOF) {
			return Result{}, errors.New("read gatus config: the file is empty")
		}
		return Result{}, fmt.Errorf("read gatus config: %w", err)
	}
	g := &gatusImport{
		builder:    newBuilder("gatus"),
		dir:        dir,
		channelOf:  map[string]string{},
		overrideOf: map[string]map[string]string{},
		defaults:   map[string]gatusAlert{},
		notCarried: map[string]bool{},
	}
	if err := g.providers(&cfg.Alerting); err != nil {
		return Result{}, err
	}
	for i, ep := range cfg.Endpoints {
		g.endpoint(i, ep)
	}
	for _, ep := range cfg.ExternalEndpoints {
		g.external(ep)
	}
	for _, s := range cfg.Suites {
		g.add(Entry{Object: "suite " + strconv.Quote(displayName(s.Group, s.Name)),
			Skipped: "multi-step suites have no equivalent"})
	}
	if cfg.Maintenance.Kind != 0 {
		g.add(Entry{Object: "maintenance", Skipped: "maintenance windows have no equivalent"})
	}
	return g.result(), nil
}

func displayName(group, name string) string {
	if group != "" {
		return group + "/" + name
	}
	return name
}

// providers turns alerting providers into channels, in the file's order.
func (g *gatusImport) providers(n *yaml.Node) error {
	if n.Kind == 0 {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("read gatus config: line %d: alerting must be a mapping", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		typ := n.Content[i].Value
		var cfg map[string]any
		if err := n.Content[i+1].Decode(&cfg); err != nil {
			g.add(Entry{Object: "alerting provider " + typ, Skipped: "its settings are not a mapping"})
			g.notCarried[typ] = true
			continue
		}
		if da, ok := cfg["default-alert"]; ok {
			var a gatusAlert
			if err := remarshal(da, &a); err == nil {
				g.defaults[typ] = a
			}
		}
		e := Entry{Object: "alerting provider " + typ}
		name := uniqueName(g.channels, "gatus-"+typ, maxChannelName)
		if !g.provider(typ, cfg, name, "alerting."+typ, &e) {
			g.notCarried[typ] = true
			g.add(e)
			continue
		}
		g.channelOf[typ] = name
		g.add(e)
		overrides, _ := cfg["overrides"].([]any)
		for j, o := range overrides {
			ov, _ := o.(map[string]any)
			group, _ := ov["group"].(string)
			oe := Entry{Object: fmt.Sprintf("alerting provider %s override for group %q", typ, group)}
			if group == "" {
				oe.Skipped = "no group"
				g.add(oe)
				continue
			}
			merged := maps.Clone(cfg)
			delete(merged, "overrides")
			for k, v := range ov {
				if k != "group" {
					merged[k] = v
				}
			}
			oname := uniqueName(g.channels, fmt.Sprintf("gatus-%s (%s)", typ, group), maxChannelName)
			if g.provider(typ, merged, oname, fmt.Sprintf("alerting.%s.overrides[%d]", typ, j), &oe) {
				if g.overrideOf[typ] == nil {
					g.overrideOf[typ] = map[string]string{}
				}
				g.overrideOf[typ][group] = oname
			}
			g.add(oe)
		}
	}
	return nil
}

// remarshal decodes a generic YAML value into v.
func remarshal(in, v any) error {
	raw, err := yaml.Marshal(in)
	if err != nil {
		return err
	}
	return yaml.Unmarshal(raw, v)
}

// str reads a provider setting as text, whatever YAML made of it.
func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(x)
	default:
		return fmt.Sprint(x)
	}
}

// provider makes the channel of one alerting provider (or override) named name.
func (g *gatusImport) provider(typ string, cfg map[string]any, name, from string, e *Entry) bool {
	m := g.mark()
	ch := manifest.Channel{Name: name, Config: map[string]any{}}
	secretURL := func(key string) {
		ch.Config["url"] = g.secret(str(cfg[key]), from+"."+key, "CHANNEL", name, "url")
	}
	switch typ {
	case "slack", "discord":
		ch.Type = typ
		secretURL("webhook-url")
	case "teams", "teams-workflows":
		ch.Type = "teams"
		secretURL("webhook-url")
	case "telegram":
		ch.Type = "telegram"
		ch.Config["bot_token"] = g.secret(str(cfg["token"]), from+".token", "CHANNEL", name, "bot_token")
		ch.Config["chat_id"] = str(cfg["id"])
		if api := str(cfg["api-url"]); api != "" {
			e.Dropped = append(e.Dropped, "api-url: WatchDog sends to api.telegram.org")
		}
	case "pagerduty":
		ch.Type = "pagerduty"
		ch.Config["routing_key"] = g.secret(str(cfg["integration-key"]), from+".integration-key", "CHANNEL", name, "routing_key")
	case "ntfy":
		ch.Type = "ntfy"
		ch.Config["topic"] = str(cfg["topic"])
		if u := str(cfg["url"]); u != "" {
			ch.Config["url"] = u
		}
		if tok := str(cfg["token"]); tok != "" {
			ch.Config["token"] = g.secret(tok, from+".token", "CHANNEL", name, "token")
		}
		if p, err := strconv.Atoi(str(cfg["priority"])); err == nil && p != 0 {
			ch.Config["priority"] = p
		}
	case "matrix":
		ch.Type = "matrix"
		server := str(cfg["server-url"])
		if server == "" {
			server = "https://matrix-client.matrix.org" // Gatus's default homeserver
		}
		ch.Config["homeserver_url"] = strings.TrimSuffix(server, "/")
		ch.Config["access_token"] = g.secret(str(cfg["access-token"]), from+".access-token", "CHANNEL", name, "access_token")
		ch.Config["room_id"] = str(cfg["internal-room-id"])
	case "mattermost":
		ch.Type = "mattermost"
		secretURL("webhook-url")
		if c := str(cfg["channel"]); c != "" {
			ch.Config["channel"] = c
		}
	case "rocketchat":
		ch.Type = "rocketchat"
		secretURL("webhook-url")
		if c := str(cfg["channel"]); c != "" {
			ch.Config["channel"] = c
		}
	case "googlechat":
		ch.Type = "googlechat"
		secretURL("webhook-url")
	case "gotify":
		ch.Type = "gotify"
		ch.Config["server_url"] = strings.TrimSuffix(str(cfg["server-url"]), "/")
		ch.Config["token"] = g.secret(str(cfg["token"]), from+".token", "CHANNEL", name, "token")
		// Gatus sends 5 when no priority is set; WatchDog's own default is 8.
		priority := 5
		if p, err := strconv.Atoi(str(cfg["priority"])); err == nil && p != 0 {
			priority = p
		}
		ch.Config["priority"] = priority
		if str(cfg["title"]) != "" {
			e.Dropped = append(e.Dropped, "title: WatchDog's titles name the target and the event")
		}
	case "opsgenie":
		ch.Type = "opsgenie"
		ch.Config["api_key"] = g.secret(str(cfg["api-key"]), from+".api-key", "CHANNEL", name, "api_key")
		// Gatus's default is P1, WatchDog's P3: the alerts keep Gatus's.
		priority := str(cfg["priority"])
		if priority == "" {
			priority = "P1"
		}
		ch.Config["priority"] = priority
		var own []string
		for _, k := range []string{"source", "entity-prefix", "alias-prefix", "tags"} {
			if cfg[k] != nil {
				own = append(own, k)
			}
		}
		if len(own) > 0 {
			e.Dropped = append(e.Dropped, strings.Join(own, ", ")+": WatchDog sets its own")
		}
		e.Changed = append(e.Changed, "alert alias: WatchDog's incident key instead of Gatus's endpoint key, so an alert Gatus left open is not closed by WatchDog")
	case "pushover":
		ch.Type = "pushover"
		ch.Config["app_token"] = g.secret(str(cfg["application-token"]), from+".application-token", "CHANNEL", name, "app_token")
		ch.Config["user_key"] = g.secret(str(cfg["user-key"]), from+".user-key", "CHANNEL", name, "user_key")
		if p, err := strconv.Atoi(str(cfg["priority"])); err == nil && p != 0 {
			if p == 2 {
				e.Changed = append(e.Changed, "emergency priority 2: sent as high (1); WatchDog asks for no acknowledgement")
				p = 1
			}
			ch.Config["priority"] = p
		}
		for _, k := range []string{"sound", "device"} {
			if v := str(cfg[k]); v != "" {
				ch.Config[k] = v
			}
		}
		if str(cfg["title"]) != "" {
			e.Dropped = append(e.Dropped, "title: WatchDog titles each message with its event")
		}
		if str(cfg["resolved-priority"]) != "" {
			e.Dropped = append(e.Dropped, "resolved-priority: WatchDog sends every message at one priority")
		}
		if str(cfg["ttl"]) != "" {
			e.Dropped = append(e.Dropped, "ttl: WatchDog's messages do not expire")
		}
	case "twilio":
		ch.Type = "twilio"
		ch.Config["account_sid"] = str(cfg["sid"])
		ch.Config["auth_token"] = g.secret(str(cfg["token"]), from+".token", "CHANNEL", name, "auth_token")
		ch.Config["from"] = str(cfg["from"])
		ch.Config["to"] = str(cfg["to"])
		var texts []string
		for _, k := range []string{"text-twilio-triggered", "text-twilio-resolved"} {
			if str(cfg[k]) != "" {
				texts = append(texts, k)
			}
		}
		if len(texts) > 0 {
			e.Dropped = append(e.Dropped, strings.Join(texts, ", ")+": WatchDog words each message itself")
		}
	case "zulip":
		ch.Type = "zulip"
		// Gatus takes the server's host name and always speaks https to it.
		if domain := str(cfg["domain"]); strings.Contains(domain, "://") {
			ch.Config["site"] = domain
		} else if domain != "" {
			ch.Config["site"] = "https://" + domain
		}
		ch.Config["email"] = str(cfg["bot-email"])
		ch.Config["api_key"] = g.secret(str(cfg["bot-api-key"]), from+".bot-api-key", "CHANNEL", name, "api_key")
		// Zulip's "to" takes a channel's id as well as its name.
		ch.Config["stream"] = str(cfg["channel-id"])
		// Gatus posts every alert to the topic "Gatus"; WatchDog's default topic is
		// the target's name, which keeps each target's alerts together.
		e.Changed = append(e.Changed, `topic: each endpoint's alerts go to a topic named after it, not all to "Gatus"`)
	case "email":
		ch.Type = "email"
		var to []any
		for a := range strings.SplitSeq(str(cfg["to"]), ",") {
			if a = strings.TrimSpace(a); a != "" {
				to = append(to, a)
			}
		}
		ch.Config["to"] = to
		var smtp []string
		for _, k := range []string{"from", "host", "port", "username", "password"} {
			if str(cfg[k]) != "" {
				smtp = append(smtp, k)
			}
		}
		if len(smtp) > 0 {
			e.Dropped = append(e.Dropped, strings.Join(smtp, ", ")+": WatchDog sends mail with its own SMTP_* settings")
		}
	case "custom":
		ch.Type = "webhook"
		ch.Config["url"] = str(cfg["url"])
		if hs, ok := cfg["headers"].(map[string]any); ok && len(hs) > 0 {
			headers := map[string]any{}
			for _, h := range slices.Sorted(maps.Keys(hs)) {
				headers[h] = g.secret(str(hs[h]), from+".headers."+h, "CHANNEL", name, "headers", h)
			}
			ch.Config["headers"] = headers
		}
		if method := strings.ToUpper(str(cfg["method"])); method != "" && method != "POST" {
			e.Dropped = append(e.Dropped, "method "+method+": WatchDog webhooks POST")
		}
		if str(cfg["body"]) != "" {
			e.Dropped = append(e.Dropped, "body template: WatchDog posts its own JSON payload")
		}
		if cfg["placeholders"] != nil {
			e.Dropped = append(e.Dropped, "placeholders: WatchDog posts its own JSON payload")
		}
	default:
		e.Skipped = "WatchDog has no " + typ + " channel"
		delete(g.channels, name)
		return false
	}
	return g.addChannel(ch, e, m)
}

// gatusType names an endpoint's kind as Gatus decides it, lower-case.
func gatusType(ep gatusEndpoint) string {
	if ep.DNS != nil {
		return "dns"
	}
	if ep.SSH != nil {
		return "ssh"
	}
	u := strings.ToLower(ep.URL)
	for _, p := range []struct{ prefix, typ string }{
		{"http://", "http"}, {"https://", "http"}, {"tcp://", "tcp"}, {"udp://", "udp"},
		{"sctp://", "sctp"}, {"icmp://", "icmp"}, {"tls://", "tls"}, {"starttls://", "starttls"},
		{"ws://", "websocket"}, {"wss://", "websocket"}, {"ssh://", "ssh"},
	} {
		if strings.HasPrefix(u, p.prefix) {
			return p.typ
		}
	}
	return "unknown"
}

// gatusCarried are the endpoint kinds that have a target type.
var gatusCarried = map[string]target.Type{
	"http": target.TypeHTTP, "tcp": target.TypeTCP, "tls": target.TypeTLS, "icmp": target.TypeICMP, "dns": target.TypeDNS,
}

func (g *gatusImport) endpoint(i int, ep gatusEndpoint) {
	name := strings.TrimSpace(ep.Name)
	if name == "" {
		if u, err := url.Parse(ep.URL); err == nil && u.Hostname() != "" {
			name = u.Hostname()
		} else {
			name = fmt.Sprintf("endpoint %d", i+1)
		}
	}
	e := Entry{Object: "endpoint " + strconv.Quote(displayName(ep.Group, name))}
	kind := gatusType(ep)
	typ, carried := gatusCarried[kind]
	if !carried {
		if kind == "unknown" {
			e.Skipped = "not a URL WatchDog can check (http, https, tcp, tls, icmp or a dns endpoint)"
		} else {
			e.Skipped = kind + " endpoint: WatchDog has no " + kind + " checks"
		}
		g.add(e)
		return
	}
	m := g.mark()
	t := manifest.Target{
		Name: uniqueName(g.targets, name, maxTargetName),
		URL:  strings.TrimSpace(ep.URL),
		// Gatus judges each request once and alerts after failure-threshold failed
		// evaluations; retries within a check would make it slower to alert.
		Retries: ptr(0),
		Paused:  ep.Enabled != nil && !*ep.Enabled,
	}
	if typ != target.TypeHTTP {
		t.Type = string(typ)
	}
	if typ == target.TypeDNS {
		u, why := gatusDNSURL(ep)
		if why != "" {
			e.Skipped = why
			delete(g.targets, strings.ToLower(t.Name))
			g.add(e)
			return
		}
		t.URL = u
	}
	if m := strings.ToUpper(strings.TrimSpace(ep.Method)); m != "" && m != "GET" {
		if typ == target.TypeHTTP {
			t.Method = &m
		} else {
			e.Dropped = append(e.Dropped, "method "+m+": "+aKind(kind)+" check sends no request")
		}
	}
	if ep.Group != "" {
		t.Tags = tags([]string{ep.Group}, &e)
	}
	d := gatusDefaultInterval
	if ep.Interval != "" {
		parsed, err := time.ParseDuration(ep.Interval)
		if err != nil || parsed <= 0 {
			e.Changed = append(e.Changed, fmt.Sprintf("interval %q is not a duration: Gatus's default 60s used", ep.Interval))
		} else {
			d = parsed
		}
	}
	shown := ep.Interval
	if shown == "" {
		shown = "60s"
	}
	t.IntervalSeconds = new(interval(int(math.Ceil(d.Seconds())), shown, &e))
	g.client(&t, ep.Client, &e)
	if typ == target.TypeHTTP {
		t.Headers = g.targetHeaders(t.Name, ep.Headers, fmt.Sprintf("endpoint %q header", displayName(ep.Group, name)))
	} else if len(ep.Headers) > 0 {
		e.Dropped = append(e.Dropped, "headers: "+aKind(kind)+" check sends no request")
	}
	if ep.Body != "" {
		what := "body"
		if ep.GraphQL {
			what = "graphql body"
		}
		e.Dropped = append(e.Dropped, what+": WatchDog sends no request body")
	}
	g.conditions(&t, ep.Conditions, &e)
	g.alerts(&t, ep, &e)
	if len(ep.MaintenanceWindows) > 0 {
		e.Dropped = append(e.Dropped, "maintenance windows: no equivalent")
	}
	g.addTarget(t, &e, m)
	g.add(e)
}

// external makes an external endpoint a heartbeat: its job pushed results to Gatus,
// and will ping WatchDog instead (/fail where it pushed success=false).
//
// Gatus judges the heartbeat on a timer of heartbeat.interval: at each tick it fails
// the endpoint when no result came within the last interval, so a missed push is
// noticed between one and two intervals after the last one, and each tick after
// counts one more failure toward the alerts' failure-threshold. The heartbeat's
// period is the interval and its grace one interval too (at least a minute, at most
// a week): WatchDog fails it when Gatus would have at the latest, and once a period
// after that, as Gatus's ticks do. Without heartbeat.interval Gatus never expected a
// push by any time; WatchDog's heartbeat must, and takes its default period.
func (g *gatusImport) external(ep gatusExternal) {
	name := strings.TrimSpace(ep.Name)
	e := Entry{Object: "external endpoint " + strconv.Quote(displayName(ep.Group, name))}
	if name == "" {
		e.Skipped = "no name"
		g.add(e)
		return
	}
	m := g.mark()
	t := manifest.Target{
		Name:   uniqueName(g.targets, name, maxTargetName),
		Type:   string(target.TypeHeartbeat),
		Paused: ep.Enabled != nil && !*ep.Enabled,
	}
	if ep.Group != "" {
		t.Tags = tags([]string{ep.Group}, &e)
	}
	if ep.Heartbeat.Interval == "" {
		e.Changed = append(e.Changed, fmt.Sprintf("no heartbeat interval (Gatus expected pushes at no set time): "+
			"a ping expected every %ds, WatchDog's default; set period_seconds to the job's schedule", target.DefaultPeriodSeconds))
	} else if d, err := time.ParseDuration(ep.Heartbeat.Interval); err != nil || d <= 0 {
		e.Changed = append(e.Changed, fmt.Sprintf("heartbeat interval %q is not a duration: a ping expected every %ds, WatchDog's default",
			ep.Heartbeat.Interval, target.DefaultPeriodSeconds))
	} else {
		period := int(math.Ceil(d.Seconds()))
		if period < MinIntervalSeconds {
			// A ping is awaited as often as a check may run, no more.
			e.Changed = append(e.Changed, fmt.Sprintf("heartbeat interval %s raised to the minimum %ds", ep.Heartbeat.Interval, MinIntervalSeconds))
			period = MinIntervalSeconds
		}
		if period > target.MaxPeriodSeconds {
			e.Changed = append(e.Changed, fmt.Sprintf("heartbeat interval %s lowered to the maximum %ds", ep.Heartbeat.Interval, target.MaxPeriodSeconds))
			period = target.MaxPeriodSeconds
		}
		grace := min(max(period, 60), target.MaxGraceSeconds)
		t.PeriodSeconds, t.GraceSeconds = &period, &grace
		e.Changed = append(e.Changed, fmt.Sprintf("heartbeat: a ping expected every %ds, failing %ds after one is missed "+
			"(Gatus notices a missed push at its next check, up to an interval later)", period, grace))
	}
	g.alerts(&t, gatusEndpoint{Name: name, Group: ep.Group, Alerts: ep.Alerts}, &e)
	if len(ep.MaintenanceWindows) > 0 {
		e.Dropped = append(e.Dropped, "maintenance windows: no equivalent")
	}
	if !g.addTarget(t, &e, m) {
		g.add(e)
		return
	}
	// Gatus's token is a bearer token its push API checks; a ping URL carries its
	// token in the path, and WatchDog issues its own.
	e.Changed = append(e.Changed, "token: Gatus's bearer token is not kept: new ping URL issued; point the job at it "+
		"(watchdog import prints it, the target's page shows it; /fail where it pushed success=false)")
	g.add(e)
}

// gatusDNSURL writes a dns endpoint's query as a dns target's URL: Gatus takes the
// resolver in url ("8.8.8.8", port 53 unless given) and the query under dns
// (query-name, with or without its final dot, and query-type). why says what does
// not fit, when something does not.
func gatusDNSURL(ep gatusEndpoint) (u, why string) {
	resolver := strings.TrimSpace(ep.URL)
	// Gatus hands url to its DNS client as it is, which queries over UDP; a udp://
	// written before it means the same.
	resolver = strings.TrimPrefix(resolver, "udp://")
	if resolver == "" || strings.Contains(resolver, "://") || strings.Contains(resolver, "/") {
		return "", fmt.Sprintf("dns endpoint: resolver %q is not a host or host:port", ep.URL)
	}
	host, port, err := net.SplitHostPort(resolver)
	if err != nil {
		// No port: Gatus adds 53. A bare IPv6 address may be bracketed or not.
		host, port = strings.Trim(resolver, "[]"), strconv.Itoa(target.DefaultDNSPort)
	}
	qname := strings.TrimSuffix(strings.TrimSpace(str(ep.DNS["query-name"])), ".")
	if qname == "" {
		return "", "dns endpoint: no query-name"
	}
	qtype := strings.ToUpper(strings.TrimSpace(str(ep.DNS["query-type"])))
	if qtype == "" {
		return "", "dns endpoint: no query-type"
	}
	if !slices.Contains(target.DNSRecordTypes, qtype) {
		return "", fmt.Sprintf("dns endpoint: WatchDog does not query %s records (it does %s)", qtype, strings.Join(target.DNSRecordTypes, ", "))
	}
	return (&url.URL{Scheme: "dns", Host: net.JoinHostPort(host, port), Path: "/" + qname, RawQuery: "type=" + qtype}).String(), ""
}

// maxPEMFile bounds a certificate or key file read for client.tls.
const maxPEMFile = 1 << 20

// readPEM reads the PEM blocks a file client.tls names (relative to the config's
// directory) whose type keep accepts: only certificates from the certificate file, so
// that a combined file's private key never reaches the document in clear, and only
// the key from the key file.
func (g *gatusImport) readPEM(name, what string, keep func(blockType string) bool) (string, error) {
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(g.dir, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer func() { _ = f.Close() }()
	raw, err := io.ReadAll(io.LimitReader(f, maxPEMFile+1))
	if err != nil {
		return "", err
	}
	if len(raw) > maxPEMFile {
		return "", fmt.Errorf("larger than %d KiB", maxPEMFile>>10)
	}
	var out []byte
	for rest := raw; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if keep(block.Type) {
			out = append(out, pem.EncodeToMemory(block)...)
		}
	}
	if len(out) == 0 {
		return "", fmt.Errorf("holds no PEM %s", what)
	}
	return string(out), nil
}

// clientTLS carries client.tls, the client certificate and key of mutual TLS, read
// from the files it names. A file that cannot be read leaves both out, with a line.
func (g *gatusImport) clientTLS(t *manifest.Target, v any, e *Entry) {
	cfg, _ := v.(map[string]any)
	certFile, keyFile := str(cfg["certificate-file"]), str(cfg["private-key-file"])
	if certFile == "" || keyFile == "" {
		e.Dropped = append(e.Dropped, "client.tls: Gatus needs both certificate-file and private-key-file")
		return
	}
	if !hasCert(*t) {
		e.Dropped = append(e.Dropped, "client.tls: "+aKind(cmp.Or(t.Type, "http"))+" check makes no TLS handshake")
		return
	}
	cert, err := g.readPEM(certFile, "certificate", func(typ string) bool { return typ == "CERTIFICATE" })
	if err != nil {
		e.Dropped = append(e.Dropped, fmt.Sprintf("client.tls: certificate-file %s: %v; carried without mutual TLS", certFile, err))
		return
	}
	key, err := g.readPEM(keyFile, "private key", func(typ string) bool { return strings.HasSuffix(typ, "PRIVATE KEY") })
	if err != nil {
		e.Dropped = append(e.Dropped, fmt.Sprintf("client.tls: private-key-file %s: %v; carried without mutual TLS", keyFile, err))
		return
	}
	t.TLSClientCertPEM = cert
	t.TLSClientKeyPEM = g.secret(key, "client.tls.private-key-file "+keyFile, "TARGET", t.Name, "tls_client_key_pem")
	if r := str(cfg["renegotiation"]); r != "" && r != "never" {
		e.Dropped = append(e.Dropped, "client.tls.renegotiation "+r+": WatchDog never renegotiates")
	}
}

// hasCert says whether t's check sees a certificate: https and tls targets.
func hasCert(t manifest.Target) bool {
	return t.Type == string(target.TypeTLS) || (t.Type == "" && strings.HasPrefix(strings.ToLower(t.URL), "https://"))
}

// client carries the client settings that have an equivalent.
func (g *gatusImport) client(t *manifest.Target, client map[string]any, e *Entry) {
	for _, k := range slices.Sorted(maps.Keys(client)) {
		v := client[k]
		switch k {
		case "timeout":
			d, err := time.ParseDuration(str(v))
			if err != nil || d <= 0 {
				e.Dropped = append(e.Dropped, fmt.Sprintf("client.timeout %q: not a duration", str(v)))
				continue
			}
			t.TimeoutSeconds = timeout(int(math.Ceil(d.Seconds())), *t.IntervalSeconds, str(v), e)
		case "insecure":
			switch {
			case v != true:
			case hasCert(*t):
				t.TLSSkipVerify = ptr(true)
				e.Changed = append(e.Changed, "client.insecure: the certificate is not verified (tls_skip_verify)")
			case t.Type == "":
				// Plain http: nothing to verify, nothing to say.
			default:
				e.Dropped = append(e.Dropped, "client.insecure: "+aKind(t.Type)+" check makes no TLS handshake")
			}
		case "tls":
			g.clientTLS(t, v, e)
		case "ignore-redirect":
			if v == true {
				e.Dropped = append(e.Dropped, "client.ignore-redirect: WatchDog follows redirects")
			}
		case "network":
			// ip (either family) is Gatus's default and WatchDog's behaviour.
			if n := str(v); n != "" && n != "ip" {
				e.Dropped = append(e.Dropped, "client.network "+n+": WatchDog uses either address family")
			}
		default:
			e.Dropped = append(e.Dropped, "client."+k+": no equivalent")
		}
	}
}

// alerts subscribes the target to the channels of its enabled alerts and carries the
// alerts' thresholds.
func (g *gatusImport) alerts(t *manifest.Target, ep gatusEndpoint, e *Entry) {
	var fails, succeeds []int
	for _, a := range ep.Alerts {
		def := g.defaults[a.Type]
		enabled := true
		switch {
		case a.Enabled != nil:
			enabled = *a.Enabled
		case def.Enabled != nil:
			enabled = *def.Enabled
		}
		label := "alert " + a.Type
		if !enabled {
			e.Dropped = append(e.Dropped, label+": disabled in Gatus")
			continue
		}
		name, ok := g.overrideOf[a.Type][ep.Group]
		if !ok {
			name, ok = g.channelOf[a.Type]
		}
		if !ok {
			if g.notCarried[a.Type] {
				e.Dropped = append(e.Dropped, label+": its alerting provider was not carried over")
			} else {
				e.Dropped = append(e.Dropped, label+": no such alerting provider is configured")
			}
			continue
		}
		if !slices.Contains(t.Channels, name) {
			t.Channels = append(t.Channels, name)
		}
		if len(a.ProviderOverride) > 0 {
			e.Dropped = append(e.Dropped, label+": provider-override: the channel's own settings are used")
		}
		if f := cmp.Or(a.FailureThreshold, def.FailureThreshold); f > 0 {
			fails = append(fails, f)
		}
		if s := cmp.Or(a.SuccessThreshold, def.SuccessThreshold); s > 0 {
			succeeds = append(succeeds, s)
		}
	}
	t.FailureThreshold = threshold(fails, "failure", e)
	t.SuccessThreshold = threshold(succeeds, "success", e)
}

// threshold is the smallest of the alerts' thresholds (the first alert to fire),
// within the API's bound; nil when no alert has one.
func threshold(values []int, what string, e *Entry) *int {
	if len(values) == 0 {
		return nil
	}
	v := slices.Min(values)
	if slices.Max(values) != v {
		e.Changed = append(e.Changed, fmt.Sprintf("alerts with %s thresholds %s: the smallest, %d, used", what, joinInts(values), v))
	}
	if v > target.MaxThreshold {
		e.Changed = append(e.Changed, fmt.Sprintf("%s threshold %d lowered to the maximum %d", what, v, target.MaxThreshold))
		v = target.MaxThreshold
	}
	return &v
}

func joinInts(vs []int) string {
	vs = slices.Compact(slices.Sorted(slices.Values(vs)))
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = strconv.Itoa(v)
	}
	return strings.Join(parts, ", ")
}

// gatusOps are Gatus's comparators, in the order it looks for them.
var gatusOps = []string{"==", "!=", "<=", ">=", ">", "<"}

// splitCondition splits "<left> <op> <right>".
func splitCondition(c string) (left, op, right string, ok bool) {
	for _, o := range gatusOps {
		if l, r, found := strings.Cut(c, " "+o+" "); found {
			return strings.TrimSpace(l), o, strings.TrimSpace(r), true
		}
	}
	return "", "", "", false
}

func isPlaceholder(s string) bool {
	return strings.HasPrefix(s, "[") || strings.HasPrefix(s, "len(") || strings.HasPrefix(s, "has(")
}

// flip turns "a op b" into "b op' a".
func flip(op string) string {
	switch op {
	case "<":
		return ">"
	case "<=":
		return ">="
	case ">":
		return "<"
	case ">=":
		return "<="
	}
	return op
}

// call reads "fn(args)" and returns args.
func call(s, fn string) (string, bool) {
	if strings.HasPrefix(s, fn+"(") && strings.HasSuffix(s, ")") {
		return s[len(fn)+1 : len(s)-1], true
	}
	return "", false
}

func anyValues(args string) []string {
	var out []string
	for v := range strings.SplitSeq(args, ",") {
		out = append(out, strings.TrimSpace(v))
	}
	return out
}

// conditions carries the conditions that map: [STATUS] to the expected status,
// [RESPONSE_TIME] to latency conditions, [BODY] to body and json conditions (to answer
// conditions on a dns endpoint), [CERTIFICATE_EXPIRATION] to cert_days and
// [DNS_RCODE] to rcode conditions.
func (g *gatusImport) conditions(t *manifest.Target, conds []string, e *Entry) {
	status, statusSeen := allStatuses(), false
	kind := cmp.Or(t.Type, string(target.TypeHTTP))
	for _, raw := range conds {
		c := strings.TrimSpace(raw)
		left, op, right, ok := splitCondition(c)
		if !ok {
			e.Dropped = append(e.Dropped, fmt.Sprintf("condition %s: not understood", c))
			continue
		}
		if isPlaceholder(right) && !isPlaceholder(left) {
			left, right, op = right, left, flip(op)
		}
		noEquivalent := func() { e.Dropped = append(e.Dropped, fmt.Sprintf("condition %s: no equivalent", c)) }
		switch {
		case left == "[CERTIFICATE_EXPIRATION]":
			if !hasCert(*t) {
				e.Dropped = append(e.Dropped, fmt.Sprintf("condition %s: %s check sees no certificate", c, aKind(kindOf(*t))))
				continue
			}
			cond, rounded, ok := certDaysCondition(op, right)
			if !ok {
				noEquivalent()
				continue
			}
			if rounded {
				e.Changed = append(e.Changed, fmt.Sprintf("condition %s: rounded up to %s whole days", c, cond.Value))
			}
			addCondition(t, cond, c, e)
		case left == "[DNS_RCODE]" && kind == string(target.TypeDNS):
			rcode := strings.ToUpper(right)
			if (op != "==" && op != "!=") || !slices.Contains(target.DNSRcodes, rcode) {
				noEquivalent()
				continue
			}
			addCondition(t, manifest.Condition{Type: target.ConditionRcode, Op: op, Value: rcode}, c, e)
		case left == "[BODY]" && kind == string(target.TypeDNS):
			cond, ok := answerCondition(op, right)
			if !ok {
				noEquivalent()
				continue
			}
			addCondition(t, cond, c, e)
		case kind != string(target.TypeHTTP) && left == "[CONNECTED]" && op == "==" && right == "true":
			e.Changed = append(e.Changed, fmt.Sprintf("condition %s: implied: %s target is down when %s", c, aKind(kind), downWhen[kind]))
		case kind != string(target.TypeHTTP) && (left == "[STATUS]" || strings.HasPrefix(left, "[BODY]") || strings.HasPrefix(left, "has(")):
			e.Dropped = append(e.Dropped, fmt.Sprintf("condition %s: %s check gets no HTTP answer", c, aKind(kind)))
		case left == "[STATUS]":
			f, ok := statusFilter(op, right)
			if !ok {
				noEquivalent()
				continue
			}
			status.keep(f)
			statusSeen = true
		case left == "[RESPONSE_TIME]":
			ms, err := strconv.Atoi(right)
			if err != nil || (op != "<" && op != "<=") {
				noEquivalent()
				continue
			}
			addCondition(t, manifest.Condition{Type: target.ConditionLatency, Op: op, Value: strconv.Itoa(ms)}, c, e)
		case left == "[CONNECTED]":
			if op == "==" && right == "true" {
				e.Changed = append(e.Changed, fmt.Sprintf("condition %s: implied by any HTTP answer", c))
				continue
			}
			noEquivalent()
		case left == "[BODY]":
			cond, ok := bodyCondition(op, right)
			if !ok {
				noEquivalent()
				continue
			}
			addCondition(t, cond, c, e)
		case strings.HasPrefix(left, "[BODY]"):
			cond, ok := jsonCondition(jsonPath(left), op, right)
			if !ok {
				noEquivalent()
				continue
			}
			addCondition(t, cond, c, e)
		default:
			inner, isHas := call(left, "has")
			if !isHas || !strings.HasPrefix(inner, "[BODY]") || inner == "[BODY]" || op != "==" || (right != "true" && right != "false") {
				noEquivalent()
				continue
			}
			cond := manifest.Condition{Type: target.ConditionJSON, Path: jsonPath(inner), Op: target.OpExists}
			if right == "false" {
				cond.Op = target.OpNotExists
			}
			addCondition(t, cond, c, e)
		}
	}
	switch s := status.String(); {
	case kind != string(target.TypeHTTP):
		// Only an HTTP answer has a status.
	case !statusSeen:
		t.ExpectedStatus = new("100-599")
		e.Changed = append(e.Changed, "no [STATUS] condition: every status code counts as up, as in Gatus")
	case s == "":
		e.Dropped = append(e.Dropped, "[STATUS] conditions: together they accept no status code; the default 200-399 used")
	default:
		t.ExpectedStatus = &s
	}
}

// downWhen says, per type, when a target is down without any condition: what Gatus's
// [CONNECTED] == true asks.
var downWhen = map[string]string{
	string(target.TypeTCP):  "the connection does not open",
	string(target.TypeTLS):  "the connection or its handshake fails",
	string(target.TypeICMP): "no echo reply comes back",
	string(target.TypeDNS):  "the resolver does not answer",
}

// aKind is kind with its article: "a tcp", "an icmp".
func aKind(kind string) string {
	if kind == "http" || kind == "https" || kind == "icmp" {
		return "an " + kind
	}
	return "a " + kind
}

func kindOf(t manifest.Target) string {
	if t.Type == "" {
		return strings.SplitN(t.URL, ":", 2)[0]
	}
	return t.Type
}

// certDaysCondition reads "[CERTIFICATE_EXPIRATION] > 48h" as a cert_days condition:
// Gatus compares a duration (or milliseconds), WatchDog whole days, so a part of a day
// is rounded up (the check asks for at least as much), and rounded says so.
func certDaysCondition(op, right string) (c manifest.Condition, rounded, ok bool) {
	if op != ">" && op != ">=" {
		return manifest.Condition{}, false, false
	}
	d, err := time.ParseDuration(right)
	if err != nil {
		ms, err := strconv.ParseInt(right, 10, 64)
		if err != nil {
			return manifest.Condition{}, false, false
		}
		d = time.Duration(ms) * time.Millisecond
	}
	if d < 0 {
		return manifest.Condition{}, false, false
	}
	const day = 24 * time.Hour
	days := int64(d / day)
	if d%day != 0 {
		days++
		rounded = true
	}
	return manifest.Condition{Type: target.ConditionCertDays, Op: op, Value: strconv.FormatInt(days, 10)}, rounded, true
}

// answerCondition maps a comparison of a dns endpoint's [BODY], the answer's record
// as text: a value to ==, a pattern or a choice to an anchored regexp.
func answerCondition(op, right string) (manifest.Condition, bool) {
	if op != "==" && op != "!=" {
		return manifest.Condition{}, false
	}
	neg := op == "!="
	c := manifest.Condition{Type: target.ConditionAnswer}
	switch glob, isPat := call(right, "pat"); {
	case isPat:
		c.Op, c.Value = pick(neg, target.OpNotMatches, target.OpMatches), globRegexp(glob)
	default:
		if args, isAny := call(right, "any"); isAny {
			c.Op, c.Value = pick(neg, target.OpNotMatches, target.OpMatches), anyRegexp(anyValues(args))
		} else if neg {
			c.Op, c.Value = target.OpNotMatches, "^"+regexp.QuoteMeta(right)+"$"
		} else {
			c.Op, c.Value = "==", right
		}
	}
	return c, true
}

// statusFilter reads a [STATUS] comparison as a test of a code.
func statusFilter(op, right string) (func(int) bool, bool) {
	if args, ok := call(right, "any"); ok {
		if op != "==" {
			return nil, false
		}
		var codes []int
		for _, v := range anyValues(args) {
			n, err := strconv.Atoi(v)
			if err != nil {
				return nil, false
			}
			codes = append(codes, n)
		}
		return func(c int) bool { return slices.Contains(codes, c) }, true
	}
	n, err := strconv.Atoi(right)
	if err != nil {
		return nil, false
	}
	return map[string]func(int) bool{
		"==": func(c int) bool { return c == n },
		"!=": func(c int) bool { return c != n },
		"<":  func(c int) bool { return c < n },
		"<=": func(c int) bool { return c <= n },
		">":  func(c int) bool { return c > n },
		">=": func(c int) bool { return c >= n },
	}[op], true
}

// globRegexp turns a Gatus pat() pattern, where * is any run of characters, into an
// anchored regexp.
func globRegexp(glob string) string {
	parts := strings.Split(glob, "*")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return "(?s)^" + strings.Join(parts, ".*") + "$"
}

// anyRegexp matches exactly one of values.
func anyRegexp(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = regexp.QuoteMeta(v)
	}
	return "^(?:" + strings.Join(quoted, "|") + ")$"
}

// bodyCondition maps a comparison of the whole body.
func bodyCondition(op, right string) (manifest.Condition, bool) {
	if op != "==" && op != "!=" {
		return manifest.Condition{}, false
	}
	neg := op == "!="
	c := manifest.Condition{Type: target.ConditionBody}
	if glob, ok := call(right, "pat"); ok {
		inner := strings.TrimSuffix(strings.TrimPrefix(glob, "*"), "*")
		if len(glob) > 2 && strings.HasPrefix(glob, "*") && strings.HasSuffix(glob, "*") && !strings.Contains(inner, "*") {
			c.Op, c.Value = pick(neg, target.OpNotContains, target.OpContains), inner
			return c, true
		}
		c.Op, c.Value = pick(neg, target.OpNotMatches, target.OpMatches), globRegexp(glob)
		return c, true
	}
	if args, ok := call(right, "any"); ok {
		c.Op, c.Value = pick(neg, target.OpNotMatches, target.OpMatches), anyRegexp(anyValues(args))
		return c, true
	}
	c.Op, c.Value = pick(neg, target.OpNotMatches, target.OpMatches), "^"+regexp.QuoteMeta(right)+"$"
	return c, true
}

func pick(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}

// jsonPath turns Gatus's [BODY].a.b[0] into $.a.b[0].
func jsonPath(placeholder string) string {
	return "$" + strings.TrimPrefix(placeholder, "[BODY]")
}

// jsonCondition maps a comparison of one field of a JSON body.
func jsonCondition(path, op, right string) (manifest.Condition, bool) {
	c := manifest.Condition{Type: target.ConditionJSON, Path: path, Op: op}
	if glob, ok := call(right, "pat"); ok {
		if op != "==" {
			return manifest.Condition{}, false
		}
		c.Op, c.Value = target.OpMatches, globRegexp(glob)
		return c, true
	}
	if args, ok := call(right, "any"); ok {
		if op != "==" {
			return manifest.Condition{}, false
		}
		c.Op, c.Value = target.OpMatches, anyRegexp(anyValues(args))
		return c, true
	}
	c.Value = right
	if right == "" {
		c.Value = `""`
	}
	return c, true
}
