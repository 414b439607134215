package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// Parsed is a document read from a file, with where each object and field stood, so
// that an error can name its line and column.
type Parsed struct {
	Document
	at map[string]Position
}

// Position is a place in a document; lines and columns count from 1.
type Position struct{ Line, Column int }

// Position says where path (such as "targets[2].url" or "targets[2]") stood: the
// start of its value. A path not found (a field left out) falls back to its object's
// position; the zero Position is unknown.
func (p Parsed) Position(path string) Position {
	for path != "" {
		if at, ok := p.at[path]; ok {
			return at
		}
		cut := strings.LastIndexAny(path, ".[")
		if cut <= 0 {
			break
		}
		path = path[:cut]
	}
	return Position{}
}

// Line says on which line path stood, or 0 when unknown (see Position).
func (p Parsed) Line(path string) int { return p.Position(path).Line }

// LineError is a problem with a document at a place in it.
type LineError struct {
	Line, Column int
	// Path names the field, as in targets[2].url.
	Path string
	Msg  string
}

func (e *LineError) Error() string {
	var at string
	switch {
	case e.Line > 0 && e.Column > 0:
		at = fmt.Sprintf("line %d, column %d: ", e.Line, e.Column)
	case e.Line > 0:
		at = fmt.Sprintf("line %d: ", e.Line)
	}
	if e.Path != "" {
		at += e.Path + ": "
	}
	return at + e.Msg
}

// Errors are the problems found in a document, in the order they stand in it: at
// most MaxErrors of them, and the count of those left out. errors.As finds the first
// *LineError.
type Errors struct {
	All []*LineError
	// More is how many errors were found past MaxErrors and left out of All. It is
	// not an error of its own: a count of them would be off by one.
	More int
}

func (e Errors) Error() string {
	lines := make([]string, len(e.All), len(e.All)+1)
	for i, le := range e.All {
		lines[i] = le.Error()
	}
	if e.More > 0 {
		lines = append(lines, fmt.Sprintf("and %d more errors (fix these first)", e.More))
	}
	return strings.Join(lines, "\n")
}

// Unwrap gives each error, for errors.As and errors.Is.
func (e Errors) Unwrap() []error {
	out := make([]error, len(e.All))
	for i, le := range e.All {
		out[i] = le
	}
	return out
}

// List gives every *LineError err holds (an Errors, or one *LineError), or none.
// Errors left out past MaxErrors are not in it: Omitted counts them.
func List(err error) []*LineError {
	var all Errors
	if errors.As(err, &all) {
		return all.All
	}
	var le *LineError
	if errors.As(err, &le) {
		return []*LineError{le}
	}
	return nil
}

// Omitted is how many errors err found past MaxErrors and left out of List.
func Omitted(err error) int {
	var all Errors
	if errors.As(err, &all) {
		return all.More
	}
	return 0
}

// MaxErrors is the most errors reported of one document: past it the rest is noise.
const MaxErrors = 100

// errorList gathers a document's errors: each once, at most MaxErrors of them.
type errorList struct {
	errs []*LineError
	more int
}

func (l *errorList) add(e *LineError) {
	for _, old := range l.errs {
		if *old == *e {
			return
		}
	}
	if len(l.errs) >= MaxErrors {
		l.more++
		return
	}
	l.errs = append(l.errs, e)
}

func (l *errorList) failed() bool { return len(l.errs) > 0 }

// has says whether path, or an object or field it is part of, already has an error:
// a rule broken by a value that could not be read is no news.
func (l *errorList) has(path string) bool {
	for _, e := range l.errs {
		if e.Path != "" && (path == e.Path || strings.HasPrefix(path, e.Path+".") || strings.HasPrefix(path, e.Path+"[")) {
			return true
		}
	}
	return false
}

// err returns the errors sorted by place, or nil.
func (l *errorList) err() error {
	if len(l.errs) == 0 {
		return nil
	}
	out := slices.Clone(l.errs)
	slices.SortStableFunc(out, func(a, b *LineError) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Column - b.Column
	})
	return Errors{All: out, More: l.more}
}

// MaxSize is the largest document read.
const MaxSize = 4 << 20

