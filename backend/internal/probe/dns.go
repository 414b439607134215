package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"
	"golang.org/x/net/idna"

	"github.com/watchdog-monitor/watchdog/backend/internal/netguard"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

const (
	// dnsUDPSize is the EDNS0 buffer size asked for: the DNS flag day's 1232 bytes,
	// which no path fragments. A longer answer comes truncated and is asked again over
	// TCP.
	dnsUDPSize = 1232
	// maxAnswerBytes bounds the answer text a check records, and maxRecordBytes each
	// record in it (a long TXT, such as a DKIM key, is cut).
	maxAnswerBytes = 4096
	maxRecordBytes = 2048
	// resolvConf is where the system's resolvers are listed.
	resolvConf = "/etc/resolv.conf"
)

// dnsChecker prepares the checks of a dns target: a query of the record type, with
// recursion desired, to the URL's resolver or the system's. The answer is up when its
// code is NOERROR with at least one record, unless an rcode condition judges the code
// itself. Its latency is the query's time; the records are recorded as text.
func (p *Prober) dnsChecker(ep target.Endpoint, conds target.Conditions) attemptFunc {
	qtype := dns.StringToType[ep.RecordType]
	name := queryName(ep.Name, ep.RecordType)
	return func(ctx, actx context.Context, start time.Time, limit time.Duration) result {
		m := new(dns.Msg)
		m.SetQuestion(name, qtype)
		m.RecursionDesired = true
		m.SetEdns0(dnsUDPSize, false)
		var (
			resp    *dns.Msg
			private bool
			err     error
		)
		if ep.Host == "" {
			resp, err = p.querySystem(actx, m, limit)
		} else {
			resp, private, err = p.queryResolver(actx, m, ep.Address(), limit)
		}
		end := time.Now()
		if err != nil {
			r := classify(ctx, actx, err, limit, private)
			r.end, r.latency = end, end.Sub(start)
			return r
		}
		records := answerRecords(resp)
		shown := maskRefused(p.guard, resp, records)
		rcode := rcodeName(resp.Rcode)
		text := answerText(shown)
		r := result{end: end, latency: end.Sub(start), answer: &text}
		// A SERVFAIL is the resolver failing to get an answer, which may pass; any
		// other code is the answer, and asking again would get the same one.
		servfail := resp.Rcode == dns.RcodeServerFailure
		if !conds.Has(target.ConditionRcode) {
			switch {
			case resp.Rcode != dns.RcodeSuccess:
				r.err, r.retry = "rcode "+rcode, servfail
				return r
			case len(records) == 0:
				r.err = fmt.Sprintf("no %s records (rcode NOERROR)", ep.RecordType)
				return r
			}
		}
		// Conditions judge the real records (answer == 10.0.0.5 may pass), but what is
		// stored and quoted follows the rule at maskRefused; from a resolver reached
		// only by the operator's exception, nothing of the answer is quoted at all.
		r = judge(r, conds, target.Answer{Records: records, Shown: shown, Rcode: rcode, Now: end, Private: private})
		if r.err != "" && servfail {
			r.retry = true
		}
		return r
	}
}

// queryName is the name a dns check asks for, fully qualified and in ASCII. A PTR
// query may name the address itself (192.0.2.1), as dig -x takes it.
func queryName(name, recordType string) string {
	if recordType == "PTR" {
		if addr, err := netip.ParseAddr(name); err == nil {
			if rev, err := dns.ReverseAddr(addr.String()); err == nil {
				return rev
			}
		}
	}
	if ascii, err := idna.Lookup.ToASCII(name); err == nil {
		name = ascii
	}
	return dns.Fqdn(name)
}

