package importer

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net/url"
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
	ExternalEndpoints []gatusNamed    `yaml:"external-endpoints"`
	Suites            []gatusNamed    `yaml:"suites"`
	// Alerting is kept as a node so that providers are read in the file's order.
	Alerting    yaml.Node `yaml:"alerting"`
	Maintenance yaml.Node `yaml:"maintenance"`
}

type gatusNamed struct {
	Name  string `yaml:"name"`
	Group string `yaml:"group"`
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
	// channel names, by provider type and by provider type and group (overrides).
	channelOf  map[string]string
	overrideOf map[string]map[string]string
	defaults   map[string]gatusAlert
	notCarried map[string]bool
}

// Gatus reads a Gatus configuration file: endpoints become targets, alerting providers
// become channels where WatchDog has the type, conditions become expected statuses and
// conditions where they map. Gatus's own ${VAR} references are kept, for apply to read
// from the environment as Gatus did.
func Gatus(r io.Reader) (Result, error) {
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
		g.add(Entry{Object: "external endpoint " + strconv.Quote(displayName(ep.Group, ep.Name)),
			Skipped: "its results are pushed by another system; WatchDog checks URLs itself"})
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
	if typ := gatusType(ep); typ != "http" {
		if typ == "unknown" {
			e.Skipped = "not an http(s) URL: WatchDog checks HTTP(S) only"
		} else {
			e.Skipped = typ + " endpoint: WatchDog checks HTTP(S) only"
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
	if m := strings.ToUpper(strings.TrimSpace(ep.Method)); m != "" && m != "GET" {
		t.Method = &m
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
	t.Headers = g.targetHeaders(t.Name, ep.Headers, fmt.Sprintf("endpoint %q header", displayName(ep.Group, name)))
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
			if v == true {
				e.Dropped = append(e.Dropped, "client.insecure: WatchDog always verifies TLS certificates")
			}
		case "ignore-redirect":
			if v == true {
				e.Dropped = append(e.Dropped, "client.ignore-redirect: WatchDog follows redirects")
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
// [RESPONSE_TIME] to latency conditions, [BODY] to body and json conditions.
func (g *gatusImport) conditions(t *manifest.Target, conds []string, e *Entry) {
	status, statusSeen := allStatuses(), false
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
	case !statusSeen:
		t.ExpectedStatus = new("100-599")
		e.Changed = append(e.Changed, "no [STATUS] condition: every status code counts as up, as in Gatus")
	case s == "":
		e.Dropped = append(e.Dropped, "[STATUS] conditions: together they accept no status code; the default 200-399 used")
	default:
		t.ExpectedStatus = &s
	}
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