// Parse reads a YAML or JSON document strictly: every unknown field, value of the
// wrong type and field given twice is an error naming its line, column and path, all
// of them at once (an Errors). Only a syntax error stops the reading at the first.
func Parse(r io.Reader) (Parsed, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return Parsed{}, fmt.Errorf("read document: %w", err)
	}
	if len(raw) > MaxSize {
		return Parsed{}, &LineError{Msg: fmt.Sprintf("document is larger than %d MiB", MaxSize>>20)}
	}
	// Windows editors and PowerShell start a UTF-8 file with a byte order mark, which
	// the parser would take for part of the first key. It stands before line 1,
	// column 1, so no position moves without it.
	raw = bytes.TrimPrefix(raw, []byte("\ufeff"))
	if err := beyondLimits(raw); err != nil {
		return Parsed{}, err
	}
	// Keys given twice are reported by the reader below, with the path they stand at.
	file, err := parser.ParseBytes(raw, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		return Parsed{}, syntaxError(err)
	}
	var docs []*ast.DocumentNode
	for _, d := range file.Docs {
		if d.Body != nil {
			docs = append(docs, d)
		}
	}
	switch {
	case len(docs) == 0:
		return Parsed{}, &LineError{Msg: "document is empty"}
	case len(docs) > 1:
		at := position(docs[1].Body)
		if docs[1].Start != nil {
			at = tokenPosition(docs[1].Start)
		}
		return Parsed{}, &LineError{Line: at.Line, Column: at.Column, Msg: "a file holds one document; this is a second (after ---)"}
	}
	d := &decoder{at: map[string]Position{}, anchors: map[string]ast.Node{}, budget: MaxDecoded}
	p := Parsed{at: d.at}
	body := d.resolve(docs[0].Body)
	if _, ok := body.(*ast.MappingNode); !ok {
		at := position(body)
		return Parsed{}, &LineError{Line: at.Line, Column: at.Column,
			Msg: "want a mapping of version, channels, targets and status_pages, got " + describe(body)}
	}
	d.value(body, reflect.ValueOf(&p.Document).Elem(), "")
	if _, given := d.at["version"]; !given {
		at := position(body)
		d.errs.add(&LineError{Line: at.Line, Column: at.Column, Path: "version", Msg: fmt.Sprintf("is required (version: %d)", Version)})
	} else if p.Version != Version && !d.errs.has("version") {
		d.errs.add(d.errorAt("version", fmt.Sprintf("must be %d", Version)))
	}
	if err := d.errs.err(); err != nil {
		return Parsed{}, err
	}
	return p, nil
}

// MaxDepth is the deepest nesting a document may have, and MaxPaths the most the
// parser may spend on paths. The parser keeps, for every node, the whole path to it
// as a string: its time and memory grow with the square of the nesting (100,000
// levels of "[", 200 KB, take two minutes and 15 GB) and with the length of the keys
// above each node times the nodes below them (a 64 KiB key over a list of 100,000
// zeros, 270 KB, would take 6.5 GB). A WatchDog document needs fewer than 20 levels
// and a few MB of paths (5,000 targets: about 4 MB). The lexer is linear, so both
// are measured on its tokens before the parser runs.
const (
	MaxDepth = 200
	MaxPaths = 64 << 20
)

// pathLevel is a collection or key that every token after it stands in, until a
// line starts at or left of col (block style) or its flow collection ends.
type pathLevel struct {
	col, flow int
	key       bool // a mapping key, which a "," in its flow collection also ends
	length    int  // the length of the path to what it holds
}

// ends says whether tk, the first token of a line in block style, stands outside l:
// left of it, or at its column as its sibling — but a "-" at a key's column is an
// entry of the list that key holds ("key:\n- a\n- b").
func ends(l pathLevel, tk *token.Token) bool {
	if l.col == tk.Position.Column && l.key && tk.Type == token.SequenceEntryType {
		return false
	}
	return l.col >= tk.Position.Column
}

