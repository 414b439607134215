package config

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strings"

	"github.com/joho/godotenv"
)

// ReadEnvFile reads a .env file: NAME=value lines, # comments, values in quotes, an
// optional leading `export`. A file it cannot read is an error naming the line it
// stopped at, and never quoting the file, whose values are secrets. A missing file,
// or anything at path that is not a regular file (a Python virtualenv named .env), is
// an error satisfying errors.Is(err, fs.ErrNotExist).
//
// An unquoted or double-quoted value may refer to another variable ($NAME, ${NAME}):
// one set earlier in the file, else in the environment (lookupenv; nil reads none).
// A reference to a variable set in neither is an error naming the line and the
// variable: it is far more often a secret with a $ in it (Pa$SW0RD) that would
// silently lose part of itself, and single quotes keep such a value as written.
func ReadEnvFile(path string, lookupenv func(string) (string, bool)) (map[string]string, error) {
	if info, err := os.Stat(path); err != nil {
		return nil, err
	} else if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file: %w", path, fs.ErrNotExist)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	if len(data) > 0 && data[len(data)-1] != '\n' {
		// Else a last line without "=" is read as a value with an empty name.
		data = append(data, '\n')
	}
	vars, err := godotenv.UnmarshalBytes(data)
	if err != nil {
		line, why := badLine(data)
		return nil, fmt.Errorf("%s:%d: %s", path, line, why)
	}
	if lookupenv == nil {
		lookupenv = func(string) (string, bool) { return "", false }
	}
	return expandFromEnv(path, data, vars, lookupenv)
}

// escapedDollar stands for an escaped \$ in the inert reading: no reference, and
// nothing godotenv changes.
const escapedDollar = "\x01"

// godotenv's own pattern for a reference; group 1 is an escaping backslash, group 4
// the name.
var refPattern = regexp.MustCompile(`(\\)?(\$)(\()?\{?([A-Z0-9_]+)?\}?`)

// expandFromEnv checks the references in the values godotenv read (vars): godotenv
// fills them from the file's earlier lines only, and with "" when there is none.
// Those the environment sets are filled from it; one set nowhere is an error.
//
// To see which values hold references, the file is read again with every $ made
// inert ("$\x00" is no reference to godotenv): a value that then reads differently
// was expanded, and its unescaped references are in the inert reading. An escaped \$
// is first made a marker (escapedDollar): godotenv yields it as a plain $, unquoted or
// in double quotes (in single quotes as \$, as written), and made inert it would read
// as a $ with no backslash, that is as a reference.
func expandFromEnv(path string, data []byte, vars map[string]string, lookupenv func(string) (string, bool)) (map[string]string, error) {
	if !bytes.Contains(data, []byte("$")) {
		return vars, nil
	}
	marked := bytes.ReplaceAll(data, []byte(`\$`), []byte(escapedDollar))
	inert, err := godotenv.UnmarshalBytes(bytes.ReplaceAll(marked, []byte("$"), []byte("$\x00")))
	if err != nil {
		// Read without the change, it was read with none: nothing to check.
		return vars, nil
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	fromEnv := map[string]string{}
	var prepend bytes.Buffer
	for key, value := range vars {
		raw := strings.ReplaceAll(inert[key], "\x00", "")
		if strings.ReplaceAll(raw, escapedDollar, "$") == value || strings.ReplaceAll(raw, escapedDollar, `\$`) == value {
			// Read as it is written: no reference was filled in.
			continue
		}
		line := keyLine(lines, key)
		earlier, err := godotenv.UnmarshalBytes(bytes.Join(lines[:line-1], nil))
		if err != nil {
			earlier = vars
		}
		for _, m := range refPattern.FindAllStringSubmatch(raw, -1) {
			name := m[4]
			if m[1] == `\` || name == "" {
				continue
			}
			if _, ok := earlier[name]; ok {
				continue
			}
			v, ok := lookupenv(name)
			if !ok {
				return nil, fmt.Errorf("%s:%d: %s refers to $%s, which is set neither earlier in the file nor in the environment; "+
					"put a value holding a $ in single quotes", path, line, key, name)
			}
			if strings.ContainsAny(v, "'\n") || strings.HasSuffix(v, `\`) {
				return nil, fmt.Errorf("%s:%d: %s refers to $%s, whose value in the environment cannot be filled in "+
					"(it holds a quote or a line break); put a value holding a $ in single quotes", path, line, key, name)
			}
			if _, seen := fromEnv[name]; !seen {
				fromEnv[name] = v
				fmt.Fprintf(&prepend, "%s='%s'\n", name, v)
			}
		}
	}
	if len(fromEnv) == 0 {
		return vars, nil
	}
	// godotenv fills references from the variables read before them: the
	// environment's, written first, single-quoted so that they are taken as they are.
	out, err := godotenv.UnmarshalBytes(append(prepend.Bytes(), data...))
	if err != nil {
		// godotenv's error quotes the file: say nothing of it.
		return nil, fmt.Errorf("%s: the environment's values for its references cannot be filled in", path)
	}
	for name := range fromEnv {
		if _, inFile := vars[name]; !inFile {
			delete(out, name)
		}
	}
	return out, nil
}

// keyLine is the line (from 1) of the last statement setting key.
func keyLine(lines [][]byte, key string) int {
	re := regexp.MustCompile(`^\s*(export\s+)?` + regexp.QuoteMeta(key) + `\s*[=:]`)
	n := 1
	for i, l := range lines {
		if re.Match(l) {
			n = i + 1
		}
	}
	return n
}

// badLine finds the line of a file godotenv refuses: its errors quote the rest of the
// file, which may hold secrets, and give no line. The file is read a line longer at a
// time until it is refused; a quoted value may run over several lines, so while the
// trouble is an unterminated quote it is blamed on the line that quote began on, in
// case a later line ends it.
func badLine(data []byte) (int, string) {
	lines := bytes.SplitAfter(data, []byte("\n"))
	quoteOpen := 0
	for n := 1; n <= len(lines); n++ {
		_, err := godotenv.UnmarshalBytes(bytes.Join(lines[:n], nil))
		switch {
		case err == nil:
			quoteOpen = 0
		case strings.HasPrefix(err.Error(), "unterminated quoted value"):
			if quoteOpen == 0 {
				quoteOpen = n
			}
		default:
			return n, "not a NAME=value line"
		}
	}
	return max(quoteOpen, 1), "a quoted value that never ends"
}
