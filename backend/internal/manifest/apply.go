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
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/audit"
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
	// Progress, when set, is told how many of the document's objects are done, as
	// they are: a long apply can show how far it got.
	Progress func(done, total int)
	// Actor and ActorID name who applies, for the audit log ("alice", "cli (alice)");
	// ActorID is nil when no user of this server acts (the command line). Every
	// object created, updated or deleted gets an entry, written in the apply's
	// transaction: a failed apply leaves neither changes nor entries.
	Actor   string
	ActorID *int64
	// PingTokens are ping tokens to give heartbeats this apply creates, by target
	// name in lower case: an importer carrying a monitor's own push token, so the
	// jobs that ping it keep working. Tokens are not in documents (they are
	// credentials of the target); a heartbeat that exists keeps its own.
	PingTokens map[string]string
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
	a := &applier{doc: p, opts: opts, report: Report{DryRun: opts.DryRun},
		total: len(p.Channels) + len(p.Targets) + len(p.StatusPages)}
	a.check()
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
		if err := a.errs.err(); err != nil {
			// Every error of the document at once; the transaction rolls back.
			return err
		}
		if opts.DryRun {
			return errDryRun
		}
		return a.audit(ctx)
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
	// errs gathers every error of the document: after the first, the rest of it is
	// still checked, but nothing more is written (the transaction rolls back).
	errs errorList
	// changes are the objects changed, for the audit log.
	changes []change
	// done and total count the document's objects for Progress.
	done, total int
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

// targetSecret is the secret field of a target: a credential header, or its TLS
// client key (field tlsKeyField).
func targetSecret(name, field string) secretField {
	return secretField{kind: "TARGET", owner: name, variable: EnvName("TARGET", name, field)}
}

func (a *applier) add(kind, name, action string) {
	a.report.Items = append(a.report.Items, Item{Kind: kind, Name: name, Action: action})
}

func (a *applier) errorAt(path, format string, args ...any) *LineError {
	at := a.doc.Position(path)
	return &LineError{Line: at.Line, Column: at.Column, Path: path, Msg: fmt.Sprintf(format, args...)}
}

// fail records an error of the document at path.
func (a *applier) fail(path, format string, args ...any) {
	a.errs.add(a.errorAt(path, format, args...))
}

// note records err, when it is the document's, and says whether it was: any other
// error (the database's) ends the apply.
func (a *applier) note(err error) bool {
	all := List(err)
	for _, le := range all {
		a.errs.add(le)
	}
	return len(all) > 0
}

// invalid records each field of a domain rule's ValidationError at its place below
// path (a target's "interval_seconds" is targets[2].interval_seconds), and says
// whether err was one; a field already reported as unreadable is not reported again.
func (a *applier) invalid(err error, path string, rename map[string]string) bool {
	var v *target.ValidationError
	if !errors.As(err, &v) {
		return false
	}
	if len(v.Fields) == 0 {
		a.fail(path, "%v", err)
	}
	for _, f := range v.Fields {
		field := f.Field
		if r, ok := rename[field]; ok {
			field = r
		}
		if !a.errs.has(path + "." + field) {
			a.fail(path+"."+field, "%s", f.Message)
		}
	}
	return true
}

// step counts n more objects done, for Progress.
func (a *applier) step(n int) {
	a.done += n
	if a.opts.Progress != nil && n > 0 {
		a.opts.Progress(a.done, a.total)
	}
}

// check finds what is wrong with the document itself: names missing or twice, and
// references to objects it does not have (looked up in the database later).
func (a *applier) check() {
	seen := map[string]bool{}
	for i, ch := range a.doc.Channels {
		a.unique(seen, "channel", strings.TrimSpace(ch.Name), fmt.Sprintf("channels[%d].name", i))
	}
	for i, t := range a.doc.Targets {
		// Target names are unique in any case, as the database has them.
		a.unique(seen, "target", strings.ToLower(strings.TrimSpace(t.Name)), fmt.Sprintf("targets[%d].name", i))
	}
	for i, p := range a.doc.StatusPages {
		a.unique(seen, "status page", p.Slug, fmt.Sprintf("status_pages[%d].slug", i))
	}
}

