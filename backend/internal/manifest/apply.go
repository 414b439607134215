package manifest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/watchdog-monitor/watchdog/backend/internal/notify"
	"github.com/watchdog-monitor/watchdog/backend/internal/platform"
	"github.com/watchdog-monitor/watchdog/backend/internal/statuspage"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// Actions in a report.
const (
	Created   = "created"
	Updated   = "updated"
	Unchanged = "unchanged"
	Deleted   = "deleted"
	// Kept: with KeepExisting, an object of that name exists with other settings and
	// was left as it is.
	Kept = "kept"
)

// Item is what apply did (or, in a dry run, would do) to one object.
type Item struct {
	Kind   string `json:"kind"` // channel, target, status_page
	Name   string `json:"name"`
	Action string `json:"action"`
	// ID is the object's id, for a caller that must forget what was deleted.
	ID int64 `json:"-"`
}

// Report lists every object of the document, and with prune every object deleted.
type Report struct {
	DryRun bool   `json:"dry_run"`
	Items  []Item `json:"items"`
}

// Changed says whether the apply changed (or would change) anything.
func (r Report) Changed() bool {
	for _, it := range r.Items {
		if it.Action != Unchanged && it.Action != Kept {
			return true
		}
	}
	return false
}

// String prints one line per object, "target shop-api: created".
func (r Report) String() string {
	var b strings.Builder
	for _, it := range r.Items {
		action := it.Action
		if action == Kept {
			action = "kept: one of this name exists with other settings and was left as it is"
		}
		fmt.Fprintf(&b, "%s %s: %s\n", strings.ReplaceAll(it.Kind, "_", " "), it.Name, action)
	}
	if r.DryRun {
		b.WriteString("(dry run: nothing was changed)\n")
	}
	return b.String()
}

// ApplyOptions say how to apply.
type ApplyOptions struct {
	// Prune deletes the objects the document does not have.
	Prune bool
	// DryRun reports what would change and changes nothing.
	DryRun bool
	// KeepExisting only creates: an object whose name is taken by one with other
	// settings is left alone and reported Kept (imports must not overwrite).
	KeepExisting bool
	// Env resolves ${NAME} references; nil reads the process environment.
	Env func(string) string
	// EnvPrefix, when set, is the only prefix a reference may have (the HTTP apply
	// reads WATCHDOG_* only).
	EnvPrefix string
	// Limits are the server's target rules; Notify what channel validation needs.
	Limits target.Limits
	Notify notify.Env
}

// errDryRun rolls a dry run's transaction back.
var errDryRun = errors.New("dry run")

// Apply makes the store match doc in one transaction: a document with any error
// changes nothing. Objects are matched by name (slug for status pages); ones whose
// settings already match are left alone, so applying twice changes nothing the
// second time.
func Apply(ctx context.Context, st *store.Store, doc Document, opts ApplyOptions) (Report, error) {
	return Parsed{Document: doc}.Apply(ctx, st, opts)
}

