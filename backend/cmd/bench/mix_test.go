package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// TestMixShares: the mixed fleet deals its types by a hash of the index in issue 17's
// shares, and the other mixes are one type throughout.
func TestMixShares(t *testing.T) {
	const n = 10000
	types, counts := fleetTypes(mixMixed, n)
	assert.Equal(t, []target.Type{target.TypeHTTP, target.TypeTCP, target.TypeDNS, target.TypeHeartbeat}, types)
	for typ, want := range map[target.Type]float64{
		target.TypeHTTP: 0.70, target.TypeTCP: 0.15, target.TypeHeartbeat: 0.10, target.TypeDNS: 0.05,
	} {
		assert.InDelta(t, want, float64(counts[typ])/n, 0.01, "share of %s", typ)
	}
	for mix, want := range map[string]target.Type{
		mixHTTP: target.TypeHTTP, mixTCP: target.TypeTCP, mixDNS: target.TypeDNS, mixHeartbeat: target.TypeHeartbeat,
	} {
		types, counts := fleetTypes(mix, 100)
		assert.Equal(t, []target.Type{want}, types, mix)
		assert.Equal(t, 100, counts[want], mix)
	}
	// The type hash is not the behaviour hash: the realistic profile's failing and slow
	// targets are spread over every type, not all http.
	slowHTTP, http := 0, 0
	for i := range n {
		if typeOf(mixMixed, i) == target.TypeHTTP {
			http++
			if behaviourOf(profileRealistic, i) != answerFast {
				slowHTTP++
			}
		}
	}
	assert.InDelta(t, 0.13, float64(slowHTTP)/float64(http), 0.015, "the realistic mix holds among the http targets")
}

// TestTargetSpecsValidate: every type's spec passes the product's own validation, in
// the URL form that points at the fleet.
func TestTargetSpecsValidate(t *testing.T) {
	c := config{N: 1000, Interval: 60, Timeout: 10, Retries: 2, Mix: mixMixed}
	addrs := fleetAddrs{
		http: func(i int) string { return fmt.Sprintf("http://127.0.0.1:8001/t/%d", i) },
		tcp:  []string{"127.0.0.1:9001", "127.0.0.1:9002"},
		dns:  "127.0.0.1:5353",
	}
	seen := map[target.Type]bool{}
	for i := range c.N {
		tg, err := target.New(targetSpec(c, addrs, i), target.Limits{MinIntervalSeconds: 1})
		require.NoError(t, err, "target %d", i)
		require.Equal(t, typeOf(c.Mix, i), tg.Type)
		if seen[tg.Type] {
			continue
		}
		seen[tg.Type] = true
		switch tg.Type {
		case target.TypeHTTP:
			assert.Equal(t, fmt.Sprintf("http://127.0.0.1:8001/t/%d", i), tg.URL)
			assert.Equal(t, 2, tg.Retries)
		case target.TypeTCP:
			e, err := target.ParseEndpoint(tg.Type, tg.URL)
			require.NoError(t, err)
			assert.Equal(t, addrs.tcp[i%2], e.Address())
		case target.TypeDNS:
			assert.Equal(t, fmt.Sprintf("dns://127.0.0.1:5353/t%d.bench.test?type=A", i), tg.URL)
			e, err := target.ParseEndpoint(tg.Type, tg.URL)
			require.NoError(t, err)
			assert.Equal(t, "127.0.0.1:5353", e.Address())
			assert.Equal(t, "A", e.RecordType)
			assert.Equal(t, strings.TrimSuffix(dnsName(i), "."), strings.TrimSuffix(e.Name, "."))
		case target.TypeHeartbeat:
			assert.Empty(t, tg.URL)
			assert.Equal(t, 60, tg.PeriodSeconds, "a ping every interval")
			assert.Equal(t, 60, tg.GraceSeconds, "one interval of grace")
			assert.NotEmpty(t, tg.PingToken)
		}
	}
	assert.Len(t, seen, 4, "every type appears among 1000 targets")
}