func (a *applier) unique(seen map[string]bool, kind, name, path string) {
	if name == "" {
		a.fail(path, "is required")
		return
	}
	if seen[kind+"\x00"+name] {
		a.fail(path, "another %s in the document has this name", kind)
		return
	}
	seen[kind+"\x00"+name] = true
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
		if t.TLSClientKeyPEM != "" {
			note(targetSecret(t.Name, tlsKeyField))
		}
	}
	for _, t := range a.doc.Targets {
		header(strings.TrimSpace(t.Name), t.Headers)
		if t.TLSClientKeyPEM != "" {
			note(targetSecret(strings.TrimSpace(t.Name), tlsKeyField))
		}
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
// other string holds none. A field that cannot be resolved is recorded and left out.
func (a *applier) resolveConfig(ch Channel, path string) map[string]any {
	keys, mapKeys, err := notify.SecretFields(ch.Type)
	if err != nil {
		a.fail(path+".type", "must be one of %s", strings.Join(notify.Types(), ", "))
		return nil
	}
	name := strings.TrimSpace(ch.Name)
	out := make(map[string]any, len(ch.Config))
	for _, k := range slices.Sorted(maps.Keys(ch.Config)) {
		v, p := ch.Config[k], path+".config."+k
		switch values, isMap := v.(map[string]any); {
		case slices.Contains(keys, k):
			if s, ok := v.(string); ok {
				out[k] = a.resolveInto(s, p, channelSecret(name, k))
			} else {
				out[k] = a.resolveAny(v, p)
			}
		case slices.Contains(mapKeys, k) && isMap:
			m := make(map[string]any, len(values))
			for _, h := range slices.Sorted(maps.Keys(values)) {
				if s, ok := values[h].(string); ok {
					m[h] = a.resolveInto(s, p+"."+h, channelSecret(name, k, h))
				} else {
					m[h] = a.resolveAny(values[h], p+"."+h)
				}
			}
			out[k] = m
		default:
			out[k] = a.resolveAny(v, p)
		}
	}
	return out
}

// resolveInto is resolve that records its error and gives "".
func (a *applier) resolveInto(s, path string, secret secretField) string {
	v, err := a.resolve(s, path, secret)
	if err != nil {
		a.note(err)
	}
	return v
}

// resolveAny resolves every string of a config value that holds no secret.
func (a *applier) resolveAny(v any, path string) any {
	switch x := v.(type) {
	case string:
		return a.resolveInto(x, path, secretField{})
	case map[string]any:
		out := make(map[string]any, len(x))
		for _, k := range slices.Sorted(maps.Keys(x)) {
			out[k] = a.resolveAny(x[k], path+"."+k)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = a.resolveAny(val, fmt.Sprintf("%s[%d]", path, i))
		}
		return out
	}
	return v
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
		before := len(a.errs.errs)
		cfg := a.resolveConfig(want, path)
		raw, err := json.Marshal(cfg)
		if err != nil {
			a.fail(path+".config", "cannot be written as JSON")
		}
		ch := notify.Channel{Name: name, Type: want.Type, Config: raw, IsDefault: want.IsDefault}
		if len(a.errs.errs) == before {
			if err := ch.Validate(a.opts.Notify); err != nil && !a.invalid(err, path, nil) {
				a.fail(path, "%v", err)
			}
		}
		old, exists := byName[name]
		if exists && old.Type != ch.Type && !a.errs.has(path+".type") {
			a.fail(path+".type", "channel %q is a %s channel; a type cannot change (delete it first)", name, old.Type)
		}
		if a.errs.failed() {
			// Nothing more is written; targets naming this channel are still checked
			// (an id of 0 is one they leave out).
			a.channelIDs[name] = old.ID
			a.step(1)
			continue
		}
		switch {
		case !exists:
			created, err := a.tx.CreateChannel(ctx, ch)
			if err != nil {
				return err
			}
			a.channelIDs[name] = created.ID
			a.change("channel", name, created.ID, Created, nil, created)
		case sameJSON(old.Config, ch.Config) && old.IsDefault == ch.IsDefault:
			a.channelIDs[name] = old.ID
			a.add("channel", name, Unchanged)
		case a.opts.KeepExisting:
			a.channelIDs[name] = old.ID
			a.add("channel", name, Kept)
		default:
			ch.ID = old.ID
			updated, err := a.tx.UpdateChannel(ctx, ch)
			if err != nil {
				return err
			}
			a.channelIDs[name] = old.ID
			a.change("channel", name, old.ID, Updated, old, updated)
		}
		a.step(1)
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

func sameJSON(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// createBatch is how many new targets are inserted to a statement, and between two
// reports of progress.
const createBatch = 500

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
		desired, ok := a.target(want, path)
		lower := strings.ToLower(strings.TrimSpace(want.Name))
		keep[lower] = true
		olds := byName[lower]
		if len(olds) > 1 {
			a.fail(path+".name", "%d targets are named %q; rename all but one so the document can name it", len(olds), desired.Name)
		}
		if !ok || a.errs.failed() {
			// Nothing more is written; pages naming this target are still checked.
			a.targetIDs[lower] = 0
			a.step(1)
			continue
		}
		switch {
		case len(olds) == 0:
			if token, ok := a.opts.PingTokens[lower]; ok && desired.Type == target.TypeHeartbeat && token != "" {
				desired.PingToken = token
			}
			fresh = append(fresh, desired)
			a.add("target", desired.Name, Created)
			continue // counted when inserted
		case sameTarget(olds[0], desired):
			a.targetIDs[lower] = olds[0].ID
			a.add("target", desired.Name, Unchanged)
		case a.opts.KeepExisting:
			a.targetIDs[lower] = olds[0].ID
			a.add("target", desired.Name, Kept)
		default:
			desired.ID = olds[0].ID
			if olds[0].Type == target.TypeHeartbeat && desired.Type == target.TypeHeartbeat {
				// The token is the heartbeat's credential, not the document's: its
				// jobs keep pinging the URL they have.
				desired.PingToken = olds[0].PingToken
			}
			updated, err := a.tx.UpdateTarget(ctx, olds[0], desired)
			if err != nil {
				return err
			}
			a.targetIDs[lower] = olds[0].ID
			a.change("target", desired.Name, olds[0].ID, Updated, olds[0], updated)
		}
		a.step(1)
	}
	if a.errs.failed() {
		a.step(len(fresh))
	} else {
		for chunk := range slices.Chunk(fresh, createBatch) {
			created, err := a.tx.CreateTargets(ctx, chunk)
			if err != nil {
				return err
			}
			for _, t := range created {
				a.targetIDs[strings.ToLower(t.Name)] = t.ID
				a.audited("target", t.Name, t.ID, Created, nil, t)
			}
			a.step(len(chunk))
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
// rules; each broken rule is recorded naming the item's field and place, and ok is
// false.
func (a *applier) target(want Target, path string) (target.Target, bool) {
	before := len(a.errs.errs)
	u := a.resolveInto(want.URL, path+".url", secretField{})
	var headers map[string]string
	if want.Headers != nil {
		headers = map[string]string{}
		for _, k := range slices.Sorted(maps.Keys(want.Headers)) {
			var secret secretField
			if target.CredentialHeader(k) {
				secret = targetSecret(strings.TrimSpace(want.Name), k)
			}
			headers[k] = a.resolveInto(want.Headers[k], path+".headers."+k, secret)
		}
	}
	var key string
	if want.TLSClientKeyPEM != "" {
		key = a.resolveInto(want.TLSClientKeyPEM, path+".tls_client_key_pem", targetSecret(strings.TrimSpace(want.Name), tlsKeyField))
	}
	active := !want.Paused
	spec := target.Spec{
		Name: &want.Name, URL: u, Method: want.Method, Headers: headers, IntervalSeconds: want.IntervalSeconds,
		TimeoutSeconds: want.TimeoutSeconds, ExpectedStatus: want.ExpectedStatus, Retries: want.Retries,
		RetryDelaySeconds: want.RetryDelaySeconds, IsActive: &active, Tags: want.Tags,
		FailureThreshold: want.FailureThreshold, SuccessThreshold: want.SuccessThreshold,
		KeepWarm: want.KeepWarm, Platform: want.Platform, IdleTimeoutSeconds: want.IdleTimeoutSeconds,
		WakeTimeoutSeconds: want.WakeTimeoutSeconds, Timezone: want.Timezone, BudgetGroup: want.BudgetGroup,
		ChannelIDs:     []int64{},
		CertExpiryDays: want.CertExpiryDays, TLSCAPEM: want.TLSCAPEM, TLSClientCertPEM: want.TLSClientCertPEM,
		TLSClientKeyPEM: key, TLSSkipVerify: want.TLSSkipVerify, PeriodSeconds: want.PeriodSeconds,
		GraceSeconds: want.GraceSeconds, Cron: want.Cron, Impersonate: (*target.Impersonation)(want.Impersonate),
	}
	if typ := strings.TrimSpace(want.Type); typ != "" {
		spec.Type = (*target.Type)(&typ)
	}
	for _, c := range want.Conditions {
		spec.Conditions = append(spec.Conditions, target.Condition{Type: c.Type, Path: c.Path, Name: c.Name, Op: c.Op, Value: c.Value})
	}
	for _, w := range want.WarmWindows {
		spec.WarmWindows = append(spec.WarmWindows, target.WarmWindow{Days: w.Days, Start: w.Start, End: w.End})
	}
	for j, name := range want.Channels {
		id, ok := a.channelIDs[name]
		switch {
		case !ok:
			a.fail(fmt.Sprintf("%s.channels[%d]", path, j), "%s", a.missing("channel", name))
		case id != 0: // 0: a channel of the document with errors of its own
			spec.ChannelIDs = append(spec.ChannelIDs, id)
		}
	}
	t, err := target.New(spec, a.opts.Limits)
	if err != nil && !a.invalid(err, path, map[string]string{"is_active": "paused", "channel_ids": "channels"}) {
		a.fail(path, "%v", err)
	}
	return t, err == nil && len(a.errs.errs) == before
}

// sameTarget compares the settings a document holds, not the state checks keep.
func sameTarget(a, b target.Target) bool {
	type settings struct {
		Name, URL, Method, ExpectedStatus, Platform, Timezone, BudgetGroup string
		Type                                                               target.Type
		Impersonate                                                        target.Impersonation
		CA, ClientCert, ClientKey, Cron                                    string
		Headers                                                            map[string]string
		Interval, Timeout, Retries, RetryDelay, Fail, Succeed, Idle, Wake  int
		CertDays, Period, Grace                                            int
		Active, KeepWarm, SkipVerify                                       bool
		Tags                                                               []string
		Conditions                                                         []target.Condition
		Channels                                                           []int64
		Windows                                                            []target.WarmWindow
	}
	of := func(t target.Target) settings {
		t = settingsOf(t)
		s := settings{Type: t.Type, CA: t.TLSCAPEM, ClientCert: t.TLSClientCertPEM, ClientKey: t.TLSClientKeyPEM,
			Cron: t.Cron, CertDays: t.CertExpiryDays, Period: t.PeriodSeconds, Grace: t.GraceSeconds, SkipVerify: t.TLSSkipVerify,
			Impersonate: t.Impersonate, Name: t.Name, URL: t.URL, Method: t.Method, ExpectedStatus: t.ExpectedStatus, Platform: t.Platform,
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
			switch {
			case !ok:
				a.fail(fmt.Sprintf("%s.targets[%d]", path, j), "%s", a.missing("target", name))
			case id != 0: // 0: a target of the document with errors of its own
				p.TargetIDs = append(p.TargetIDs, id)
			}
		}
		if err := p.Validate(); err != nil && !a.invalid(err, path, map[string]string{"target_ids": "targets"}) {
			a.fail(path, "%v", err)
		}
		a.step(1)
		if a.errs.failed() {
			continue
		}
		old, exists := bySlug[p.Slug]
		switch {
		case !exists:
			created, err := a.tx.CreateStatusPage(ctx, p)
			if err != nil {
				return err
			}
			a.change("status_page", p.Slug, created.ID, Created, nil, created)
		case old.Title == p.Title && old.Description == p.Description && slices.Equal(old.TargetIDs, p.TargetIDs):
			a.add("status_page", p.Slug, Unchanged)
		case a.opts.KeepExisting:
			a.add("status_page", p.Slug, Kept)
		default:
			p.ID = old.ID
			updated, err := a.tx.UpdateStatusPage(ctx, p)
			if err != nil {
				return err
			}
			a.change("status_page", p.Slug, old.ID, Updated, old, updated)
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
	if !a.opts.Prune || a.errs.failed() {
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
			a.change("status_page", p.Slug, p.ID, Deleted, p, nil)
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
			a.change("target", t.Name, t.ID, Deleted, t, nil)
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
			a.change("channel", ch.Name, ch.ID, Deleted, ch, nil)
		}
	}
	return nil
}

// change reports what was done to an object and keeps it for the audit log.
func (a *applier) change(kind, name string, id int64, action string, before, after any) {
	a.report.Items = append(a.report.Items, Item{Kind: kind, Name: name, Action: action, ID: id})
	a.audited(kind, name, id, action, before, after)
}

// audited keeps a change for the audit log; before and after are the object's domain
// values (nil where it did not exist).
func (a *applier) audited(kind, name string, id int64, action string, before, after any) {
	a.changes = append(a.changes, change{kind: kind, name: name, id: id, action: action, before: before, after: after})
}

// change is one object created, updated or deleted.
type change struct {
	kind, name    string
	id            int64
	action        string
	before, after any
}

// auditActions maps a report's actions to the audit log's.
var auditActions = map[string]string{Created: audit.Create, Updated: audit.Update, Deleted: audit.Delete}

// audit writes, in the apply's transaction, an entry for every object changed (its
// fields before and after as the document writes them: secrets are ${…} references
// there, and a changed secret reads as masked) and one for the apply as a whole.
func (a *applier) audit(ctx context.Context) error {
	if len(a.changes) == 0 {
		return nil
	}
	channelNames, targetNames := map[int64]string{}, map[int64]string{}
	for name, id := range a.channelIDs {
		channelNames[id] = name
	}
	for _, c := range a.changes {
		switch v := c.before.(type) {
		case notify.Channel:
			channelNames[v.ID] = v.Name
		case target.Target:
			targetNames[v.ID] = v.Name
		}
		switch v := c.after.(type) {
		case notify.Channel:
			channelNames[v.ID] = v.Name
		case target.Target:
			targetNames[v.ID] = v.Name
		}
	}
	all, err := a.tx.AllTargets(ctx)
	if err != nil {
		return err
	}
	for _, t := range all {
		targetNames[t.ID] = t.Name
	}
	now := time.Now()
	actor := a.opts.Actor
	if actor == "" {
		actor = "unknown"
	}
	summary := map[string]audit.Change{}
	entries := make([]audit.Entry, 0, len(a.changes)+1)
	for _, c := range a.changes {
		before, secretBefore := a.documented(c.before, channelNames, targetNames)
		after, secretAfter := a.documented(c.after, channelNames, targetNames)
		changes, err := audit.Diff(before, after, nil, nil)
		if err != nil {
			return err
		}
		for field, raw := range secretAfter {
			if old, ok := secretBefore[field]; ok && old != raw {
				if _, shown := changes[field]; !shown {
					changes[field] = audit.Change{Before: audit.Masked, After: audit.Masked}
				}
			}
		}
		id := c.id
		entries = append(entries, audit.Entry{At: now, ActorID: a.opts.ActorID, Actor: actor, Action: auditActions[c.action],
			Kind: c.kind, ObjectID: &id, ObjectName: c.name, Changes: changes})
		summary[c.kind+" "+c.name] = audit.Change{After: c.action}
	}
	entries = append(entries, audit.Entry{At: now, ActorID: a.opts.ActorID, Actor: actor, Action: audit.Update,
		Kind: audit.KindConfig, ObjectName: "apply", Changes: summary})
	return a.tx.AddAudits(ctx, entries)
}

// documented is an object as the document writes it, for the audit log, and the
// raw values of its secret fields (compared, never written).
func (a *applier) documented(v any, channelNames, targetNames map[int64]string) (any, map[string]string) {
	switch x := v.(type) {
	case notify.Channel:
		out, _, err := exportChannel(x, envNames{})
		if err != nil {
			return nil, nil
		}
		return out, map[string]string{"config": string(x.Config)}
	case target.Target:
		out, _ := exportTarget(x, channelNames, envNames{})
		raw, _ := json.Marshal(x.Headers)
		return out, map[string]string{"headers": string(raw), tlsKeyField: x.TLSClientKeyPEM}
	case statuspage.Page:
		out := StatusPage{Slug: x.Slug, Title: x.Title, Description: x.Description}
		for _, id := range x.TargetIDs {
			out.Targets = append(out.Targets, targetNames[id])
		}
		return out, nil
	}
	return nil, nil
}