// beyondLimits reports the first token nested deeper than MaxDepth or past which the
// parser's paths would exceed MaxPaths. A token's depth is counted generously: its
// line's indentation, plus the flow collections ([, {) open around it, plus the
// block indicators (-, ?, :) before it on its line, which is where "- - - x" nests
// without indenting. Its path is estimated from the keys and sequences it stands in.
func beyondLimits(raw []byte) *LineError {
	flow, line, indent, compact, paths := 0, 0, 0, 0, 0
	levels := []pathLevel{{col: -1, length: 1}} // "$"
	var prev *token.Token
	for _, tk := range lexer.Tokenize(string(raw)) {
		if tk.Position == nil || tk.Type == token.CommentType {
			continue
		}
		if tk.Position.Line != line {
			line, indent, compact = tk.Position.Line, tk.Position.Column-1, 0
			if flow == 0 {
				for len(levels) > 1 && ends(levels[len(levels)-1], tk) {
					levels = levels[:len(levels)-1]
				}
			}
		}
		switch tk.Type {
		case token.SequenceStartType, token.MappingStartType:
			flow++
		case token.SequenceEndType, token.MappingEndType:
			for len(levels) > 1 && levels[len(levels)-1].flow >= flow {
				levels = levels[:len(levels)-1]
			}
			flow = max(flow-1, 0)
		case token.CollectEntryType:
			for len(levels) > 1 && levels[len(levels)-1].key && levels[len(levels)-1].flow == flow {
				levels = levels[:len(levels)-1]
			}
		case token.SequenceEntryType, token.MappingKeyType, token.MappingValueType:
			if flow == 0 {
				compact++
			}
		}
		if indent+flow+compact > MaxDepth {
			return &LineError{Line: tk.Position.Line, Column: tk.Position.Column,
				Msg: fmt.Sprintf("nested more than %d levels deep", MaxDepth)}
		}
		top := levels[len(levels)-1].length
		if paths += top + len(tk.Value); paths > MaxPaths {
			return &LineError{Line: tk.Position.Line, Column: tk.Position.Column,
				Msg: fmt.Sprintf("too large to read: the paths to its values pass %d MiB (shorten its keys)", MaxPaths>>20)}
		}
		switch tk.Type {
		case token.MappingValueType:
			col, key := tk.Position.Column, 0
			if prev != nil && prev.Position != nil {
				col, key = prev.Position.Column, len(prev.Value)
			}
			levels = append(levels, pathLevel{col: col, flow: flow, key: true, length: top + 1 + key})
		case token.SequenceEntryType:
			levels = append(levels, pathLevel{col: tk.Position.Column, flow: flow, length: top + 8})
		case token.SequenceStartType:
			levels = append(levels, pathLevel{col: -1, flow: flow, length: top + 8})
		}
		prev = tk
	}
	return nil
}

// syntaxError turns the parser's error into a LineError at its token.
func syntaxError(err error) error {
	var se *yaml.SyntaxError
	if errors.As(err, &se) && se.Token != nil {
		at := tokenPosition(se.Token)
		return &LineError{Line: at.Line, Column: at.Column, Msg: "not valid YAML: " + se.Message}
	}
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		at := tokenPosition(ye.GetToken())
		return &LineError{Line: at.Line, Column: at.Column, Msg: "not valid YAML: " + ye.GetMessage()}
	}
	return &LineError{Msg: "not valid YAML"}
}

func tokenPosition(tk *token.Token) Position {
	if tk == nil || tk.Position == nil {
		return Position{}
	}
	return Position{Line: tk.Position.Line, Column: tk.Position.Column}
}

// position is where a node's value starts: a block mapping at its first key, not at
// that key's colon.
func position(n ast.Node) Position {
	switch x := n.(type) {
	case nil:
		return Position{}
	case *ast.MappingNode:
		if !x.IsFlowStyle && len(x.Values) > 0 {
			return position(x.Values[0].Key)
		}
		return tokenPosition(x.Start)
	case *ast.MappingValueNode:
		return position(x.Key)
	case *ast.SequenceNode:
		return tokenPosition(x.Start)
	case *ast.AnchorNode:
		return tokenPosition(x.Start)
	case *ast.AliasNode:
		return tokenPosition(x.Start)
	case *ast.TagNode:
		return tokenPosition(x.Start)
	case *ast.LiteralNode:
		return tokenPosition(x.Start)
	}
	return tokenPosition(n.GetToken())
}

// MaxDecoded bounds what reading one document may produce, in bytes as counted by
// decoder.spend: each value read costs its path, its text and valueCost. An alias
// copies what it names, so a few hundred bytes of aliases to lists of aliases (a
// "billion laughs") would otherwise grow tenfold a level, into gigabytes; and each
// value's path is kept for its position, so long keys over long lists would too.
// 64 MiB is several times a 5,000-target document that merges anchored defaults
// into every target (some 175,000 values, about 13 MiB by this count; see
// TestAliasBombIsRefused), and keeps the memory one document can take on a replica
// to a few hundred MiB.
const MaxDecoded = 64 << 20

