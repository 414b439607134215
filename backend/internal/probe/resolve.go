package probe

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/netguard"
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
// reach an address a fresh one could not. Like net.Dialer, it splits the time left
// between a family's addresses and, when a name has both IPv6 and IPv4 addresses,
// starts on the other family if the first has not connected within fallbackDelay: a
// black-holed IPv6 route costs a quarter second, not the whole timeout.
type cachingDialer struct {
	dial   func(ctx context.Context, network, addr string) (net.Conn, error)
	lookup func(ctx context.Context, network, host string) ([]netip.Addr, error)
	now    func() time.Time

	mu    sync.Mutex
	names map[string]dnsEntry
}

// fallbackDelay is net.Dialer's default wait before racing the other family.
const fallbackDelay = 300 * time.Millisecond

// newCachingDialer returns a cachingDialer connecting through dial (the guard's).
func newCachingDialer(dial func(ctx context.Context, network, addr string) (net.Conn, error)) *cachingDialer {
	return &cachingDialer{dial: dial, lookup: net.DefaultResolver.LookupNetIP, now: time.Now, names: map[string]dnsEntry{}}
}

// DialContext resolves addr's host (from the cache when it can) and connects to one
// of its addresses.
func (c *cachingDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	// A literal address in any form (127.1 too) is no name to look up: the guard's
	// dialer reads it as the address it was judged to be when the URL was saved.
	if _, isAddr, err := netguard.ParseHost(host); err != nil || isAddr {
		return c.dial(ctx, network, addr)
	}
	addrs, err := c.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	var primaries, fallbacks []netip.Addr
	for _, a := range addrs {
		if a.Is4() == addrs[0].Is4() {
			primaries = append(primaries, a)
		} else {
			fallbacks = append(fallbacks, a)
		}
	}
	if len(fallbacks) == 0 {
		return c.dialSerial(ctx, network, port, primaries)
	}
	return c.dialParallel(ctx, network, port, primaries, fallbacks)
}

// dialParallel races the fallback family against the primary one, the fallback
// starting after fallbackDelay or as soon as the primary fails.
func (c *cachingDialer) dialParallel(ctx context.Context, network, port string, primaries, fallbacks []netip.Addr) (net.Conn, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		conn net.Conn
		err  error
	}
	results := make(chan result, 2) // never blocks: the loser's connection is closed below
	race := func(addrs []netip.Addr) {
		go func() {
			conn, err := c.dialSerial(ctx, network, port, addrs)
			results <- result{conn, err}
		}()
	}
	race(primaries)
	timer := time.NewTimer(fallbackDelay)
	defer timer.Stop()
	started, pending := false, 1
	var firstErr error
	for {
		select {
		case <-timer.C:
			if !started {
				race(fallbacks)
				started, pending = true, pending+1
			}
		case r := <-results:
			pending--
			if r.err == nil {
				if pending > 0 {
					go func() {
						if late := <-results; late.conn != nil {
							_ = late.conn.Close()
						}
					}()
				}
				return r.conn, nil
			}
			if firstErr == nil {
				firstErr = r.err
			}
			if !started {
				race(fallbacks)
				started, pending = true, pending+1
			} else if pending == 0 {
				return nil, firstErr
			}
		}
	}
}

// dialSerial tries addresses in turn, giving each an equal share of the time left
// (at least two seconds), so one that never answers cannot use it all.
func (c *cachingDialer) dialSerial(ctx context.Context, network, port string, addrs []netip.Addr) (net.Conn, error) {
	var firstErr error
	for i, a := range addrs {
		attempt := ctx
		if deadline, ok := ctx.Deadline(); ok && i < len(addrs)-1 {
			share := max(time.Until(deadline)/time.Duration(len(addrs)-i), 2*time.Second)
			var cancel context.CancelFunc
			attempt, cancel = context.WithTimeout(ctx, share)
			defer cancel()
		}
		conn, err := c.dial(attempt, network, net.JoinHostPort(a.String(), port))
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
