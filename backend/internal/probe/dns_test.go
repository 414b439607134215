package probe

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// dnsServer is a DNS server on 127.0.0.1, over UDP and TCP on one port, with a small
// zone of its own. It counts the queries it gets, by name and network.
type dnsServer struct {
	addr string
	mu   sync.Mutex
	hits map[string]int // "name network"
}

func (s *dnsServer) count(name, network string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[name+" "+network]
}

func startDNSServer(t *testing.T) *dnsServer {
	t.Helper()
	s := &dnsServer{hits: map[string]int{}}
	// UDP on a free port, then TCP on the same one; another process may hold that
	// TCP port, so a few ports are tried.
	var pc net.PacketConn
	var ln net.Listener
	for range 20 {
		var err error
		pc, err = net.ListenPacket("udp", "127.0.0.1:0")
		require.NoError(t, err)
		ln, err = net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			break
		}
		_ = pc.Close()
		pc, ln = nil, nil
	}
	require.NotNil(t, ln, "no port free for both UDP and TCP")
	s.addr = pc.LocalAddr().String()
	handler := dns.HandlerFunc(s.serve)
	udp := &dns.Server{PacketConn: pc, Handler: handler}
	tcp := &dns.Server{Listener: ln, Handler: handler}
	var wg sync.WaitGroup
	for _, srv := range []*dns.Server{udp, tcp} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = srv.ActivateAndServe()
		}()
		<-started
	}
	t.Cleanup(func() {
		_ = udp.Shutdown()
		_ = tcp.Shutdown()
		wg.Wait()
	})
	return s
}

func (s *dnsServer) serve(w dns.ResponseWriter, req *dns.Msg) {
	q := req.Question[0]
	network := "udp"
	if _, ok := w.RemoteAddr().(*net.TCPAddr); ok {
		network = "tcp"
	}
	s.mu.Lock()
	s.hits[q.Name+" "+network]++
	s.mu.Unlock()
	m := new(dns.Msg)
	m.SetReply(req)
	rr := func(text string) {
		r, err := dns.NewRR(q.Name + " 60 IN " + text)
		if err != nil {
			panic(err)
		}
		m.Answer = append(m.Answer, r)
	}
	switch {
	case q.Name == "a.test." && q.Qtype == dns.TypeA:
		rr("A 192.0.2.1")
		rr("A 192.0.2.2")
	case q.Name == "a.test." && q.Qtype == dns.TypeAAAA:
		rr("AAAA 2001:db8::1")
	case q.Name == "public.test." && q.Qtype == dns.TypeA:
		rr("A 93.184.215.14")
	case q.Name == "mixed.test." && q.Qtype == dns.TypeA:
		// Private, loopback, metadata and public addresses (see TestDNSCheckRefusedRecords).
		for _, ip := range []string{"10.0.0.5", "127.0.0.1", "169.254.169.254", "93.184.215.14"} {
			rr("A " + ip)
		}
	case q.Name == "txt.test." && q.Qtype == dns.TypeTXT:
		rr(`TXT "v=spf1 " "-all"`)
	case q.Name == "mx.test." && q.Qtype == dns.TypeMX:
		rr("MX 10 mail.test.")
	case q.Name == "big.test." && network == "udp":
		// Too long for a datagram, says the server: ask again over TCP.
		m.Truncated = true
	case q.Name == "big.test.":
		for _, ip := range []string{"192.0.2.10", "192.0.2.11", "192.0.2.12"} {
			rr("A " + ip)
		}
	case q.Name == "fail.test.":
		m.Rcode = dns.RcodeServerFailure
	case q.Name == "empty.test.":
		// NOERROR without records: the name exists, not with this type.
	default:
		m.Rcode = dns.RcodeNameError
	}
	_ = w.WriteMsg(m)
}

