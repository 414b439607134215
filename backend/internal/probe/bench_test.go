package probe

import (
	"context"
	"net/http"
	"net/http/httptest"
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
