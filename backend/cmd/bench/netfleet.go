package main

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
)

// tcpFleet is the listeners the tcp targets connect to. Each accepts and closes at
// once: a tcp check is up when the connection opens. A connection carries nothing
// that names its target, so the listeners only count; the checks table has the
// per-target figures.
type tcpFleet struct {
	listeners []net.Listener
	accepts   []atomic.Int64 // by listener
	wg        sync.WaitGroup
	// arrived notes the first accept, for the start-up figure.
	arrived func(now int64)
}

// startTCPFleet opens n listeners on 127.0.0.1.
func startTCPFleet(n int, arrived func(int64)) (*tcpFleet, error) {
	f := &tcpFleet{accepts: make([]atomic.Int64, n), arrived: arrived}
	for k := range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			f.close()
			return nil, fmt.Errorf("tcp fleet listen: %w", err)
		}
		f.listeners = append(f.listeners, ln)
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			f.serve(ln, &f.accepts[k])
		}()
	}
	return f, nil
}

func (f *tcpFleet) serve(ln net.Listener, accepts *atomic.Int64) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// A transient failure (out of file descriptors under load): the checker sees
			// a failed connection and reports it; keep serving.
			time.Sleep(10 * time.Millisecond)
			continue
		}
		accepts.Add(1)
		if f.arrived != nil {
			f.arrived(time.Now().UnixNano())
		}
		_ = conn.Close()
	}
}

// addrs are the listeners' host:port.
func (f *tcpFleet) addrs() []string {
	out := make([]string, len(f.listeners))
	for i, ln := range f.listeners {
		out[i] = ln.Addr().String()
	}
	return out
}

// count is the accepts of every listener so far; 0 for no fleet.
func (f *tcpFleet) count() int64 {
	if f == nil {
		return 0
	}
	var n int64
	for i := range f.accepts {
		n += f.accepts[i].Load()
	}
	return n
}

// close stops accepting and waits for the accept loops. Closing twice is harmless.
func (f *tcpFleet) close() {
	if f == nil {
		return
	}
	for _, ln := range f.listeners {
		_ = ln.Close()
	}
	f.wg.Wait()
}

// dnsFleet is the DNS server the dns targets ask: UDP on 127.0.0.1, answering
// t<i>.bench.test. with an A record of 127.0.0.1, and logging each question for
// target i like the HTTP fleet logs its requests.
type dnsFleet struct {
	server  *dns.Server
	addr    string
	queries atomic.Int64 // questions for a fleet name
	stray   atomic.Int64 // anything else, answered NXDOMAIN
	// arrive logs a question for target i at now (unix nanos); nil logs nothing.
	arrive func(i int, now int64)
	n      int
	done   chan struct{}
	once   sync.Once
}

// startDNSFleet starts the server for n targets and waits until it answers.
func startDNSFleet(n int, arrive func(i int, now int64)) (*dnsFleet, error) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("dns fleet listen: %w", err)
	}
	f := &dnsFleet{addr: pc.LocalAddr().String(), arrive: arrive, n: n, done: make(chan struct{})}
	started := make(chan struct{})
	f.server = &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(f.serve), NotifyStartedFunc: func() { close(started) }}
	serveErr := make(chan error, 1)
	go func() {
		defer close(f.done)
		serveErr <- f.server.ActivateAndServe()
	}()
	select {
	case <-started:
		return f, nil
	case err := <-serveErr:
		return nil, fmt.Errorf("dns fleet: %w", err)
	case <-time.After(10 * time.Second):
		_ = pc.Close()
		return nil, errors.New("dns fleet: server did not start within 10 s")
	}
}

// indexOf reads target i back from the name its check asks for, or -1.
func (f *dnsFleet) indexOf(name string) int {
	rest, ok := strings.CutSuffix(strings.ToLower(name), "."+dnsZone)
	if !ok || !strings.HasPrefix(rest, "t") {
		return -1
	}
	i, err := strconv.Atoi(rest[1:])
	if err != nil || i < 0 || i >= f.n {
		return -1
	}
	return i
}

func (f *dnsFleet) serve(w dns.ResponseWriter, req *dns.Msg) {
	now := time.Now().UnixNano()
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	i := -1
	if len(req.Question) == 1 {
		i = f.indexOf(req.Question[0].Name)
	}
	if i < 0 {
		f.stray.Add(1)
		m.Rcode = dns.RcodeNameError
		_ = w.WriteMsg(m)
		return
	}
	f.queries.Add(1)
	if f.arrive != nil {
		f.arrive(i, now)
	}
	q := req.Question[0]
	if q.Qtype == dns.TypeA {
		m.Answer = append(m.Answer, &dns.A{
			Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60},
			A:   net.IPv4(127, 0, 0, 1),
		})
	}
	_ = w.WriteMsg(m)
}

// count is the questions for fleet names so far; 0 for no server.
func (f *dnsFleet) count() int64 {
	if f == nil {
		return 0
	}
	return f.queries.Load()
}

// close stops the server and waits for it. Closing twice, or no server, is harmless.
func (f *dnsFleet) close() {
	if f == nil {
		return
	}
	f.once.Do(func() {
		_ = f.server.Shutdown()
		<-f.done
	})
}
