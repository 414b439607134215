package target

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJSONPath(t *testing.T) {
	t.Parallel()
	doc, err := decodeJSON([]byte(`{
		"status": "ok",
		"a b": {"it's": 1, "say \"hi\"": 2},
		"ünï": "code",
		"list": [10, 20, 30],
		"items": [{"state": "up"}, {"state": "down"}, {"other": 1}],
		"obj": {"b": 2, "a": 1, "c": 3}
	}`))
	require.NoError(t, err)
	tests := []struct {
		name    string
		path    string
		want    string // the selected nodes, as showNodes shows them
		wantErr string
	}{
		{name: "root, shown cut", path: "$", want: `{"a b":{"it's":1,"say \"hi\"":2},"items":[{"state":"up"},{"state":"down"},{"othe…`},
		{name: "dot name", path: "$.status", want: `"ok"`},
		{name: "non-ASCII name", path: "$.ünï", want: `"code"`},
		{name: "single-quoted name", path: "$['status']", want: `"ok"`},
		{name: "double-quoted name", path: `$["status"]`, want: `"ok"`},
		{name: "escaped quote in single quotes", path: `$['a b']['it\'s']`, want: `1`},
		{name: "escaped quote in double quotes", path: `$["a b"]["say \"hi\""]`, want: `2`},
		{name: "unicode escape", path: `$['\u0073tatus']`, want: `"ok"`},
		{name: "blanks in brackets", path: `$[ 'list' ][ 1 ]`, want: `20`},
		{name: "index", path: "$.list[0]", want: `10`},
		{name: "negative index", path: "$.list[-1]", want: `30`},
		{name: "index out of range", path: "$.list[3]", want: ``},
		{name: "negative index out of range", path: "$.list[-4]", want: ``},
		{name: "wildcard on an array", path: "$.items[*].state", want: `"up", "down"`},
		{name: "dot wildcard on an object, by name", path: "$.obj.*", want: `1, 2, 3`},
		{name: "name on an array selects nothing", path: "$.list.status", want: ``},
		{name: "index on an object selects nothing", path: "$.obj[0]", want: ``},
		{name: "missing name", path: "$.nope.deeper", want: ``},

		{name: "no root", path: "status", wantErr: "must start with $"},
		{name: "empty", path: "", wantErr: "must start with $"},
		{name: "descendant", path: "$..status", wantErr: "descendant segments (..) are not supported"},
		{name: "filter", path: "$.items[?@.state == 'up']", wantErr: "filters ([?...]) are not supported"},
		{name: "slice", path: "$.list[0:2]", wantErr: "slices ([a:b]) are not supported"},
		{name: "open slice", path: "$.list[:2]", wantErr: "slices ([a:b]) are not supported"},
		{name: "union", path: "$['a','b']", wantErr: "several selectors in one [] are not supported"},
		{name: "trailing dot", path: "$.status.", wantErr: `expected a name or * after "."`},
		{name: "name starting with a digit", path: "$.1a", wantErr: `expected a name or * after "."`},
		{name: "dash in a dot name", path: "$.free-disk", wantErr: "expected . or ["},
		{name: "unclosed bracket", path: "$.list[0", wantErr: "expected ]"},
		{name: "empty bracket", path: "$[]", wantErr: "expected a quoted name, an index or * after ["},
		{name: "unclosed quote", path: "$['status]", wantErr: "unclosed quoted name"},
		{name: "bad escape", path: `$['a\qb']`, wantErr: "invalid quoted name"},
		{name: "escaped double quote in single quotes", path: `$['a\"b']`, wantErr: `invalid escape \"`},
		{name: "leading zero", path: "$.list[01]", wantErr: `"01" is not an array index`},
		{name: "minus zero", path: "$.list[-0]", wantErr: `"-0" is not an array index`},
		{name: "huge index", path: "$.list[" + strings.Repeat("9", 30) + "]", wantErr: "is not an array index"},
		{name: "space outside brackets", path: "$ .status", wantErr: "at byte 1: expected . or ["},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := parseJSONPath(tt.path)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, showAll(p.Select(doc)))
		})
	}
}

// showAll shows every node, however many, each cut as showNodes cuts it.
func showAll(nodes []any) string {
	parts := make([]string, len(nodes))
	for i, n := range nodes {
		parts[i] = showNodes([]any{n})
	}
	return strings.Join(parts, ", ")
}
