package importer

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/watchdog-monitor/watchdog/backend/internal/manifest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// maxKumaBackup bounds a JSON backup read into memory (monitors and notifications
// only; 1.x backups carry no heartbeats).
const maxKumaBackup = 64 << 20

// kumaMonitor is a monitor as the database and the JSON backup both hold it.
type kumaMonitor struct {
	ID                               int64
	Name, Type, URL, Method          string
	Interval, RetryInterval          int
	MaxRetries                       int
	Timeout                          float64
	Active                           bool
	Keyword                          string
	InvertKeyword                    bool
	JSONPath, ExpectedValue          string
	JSONPathOperator                 string
	AcceptedStatus                   []string
	Headers, Body                    string
	AuthMethod, BasicUser, BasicPass string
	IgnoreTLS, UpsideDown            bool
	// MaxRedirects is -1 when the source does not say.
	MaxRedirects  int
	Parent        int64
	Notifications []int64
	// Hostname and Port address port, ping and dns monitors (for dns, the name
	// looked up and the resolver's port).
	Hostname string
	Port     int
	// DNSServer is a dns monitor's resolvers, comma separated; DNSType its record type.
	DNSServer, DNSType string
	// PushToken is a push monitor's part of its push URL.
	PushToken string
	// ExpiryNotification is nil when the source does not say (an older schema).
	ExpiryNotification *bool
	// TLS of the mtls authentication method: a CA, a client certificate and its key.
	TLSCA, TLSCert, TLSKey string
	// Conditions are 2.0's condition expressions (a dns monitor's on its records), JSON.
	Conditions string
}

// kumaNotification is a notification with its config, a JSON text.
type kumaNotification struct {
	ID        int64
	Name      string
	Config    string
	IsDefault bool
	// Active is false for a notification switched off in Kuma.
	Active bool
}

// KumaOptions say how to import from Uptime Kuma.
type KumaOptions struct {
	// KeepPushTokens keeps a push monitor's token as its heartbeat's ping token, so
	// that the job pinging it only changes the URL's host and path; a token too weak
	// to be a ping token (under 128 bits) is replaced all the same, and reported.
	KeepPushTokens bool
}

// UptimeKuma reads an Uptime Kuma database: its kuma.db SQLite file (1.x or 2.x), or a
// 1.x JSON backup, told apart by content. HTTP, keyword and JSON-query monitors become
// http targets, port, ping and dns monitors tcp, icmp and dns targets, push monitors
// heartbeats; notifications become channels where WatchDog has the type.
func UptimeKuma(path string, opts KumaOptions) (Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return Result{}, fmt.Errorf("open uptime kuma file: %w", err)
	}
	head := make([]byte, 16)
	n, err := io.ReadFull(f, head)
	_ = f.Close()
	if err != nil && n == 0 {
		return Result{}, fmt.Errorf("read uptime kuma file: %w", err)
	}
	head = head[:n]
	var monitors []kumaMonitor
	var notifications []kumaNotification
	switch {
	case bytes.Equal(head, []byte("SQLite format 3\x00")):
		monitors, notifications, err = readKumaDB(context.Background(), path)
	case bytes.HasPrefix(bytes.TrimLeft(head, " \t\r\n\ufeff"), []byte("{")):
		monitors, notifications, err = readKumaBackup(path)
	default:
		return Result{}, fmt.Errorf("%s is neither an Uptime Kuma database (kuma.db) nor a JSON backup", path)
	}
	if err != nil {
		return Result{}, err
	}
	return convertKuma(monitors, notifications, opts), nil
}

// readKumaDB reads monitors and notifications from kuma.db, read-only.
func readKumaDB(ctx context.Context, path string) ([]kumaMonitor, []kumaNotification, error) {
	db, err := openSQLiteReadOnly(ctx, path)
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = db.Close() }()
	rows, err := selectRows(ctx, db, "monitor", []string{"id", "name", "type", "url", "method", "interval",
		"retry_interval", "maxretries", "timeout", "active", "keyword", "invert_keyword", "json_path",
		"expected_value", "json_path_operator", "accepted_statuscodes_json", "headers", "body", "auth_method",
		"basic_auth_user", "basic_auth_pass", "ignore_tls", "upside_down", "maxredirects", "parent",
		"hostname", "port", "dns_resolve_server", "dns_resolve_type", "push_token", "expiry_notification",
		"tls_ca", "tls_cert", "tls_key", "conditions"})
	if err != nil {
		return nil, nil, fmt.Errorf("%s is not an Uptime Kuma database: %w", path, err)
	}
	links, err := selectRows(ctx, db, "monitor_notification", []string{"monitor_id", "notification_id"})
	if err != nil {
		return nil, nil, fmt.Errorf("read uptime kuma database: %w", err)
	}
	byMonitor := map[int64][]int64{}
	for _, l := range links {
		byMonitor[asInt64(l["monitor_id"])] = append(byMonitor[asInt64(l["monitor_id"])], asInt64(l["notification_id"]))
	}
	var monitors []kumaMonitor
	for _, r := range rows {
		m := kumaMonitor{
			ID: asInt64(r["id"]), Name: asString(r["name"]), Type: asString(r["type"]), URL: asString(r["url"]),
			Method: asString(r["method"]), Interval: asInt(r["interval"]), RetryInterval: asInt(r["retry_interval"]),
			MaxRetries: asInt(r["maxretries"]), Timeout: asFloat(r["timeout"]), Active: asBool(r["active"], true),
			Keyword: asString(r["keyword"]), InvertKeyword: asBool(r["invert_keyword"], false),
			JSONPath: asString(r["json_path"]), ExpectedValue: asString(r["expected_value"]),
			JSONPathOperator: asString(r["json_path_operator"]), Headers: asString(r["headers"]),
			Body: asString(r["body"]), AuthMethod: asString(r["auth_method"]), BasicUser: asString(r["basic_auth_user"]),
			BasicPass: asString(r["basic_auth_pass"]), IgnoreTLS: asBool(r["ignore_tls"], false),
			UpsideDown: asBool(r["upside_down"], false), MaxRedirects: -1, Parent: asInt64(r["parent"]),
			Notifications: byMonitor[asInt64(r["id"])],
			Hostname:      asString(r["hostname"]), Port: asInt(r["port"]), DNSServer: asString(r["dns_resolve_server"]),
			DNSType: asString(r["dns_resolve_type"]), PushToken: asString(r["push_token"]),
			TLSCA: asString(r["tls_ca"]), TLSCert: asString(r["tls_cert"]), TLSKey: asString(r["tls_key"]),
			Conditions: asString(r["conditions"]),
		}
		if r["expiry_notification"] != nil {
			m.ExpiryNotification = ptr(asBool(r["expiry_notification"], false))
		}
		if r["maxredirects"] != nil {
			m.MaxRedirects = asInt(r["maxredirects"])
		}
		if s := asString(r["accepted_statuscodes_json"]); s != "" {
			if err := json.Unmarshal([]byte(s), &m.AcceptedStatus); err != nil {
				m.AcceptedStatus = []string{s}
			}
		}
		monitors = append(monitors, m)
	}
	nrows, err := selectRows(ctx, db, "notification", []string{"id", "name", "config", "is_default", "active"})
	if err != nil {
		return nil, nil, fmt.Errorf("read uptime kuma database: %w", err)
	}
	var notifications []kumaNotification
	for _, r := range nrows {
		notifications = append(notifications, kumaNotification{ID: asInt64(r["id"]), Name: asString(r["name"]),
			Config: asString(r["config"]), IsDefault: asBool(r["is_default"], false), Active: asBool(r["active"], true)})
	}
	return monitors, notifications, nil
}

