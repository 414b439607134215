package manifest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/watchdog-monitor/watchdog/backend/internal/notify"
	"github.com/watchdog-monitor/watchdog/backend/internal/statuspage"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// Source is what export and apply read and write: the store, or one transaction of it.
type Source interface {
	ListChannels(ctx context.Context) ([]notify.Channel, error)
	AllTargets(ctx context.Context) ([]target.Target, error)
	ListStatusPages(ctx context.Context) ([]statuspage.Page, error)
}

// Export reads the whole configuration. Secrets become ${ENV_NAME} references: the
// names are returned, in order, for the operator to set before applying elsewhere.
func Export(ctx context.Context, src Source) (Document, []string, error) {
	doc := Document{Version: Version, Channels: []Channel{}, Targets: []Target{}, StatusPages: []StatusPage{}}
	var secrets []string
	names := envNames{}
	channels, err := src.ListChannels(ctx)
	if err != nil {
		return Document{}, nil, err
	}
	channelNames := map[int64]string{}
	for _, ch := range channels {
		channelNames[ch.ID] = ch.Name
		out, refs, err := exportChannel(ch, names)
		if err != nil {
			return Document{}, nil, err
		}
		doc.Channels = append(doc.Channels, out)
		secrets = append(secrets, refs...)
	}
	targets, err := src.AllTargets(ctx)
	if err != nil {
		return Document{}, nil, err
	}
	targetNames := map[int64]string{}
	for _, t := range targets {
		targetNames[t.ID] = t.Name
		out, refs := exportTarget(t, channelNames, names)
		doc.Targets = append(doc.Targets, out)
		secrets = append(secrets, refs...)
	}
	pages, err := src.ListStatusPages(ctx)
	if err != nil {
		return Document{}, nil, err
	}
	for _, p := range pages {
		out := StatusPage{Slug: p.Slug, Title: p.Title, Description: p.Description}
		for _, id := range p.TargetIDs {
			// A target deleted between the reads is left out, not named "".
			if name, ok := targetNames[id]; ok {
				out.Targets = append(out.Targets, name)
			}
		}
		doc.StatusPages = append(doc.StatusPages, out)
	}
	return doc, secrets, nil
}

// envNames hands out variable names, each once: "Ops" and "ops" would both make
// WATCHDOG_CHANNEL_OPS_URL, and one variable for two secrets would swap credentials.
type envNames map[string]bool

func (n envNames) name(parts ...string) string {
	base := EnvName(parts...)
	name := base
	for i := 2; n[name]; i++ {
		name = fmt.Sprintf("%s_%d", base, i)
	}
	n[name] = true
	return name
}

// EnvName makes an environment variable name from parts: WATCHDOG_CHANNEL_OPS_SECRET.
// Importers name their references the same way.
func EnvName(parts ...string) string {
	var b strings.Builder
	b.WriteString("WATCHDOG")
	for _, p := range parts {
		b.WriteByte('_')
		for _, r := range strings.ToUpper(p) {
			if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
				b.WriteRune(r)
			} else {
				b.WriteByte('_')
			}
		}
	}
	return b.String()
}

func ref(name string) string { return "${" + name + "}" }

func exportChannel(ch notify.Channel, env envNames) (Channel, []string, error) {
	cfg := map[string]any{}
	if err := json.Unmarshal(ch.Config, &cfg); err != nil {
		return Channel{}, nil, fmt.Errorf("export channel %s: %w", ch.Name, err)
	}
	keys, mapKeys, err := notify.SecretFields(ch.Type)
	if err != nil {
		return Channel{}, nil, fmt.Errorf("export channel %s: %w", ch.Name, err)
	}
	var names []string
	for k, v := range cfg {
		if s, ok := v.(string); ok && !slices.Contains(keys, k) {
			cfg[k] = Literal(s)
		}
	}
	for _, k := range keys {
		if v, ok := cfg[k].(string); ok && v != "" {
			name := env.name("CHANNEL", ch.Name, k)
			cfg[k] = ref(name)
			names = append(names, name)
		}
	}
	for _, k := range mapKeys {
		values, ok := cfg[k].(map[string]any)
		if !ok {
			continue
		}
		for _, h := range slices.Sorted(maps.Keys(values)) {
			name := env.name("CHANNEL", ch.Name, k, h)
			values[h] = ref(name)
			names = append(names, name)
		}
	}
	if len(cfg) == 0 {
		cfg = nil
	}
	return Channel{Name: ch.Name, Type: ch.Type, Config: cfg, IsDefault: ch.IsDefault}, names, nil
}

// tlsKeyField is the part of the variable name export gives a target's client key:
// WATCHDOG_TARGET_<NAME>_TLS_CLIENT_KEY_PEM.
const tlsKeyField = "tls_client_key_pem"

