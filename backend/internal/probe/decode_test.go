package probe

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// TestDeflateWithOrWithoutZlib: HTTP's deflate is zlib-wrapped, but servers have long
// sent raw deflate under that name, and browsers read both (Chromium looks for a zlib
// header and falls back to raw). A check impersonating one must read both too.
func TestDeflateWithOrWithoutZlib(t *testing.T) {
	t.Parallel()
	f := newTLSFixture(t)
	const page = "<html><body><p>all systems operational</p></body></html>"
	compress := func(t *testing.T, newWriter func(io.Writer) (io.WriteCloser, error)) []byte {
		var b bytes.Buffer
		w, err := newWriter(&b)
		require.NoError(t, err)
		_, err = w.Write([]byte(page))
		require.NoError(t, err)
		require.NoError(t, w.Close())
		return b.Bytes()
	}
	bodies := map[string][]byte{
		"zlib": compress(t, func(w io.Writer) (io.WriteCloser, error) { return zlib.NewWriter(w), nil }),
		"raw":  compress(t, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestCompression) }),
		// A raw stream of stored blocks starts with a byte whose low nibble is 0, never
		// zlib's 8.
		"raw-stored": compress(t, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.NoCompression) }),
	}
	rec := &recorder{reply: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "deflate")
		_, _ = w.Write(bodies[r.URL.Query().Get("body")])
	}}
	for _, kind := range []serverKind{tlsH2, tlsH1} {
		srv := startServer(t, f, kind, rec)
		p := impersonatingProber(t, f)
		for name := range bodies {
			tg := newTarget(srv.URL + "/?body=" + name)
			tg.Impersonate = target.ImpersonateChrome
			tg.Conditions = []target.Condition{{Type: "body", Op: "contains", Value: "all systems operational"}}
			c := p.Check(context.Background(), tg)
			assert.True(t, c.OK, "%s deflate over %s: %s", name, kind, c.Error)
		}
	}
}