// kumaBackup is a 1.x JSON backup, as Settings → Backup → Export wrote it.
type kumaBackup struct {
	Version          string           `json:"version"`
	NotificationList []map[string]any `json:"notificationList"`
	// MonitorList is an array of monitors; some versions wrote an object keyed by id.
	MonitorList json.RawMessage `json:"monitorList"`
}

func readKumaBackup(path string) ([]kumaMonitor, []kumaNotification, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("open uptime kuma backup: %w", err)
	}
	defer func() { _ = f.Close() }()
	raw, err := io.ReadAll(io.LimitReader(f, maxKumaBackup+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read uptime kuma backup: %w", err)
	}
	if len(raw) > maxKumaBackup {
		return nil, nil, fmt.Errorf("read uptime kuma backup: larger than %d MiB", maxKumaBackup>>20)
	}
	var b kumaBackup
	// Windows editors save a byte-order mark, which JSON does not allow.
	raw = bytes.TrimPrefix(raw, []byte("\ufeff"))
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&b); err != nil {
		return nil, nil, fmt.Errorf("read uptime kuma backup: %w", err)
	}
	if b.MonitorList == nil && b.NotificationList == nil {
		return nil, nil, fmt.Errorf("%s is not an Uptime Kuma backup: it has no monitorList or notificationList", path)
	}
	var list []map[string]any
	if trimmed := bytes.TrimSpace(b.MonitorList); len(trimmed) > 0 && trimmed[0] == '{' {
		var byID map[string]map[string]any
		if err := decodeNumbers(trimmed, &byID); err != nil {
			return nil, nil, fmt.Errorf("read uptime kuma backup: monitorList: %w", err)
		}
		for _, m := range byID {
			list = append(list, m)
		}
	} else if len(trimmed) > 0 && string(trimmed) != "null" {
		if err := decodeNumbers(trimmed, &list); err != nil {
			return nil, nil, fmt.Errorf("read uptime kuma backup: monitorList: %w", err)
		}
	}
	var monitors []kumaMonitor
	for _, r := range list {
		m := kumaMonitor{
			ID: asInt64(r["id"]), Name: asString(r["name"]), Type: asString(r["type"]), URL: asString(r["url"]),
			Method: asString(r["method"]), Interval: asInt(r["interval"]), RetryInterval: asInt(r["retryInterval"]),
			MaxRetries: asInt(r["maxretries"]), Timeout: asFloat(r["timeout"]), Active: asBool(r["active"], true),
			Keyword: asString(r["keyword"]), InvertKeyword: asBool(r["invertKeyword"], false),
			JSONPath: asString(r["jsonPath"]), ExpectedValue: asString(r["expectedValue"]),
			JSONPathOperator: asString(r["jsonPathOperator"]), Headers: asString(r["headers"]),
			Body: asString(r["body"]), AuthMethod: asString(r["authMethod"]), BasicUser: asString(r["basic_auth_user"]),
			BasicPass: asString(r["basic_auth_pass"]), IgnoreTLS: asBool(r["ignoreTls"], false),
			UpsideDown: asBool(r["upsideDown"], false), MaxRedirects: -1, Parent: asInt64(r["parent"]),
			Hostname: asString(r["hostname"]), Port: asInt(r["port"]), DNSServer: asString(r["dns_resolve_server"]),
			DNSType: asString(r["dns_resolve_type"]), PushToken: asString(r["pushToken"]),
			TLSCA: asString(r["tlsCa"]), TLSCert: asString(r["tlsCert"]), TLSKey: asString(r["tlsKey"]),
		}
		if conds, ok := r["conditions"].([]any); ok && len(conds) > 0 {
			raw, _ := json.Marshal(conds)
			m.Conditions = string(raw)
		} else if text, ok := r["conditions"].(string); ok {
			m.Conditions = text
		}
		if r["expiryNotification"] != nil {
			m.ExpiryNotification = ptr(asBool(r["expiryNotification"], false))
		}
		if r["maxredirects"] != nil {
			m.MaxRedirects = asInt(r["maxredirects"])
		}
		if codes, ok := r["accepted_statuscodes"].([]any); ok {
			for _, c := range codes {
				m.AcceptedStatus = append(m.AcceptedStatus, asString(c))
			}
		}
		if ids, ok := r["notificationIDList"].(map[string]any); ok {
			for id, on := range ids {
				if n, err := strconv.ParseInt(id, 10, 64); err == nil && asBool(on, false) {
					m.Notifications = append(m.Notifications, n)
				}
			}
			slices.Sort(m.Notifications)
		}
		monitors = append(monitors, m)
	}
	slices.SortFunc(monitors, func(a, b kumaMonitor) int { return int(a.ID - b.ID) })
	var notifications []kumaNotification
	for _, r := range b.NotificationList {
		n := kumaNotification{ID: asInt64(r["id"]), Name: asString(r["name"]), Config: asString(r["config"]),
			IsDefault: asBool(r["isDefault"], false) || asBool(r["is_default"], false), Active: asBool(r["active"], true)}
		if n.Config == "" {
			// Some exports inline the config object.
			if obj, ok := r["config"].(map[string]any); ok {
				raw, _ := json.Marshal(obj)
				n.Config = string(raw)
			}
		}
		notifications = append(notifications, n)
	}
	slices.SortFunc(notifications, func(a, b kumaNotification) int { return int(a.ID - b.ID) })
	return monitors, notifications, nil
}

