package probe

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"
)

// How long a name's addresses are reused, and how many names are remembered. A
// hundred thousand targets on a few thousand hosts would otherwise ask the resolver
// for the same names hundreds of times a second; thirty seconds is short enough that
// a moved service is followed within one check or two.
const (
	dnsTTL     = 30 * time.Second
	dnsEntries = 10000
)

type dnsEntry struct {
	addrs   []netip.Addr
	expires time.Time
}

// cachingDialer dials host names through a small cache of their addresses. The
// guard still checks every address as it is dialed, so a cached answer can never
// reach an address a fresh one could not.
type cachingDialer struct {
	dialer *net.Dialer
	lookup func(ctx context.Context, network, host string) ([]netip.Addr, error)
	now    func() time.Time

	mu    sync.Mutex
	names map[string]dnsEntry
}

func newCachingDialer(d *net.Dialer) *cachingDialer {
	return &cachingDialer{dialer: d, lookup: net.DefaultResolver.LookupNetIP, now: time.Now, names: map[string]dnsEntry{}}
}

// DialContext resolves addr's host (from the cache when it can) and dials its
// addresses in turn until one answers.
func (c *cachingDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return c.dialer.DialContext(ctx, network, addr)
	}
	addrs, err := c.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	var firstErr error
	for _, a := range addrs {
		conn, err := c.dialer.DialContext(ctx, network, net.JoinHostPort(a.String(), port))
		if err == nil {
			return conn, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, firstErr
}

func (c *cachingDialer) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	now := c.now()
	c.mu.Lock()
	e, ok := c.names[host]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.addrs, nil
	}
	addrs, err := c.lookup(ctx, "ip", host)
	if err != nil {
		// Failures are not remembered: the next check asks again.
		return nil, err
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("lookup %s: no addresses", host)
	}
	c.mu.Lock()
	if len(c.names) >= dnsEntries {
		// Forget everything rather than track ages: it refills within one interval.
		clear(c.names)
	}
	c.names[host] = dnsEntry{addrs: addrs, expires: now.Add(dnsTTL)}
	c.mu.Unlock()
	return addrs, nil
}
