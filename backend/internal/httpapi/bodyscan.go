package httpapi

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A request body is decoded by encoding/json, which changes two things without a word:
// invalid UTF-8 bytes and unpaired surrogate escapes ("\ud800") become U+FFFD, and null
// leaves the destination as it was, so {"tags":[null]} arrives as [""] and
// {"interval_seconds":null} as a field left out. scanBody walks the body once more,
// beside the Go type it was decoded into, and refuses both, naming the field by its
// path (name, headers.X-Foo, tags[0], config.url). A struct field may be null only when
// its swag tag declares it nullable (extensions:"x-nullable"): the published document
// and the server then agree on which nulls mean something.

var (
	rawMessageType  = reflect.TypeFor[json.RawMessage]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
)

// scanBody refuses broken text and nulls in a body that decoded into a value of type t.
func scanBody(body []byte, t reflect.Type) error {
	s := &bodyScanner{dec: json.NewDecoder(bytes.NewReader(body)), body: body}
	s.dec.UseNumber()
	tok, err := s.next()
	if err != nil {
		return badRequest("body", "is not valid JSON")
	}
	if tok == nil {
		return badRequest("body", "must be a JSON object")
	}
	return s.value(tok, t, "")
}

type bodyScanner struct {
	dec  *json.Decoder
	body []byte
	// raw is the bytes of the last string token, quotes included.
	raw []byte
}

func (s *bodyScanner) next() (json.Token, error) {
	start := s.dec.InputOffset()
	tok, err := s.dec.Token()
	if err != nil {
		return nil, err
	}
	if _, ok := tok.(string); ok {
		// Between the previous token and this string are only white space, ':' and
		// ',', so its first quote is where it starts.
		raw := s.body[start:s.dec.InputOffset()]
		s.raw = raw[bytes.IndexByte(raw, '"'):]
	}
	return tok, nil
}

// value judges the JSON value that starts with tok, read into a Go value of type t (nil
// when the type says nothing, as for json.RawMessage or any).
func (s *bodyScanner) value(tok json.Token, t reflect.Type, path string) error {
	t = plainType(t)
	switch v := tok.(type) {
	case nil:
		return invalid(path, "must not be null; leave the field out to take its default")
	case string:
		if brokenText(s.raw) {
			return invalid(path, "must be valid UTF-8 text (no invalid bytes or unpaired surrogate escapes)")
		}
	case json.Delim:
		if v == '[' {
			return s.array(elemType(t), path)
		}
		return s.object(t, path)
	}
	return nil
}

func (s *bodyScanner) array(elem reflect.Type, path string) error {
	for i := 0; ; i++ {
		tok, err := s.next()
		if err != nil {
			return badRequest("body", "is not valid JSON")
		}
		if tok == json.Delim(']') {
			return nil
		}
		if err := s.value(tok, elem, path+"["+strconv.Itoa(i)+"]"); err != nil {
			return err
		}
	}
}

func (s *bodyScanner) object(t reflect.Type, path string) error {
	for {
		tok, err := s.next()
		if err != nil {
			return badRequest("body", "is not valid JSON")
		}
		if tok == json.Delim('}') {
			return nil
		}
		key, _ := tok.(string)
		field := key
		if path != "" {
			field = path + "." + key
		}
		if brokenText(s.raw) {
			return invalid(field, "has a name that is not valid UTF-8 text (invalid bytes or unpaired surrogate escapes)")
		}
		ft, nullable := memberType(t, key)
		if tok, err = s.next(); err != nil {
			return badRequest("body", "is not valid JSON")
		}
		if tok == nil && nullable {
			continue
		}
		if err := s.value(tok, ft, field); err != nil {
			return err
		}
	}
}

// plainType is t without pointers; nil when t decodes itself or holds anything.
func plainType(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t == rawMessageType || t.Kind() == reflect.Interface || reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil
	}
	return t
}

func elemType(t reflect.Type) reflect.Type {
	if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
		return t.Elem()
	}
	return nil
}

// memberType is the type of an object's member key and whether it may be null: a map's
// values never, a struct field when its tag declares it nullable.
func memberType(t reflect.Type, key string) (reflect.Type, bool) {
	switch {
	case t == nil:
		return nil, false
	case t.Kind() == reflect.Map:
		return t.Elem(), false
	case t.Kind() != reflect.Struct:
		return nil, false
	}
	var fold *reflect.StructField
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if name == key {
			return f.Type, isNullable(f)
		}
		// encoding/json matches member names case-insensitively after an exact match.
		if fold == nil && strings.EqualFold(name, key) {
			fold = &f
		}
	}
	if fold != nil {
		return fold.Type, isNullable(*fold)
	}
	return nil, false
}

func isNullable(f reflect.StructField) bool {
	return strings.Contains(f.Tag.Get("extensions"), "x-nullable")
}

// brokenText reports whether a JSON string, as written with its quotes and escapes,
// holds bytes that are not UTF-8 or a surrogate escape that is not half of a pair.
func brokenText(raw []byte) bool {
	if !utf8.Valid(raw) {
		return true
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		i++
		if raw[i] != 'u' {
			continue
		}
		r := hex4(raw[i+1 : i+5])
		i += 4
		switch {
		case r >= 0xD800 && r < 0xDC00: // a high surrogate must be followed by a low one
			if i+6 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
				if lo := hex4(raw[i+3 : i+7]); lo >= 0xDC00 && lo < 0xE000 {
					i += 6
					continue
				}
			}
			return true
		case r >= 0xDC00 && r < 0xE000:
			return true
		}
	}
	return false
}

// hex4 reads the four hex digits of a \u escape (the body is valid JSON, so they are).
func hex4(b []byte) rune {
	n, _ := strconv.ParseUint(string(b), 16, 32)
	return rune(n)
}