func decodeNumbers(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(v)
}

// The converters read a value whatever the source made of it: SQLite gives int64,
// float64 and string; JSON gives json.Number, bool and string.

func asString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case map[string]any, []any:
		return ""
	}
	return fmt.Sprint(v)
}

func asFloat(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case int32:
		return float64(x)
	case int64:
		return float64(x)
	case float32:
		return float64(x)
	case float64:
		return x
	case json.Number:
		f, _ := x.Float64()
		return f
	case string:
		f, _ := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f
	case bool:
		if x {
			return 1
		}
	}
	return 0
}

func asInt64(v any) int64 {
	if x, ok := v.(int64); ok {
		return x
	}
	return int64(math.Round(asFloat(v)))
}

func asInt(v any) int { return int(asInt64(v)) }

// asBool reads a boolean; def when absent or unreadable.
func asBool(v any, def bool) bool {
	switch x := v.(type) {
	case bool:
		return x
	case nil:
		return def
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "1", "true":
			return true
		case "0", "false", "":
			return false
		}
		return def
	}
	return asFloat(v) != 0
}

// kumaImport is one Uptime Kuma import under way.
type kumaImport struct {
	*builder
	// channel names of the notifications carried over, by id; the names of the others.
	channelOf map[int64]string
	skipped   map[int64]string
	opts      KumaOptions
}

func convertKuma(monitors []kumaMonitor, notifications []kumaNotification, opts KumaOptions) Result {
	k := &kumaImport{builder: newBuilder("uptime-kuma"), channelOf: map[int64]string{}, skipped: map[int64]string{}, opts: opts}
	k.literal = true
	for _, n := range notifications {
		k.notification(n)
	}
	byID := map[int64]kumaMonitor{}
	members := map[int64]int{}
	for _, m := range monitors {
		byID[m.ID] = m
		if m.Parent != 0 {
			members[m.Parent]++
		}
	}
	for _, m := range monitors {
		e := Entry{Object: "monitor " + strconv.Quote(kumaName(m))}
		switch typ := strings.ToLower(m.Type); typ {
		case "http", "keyword", "json-query", "real-browser", "port", "ping", "dns", "push":
			if m.UpsideDown {
				e.Skipped = "upside-down mode: WatchDog has no inverted checks"
				k.add(e)
				continue
			}
			k.monitor(m, groupTags(m, byID), &e)
		case "group":
			e.Skipped = "group monitor: WatchDog has no groups"
			if members[m.ID] > 0 {
				e.Skipped += fmt.Sprintf("; its name is a tag on its %d members", members[m.ID])
			}
		case "":
			e.Skipped = "no monitor type"
		default:
			e.Skipped = typ + " monitor: WatchDog has no " + typ + " checks"
		}
		k.add(e)
	}
	return k.result()
}

func kumaName(m kumaMonitor) string {
	if strings.TrimSpace(m.Name) != "" {
		return strings.TrimSpace(m.Name)
	}
	return fmt.Sprintf("monitor %d", m.ID)
}

// groupTags names the groups m is in, outermost first: Kuma's groups become tags.
func groupTags(m kumaMonitor, byID map[int64]kumaMonitor) []string {
	var names []string
	seen := map[int64]bool{}
	for p := m.Parent; p != 0 && !seen[p]; p = byID[p].Parent {
		seen[p] = true
		parent, ok := byID[p]
		if !ok {
			break
		}
		names = append([]string{kumaName(parent)}, names...)
	}
	return names
}

// kumaPath reads a json-query expression that is a plain path (status, data.items[0].id,
// $.status); JSONata beyond that has no equivalent.
var kumaPath = regexp.MustCompile(`^\$?(\.?[A-Za-z_][A-Za-z0-9_]*|\[[0-9]+\])*$`)

// kumaJSONOps are the json-query operators that have a json condition of the same name.
var kumaJSONOps = []string{"==", "!=", "<", "<=", ">", ">=", "contains"}

