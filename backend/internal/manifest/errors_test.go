package manifest_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/manifest"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

// TestErrorsInTheFilesWords: a broken document is reported whole, each error with
// its line, column and path, in the file's words: never a Go type or a library's
// wording.
func TestErrorsInTheFilesWords(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		want       []string
	}{
		{"types, unknown and repeated fields in YAML", "testdata/bad.yaml", []string{
			`line 8, column 17: channels[0].is_default: want true or false, got "maybe"`,
			`line 15, column 11: targets[1].tags: want a list, got "prod"`,
			`line 18, column 23: targets[2].interval_seconds: want a number, got "sixty"`,
			`line 19, column 14: targets[2].retries: want a whole number, got 1.5`,
			`line 20, column 5: targets[2].colour: unknown field "colour"`,
			`line 21, column 5: targets[2].intervall_seconds: unknown field "intervall_seconds" (did you mean interval_seconds?)`,
			`line 25, column 5: status_pages[0].title: given twice (first on line 24)`,
		}},
		{"a type in JSON", "testdata/bad.json", []string{
			`line 5, column 84: targets[1].interval_seconds: want a number, got "sixty"`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := os.Open(tc.file)
			require.NoError(t, err)
			defer func() { _ = f.Close() }()
			_, err = manifest.Parse(f)
			require.Error(t, err)
			var got []string
			for _, le := range manifest.List(err) {
				got = append(got, le.Error())
			}
			assert.Equal(t, tc.want, got)
			for _, banned := range []string{"!!str", "unmarshal", "manifest.", "int", "bool", "[]string"} {
				assert.NotContains(t, strings.ReplaceAll(err.Error(), "interval", ""), banned)
			}
		})
	}
}

// TestRuleErrorsAllAtOnce: the domain's rules (target.New, the channel's and the
// page's Validate, references) are reported together, each at the place of the
// field it concerns, and nothing is applied.
func TestRuleErrorsAllAtOnce(t *testing.T) {
	s := storetest.SQLite(t)
	f, err := os.Open("testdata/rules.yaml")
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	p, err := manifest.Parse(f)
	require.NoError(t, err)
	_, err = p.Apply(context.Background(), s, opts(nil))
	require.Error(t, err)
	var got []string
	for _, le := range manifest.List(err) {
		got = append(got, le.Error())
	}
	assert.Equal(t, []string{
		"line 7, column 12: channels[0].config.url: address not allowed: 169.254.169.254 is a link-local or cloud metadata address",
		"line 11, column 23: targets[0].interval_seconds: must be between 30 and 86400",
		`line 12, column 21: targets[0].channels[1]: no channel is named "nope"`,
		"line 14, column 10: targets[1].url: ${HOME} cannot be read here: a reference may only be the whole value of a secret setting of a channel or a credential header of a target (write $${ for a literal ${)",
		"line 16, column 11: status_pages[0].slug: must be 1 to 64 lowercase letters, digits and inner dashes",
		`line 18, column 25: status_pages[0].targets[1]: no target is named "gone"`,
	}, got)
	all, err := s.AllTargets(context.Background())
	require.NoError(t, err)
	assert.Empty(t, all, "nothing applied")
}

// TestParseEdges: what is not a document of objects is named as such.
func TestParseEdges(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"empty", "# nothing\n", "document is empty"},
		{"not a mapping", "- a\n- b\n", "line 1, column 1: want a mapping of version, channels, targets and status_pages, got a list"},
		{"no version", "targets: []\n", "line 1, column 1: version: is required (version: 1)"},
		{"another version", "version: 2\n", "line 1, column 10: version: must be 1"},
		{"broken syntax", "version: 1\ntargets: {\n", "line 2, column 10: not valid YAML: could not find flow mapping end token '}'"},
		{"an alias of nothing", "version: 1\ntargets:\n  - name: a\n    url: *u\n", "line 4, column 10: targets[0].url: *u names no anchor (&u) above it"},
		{"a number too large", "version: 1\ntargets:\n  - name: a\n    url: https://a.example.com/\n    retries: 99999999999\n",
			"line 5, column 14: targets[0].retries: is too large: 99999999999"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := manifest.Parse(strings.NewReader(tc.doc))
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}

