package target

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// jsonPath is a JSONPath query (RFC 9535) limited to the segments a health answer
// needs: the root $, names (.status or ['status']), indexes ([0], [-1] from the end)
// and wildcards (.* or [*]). Descendant segments (..), filters and slices are refused:
// nested in one another they cost time far beyond linear in the body, and a check runs
// its query on up to a MiB every interval. Each segment here visits a node's children
// at most once, so a query costs at most the size of the document per segment.
type jsonPath []pathSegment

// pathSegment selects children of every node selected so far.
type pathSegment struct {
	kind  segmentKind
	name  string
	index int
}

type segmentKind int

const (
	segName segmentKind = iota
	segIndex
	segWildcard
)

// parseJSONPath reads a query such as $.data.items[*].state or $['free disk'][0].
func parseJSONPath(s string) (jsonPath, error) {
	if !strings.HasPrefix(s, "$") {
		return nil, errors.New("must start with $")
	}
	var path jsonPath
	i := 1
	for i < len(s) {
		switch {
		case strings.HasPrefix(s[i:], ".."):
			return nil, fmt.Errorf("at byte %d: descendant segments (..) are not supported", i)
		case s[i] == '.':
			i++
			if i < len(s) && s[i] == '*' {
				path = append(path, pathSegment{kind: segWildcard})
				i++
				continue
			}
			end := i
			for end < len(s) {
				r, size := utf8.DecodeRuneInString(s[end:])
				if !isNameRune(r, end == i) {
					break
				}
				end += size
			}
			if end == i {
				return nil, fmt.Errorf("at byte %d: expected a name or * after \".\"", i)
			}
			path = append(path, pathSegment{kind: segName, name: s[i:end]})
			i = end
		case s[i] == '[':
			seg, next, err := parseBracket(s, i)
			if err != nil {
				return nil, err
			}
			path = append(path, seg)
			i = next
		default:
			return nil, fmt.Errorf("at byte %d: expected . or [", i)
		}
	}
	return path, nil
}

// isNameRune reports whether r may appear in a name written after a dot: a letter, _,
// any non-ASCII character, or (but not first) a digit.
func isNameRune(r rune, first bool) bool {
	switch {
	case r == utf8.RuneError:
		return false
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '_', r >= 0x80:
		return true
	case r >= '0' && r <= '9':
		return !first
	}
	return false
}

// parseBracket reads the bracketed selector that starts at s[open], and returns it
// with the index just after its closing bracket.
func parseBracket(s string, open int) (pathSegment, int, error) {
	i := skipBlank(s, open+1)
	if i >= len(s) {
		return pathSegment{}, 0, fmt.Errorf("at byte %d: unclosed [", open)
	}
	var seg pathSegment
	switch c := s[i]; {
	case c == '\'' || c == '"':
		name, next, err := parseStringLiteral(s, i)
		if err != nil {
			return pathSegment{}, 0, err
		}
		seg, i = pathSegment{kind: segName, name: name}, next
	case c == '*':
		seg, i = pathSegment{kind: segWildcard}, i+1
	case c == '-' || (c >= '0' && c <= '9'):
		end := i + 1
		for end < len(s) && s[end] >= '0' && s[end] <= '9' {
			end++
		}
		text := s[i:end]
		digits := strings.TrimPrefix(text, "-")
		n, err := strconv.Atoi(text)
		// RFC 9535 writes each index one way only: no leading zeros, no -0.
		if err != nil || text == "-0" || (len(digits) > 1 && digits[0] == '0') {
			return pathSegment{}, 0, fmt.Errorf("at byte %d: %q is not an array index", i, text)
		}
		seg, i = pathSegment{kind: segIndex, index: n}, end
	case c == '?':
		return pathSegment{}, 0, fmt.Errorf("at byte %d: filters ([?...]) are not supported", i)
	case c == ':':
		return pathSegment{}, 0, fmt.Errorf("at byte %d: slices ([a:b]) are not supported", i)
	default:
		return pathSegment{}, 0, fmt.Errorf("at byte %d: expected a quoted name, an index or * after [", i)
	}
	i = skipBlank(s, i)
	switch {
	case i < len(s) && s[i] == ']':
		return seg, i + 1, nil
	case i < len(s) && s[i] == ':':
		return pathSegment{}, 0, fmt.Errorf("at byte %d: slices ([a:b]) are not supported", i)
	case i < len(s) && s[i] == ',':
		return pathSegment{}, 0, fmt.Errorf("at byte %d: several selectors in one [] are not supported", i)
	}
	return pathSegment{}, 0, fmt.Errorf("at byte %d: expected ]", i)
}

func skipBlank(s string, i int) int {
	for i < len(s) && strings.IndexByte(" \t\n\r", s[i]) >= 0 {
		i++
	}
	return i
}

// parseStringLiteral reads the quoted name starting at s[start] with RFC 9535's
// escapes, and returns it with the index just after its closing quote. The escapes are
// JSON's, plus \' inside single quotes, so the text is rewritten as a JSON string and
// decoded as one.
func parseStringLiteral(s string, start int) (string, int, error) {
	q := s[start]
	var js strings.Builder
	js.WriteByte('"')
	for i := start + 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == q:
			js.WriteByte('"')
			var name string
			if err := json.Unmarshal([]byte(js.String()), &name); err != nil {
				return "", 0, fmt.Errorf("at byte %d: invalid quoted name", start)
			}
			return name, i + 1, nil
		case c == '\\' && i+1 < len(s):
			i++
			switch {
			case s[i] == '\'' && q == '\'':
				js.WriteByte('\'')
			case s[i] == '\'' || (s[i] == '"' && q == '\''):
				// \' inside double quotes and \" inside single quotes are not escapes.
				return "", 0, fmt.Errorf("at byte %d: invalid escape \\%c", i-1, s[i])
			default:
				js.WriteByte('\\')
				js.WriteByte(s[i])
			}
		case c == '"':
			// Only reached inside single quotes, where it stands for itself.
			js.WriteString(`\"`)
		default:
			js.WriteByte(c)
		}
	}
	return "", 0, fmt.Errorf("at byte %d: unclosed quoted name", start)
}

// Select returns the nodes the query selects from doc, a value decoded from JSON.
// Object members are visited by name in sorted order, so results (and the failures
// made of them) read the same on every check.
func (p jsonPath) Select(doc any) []any {
	nodes := []any{doc}
	for _, seg := range p {
		var next []any
		for _, n := range nodes {
			switch v := n.(type) {
			case map[string]any:
				switch seg.kind {
				case segName:
					if child, ok := v[seg.name]; ok {
						next = append(next, child)
					}
				case segWildcard:
					for _, k := range slices.Sorted(maps.Keys(v)) {
						next = append(next, v[k])
					}
				}
			case []any:
				switch seg.kind {
				case segIndex:
					i := seg.index
					if i < 0 {
						i += len(v)
					}
					if i >= 0 && i < len(v) {
						next = append(next, v[i])
					}
				case segWildcard:
					next = append(next, v...)
				}
			}
		}
		if len(next) == 0 {
			return nil
		}
		nodes = next
	}
	return nodes
}