func (k *kumaImport) monitor(m kumaMonitor, groups []string, e *Entry) {
	mk := k.mark()
	t := manifest.Target{
		Name:   uniqueName(k.targets, kumaName(m), maxTargetName),
		Paused: !m.Active,
		// Kuma marks a monitor down once its retries are spent, and up on the first
		// success: the retries are the tolerance, the thresholds one.
		FailureThreshold: new(1),
		SuccessThreshold: new(1),
	}
	t.Tags = tags(groups, e)
	typ := strings.ToLower(m.Type)
	var why string
	switch typ {
	case "port":
		t.Type = string(target.TypeTCP)
		if host := strings.TrimSpace(m.Hostname); host == "" || m.Port < 1 || m.Port > 65535 {
			why = "port monitor without a hostname and a port"
		} else {
			t.URL = "tcp://" + net.JoinHostPort(host, strconv.Itoa(m.Port))
		}
	case "ping":
		t.Type = string(target.TypeICMP)
		if host := strings.Trim(strings.TrimSpace(m.Hostname), "[]"); host == "" {
			why = "ping monitor without a hostname"
		} else {
			t.URL = "icmp://" + hostForURL(host)
		}
	case "dns":
		t.Type = string(target.TypeDNS)
		t.URL, why = k.dnsURL(m, e)
	case "push":
		k.push(&t, m, e)
	default:
		t.URL = k.text(strings.TrimSpace(m.URL))
	}
	if why != "" {
		e.Skipped = why
		delete(k.targets, strings.ToLower(t.Name))
		return
	}
	if typ != "push" {
		k.schedule(&t, m, e)
	}
	k.conditions(&t, m, e)
	if t.Type == "" {
		k.httpMonitor(&t, m, e)
	}
	for _, id := range m.Notifications {
		if name, ok := k.channelOf[id]; ok {
			if !slices.Contains(t.Channels, name) {
				t.Channels = append(t.Channels, name)
			}
		} else if name, ok := k.skipped[id]; ok {
			e.Dropped = append(e.Dropped, fmt.Sprintf("notification %q: not carried over", name))
		}
	}
	if k.addTarget(t, e, mk) && typ == "push" {
		k.pushToken(t, m, e)
	}
}

// kumaCondition is one of 2.0's condition expressions, or a group of them.
type kumaCondition struct {
	Type, AndOr, Variable, Operator string
	Value                           any
	Children                        []kumaCondition
}

// conditions carries a dns monitor's conditions on its records as answer
// conditions, when they are all joined by "and": Kuma passes a condition when one
// record meets it, and the answer holds every record, one a line.
func (k *kumaImport) conditions(t *manifest.Target, m kumaMonitor, e *Entry) {
	raw := strings.TrimSpace(m.Conditions)
	if raw == "" || raw == "[]" || raw == "null" {
		return
	}
	var conds []kumaCondition
	if err := json.Unmarshal([]byte(raw), &conds); err != nil {
		e.Dropped = append(e.Dropped, "conditions: not readable")
		return
	}
	if t.Type != string(target.TypeDNS) {
		e.Dropped = append(e.Dropped, "conditions: no equivalent")
		return
	}
	for i, c := range conds {
		shown := fmt.Sprintf("condition %s %s %q", c.Variable, c.Operator, asString(c.Value))
		switch {
		case c.Type == "group" || (i > 0 && strings.EqualFold(c.AndOr, "or")):
			e.Dropped = append(e.Dropped, "conditions: groups and \"or\" have no equivalent; none carried")
			t.Conditions = nil
			return
		case c.Variable != "record":
			e.Dropped = append(e.Dropped, shown+": no equivalent")
			continue
		}
		v := asString(c.Value)
		q := regexp.QuoteMeta(v)
		cond := manifest.Condition{Type: target.ConditionAnswer, Value: v}
		switch c.Operator {
		case "equals":
			cond.Op = "=="
		case "not_equals":
			cond.Op, cond.Value = target.OpNotMatches, "(?m)^"+q+"$"
		case "contains", "not_contains":
			cond.Op = c.Operator
		case "starts_with":
			cond.Op, cond.Value = target.OpMatches, "(?m)^"+q
		case "not_starts_with":
			cond.Op, cond.Value = target.OpNotMatches, "(?m)^"+q
		case "ends_with":
			cond.Op, cond.Value = target.OpMatches, "(?m)"+q+"$"
		case "not_ends_with":
			cond.Op, cond.Value = target.OpNotMatches, "(?m)"+q+"$"
		default:
			e.Dropped = append(e.Dropped, shown+": no equivalent")
			continue
		}
		addCondition(t, cond, shown, e)
	}
}

// hostForURL brackets an IPv6 address for a URL's host.
func hostForURL(host string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]"
	}
	return host
}

// dnsURL writes a dns monitor's lookup as a dns target's URL: hostname is the name
// looked up, dns_resolve_server the resolvers (Kuma asks each in turn; WatchDog asks
// the first), port theirs, dns_resolve_type the record type.
func (k *kumaImport) dnsURL(m kumaMonitor, e *Entry) (string, string) {
	name := strings.TrimSuffix(strings.TrimSpace(m.Hostname), ".")
	if name == "" {
		return "", "dns monitor without a hostname to look up"
	}
	qtype := strings.ToUpper(strings.TrimSpace(m.DNSType))
	if qtype == "" {
		qtype = "A"
	}
	if !slices.Contains(target.DNSRecordTypes, qtype) {
		return "", fmt.Sprintf("dns monitor of %s records: WatchDog queries %s", qtype, strings.Join(target.DNSRecordTypes, ", "))
	}
	var servers []string
	for s := range strings.SplitSeq(m.DNSServer, ",") {
		if s = strings.Trim(strings.TrimSpace(s), "[]"); s != "" {
			servers = append(servers, s)
		}
	}
	port := m.Port
	if port == 0 {
		port = target.DefaultDNSPort
	}
	host := ""
	if len(servers) > 0 {
		host = net.JoinHostPort(servers[0], strconv.Itoa(port))
		if len(servers) > 1 {
			e.Dropped = append(e.Dropped, fmt.Sprintf("resolvers %s: WatchDog asks one resolver, the first (%s)",
				strings.Join(servers[1:], ", "), servers[0]))
		}
	} else {
		e.Changed = append(e.Changed, "no resolver: the system's is asked")
	}
	return (&url.URL{Scheme: "dns", Host: host, Path: "/" + name, RawQuery: "type=" + qtype}).String(), ""
}