func TestDNSCheck(t *testing.T) {
	t.Parallel()
	srv := startDNSServer(t)
	url := func(name, typ string) string { return "dns://" + srv.addr + "/" + name + "?type=" + typ }
	cond := func(kind, op, value string) []target.Condition {
		return []target.Condition{{Type: kind, Op: op, Value: value}}
	}
	tests := []struct {
		name       string
		url        string
		conditions []target.Condition
		ok         bool
		err        string
		answer     string
		attempts   int
	}{
		{name: "A", url: url("a.test", "A"), ok: true, answer: "192.0.2.1\n192.0.2.2", attempts: 1},
		{name: "AAAA", url: url("a.test", "AAAA"), ok: true, answer: "2001:db8::1", attempts: 1},
		{name: "TXT joined", url: url("txt.test", "TXT"), ok: true, answer: "v=spf1 -all", attempts: 1},
		{name: "MX", url: url("mx.test", "MX"), ok: true, answer: "10 mail.test.", attempts: 1},
		{name: "truncated, asked again over TCP", url: url("big.test", "A"), ok: true, answer: "192.0.2.10\n192.0.2.11\n192.0.2.12", attempts: 1},
		{name: "NXDOMAIN is down and not retried", url: url("nope.test", "A"), err: "rcode NXDOMAIN", answer: "", attempts: 1},
		{name: "SERVFAIL is retried", url: url("fail.test", "A"), err: "rcode SERVFAIL", answer: "", attempts: 3},
		{name: "no records", url: url("empty.test", "A"), err: "no A records (rcode NOERROR)", answer: "", attempts: 1},
		{name: "answer contains", url: url("a.test", "A"), conditions: cond("answer", "contains", "192.0.2.2"), ok: true, answer: "192.0.2.1\n192.0.2.2", attempts: 1},
		{name: "answer == one record", url: url("a.test", "A"), conditions: cond("answer", "==", "192.0.2.1"), ok: true, answer: "192.0.2.1\n192.0.2.2", attempts: 1},
		{name: "answer == no record", url: url("a.test", "A"), conditions: cond("answer", "==", "192.0.2"),
			// The resolver is on loopback, reached only by the operator's exception: its
			// answer is not quoted (see TestDNSCheckRefusedRecords for one that is).
			err: `condition failed: answer == "192.0.2" failed: got a value not shown (private host)`, answer: "192.0.2.1\n192.0.2.2", attempts: 1},
		{name: "answer matches", url: url("a.test", "A"), conditions: cond("answer", "matches", `(?m)^192\.0\.2\.2$`), ok: true, answer: "192.0.2.1\n192.0.2.2", attempts: 1},
		{name: "answer not_contains", url: url("a.test", "A"), conditions: cond("answer", "not_contains", "192.0.2.1"),
			err: `condition failed: answer not_contains "192.0.2.1" failed`, answer: "192.0.2.1\n192.0.2.2", attempts: 1},
		{name: "rcode == NXDOMAIN expected", url: url("nope.test", "A"), conditions: cond("rcode", "==", "NXDOMAIN"), ok: true, answer: "", attempts: 1},
		{name: "rcode == NOERROR on NXDOMAIN", url: url("nope.test", "A"), conditions: cond("rcode", "==", "NOERROR"),
			err: "condition failed: rcode == NOERROR failed: got NXDOMAIN", answer: "", attempts: 1},
		{name: "rcode == NOERROR on SERVFAIL is retried", url: url("fail.test", "A"), conditions: cond("rcode", "==", "NOERROR"),
			err: "condition failed: rcode == NOERROR failed: got SERVFAIL", answer: "", attempts: 3},
		{name: "rcode == NOERROR with no records", url: url("empty.test", "A"), conditions: cond("rcode", "==", "NOERROR"), ok: true, answer: "", attempts: 1},
		{name: "latency", url: url("a.test", "A"), conditions: cond("latency", "<", "600000"), ok: true, answer: "192.0.2.1\n192.0.2.2", attempts: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tg := typedTarget(target.TypeDNS, tt.url)
			tg.Retries = 2
			tg.Conditions = tt.conditions
			c := newProber(t, true, Options{}).Check(context.Background(), tg)
			assert.Equal(t, tt.ok, c.OK, "error: %s", c.Error)
			if tt.err == "" {
				assert.Empty(t, c.Error)
			} else {
				assert.Contains(t, c.Error, tt.err)
			}
			require.NotNil(t, c.Answer, "the answer is recorded, empty or not")
			assert.Equal(t, tt.answer, *c.Answer)
			assert.Equal(t, tt.attempts, c.Attempts)
			assert.Nil(t, c.StatusCode)
		})
	}
	t.Cleanup(func() {
		// After the parallel cases.
		assert.Equal(t, 1, srv.count("big.test.", "tcp"), "the truncated answer was asked for over TCP")
	})
}

