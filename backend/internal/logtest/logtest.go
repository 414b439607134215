// Package logtest holds what tests need to read what a logger wrote: a buffer that
// any number of goroutines may write to (a server's handlers, a scheduler's workers,
// the copier exec starts for a child process) and the JSON lines in it.
package logtest

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"
)

// Buffer collects output written from any goroutine.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Buffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns everything written so far.
func (l *Buffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Bytes returns a copy of everything written so far.
func (l *Buffer) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.b.Bytes())
}

// JSONLines parses every non-empty line of out as one JSON object, failing the test
// (and going on) at any line that is not one; stream names the output in the failure.
func JSONLines(t testing.TB, stream string, out []byte) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for i, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Errorf("%s line %d is not one JSON object: %v\n%s", stream, i+1, err, line)
			continue
		}
		lines = append(lines, m)
	}
	return lines
}

// WithMsg returns the JSON lines written so far whose msg is msg.
func (l *Buffer) WithMsg(t testing.TB, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, m := range JSONLines(t, "log", l.Bytes()) {
		if m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}