// schedule carries the interval, timeout and retries of a monitor that WatchDog checks.
func (k *kumaImport) schedule(t *manifest.Target, m kumaMonitor, e *Entry) {
	seconds := m.Interval
	if seconds == 0 {
		seconds = 60 // Kuma's default
	}
	t.IntervalSeconds = new(interval(seconds, fmt.Sprintf("%ds", seconds), e))
	if m.Timeout > 0 {
		t.TimeoutSeconds = timeout(int(math.Ceil(m.Timeout)), *t.IntervalSeconds, strconv.FormatFloat(m.Timeout, 'f', -1, 64)+"s", e)
	}
	retries := m.MaxRetries
	if retries > 10 {
		e.Changed = append(e.Changed, fmt.Sprintf("retries %d lowered to the maximum 10", retries))
		retries = 10
	}
	t.Retries = ptr(max(0, retries))
	if m.RetryInterval > 0 {
		t.RetryDelaySeconds = new(min(m.RetryInterval, 3600))
		if m.RetryInterval > 3600 {
			e.Changed = append(e.Changed, fmt.Sprintf("retry interval %ds lowered to the maximum 3600s", m.RetryInterval))
		}
	}
}

// minPushGrace is the grace a push monitor without retries gets: the least a
// heartbeat may have on any server (target.MinGraceSeconds is never above it).
const minPushGrace = 60

// push makes a push monitor a heartbeat. Kuma marks it down when no push came within
// its interval (a second's buffer aside), after its retries (each a retry interval
// later) are spent: the heartbeat's period is the interval, its grace the time the
// retries took, and at least a minute, WatchDog's least, when there are none (Kuma
// would mark it down at the interval itself).
func (k *kumaImport) push(t *manifest.Target, m kumaMonitor, e *Entry) {
	t.Type = string(target.TypeHeartbeat)
	t.Retries = nil
	period := m.Interval
	if period <= 0 {
		period = 60 // Kuma's default
	}
	grace := 0
	if m.MaxRetries > 0 {
		grace = m.MaxRetries * cmp.Or(m.RetryInterval, period)
	}
	if grace < minPushGrace {
		e.Changed = append(e.Changed, fmt.Sprintf("retries: %ds of grace raised to %ds, the least a heartbeat has: "+
			"Kuma marks it down when the interval passes without a push, WatchDog a minute later", grace, minPushGrace))
		grace = minPushGrace
	}
	if period < MinIntervalSeconds {
		// A ping is awaited as often as a check may run, no more.
		e.Changed = append(e.Changed, fmt.Sprintf("interval %ds raised to the minimum %ds", period, MinIntervalSeconds))
		period = MinIntervalSeconds
	}
	if grace > target.MaxGraceSeconds {
		e.Changed = append(e.Changed, fmt.Sprintf("retries: %ds of grace lowered to the maximum %ds", grace, target.MaxGraceSeconds))
		grace = target.MaxGraceSeconds
	}
	t.PeriodSeconds, t.GraceSeconds = &period, &grace
	e.Changed = append(e.Changed, fmt.Sprintf("push monitor: a heartbeat expecting a ping every %ds, down %ds after one is missed", period, grace))
}

// pushToken keeps a push monitor's token when asked to and strong enough, and says
// what the job pinging it must change.
func (k *kumaImport) pushToken(t manifest.Target, m kumaMonitor, e *Entry) {
	token := strings.TrimSpace(m.PushToken)
	const renew = "update the job to ping it (watchdog import prints it, the target's page shows it)"
	switch {
	case !k.opts.KeepPushTokens || token == "":
		e.Changed = append(e.Changed, "new ping URL issued: "+renew)
	case len(token) > target.MaxPingTokenLen:
		e.Changed = append(e.Changed, fmt.Sprintf("push token not kept: %d characters, over the %d a ping token may have: a new ping URL is issued: %s", len(token), target.MaxPingTokenLen, renew))
	case len(token) < target.MinPingTokenLen:
		e.Changed = append(e.Changed, fmt.Sprintf("push token not kept: %d characters, under the 128 bits a ping token needs: a new ping URL is issued: %s", len(token), renew))
	case !target.ValidPingToken(token):
		e.Changed = append(e.Changed, "push token not kept: it has characters other than letters, digits, - and _: a new ping URL is issued: "+renew)
	default:
		k.pingTokens[strings.ToLower(t.Name)] = token
		e.Changed = append(e.Changed, "push token kept: point the job at WatchDog's /api/v1/ping/<token> instead of Kuma's /api/push/<token>")
	}
}

