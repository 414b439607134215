package netguard

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/net/idna"
)

// ParseHost reads a URL's host (without brackets or port, as url.URL.Hostname gives
// it) the way a browser and Go's HTTP client will use it. isAddr is true when the host
// is a literal address: an IPv6 one (its zone kept), or an IPv4 one in any form the
// WHATWG URL standard reads as one — dotted decimal, fewer than four parts (127.1),
// hexadecimal or octal parts (0x7f.0.0.01), one number (2130706433), a trailing dot —
// after the same Unicode mapping Go's client applies (full-width digits). A host that
// ends in a number but is no valid IPv4 address (1.2.3.4.5, 256.1.1.1) is an error,
// as it is to a browser; any other host is a name, for DNS.
func ParseHost(host string) (addr netip.Addr, isAddr bool, err error) {
	if strings.Contains(host, ":") {
		addr, err := netip.ParseAddr(host)
		if err != nil {
			return netip.Addr{}, false, fmt.Errorf("%w: host is not a valid IPv6 address", ErrInvalidURL)
		}
		return addr, true, nil
	}
	if ascii, err := idna.Lookup.ToASCII(host); err == nil {
		// Go's HTTP client dials the mapped form, so that is the one to judge.
		host = ascii
	}
	host = strings.ToLower(host)
	if !endsInNumber(host) {
		return netip.Addr{}, false, nil
	}
	addr, ok := parseIPv4(host)
	if !ok {
		return netip.Addr{}, false, fmt.Errorf("%w: host ends in a number but is not a valid IPv4 address", ErrInvalidURL)
	}
	return addr, true, nil
}

// endsInNumber is the WHATWG "ends in a number" test: whether the host's last label
// (a trailing dot aside) is a number, so that the host must be an IPv4 address.
func endsInNumber(host string) bool {
	parts := strings.Split(host, ".")
	if parts[len(parts)-1] == "" {
		if len(parts) == 1 {
			return false
		}
		parts = parts[:len(parts)-1]
	}
	last := parts[len(parts)-1]
	if last != "" && strings.Trim(last, "0123456789") == "" {
		return true
	}
	_, ok := parseIPv4Number(last)
	return ok
}

// parseIPv4 is the WHATWG IPv4 parser: up to four parts, each decimal, 0x-hex or
// 0-octal, the last filling the bytes the others leave.
func parseIPv4(host string) (netip.Addr, bool) {
	parts := strings.Split(host, ".")
	if parts[len(parts)-1] == "" && len(parts) > 1 {
		parts = parts[:len(parts)-1]
	}
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var ipv4 uint64
	for i, part := range parts {
		n, ok := parseIPv4Number(part)
		if !ok {
			return netip.Addr{}, false
		}
		if i < len(parts)-1 {
			if n > 255 {
				return netip.Addr{}, false
			}
			ipv4 |= n << (8 * (3 - i))
			continue
		}
		if n >= 1<<(8*(5-len(parts))) {
			return netip.Addr{}, false
		}
		ipv4 += n
	}
	return netip.AddrFrom4([4]byte{byte(ipv4 >> 24), byte(ipv4 >> 16), byte(ipv4 >> 8), byte(ipv4)}), true
}

// parseIPv4Number reads one part of an IPv4 address: 0x or 0X starts hexadecimal (and
// "0x" alone is 0), a leading 0 octal, anything else decimal.
func parseIPv4Number(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	base := 10
	switch {
	case len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X"):
		base, s = 16, s[2:]
	case len(s) >= 2 && s[0] == '0':
		base, s = 8, s[1:]
	}
	if s == "" {
		return 0, true
	}
	if strings.ContainsAny(s, "+-_") {
		// ParseUint takes none of these, but be plain about it: only digits.
		return 0, false
	}
	n, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		// Not digits of the base, or more than 64 bits: either way no address.
		return 0, false
	}
	return n, true
}
