package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"syscall"
	"time"

	probing "github.com/prometheus-community/pro-bing"

	"github.com/watchdog-monitor/watchdog/backend/internal/netguard"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// An icmp check sends icmpCount echo requests, icmpInterval apart, and waits for the
// replies until its attempt's time runs out (less icmpMargin, so the pinger ends on
// its own and reports what it got).
const (
	icmpCount    = 3
	icmpInterval = 200 * time.Millisecond
	icmpMargin   = 20 * time.Millisecond
)

// icmpChecker prepares the checks of an icmp target: the host resolved, its address
// judged by the guard as a dial would be, then echo requests over a raw ICMP socket
// when the process may open one (NET_RAW), else over an unprivileged datagram ICMP
// socket (Linux's net.ipv4.ping_group_range). It is up when a reply came back; its
// latency is the replies' mean round trip, and the share unanswered is recorded.
func (p *Prober) icmpChecker(ep target.Endpoint, conds target.Conditions) attemptFunc {
	return func(ctx, actx context.Context, start time.Time, limit time.Duration) result {
		fail := func(r result) result {
			r.end = time.Now()
			r.latency = r.end.Sub(start)
			return r
		}
		// exempt says the address passed only by the operator's exception: an error
		// after the socket opened ("write ip4 0.0.0.0->10.1.2.3: sendto: …") names
		// it, which would tell whoever saved the URL what an internal name resolves
		// to, so it is worded as http words a private host's.
		addr, exempt, err := p.icmpAddr(actx, ep.Host)
		if err != nil {
			return fail(classify(ctx, actx, err, limit, false))
		}
		budget := time.Until(start.Add(limit)) - icmpMargin
		if budget <= 0 {
			return fail(result{err: "timeout after " + roundLimit(limit).String(), retry: true})
		}
		stats, err := p.sendEchoes(actx, addr, budget)
		end := time.Now()
		if ctx.Err() != nil {
			return fail(result{err: "check cancelled"})
		}
		if stats == nil || stats.PacketsSent == 0 {
			if err == nil {
				err = errors.New("no echo request sent")
			}
			var sockErr *icmpSocketError
			if errors.As(err, &sockErr) {
				// The process may not ping at all; asking again will not change that.
				return fail(result{err: err.Error()})
			}
			return fail(classify(ctx, actx, err, limit, exempt))
		}
		loss := stats.PacketLoss
		if stats.PacketsRecv == 0 {
			// Every request went unanswered: a host down, or echo filtered on the way.
			// Either may be passing.
			return fail(result{
				err:        fmt.Sprintf("no echo reply (%d sent, 100%% packet loss)", stats.PacketsSent),
				retry:      true,
				packetLoss: &loss,
			})
		}
		r := result{end: end, latency: stats.AvgRtt, packetLoss: &loss}
		return judge(r, conds, target.Answer{PacketLoss: &loss, Now: end})
	}
}

// icmpAddr is the address to ping: the host itself when it is a literal address (in
// any form a browser reads), else the first address it resolves to. The guard judges
// it as it judges a dialed address, in the same words, which do not name it; exempt
// says it passed only by the operator's exception.
func (p *Prober) icmpAddr(ctx context.Context, host string) (addr netip.Addr, exempt bool, err error) {
	addr, isAddr, err := netguard.ParseHost(host)
	if err != nil {
		return netip.Addr{}, false, err
	}
	if !isAddr {
		addrs, err := p.dialer.resolve(ctx, host)
		if err != nil {
			return netip.Addr{}, false, err
		}
		addr = addrs[0]
	}
	exempt, err = p.guard.Judge(addr)
	if err != nil {
		return netip.Addr{}, false, err
	}
	return addr, exempt, nil
}

// ping sends the echo requests to addr. It tries a raw socket first and, once that is
// refused, only datagram sockets; when neither may be opened, the error says what the
// process lacks.
func (p *Prober) ping(ctx context.Context, addr netip.Addr, budget time.Duration) (*probing.Statistics, error) {
	if !p.icmpUnprivileged.Load() {
		stats, opened, err := runPing(ctx, addr, budget, true)
		if opened || !isPermissionError(err) {
			return stats, err
		}
		// No NET_RAW: remember it, so later checks do not try again.
		p.icmpUnprivileged.Store(true)
	}
	stats, opened, err := runPing(ctx, addr, budget, false)
	if !opened && isPermissionError(err) {
		return nil, &icmpSocketError{gid: os.Getegid(), err: err}
	}
	return stats, err
}

// runPing runs one pinger. opened says whether its socket opened, so a permission
// error from opening it is told apart from one sending on it (a firewall's EPERM).
func runPing(ctx context.Context, addr netip.Addr, budget time.Duration, privileged bool) (stats *probing.Statistics, opened bool, err error) {
	pinger := probing.New("")
	pinger.SetIPAddr(&net.IPAddr{IP: addr.AsSlice(), Zone: addr.Zone()})
	pinger.SetPrivileged(privileged)
	pinger.SetLogger(probing.NoopLogger{})
	pinger.Count = icmpCount
	pinger.Interval = icmpInterval
	pinger.Timeout = budget
	pinger.RecordTTLs = false
	// OnSetup runs on this goroutine, inside RunWithContext, once the socket is open.
	pinger.OnSetup = func() { opened = true }
	err = pinger.RunWithContext(ctx)
	if !opened {
		return nil, false, err
	}
	return pinger.Statistics(), true, err
}

// isPermissionError reports whether err is the kernel refusing an ICMP socket: EPERM
// for a raw one without NET_RAW, EACCES for a datagram one outside ping_group_range.
func isPermissionError(err error) bool {
	return errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES)
}

// icmpSocketError says that the process may open no ICMP socket, and how to allow it.
type icmpSocketError struct {
	gid int
	err error
}

func (e *icmpSocketError) Error() string {
	return fmt.Sprintf("ICMP needs the NET_RAW capability or net.ipv4.ping_group_range covering group %d (sysctl -w net.ipv4.ping_group_range=\"0 2147483647\")", e.gid)
}

func (e *icmpSocketError) Unwrap() error { return e.err }