// httpMonitor carries what an http, keyword or json-query monitor asks of the answer.
func (k *kumaImport) httpMonitor(t *manifest.Target, m kumaMonitor, e *Entry) {
	if method := strings.ToUpper(strings.TrimSpace(m.Method)); method != "" && method != "GET" {
		t.Method = &method
	}
	if strings.EqualFold(m.Type, "real-browser") {
		t.Method = nil
		e.Changed = append(e.Changed, "real-browser monitor: checked with a plain HTTP GET, not a browser")
	}
	t.ExpectedStatus = new("200-299") // Kuma's default
	if len(m.AcceptedStatus) > 0 {
		codes := strings.Join(m.AcceptedStatus, ",")
		if _, err := target.ParseStatusSet(codes); err != nil {
			e.Dropped = append(e.Dropped, fmt.Sprintf("accepted status codes %s: %v; 200-299 used", codes, err))
		} else {
			t.ExpectedStatus = &codes
		}
	}
	headers := map[string]string{}
	if strings.TrimSpace(m.Headers) != "" {
		var raw map[string]any
		if err := json.Unmarshal([]byte(m.Headers), &raw); err != nil {
			e.Dropped = append(e.Dropped, "headers: not a JSON object")
		}
		for h, v := range raw {
			headers[h] = asString(v)
		}
	}
	switch auth := strings.ToLower(m.AuthMethod); {
	case (auth == "basic" || auth == "") && (m.BasicUser != "" || m.BasicPass != ""):
		if _, set := headerValue(headers, "Authorization"); set {
			e.Dropped = append(e.Dropped, "basic auth: the monitor's own Authorization header is used")
		} else {
			headers["Authorization"] = "Basic " + base64.StdEncoding.EncodeToString([]byte(m.BasicUser+":"+m.BasicPass))
			e.Changed = append(e.Changed, "basic auth: sent as an Authorization header")
		}
	case auth == "mtls":
		k.mutualTLS(t, m, e)
	case auth != "" && auth != "basic":
		e.Dropped = append(e.Dropped, auth+" authentication: no equivalent")
	}
	t.Headers = k.targetHeaders(t.Name, headers, fmt.Sprintf("monitor %q header", kumaName(m)))
	https := strings.HasPrefix(strings.ToLower(t.URL), "https://")
	switch {
	case !https || m.ExpiryNotification == nil:
	case *m.ExpiryNotification:
		// Kuma reminds 21, 14 and 7 days before by default (Settings → Notifications):
		// the incident opens at the first reminder.
		t.CertExpiryDays = new(kumaExpiryDays)
		e.Changed = append(e.Changed, fmt.Sprintf("certificate expiry notification: a cert_expiry incident %d days before, Kuma's first reminder", kumaExpiryDays))
	default:
		t.CertExpiryDays = new(0)
		e.Changed = append(e.Changed, "certificate expiry notification off in Kuma: no cert_expiry incident (cert_expiry_days 0)")
	}
	if strings.TrimSpace(m.Body) != "" {
		e.Dropped = append(e.Dropped, "body: WatchDog sends no request body")
	}
	switch strings.ToLower(m.Type) {
	case "keyword":
		if m.Keyword != "" {
			op := target.OpContains
			if m.InvertKeyword {
				op = target.OpNotContains
			}
			addCondition(t, manifest.Condition{Type: target.ConditionBody, Op: op, Value: m.Keyword}, fmt.Sprintf("keyword %q", m.Keyword), e)
		}
	case "json-query":
		k.jsonQuery(t, m, e)
	}
	if m.IgnoreTLS && https {
		t.TLSSkipVerify = ptr(true)
		e.Changed = append(e.Changed, "ignore TLS errors: the certificate is not verified (tls_skip_verify)")
	}
	if m.MaxRedirects == 0 {
		e.Dropped = append(e.Dropped, "maxredirects 0: WatchDog follows redirects")
	}
}

// kumaExpiryDays is the first of Kuma's default certificate expiry reminders.
const kumaExpiryDays = 21

// mutualTLS carries the mtls authentication method: a CA to trust, and the client
// certificate and key, the key as a reference.
func (k *kumaImport) mutualTLS(t *manifest.Target, m kumaMonitor, e *Entry) {
	if !strings.HasPrefix(strings.ToLower(t.URL), "https://") {
		e.Dropped = append(e.Dropped, "mtls authentication: the URL is not https")
		return
	}
	if strings.TrimSpace(m.TLSCert) == "" || strings.TrimSpace(m.TLSKey) == "" {
		e.Dropped = append(e.Dropped, "mtls authentication: no client certificate and key")
		return
	}
	t.TLSCAPEM = strings.TrimSpace(m.TLSCA)
	t.TLSClientCertPEM = strings.TrimSpace(m.TLSCert)
	t.TLSClientKeyPEM = k.secret(strings.TrimSpace(m.TLSKey), fmt.Sprintf("monitor %q tls key", kumaName(m)), "TARGET", t.Name, "tls_client_key_pem")
}

