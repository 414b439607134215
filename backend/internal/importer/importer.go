// Package importer moves a user in from another monitor: it reads a Gatus YAML file, an
// Uptime Kuma database (its kuma.db, or a 1.x JSON backup) or the original WatchDog's
// target_url table, and turns what it finds into a config-as-code document
// (manifest.Document) for manifest.Apply, with a report of what was carried over, as
// what, and what was not and why.
//
// Sources are only ever read: SQLite files are opened read-only (and immutable when no
// other process has a write-ahead log open), PostgreSQL is read inside a READ ONLY
// transaction.
//
// Secrets found in the source (Slack and Discord webhook URLs, bot tokens, routing
// keys, credential headers) never appear in the document: it holds ${ENV_NAME}
// references, named as `watchdog export` names them, and the values travel beside it in
// Result.Env for the caller to hand to apply. A document printed or committed is safe;
// the database still gets the real values.
package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/watchdog-monitor/watchdog/backend/internal/manifest"
	"github.com/watchdog-monitor/watchdog/backend/internal/notify"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// Result is what an import produced.
type Result struct {
	// PingTokens are the ping tokens heartbeats keep from the source (Uptime Kuma's
	// push tokens, when asked to), by target name in lower case, for
	// manifest.ApplyOptions.PingTokens: a token is a credential, never in a document.
	PingTokens map[string]string
	// Document holds the targets and channels, secrets as ${ENV_NAME} references.
	Document manifest.Document
	// Env holds the value of every reference the importer made, for apply to resolve.
	Env map[string]string
	// FromEnv holds the references whose value the source itself read from its
	// environment (a Gatus token: "${NTFY_TOKEN}"): the document names the variable
	// export would, since apply reads a reference only into its own field, and the
	// caller fills it by expanding this text in the process environment, as the
	// source did.
	FromEnv map[string]string
	Report
}

// MinIntervalSeconds is the shortest interval an imported target gets: the server's
// default minimum. Shorter source intervals are raised to it, with a report line.
const MinIntervalSeconds = 30

// Name limits of the API.
const (
	maxTargetName  = 200
	maxChannelName = 100
	maxTagLen      = 50
	maxTags        = 20
)

// builder gathers a document, the secrets it references and the report, and keeps
// names unique: apply matches objects by name, so two objects of one kind with one
// name would be one object.
type builder struct {
	doc      manifest.Document
	env      map[string]string
	fromEnv  map[string]string
	report   Report
	targets  map[string]bool
	channels map[string]bool
	// envAdded lists the env keys in the order secret added them, so that an object
	// refused after its secrets were taken out can take them back (see mark).
	envAdded   []string
	pingTokens map[string]string
	// literal: the source never expanded ${…} (Uptime Kuma, the original), so text
	// holding it is escaped to stay text; Gatus expands variables itself and keeps them.
	literal bool
}

// mark is where the secrets stood before an object was built.
type mark struct{ secrets, env int }

func (b *builder) mark() mark { return mark{len(b.report.Secrets), len(b.envAdded)} }

// rollback forgets the secrets taken out since m, for an object that was refused.
func (b *builder) rollback(m mark) {
	for _, k := range b.envAdded[m.env:] {
		delete(b.env, k)
		delete(b.fromEnv, k)
	}
	b.envAdded = b.envAdded[:m.env]
	b.report.Secrets = b.report.Secrets[:m.secrets]
}

func newBuilder(source string) *builder {
	return &builder{
		doc:        manifest.Document{Version: manifest.Version},
		env:        map[string]string{},
		fromEnv:    map[string]string{},
		report:     Report{Source: source},
		targets:    map[string]bool{},
		channels:   map[string]bool{},
		pingTokens: map[string]string{},
	}
}

func (b *builder) result() Result {
	return Result{Document: b.doc, Env: b.env, FromEnv: b.fromEnv, Report: b.report, PingTokens: b.pingTokens}
}

// add records the report entry of one source object.
func (b *builder) add(e Entry) { b.report.Entries = append(b.report.Entries, e) }

// uniqueName returns name cut to max bytes, with " (2)", " (3)"… added when taken.
// taken holds names in lower case: target names are unique in any case, as the
// database compares them.
func uniqueName(taken map[string]bool, name string, limit int) string {
	name = cut(strings.TrimSpace(name), limit)
	candidate := name
	for n := 2; taken[strings.ToLower(candidate)]; n++ {
		suffix := fmt.Sprintf(" (%d)", n)
		candidate = cut(name, limit-len(suffix)) + suffix
	}
	taken[strings.ToLower(candidate)] = true
	return candidate
}