func TestDNSCheckGuard(t *testing.T) {
	t.Parallel()
	srv := startDNSServer(t)
	_, port, _ := net.SplitHostPort(srv.addr)
	tests := []struct {
		name         string
		allowPrivate bool
		url          string
		err          string
	}{
		{name: "metadata resolver", allowPrivate: true, url: "dns://169.254.169.254/x.test?type=A",
			err: "address not allowed: a link-local or cloud metadata address"},
		{name: "loopback resolver, strict guard", url: "dns://" + srv.addr + "/a.test?type=A", err: refusedLoopback},
		{name: "a resolver name resolving to loopback", url: "dns://localhost:" + port + "/a.test?type=A", err: "address not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tg := typedTarget(target.TypeDNS, tt.url)
			tg.Retries = 2
			c := newProber(t, tt.allowPrivate, Options{}).Check(context.Background(), tg)
			assert.False(t, c.OK)
			assert.Contains(t, c.Error, tt.err)
			assert.Equal(t, 1, c.Attempts, "the guard's answer does not change")
			assert.Nil(t, c.Answer)
		})
	}
	assert.Zero(t, srv.count("a.test.", "udp")+srv.count("a.test.", "tcp"), "no query reached the server")
}

// TestDNSCheckSystemResolver asks the system's resolvers, here the test's server: they
// are the operator's configuration, so even the strict guard lets them through.
func TestDNSCheckSystemResolver(t *testing.T) {
	t.Parallel()
	srv := startDNSServer(t)
	p := newProber(t, false, Options{})
	p.systemResolvers = func() ([]string, error) { return []string{closedUDPPort(t), srv.addr}, nil }
	c := p.Check(context.Background(), typedTarget(target.TypeDNS, "dns:///public.test?type=A"))
	assert.True(t, c.OK, c.Error)
	require.NotNil(t, c.Answer)
	assert.Equal(t, "93.184.215.14", *c.Answer)
	assert.Equal(t, 1, srv.count("public.test.", "udp"))
}

// closedUDPPort is an address on 127.0.0.1 where no UDP socket listens: a query there
// is refused (ICMP port unreachable).
func closedUDPPort(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := pc.LocalAddr().String()
	require.NoError(t, pc.Close())
	return addr
}

func TestDNSCheckRefusedPort(t *testing.T) {
	t.Parallel()
	tg := typedTarget(target.TypeDNS, "dns://"+closedUDPPort(t)+"/a.test?type=A")
	tg.Retries = 1
	c := newProber(t, true, Options{}).Check(context.Background(), tg)
	assert.False(t, c.OK)
	assert.Equal(t, "connection refused", c.Error)
	assert.Equal(t, 2, c.Attempts, "a network error may pass")
}

func TestAnswerText(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", maxRecordBytes+10)
	m := new(dns.Msg)
	for range 5 {
		txt := &dns.TXT{Hdr: dns.RR_Header{Name: "x.", Rrtype: dns.TypeTXT, Class: dns.ClassINET}, Txt: []string{long}}
		m.Answer = append(m.Answer, txt)
	}
	records := answerRecords(m)
	require.Len(t, records, 5)
	assert.LessOrEqual(t, len(records[0]), maxRecordBytes+len("…"), "each record is cut")
	text := answerText(records)
	assert.LessOrEqual(t, len(text), maxAnswerBytes)
	assert.True(t, strings.HasSuffix(text, "… (4 more)"), "the cut says how many records were left out: %q", text[len(text)-20:])

	// Other record types in their usual presentation.
	for _, tc := range []struct{ rr, want string }{
		{"x. 60 IN SRV 10 20 443 svc.test.", "10 20 443 svc.test."},
		{"x. 60 IN CAA 0 issue \"letsencrypt.org\"", `0 issue "letsencrypt.org"`},
		{"x. 60 IN SOA ns.test. admin.test. 1 7200 3600 1209600 300", "ns.test. admin.test. 1 7200 3600 1209600 300"},
		{"x. 60 IN CNAME y.test.", "y.test."},
		{"x. 60 IN NS ns1.test.", "ns1.test."},
		{"1.2.0.192.in-addr.arpa. 60 IN PTR host.test.", "host.test."},
	} {
		rr, err := dns.NewRR(tc.rr)
		require.NoError(t, err)
		assert.Equal(t, tc.want, recordText(rr))
	}
	assert.Equal(t, "1.2.0.192.in-addr.arpa.", queryName("192.0.2.1", "PTR"), "a PTR query may name the address")
	assert.Equal(t, "xn--bcher-kva.test.", queryName("bücher.test", "A"))
}