// valueCost is what a value costs past its path and text: the map entry keeping its
// position and the Go value holding it.
const valueCost = 32

// decoder fills a Document from the syntax tree, in the file's words: it names what
// it wants and what it found, never a Go type, and goes on past an error so that one
// reading reports them all.
type decoder struct {
	at      map[string]Position
	anchors map[string]ast.Node
	errs    errorList
	// budget is what is left of MaxDecoded; below 0 nothing more is read.
	budget int
}

// spend charges reading n (before its aliases are followed) at path against the
// budget, and says whether it may be read. The first value past the budget is an
// error at its place; the rest are skipped, so the reading ends soon after.
func (d *decoder) spend(n ast.Node, path string) bool {
	if d.budget < 0 {
		return false
	}
	cost := valueCost + len(path)
	if s, ok := text(d.resolve(n)); ok {
		cost += len(s)
	}
	d.budget -= cost
	if d.budget < 0 {
		d.fail(n, path, fmt.Sprintf("the document is too large once its aliases are read: over %d MiB of values (write it with fewer aliases)", MaxDecoded>>20))
		return false
	}
	return true
}

func (d *decoder) errorAt(path, msg string) *LineError {
	at := d.at[path]
	return &LineError{Line: at.Line, Column: at.Column, Path: path, Msg: msg}
}

func (d *decoder) fail(n ast.Node, path, msg string) {
	at := position(n)
	d.errs.add(&LineError{Line: at.Line, Column: at.Column, Path: path, Msg: msg})
}

