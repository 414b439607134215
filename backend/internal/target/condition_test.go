package target

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidateConditions(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", maxConditionText+1)
	tests := []struct {
		name  string
		cond  Condition
		field string // empty when the condition is valid
	}{
		// Valid, one per kind and op.
		{name: "latency <", cond: Condition{Type: "latency", Op: "<", Value: "800"}},
		{name: "latency <=", cond: Condition{Type: "latency", Op: "<=", Value: "600000"}},
		{name: "body contains", cond: Condition{Type: "body", Op: "contains", Value: "Welcome"}},
		{name: "body not_contains", cond: Condition{Type: "body", Op: "not_contains", Value: "error"}},
		{name: "body matches", cond: Condition{Type: "body", Op: "matches", Value: `v\d+\.\d+`}},
		{name: "body not_matches", cond: Condition{Type: "body", Op: "not_matches", Value: `(?i)fatal`}},
		{name: "json ==", cond: Condition{Type: "json", Path: "$.status", Op: "==", Value: `"ok"`}},
		{name: "json == unquoted", cond: Condition{Type: "json", Path: "$.status", Op: "==", Value: "ok"}},
		{name: "json == empty string", cond: Condition{Type: "json", Path: "$.error", Op: "==", Value: `""`}},
		{name: "json !=", cond: Condition{Type: "json", Path: "$.data.items[*].state", Op: "!=", Value: "down"}},
		{name: "json <", cond: Condition{Type: "json", Path: "$.queue", Op: "<", Value: "100"}},
		{name: "json <=", cond: Condition{Type: "json", Path: "$.queue", Op: "<=", Value: "1e3"}},
		{name: "json >", cond: Condition{Type: "json", Path: "$.free", Op: ">", Value: "-0.5"}},
		{name: "json >=", cond: Condition{Type: "json", Path: "$['free disk']", Op: ">=", Value: "10"}},
		{name: "json exists", cond: Condition{Type: "json", Path: "$.checks[0].ok", Op: "exists"}},
		{name: "json not_exists", cond: Condition{Type: "json", Path: "$.error", Op: "not_exists"}},
		{name: "json contains", cond: Condition{Type: "json", Path: "$.version", Op: "contains", Value: "2."}},
		{name: "json matches", cond: Condition{Type: "json", Path: "$.version", Op: "matches", Value: `^2\.\d+$`}},
		{name: "json bracket path", cond: Condition{Type: "json", Path: `$["checks"][-1][ * ].ok`, Op: "==", Value: "true"}},
		{name: "header exists", cond: Condition{Type: "header", Name: "X-Request-Id", Op: "exists"}},
		{name: "header not_exists", cond: Condition{Type: "header", Name: "X-Debug", Op: "not_exists"}},
		{name: "header ==", cond: Condition{Type: "header", Name: "content-type", Op: "==", Value: "application/json"}},
		{name: "header == empty", cond: Condition{Type: "header", Name: "X-Empty", Op: "==", Value: ""}},
		{name: "header !=", cond: Condition{Type: "header", Name: "X-Cache", Op: "!=", Value: "MISS"}},
		{name: "header contains", cond: Condition{Type: "header", Name: "Content-Type", Op: "contains", Value: "json"}},
		{name: "header matches", cond: Condition{Type: "header", Name: "Server", Op: "matches", Value: "^nginx"}},
		{name: "pattern at the limit", cond: Condition{Type: "body", Op: "matches", Value: strings.Repeat("a", maxPattern)}},

		// Invalid.
		{name: "unknown type", cond: Condition{Type: "dns", Op: "==", Value: "x"}, field: "type"},
		{name: "empty type", cond: Condition{Op: "contains", Value: "x"}, field: "type"},
		{name: "unknown op", cond: Condition{Type: "body", Op: "equals", Value: "x"}, field: "op"},
		{name: "op of another kind", cond: Condition{Type: "latency", Op: ">", Value: "5"}, field: "op"},
		{name: "missing op", cond: Condition{Type: "header", Name: "Server"}, field: "op"},
		{name: "non-numeric latency", cond: Condition{Type: "latency", Op: "<", Value: "fast"}, field: "value"},
		{name: "latency with unit", cond: Condition{Type: "latency", Op: "<", Value: "800ms"}, field: "value"},
		{name: "latency zero", cond: Condition{Type: "latency", Op: "<", Value: "0"}, field: "value"},
		{name: "latency too long", cond: Condition{Type: "latency", Op: "<", Value: "600001"}, field: "value"},
		{name: "path on latency", cond: Condition{Type: "latency", Path: "$.a", Op: "<", Value: "5"}, field: "path"},
		{name: "path on body", cond: Condition{Type: "body", Path: "$.a", Op: "contains", Value: "x"}, field: "path"},
		{name: "name on body", cond: Condition{Type: "body", Name: "Server", Op: "contains", Value: "x"}, field: "name"},
		{name: "name on json", cond: Condition{Type: "json", Path: "$.a", Name: "Server", Op: "exists"}, field: "name"},
		{name: "path on header", cond: Condition{Type: "header", Name: "Server", Path: "$.a", Op: "exists"}, field: "path"},
		{name: "empty body contains", cond: Condition{Type: "body", Op: "contains"}, field: "value"},
		{name: "bad regexp", cond: Condition{Type: "body", Op: "matches", Value: "(unclosed"}, field: "value"},
		{name: "backreference is not RE2", cond: Condition{Type: "body", Op: "matches", Value: `(a)\1`}, field: "value"},
		{name: "over-long pattern", cond: Condition{Type: "body", Op: "not_matches", Value: strings.Repeat("a", maxPattern+1)}, field: "value"},
		{name: "bad regexp on header", cond: Condition{Type: "header", Name: "Server", Op: "matches", Value: "[z-a]"}, field: "value"},
		{name: "bad regexp on json", cond: Condition{Type: "json", Path: "$.v", Op: "matches", Value: "*"}, field: "value"},
		{name: "value too long", cond: Condition{Type: "body", Op: "contains", Value: long}, field: "value"},
		{name: "value with NUL", cond: Condition{Type: "body", Op: "contains", Value: "a\x00b"}, field: "value"},
		{name: "value with invalid UTF-8", cond: Condition{Type: "body", Op: "contains", Value: "a\xffb"}, field: "value"},
		{name: "missing path", cond: Condition{Type: "json", Op: "exists"}, field: "path"},
		{name: "path without root", cond: Condition{Type: "json", Path: "status", Op: "exists"}, field: "path"},
		{name: "bad JSONPath", cond: Condition{Type: "json", Path: "$.checks[", Op: "exists"}, field: "path"},
		{name: "JSONPath with a trailing dot", cond: Condition{Type: "json", Path: "$.status.", Op: "exists"}, field: "path"},
		{name: "descendant segment refused", cond: Condition{Type: "json", Path: "$..status", Op: "exists"}, field: "path"},
		{name: "filter refused", cond: Condition{Type: "json", Path: "$.checks[?@.ok == true]", Op: "exists"}, field: "path"},
		{name: "path with a newline", cond: Condition{Type: "json", Path: "$.a\n", Op: "exists"}, field: "path"},
		{name: "path too long", cond: Condition{Type: "json", Path: "$." + long, Op: "exists"}, field: "path"},
		{name: "json comparison without value", cond: Condition{Type: "json", Path: "$.a", Op: "=="}, field: "value"},
		{name: "json exists with value", cond: Condition{Type: "json", Path: "$.a", Op: "exists", Value: "x"}, field: "value"},
		{name: "json bad quoted string", cond: Condition{Type: "json", Path: "$.a", Op: "==", Value: `"a\qb"`}, field: "value"},
		{name: "missing header name", cond: Condition{Type: "header", Op: "exists"}, field: "name"},
		{name: "bad header name", cond: Condition{Type: "header", Name: "Content Type", Op: "exists"}, field: "name"},
		{name: "header name with colon", cond: Condition{Type: "header", Name: "X-A:", Op: "exists"}, field: "name"},
		{name: "header not_exists with value", cond: Condition{Type: "header", Name: "X-A", Op: "not_exists", Value: "x"}, field: "value"},
		{name: "header contains empty", cond: Condition{Type: "header", Name: "X-A", Op: "contains"}, field: "value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var v ValidationError
			validateConditions(&v, TypeHTTP, []Condition{{Type: "latency", Op: "<", Value: "5"}, tt.cond})
			_, compileErr := CompileConditions([]Condition{tt.cond})
			if tt.field == "" {
				assert.Empty(t, v.Fields)
				assert.NoError(t, compileErr)
				return
			}
			require.NotEmpty(t, v.Fields)
			assert.Equal(t, "conditions[1]."+tt.field, v.Fields[0].Field, "the second condition is named, by its field")
			for _, f := range v.Fields {
				assert.NotContains(t, f.Field, "conditions[0]", "the valid condition is not blamed")
			}
			require.Error(t, compileErr)
			assert.True(t, strings.HasPrefix(compileErr.Error(), "conditions[0]."+tt.field+": "), "compile error %q", compileErr)
		})
	}
}