// TestDNSFleetAnswers: the fleet's DNS server answers a target's name with 127.0.0.1,
// logs the question for that target, and refuses other names.
func TestDNSFleetAnswers(t *testing.T) {
	var mu sync.Mutex
	got := map[int]int{}
	f, err := startDNSFleet(100, func(i int, _ int64) {
		mu.Lock()
		got[i]++
		mu.Unlock()
	})
	require.NoError(t, err)
	t.Cleanup(f.close)

	client := &dns.Client{Net: "udp", Timeout: 5 * time.Second}
	ask := func(name string) *dns.Msg {
		m := new(dns.Msg)
		m.SetQuestion(name, dns.TypeA)
		in, _, err := client.Exchange(m, f.addr)
		require.NoError(t, err)
		return in
	}
	in := ask(dnsName(42))
	assert.Equal(t, dns.RcodeSuccess, in.Rcode)
	require.Len(t, in.Answer, 1)
	a, ok := in.Answer[0].(*dns.A)
	require.True(t, ok, "an A record")
	assert.True(t, a.A.Equal(net.IPv4(127, 0, 0, 1)), "answers 127.0.0.1, got %s", a.A)

	assert.Equal(t, dns.RcodeNameError, ask("t100.bench.test.").Rcode, "past the fleet")
	assert.Equal(t, dns.RcodeNameError, ask("example.com.").Rcode)
	assert.Equal(t, int64(1), f.count())
	assert.Equal(t, int64(2), f.stray.Load())
	mu.Lock()
	assert.Equal(t, map[int]int{42: 1}, got)
	mu.Unlock()
}

// TestTCPFleetCounts: the tcp listeners accept, close and count.
func TestTCPFleetCounts(t *testing.T) {
	var first atomic.Int64
	f, err := startTCPFleet(2, func(now int64) { first.CompareAndSwap(0, now) })
	require.NoError(t, err)
	t.Cleanup(f.close)
	for k := range 3 {
		conn, err := net.Dial("tcp", f.addrs()[k%2])
		require.NoError(t, err)
		// The listener closes at once: the read ends without data.
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
		_, err = conn.Read(make([]byte, 1))
		assert.Error(t, err)
		_ = conn.Close()
	}
	require.Eventually(t, func() bool { return f.count() == 3 }, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, int64(2), f.accepts[0].Load())
	assert.Positive(t, first.Load())
	f.close()
	f.close() // twice is harmless
}

// TestPingerPingsEveryToken: the pinger deals its pings round the tokens and sorts
// the answers into taken, refused (429) and others.
func TestPingerPingsEveryToken(t *testing.T) {
	var mu sync.Mutex
	hits := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.URL.Path, "/api/v1/ping/")
		mu.Lock()
		hits[tok]++
		mu.Unlock()
		switch tok {
		case "limited":
			w.WriteHeader(http.StatusTooManyRequests)
		case "gone":
			w.WriteHeader(http.StatusNotFound)
		default:
			_, _ = w.Write([]byte("OK"))
		}
	}))
	t.Cleanup(srv.Close)
	tokens := []string{"a", "b", "c", "limited", "gone"}
	now := time.Now()
	p, err := startPinger(context.Background(), pingURLs([]string{srv.URL}, tokens), 500, now, now.Add(time.Hour))
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, tok := range tokens {
			if hits[tok] < 2 {
				return false
			}
		}
		return true
	}, 10*time.Second, 10*time.Millisecond, "every token pinged, and again")
	p.stop()

	var r PingResult
	p.log.fill(&r, 1)
	assert.Positive(t, r.OK)
	assert.Positive(t, r.TooMany)
	assert.Positive(t, r.Other)
	assert.Zero(t, r.Failed)
	assert.Equal(t, r.OK+r.TooMany+r.Other, r.InWindow)
	assert.Equal(t, r.OK, r.SentOK, "every ping fell in the window")
	assert.Positive(t, r.P99MS)
	assert.GreaterOrEqual(t, r.FromDueP99MS, r.P99MS, "a ping is sent once due, never before")
	mu.Lock()
	total := 0
	for _, n := range hits {
		total += n
	}
	mu.Unlock()
	// A ping the stop cut off after the server counted it is not logged (its answer
	// never came back); at most one per worker can be in flight then.
	assert.LessOrEqual(t, r.Sent, total, "no ping is logged that the server did not get")
	assert.LessOrEqual(t, total-r.Sent, pingWorkers, "every ping sent is logged, but those in flight at the stop")
}

func TestPingWarnings(t *testing.T) {
	assert.Empty(t, pingWarnings(10000, 1000, 60), "1,000/s over 10,000 tokens: 0.1/s each")
	w := pingWarnings(100, 1000, 60)
	require.Len(t, w, 1)
	assert.Contains(t, w[0], "429")
	w = pingWarnings(10000, 10, 60)
	require.Len(t, w, 1)
	assert.Contains(t, w[0], "go down")
	assert.Empty(t, pingWarnings(0, 0, 60))
}