// cut shortens s to at most n bytes without splitting a character.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strings.TrimSpace(s[:n])
}

// addTarget checks t against the API's rules and adds it to the document, or records
// on e why it cannot be carried over and takes back its name and the secrets taken
// out since m.
func (b *builder) addTarget(t manifest.Target, e *Entry, m mark) bool {
	checked := t
	if key, known := resolveRefs(t.TLSClientKeyPEM, b.env); known {
		// The key is checked against its certificate as apply will see it.
		checked.TLSClientKeyPEM = key.(string)
	}
	if err := checkTarget(checked); err != nil {
		e.Skipped = err.Error()
		delete(b.targets, strings.ToLower(t.Name))
		b.rollback(m)
		return false
	}
	as := fmt.Sprintf("target %q", t.Name)
	if t.Paused {
		as += " (paused)"
	}
	e.As = as
	b.doc.Targets = append(b.doc.Targets, t)
	return true
}

// addChannel checks ch against its type's rules (with the secrets it references
// resolved) and adds it to the document, or records on e why it cannot be carried
// over and takes back its name and the secrets taken out since m.
func (b *builder) addChannel(ch manifest.Channel, e *Entry, m mark) bool {
	if err := b.checkChannel(ch); err != nil {
		e.Skipped = err.Error()
		delete(b.channels, strings.ToLower(ch.Name))
		b.rollback(m)
		return false
	}
	e.As = fmt.Sprintf("%s channel %q", ch.Type, ch.Name)
	b.doc.Channels = append(b.doc.Channels, ch)
	return true
}

// envRef matches a ${NAME} reference, as apply resolves them.
var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// secret returns the ${NAME} reference the document holds in place of value, named as
// export names it, and keeps value in the environment handed to apply. A value that
// holds a reference of the source's own — Gatus reads ${VAR} from its environment —
// is kept in FromEnv instead, for the caller to expand.
func (b *builder) secret(value, from string, parts ...string) string {
	if value == "" {
		// Nothing to hide; the channel's check reports a required value.
		return ""
	}
	values, note := b.env, redact(value)
	if envRef.MatchString(value) {
		values, note = b.fromEnv, "read from "+value+": set it before applying"
	}
	name := manifest.EnvName(parts...)
	// Two objects whose names differ only in case or punctuation make one name.
	base := name
	for n := 2; ; n++ {
		old, taken := b.env[name]
		if !taken {
			old, taken = b.fromEnv[name]
		}
		if !taken || old == value {
			break
		}
		name = fmt.Sprintf("%s_%d", base, n)
	}
	if _, seen := values[name]; !seen {
		b.report.Secrets = append(b.report.Secrets, Secret{Env: name, From: from, Value: note})
		b.envAdded = append(b.envAdded, name)
		values[name] = value
	}
	return "${" + name + "}"
}

// targetHeaders copies headers into a target, credentials as references.
func (b *builder) targetHeaders(targetName string, headers map[string]string, from string) map[string]string {
	if len(headers) == 0 {
		return nil
	}
	out := make(map[string]string, len(headers))
	for _, h := range slices.Sorted(maps.Keys(headers)) {
		v := headers[h]
		if target.CredentialHeader(h) {
			v = b.secret(v, from+" "+h, "TARGET", targetName, h)
		} else {
			v = b.text(v)
		}
		out[h] = v
	}
	return out
}

// text is a source's plain value as the document must hold it.
func (b *builder) text(s string) string {
	if b.literal {
		return manifest.Literal(s)
	}
	return s
}

// redact shows enough of a secret to recognise it in the source and no more: a URL's
// scheme and host, or a token's first four characters.
func redact(s string) string {
	if u, err := url.Parse(s); err == nil && u.Scheme != "" && u.Host != "" {
		return u.Scheme + "://" + u.Host + "/…"
	}
	if utf8.RuneCountInString(s) <= 8 {
		return "…"
	}
	return string([]rune(s)[:4]) + "…"
}