// TestDNSCheckTimeout: a resolver that never answers ends the attempt at its timeout.
func TestDNSCheckTimeout(t *testing.T) {
	t.Parallel()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = pc.Close() })
	tg := typedTarget(target.TypeDNS, "dns://"+pc.LocalAddr().String()+"/a.test?type=A")
	tg.TimeoutSeconds = 1
	start := time.Now()
	c := newProber(t, true, Options{}).Check(context.Background(), tg)
	assert.False(t, c.OK)
	assert.Equal(t, "timeout after 1s", c.Error)
	assert.Less(t, time.Since(start), 10*time.Second, "bounded by the timeout, not the client's own")
}

// TestDNSCheckSilentSystemResolver: the first system resolver never answers. It gets
// its share of the attempt, not all of it, so the second is still asked in time.
func TestDNSCheckSilentSystemResolver(t *testing.T) {
	t.Parallel()
	srv := startDNSServer(t)
	silent, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = silent.Close() })
	asked := make(chan struct{}, 1)
	go func() {
		// Reads the query and answers nothing; ends when the socket is closed.
		buf := make([]byte, 2048)
		for {
			if _, _, err := silent.ReadFrom(buf); err != nil {
				return
			}
			select {
			case asked <- struct{}{}:
			default:
			}
		}
	}()
	p := newProber(t, false, Options{})
	p.systemResolvers = func() ([]string, error) { return []string{silent.LocalAddr().String(), srv.addr}, nil }
	tg := typedTarget(target.TypeDNS, "dns:///public.test?type=A")
	tg.TimeoutSeconds = 2
	start := time.Now()
	c := p.Check(context.Background(), tg)
	assert.True(t, c.OK, c.Error)
	require.NotNil(t, c.Answer)
	assert.Equal(t, "93.184.215.14", *c.Answer)
	assert.Equal(t, 1, c.Attempts)
	assert.Equal(t, 1, srv.count("public.test.", "udp"), "the second resolver was asked")
	select {
	case <-asked:
	default:
		t.Error("the silent resolver was asked first")
	}
	// Half of the 2 s attempt for the silent one, then the answer.
	assert.GreaterOrEqual(t, time.Since(start), 900*time.Millisecond)
	assert.Less(t, c.LatencyMS, 2000)
}

func TestServerShare(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	near := func(want, got time.Duration) {
		t.Helper()
		assert.InDelta(t, want.Seconds(), got.Seconds(), 0.1, "got %s, want about %s", got, want)
	}
	near(4*time.Second, serverShare(ctx, 4*time.Second, 1))
	near(2*time.Second, serverShare(ctx, 4*time.Second, 2))
	near(minServerShare, serverShare(ctx, 4*time.Second, 20))
	short, cancelShort := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancelShort()
	near(200*time.Millisecond, serverShare(short, time.Second, 3))
	near(3*time.Second, serverShare(context.Background(), 3*time.Second, 1))
}