// queryResolver asks the resolver a URL names, at addr, over UDP, and again over TCP
// when the answer comes truncated. Both go through the guard, exactly like an http
// host: a refused literal address, or a name resolving to one, is refused at dial.
// private says the resolver passed only by the operator's exception: its errors are
// then worded without its address.
func (p *Prober) queryResolver(ctx context.Context, m *dns.Msg, addr string, limit time.Duration) (*dns.Msg, bool, error) {
	resp, private, err := exchange(ctx, p.packetDialer.DialContext, "udp", addr, m, limit)
	if err != nil || !resp.Truncated {
		return resp, private, err
	}
	return exchange(ctx, p.packetDialer.DialContext, "tcp", addr, m, limit)
}

// querySystem asks the system's resolvers in turn until one answers, each within its
// share of the attempt's time (serverShare). They are the operator's own
// configuration (/etc/resolv.conf, often 127.0.0.53 or the cluster's DNS service on a
// private address), as trusted as the look-ups every http check makes of its host, so
// the guard does not judge them: it judges the addresses a URL's author chose, and
// this one chose none. The addresses they answer with are judged (maskRefused).
func (p *Prober) querySystem(ctx context.Context, m *dns.Msg, limit time.Duration) (*dns.Msg, error) {
	servers, err := p.systemResolvers()
	if err != nil {
		return nil, fmt.Errorf("system resolvers: %w", err)
	}
	var dialer net.Dialer
	var firstErr error
	for i, server := range servers {
		share := serverShare(ctx, limit, len(servers)-i)
		sctx, cancel := context.WithTimeout(ctx, share)
		resp, _, err := exchange(sctx, dialer.DialContext, "udp", server, m, share)
		if err == nil && resp.Truncated {
			resp, _, err = exchange(sctx, dialer.DialContext, "tcp", server, m, share)
		}
		cancel()
		if err == nil {
			return resp, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	if firstErr == nil {
		firstErr = errors.New("system resolvers: none in " + resolvConf)
	}
	return nil, firstErr
}

// minServerShare is the least time a system resolver is given when several are left
// to ask, unless the attempt has less than that left: net's own resolver gives each
// server the same floor (dialSerial).
const minServerShare = 500 * time.Millisecond

// serverShare is the time one of left system resolvers may take: an even share of
// what remains of the attempt, at least minServerShare, never past the attempt's end.
// Given the whole remainder, one silent server would use it all, and the next in
// resolv.conf, which would have answered, would never be asked.
func serverShare(ctx context.Context, limit time.Duration, left int) time.Duration {
	remaining := limit
	if d, ok := ctx.Deadline(); ok {
		remaining = time.Until(d)
	}
	if left <= 1 {
		return remaining
	}
	return max(remaining/time.Duration(left), min(minServerShare, remaining))
}

// resolvConfServers lists the resolvers of /etc/resolv.conf as host:port.
func resolvConfServers() ([]string, error) {
	cfg, err := dns.ClientConfigFromFile(resolvConf)
	if err != nil {
		return nil, err
	}
	servers := make([]string, 0, len(cfg.Servers))
	for _, s := range cfg.Servers {
		servers = append(servers, net.JoinHostPort(s, cfg.Port))
	}
	return servers, nil
}

// exchange sends m to addr over network and reads its answer, within ctx.
func exchange(ctx context.Context, dial func(ctx context.Context, network, addr string) (net.Conn, error), network, addr string, m *dns.Msg, limit time.Duration) (*dns.Msg, bool, error) {
	conn, err := dial(ctx, network, addr)
	if err != nil {
		return nil, false, err
	}
	// Closing says nothing about the resolver.
	defer func() { _ = conn.Close() }()
	private := netguard.Exempt(conn)
	// The client sets deadlines from ctx's, but does not watch ctx: a shutdown must
	// end the wait too.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	c := &dns.Client{Net: network, Timeout: limit}
	resp, _, err := c.ExchangeWithConnContext(ctx, m, &dns.Conn{Conn: conn})
	if d, ok := ctx.Deadline(); ok && errors.Is(err, os.ErrDeadlineExceeded) && !time.Now().Before(d) {
		// The socket's deadline is the attempt's, and may fire a moment before ctx
		// notices: it is the attempt's timeout all the same.
		err = context.DeadlineExceeded
	}
	if err != nil {
		return nil, private, fmt.Errorf("dns query over %s: %w", network, err)
	}
	return resp, private, nil
}

// refusedRecord stands for an address record the guard would refuse, in the answer a
// dns check records and in its failed conditions.
const refusedRecord = "(refused address)"

// maskRefused is records as a dns check may show them. The rule: every A and AAAA
// record whose address the guard would refuse (Guard.CheckAddr: loopback and private
// ones unless ALLOW_PRIVATE_TARGETS, link-local and metadata ones always) is shown as
// refusedRecord, in the stored answer (Check.Answer) and in condition failures, while
// conditions still judge the real records. Whoever saved the URL may not be allowed to
// reach those addresses, and the system resolver (which the guard does not judge) or a
// resolver the operator exempted would otherwise tell them what internal names resolve
// to. A resolver reached only by the operator's exception is treated further as http
// treats an exempt host's body: its records are judged and recorded, masked as here,
// but none is quoted in an error (target.Answer.Private).
func maskRefused(g *netguard.Guard, resp *dns.Msg, records []string) []string {
	shown := slices.Clone(records)
	for i, rr := range resp.Answer {
		var ip net.IP
		switch rr := rr.(type) {
		case *dns.A:
			ip = rr.A
		case *dns.AAAA:
			ip = rr.AAAA
		default:
			continue
		}
		// An address that cannot be read cannot be judged either: masked too.
		if addr, ok := netip.AddrFromSlice(ip); !ok || g.CheckAddr(addr) != nil {
			shown[i] = refusedRecord
		}
	}
	return shown
}

// rcodeName is an answer code by name (NOERROR, NXDOMAIN, …).
func rcodeName(rcode int) string {
	if name, ok := dns.RcodeToString[rcode]; ok {
		return name
	}
	return fmt.Sprintf("RCODE%d", rcode)
}

// answerRecords is the answer section as text, one record each, in the forms dig
// shows them without owner, TTL and class: A and AAAA the address, CNAME, NS and PTR
// the name, MX "10 mx.example.com.", TXT its strings joined. The text is made safe to
// store, as the resolver's answer is remote text.
func answerRecords(resp *dns.Msg) []string {
	records := make([]string, 0, len(resp.Answer))
	for _, rr := range resp.Answer {
		records = append(records, target.Printable(recordText(rr), maxRecordBytes))
	}
	return records
}

func recordText(rr dns.RR) string {
	switch rr := rr.(type) {
	case *dns.A:
		return rr.A.String()
	case *dns.AAAA:
		return rr.AAAA.String()
	case *dns.CNAME:
		return rr.Target
	case *dns.NS:
		return rr.Ns
	case *dns.PTR:
		return rr.Ptr
	case *dns.MX:
		return fmt.Sprintf("%d %s", rr.Preference, rr.Mx)
	case *dns.TXT:
		return strings.Join(rr.Txt, "")
	case *dns.SRV:
		return fmt.Sprintf("%d %d %d %s", rr.Priority, rr.Weight, rr.Port, rr.Target)
	case *dns.SOA:
		return fmt.Sprintf("%s %s %d %d %d %d %d", rr.Ns, rr.Mbox, rr.Serial, rr.Refresh, rr.Retry, rr.Expire, rr.Minttl)
	case *dns.CAA:
		return fmt.Sprintf("%d %s %q", rr.Flag, rr.Tag, rr.Value)
	}
	// Any other type: its presentation form without the header.
	return strings.TrimSpace(strings.TrimPrefix(rr.String(), rr.Header().String()))
}

// answerText is the records one per line, cut at a record's end to stay within
// maxAnswerBytes.
func answerText(records []string) string {
	// Room for the line that says how many records were left out.
	const tail = 32
	var b strings.Builder
	for i, rec := range records {
		if b.Len()+len(rec)+1 > maxAnswerBytes-tail {
			fmt.Fprintf(&b, "\n… (%d more)", len(records)-i)
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(rec)
	}
	return b.String()
}
