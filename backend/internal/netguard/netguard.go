// Package netguard decides which addresses WatchDog may send requests to. Checks of
// user-supplied URLs must not become a way to reach the machine's own services, the
// private network it sits in, or a cloud provider's metadata endpoint (server-side
// request forgery). The decision is made on the address actually dialed, so neither a
// redirect nor a DNS answer that changes between look-ups gets around it.
package netguard

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"

	"code.dny.dev/ssrf"
)

// ErrForbidden is wrapped by every refusal.
var ErrForbidden = errors.New("address not allowed")

// metadata are the cloud instance-metadata endpoints. They hand out credentials, so
// they stay refused even where private targets are allowed.
var metadata = []netip.Prefix{
	netip.MustParsePrefix("169.254.169.254/32"), // AWS, GCP, Azure, DigitalOcean, …
	netip.MustParsePrefix("169.254.170.2/32"),   // AWS ECS task credentials
	netip.MustParsePrefix("169.254.170.23/32"),  // AWS EKS pod identity
	netip.MustParsePrefix("100.100.100.200/32"), // Alibaba Cloud
	netip.MustParsePrefix("192.0.0.192/32"),     // Oracle Cloud
	netip.MustParsePrefix("fd00:ec2::254/128"),  // AWS over IPv6
	netip.MustParsePrefix("fd00:ec2::23/128"),   // AWS EKS pod identity over IPv6
}

// nat64 is the well-known NAT64 prefix (RFC 6052): the IPv4 address it reaches is in
// its last 32 bits. localNAT64 (RFC 8215) may embed IPv4 addresses in other layouts,
// so where it leads cannot be told from the address: it is refused outright.
var (
	nat64      = netip.MustParsePrefix("64:ff9b::/96")
	localNAT64 = netip.MustParsePrefix("64:ff9b:1::/48")
)

// Guard holds the policy. Make one with New.
type Guard struct {
	allowPrivate bool
	strict       *ssrf.Guardian
}

// New returns a guard. allowPrivate lets loopback, private, CGNAT and link-local
// addresses through (for monitoring an internal network); allow lets through only the
// networks named. Neither ever lets a metadata address through.
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
	strict := ssrf.New(ssrf.WithAnyPort(), ssrf.WithAllowedV4Prefixes(v4...), ssrf.WithAllowedV6Prefixes(v6...))
	return &Guard{allowPrivate: allowPrivate, strict: strict}
}

// CheckAddr refuses an address the policy does not allow.
func (g *Guard) CheckAddr(addr netip.Addr) error {
	addr = addr.Unmap()
	if localNAT64.Contains(addr) {
		return fmt.Errorf("%w: %s is a local-use NAT64 address", ErrForbidden, addr)
	}
	if nat64.Contains(addr) {
		// A NAT64 address reaches the IPv4 address in its last 32 bits; judge that one.
		b := addr.As16()
		addr = netip.AddrFrom4([4]byte(b[12:]))
	}
	for _, p := range metadata {
		if p.Contains(addr) {
			return fmt.Errorf("%w: %s is a cloud metadata address", ErrForbidden, addr)
		}
	}
	if g.allowPrivate {
		return nil
	}
	if err := g.strict.SafeAddr(addr); err != nil {
		return fmt.Errorf("%w: %s is a loopback, private or reserved address (set ALLOW_PRIVATE_TARGETS to allow)", ErrForbidden, addr)
	}
	return nil
}

// CheckHost refuses a host that is a literal address the policy does not allow. A
// hostname passes here; it is checked on every dial instead.
func (g *Guard) CheckHost(host string) error {
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return nil
	}
	return g.CheckAddr(addr)
}

// Control is a net.Dialer Control function: it runs after DNS resolution, on the exact
// address about to be dialed.
func (g *Guard) Control(network, address string, _ syscall.RawConn) error {
	if network != "tcp4" && network != "tcp6" && network != "tcp" {
		return fmt.Errorf("%w: network %s", ErrForbidden, network)
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrForbidden, address, err)
	}
	return g.CheckAddr(ap.Addr())
}

// Dialer returns a dialer that enforces the policy.
func (g *Guard) Dialer() *net.Dialer {
	return &net.Dialer{Control: g.Control}
}
