// Package netguard decides which addresses WatchDog may send requests to. Checks of
// user-supplied URLs must not become a way to reach the machine's own services, the
// private network it sits in, or a cloud provider's metadata endpoint (server-side
// request forgery). The decision is made on the address actually dialed, so neither a
// redirect nor a DNS answer that changes between look-ups gets around it; the same
// rules judge a URL when it is saved, so a literal address that could never be dialed
// is refused at once.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"syscall"
	"time"

	"code.dny.dev/ssrf"
)

// ErrForbidden is wrapped by every refusal. A refusal made while dialing says no more
// than this and the kind of address: the address itself would tell whoever saved the
// URL what an internal name resolves to.
var ErrForbidden = errors.New("address not allowed")

// ErrInvalidURL is wrapped when a URL's host or port cannot be what it claims to be.
var ErrInvalidURL = errors.New("invalid url")

// metadata are the ranges cloud instance-metadata services answer in. They hand out
// credentials, so they stay refused even where private targets are allowed. Both
// link-local ranges and AWS's IPv6 /32 are refused whole, not single addresses:
// providers keep adding endpoints there (169.254.169.254, 169.254.170.2,
// 169.254.170.23, 169.254.0.23, fd00:ec2::254, fd00:ec2::23, OpenStack's
// fe80::a9fe:a9fe, …).
var metadata = []netip.Prefix{
	netip.MustParsePrefix("169.254.0.0/16"),     // link-local: AWS, GCP, Azure, DigitalOcean, Tencent, …
	netip.MustParsePrefix("fe80::/10"),          // IPv6 link-local: OpenStack's fe80::a9fe:a9fe, …
	netip.MustParsePrefix("fd00:ec2::/32"),      // AWS over IPv6
	netip.MustParsePrefix("100.100.100.200/32"), // Alibaba Cloud
	netip.MustParsePrefix("192.0.0.192/32"),     // Oracle Cloud
}

// nat64 is the well-known NAT64 prefix (RFC 6052): the IPv4 address it reaches is in
// its last 32 bits. localNAT64 (RFC 8215) may embed IPv4 addresses in other layouts,
// so where it leads cannot be told from the address: it is refused outright.
var (
	nat64      = netip.MustParsePrefix("64:ff9b::/96")
	localNAT64 = netip.MustParsePrefix("64:ff9b:1::/48")
)

// Why an address is refused, as the errors say it.
const (
	reasonLocalNAT64 = "a local-use NAT64 address"
	reasonMetadata   = "a link-local or cloud metadata address"
	reasonPrivate    = "a loopback, private or reserved address (set ALLOW_PRIVATE_TARGETS to allow)"
)

// Guard holds the policy. Make one with New.
type Guard struct {
	allowPrivate bool
	// strict is the policy without the operator's exceptions; allowed adds the
	// networks the operator named.
	strict  *ssrf.Guardian
	allowed *ssrf.Guardian
}

// New returns a guard. allowPrivate lets loopback, private, CGNAT and other reserved
// addresses through (for monitoring an internal network); allow lets through only the
// networks named. Neither ever lets a link-local or metadata address through.
func New(allowPrivate bool, allow ...netip.Prefix) *Guard {
	var v4, v6 []netip.Prefix
	for _, p := range allow {
		if p.Addr().Is4() {
			v4 = append(v4, p)
		} else {
			v6 = append(v6, p)
		}
	}
	// Any port: a target may listen on :8080. The library's deny lists (loopback,
	// RFC 1918, CGNAT, link-local, and the other special-purpose ranges) are what
	// "public only" means.
	return &Guard{
		allowPrivate: allowPrivate,
		strict:       ssrf.New(ssrf.WithAnyPort()),
		allowed:      ssrf.New(ssrf.WithAnyPort(), ssrf.WithAllowedV4Prefixes(v4...), ssrf.WithAllowedV6Prefixes(v6...)),
	}
}

// judge is the policy. It returns why addr is refused ("" when it is not), and whether
// it is let through only by the operator's exception (ALLOW_PRIVATE_TARGETS or an
// allowed network): what such a host answers must not be shown to whoever chose the
// URL, since it was never theirs to read.
func (g *Guard) judge(addr netip.Addr) (reason string, exempt bool) {
	// A zone names the interface to send on; it does not change where the address
	// leads, and a netip.Prefix never contains a zoned address, so it must go before
	// any comparison.
	addr = addr.WithZone("").Unmap()
	if localNAT64.Contains(addr) {
		return reasonLocalNAT64, false
	}
	if nat64.Contains(addr) {
		// A NAT64 address reaches the IPv4 address in its last 32 bits; judge that one.
		b := addr.As16()
		addr = netip.AddrFrom4([4]byte(b[12:]))
	}
	for _, p := range metadata {
		if p.Contains(addr) {
			return reasonMetadata, false
		}
	}
	if g.strict.SafeAddr(addr) == nil {
		return "", false
	}
	if g.allowPrivate || g.allowed.SafeAddr(addr) == nil {
		return "", true
	}
	return reasonPrivate, false
}

// CheckAddr refuses an address the policy does not allow. The error names the address:
// it is meant for judging an address someone typed, not one a name resolved to.
func (g *Guard) CheckAddr(addr netip.Addr) error {
	if reason, _ := g.judge(addr); reason != "" {
		return fmt.Errorf("%w: %s is %s", ErrForbidden, addr.WithZone(""), reason)
	}
	return nil
}

