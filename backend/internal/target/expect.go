package target

import (
	"fmt"
	"strconv"
	"strings"
)

// StatusSet is a set of HTTP status codes written as codes and ranges: "200-399,418".
type StatusSet []statusRange

type statusRange struct{ lo, hi int }

// Bounds on an expected_status: it is parsed for every check and copied into audit
// entries, so it stays short.
const (
	MaxStatusSetLen     = 100
	MaxStatusSetEntries = 20
)

// NormalizeStatusSet writes a list of codes and ranges in its one form, without the
// spaces around codes, dashes and commas: " 200 - 299 , 404" is "200-299,404". Text
// that is not such a list is returned as it is, for ParseStatusSet to report.
func NormalizeStatusSet(s string) string {
	if len(s) > 4*MaxStatusSetLen {
		return s // too long to be kept anyway; ParseStatusSet says so
	}
	parts := strings.Split(s, ",")
	for i, part := range parts {
		lo, hi, isRange := strings.Cut(part, "-")
		parts[i] = strings.TrimSpace(lo)
		if isRange {
			parts[i] += "-" + strings.TrimSpace(hi)
		}
	}
	return strings.Join(parts, ",")
}

// ParseStatusSet reads a list of codes and ranges separated by commas, at most
// MaxStatusSetLen characters and MaxStatusSetEntries entries. It is the one reader of
// expected_status: validation and every check use it.
func ParseStatusSet(s string) (StatusSet, error) {
	if len(s) > MaxStatusSetLen {
		return nil, fmt.Errorf("at most %d characters", MaxStatusSetLen)
	}
	if n := strings.Count(s, ",") + 1; n > MaxStatusSetEntries {
		return nil, fmt.Errorf("at most %d entries, not %d", MaxStatusSetEntries, n)
	}
	var set StatusSet
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, fmt.Errorf("empty entry in %q", s)
		}
		loText, hiText, isRange := strings.Cut(part, "-")
		lo, err := parseCode(loText)
		if err != nil {
			return nil, err
		}
		hi := lo
		if isRange {
			if hi, err = parseCode(hiText); err != nil {
				return nil, err
			}
			if hi < lo {
				return nil, fmt.Errorf("range %q ends before it starts", part)
			}
		}
		set = append(set, statusRange{lo, hi})
	}
	return set, nil
}

func parseCode(s string) (int, error) {
	code, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || code < 100 || code > 599 {
		return 0, fmt.Errorf("%q is not an HTTP status code (100-599)", s)
	}
	return code, nil
}

// Contains reports whether code is in the set.
func (s StatusSet) Contains(code int) bool {
	for _, r := range s {
		if code >= r.lo && code <= r.hi {
			return true
		}
	}
	return false
}