// interval turns a source interval in seconds into a target's, raising it to the
// minimum and lowering it to the maximum with a report line; shown is how the source
// wrote it ("10s", "5 min").
func interval(seconds int, shown string, e *Entry) int {
	switch {
	case seconds < MinIntervalSeconds:
		e.Changed = append(e.Changed, fmt.Sprintf("interval %s raised to the minimum %ds", shown, MinIntervalSeconds))
		return MinIntervalSeconds
	case seconds > target.MaxIntervalSeconds:
		e.Changed = append(e.Changed, fmt.Sprintf("interval %s lowered to the maximum %ds", shown, target.MaxIntervalSeconds))
		return target.MaxIntervalSeconds
	}
	return seconds
}

// timeout fits a source timeout (whole seconds, rounded up) below the interval and
// within the API's bound; nil (the API's default) when the source sets none.
func timeout(seconds, intervalSeconds int, shown string, e *Entry) *int {
	const maxTimeout = 300
	switch {
	case seconds <= 0:
		return nil
	case seconds >= intervalSeconds:
		e.Changed = append(e.Changed, fmt.Sprintf("timeout %s lowered to %ds, below the interval", shown, intervalSeconds-1))
		return new(intervalSeconds - 1)
	case seconds > maxTimeout:
		e.Changed = append(e.Changed, fmt.Sprintf("timeout %s lowered to the maximum %ds", shown, maxTimeout))
		return new(maxTimeout)
	}
	return &seconds
}

// tags keeps the tags the API accepts and reports the rest.
func tags(in []string, e *Entry) []string {
	var out []string
	for _, t := range in {
		t = strings.TrimSpace(t)
		switch {
		case t == "" || slices.Contains(out, t):
		case len(t) > maxTagLen:
			e.Dropped = append(e.Dropped, fmt.Sprintf("tag %q: longer than %d characters", t, maxTagLen))
		case len(out) == maxTags:
			e.Dropped = append(e.Dropped, fmt.Sprintf("tag %q: more than %d tags", t, maxTags))
		default:
			out = append(out, t)
		}
	}
	return out
}

// placeholderURL stands in for a URL that holds a reference when a target is checked
// at import: the reference is resolved only at apply.
const placeholderURL = "https://placeholder.invalid/"

// placeholderOf is a URL of type typ, for checking a condition on its own.
func placeholderOf(typ string) string {
	switch target.Type(typ) {
	case target.TypeTCP:
		return "tcp://placeholder.invalid:443"
	case target.TypeTLS:
		return "tls://placeholder.invalid:443"
	case target.TypeDNS:
		return "dns:///placeholder.invalid?type=A"
	case target.TypeICMP:
		return "icmp://placeholder.invalid"
	case target.TypeHeartbeat:
		return ""
	}
	return placeholderURL
}

// typeOf is a document target's type as a Spec takes it: nil for http.
func typeOf(typ string) *target.Type {
	if typ == "" {
		return nil
	}
	t := target.Type(typ)
	return &t
}

// spec is the target.Spec apply would build from t (channels aside).
func spec(t manifest.Target) target.Spec {
	active := !t.Paused
	s := target.Spec{
		Name: &t.Name, URL: t.URL, Method: t.Method, Headers: t.Headers, IntervalSeconds: t.IntervalSeconds,
		TimeoutSeconds: t.TimeoutSeconds, ExpectedStatus: t.ExpectedStatus, Retries: t.Retries,
		RetryDelaySeconds: t.RetryDelaySeconds, IsActive: &active, Tags: t.Tags,
		FailureThreshold: t.FailureThreshold, SuccessThreshold: t.SuccessThreshold,
		Type: typeOf(t.Type), CertExpiryDays: t.CertExpiryDays, TLSCAPEM: t.TLSCAPEM, TLSClientCertPEM: t.TLSClientCertPEM,
		TLSClientKeyPEM: t.TLSClientKeyPEM, TLSSkipVerify: t.TLSSkipVerify, PeriodSeconds: t.PeriodSeconds,
		GraceSeconds: t.GraceSeconds, Cron: t.Cron, Impersonate: (*target.Impersonation)(t.Impersonate),
	}
	if envRef.MatchString(s.URL) {
		s.URL = placeholderOf(t.Type)
	}
	for _, c := range t.Conditions {
		s.Conditions = append(s.Conditions, target.Condition{Type: c.Type, Path: c.Path, Name: c.Name, Op: c.Op, Value: c.Value})
	}
	return s
}

// checkTarget applies the API's rules to t, with the default limits: the server's own
// (a higher minimum interval, private addresses) are apply's to enforce.
func checkTarget(t manifest.Target) error {
	_, err := target.New(spec(t), target.Limits{MinIntervalSeconds: MinIntervalSeconds})
	return err
}

