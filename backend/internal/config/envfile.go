package config

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/joho/godotenv"
)

// ReadEnvFile reads a .env file: NAME=value lines, # comments, values in quotes, an
// optional leading `export`. A file it cannot read is an error naming the line it
// stopped at, and never quoting the file, whose values are secrets. A missing file is
// an error satisfying errors.Is(err, fs.ErrNotExist).
func ReadEnvFile(path string) (map[string]string, error) {
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
	return vars, nil
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