// resolve looks through tags, anchors and aliases to the node that holds the value.
func (d *decoder) resolve(n ast.Node) ast.Node {
	for range 100 { // an alias to an alias … ends; a loop of them is not followed for ever
		switch x := n.(type) {
		case *ast.TagNode:
			if x.Value == nil {
				return n
			}
			if s, ok := x.Value.(ast.ScalarNode); ok && x.Start != nil && x.Start.Value == "!!str" {
				// !!str 12 is the text "12".
				return ast.String(&token.Token{Type: token.StringType, Value: fmt.Sprint(s.GetValue()), Position: x.Start.Position})
			}
			n = x.Value
		case *ast.AnchorNode:
			if x.Name != nil {
				d.anchors[x.Name.GetToken().Value] = x.Value
			}
			n = x.Value
		case *ast.AliasNode:
			if x.Value == nil {
				return n
			}
			target, ok := d.anchors[x.Value.GetToken().Value]
			if !ok {
				return n
			}
			n = target
		default:
			return n
		}
	}
	return n
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// value reads n into v, whose path is path.
func (d *decoder) value(n ast.Node, v reflect.Value, path string) {
	if !d.spend(n, path) {
		return
	}
	if _, seen := d.at[path]; !seen && path != "" {
		d.at[path] = position(n)
	}
	if alias, ok := n.(*ast.AliasNode); ok {
		if r := d.resolve(n); r == n {
			d.fail(n, path, fmt.Sprintf("*%s names no anchor (&%[1]s) above it", alias.Value.GetToken().Value))
			return
		}
	}
	n = d.resolve(n)
	if _, null := n.(*ast.NullNode); null {
		return // left out
	}
	switch v.Kind() {
	case reflect.Pointer:
		elem := reflect.New(v.Type().Elem())
		before := len(d.errs.errs)
		d.value(n, elem.Elem(), path)
		if len(d.errs.errs) == before {
			v.Set(elem)
		}
	case reflect.Struct:
		d.object(n, v, path)
	case reflect.Slice:
		seq, ok := n.(*ast.SequenceNode)
		if !ok {
			d.fail(n, path, "want a list, got "+describe(n))
			return
		}
		out := reflect.MakeSlice(v.Type(), len(seq.Values), len(seq.Values))
		for i, item := range seq.Values {
			d.value(item, out.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(out)
	case reflect.Map:
		m, ok := n.(*ast.MappingNode)
		if !ok {
			d.fail(n, path, "want a mapping (key: value), got "+describe(n))
			return
		}
		out := reflect.MakeMapWithSize(v.Type(), len(m.Values))
		d.entries(m, path, func(key string, kn, vn ast.Node) {
			elem := reflect.New(v.Type().Elem()).Elem()
			d.value(vn, elem, join(path, key))
			out.SetMapIndex(reflect.ValueOf(key), elem)
		})
		v.Set(out)
	case reflect.Interface:
		if x := d.anything(n, path); x != nil {
			v.Set(reflect.ValueOf(x))
		}
	case reflect.String:
		s, ok := text(n)
		if !ok {
			d.fail(n, path, "want text, got "+describe(n))
			return
		}
		v.SetString(s)
	case reflect.Int:
		d.integer(n, v, path)
	case reflect.Bool:
		b, ok := n.(*ast.BoolNode)
		if !ok {
			d.fail(n, path, "want true or false, got "+describe(n))
			return
		}
		v.SetBool(b.Value)
	default:
		// Every field of a Document is one of the kinds above.
		panic(fmt.Sprintf("manifest: no reader for %s", v.Type()))
	}
}

func (d *decoder) integer(n ast.Node, v reflect.Value, path string) {
	switch x := n.(type) {
	case *ast.IntegerNode:
		var i int64
		switch num := x.Value.(type) {
		case int64:
			i = num
		case uint64:
			if num > math.MaxInt32 {
				d.fail(n, path, "is too large: "+x.GetToken().Value)
				return
			}
			i = int64(num)
		}
		if i > math.MaxInt32 || i < math.MinInt32 {
			d.fail(n, path, "is too large: "+x.GetToken().Value)
			return
		}
		v.SetInt(i)
	case *ast.FloatNode:
		d.whole(n, x.Value, v, path)
	case *ast.StringNode:
		// The parser reads 1e0 (no dot) as text; YAML 1.2 and JSON read it as a
		// number, as the document's earlier reader did. Quoted, it stays text.
		if f, err := strconv.ParseFloat(x.Value, 64); err == nil && x.Token != nil &&
			x.Token.Type == token.StringType && exponent.MatchString(x.Value) {
			d.whole(n, f, v, path)
			return
		}
		d.fail(n, path, "want a number, got "+describe(n))
	default:
		d.fail(n, path, "want a number, got "+describe(n))
	}
}

// exponent is a number with an exponent, as YAML 1.2 and JSON write it.
var exponent = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)[eE][-+]?[0-9]+$`)

// whole sets v to f when f is a whole number that fits, as 60.0 or 1e0 do.
func (d *decoder) whole(n ast.Node, f float64, v reflect.Value, path string) {
	if f != math.Trunc(f) || math.Abs(f) > math.MaxInt32 {
		d.fail(n, path, "want a whole number, got "+n.GetToken().Value)
		return
	}
	v.SetInt(int64(f))
}

// entries walks a mapping's keys, merged ones (<<: *defaults) included, and reports a
// key given twice or one that is not text.
func (d *decoder) entries(m *ast.MappingNode, path string, each func(key string, kn, vn ast.Node)) {
	seen := map[string]Position{}
	// The mapping's own keys first: they override the ones it merges.
	var merges []*ast.MappingValueNode
	for _, mv := range m.Values {
		if mv.Key != nil && mv.Key.IsMergeKey() {
			merges = append(merges, mv)
			continue
		}
		kn := d.resolve(mv.Key)
		key, ok := text(kn)
		if !ok {
			d.fail(mv.Key, path, "want a text key, got "+describe(kn))
			continue
		}
		if first, dup := seen[key]; dup {
			d.fail(mv.Key, join(path, key), fmt.Sprintf("given twice (first on line %d)", first.Line))
			continue
		}
		seen[key] = position(mv.Key)
		each(key, mv.Key, mv.Value)
	}
	for _, mv := range merges {
		d.merge(mv.Value, path, seen, each, 0)
	}
}

// merge walks the keys a merge (<<: *base, or a list of them) brings in, save those
// the mapping has of its own.
func (d *decoder) merge(n ast.Node, path string, seen map[string]Position, each func(key string, kn, vn ast.Node), depth int) {
	switch x := d.resolve(n).(type) {
	case *ast.SequenceNode:
		for _, item := range x.Values {
			d.merge(item, path, seen, each, depth)
		}
	case *ast.MappingNode:
		if depth > 10 {
			d.fail(n, path, "<< merges too deep")
			return
		}
		for _, mv := range x.Values {
			// Keys the mapping overrides are walked too, through every alias to
			// them: that walk is charged as well, or merges of merges would be free.
			if !d.spend(mv.Key, "") {
				return
			}
			if mv.Key != nil && mv.Key.IsMergeKey() {
				d.merge(mv.Value, path, seen, each, depth+1)
				continue
			}
			key, ok := text(d.resolve(mv.Key))
			if _, own := seen[key]; !ok || own {
				continue
			}
			seen[key] = position(mv.Key)
			each(key, mv.Key, mv.Value)
		}
	default:
		d.fail(n, path, "<< wants a mapping to merge, got "+describe(x))
	}
}

// object reads a mapping into a struct: each key must be one of its fields.
func (d *decoder) object(n ast.Node, v reflect.Value, path string) {
	m, ok := n.(*ast.MappingNode)
	if !ok {
		d.fail(n, path, "want a mapping (key: value), got "+describe(n))
		return
	}
	fields := fieldsOf(v.Type())
	d.entries(m, path, func(key string, kn, vn ast.Node) {
		i, ok := fields[key]
		if !ok {
			msg := fmt.Sprintf("unknown field %q", key)
			if near := nearest(key, fields); near != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", near)
			}
			d.fail(kn, join(path, key), msg)
			return
		}
		d.value(vn, v.Field(i), join(path, key))
	})
}

// fieldsOf maps a struct's YAML names to its field indexes.
func fieldsOf(t reflect.Type) map[string]int {
	out := map[string]int{}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			out[name] = i
		}
	}
	return out
}

// nearest is the field name a misspelt key most likely meant, or "".
func nearest(key string, fields map[string]int) string {
	best, bestDist := "", 3
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if dist := distance(strings.ToLower(key), name); dist < bestDist {
			best, bestDist = name, dist
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// anything reads a value of free shape (a channel's config): mappings of text keys,
// lists and scalars, recording where each stood.
func (d *decoder) anything(n ast.Node, path string) any {
	if !d.spend(n, path) {
		return nil
	}
	if _, seen := d.at[path]; !seen && path != "" {
		d.at[path] = position(n)
	}
	n = d.resolve(n)
	switch x := n.(type) {
	case *ast.NullNode:
		return nil
	case *ast.MappingNode:
		out := map[string]any{}
		d.entries(x, path, func(key string, _, vn ast.Node) {
			out[key] = d.anything(vn, join(path, key))
		})
		return out
	case *ast.SequenceNode:
		out := make([]any, len(x.Values))
		for i, item := range x.Values {
			out[i] = d.anything(item, fmt.Sprintf("%s[%d]", path, i))
		}
		return out
	case *ast.IntegerNode:
		switch num := x.Value.(type) {
		case uint64:
			if num <= math.MaxInt64 {
				return int64(num)
			}
		}
		return x.Value
	case *ast.LiteralNode:
		if x.Value != nil {
			return x.Value.Value
		}
		return ""
	case ast.ScalarNode:
		return x.GetValue()
	}
	d.fail(n, path, "cannot be read: "+describe(n))
	return nil
}

// text is a scalar's text, as a string field takes it: 200 is "200".
func text(n ast.Node) (string, bool) {
	switch x := n.(type) {
	case *ast.StringNode:
		return x.Value, true
	case *ast.LiteralNode:
		if x.Value == nil {
			return "", true
		}
		return x.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return n.GetToken().Value, true
	}
	return "", false
}

// describe names what a node holds, in the file's words.
func describe(n ast.Node) string {
	switch x := n.(type) {
	case nil, *ast.NullNode:
		return "nothing"
	case *ast.MappingNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.AliasNode:
		return "an alias"
	case *ast.StringNode:
		return quote(x.Value)
	case *ast.LiteralNode:
		if x.Value == nil {
			return `""`
		}
		return quote(x.Value.Value)
	}
	if s, ok := text(n); ok {
		return s
	}
	return n.Type().YAMLName()
}

// quote quotes a value for a message, cut short: the message is about its type.
func quote(s string) string {
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	return strconv.Quote(s)
}
