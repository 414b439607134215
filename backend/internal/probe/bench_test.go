package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/watchdog-monitor/watchdog/backend/internal/netguard"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// BenchmarkCheck measures checks/s of one Prober against a local server answering at
// once, from as many goroutines as the benchmark runs in parallel: the pinger's own
// ceiling, before any database work.
func BenchmarkCheck(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()
	p := New(Options{Guard: netguard.New(true)})
	defer p.Close()
	tg := target.Target{ID: 1, URL: srv.URL, Method: "GET", IntervalSeconds: 60, TimeoutSeconds: 5, ExpectedStatus: "200-399"}
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if c := p.Check(context.Background(), tg); !c.OK {
				b.Errorf("check failed: %s", c.Error)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "checks/s")
}

// benchBrowsers are the clients the impersonation benchmarks compare: the default one
// and two browsers.
var benchBrowsers = []target.Impersonation{target.ImpersonateNone, target.ImpersonateChrome, target.ImpersonateFirefox}

func benchName(name target.Impersonation) string {
	if name == target.ImpersonateNone {
		return "default"
	}
	return string(name)
}

// startBenchTLSServer is a TLS server on 127.0.0.1 offering h2, answering at once,
// with a certificate f's CA issued.
func startBenchTLSServer(b *testing.B, f tlsFixture) *httptest.Server {
	b.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok"))
	}))
	srv.TLS = serverConfig(f.server, nil)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	b.Cleanup(srv.Close)
	return srv
}

// benchProber is a prober whose default and browser clients trust f's CA.
func benchProber(f tlsFixture) *Prober {
	p := New(Options{Guard: netguard.New(true)})
	roots := x509.NewCertPool()
	roots.AddCert(f.ca.cert)
	p.transport.TLSClientConfig = &tls.Config{RootCAs: roots}
	trustBrowsers(p, roots)
	return p
}

// BenchmarkImpersonatedCheck measures the CPU and allocations of an https check of a
// local h2 server by the default client and by impersonating browsers: with a new
// connection and TLS handshake each check (idle connections closed after each), and
// reusing one connection. The server runs in the same process, so ns/op holds its
// share too (the same for every client).
func BenchmarkImpersonatedCheck(b *testing.B) {
	f := newTLSFixture(b)
	srv := startBenchTLSServer(b, f)
	for _, name := range benchBrowsers {
		for _, reuse := range []bool{false, true} {
			mode := "handshake"
			if reuse {
				mode = "reuse"
			}
			b.Run(benchName(name)+"/"+mode, func(b *testing.B) {
				p := benchProber(f)
				defer p.Close()
				tg := target.Target{ID: 1, URL: srv.URL, Method: "GET", IntervalSeconds: 60, TimeoutSeconds: 5, ExpectedStatus: "200-399", Impersonate: name}
				// The first check builds the browser's transport, outside the count.
				if c := p.Check(context.Background(), tg); !c.OK {
					b.Fatalf("check failed: %s", c.Error)
				}
				b.ReportAllocs()
				for b.Loop() {
					if !reuse {
						p.Close()
					}
					if c := p.Check(context.Background(), tg); !c.OK {
						b.Fatalf("check failed: %s", c.Error)
					}
				}
			})
		}
	}
}

// BenchmarkImpersonatedMemory measures the memory a client holds once it has checked
// a target and keeps the connection idle for the next check: each iteration is a new
// prober making one https check of a local h2 server, kept until the end. The live
// heap it adds, per prober, is reported as heap-B/prober; it includes the server's
// side of the idle connection, the same for every client, so the difference between
// clients is what impersonation holds. heap-B/transport is a browser transport alone,
// built but not yet connected.
func BenchmarkImpersonatedMemory(b *testing.B) {
	f := newTLSFixture(b)
	srv := startBenchTLSServer(b, f)
	for _, name := range benchBrowsers {
		b.Run(benchName(name), func(b *testing.B) {
			tg := target.Target{ID: 1, URL: srv.URL, Method: "GET", IntervalSeconds: 60, TimeoutSeconds: 5, ExpectedStatus: "200-399", Impersonate: name}
			var probers []*Prober
			defer func() {
				for _, p := range probers {
					p.Close()
				}
			}()
			before := liveHeap()
			for b.Loop() {
				p := benchProber(f)
				probers = append(probers, p)
				if c := p.Check(context.Background(), tg); !c.OK {
					b.Fatalf("check failed: %s", c.Error)
				}
			}
			held := liveHeap() - before
			b.ReportMetric(float64(held)/float64(len(probers)), "heap-B/prober")

			const transports = 100
			kept := make([]http.RoundTripper, transports)
			before = liveHeap()
			for i := range kept {
				if name == target.ImpersonateNone {
					kept[i] = newTransport(probers[0].dialer.DialContext, nil)
				} else {
					kept[i] = newBrowserTransport(probers[0].dialer.DialContext, browsers[name], nil)
				}
			}
			b.ReportMetric(float64(liveHeap()-before)/transports, "heap-B/transport")
			runtime.KeepAlive(kept)
		})
	}
}

// liveHeap is the heap in use after a collection.
func liveHeap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