func headerValue(h map[string]string, name string) (string, bool) {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

// jsonQuery carries a json-query monitor's check when its expression is a plain path.
func (k *kumaImport) jsonQuery(t *manifest.Target, m kumaMonitor, e *Entry) {
	op := m.JSONPathOperator
	if op == "" {
		op = "==" // 1.x compared for equality only
	}
	shown := fmt.Sprintf("json query %s %s %q", m.JSONPath, op, m.ExpectedValue)
	expr := strings.TrimSpace(m.JSONPath)
	if expr == "" || !kumaPath.MatchString(expr) {
		e.Dropped = append(e.Dropped, shown+": a JSONata expression; no equivalent")
		return
	}
	if !slices.Contains(kumaJSONOps, op) {
		e.Dropped = append(e.Dropped, shown+": no equivalent")
		return
	}
	path := strings.TrimPrefix(expr, "$")
	if path != "" && !strings.HasPrefix(path, ".") && !strings.HasPrefix(path, "[") {
		path = "." + path
	}
	value := m.ExpectedValue
	if value == "" && op != "contains" {
		value = `""`
	}
	addCondition(t, manifest.Condition{Type: target.ConditionJSON, Path: "$" + path, Op: op, Value: value}, shown, e)
}

// notification turns one notification into a channel where WatchDog has its type.
func (k *kumaImport) notification(n kumaNotification) {
	name := strings.TrimSpace(n.Name)
	if name == "" {
		name = fmt.Sprintf("notification %d", n.ID)
	}
	e := Entry{Object: "notification " + strconv.Quote(name)}
	if !n.Active {
		// Carried over it would alert at once; switched off it stays where it was.
		e.Skipped = "it is switched off in Uptime Kuma"
		k.skipped[n.ID] = name
		k.add(e)
		return
	}
	var cfg map[string]any
	if err := decodeNumbers([]byte(n.Config), &cfg); err != nil || cfg == nil {
		e.Skipped = "its config is not a JSON object"
		k.skipped[n.ID] = name
		k.add(e)
		return
	}
	m := k.mark()
	chName := uniqueName(k.channels, name, maxChannelName)
	ch := manifest.Channel{Name: chName, Config: map[string]any{}, IsDefault: n.IsDefault}
	get := func(key string) string { return strings.TrimSpace(asString(cfg[key])) }
	from := func(key string) string { return fmt.Sprintf("notification %q %s", name, key) }
	secretURL := func(key string) {
		ch.Config["url"] = k.secret(get(key), from(key), "CHANNEL", chName, "url")
	}
	typ := get("type")
	switch strings.ToLower(typ) {
	case "slack":
		ch.Type = "slack"
		secretURL("slackwebhookURL")
	case "discord":
		ch.Type = "discord"
		secretURL("discordWebhookUrl")
	case "teams":
		ch.Type = "teams"
		secretURL("webhookUrl")
	case "webhook":
		ch.Type = "webhook"
		ch.Config["url"] = get("webhookURL")
		if extra := get("webhookAdditionalHeaders"); extra != "" {
			var hs map[string]any
			if err := json.Unmarshal([]byte(extra), &hs); err != nil {
				e.Dropped = append(e.Dropped, "additional headers: not a JSON object")
			} else if len(hs) > 0 {
				headers := map[string]any{}
				for _, h := range slices.Sorted(maps.Keys(hs)) {
					headers[h] = k.secret(asString(hs[h]), from("webhookAdditionalHeaders."+h), "CHANNEL", chName, "headers", h)
				}
				ch.Config["headers"] = headers
			}
		}
		switch get("webhookContentType") {
		case "custom":
			e.Dropped = append(e.Dropped, "custom body: WatchDog posts its own JSON payload")
		case "form-data":
			e.Dropped = append(e.Dropped, "form-data body: WatchDog posts JSON")
		}
	case "telegram":
		ch.Type = "telegram"
		ch.Config["bot_token"] = k.secret(get("telegramBotToken"), from("telegramBotToken"), "CHANNEL", chName, "bot_token")
		ch.Config["chat_id"] = get("telegramChatID")
		if server := get("telegramServerUrl"); server != "" && server != "https://api.telegram.org" {
			e.Dropped = append(e.Dropped, "telegram server "+server+": WatchDog sends to api.telegram.org")
		}
	case "ntfy":
		ch.Type = "ntfy"
		ch.Config["topic"] = get("ntfytopic")
		if u := get("ntfyserverurl"); u != "" {
			ch.Config["url"] = strings.TrimSuffix(u, "/")
		}
		if p := asInt(cfg["ntfyPriority"]); p != 0 {
			ch.Config["priority"] = p
		}
		switch {
		case get("ntfyaccesstoken") != "" && get("ntfyAuthenticationMethod") != "usernamePassword":
			ch.Config["token"] = k.secret(get("ntfyaccesstoken"), from("ntfyaccesstoken"), "CHANNEL", chName, "token")
		case get("ntfyusername") != "" || get("ntfyAuthenticationMethod") == "usernamePassword":
			e.Dropped = append(e.Dropped, "username and password: WatchDog's ntfy channel sends an access token only")
		}
	case "pagerduty":
		ch.Type = "pagerduty"
		ch.Config["routing_key"] = k.secret(get("pagerdutyIntegrationKey"), from("pagerdutyIntegrationKey"), "CHANNEL", chName, "routing_key")
		if sev := strings.ToLower(get("pagerdutyPriority")); slices.Contains([]string{"critical", "error", "warning", "info"}, sev) {
			ch.Config["severity"] = sev
		}
		if u := get("pagerdutyIntegrationUrl"); u != "" && strings.TrimSuffix(u, "/") != "https://events.pagerduty.com/v2/enqueue" {
			e.Dropped = append(e.Dropped, "integration URL "+u+": WatchDog sends to events.pagerduty.com")
		}
	case "matrix":
		ch.Type = "matrix"
		ch.Config["homeserver_url"] = strings.TrimSuffix(get("homeserverUrl"), "/")
		ch.Config["access_token"] = k.secret(get("accessToken"), from("accessToken"), "CHANNEL", chName, "access_token")
		ch.Config["room_id"] = get("internalRoomId")
		if asBool(cfg["matrixUseTemplate"], false) {
			e.Dropped = append(e.Dropped, "message template: WatchDog sends its own wording")
		}
	case "mattermost":
		ch.Type = "mattermost"
		secretURL("mattermostWebhookUrl")
		if c := get("mattermostchannel"); c != "" {
			ch.Config["channel"] = strings.ToLower(c) // as Uptime Kuma sends it
		}
		if u := get("mattermostusername"); u != "" {
			ch.Config["username"] = u
		}
		if u := get("mattermosticonurl"); u != "" {
			ch.Config["icon_url"] = u
		}
		if get("mattermosticonemo") != "" {
			e.Dropped = append(e.Dropped, "icon emoji: WatchDog's mattermost channel takes an icon URL")
		}
	case "rocket.chat":
		ch.Type = "rocketchat"
		secretURL("rocketwebhookURL")
		if c := get("rocketchannel"); c != "" {
			ch.Config["channel"] = c
		}
		if u := get("rocketusername"); u != "" {
			ch.Config["username"] = u
		}
		if get("rocketiconemo") != "" {
			e.Dropped = append(e.Dropped, "icon emoji: no equivalent")
		}
		if get("rocketbutton") != "" {
			e.Dropped = append(e.Dropped, "button link: messages link the target's dashboard page when PUBLIC_URL is set")
		}
	case "googlechat":
		ch.Type = "googlechat"
		secretURL("googleChatWebhookURL")
		// Uptime Kuma uses its template only when both are set.
		if asBool(cfg["googleChatUseTemplate"], false) && get("googleChatTemplate") != "" {
			e.Dropped = append(e.Dropped, "message template: WatchDog sends its own wording")
		}
	case "gotify":
		ch.Type = "gotify"
		ch.Config["server_url"] = strings.TrimSuffix(get("gotifyserverurl"), "/")
		ch.Config["token"] = k.secret(get("gotifyapplicationToken"), from("gotifyapplicationToken"), "CHANNEL", chName, "token")
		// Uptime Kuma sends 8, WatchDog's default too, for an unset or 0 priority.
		if p := asInt(cfg["gotifyPriority"]); p != 0 {
			ch.Config["priority"] = p
		}
	case "opsgenie":
		ch.Type = "opsgenie"
		ch.Config["api_key"] = k.secret(get("opsgenieApiKey"), from("opsgenieApiKey"), "CHANNEL", chName, "api_key")
		if region := strings.ToLower(get("opsgenieRegion")); region == "eu" {
			ch.Config["region"] = region
		}
		// Kuma's priority is 1-5, P3 when unset as WatchDog's.
		if p := asInt(cfg["opsgeniePriority"]); p >= 1 && p <= 5 {
			ch.Config["priority"] = fmt.Sprintf("P%d", p)
		}
		e.Changed = append(e.Changed, "alert alias: WatchDog's incident key instead of the monitor's name, so an alert Uptime Kuma left open is not closed by WatchDog")
	case "pushover":
		ch.Type = "pushover"
		ch.Config["user_key"] = k.secret(get("pushoveruserkey"), from("pushoveruserkey"), "CHANNEL", chName, "user_key")
		ch.Config["app_token"] = k.secret(get("pushoverapptoken"), from("pushoverapptoken"), "CHANNEL", chName, "app_token")
		if get("pushoverpriority") != "" {
			p := asInt(cfg["pushoverpriority"])
			if p == 2 {
				e.Changed = append(e.Changed, "emergency priority 2: sent as high (1); WatchDog asks for no acknowledgement")
				p = 1
			}
			ch.Config["priority"] = p
		}
		if s := get("pushoversounds"); s != "" {
			ch.Config["sound"] = s
		}
		if get("pushoversounds_up") != "" {
			e.Dropped = append(e.Dropped, "up sound: WatchDog plays one sound for every message")
		}
		if d := get("pushoverdevice"); d != "" {
			ch.Config["device"] = d
		}
		if get("pushovertitle") != "" {
			e.Dropped = append(e.Dropped, "title: WatchDog titles each message with its event")
		}
		if get("pushoverttl") != "" {
			e.Dropped = append(e.Dropped, "time to live: WatchDog's messages do not expire")
		}
	case "twilio":
		if get("twilioApiKey") != "" {
			// The token field then holds the API key's secret, which WatchDog
			// cannot sign in with.
			e.Skipped = "it signs in with an API key; WatchDog's twilio channel takes the account's auth token"
			break
		}
		ch.Type = "twilio"
		ch.Config["account_sid"] = get("twilioAccountSID")
		ch.Config["auth_token"] = k.secret(get("twilioAuthToken"), from("twilioAuthToken"), "CHANNEL", chName, "auth_token")
		ch.Config["from"] = get("twilioFromNumber")
		ch.Config["to"] = get("twilioToNumber")
		// Uptime Kuma sends a Messaging Service's SID beside the From number; WatchDog
		// sends one of the two, so the service stands in for a missing number.
		if service := get("twilioMessagingServiceSID"); service != "" {
			if get("twilioFromNumber") == "" {
				ch.Config["from"] = service
			} else {
				e.Dropped = append(e.Dropped, "messaging service "+service+": WatchDog sends from the From number alone")
			}
		}
	case "smtp":
		ch.Type = "email"
		var to []any
		for _, key := range []string{"smtpTo", "smtpCC", "smtpBCC"} {
			for a := range strings.SplitSeq(get(key), ",") {
				if a = strings.TrimSpace(a); a != "" && !slices.Contains(to, any(a)) {
					to = append(to, a)
				}
			}
		}
		ch.Config["to"] = to
		if get("smtpCC") != "" || get("smtpBCC") != "" {
			e.Changed = append(e.Changed, "cc and bcc: sent to as plain recipients")
		}
		if get("smtpHost") != "" {
			e.Dropped = append(e.Dropped, "SMTP server settings: WatchDog sends mail with its own SMTP_* settings")
		}
	case "":
		e.Skipped = "no notification type"
	default:
		e.Skipped = "WatchDog has no " + typ + " channel"
	}
	if e.Skipped != "" || !k.addChannel(ch, &e, m) {
		if e.Skipped == "" {
			e.Skipped = "not carried over"
		}
		k.rollback(m)
		delete(k.channels, chName)
		k.skipped[n.ID] = name
		k.add(e)
		return
	}
	k.channelOf[n.ID] = chName
	k.add(e)
}