func exportTarget(t target.Target, channelNames map[int64]string, env envNames) (Target, []string) {
	t = settingsOf(t)
	out := Target{
		Name: t.Name, URL: Literal(t.URL), Method: &t.Method, IntervalSeconds: &t.IntervalSeconds, TimeoutSeconds: &t.TimeoutSeconds,
		ExpectedStatus: &t.ExpectedStatus, Retries: &t.Retries, RetryDelaySeconds: &t.RetryDelaySeconds, Paused: !t.IsActive,
		Tags: t.Tags, FailureThreshold: &t.FailureThreshold, SuccessThreshold: &t.SuccessThreshold,
		Platform: t.Platform, WakeTimeoutSeconds: &t.WakeTimeoutSeconds, Timezone: t.Timezone, BudgetGroup: t.BudgetGroup,
	}
	if t.Type != target.TypeHTTP {
		// Left out, a document's target is http: today's documents read as before.
		out.Type = string(t.Type)
		// A request's method and expected status mean nothing to a connection, a
		// query or an echo.
		out.Method, out.ExpectedStatus = nil, nil
	}
	if t.Type == target.TypeHeartbeat {
		// A heartbeat checks nothing: it has no URL, interval, timeout or retries.
		out.URL, out.IntervalSeconds, out.TimeoutSeconds, out.Retries, out.RetryDelaySeconds = "", nil, nil, nil, nil
		out.GraceSeconds = &t.GraceSeconds
		out.Cron = t.Cron
		if t.Cron == "" {
			out.PeriodSeconds = &t.PeriodSeconds
		}
	}
	if t.Impersonate != target.ImpersonateNone {
		out.Impersonate = new(string(t.Impersonate))
	}
	if t.HasCertificate() {
		if t.CertExpiryDays != target.DefaultCertExpiryDays {
			out.CertExpiryDays = &t.CertExpiryDays
		}
		out.TLSCAPEM, out.TLSClientCertPEM = t.TLSCAPEM, t.TLSClientCertPEM
		if t.TLSSkipVerify {
			out.TLSSkipVerify = &t.TLSSkipVerify
		}
	}
	if t.IdleTimeoutSeconds > 0 {
		out.IdleTimeoutSeconds = &t.IdleTimeoutSeconds
	}
	if t.KeepWarm || t.Platform != "" {
		out.KeepWarm = &t.KeepWarm
	}
	if !t.KeepWarm && t.WakeTimeoutSeconds == target.DefaultWakeTimeoutSeconds {
		out.WakeTimeoutSeconds = nil // the default, and meaningless without keep-warm
	}
	var names []string
	if len(t.Headers) > 0 {
		out.Headers = map[string]string{}
		for _, h := range slices.Sorted(maps.Keys(t.Headers)) {
			if target.CredentialHeader(h) {
				name := env.name("TARGET", t.Name, h)
				out.Headers[h] = ref(name)
				names = append(names, name)
			} else {
				out.Headers[h] = Literal(t.Headers[h])
			}
		}
	}
	if t.TLSClientKeyPEM != "" {
		// The key is write-only, like a credential header: a reference to a variable.
		name := env.name("TARGET", t.Name, tlsKeyField)
		out.TLSClientKeyPEM = ref(name)
		names = append(names, name)
	}
	for _, c := range t.Conditions {
		out.Conditions = append(out.Conditions, Condition{Type: c.Type, Path: c.Path, Name: c.Name, Op: c.Op, Value: c.Value})
	}
	for _, id := range t.ChannelIDs {
		if name, ok := channelNames[id]; ok {
			out.Channels = append(out.Channels, name)
		}
	}
	for _, w := range t.WarmWindows {
		out.WarmWindows = append(out.WarmWindows, WarmWindow{Days: w.Days, Start: w.Start, End: w.End})
	}
	if out.Timezone == "UTC" {
		out.Timezone = ""
	}
	return out, names
}

// settingsOf is t with the settings its type does not use put back to their
// defaults, whatever the store holds for them (a target that was a heartbeat once
// keeps its period in the row): export leaves them out, and apply compares targets
// by what a document can say about them.
func settingsOf(t target.Target) target.Target {
	if t.Type == "" {
		t.Type = target.TypeHTTP
	}
	if t.Type != target.TypeHeartbeat {
		t.PeriodSeconds, t.GraceSeconds, t.Cron = target.DefaultPeriodSeconds, target.DefaultGraceSeconds, ""
	} else {
		t.IntervalSeconds, t.TimeoutSeconds, t.Retries, t.RetryDelaySeconds = 0, 0, 0, 0
		t.URL = ""
		if t.Cron != "" {
			t.PeriodSeconds = target.DefaultPeriodSeconds
		}
	}
	if t.Type != target.TypeHTTP {
		t.Method, t.ExpectedStatus = "", ""
	}
	if !t.HasCertificate() {
		t.CertExpiryDays = target.DefaultCertExpiryDays
		t.TLSCAPEM, t.TLSClientCertPEM, t.TLSClientKeyPEM, t.TLSSkipVerify = "", "", "", false
	}
	return t
}

// Marshal writes doc as YAML, headed by the environment variables its secrets need.
func Marshal(doc Document, secrets []string) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("# WatchDog configuration: apply with `watchdog apply -f FILE`.\n")
	if len(secrets) > 0 {
		buf.WriteString("# Secrets are read from these environment variables when applied:\n")
		for _, s := range secrets {
			buf.WriteString("#   " + s + "\n")
		}
	}
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("write document: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("write document: %w", err)
	}
	return buf.Bytes(), nil
}