// TestDNSCheckRefusedRecords: an A record whose address the guard would refuse is
// shown as "(refused address)" in the recorded answer and in a failed condition, while
// conditions still judge the real records. From a resolver reached only by the
// operator's exception, a failed condition quotes nothing of the answer.
func TestDNSCheckRefusedRecords(t *testing.T) {
	t.Parallel()
	srv := startDNSServer(t)
	const (
		strictAnswer  = "(refused address)\n(refused address)\n(refused address)\n93.184.215.14"
		privateAnswer = "10.0.0.5\n127.0.0.1\n(refused address)\n93.184.215.14"
		// As an error quotes them, newlines escaped.
		strictQuoted  = `(refused address)\n(refused address)\n(refused address)\n93.184.215.14`
		privateQuoted = `10.0.0.5\n127.0.0.1\n(refused address)\n93.184.215.14`
	)
	cond := func(op, value string) []target.Condition {
		return []target.Condition{{Type: "answer", Op: op, Value: value}}
	}
	tests := []struct {
		name         string
		allowPrivate bool
		system       bool // ask the system resolver (the test's server), unjudged by the guard
		conds        []target.Condition
		err          string // "" for up
		answer       string
		hidden       []string // what the error must not quote
	}{
		{name: "strict: refused records masked", system: true, answer: strictAnswer},
		{name: "strict: a condition judges the real records", system: true, conds: cond("==", "10.0.0.5"), answer: strictAnswer},
		{name: "strict: contains a metadata address", system: true, conds: cond("contains", "169.254.169.254"), answer: strictAnswer},
		{name: "strict: a failure quotes the masked records", system: true, conds: cond("==", "10.0.0.6"), answer: strictAnswer,
			err:    `condition failed: answer == "10.0.0.6" failed: got "` + strictQuoted + `"`,
			hidden: []string{"10.0.0.5", "127.0.0.1", "169.254"}},
		{name: "strict: not_matches on a refused record quotes it masked", system: true, conds: cond("not_matches", `(?m)^10\.`), answer: strictAnswer,
			err:    `condition failed: answer not_matches "(?m)^10\\." failed: matched "(refused address)"`,
			hidden: []string{"10.0.0.5", "127.0.0.1", "169.254"}},
		{name: "strict: not_matches across records quotes them masked", system: true, conds: cond("not_matches", `(?s)0\.5.*93`), answer: strictAnswer,
			err:    `failed: matched "` + strictQuoted + `"`,
			hidden: []string{"10.0.0.5", "127.0.0.1", "169.254"}},
		{name: "strict: not_matches on a public record quotes it", system: true, conds: cond("not_matches", `93\.184`), answer: strictAnswer,
			err: `condition failed: answer not_matches "93\\.184" failed: matched "93.184"`},
		{name: "private allowed: metadata still masked", allowPrivate: true, system: true, conds: cond("==", "10.0.0.6"), answer: privateAnswer,
			err:    `condition failed: answer == "10.0.0.6" failed: got "` + privateQuoted + `"`,
			hidden: []string{"169.254"}},
		{name: "private allowed: not_matches on metadata", allowPrivate: true, system: true, conds: cond("not_matches", `169\.254`), answer: privateAnswer,
			err:    `failed: matched "(refused address)"`,
			hidden: []string{"169.254.169"}},
		{name: "exempt resolver: judged on the real records", allowPrivate: true, conds: cond("==", "169.254.169.254"), answer: privateAnswer},
		{name: "exempt resolver: a failure quotes nothing", allowPrivate: true, conds: cond("==", "10.0.0.6"), answer: privateAnswer,
			err:    `condition failed: answer == "10.0.0.6" failed: got a value not shown (private host)`,
			hidden: []string{"10.0.0.5", "127.0.0.1", "169.254", "93.184", "refused address"}},
		{name: "exempt resolver: not_matches quotes nothing", allowPrivate: true, conds: cond("not_matches", `93`), answer: privateAnswer,
			err:    `failed: matched a value not shown (private host)`,
			hidden: []string{"93.184"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newProber(t, tt.allowPrivate, Options{})
			url := "dns://" + srv.addr + "/mixed.test?type=A"
			if tt.system {
				p.systemResolvers = func() ([]string, error) { return []string{srv.addr}, nil }
				url = "dns:///mixed.test?type=A"
			}
			tg := typedTarget(target.TypeDNS, url)
			tg.Conditions = tt.conds
			c := p.Check(context.Background(), tg)
			if tt.err == "" {
				assert.True(t, c.OK, c.Error)
			} else {
				assert.False(t, c.OK)
				assert.Contains(t, c.Error, tt.err)
			}
			for _, h := range tt.hidden {
				assert.NotContains(t, c.Error, h)
			}
			require.NotNil(t, c.Answer)
			assert.Equal(t, tt.answer, *c.Answer)
		})
	}
}
