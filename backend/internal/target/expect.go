package target

import (
	"fmt"
	"strconv"
	"strings"
)

// StatusSet is a set of HTTP status codes written as codes and ranges: "200-399,418".
type StatusSet []statusRange

type statusRange struct{ lo, hi int }

// ParseStatusSet reads a list of codes and ranges separated by commas.
func ParseStatusSet(s string) (StatusSet, error) {
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