func TestValidateConditionsLimits(t *testing.T) {
	t.Parallel()
	cond := Condition{Type: "body", Op: "contains", Value: "ok"}
	tests := []struct {
		name   string
		conds  []Condition
		fields []string
	}{
		{name: "none", conds: nil},
		{name: "twenty", conds: repeat(cond, MaxConditions)},
		{name: "too many", conds: repeat(cond, MaxConditions+1), fields: []string{"conditions"}},
		{name: "every broken rule reported", conds: []Condition{
			{Type: "body", Path: "$.a", Op: "like", Value: "x"},
			cond,
			{Type: "header", Name: "bad name", Op: "matches", Value: "("},
		}, fields: []string{"conditions[0].op", "conditions[0].path", "conditions[2].name", "conditions[2].value"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var v ValidationError
			validateConditions(&v, TypeHTTP, tt.conds)
			var fields []string
			for _, f := range v.Fields {
				fields = append(fields, f.Field)
			}
			assert.ElementsMatch(t, tt.fields, fields)
		})
	}
}

func repeat(c Condition, n int) []Condition {
	out := make([]Condition, n)
	for i := range out {
		out[i] = c
	}
	return out
}

func TestTargetValidateChecksConditions(t *testing.T) {
	t.Parallel()
	_, err := New(Spec{URL: "https://example.com", Conditions: []Condition{
		{Type: "json", Path: "$.status", Op: "==", Value: "ok"},
		{Type: "latency", Op: "<", Value: "soon"},
	}}, Limits{})
	var verr *ValidationError
	require.ErrorAs(t, err, &verr)
	require.Len(t, verr.Fields, 1)
	assert.Equal(t, "conditions[1].value", verr.Fields[0].Field)
	assert.Contains(t, err.Error(), "conditions[1].value: must be whole milliseconds")
}