func TestWritesBetween(t *testing.T) {
	a := tableWrites{"checks": {10, 0, 1}, "targets": {5, 100, 0}}
	b := tableWrites{"checks": {40, 0, 1}, "targets": {5, 130, 0}, "target_counts": {0, 7, 0}}
	assert.Equal(t, WriteCounts{ChecksInserted: 30, TargetsUpdated: 30, All: 67}, writesBetween(a, b))

	p := PingResult{SentOK: 30, OK: 10, Writes: &WriteCounts{ChecksInserted: 30, TargetsUpdated: 30, All: 67},
		WindowWrites: &WriteCounts{ChecksInserted: 10, TargetsUpdated: 20, All: 35}}
	p.setWritesPerPing(0)
	assert.InDelta(t, 2.0, p.WritesPerPing, 1e-9)
	assert.InDelta(t, 67.0/30, p.AllWritesPerPing, 1e-9)
	assert.InDelta(t, 3.0, p.WindowWritesPerPing, 1e-9, "the window's writes over the window's pings")
	assert.InDelta(t, 3.5, p.WindowAllWritesPerPing, 1e-9)
	assert.Empty(t, p.WritesNote)
	p = PingResult{SentOK: 30, Writes: &WriteCounts{ChecksInserted: 30}}
	p.setWritesPerPing(5)
	assert.Zero(t, p.WritesPerPing)
	assert.Contains(t, p.WritesNote, "-mix heartbeat")
}

// TestFlags: -mix and -ping-rate are read and checked, and a matrix entry can name a
// mix, the pollers and the ping rate.
func TestFlags(t *testing.T) {
	var stderr strings.Builder
	c, matrix, err := parseFlags([]string{"-db", "postgres", "-n", "100000", "-mix", "mixed", "-ping-rate", "1000"}, &stderr)
	require.NoError(t, err)
	assert.Empty(t, matrix)
	c = c.withMode()
	assert.Equal(t, mixMixed, c.Mix)
	assert.InDelta(t, 1000.0, c.PingRate, 1e-9)
	require.NoError(t, c.validate())

	c, _, err = parseFlags(nil, &stderr)
	require.NoError(t, err)
	assert.Equal(t, mixHTTP, c.withMode().Mix, "http by default: the runs before check types are unchanged")

	for name, args := range map[string][]string{
		"unknown mix":        {"-mix", "smtp"},
		"max is http only":   {"-max", "-mix", "tcp"},
		"ping rate, no beat": {"-ping-rate", "100"},
		"negative rate":      {"-mix", "heartbeat", "-ping-rate", "-1"},
	} {
		c, _, err := parseFlags(args, &stderr)
		require.NoError(t, err, name)
		assert.Error(t, c.withMode().validate(), name)
	}

	base, _, err := parseFlags([]string{"-duration", "60s"}, &stderr)
	require.NoError(t, err)
	runs, err := parseMatrix(base, "postgres:100000:mixed@90s, postgres:10000:tcp:pollers=0@40s, postgres:10000:heartbeat:pollers=0:ping-rate=1000, sqlite:max@30s")
	require.NoError(t, err)
	require.Len(t, runs, 4)
	assert.Equal(t, config{DB: "postgres", N: 100000, Mix: mixMixed, Duration: 90 * time.Second}, pick(runs[0]))
	assert.Equal(t, config{DB: "postgres", N: 10000, Mix: mixTCP, Duration: 40 * time.Second}, pick(runs[1]))
	assert.Equal(t, 0, runs[1].Pollers)
	assert.Equal(t, 50, runs[0].Pollers, "the flag's pollers otherwise")
	assert.Equal(t, config{DB: "postgres", N: 10000, Mix: mixHeartbeat, Duration: 60 * time.Second, PingRate: 1000}, pick(runs[2]))
	assert.Equal(t, config{DB: "sqlite", N: maxDefaultN, Mix: mixHTTP, Duration: 30 * time.Second, Max: true}, pick(runs[3]))
	for _, c := range runs {
		assert.NoError(t, c.validate())
	}
	// The default matrix docs/bench.md gives for make bench, issue 17's runs included.
	runs, err = parseMatrix(base, "sqlite:1000,sqlite:10000,postgres:1000,postgres:10000,postgres:100000@90s,"+
		"postgres:100000:mixed@90s,postgres:10000:http:pollers=0@40s,postgres:10000:tcp:pollers=0@40s,"+
		"postgres:10000:dns:pollers=0@40s,postgres:10000:heartbeat:pollers=0:ping-rate=1000@40s,"+
		"sqlite:max@30s,postgres:max:30000@30s")
	require.NoError(t, err)
	require.Len(t, runs, 12)
	for _, c := range runs {
		assert.NoError(t, c.validate(), c.describe())
		assert.Empty(t, pingWarnings(fleetTypesCount(c, target.TypeHeartbeat), c.PingRate, c.Interval), c.describe())
	}
	for _, bad := range []string{"postgres:lots", "postgres:10000:pollers=x", "postgres:colour=red"} {
		_, err := parseMatrix(base, bad)
		assert.Error(t, err, bad)
	}
}