// TestAnchorsMergesAndTags: YAML's own means of not repeating oneself read as the
// fields they stand for.
func TestAnchorsMergesAndTags(t *testing.T) {
	doc := "version: 1\ntargets:\n  - &base\n    name: a\n    url: https://a.example.com/\n    tags: &tags [prod]\n" +
		"  - <<: *base\n    name: b\n    tags: *tags\n    expected_status: !!str 200\n"
	p, err := manifest.Parse(strings.NewReader(doc))
	require.NoError(t, err)
	require.Len(t, p.Targets, 2)
	assert.Equal(t, "b", p.Targets[1].Name)
	assert.Equal(t, "https://a.example.com/", p.Targets[1].URL)
	assert.Equal(t, []string{"prod"}, p.Targets[1].Tags)
	require.NotNil(t, p.Targets[1].ExpectedStatus)
	assert.Equal(t, "200", *p.Targets[1].ExpectedStatus)
	assert.Equal(t, manifest.Position{Line: 8, Column: 11}, p.Position("targets[1].name"))
}

// TestErrorsStopAtMaxErrors: a file wrong everywhere reports the first MaxErrors
// errors and how many more there are, not thousands of lines.
func TestErrorsStopAtMaxErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\ntargets:\n")
	for range 150 {
		b.WriteString("  - {name: a, url: 'https://a.example.com/', retries: many}\n")
	}
	_, err := manifest.Parse(strings.NewReader(b.String()))
	all := manifest.List(err)
	require.Len(t, all, manifest.MaxErrors, "the count of the rest is no error of its own")
	assert.Equal(t, `line 3, column 55: targets[0].retries: want a number, got "many"`, all[0].Error())
	assert.Equal(t, `line 102, column 55: targets[99].retries: want a number, got "many"`, all[manifest.MaxErrors-1].Error())
	assert.Equal(t, 50, manifest.Omitted(err))
	assert.True(t, strings.HasSuffix(err.Error(), "\nand 50 more errors (fix these first)"), "the text still says so")
	assert.Zero(t, manifest.Omitted(all[0]))
}

