package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Parsed is a document read from a file, with where each object and field stood, so
// that an error can name the line.
type Parsed struct {
	Document
	lines map[string]int
}

// Line says on which line path (such as "targets[2].url" or "targets[2]") stood, or
// 0 when unknown. A path not found falls back to its object's line.
func (p Parsed) Line(path string) int {
	for path != "" {
		if n, ok := p.lines[path]; ok {
			return n
		}
		cut := strings.LastIndexAny(path, ".[")
		if cut <= 0 {
			break
		}
		path = path[:cut]
	}
	return 0
}

// LineError is a problem with a document at a line.
type LineError struct {
	Line int
	// Path names the field, as in targets[2].url.
	Path string
	Msg  string
}

func (e *LineError) Error() string {
	switch {
	case e.Line > 0 && e.Path != "":
		return fmt.Sprintf("line %d: %s: %s", e.Line, e.Path, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	case e.Path != "":
		return e.Path + ": " + e.Msg
	}
	return e.Msg
}

// MaxSize is the largest document read.
const MaxSize = 4 << 20

// Parse reads a YAML or JSON document strictly: an unknown field or a wrong type is
// an error naming its line.
func Parse(r io.Reader) (Parsed, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return Parsed{}, fmt.Errorf("read document: %w", err)
	}
	if len(raw) > MaxSize {
		return Parsed{}, &LineError{Msg: fmt.Sprintf("document is larger than %d MiB", MaxSize>>20)}
	}
	var p Parsed
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&p.Document); err != nil {
		if errors.Is(err, io.EOF) {
			return Parsed{}, &LineError{Msg: "document is empty"}
		}
		return Parsed{}, yamlError(err)
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		line := more.Line
		if err != nil {
			return Parsed{}, yamlError(err)
		}
		return Parsed{}, &LineError{Line: line, Msg: "a file holds one document; this is a second (after ---)"}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(raw, &root); err != nil {
		return Parsed{}, yamlError(err)
	}
	p.lines = map[string]int{}
	if len(root.Content) == 1 {
		index(root.Content[0], "", p.lines)
	}
	if p.Version != Version {
		return Parsed{}, &LineError{Line: p.Line("version"), Path: "version", Msg: fmt.Sprintf("must be %d", Version)}
	}
	return p, nil
}

// yamlError turns the YAML library's errors ("yaml: line 4: …") into a LineError.
func yamlError(err error) error {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		num, text, found := strings.Cut(rest, ": ")
		if n, err := strconv.Atoi(num); err == nil && found {
			return &LineError{Line: n, Msg: text}
		}
	}
	return &LineError{Msg: msg}
}

// index records the line of every mapping key and sequence item below n.
func index(n *yaml.Node, path string, lines map[string]int) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			p := key.Value
			if path != "" {
				p = path + "." + key.Value
			}
			lines[p] = key.Line
			index(val, p, lines)
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			lines[p] = item.Line
			index(item, p, lines)
		}
	}
}