// pick keeps the settings a matrix entry names.
func pick(c config) config {
	return config{DB: c.DB, N: c.N, Mix: c.Mix, Duration: c.Duration, PingRate: c.PingRate, Max: c.Max}
}

// TestAnalyseByType: the checks table alone gives each type's checks in the window
// and their lateness (start − slot); targets outside the fleet are left out.
func TestAnalyseByType(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return base.Add(time.Duration(ms) * time.Millisecond) }
	timing := func(id int64, scheduled, checked int) store.Timing {
		return store.Timing{TargetID: id, ScheduledAt: at(scheduled), CheckedAt: at(checked), Attempts: 1}
	}
	types := map[int64]target.Type{1: target.TypeHTTP, 2: target.TypeTCP, 3: target.TypeTCP}
	by := analyseByType([]store.Timing{
		timing(1, 0, 50), timing(1, 2000, 2100),
		timing(2, 100, 400), timing(3, 500, 520),
		timing(3, 2900, 3100), // slot in the window, started after it
		timing(2, -100, 10),   // slot before the window, started in it
		timing(9, 0, 0),       // not a fleet target
	}, types, base, at(3000))
	require.Len(t, by, 2)
	assert.Equal(t, 2, by[target.TypeHTTP].checks)
	assert.Equal(t, []float64{50, 100}, by[target.TypeHTTP].lateness)
	assert.Equal(t, 3, by[target.TypeTCP].checks)
	assert.Equal(t, []float64{20, 200, 300}, by[target.TypeTCP].lateness)
	assert.Equal(t, 3, by[target.TypeTCP].rows, "started in the window: 400, 520 and 10 ms")
}

// TestFillByType: per-type figures, CPU per check over checks and pings, and a type's
// own CPU per check only when it is the whole fleet.
func TestFillByType(t *testing.T) {
	c := config{N: 10000, Interval: 60, Mix: mixMixed}
	types, counts := fleetTypes(c.Mix, c.N)
	require.Len(t, types, 4)
	r := Result{Checks: 900, CPUSeconds: 2, Pings: &PingResult{OK: 100}}
	r.fillByType(c, counts, map[target.Type]*typeAnalysis{
		target.TypeHTTP: {checks: 700, lateness: []float64{1, 2, 3}},
		target.TypeTCP:  {checks: 150, lateness: []float64{4}},
		target.TypeDNS:  {checks: 50, lateness: []float64{5}},
	}, 10, fleetSaw{http: 710, tcp: 150, dns: 51})
	assert.InDelta(t, 2.0, r.CPUMSPerCheck, 1e-9, "2 s over 1,000 checks and pings")
	require.Len(t, r.ByType, 4)
	http := r.ByType[0]
	assert.Equal(t, "http", http.Type)
	assert.Equal(t, counts[target.TypeHTTP], http.Targets)
	assert.InDelta(t, float64(counts[target.TypeHTTP])/60, http.IdealPerSecond, 1e-9)
	assert.InDelta(t, 70.0, http.AchievedPerSecond, 1e-9)
	assert.InDelta(t, 3.0, http.LatenessP99MS, 1e-9)
	assert.Equal(t, int64(710), http.FleetSaw)
	assert.Zero(t, http.CPUMSPerCheck, "a mixed run's CPU is not split by type")
	beat := r.ByType[3]
	assert.Equal(t, "heartbeat", beat.Type)
	assert.Zero(t, beat.IdealPerSecond, "heartbeats are pinged, not scheduled")
	assert.Equal(t, int64(100), beat.FleetSaw, "pings taken")

	c.Mix = mixTCP
	_, counts = fleetTypes(c.Mix, c.N)
	r = Result{Checks: 1000, CPUSeconds: 0.5}
	r.fillByType(c, counts, map[target.Type]*typeAnalysis{target.TypeTCP: {checks: 1000}}, 10, fleetSaw{tcp: 1000})
	require.Len(t, r.ByType, 1)
	assert.InDelta(t, 0.5, r.ByType[0].CPUMSPerCheck, 1e-9, "the whole fleet is tcp: its own CPU per check")
}

// fleetTypesCount is how many targets of typ a run's fleet has.
func fleetTypesCount(c config, typ target.Type) int {
	_, counts := fleetTypes(c.Mix, c.N)
	return counts[typ]
}

func TestBackendCPUBetween(t *testing.T) {
	a := backendCPU{10: 1.0, 11: 2.0, 12: 5.0}
	b := backendCPU{10: 1.5, 11: 2.0, 12: 0.25, 13: 0.5}
	// 10 used 0.5; 11 nothing; 12's pid now names a new backend (0.25); 13 is new (0.5).
	assert.InDelta(t, 1.25, backendCPUBetween(a, b), 1e-9)
}