// TestBOMAndExponents: what the earlier reader took stays taken: a byte order mark
// before the document (Windows editors, PowerShell), positions unmoved, and whole
// numbers written with an exponent or a fraction where a number is wanted.
func TestBOMAndExponents(t *testing.T) {
	const bom = "\ufeff"
	for _, tc := range []struct {
		name, doc string
		retries   int
		at        manifest.Position // of targets[0].retries
	}{
		{"yaml with a BOM", bom + "version: 1\ntargets:\n  - name: a\n    url: https://a.example.com/\n    retries: 2\n", 2, manifest.Position{Line: 5, Column: 14}},
		{"json with a BOM", bom + `{"version": 1, "targets": [{"name": "a", "url": "https://a.example.com/", "retries": 2}]}`, 2, manifest.Position{Line: 1, Column: 86}},
		{"yaml 1e0", "version: 1\ntargets:\n  - name: a\n    url: https://a.example.com/\n    retries: 1e0\n", 1, manifest.Position{Line: 5, Column: 14}},
		{"yaml 60.0", "version: 1\ntargets:\n  - name: a\n    url: https://a.example.com/\n    retries: 60.0\n", 60, manifest.Position{Line: 5, Column: 14}},
		{"yaml 2E+1", "version: 1\ntargets:\n  - name: a\n    url: https://a.example.com/\n    retries: 2E+1\n", 20, manifest.Position{Line: 5, Column: 14}},
		{"json 1e0", `{"version": 1, "targets": [{"name": "a", "url": "https://a.example.com/", "retries": 1e0}]}`, 1, manifest.Position{Line: 1, Column: 86}},
		{"json 3.0", `{"version": 1, "targets": [{"name": "a", "url": "https://a.example.com/", "retries": 3.0}]}`, 3, manifest.Position{Line: 1, Column: 86}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := manifest.Parse(strings.NewReader(tc.doc))
			require.NoError(t, err)
			require.Len(t, p.Targets, 1)
			require.NotNil(t, p.Targets[0].Retries)
			assert.Equal(t, tc.retries, *p.Targets[0].Retries)
			assert.Equal(t, tc.at, p.Position("targets[0].retries"))
			assert.Equal(t, 1, p.Position("version").Line)
		})
	}
	for _, tc := range []struct{ name, doc, want string }{
		{"yaml 1.5", "version: 1\ntargets:\n  - name: a\n    url: https://a.example.com/\n    retries: 1.5\n",
			"line 5, column 14: targets[0].retries: want a whole number, got 1.5"},
		{"yaml 15e-1", "version: 1\ntargets:\n  - name: a\n    url: https://a.example.com/\n    retries: 15e-1\n",
			"line 5, column 14: targets[0].retries: want a whole number, got 15e-1"},
		{"yaml quoted 1e0 is text", "version: 1\ntargets:\n  - name: a\n    url: https://a.example.com/\n    retries: '1e0'\n",
			`line 5, column 14: targets[0].retries: want a number, got "1e0"`},
		{"json 1.5e0", `{"version": 1, "targets": [{"name": "a", "url": "https://a.example.com/", "retries": 1.5e0}]}`,
			"line 1, column 86: targets[0].retries: want a whole number, got 1.5e0"},
		{"json 1e0 quoted is text", `{"version": 1, "targets": [{"name": "a", "url": "https://a.example.com/", "retries": "1e0"}]}`,
			`line 1, column 86: targets[0].retries: want a number, got "1e0"`},
		{"yaml with a BOM, an error on line 1", bom + "version: 2\n", "line 1, column 10: version: must be 1"},
		{"json with a BOM, an unknown field", bom + `{"version": 1, "colour": 1}`, `line 1, column 16: colour: unknown field "colour"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := manifest.Parse(strings.NewReader(tc.doc))
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}

// TestAliasBombIsRefused: aliases that copy what they name tenfold a level (a
// "billion laughs"), or a long key over a long list, stop the reading with an error
// at their place once they pass MaxDecoded, instead of taking the replica's memory;
// a large document that merges anchored defaults into every target still reads.
func TestAliasBombIsRefused(t *testing.T) {
	laughs := func(levels int) string {
		var b strings.Builder
		b.WriteString("version: 1\nchannels:\n  - name: a\n    type: webhook\n    config:\n      l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n")
		for i := 1; i <= levels; i++ {
			fmt.Fprintf(&b, "      l%d: &l%d [", i, i)
			for j := range 10 {
				if j > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "*l%d", i-1)
			}
			b.WriteString("]\n")
		}
		return b.String()
	}
	aliases := ": the document is too large once its aliases are read: over 64 MiB of values (write it with fewer aliases)"
	for _, tc := range []struct{ name, doc, at, msg string }{
		{"a billion laughs", laughs(9), "line 6, column 34: channels[0].config.l5[", aliases},
		{"ten billion laughs, merged", laughs(10) + "  - name: b\n    type: webhook\n    config:\n      <<: {m: *l10}\n", "line 6, column 34: channels[0].config.l5[", aliases},
		// Refused before the parser, which would spend as much on its own paths.
		{"a long key over a long list", "version: 1\nchannels:\n  - name: a\n    type: webhook\n    config:\n      " +
			strings.Repeat("k", 64<<10) + ": [" + strings.Repeat("1,", 2000) + "1]\n", "line 6, column ",
			fmt.Sprintf(": too large to read: the paths to its values pass %d MiB (shorten its keys)", manifest.MaxPaths>>20)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := manifest.Parse(strings.NewReader(tc.doc))
			require.Error(t, err)
			all := manifest.List(err)
			require.Len(t, all, 1, "%.500s", err)
			assert.True(t, strings.HasPrefix(all[0].Error(), tc.at), "%.300s", all[0].Error())
			assert.True(t, strings.HasSuffix(all[0].Error(), tc.msg), "%.300s", all[0].Error())
		})
	}

	// 5,000 targets, each merging defaults that set every field a target has.
	var b strings.Builder
	b.WriteString("version: 1\nchannels:\n  - {name: ops, type: webhook, config: {url: 'https://hooks.example.com/ops'}}\n")
	b.WriteString("defaults: &defaults\n")
	b.WriteString("targets:\n")
	for i := range 5000 {
		if i == 0 {
			b.WriteString("  - &first\n    <<: &d {method: GET, headers: {Accept: application/json}, interval_seconds: 60, timeout_seconds: 10,\n" +
				"      expected_status: '200-299', retries: 2, retry_delay_seconds: 5, tags: [prod, eu, web], failure_threshold: 3,\n" +
				"      success_threshold: 2, channels: [ops], conditions: [{type: latency, op: '<', value: '500'}, {type: body, op: contains, value: ok}],\n" +
				"      keep_warm: false, warm_windows: [{days: [mon, tue, wed, thu, fri], start: '08:00', end: '18:00'}], timezone: Europe/Paris}\n")
		} else {
			b.WriteString("  - <<: *d\n")
		}
		fmt.Fprintf(&b, "    name: svc-%04d\n    url: https://svc-%04d.example.com/health\n", i, i)
	}
	doc := strings.Replace(b.String(), "defaults: &defaults\n", "", 1)
	p, err := manifest.Parse(strings.NewReader(doc))
	require.NoError(t, err)
	require.Len(t, p.Targets, 5000)
	last := p.Targets[4999]
	assert.Equal(t, "https://svc-4999.example.com/health", last.URL)
	require.Len(t, last.WarmWindows, 1)
	assert.Equal(t, []string{"mon", "tue", "wed", "thu", "fri"}, last.WarmWindows[0].Days)
	assert.Equal(t, manifest.Position{Line: 6, Column: 81}, p.Position("targets[4999].interval_seconds"), "a merged field stands where its defaults do")
}

// TestDeepOrCostlyDocumentsAreRefused: a document nested deeper than MaxDepth — in
// flow style, in block style that indents, or in "- - - x" that does not — or whose
// values stand under keys long enough that the parser's paths to them pass MaxPaths,
// is refused at its place before the parser, whose cost grows with both, sees it; a
// document as deep as a real one, in YAML or minified JSON, still reads.
func TestDeepOrCostlyDocumentsAreRefused(t *testing.T) {
	const deep = 100_000 // 200 KB of "[": minutes and gigabytes in the parser
	var block strings.Builder
	block.WriteString("version: 1\nchannels:\n  - name: a\n    type: webhook\n    config:\n")
	for i := range manifest.MaxDepth {
		fmt.Fprintf(&block, "%sk%d:\n", strings.Repeat(" ", 6+i), i)
	}
	tooDeep := fmt.Sprintf(": nested more than %d levels deep", manifest.MaxDepth)
	tooCostly := fmt.Sprintf(": too large to read: the paths to its values pass %d MiB (shorten its keys)", manifest.MaxPaths>>20)
	longKey := strings.Repeat("a", 64<<10)
	for _, tc := range []struct{ name, doc, at, msg string }{
		{"flow sequences", "version: 1\nchannels: " + strings.Repeat("[", deep) + strings.Repeat("]", deep) + "\n", "line 2, column ", tooDeep},
		{"flow mappings", "version: 1\ntargets: " + strings.Repeat("{a: ", deep) + "1" + strings.Repeat("}", deep) + "\n", "line 2, column ", tooDeep},
		{"compact block sequences", "version: 1\ntargets:\n" + strings.Repeat("- ", deep) + "x\n", "line 3, column ", tooDeep},
		{"indented block mappings", block.String(), "line ", tooDeep},
		{"a long key over a long flow list", `{"version": 1, "` + longKey + `": [` + strings.Repeat("0,", deep) + "0]}", "line 1, column ", tooCostly},
		{"a long key over a long block list", "version: 1\n" + longKey + ":\n" + strings.Repeat("- 0\n", deep), "line ", tooCostly},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := manifest.Parse(strings.NewReader(tc.doc))
			require.Error(t, err)
			all := manifest.List(err)
			require.Len(t, all, 1, "%.300s", err)
			assert.True(t, strings.HasPrefix(all[0].Error(), tc.at), "%.300s", all[0].Error())
			assert.True(t, strings.HasSuffix(all[0].Error(), tc.msg), "%.300s", all[0].Error())
		})
	}

	for name, doc := range map[string]string{
		"yaml":          "version: 1\ntargets:\n  - name: a\n    url: https://a.example.com\n    conditions:\n      - {type: body, op: contains, value: ok}\n    warm_windows:\n      - days: [mon, tue]\n        start: '08:00'\n        end: '18:00'\n",
		"minified json": `{"version":1,"targets":[{"name":"a","url":"https://a.example.com","conditions":[{"type":"body","op":"contains","value":"ok"}],"warm_windows":[{"days":["mon","tue"],"start":"08:00","end":"18:00"}]}]}`,
	} {
		t.Run("a real document in "+name, func(t *testing.T) {
			p, err := manifest.Parse(strings.NewReader(doc))
			require.NoError(t, err)
			require.Len(t, p.Targets, 1)
			assert.Equal(t, []string{"mon", "tue"}, p.Targets[0].WarmWindows[0].Days)
		})
	}
}