// checkCondition says why c cannot be a condition of a target of type typ ("" is
// http), or nil, so that one condition the API refuses is left out rather than the
// whole target.
func checkCondition(typ string, c manifest.Condition) error {
	_, err := target.New(target.Spec{Name: new("condition"), URL: placeholderOf(typ), Type: typeOf(typ), IntervalSeconds: new(60),
		Conditions: []target.Condition{{Type: c.Type, Path: c.Path, Name: c.Name, Op: c.Op, Value: c.Value}}},
		target.Limits{})
	var v *target.ValidationError
	if errors.As(err, &v) {
		msgs := make([]string, 0, len(v.Fields))
		for _, f := range v.Fields {
			msgs = append(msgs, strings.TrimPrefix(f.Field, "conditions[0].")+" "+f.Message)
		}
		return errors.New(strings.Join(msgs, "; "))
	}
	return err
}

// addCondition appends c to t's conditions when the API accepts it, and reports it
// (written as the source wrote it) otherwise.
func addCondition(t *manifest.Target, c manifest.Condition, source string, e *Entry) {
	if len(t.Conditions) == target.MaxConditions {
		e.Dropped = append(e.Dropped, fmt.Sprintf("condition %s: more than %d conditions", source, target.MaxConditions))
		return
	}
	if err := checkCondition(t.Type, c); err != nil {
		e.Dropped = append(e.Dropped, fmt.Sprintf("condition %s: %v", source, err))
		return
	}
	t.Conditions = append(t.Conditions, c)
}

// smtpForChecks lets an email channel's recipients be checked at import. Whether the
// server can send mail is its SMTP_* settings' business, which apply checks.
var smtpForChecks = notify.Env{SMTP: notify.SMTP{Host: "smtp.invalid", Port: 587, From: "watchdog@example.com", TLS: "starttls"}}

// checkChannel applies ch's type's rules to its config with the references resolved.
// A config that references a variable of the user's own (not in b.env) is left for
// apply to check, since its value is not known yet.
func (b *builder) checkChannel(ch manifest.Channel) error {
	resolved, known := resolveRefs(ch.Config, b.env)
	if !known {
		return nil
	}
	raw, err := json.Marshal(resolved)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	// The API's rules, as apply will check them (without the server's outbound guard,
	// which the import applies later).
	err = notify.Channel{Name: ch.Name, Type: ch.Type, Config: raw}.Validate(smtpForChecks)
	var v *target.ValidationError
	if errors.As(err, &v) {
		msgs := make([]string, 0, len(v.Fields))
		for _, f := range v.Fields {
			msgs = append(msgs, strings.TrimPrefix(f.Field, "config.")+": "+f.Message)
		}
		return fmt.Errorf("invalid %s channel: %s", ch.Type, strings.Join(msgs, "; "))
	}
	return err
}

// resolveRefs replaces references in every string of v from env; known is false when
// one is not in env.
func resolveRefs(v any, env map[string]string) (out any, known bool) {
	known = true
	switch x := v.(type) {
	case string:
		return envRef.ReplaceAllStringFunc(x, func(m string) string {
			val, ok := env[envRef.FindStringSubmatch(m)[1]]
			known = known && ok
			return val
		}), known
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, val := range x {
			r, ok := resolveRefs(val, env)
			m[k], known = r, known && ok
		}
		return m, known
	case []any:
		s := make([]any, len(x))
		for i, val := range x {
			r, ok := resolveRefs(val, env)
			s[i], known = r, known && ok
		}
		return s, known
	}
	return v, true
}

// statusSet is a set of HTTP status codes, 100 to 599, as expected_status writes them.
type statusSet [600]bool

func allStatuses() statusSet {
	var s statusSet
	for c := 100; c < 600; c++ {
		s[c] = true
	}
	return s
}

func (s *statusSet) keep(f func(code int) bool) {
	for c := 100; c < 600; c++ {
		s[c] = s[c] && f(c)
	}
}

// String writes the set as codes and ranges: "200-299,301"; "" when empty.
func (s statusSet) String() string {
	var parts []string
	for c := 100; c < 600; c++ {
		if !s[c] {
			continue
		}
		end := c
		for end+1 < 600 && s[end+1] {
			end++
		}
		if end == c {
			parts = append(parts, fmt.Sprint(c))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", c, end))
		}
		c = end
	}
	return strings.Join(parts, ",")
}

func ptr[T any](v T) *T { return &v }