func TestConditionString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cond Condition
		want string
	}{
		{name: "latency", cond: Condition{Type: "latency", Op: "<", Value: "800"}, want: "latency_ms < 800"},
		{name: "body contains", cond: Condition{Type: "body", Op: "contains", Value: "Welcome"}, want: `body contains "Welcome"`},
		{name: "body regexp", cond: Condition{Type: "body", Op: "matches", Value: `^ok$`}, want: `body matches "^ok$"`},
		{name: "json unquoted string", cond: Condition{Type: "json", Path: "$.status", Op: "==", Value: "ok"}, want: `$.status == "ok"`},
		{name: "json quoted string", cond: Condition{Type: "json", Path: "$.status", Op: "==", Value: `"ok"`}, want: `$.status == "ok"`},
		{name: "json number", cond: Condition{Type: "json", Path: "$.n", Op: ">=", Value: "5"}, want: `$.n >= 5`},
		{name: "json quoted number", cond: Condition{Type: "json", Path: "$.n", Op: "==", Value: `"5"`}, want: `$.n == "5"`},
		{name: "json bool", cond: Condition{Type: "json", Path: "$.ok", Op: "==", Value: "true"}, want: `$.ok == true`},
		{name: "json exists", cond: Condition{Type: "json", Path: "$.ok", Op: "exists"}, want: `$.ok exists`},
		{name: "header", cond: Condition{Type: "header", Name: "Content-Type", Op: "contains", Value: "json"}, want: `header Content-Type contains "json"`},
		{name: "header not_exists", cond: Condition{Type: "header", Name: "X-Debug", Op: "not_exists"}, want: `header X-Debug not_exists`},
		{name: "control characters escaped", cond: Condition{Type: "body", Op: "contains", Value: "a\nb"}, want: `body contains "a\nb"`},
		{name: "long value cut", cond: Condition{Type: "body", Op: "contains", Value: strings.Repeat("é", 100)},
			want: `body contains "` + strings.Repeat("é", maxShown/2) + `"…`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, tt.cond.String())
		})
	}
}

