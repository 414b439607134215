package main

import (
	"fmt"
	"io"
	"os"
	"os/user"
	"sync"
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/manifest"
)

// cliActor names the command line in the audit log as an API key names its user:
// "cli (alice)", alice being who runs the command on this machine.
func cliActor() string {
	name := ""
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	if name == "" {
		name = os.Getenv("USER")
	}
	if name == "" {
		return "cli"
	}
	return "cli (" + name + ")"
}

// printErrors writes each error of a document on a line of its own, as a compiler
// does: FILE:LINE:COL: path: message. It returns the error the command ends with,
// or err itself when it holds none of the document's.
func printErrors(w io.Writer, file string, err error) error {
	all := manifest.List(err)
	if len(all) == 0 {
		return err
	}
	if file == "-" {
		file = "<stdin>"
	}
	for _, le := range all {
		at := file
		if le.Line > 0 {
			at = fmt.Sprintf("%s:%d:%d", file, le.Line, max(le.Column, 1))
		}
		msg := le.Msg
		if le.Path != "" {
			msg = le.Path + ": " + msg
		}
		if _, werr := fmt.Fprintf(w, "%s: %s\n", at, msg); werr != nil {
			return err
		}
	}
	total := len(all) + manifest.Omitted(err)
	noun := "errors"
	if total == 1 {
		noun = "error"
	}
	if total > len(all) {
		return fmt.Errorf("%s: %d %s (%d shown); nothing was changed", file, total, noun, len(all))
	}
	return fmt.Errorf("%s: %d %s; nothing was changed", file, total, noun)
}

// isTerminal says whether w is a terminal (a character device), where progress may
// be drawn; a pipe or a file gets none.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progress draws "applying 1200/5000 objects" on one line of a terminal, rewritten
// at most ten times a second, and wipes it when done.
type progress struct {
	w     io.Writer
	label string
	every time.Duration
	mu    sync.Mutex
	last  time.Time
	drawn bool
}

// newProgress returns a progress for w, or nil when w is no terminal.
func newProgress(w io.Writer, label string) *progress {
	if !isTerminal(w) {
		return nil
	}
	return &progress{w: w, label: label, every: 100 * time.Millisecond}
}

// hook is the manifest.ApplyOptions Progress of p; nil for no progress.
func (p *progress) hook() func(done, total int) {
	if p == nil {
		return nil
	}
	return p.update
}

func (p *progress) update(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if done < total && now.Sub(p.last) < p.every {
		return
	}
	p.last = now
	p.drawn = true
	_, _ = fmt.Fprintf(p.w, "\r%s %d/%d objects\033[K", p.label, done, total)
}

// finish wipes the line, so that what follows starts on a clean one.
func (p *progress) finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		_, _ = io.WriteString(p.w, "\r\033[K")
		p.drawn = false
	}
}
