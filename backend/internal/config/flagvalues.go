package config

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// The settings' flag values. Each reads what its environment variable holds too, and
// prints its default the way the README writes it (365d, not 8760h0m0s). None is a
// boolean flag in the flag package's sense: a setting's flag always takes a value
// (-ALLOW_PRIVATE_TARGETS true), so the word after it is never taken for a command.
//
// Set's errors leave the text out: the flag package quotes it after a flag, and after
// an environment variable it is not repeated, as it may be a secret.

// settingValue marks the flag values of settings, apart from a command's own flags.
type settingValue interface {
	flag()
	// Type names what the flag takes, for help: string, int, bool, duration, ….
	Type() string
}

type stringValue struct{ p *string }

func (v stringValue) flag()              {}
func (v stringValue) Type() string       { return "string" }
func (v stringValue) Set(s string) error { *v.p = s; return nil }
func (v stringValue) String() string     { return deref(v.p) }

func deref[T any](p *T) (zero T) {
	if p == nil { // the flag package makes zero Values to find zero defaults
		return zero
	}
	return *p
}

type intValue struct{ p *int }

func (v intValue) flag()        {}
func (v intValue) Type() string { return "int" }
func (v intValue) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return errors.New("not a whole number")
	}
	*v.p = n
	return nil
}
func (v intValue) String() string { return strconv.Itoa(deref(v.p)) }

type floatValue struct{ p *float64 }

func (v floatValue) flag()        {}
func (v floatValue) Type() string { return "number" }
func (v floatValue) Set(s string) error {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return errors.New("not a number")
	}
	*v.p = f
	return nil
}
func (v floatValue) String() string { return strconv.FormatFloat(deref(v.p), 'f', -1, 64) }

type boolValue struct{ p *bool }

func (v boolValue) flag()        {}
func (v boolValue) Type() string { return "bool" }
func (v boolValue) Set(s string) error {
	b, err := strconv.ParseBool(strings.TrimSpace(s))
	if err != nil {
		return errors.New("want true or false")
	}
	*v.p = b
	return nil
}
func (v boolValue) String() string { return strconv.FormatBool(deref(v.p)) }

// durationValue takes Go durations (20s, 1h30m) and whole days (7d).
type durationValue struct{ p *time.Duration }

func (v durationValue) flag()        {}
func (v durationValue) Type() string { return "duration" }
func (v durationValue) Set(s string) error {
	d, err := target.ParseDays(strings.TrimSpace(s))
	if err != nil {
		return errors.New("not a duration such as 20s, 5m or 7d")
	}
	*v.p = d
	return nil
}
func (v durationValue) String() string { return FormatDuration(deref(v.p)) }

// FormatDuration writes d as a setting would be written: whole days as 7d, else
// without zero units (5m, not 5m0s).
func FormatDuration(d time.Duration) string {
	const day = 24 * time.Hour
	if d >= day && d%day == 0 {
		return fmt.Sprintf("%dd", d/day)
	}
	s := d.String()
	if t, ok := strings.CutSuffix(s, "m0s"); ok {
		s = t + "m"
	}
	if t, ok := strings.CutSuffix(s, "h0m"); ok {
		s = t + "h"
	}
	return s
}

// listValue is a comma-separated list; setting it replaces the list.
type listValue struct{ p *[]string }

func (v listValue) flag()              {}
func (v listValue) Type() string       { return "list" }
func (v listValue) Set(s string) error { *v.p = splitList(s); return nil }
func (v listValue) String() string     { return strings.Join(deref(v.p), ",") }

// cidrsValue is a comma-separated list of networks.
type cidrsValue struct{ p *[]*net.IPNet }

func (v cidrsValue) flag()        {}
func (v cidrsValue) Type() string { return "cidrs" }
func (v cidrsValue) Set(s string) error {
	var nets []*net.IPNet
	for _, cidr := range splitList(s) {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			return fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8", cidr)
		}
		nets = append(nets, n)
	}
	*v.p = nets
	return nil
}
func (v cidrsValue) String() string {
	var parts []string
	for _, n := range deref(v.p) {
		parts = append(parts, n.String())
	}
	return strings.Join(parts, ",")
}

// TypeName names what a setting's flag takes (string, int, bool, duration, …), and
// "" for a flag that is not a setting's.
func TypeName(v any) string {
	if s, ok := v.(settingValue); ok {
		return s.Type()
	}
	return ""
}
