package probe

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"io"
	"net/http"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

// decodingTransport decodes the answers to a browser's Accept-Encoding (gzip, deflate,
// br, zstd), so that conditions read the body the server meant, as net/http's own
// transport does for the gzip it asks for. It is ours rather than req's
// AutoDecompression, which leaves a nil body for any other Content-Encoding (a server
// answering "identity" would crash the check) and decodes zstd with a goroutine per
// CPU. Another encoding, or several, is left as sent, as net/http leaves it.
type decodingTransport struct {
	next http.RoundTripper
}

// maxZstdWindow is the largest zstd window decoded: RFC 8878 holds HTTP's zstd to
// 8 MiB, and a larger one announced by a hostile server would only cost memory.
const maxZstdWindow = 8 << 20

func (d *decodingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := d.next.RoundTrip(r)
	if err != nil || r.Method == http.MethodHead {
		return resp, err
	}
	values := resp.Header.Values("Content-Encoding")
	if len(values) != 1 {
		return resp, nil
	}
	encoding := strings.ToLower(strings.TrimSpace(values[0]))
	var open func(io.Reader) (io.Reader, func(), error)
	switch encoding {
	case "gzip", "x-gzip":
		open = func(body io.Reader) (io.Reader, func(), error) {
			zr, err := gzip.NewReader(body)
			return zr, nil, err
		}
	case "deflate":
		open = openDeflate
	case "br":
		open = func(body io.Reader) (io.Reader, func(), error) {
			return brotli.NewReader(body), nil, nil
		}
	case "zstd":
		open = func(body io.Reader) (io.Reader, func(), error) {
			zr, err := zstd.NewReader(body, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true), zstd.WithDecoderMaxWindow(maxZstdWindow))
			if err != nil {
				return nil, nil, err
			}
			return zr, zr.Close, nil
		}
	default:
		return resp, nil
	}
	resp.Body = &decodedBody{body: resp.Body, open: open}
	resp.Header.Del("Content-Encoding")
	resp.Header.Del("Content-Length")
	resp.ContentLength = -1
	resp.Uncompressed = true
	return resp, nil
}

// CloseIdleConnections closes the idle connections of the transport underneath, for
// http.Client.CloseIdleConnections.
func (d *decodingTransport) CloseIdleConnections() {
	if c, ok := d.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// decodedBody decodes body from its first Read on: a response closed unread costs no
// decoder.
type decodedBody struct {
	body    io.ReadCloser
	open    func(io.Reader) (io.Reader, func(), error)
	decoder io.Reader
	release func()
	err     error
}

func (b *decodedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.decoder == nil {
		b.decoder, b.release, b.err = b.open(b.body)
		if b.err != nil {
			return 0, b.err
		}
	}
	return b.decoder.Read(p)
}

func (b *decodedBody) Close() error {
	if b.release != nil {
		b.release()
	}
	return b.body.Close()
}

// openDeflate reads a deflate body. HTTP's deflate is zlib-wrapped, but servers have
// long sent raw deflate under that name, and browsers read it: Chromium looks for a
// zlib header and decodes raw deflate when there is none. So does this.
func openDeflate(body io.Reader) (io.Reader, func(), error) {
	br := bufio.NewReader(body)
	head, err := br.Peek(2)
	if err != nil || isZlibHeader(head[0], head[1]) {
		// Too short for either: zlib's reader says what is wrong.
		zr, err := zlib.NewReader(br)
		return zr, nil, err
	}
	fr := flate.NewReader(br)
	return fr, func() { _ = fr.Close() }, nil
}

// isZlibHeader reports whether cmf and flg open a zlib stream (RFC 1950): the
// compression method is deflate, and the two bytes as a number are a multiple of 31.
func isZlibHeader(cmf, flg byte) bool {
	return cmf&0x0f == 8 && (uint16(cmf)<<8|uint16(flg))%31 == 0
}