func TestConditionsEvaluate(t *testing.T) {
	t.Parallel()
	const doc = `{
		"status": "ok",
		"degraded": "degraded",
		"count": 42,
		"ratio": 0.25,
		"big": 12345678901234567890,
		"countText": "100",
		"ok": true,
		"nothing": null,
		"version": "2.14.1",
		"checks": [{"name": "db", "ok": true}, {"name": "cache", "ok": false}],
		"data": {"items": [{"state": "up"}, {"state": "up"}, {"state": "down"}]},
		"all": {"items": [{"state": "up"}, {"state": "up"}]},
		"html": "<b>&</b>",
		"weird key": 1
	}`
	header := http.Header{
		"Content-Type": {"application/json; charset=utf-8"},
		"Vary":         {"Accept", "Origin"},
		"X-Empty":      {""},
	}
	answer := Answer{Status: 200, Header: header, Body: []byte(doc), Latency: 120 * time.Millisecond}
	jsonCond := func(path, op, value string) Condition {
		return Condition{Type: "json", Path: path, Op: op, Value: value}
	}
	tests := []struct {
		name        string
		conds       []Condition
		answer      *Answer // nil means answer
		want        []string
		onlyLatency bool
	}{
		{name: "no conditions", conds: nil},

		{name: "latency below", conds: []Condition{{Type: "latency", Op: "<", Value: "800"}}},
		{name: "latency at the bound with <=", conds: []Condition{{Type: "latency", Op: "<=", Value: "120"}}},
		{name: "latency at the bound with <", conds: []Condition{{Type: "latency", Op: "<", Value: "120"}},
			want: []string{"latency_ms < 120 failed: took 120 ms"}, onlyLatency: true},
		{name: "latency over", conds: []Condition{{Type: "latency", Op: "<", Value: "800"}},
			answer: &Answer{Latency: 1234 * time.Millisecond}, want: []string{"latency_ms < 800 failed: took 1234 ms"}, onlyLatency: true},

		{name: "body contains", conds: []Condition{{Type: "body", Op: "contains", Value: `"status": "ok"`}}},
		{name: "body contains missing", conds: []Condition{{Type: "body", Op: "contains", Value: "Welcome"}},
			want: []string{`body contains "Welcome" failed: not found`}},
		{name: "body not_contains", conds: []Condition{{Type: "body", Op: "not_contains", Value: "error"}}},
		{name: "body not_contains found", conds: []Condition{{Type: "body", Op: "not_contains", Value: "Error"}},
			answer: &Answer{Body: []byte("Internal Error")}, want: []string{`body not_contains "Error" failed: found at byte 9`}},
		{name: "body matches", conds: []Condition{{Type: "body", Op: "matches", Value: `"version": "2\.\d+`}}},
		{name: "body matches none", conds: []Condition{{Type: "body", Op: "matches", Value: `^<!doctype`}},
			want: []string{`body matches "^<!doctype" failed: no match`}},
		{name: "body not_matches", conds: []Condition{{Type: "body", Op: "not_matches", Value: `(?i)exception`}}},
		{name: "body not_matches matched", conds: []Condition{{Type: "body", Op: "not_matches", Value: `(?i)fatal\w*`}},
			answer: &Answer{Body: []byte("a FATALERROR\x00here")}, want: []string{`body not_matches "(?i)fatal\\w*" failed: matched "FATALERROR"`}},

		{name: "string equal unquoted", conds: []Condition{jsonCond("$.status", "==", "ok")}},
		{name: "string equal quoted", conds: []Condition{jsonCond("$.status", "==", `"ok"`)}},
		{name: "string not equal", conds: []Condition{jsonCond("$.degraded", "==", "ok")},
			want: []string{`$.degraded == "ok" failed: got "degraded"`}},
		{name: "string != passes", conds: []Condition{jsonCond("$.status", "!=", "down")}},
		{name: "number equal", conds: []Condition{jsonCond("$.count", "==", "42.0")}},
		{name: "number against a quoted number", conds: []Condition{jsonCond("$.count", "==", `"42"`)},
			want: []string{`$.count == "42" failed: got 42`}},
		{name: "number ordering", conds: []Condition{jsonCond("$.count", ">", "41"), jsonCond("$.count", "<=", "42"), jsonCond("$.ratio", "<", "0.5")}},
		{name: "number ordering fails", conds: []Condition{jsonCond("$.count", "<", "10")},
			want: []string{`$.count < 10 failed: got 42`}},
		{name: "big number shown as written", conds: []Condition{jsonCond("$.big", "<", "1")},
			want: []string{`$.big < 1 failed: got 12345678901234567890`}},
		{name: "numeric string ordered as a number", conds: []Condition{jsonCond("$.countText", ">", "99")}},
		{name: "strings ordered as text", conds: []Condition{jsonCond("$.version", ">=", `"2.1"`)}},
		{name: "number against text cannot be ordered", conds: []Condition{jsonCond("$.count", ">", "abc")},
			want: []string{`$.count > "abc" failed: got 42`}},
		{name: "bool", conds: []Condition{jsonCond("$.ok", "==", "true"), jsonCond("$.checks[1].ok", "==", "false")}},
		{name: "bool against a quoted bool", conds: []Condition{jsonCond("$.ok", "==", `"true"`)},
			want: []string{`$.ok == "true" failed: got true`}},
		{name: "null", conds: []Condition{jsonCond("$.nothing", "==", "null"), jsonCond("$.status", "!=", "null")}},
		{name: "null is not the string null", conds: []Condition{jsonCond("$.nothing", "==", `"null"`)},
			want: []string{`$.nothing == "null" failed: got null`}},
		{name: "index", conds: []Condition{jsonCond("$.checks[0].ok", "==", "true")}},
		{name: "bracket name", conds: []Condition{jsonCond("$['weird key']", "==", "1")}},
		{name: "index from the end", conds: []Condition{jsonCond("$.checks[-1].ok", "==", "false")}},
		{name: "wildcard any matches", conds: []Condition{jsonCond("$.data.items[*].state", "==", "down")}},
		{name: "wildcard none matches", conds: []Condition{jsonCond("$.data.items[*].state", "==", "sleeping")},
			want: []string{`$.data.items[*].state == "sleeping" failed: got "up", "up", "down"`}},
		{name: "wildcard != needs all", conds: []Condition{jsonCond("$.data.items[*].state", "!=", "down")},
			want: []string{`$.data.items[*].state != "down" failed: got "down"`}},
		{name: "wildcard != all differ", conds: []Condition{jsonCond("$.all.items[*].state", "!=", "down")}},
		{name: "exists", conds: []Condition{jsonCond("$.checks[1]", "exists", "")}},
		{name: "exists on null", conds: []Condition{jsonCond("$.nothing", "exists", "")}},
		{name: "exists fails", conds: []Condition{jsonCond("$.error", "exists", "")},
			want: []string{`$.error exists failed: path matched nothing`}},
		{name: "not_exists", conds: []Condition{jsonCond("$.error", "not_exists", "")}},
		{name: "not_exists fails", conds: []Condition{jsonCond("$.checks[*].name", "not_exists", "")},
			want: []string{`$.checks[*].name not_exists failed: got "db", "cache"`}},
		{name: "missing path fails a comparison", conds: []Condition{jsonCond("$.missing", "!=", "down")},
			want: []string{`$.missing != "down" failed: path matched nothing`}},
		{name: "contains", conds: []Condition{jsonCond("$.version", "contains", "14"), jsonCond("$.version", "contains", `".1"`)}},
		{name: "contains on a number's text", conds: []Condition{jsonCond("$.count", "contains", "4")}},
		{name: "matches", conds: []Condition{jsonCond("$.version", "matches", `^2\.\d+\.\d+$`)}},
		{name: "matches fails", conds: []Condition{jsonCond("$.version", "matches", `^3\.`)},
			want: []string{`$.version matches "^3\\." failed: got "2.14.1"`}},
		{name: "object shown as JSON", conds: []Condition{jsonCond("$.checks[0]", "==", "x")},
			want: []string{`$.checks[0] == "x" failed: got {"name":"db","ok":true}`}},
		{name: "HTML not escaped in what was seen", conds: []Condition{jsonCond("$.html", "==", "x")},
			want: []string{`$.html == "x" failed: got "<b>&</b>"`}},
		{name: "non-JSON body", conds: []Condition{jsonCond("$.status", "==", "ok"), jsonCond("$.count", "exists", "")},
			answer: &Answer{Body: []byte("<html>hello</html>")},
			want:   []string{`$.status == "ok" failed: body is not JSON`, `$.count exists failed: body is not JSON`}},
		{name: "JSON followed by junk", conds: []Condition{jsonCond("$.a", "exists", "")},
			answer: &Answer{Body: []byte(`{"a":1} trailing`)}, want: []string{`$.a exists failed: body is not JSON`}},
		{name: "empty body", conds: []Condition{jsonCond("$.a", "not_exists", "")},
			answer: &Answer{}, want: []string{`$.a not_exists failed: body is empty, not JSON`}},
		{name: "long got value cut", conds: []Condition{jsonCond("$.s", "==", "x")},
			answer: &Answer{Body: []byte(`{"s":"` + strings.Repeat("a", 200) + `"}`)},
			want:   []string{`$.s == "x" failed: got "` + strings.Repeat("a", maxShown) + `"…`}},
		{name: "many nodes cut", conds: []Condition{jsonCond("$[*]", "==", "x")},
			answer: &Answer{Body: []byte(`[` + strings.TrimSuffix(strings.Repeat(`"abcdefghij",`, 20), ",") + `]`)},
			want:   []string{`$[*] == "x" failed: got "abcdefghij", "abcdefghij", "abcdefghij", "abcdefghij", "abcdefghij", … (20 values)`}},

		{name: "header exists any case", conds: []Condition{{Type: "header", Name: "content-type", Op: "exists"}}},
		{name: "header contains", conds: []Condition{{Type: "header", Name: "CONTENT-TYPE", Op: "contains", Value: "json"}}},
		{name: "header contains fails", conds: []Condition{{Type: "header", Name: "Content-Type", Op: "contains", Value: "json"}},
			answer: &Answer{Header: http.Header{"Content-Type": {"text/html"}}},
			want:   []string{`header Content-Type contains "json" failed: got "text/html"`}},
		{name: "header values joined", conds: []Condition{{Type: "header", Name: "vary", Op: "==", Value: "Accept, Origin"}}},
		{name: "header from a plain map", conds: []Condition{{Type: "header", Name: "X-Trace", Op: "==", Value: "1"}},
			answer: &Answer{Header: map[string][]string{"x-trace": {"1"}}}},
		{name: "header == empty", conds: []Condition{{Type: "header", Name: "X-Empty", Op: "==", Value: ""}}},
		{name: "header != fails", conds: []Condition{{Type: "header", Name: "Vary", Op: "!=", Value: "Accept, Origin"}},
			want: []string{`header Vary != "Accept, Origin" failed: got "Accept, Origin"`}},
		{name: "header matches", conds: []Condition{{Type: "header", Name: "Content-Type", Op: "matches", Value: `charset=utf-8$`}}},
		{name: "header missing", conds: []Condition{{Type: "header", Name: "X-Request-Id", Op: "==", Value: "1"}},
			want: []string{`header X-Request-Id == "1" failed: header missing`}},
		{name: "header not_exists fails", conds: []Condition{{Type: "header", Name: "content-type", Op: "not_exists"}},
			want: []string{`header content-type not_exists failed: got "application/json; charset=utf-8"`}},
		{name: "header control characters escaped", conds: []Condition{{Type: "header", Name: "X-A", Op: "==", Value: "b"}},
			answer: &Answer{Header: http.Header{"X-A": {"a\x1b[31m"}}}, want: []string{`header X-A == "b" failed: got "a\x1b[31m"`}},

		{name: "every failure reported, in order", conds: []Condition{
			{Type: "latency", Op: "<", Value: "100"},
			{Type: "body", Op: "contains", Value: "ok"},
			{Type: "header", Name: "X-Version", Op: "exists"},
			jsonCond("$.status", "==", "ok"),
		}, answer: &Answer{Body: []byte(`{"status":"degraded"}`), Latency: 150 * time.Millisecond}, want: []string{
			"latency_ms < 100 failed: took 150 ms",
			`body contains "ok" failed: not found`,
			`header X-Version exists failed: header missing`,
			`$.status == "ok" failed: got "degraded"`,
		}},
		{name: "only latency failures may pass", conds: []Condition{
			{Type: "latency", Op: "<", Value: "100"},
			{Type: "latency", Op: "<=", Value: "50"},
			{Type: "body", Op: "contains", Value: "degraded"},
		}, answer: &Answer{Body: []byte(`{"status":"degraded"}`), Latency: 150 * time.Millisecond}, want: []string{
			"latency_ms < 100 failed: took 150 ms",
			"latency_ms <= 50 failed: took 150 ms",
		}, onlyLatency: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			conds, err := CompileConditions(tt.conds)
			require.NoError(t, err)
			a := answer
			if tt.answer != nil {
				a = *tt.answer
			}
			got, onlyLatency := conds.Evaluate(a)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.onlyLatency, onlyLatency, "onlyLatency")
		})
	}
}

func TestConditionsNeedsBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		conds []Condition
		want  bool
	}{
		{name: "none"},
		{name: "latency and header", conds: []Condition{
			{Type: "latency", Op: "<", Value: "5"},
			{Type: "header", Name: "Server", Op: "exists"},
		}},
		{name: "body", conds: []Condition{{Type: "body", Op: "contains", Value: "x"}}, want: true},
		{name: "json", conds: []Condition{{Type: "json", Path: "$.a", Op: "exists"}}, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			conds, err := CompileConditions(tt.conds)
			require.NoError(t, err)
			assert.Equal(t, tt.want, conds.NeedsBody())
			assert.Equal(t, len(tt.conds), conds.Len())
		})
	}
}

// TestConditionsEvaluatePrivate: an answer from a private host is judged the same, but
// its failures quote nothing of it; WatchDog's own words (not found, took N ms) stay.
func TestConditionsEvaluatePrivate(t *testing.T) {
	t.Parallel()
	conds, err := CompileConditions([]Condition{
		{Type: ConditionJSON, Path: "$.status", Op: OpEqual, Value: "ok"},
		{Type: ConditionHeader, Name: "X-Internal", Op: OpNotExists},
		{Type: ConditionBody, Op: OpNotMatches, Value: "sec[a-z]+"},
		{Type: ConditionBody, Op: OpContains, Value: "Welcome"},
		{Type: ConditionLatency, Op: OpLess, Value: "10"},
	})
	if err != nil {
		t.Fatal(err)
	}
	answer := Answer{Status: 200, Header: map[string][]string{"X-Internal": {"secret"}},
		Body: []byte(`{"status": "secret"}`), Latency: 20 * time.Millisecond}
	for _, private := range []bool{false, true} {
		answer.Private = private
		failures, _ := conds.Evaluate(answer)
		if len(failures) != 5 {
			t.Fatalf("private=%v: failures = %q, want 5", private, failures)
		}
		text := strings.Join(failures, "; ")
		if quoted := strings.Contains(text, "secret"); quoted == private {
			t.Errorf("private=%v: failures = %q; want the answer quoted only when not private", private, text)
		}
		for _, own := range []string{"not found", "took 20 ms"} {
			if !strings.Contains(text, own) {
				t.Errorf("private=%v: failures = %q, want them to say %q", private, text, own)
			}
		}
	}
}
