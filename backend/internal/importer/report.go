package importer

import (
	"fmt"
	"strings"
)

// Report says, per source object, whether it was carried over and as what, what was
// changed on the way, and what was left behind and why.
type Report struct {
	// Source names the importer: gatus, uptime-kuma or seed.
	Source  string
	Entries []Entry
	// Secrets are the values the document references instead of holding.
	Secrets []Secret
	// Notes are remarks on the whole import.
	Notes []string
}

// Entry is one object of the source: an endpoint, a monitor, a notification, a row.
type Entry struct {
	// Object names it as the source does: endpoint "core/api", alerting provider slack.
	Object string
	// As is what it became, such as target "api"; empty when it was not carried over.
	As string
	// Skipped says why it was not carried over, when As is empty.
	Skipped string
	// Changed lists what was adjusted to fit WatchDog ("interval 10s raised to the
	// minimum 30s").
	Changed []string
	// Dropped lists the parts that were not carried over, each with why
	// ("condition [DOMAIN_EXPIRATION] > 720h: no equivalent").
	Dropped []string
}

// Secret is a value taken out of the document.
type Secret struct {
	// Env is the variable the document references.
	Env string
	// From says where the value was in the source.
	From string
	// Value is the value redacted, enough to recognise it.
	Value string
}

// Carried counts the objects carried over.
func (r Report) Carried() int {
	n := 0
	for _, e := range r.Entries {
		if e.As != "" {
			n++
		}
	}
	return n
}

// NotCarried lists, one line each, every object that was not carried over and every
// part of a carried object that was left behind, with why:
//
//	endpoint "syslog": udp endpoint: WatchDog has no udp checks
//	endpoint "api": condition [DOMAIN_EXPIRATION] > 720h: no equivalent
func (r Report) NotCarried() []string {
	var out []string
	for _, e := range r.Entries {
		if e.As == "" {
			out = append(out, e.Object+": "+e.Skipped)
			continue
		}
		for _, d := range e.Dropped {
			out = append(out, e.Object+": "+d)
		}
	}
	return out
}

// Changes lists, one line each, what was adjusted on the objects carried over.
func (r Report) Changes() []string {
	var out []string
	for _, e := range r.Entries {
		if e.As == "" {
			continue
		}
		for _, c := range e.Changed {
			out = append(out, e.Object+": "+c)
		}
	}
	return out
}

// Lines prints the report, one fact a line: a summary, then per object what it became,
// what changed and what was not carried over, then the secrets to set.
func (r Report) Lines() []string {
	skipped := 0
	for _, e := range r.Entries {
		if e.As == "" {
			skipped++
		}
	}
	out := []string{fmt.Sprintf("%s: %d carried over, %d not carried over", r.Source, r.Carried(), skipped)}
	for _, n := range r.Notes {
		out = append(out, "note: "+n)
	}
	for _, e := range r.Entries {
		if e.As == "" {
			out = append(out, e.Object+": not carried over: "+e.Skipped)
			continue
		}
		out = append(out, e.Object+": carried over as "+e.As)
		for _, c := range e.Changed {
			out = append(out, e.Object+": changed: "+c)
		}
		for _, d := range e.Dropped {
			out = append(out, e.Object+": not carried over: "+d)
		}
	}
	if len(r.Secrets) > 0 {
		out = append(out, "secrets are referenced, not written; set these variables to apply the document elsewhere:")
		for _, s := range r.Secrets {
			out = append(out, fmt.Sprintf("  %s  from %s (%s)", s.Env, s.From, s.Value))
		}
	}
	return out
}

// String is Lines joined, each ended by a newline.
func (r Report) String() string { return strings.Join(r.Lines(), "\n") + "\n" }