// CheckHost refuses a host that is a literal address the policy does not allow, read
// as a browser reads it (so 127.1, 0x7f000001 and 2130706433 are 127.0.0.1), and a host
// that looks like an IPv4 address but is none. A hostname passes here; it is checked
// on every dial instead.
func (g *Guard) CheckHost(host string) error {
	addr, ok, err := ParseHost(host)
	if err != nil || !ok {
		return err
	}
	return g.CheckAddr(addr)
}

// CheckURL refuses a URL whose port no connection can use, or whose host CheckHost
// refuses. Every URL WatchDog will send requests to goes through it when it is saved.
func (g *Guard) CheckURL(u *url.URL) error {
	if err := CheckPort(u.Port()); err != nil {
		return err
	}
	return g.CheckHost(u.Hostname())
}

// CheckPort refuses a URL port outside 1-65535; "" (the scheme's default) passes.
// Port 0 means "any port" to the socket layer, and url.Parse accepts any digits.
func CheckPort(port string) error {
	if port == "" {
		return nil
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
		return fmt.Errorf("%w: port must be between 1 and 65535", ErrInvalidURL)
	}
	return nil
}

// Control is a net.Dialer Control function: it runs after DNS resolution, on the exact
// address about to be dialed. Its refusal does not name the address. It allows TCP
// only; PacketDialer's dialers also allow UDP.
func (g *Guard) Control(network, address string, _ syscall.RawConn) error {
	return g.control(network, address, false)
}

func (g *Guard) control(network, address string, udp bool) error {
	switch network {
	case "tcp", "tcp4", "tcp6":
	case "udp", "udp4", "udp6":
		if !udp {
			return fmt.Errorf("%w: network %s", ErrForbidden, network)
		}
	default:
		return fmt.Errorf("%w: network %s", ErrForbidden, network)
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: not an address and port", ErrForbidden)
	}
	_, err = g.Judge(ap.Addr())
	return err
}

// Judge refuses addr as a dial to it would be refused, in the same words, which do not
// name the address (it may be what a name resolved to). exempt says it passes only by
// the operator's exception, so nothing it sends may be quoted. It is for checks that
// open no TCP or UDP connection, such as an icmp echo, which must judge the address
// they are about to send to themselves.
func (g *Guard) Judge(addr netip.Addr) (exempt bool, err error) {
	reason, exempt := g.judge(addr)
	if reason != "" {
		return false, fmt.Errorf("%w: %s", ErrForbidden, reason)
	}
	return exempt, nil
}

// Dialer returns a dialer that enforces the policy, for TCP.
func (g *Guard) Dialer() *Dialer {
	return &Dialer{guard: g}
}

// PacketDialer returns a dialer that enforces the policy for UDP as well as TCP: a dns
// check's queries to the resolver a URL names go over both.
func (g *Guard) PacketDialer() *Dialer {
	return &Dialer{guard: g, udp: true}
}

// Dialer dials through a Guard. A host that is a literal address in any form a browser
// reads (127.1, 0x7f000001) is dialed as that address, as CheckHost judged it, instead
// of being looked up as a name. A connection to an address let through only by the
// operator's exception is marked so (see Exempt and Trace).
type Dialer struct {
	// Timeout bounds each dial, as net.Dialer's does; 0 means none but the context's.
	Timeout time.Duration
	guard   *Guard
	// udp allows UDP networks besides TCP.
	udp bool
}

// DialContext connects to address ("host:port") on network, refusing every address
// the guard does not allow.
func (d *Dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	addr, isAddr, err := ParseHost(host)
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	if isAddr {
		address = net.JoinHostPort(addr.String(), port)
	}
	nd := net.Dialer{Timeout: d.Timeout, Control: func(network, address string, _ syscall.RawConn) error {
		return d.guard.control(network, address, d.udp)
	}}
	conn, err := nd.DialContext(ctx, network, address)
	if err != nil {
		if refusal := refusalOf(err); refusal != nil {
			// net.Dialer's error repeats the address it refused; drop it with the rest
			// of the wrapping.
			return nil, refusal
		}
		return nil, err
	}
	if d.guard.exempt(conn.RemoteAddr()) {
		markReach(ctx)
		if udp, ok := conn.(*net.UDPConn); ok {
			// Still a net.PacketConn, so a DNS client reads it by datagrams.
			return &exemptUDPConn{UDPConn: udp}, nil
		}
		return &exemptConn{Conn: conn}, nil
	}
	return conn, nil
}

// exempt says whether a connection's remote address passed only by the exception.
func (g *Guard) exempt(remote net.Addr) bool {
	var addr netip.Addr
	switch remote := remote.(type) {
	case *net.TCPAddr:
		addr = remote.AddrPort().Addr()
	case *net.UDPAddr:
		addr = remote.AddrPort().Addr()
	default:
		// Only TCP and UDP are ever dialed; anything else is treated as the private
		// kind, whose answers are not shown.
		return true
	}
	_, exempt := g.judge(addr)
	return exempt
}

// refusalOf is the guard's own refusal inside err ("address not allowed: a loopback,
// …"), without the dial context wrapped around it, or nil when err is no refusal.
func refusalOf(err error) error {
	if !errors.Is(err, ErrForbidden) {
		return nil
	}
	for {
		next := errors.Unwrap(err)
		if next == nil || next == ErrForbidden || !errors.Is(next, ErrForbidden) {
			return err
		}
		err = next
	}
}
