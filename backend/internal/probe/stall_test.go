package probe

import (
	"context"
	"crypto/tls"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// TestStalledBodyIsATimeout: a server that sends the start of a body and then waits
// for the client to go away is down, with a timeout reading the body, every time.
// Over TLS HTTP/1.1 the client's close_notify at the deadline lets such a handler
// return, and the server then ends its chunked body cleanly: the read that the
// deadline cut short may see a complete body, which is not the server's answer.
func TestStalledBodyIsATimeout(t *testing.T) {
	t.Parallel()
	f := newTLSFixture(t)
	stall := &recorder{reply: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("partial"))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}}
	// Every server and client at once, each in its own goroutine: the attempts spend
	// their time waiting for the deadline, and in parallel subtests they would queue
	// behind -parallel.
	var wg sync.WaitGroup
	for _, kind := range []serverKind{tlsH1, tlsH2, plainH1} {
		srv := startServer(t, f, kind, stall)
		for _, name := range append([]target.Impersonation{target.ImpersonateNone}, impersonated...) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Several attempts, as the clean end is a race the server sometimes wins.
				for i := range 5 {
					p := impersonatingProber(t, f)
					p.transport.TLSClientConfig = &tls.Config{RootCAs: rootsOf(f)}
					tg := newTarget(srv.URL)
					tg.Impersonate = name
					tg.TimeoutSeconds = 1
					// A body that did end would pass this condition.
					tg.Conditions = []target.Condition{{Type: "body", Op: "contains", Value: "partial"}}
					c := p.Check(context.Background(), tg)
					assert.False(t, c.OK, "%s as %q, attempt %d, is up", kind, name, i)
					assert.Contains(t, c.Error, "timeout after 1s", "%s as %q, attempt %d", kind, name, i)
				}
			}()
		}
	}
	wg.Wait()
}