// Apply is Apply for a parsed document, whose errors name their lines.
func (p Parsed) Apply(ctx context.Context, st *store.Store, opts ApplyOptions) (Report, error) {
	if opts.Env == nil {
		opts.Env = os.Getenv
	}
	if opts.Limits.Preset == nil {
		opts.Limits.Preset = platform.MustLoad().TargetPreset
	}
	a := &applier{doc: p, opts: opts, report: Report{DryRun: opts.DryRun}}
	if err := a.check(); err != nil {
		return Report{}, err
	}
	err := st.Atomically(ctx, func(tx *store.Store) error {
		a.tx = tx
		// One apply at a time: two at once on PostgreSQL would each create what the
		// other has not committed yet.
		if err := tx.LockConfig(ctx); err != nil {
			return err
		}
		if err := a.indexSecrets(ctx); err != nil {
			return err
		}
		if err := a.channels(ctx); err != nil {
			return err
		}
		if err := a.targets(ctx); err != nil {
			return err
		}
		if err := a.pages(ctx); err != nil {
			return err
		}
		if err := a.prune(ctx); err != nil {
			return err
		}
		if opts.DryRun {
			return errDryRun
		}
		return nil
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return Report{}, err
	}
	return a.report, nil
}

type applier struct {
	doc    Parsed
	opts   ApplyOptions
	tx     *store.Store
	report Report
	// ids of the objects by name, as they stand in the transaction (targets by their
	// lower-cased name: they are matched in any case).
	channelIDs map[string]int64
	targetIDs  map[string]int64
	// owners maps each variable export would name for a secret field of an object in
	// the database or the document to the objects it would name it for.
	owners map[string][]owner
}

// owner is an object a secret variable belongs to: its kind (CHANNEL, TARGET) and name.
type owner struct{ kind, name string }

// same says whether o is the object named name of its kind, as apply matches them:
// targets in any case (their names are unique so), channels exactly.
func (o owner) same(kind, name string) bool {
	if o.kind != kind {
		return false
	}
	if kind == "TARGET" {
		return strings.EqualFold(o.name, name)
	}
	return o.name == name
}

// secretField is a field a reference may fill: the variable export names for it, and
// the object it belongs to. The zero secretField is a field that holds no secret.
type secretField struct{ kind, owner, variable string }

func channelSecret(name string, parts ...string) secretField {
	return secretField{kind: "CHANNEL", owner: name, variable: EnvName(append([]string{"CHANNEL", name}, parts...)...)}
}

func targetSecret(name, header string) secretField {
	return secretField{kind: "TARGET", owner: name, variable: EnvName("TARGET", name, header)}
}

func (a *applier) add(kind, name, action string) {
	a.report.Items = append(a.report.Items, Item{Kind: kind, Name: name, Action: action})
}

func (a *applier) errorAt(path, format string, args ...any) error {
	return &LineError{Line: a.doc.Line(path), Path: path, Msg: fmt.Sprintf(format, args...)}
}

// check finds what is wrong with the document itself: names missing or twice, and
// references to objects it does not have (looked up in the database later).
func (a *applier) check() error {
	seen := map[string]bool{}
	for i, ch := range a.doc.Channels {
		if err := unique(seen, "channel", strings.TrimSpace(ch.Name), fmt.Sprintf("channels[%d].name", i), a); err != nil {
			return err
		}
	}
	for i, t := range a.doc.Targets {
		// Target names are unique in any case, as the database has them.
		if err := unique(seen, "target", strings.ToLower(strings.TrimSpace(t.Name)), fmt.Sprintf("targets[%d].name", i), a); err != nil {
			return err
		}
	}
	for i, p := range a.doc.StatusPages {
		if err := unique(seen, "status page", p.Slug, fmt.Sprintf("status_pages[%d].slug", i), a); err != nil {
			return err
		}
	}
	return nil
}

func unique(seen map[string]bool, kind, name, path string, a *applier) error {
	if name == "" {
		return a.errorAt(path, "is required")
	}
	if seen[kind+"\x00"+name] {
		return a.errorAt(path, "another %s in the document has this name", kind)
	}
	seen[kind+"\x00"+name] = true
	return nil
}

// Literal escapes s so that apply keeps it as it is: an importer's text holding
// "${" is not a reference.
func Literal(s string) string { return strings.ReplaceAll(s, "${", "$${") }

// refName matches the name of a ${NAME} reference, after its "${".
var refName = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)\}`)

// piece is a part of a string value: text, or a reference to a variable.
type piece struct{ text, ref string }

// pieces splits s into text and ${NAME} references; $${ is a literal ${, and any other
// ${ is an error (a typo would otherwise be stored as it is).
func pieces(s string) ([]piece, bool) {
	var out []piece
	var text strings.Builder
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "$${"):
			text.WriteString("${")
			i += 3
		case strings.HasPrefix(s[i:], "${"):
			m := refName.FindStringSubmatch(s[i+2:])
			if m == nil {
				return nil, false
			}
			if text.Len() > 0 {
				out = append(out, piece{text: text.String()})
				text.Reset()
			}
			out = append(out, piece{ref: m[1]})
			i += 2 + len(m[0])
		default:
			text.WriteByte(s[i])
			i++
		}
	}
	if text.Len() > 0 || len(out) == 0 {
		out = append(out, piece{text: text.String()})
	}
	return out, true
}

// resolve turns a field's value into what is stored. secret is the field at path, or
// the zero secretField for a field that holds no secret.
//
// A reference reads a secret from the environment, so where it may stand is the whole
// rule: only as the whole value of a field export writes one for (a channel's secret
// setting, a value of a webhook's headers, a target's credential header), and only
// the variable export names for that field of that object. Anywhere else — a URL, a
// plain header, another object's secret field — whoever writes the document could read
// the variable back from an answer, or have it sent to a server of their choosing.
func (a *applier) resolve(s, path string, secret secretField) (string, error) {
	parts, ok := pieces(s)
	if !ok {
		return "", a.errorAt(path, "holds a ${ that is not a ${NAME} reference (write $${ for a literal ${)")
	}
	if len(parts) == 1 && parts[0].ref == "" {
		return parts[0].text, nil
	}
	var name string
	for _, p := range parts {
		if p.ref != "" {
			name = p.ref
			break
		}
	}
	switch {
	case secret.variable == "":
		return "", a.errorAt(path, "${%s} cannot be read here: a reference may only be the whole value of a secret setting of a channel or a credential header of a target (write $${ for a literal ${)", name)
	case len(parts) != 1:
		return "", a.errorAt(path, "a reference must be the whole value, as export writes it: ${%s}", secret.variable)
	case !exportedAs(name, secret.variable):
		return "", a.errorAt(path, "may read only ${%s}, the variable export names for this field, not ${%s}", secret.variable, name)
	}
	if other, ok := a.sharedWith(secret, name); ok {
		return "", a.errorAt(path, "${%s} may also be the secret of %s %q (their names make the same variable): rename one of them", name, strings.ToLower(other.kind), other.name)
	}
	v, ok := a.lookup(name)
	if !ok {
		return "", a.errorAt(path, "${%s} is not set in the environment", name)
	}
	return v, nil
}

// exportedAs says whether name is the variable export gives a field whose variable is
// base: base itself, or base_2, base_3… when another object's name makes the same
// variable ("Ops" and "ops"). Which of them a field got depends on the order of the
// export, so any of them is accepted; all of them belong to objects whose names spell
// the same variable, never to an object of another name.
func exportedAs(name, base string) bool {
	if name == base {
		return true
	}
	n, ok := strings.CutPrefix(name, base+"_")
	if !ok || n == "" || n[0] == '0' {
		return false
	}
	for _, r := range n {
		if r < '0' || r > '9' {
			return false
		}
	}
	return n != "1"
}

// sharedWith finds another object whose own secret field export could give the
// variable name: EnvName turns every character but letters and digits into "_", the
// separator between its parts too, so target "prod" with header Api-Authorization
// and target "prod-api" with Authorization both make WATCHDOG_TARGET_PROD_API_AUTHORIZATION,
// as do "prod.api" and "prod-api" with the same header. Reading such a variable could
// hand another object's secret to a URL of the writer's choosing, so it is refused.
func (a *applier) sharedWith(f secretField, name string) (owner, bool) {
	for variable, owners := range a.owners {
		if name != variable && !exportedAs(name, variable) {
			continue
		}
		for _, o := range owners {
			if !o.same(f.kind, f.owner) {
				return o, true
			}
		}
	}
	return owner{}, false
}

// indexSecrets records, for every secret field of every channel and target in the
// database and in the document, the variable export would name for it.
func (a *applier) indexSecrets(ctx context.Context) error {
	a.owners = map[string][]owner{}
	note := func(f secretField) {
		a.owners[f.variable] = append(a.owners[f.variable], owner{kind: f.kind, name: f.owner})
	}
	channel := func(name, typ string, config map[string]any) {
		keys, mapKeys, err := notify.SecretFields(typ)
		if err != nil {
			return // an unknown type is reported where the channel is applied
		}
		for _, k := range keys {
			note(channelSecret(name, k))
		}
		for _, k := range mapKeys {
			values, _ := config[k].(map[string]any)
			for h := range values {
				note(channelSecret(name, k, h))
			}
		}
	}
	header := func(name string, headers map[string]string) {
		for h := range headers {
			if target.CredentialHeader(h) {
				note(targetSecret(name, h))
			}
		}
	}
	channels, err := a.tx.ListChannels(ctx)
	if err != nil {
		return err
	}
	for _, ch := range channels {
		cfg := map[string]any{}
		if err := json.Unmarshal(ch.Config, &cfg); err != nil {
			return fmt.Errorf("read channel %q: %w", ch.Name, err)
		}
		channel(ch.Name, ch.Type, cfg)
	}
	for _, ch := range a.doc.Channels {
		channel(strings.TrimSpace(ch.Name), ch.Type, ch.Config)
	}
	targets, err := a.tx.AllTargets(ctx)
	if err != nil {
		return err
	}
	for _, t := range targets {
		header(t.Name, t.Headers)
	}
	for _, t := range a.doc.Targets {
		header(strings.TrimSpace(t.Name), t.Headers)
	}
	return nil
}

// lookup reads a variable for a reference. Over HTTP only WATCHDOG_* names are read:
// an editor must not be able to read the server's own settings (JWT_SECRET, …)
// into a target's URL.
func (a *applier) lookup(name string) (string, bool) {
	if a.opts.EnvPrefix != "" && !strings.HasPrefix(name, a.opts.EnvPrefix) {
		return "", false
	}
	v := a.opts.Env(name)
	return v, v != ""
}

// resolveConfig resolves a channel's config: its secret settings (and each value of a
// secret map, a webhook's headers) may be references to their own variables; every
// other string holds none.
func (a *applier) resolveConfig(ch Channel, path string) (map[string]any, error) {
	keys, mapKeys, err := notify.SecretFields(ch.Type)
	if err != nil {
		return nil, a.errorAt(path+".type", "must be one of %s", strings.Join(notify.Types(), ", "))
	}
	name := strings.TrimSpace(ch.Name)
	out := make(map[string]any, len(ch.Config))
	for _, k := range slices.Sorted(maps.Keys(ch.Config)) { // the first error is always the same
		v, p := ch.Config[k], path+".config."+k
		var r any
		switch values, isMap := v.(map[string]any); {
		case slices.Contains(keys, k):
			if s, ok := v.(string); ok {
				r, err = a.resolve(s, p, channelSecret(name, k))
			} else {
				r, err = a.resolveAny(v, p)
			}
		case slices.Contains(mapKeys, k) && isMap:
			m := make(map[string]any, len(values))
			for _, h := range slices.Sorted(maps.Keys(values)) {
				if s, ok := values[h].(string); ok {
					m[h], err = a.resolve(s, p+"."+h, channelSecret(name, k, h))
				} else {
					m[h], err = a.resolveAny(values[h], p+"."+h)
				}
				if err != nil {
					break
				}
			}
			r = m
		default:
			r, err = a.resolveAny(v, p)
		}
		if err != nil {
			return nil, err
		}
		out[k] = r
	}
	return out, nil
}

// resolveAny resolves every string of a config value that holds no secret.
func (a *applier) resolveAny(v any, path string) (any, error) {
	switch x := v.(type) {
	case string:
		return a.resolve(x, path, secretField{})
	case map[string]any:
		out := make(map[string]any, len(x))
		for _, k := range slices.Sorted(maps.Keys(x)) { // the first error is always the same
			r, err := a.resolveAny(x[k], path+"."+k)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			r, err := a.resolveAny(val, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

func (a *applier) channels(ctx context.Context) error {
	current, err := a.tx.ListChannels(ctx)
	if err != nil {
		return err
	}
	byName := map[string]notify.Channel{}
	for _, ch := range current {
		byName[ch.Name] = ch
	}
	a.channelIDs = map[string]int64{}
	keep := map[string]bool{}
	for i, want := range a.doc.Channels {
		path := fmt.Sprintf("channels[%d]", i)
		name := strings.TrimSpace(want.Name)
		keep[name] = true
		cfg, err := a.resolveConfig(want, path)
		if err != nil {
			return err
		}
		raw, err := json.Marshal(cfg)
		if err != nil {
			return a.errorAt(path+".config", "%v", err)
		}
		ch := notify.Channel{Name: name, Type: want.Type, Config: raw, IsDefault: want.IsDefault}
		if err := a.validateChannel(ch, path); err != nil {
			return err
		}
		old, exists := byName[name]
		switch {
		case !exists:
			created, err := a.tx.CreateChannel(ctx, ch)
			if err != nil {
				return err
			}
			a.channelIDs[name] = created.ID
			a.add("channel", name, Created)
		case old.Type != ch.Type:
			return a.errorAt(path+".type", "channel %q is a %s channel; a type cannot change (delete it first)", name, old.Type)
		case sameJSON(old.Config, ch.Config) && old.IsDefault == ch.IsDefault:
			a.channelIDs[name] = old.ID
			a.add("channel", name, Unchanged)
		case a.opts.KeepExisting:
			a.channelIDs[name] = old.ID
			a.add("channel", name, Kept)
		default:
			ch.ID = old.ID
			if _, err := a.tx.UpdateChannel(ctx, ch); err != nil {
				return err
			}
			a.channelIDs[name] = old.ID
			a.add("channel", name, Updated)
		}
	}
	if !a.opts.Prune {
		// Without prune, targets may name channels the document leaves out; with it,
		// those are about to be deleted, so naming one is an error.
		for _, ch := range current {
			if !keep[ch.Name] {
				a.channelIDs[ch.Name] = ch.ID
			}
		}
	}
	return nil
}

func (a *applier) validateChannel(ch notify.Channel, path string) error {
	var v *target.ValidationError
	if err := ch.Validate(a.opts.Notify); errors.As(err, &v) && len(v.Fields) > 0 {
		return a.errorAt(path+"."+v.Fields[0].Field, "%s", v.Fields[0].Message)
	} else if err != nil {
		return a.errorAt(path, "%v", err)
	}
	return nil
}

func sameJSON(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

func (a *applier) targets(ctx context.Context) error {
	current, err := a.tx.AllTargets(ctx)
	if err != nil {
		return err
	}
	// Names are matched as the database's unique index compares them: in any case.
	byName := map[string][]target.Target{}
	for _, t := range current {
		byName[strings.ToLower(t.Name)] = append(byName[strings.ToLower(t.Name)], t)
	}
	a.targetIDs = map[string]int64{}
	keep := map[string]bool{}
	// New targets are inserted together, a few hundred to a statement: a file of
	// thousands holds the database's write lock for a moment, not for minutes.
	var fresh []target.Target
	for i, want := range a.doc.Targets {
		path := fmt.Sprintf("targets[%d]", i)
		desired, err := a.target(want, path)
		if err != nil {
			return err
		}
		keep[strings.ToLower(desired.Name)] = true
		olds := byName[strings.ToLower(desired.Name)]
		switch {
		case len(olds) > 1:
			return a.errorAt(path+".name", "%d targets are named %q; rename all but one so the document can name it", len(olds), desired.Name)
		case len(olds) == 0:
			fresh = append(fresh, desired)
			a.add("target", desired.Name, Created)
		case sameTarget(olds[0], desired):
			a.targetIDs[strings.ToLower(desired.Name)] = olds[0].ID
			a.add("target", desired.Name, Unchanged)
		case a.opts.KeepExisting:
			a.targetIDs[strings.ToLower(desired.Name)] = olds[0].ID
			a.add("target", desired.Name, Kept)
		default:
			desired.ID = olds[0].ID
			if _, err := a.tx.UpdateTarget(ctx, olds[0], desired); err != nil {
				return err
			}
			a.targetIDs[strings.ToLower(desired.Name)] = olds[0].ID
			a.add("target", desired.Name, Updated)
		}
	}
	if len(fresh) > 0 {
		created, err := a.tx.CreateTargets(ctx, fresh)
		if err != nil {
			return err
		}
		for _, t := range created {
			a.targetIDs[strings.ToLower(t.Name)] = t.ID
		}
	}
	if !a.opts.Prune {
		for _, t := range current {
			if !keep[strings.ToLower(t.Name)] {
				a.targetIDs[strings.ToLower(t.Name)] = t.ID
			}
		}
	}
	return nil
}

// target builds the target a document item asks for, with the API's defaults and
// rules; a broken rule is an error naming the item's field and line.
func (a *applier) target(want Target, path string) (target.Target, error) {
	u, err := a.resolve(want.URL, path+".url", secretField{})
	if err != nil {
		return target.Target{}, err
	}
	var headers map[string]string
	if want.Headers != nil {
		headers = map[string]string{}
		for k, v := range want.Headers {
			var secret secretField
			if target.CredentialHeader(k) {
				secret = targetSecret(strings.TrimSpace(want.Name), k)
			}
			if headers[k], err = a.resolve(v, path+".headers."+k, secret); err != nil {
				return target.Target{}, err
			}
		}
	}
	active := !want.Paused
	spec := target.Spec{
		Name: &want.Name, URL: u, Method: want.Method, Headers: headers, IntervalSeconds: want.IntervalSeconds,
		TimeoutSeconds: want.TimeoutSeconds, ExpectedStatus: want.ExpectedStatus, Retries: want.Retries,
		RetryDelaySeconds: want.RetryDelaySeconds, IsActive: &active, Tags: want.Tags,
		FailureThreshold: want.FailureThreshold, SuccessThreshold: want.SuccessThreshold,
		KeepWarm: want.KeepWarm, Platform: want.Platform, IdleTimeoutSeconds: want.IdleTimeoutSeconds,
		WakeTimeoutSeconds: want.WakeTimeoutSeconds, Timezone: want.Timezone, BudgetGroup: want.BudgetGroup,
		ChannelIDs: []int64{},
	}
	for _, c := range want.Conditions {
		spec.Conditions = append(spec.Conditions, target.Condition{Type: c.Type, Path: c.Path, Name: c.Name, Op: c.Op, Value: c.Value})
	}
	for _, w := range want.WarmWindows {
		spec.WarmWindows = append(spec.WarmWindows, target.WarmWindow{Days: w.Days, Start: w.Start, End: w.End})
	}
	for j, name := range want.Channels {
		id, ok := a.channelIDs[name]
		if !ok {
			return target.Target{}, a.errorAt(fmt.Sprintf("%s.channels[%d]", path, j), "%s", a.missing("channel", name))
		}
		spec.ChannelIDs = append(spec.ChannelIDs, id)
	}
	t, err := target.New(spec, a.opts.Limits)
	var v *target.ValidationError
	if errors.As(err, &v) && len(v.Fields) > 0 {
		f := v.Fields[0]
		return target.Target{}, a.errorAt(path+"."+f.Field, "%s", f.Message)
	}
	return t, err
}

// sameTarget compares the settings a document holds, not the state checks keep.
func sameTarget(a, b target.Target) bool {
	type settings struct {
		Name, URL, Method, ExpectedStatus, Platform, Timezone, BudgetGroup string
		Headers                                                            map[string]string
		Interval, Timeout, Retries, RetryDelay, Fail, Succeed, Idle, Wake  int
		Active, KeepWarm                                                   bool
		Tags                                                               []string
		Conditions                                                         []target.Condition
		Channels                                                           []int64
		Windows                                                            []target.WarmWindow
	}
	of := func(t target.Target) settings {
		s := settings{Name: t.Name, URL: t.URL, Method: t.Method, ExpectedStatus: t.ExpectedStatus, Platform: t.Platform,
			Timezone: t.Timezone, BudgetGroup: t.BudgetGroup, Headers: t.Headers, Interval: t.IntervalSeconds,
			Timeout: t.TimeoutSeconds, Retries: t.Retries, RetryDelay: t.RetryDelaySeconds, Fail: t.FailureThreshold,
			Succeed: t.SuccessThreshold, Idle: t.IdleTimeoutSeconds, Wake: t.WakeTimeoutSeconds, Active: t.IsActive,
			KeepWarm: t.KeepWarm, Tags: slices.Clone(t.Tags), Conditions: t.Conditions, Channels: slices.Clone(t.ChannelIDs),
			Windows: t.WarmWindows}
		slices.Sort(s.Tags)
		slices.Sort(s.Channels)
		if len(s.Headers) == 0 {
			s.Headers = nil
		}
		if len(s.Tags) == 0 {
			s.Tags = nil
		}
		if len(s.Conditions) == 0 {
			s.Conditions = nil
		}
		if len(s.Channels) == 0 {
			s.Channels = nil
		}
		if len(s.Windows) == 0 {
			s.Windows = nil
		}
		return s
	}
	return reflect.DeepEqual(of(a), of(b))
}

func (a *applier) pages(ctx context.Context) error {
	current, err := a.tx.ListStatusPages(ctx)
	if err != nil {
		return err
	}
	bySlug := map[string]statuspage.Page{}
	for _, p := range current {
		bySlug[p.Slug] = p
	}
	for i, want := range a.doc.StatusPages {
		path := fmt.Sprintf("status_pages[%d]", i)
		p := statuspage.Page{Slug: want.Slug, Title: want.Title, Description: want.Description, TargetIDs: []int64{}}
		for j, name := range want.Targets {
			id, ok := a.targetIDs[strings.ToLower(name)]
			if !ok {
				return a.errorAt(fmt.Sprintf("%s.targets[%d]", path, j), "%s", a.missing("target", name))
			}
			p.TargetIDs = append(p.TargetIDs, id)
		}
		var v *target.ValidationError
		if err := p.Validate(); errors.As(err, &v) && len(v.Fields) > 0 {
			return a.errorAt(path+"."+v.Fields[0].Field, "%s", v.Fields[0].Message)
		}
		old, exists := bySlug[p.Slug]
		switch {
		case !exists:
			if _, err := a.tx.CreateStatusPage(ctx, p); err != nil {
				return err
			}
			a.add("status_page", p.Slug, Created)
		case old.Title == p.Title && old.Description == p.Description && slices.Equal(old.TargetIDs, p.TargetIDs):
			a.add("status_page", p.Slug, Unchanged)
		case a.opts.KeepExisting:
			a.add("status_page", p.Slug, Kept)
		default:
			p.ID = old.ID
			if _, err := a.tx.UpdateStatusPage(ctx, p); err != nil {
				return err
			}
			a.add("status_page", p.Slug, Updated)
		}
	}
	return nil
}

// missing says why a reference to kind name does not resolve.
func (a *applier) missing(kind, name string) string {
	if a.opts.Prune {
		return fmt.Sprintf("no %s named %q is in the document, and --prune deletes the ones that are not", kind, name)
	}
	return fmt.Sprintf("no %s is named %q", kind, name)
}

// prune deletes what the document no longer has: pages, then targets, then channels.
func (a *applier) prune(ctx context.Context) error {
	if !a.opts.Prune {
		return nil
	}
	wanted := map[string]bool{}
	for _, w := range a.doc.StatusPages {
		wanted["page\x00"+w.Slug] = true
	}
	for _, w := range a.doc.Targets {
		wanted["target\x00"+strings.ToLower(strings.TrimSpace(w.Name))] = true
	}
	for _, w := range a.doc.Channels {
		wanted["channel\x00"+strings.TrimSpace(w.Name)] = true
	}
	pages, err := a.tx.ListStatusPages(ctx)
	if err != nil {
		return err
	}
	for _, p := range pages {
		if !wanted["page\x00"+p.Slug] {
			if err := a.tx.DeleteStatusPage(ctx, p.ID); err != nil {
				return err
			}
			a.add("status_page", p.Slug, Deleted)
		}
	}
	targets, err := a.tx.AllTargets(ctx)
	if err != nil {
		return err
	}
	for _, t := range targets {
		if !wanted["target\x00"+strings.ToLower(t.Name)] {
			if err := a.tx.DeleteTarget(ctx, t.ID); err != nil {
				return err
			}
			a.report.Items = append(a.report.Items, Item{Kind: "target", Name: t.Name, Action: Deleted, ID: t.ID})
		}
	}
	channels, err := a.tx.ListChannels(ctx)
	if err != nil {
		return err
	}
	for _, ch := range channels {
		if !wanted["channel\x00"+ch.Name] {
			if err := a.tx.DeleteChannel(ctx, ch.ID); err != nil {
				return err
			}
			a.add("channel", ch.Name, Deleted)
		}
	}
	return nil
}
