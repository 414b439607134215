package manifest_test

import (
	"context"
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
	require.Len(t, all, manifest.MaxErrors+1)
	assert.Equal(t, `line 3, column 55: targets[0].retries: want a number, got "many"`, all[0].Error())
	assert.Equal(t, `line 102, column 55: targets[99].retries: want a number, got "many"`, all[manifest.MaxErrors-1].Error())
	assert.Equal(t, "and 50 more errors (fix these first)", all[manifest.MaxErrors].Error())
}
