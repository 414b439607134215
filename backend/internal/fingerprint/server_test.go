package fingerprint

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

func start(t *testing.T, opts ...Option) *Server {
	t.Helper()
	s, err := Start(opts...)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

// goClient is Go's default transport (HTTP/2 when offered) trusting s and dialing it
// for any name.
func goClient(t *testing.T, s *Server) *http.Client {
	t.Helper()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: s.CertPool()}
	tr.DialContext = s.DialContext
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// fetch sends req and returns the status and the Record the server answered with.
func fetch(t *testing.T, c *http.Client, req *http.Request) (*http.Response, Record) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer func() { _ = resp.Body.Close() }()
	var rec Record
	if err := json.NewDecoder(resp.Body).Decode(&rec); err != nil {
		t.Fatalf("decode the answer to %s %s: %v", req.Method, req.URL, err)
	}
	return resp, rec
}

func newRequest(t *testing.T, method, url string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, url, body)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	return req
}

// fragmentingConn splits each TLS record the client writes into records of at most
// size bytes, as a client with a large (post-quantum) ClientHello may.
type fragmentingConn struct {
	net.Conn
	size    int
	pending []byte
	records int // records written
}

func (c *fragmentingConn) Write(p []byte) (int, error) {
	c.pending = append(c.pending, p...)
	var out []byte
	for len(c.pending) >= recordHeaderLen {
		n := int(c.pending[3])<<8 | int(c.pending[4])
		if len(c.pending) < recordHeaderLen+n {
			break
		}
		header, payload := c.pending[:3], c.pending[recordHeaderLen:recordHeaderLen+n]
		for len(payload) > 0 {
			chunk := payload[:min(c.size, len(payload))]
			payload = payload[len(chunk):]
			out = append(out, header...)
			out = append(out, byte(len(chunk)>>8), byte(len(chunk)))
			out = append(out, chunk...)
			c.records++
		}
		c.pending = c.pending[recordHeaderLen+n:]
	}
	if _, err := c.Conn.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// TestHelloMatchesCryptoTLS reads ClientHellos of several shapes with this package's
// parser and with crypto/tls's own, which must agree.
func TestHelloMatchesCryptoTLS(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		conf     *tls.Config
		fragment int    // split the client's records to this size; 0: don't
		ja4a     string // the JA4 a part expected
	}{
		{name: "TLS 1.3 with SNI and ALPN", conf: &tls.Config{ServerName: "fp.test", NextProtos: []string{"h2", "http/1.1"}}, ja4a: "t13d1312h2"},
		{name: "TLS 1.2 only, chosen suites and curves", conf: &tls.Config{
			ServerName: "fp.test", MaxVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"},
			CipherSuites:     []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256},
			CurvePreferences: []tls.CurveID{tls.CurveP256, tls.X25519},
		}, ja4a: "t12d0211h1"},
		{name: "an address: no SNI", conf: &tls.Config{ServerName: "127.0.0.1"}, ja4a: "t13i131000"},
		{name: "split into 100-byte records", conf: &tls.Config{ServerName: "fp.test", NextProtos: []string{"h2"}}, fragment: 100, ja4a: "t13d1312h2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var info *tls.ClientHelloInfo
			s := start(t, func(o *options) {
				o.helloInfo = func(i *tls.ClientHelloInfo) { mu.Lock(); info = i; mu.Unlock() }
			})
			raw, err := s.DialContext(context.Background(), "tcp", "")
			if err != nil {
				t.Fatal(err)
			}
			fc := &fragmentingConn{Conn: raw, size: 1 << 14}
			if tc.fragment > 0 {
				fc.size = tc.fragment
			}
			conf := tc.conf.Clone()
			conf.RootCAs = s.CertPool()
			c := tls.Client(fc, conf)
			defer func() { _ = c.Close() }()
			if err := c.HandshakeContext(context.Background()); err != nil {
				t.Fatalf("handshake: %v", err)
			}
			if tc.fragment > 0 && fc.records < 10 {
				t.Fatalf("the hello went in %d records; the test meant to split it", fc.records)
			}
			recs := s.Records()
			if len(recs) != 1 {
				t.Fatalf("%d records, want 1", len(recs))
			}
			h := recs[0].Hello
			mu.Lock()
			defer mu.Unlock()
			if info == nil {
				t.Fatal("crypto/tls saw no ClientHello")
			}
			curves := make([]uint16, len(info.SupportedCurves))
			for i, id := range info.SupportedCurves {
				curves[i] = uint16(id)
			}
			sigs := make([]uint16, len(info.SignatureSchemes))
			for i, scheme := range info.SignatureSchemes {
				sigs[i] = uint16(scheme)
			}
			for _, cmp := range []struct {
				name      string
				got, want any
			}{
				{"cipher suites", h.CipherSuites, info.CipherSuites},
				{"extensions", h.Extensions, info.Extensions},
				{"groups", h.Groups, curves},
				{"signature algorithms", h.SignatureAlgorithms, sigs},
				{"point formats", h.PointFormats, info.SupportedPoints},
				{"alpn", h.ALPN, info.SupportedProtos},
				{"server name", h.ServerName, info.ServerName},
			} {
				if !equalish(cmp.got, cmp.want) {
					t.Errorf("%s: parsed %v, crypto/tls read %v", cmp.name, cmp.got, cmp.want)
				}
			}
			if slices.Contains(h.Extensions, extSupportedVersions) && !slices.Equal(h.SupportedVersions, info.SupportedVersions) {
				t.Errorf("supported versions: parsed %v, crypto/tls read %v", h.SupportedVersions, info.SupportedVersions)
			}
			if a, _, _ := JA4Parts(recs[0].JA4); a != tc.ja4a {
				t.Errorf("JA4 a = %s, want %s (JA4_r %s)", a, tc.ja4a, recs[0].JA4R)
			}
			if recs[0].Err != "" {
				t.Errorf("record error: %s", recs[0].Err)
			}
		})
	}
}

// equalish compares two lists, an empty one equal to a missing one.
func equalish(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	empty := func(j []byte) bool { return string(j) == "null" || string(j) == "[]" || string(j) == `""` }
	return bytes.Equal(ja, jb) || empty(ja) && empty(jb)
}

// TestGoClientHTTP2 sends Go's client over HTTP/2: requests on a reused connection
// add to one Record, a large body is read away with flow control, and every answer is
// the Record so far.
func TestGoClientHTTP2(t *testing.T) {
	t.Parallel()
	s := start(t)
	c := goClient(t, s)
	resp, first := fetch(t, c, newRequest(t, http.MethodGet, s.URL("fp.test")+"first?x=1", nil))
	if resp.ProtoMajor != 2 {
		t.Fatalf("proto %s, want HTTP/2", resp.Proto)
	}
	if len(first.Requests) != 1 || first.Requests[0].Path != "/first?x=1" {
		t.Fatalf("first answer's requests = %+v", first.Requests)
	}
	body := bytes.Repeat([]byte("x"), 1<<20) // well past the 65,535-byte initial window
	_, second := fetch(t, c, newRequest(t, http.MethodPost, s.URL("fp.test")+"second", bytes.NewReader(body)))
	if len(second.Requests) != 2 {
		t.Fatalf("second answer has %d requests, want 2 (the connection reused)", len(second.Requests))
	}
	recs := s.Records()
	if len(recs) != 1 {
		t.Fatalf("%d records, want 1", len(recs))
	}
	r := recs[0]
	if r.ALPN != "h2" || r.H2 == nil {
		t.Fatalf("ALPN %q, H2 %v", r.ALPN, r.H2)
	}
	if !slices.Equal(first.Hello.PointFormats, r.Hello.PointFormats) || len(r.Hello.PointFormats) == 0 {
		t.Errorf("point formats: answer %v, record %v", first.Hello.PointFormats, r.Hello.PointFormats)
	}
	if r.JA4 != first.JA4 || r.Akamai != first.Akamai {
		t.Errorf("answer shows JA4 %s Akamai %s, record %s %s", first.JA4, first.Akamai, r.JA4, r.Akamai)
	}
	if len(strings.Split(r.Akamai, "|")) != 4 || len(r.H2.Settings) == 0 || len(r.H2.PseudoHeaderOrder) != 4 {
		t.Errorf("Akamai %q from %+v", r.Akamai, r.H2)
	}
	q := r.Requests[1]
	if q.Method != http.MethodPost || q.Path != "/second" || q.Proto != "HTTP/2.0" || q.Host != strings.TrimSuffix(strings.TrimPrefix(s.URL("fp.test"), "https://"), "/") {
		t.Errorf("second request = %+v", q)
	}
	if !slices.Contains(q.HeaderOrder, "content-length") || q.Header.Get("Content-Length") != "1048576" {
		t.Errorf("second request's headers: order %v, header %v", q.HeaderOrder, q.Header)
	}
	// Go sends no GREASE: nothing in its hello is a GREASE value.
	for _, list := range [][]uint16{r.Hello.CipherSuites, r.Hello.Extensions, r.Hello.Groups, r.Hello.SupportedVersions} {
		if slices.ContainsFunc(list, IsGREASE) {
			t.Errorf("GREASE in Go's hello: %v", list)
		}
	}
	t.Logf("Go default client: JA4 %s", r.JA4)
	t.Logf("Go default client: JA4_r %s", r.JA4R)
	t.Logf("Go default client: JA3 %s (%s)", r.JA3, r.JA3Hash)
	t.Logf("Go default client: Akamai %s", r.Akamai)
}

// h2Client speaks HTTP/2 frame by frame, to send what a browser's stack would and to
// watch the server's flow control.
type h2Client struct {
	t   *testing.T
	fr  *http2.Framer
	enc *hpack.Encoder
	buf bytes.Buffer
}

func dialH2(t *testing.T, s *Server) *h2Client {
	t.Helper()
	raw, err := s.DialContext(context.Background(), "tcp", "")
	if err != nil {
		t.Fatal(err)
	}
	c := tls.Client(raw, &tls.Config{ServerName: "fp.test", RootCAs: s.CertPool(), NextProtos: []string{"h2"}})
	t.Cleanup(func() { _ = c.Close() })
	if err := c.HandshakeContext(context.Background()); err != nil {
		t.Fatalf("handshake: %v", err)
	}
	if _, err := io.WriteString(c, http2.ClientPreface); err != nil {
		t.Fatal(err)
	}
	h := &h2Client{t: t, fr: http2.NewFramer(c, c)}
	h.fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	h.enc = hpack.NewEncoder(&h.buf)
	return h
}

func (h *h2Client) check(err error) {
	h.t.Helper()
	if err != nil {
		h.t.Fatal(err)
	}
}

// next reads frames until one of type T, answering the server's SETTINGS.
func next[T http2.Frame](h *h2Client) T {
	h.t.Helper()
	for {
		f, err := h.fr.ReadFrame()
		h.check(err)
		if sf, ok := f.(*http2.SettingsFrame); ok && !sf.IsAck() {
			h.check(h.fr.WriteSettingsAck())
		}
		if v, ok := f.(T); ok {
			return v
		}
	}
}

// TestHTTP2FramesAndFlowControl sends a Firefox-style preface (PRIORITY frames, a
// small initial window) and checks the Akamai fingerprint, the HEADERS priority, and
// that the answer waits for window.
func TestHTTP2FramesAndFlowControl(t *testing.T) {
	t.Parallel()
	s := start(t)
	h := dialH2(t, s)
	h.check(h.fr.WriteSettings(
		http2.Setting{ID: http2.SettingHeaderTableSize, Val: 65536},
		http2.Setting{ID: http2.SettingInitialWindowSize, Val: 10},
		http2.Setting{ID: http2.SettingMaxFrameSize, Val: 16384},
	))
	// The server answers frames in order: the PING's answer comes before the response.
	h.check(h.fr.WritePing(false, [8]byte{1, 2, 3}))
	if p := next[*http2.PingFrame](h); !p.IsAck() || p.Data != [8]byte{1, 2, 3} {
		t.Errorf("ping answer %+v", p)
	}
	h.check(h.fr.WriteWindowUpdate(0, 12517377))
	h.check(h.fr.WritePriority(3, http2.PriorityParam{Weight: 200}))
	h.check(h.fr.WritePriority(5, http2.PriorityParam{Weight: 100}))
	for _, f := range [][2]string{
		{":method", "GET"}, {":path", "/"}, {":authority", "fp.test"}, {":scheme", "https"},
		{"user-agent", "frames"}, {"accept", "*/*"},
	} {
		h.check(h.enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]}))
	}
	h.check(h.fr.WriteHeaders(http2.HeadersFrameParam{
		StreamID: 1, BlockFragment: h.buf.Bytes(), EndStream: true, EndHeaders: true,
		Priority: http2.PriorityParam{StreamDep: 3, Weight: 41},
	}))

	hdrs := next[*http2.MetaHeadersFrame](h)
	if hdrs.PseudoValue("status") != "200" {
		t.Fatalf("status %q", hdrs.PseudoValue("status"))
	}
	d := next[*http2.DataFrame](h)
	if len(d.Data()) != 10 || d.StreamEnded() {
		t.Fatalf("first DATA frame: %d bytes (end %t), want the 10 the stream window allows", len(d.Data()), d.StreamEnded())
	}
	body := append([]byte(nil), d.Data()...)
	h.check(h.fr.WriteWindowUpdate(1, 1<<20))
	for !d.StreamEnded() {
		d = next[*http2.DataFrame](h)
		body = append(body, d.Data()...)
	}
	var rec Record
	if err := json.Unmarshal(body, &rec); err != nil {
		t.Fatalf("decode answer: %v", err)
	}
	const want = "1:65536;4:10;5:16384|12517377|3:0:0:201,5:0:0:101|m,p,a,s"
	if rec.Akamai != want {
		t.Errorf("Akamai = %s, want %s", rec.Akamai, want)
	}
	if p := rec.H2.HeadersPriority; p == nil || *p != (Priority{StreamID: 1, DependsOn: 3, Weight: 42}) {
		t.Errorf("HEADERS priority = %+v", p)
	}
	if got := rec.Requests[0].HeaderOrder; !slices.Equal(got, []string{":method", ":path", ":authority", ":scheme", "user-agent", "accept"}) {
		t.Errorf("header order = %v", got)
	}
}

// TestHTTP2StreamError: a request the Framer rejects (an upper-case header name) is
// reset with RST_STREAM, and the connection goes on to answer the next one.
func TestHTTP2StreamError(t *testing.T) {
	t.Parallel()
	s := start(t)
	h := dialH2(t, s)
	h.check(h.fr.WriteSettings())
	send := func(id uint32, fields ...string) {
		h.buf.Reset()
		for i := 0; i < len(fields); i += 2 {
			h.check(h.enc.WriteField(hpack.HeaderField{Name: fields[i], Value: fields[i+1]}))
		}
		h.check(h.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: h.buf.Bytes(), EndStream: true, EndHeaders: true}))
	}
	request := []string{":method", "GET", ":path", "/", ":authority", "fp.test", ":scheme", "https"}
	send(1, append(request, "User-Agent", "upper case")...)
	if rst := next[*http2.RSTStreamFrame](h); rst.StreamID != 1 || rst.ErrCode != http2.ErrCodeProtocol {
		t.Fatalf("RST_STREAM stream %d code %v, want stream 1 PROTOCOL_ERROR", rst.StreamID, rst.ErrCode)
	}
	send(3, append(request, "user-agent", "lower case")...)
	hdrs := next[*http2.MetaHeadersFrame](h)
	if hdrs.StreamID != 3 || hdrs.PseudoValue("status") != "200" {
		t.Fatalf("answer on stream %d, status %q; want 200 on stream 3", hdrs.StreamID, hdrs.PseudoValue("status"))
	}
	recs := s.Records()
	if len(recs) != 1 || len(recs[0].Requests) != 1 || recs[0].Requests[0].Header.Get("User-Agent") != "lower case" {
		t.Errorf("records = %+v, want one with the second request only", recs)
	}
}

// TestHTTP1 pipelines requests of each body framing on one HTTP/1.1 connection and
// checks each one's header order, case kept.
func TestHTTP1(t *testing.T) {
	t.Parallel()
	s := start(t, WithALPN("http/1.1"))
	raw, err := s.DialContext(context.Background(), "tcp", "")
	if err != nil {
		t.Fatal(err)
	}
	c := tls.Client(raw, &tls.Config{ServerName: "fp.test", RootCAs: s.CertPool(), NextProtos: []string{"h2", "http/1.1"}})
	defer func() { _ = c.Close() }()
	// The cookie is longer than a bufio.Reader's buffer.
	requests := "GET /one HTTP/1.1\r\nHost: fp.test\r\nX-Zeta: 1\r\nCookie: " + strings.Repeat("c", 10000) + "\r\nx-alpha: 2\r\n\r\n" +
		"\r\nPOST /two HTTP/1.1\r\nHost: fp.test\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello" +
		"POST /three HTTP/1.1\r\nHost: fp.test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Trailer: 1\r\n\r\n" +
		"HEAD /four HTTP/1.1\r\nHost: fp.test\r\n\r\n" +
		"GET /five HTTP/1.1\r\nConnection: close\r\nHost: fp.test\r\n\r\n"
	if _, err := io.WriteString(c, requests); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	var last Record
	for i, method := range []string{"GET", "POST", "POST", "HEAD", "GET"} {
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			t.Fatalf("response %d: %v", i+1, err)
		}
		b, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("response %d: %d, %v", i+1, resp.StatusCode, err)
		}
		if method != "HEAD" {
			if err := json.Unmarshal(b, &last); err != nil {
				t.Fatalf("response %d: %v", i+1, err)
			}
		}
	}
	if _, err := br.ReadByte(); err != io.EOF {
		t.Errorf("after Connection: close, read %v, want EOF", err)
	}
	if last.ALPN != "http/1.1" || last.H2 != nil || last.Akamai != "" {
		t.Errorf("ALPN %q, H2 %v, Akamai %q", last.ALPN, last.H2, last.Akamai)
	}
	want := []struct {
		path  string
		order []string
	}{
		{"/one", []string{"Host", "X-Zeta", "Cookie", "x-alpha"}},
		{"/two", []string{"Host", "Content-Length", "Content-Type"}},
		{"/three", []string{"Host", "Transfer-Encoding"}},
		{"/four", []string{"Host"}},
		{"/five", []string{"Connection", "Host"}},
	}
	if len(last.Requests) != len(want) {
		t.Fatalf("%d requests recorded, want %d", len(last.Requests), len(want))
	}
	for i, w := range want {
		q := last.Requests[i]
		if q.Path != w.path || q.Proto != "HTTP/1.1" || q.Host != "fp.test" || !slices.Equal(q.HeaderOrder, w.order) {
			t.Errorf("request %d = %s %s %s host %q order %v, want %s order %v", i+1, q.Method, q.Path, q.Proto, q.Host, q.HeaderOrder, w.path, w.order)
		}
	}
}

// TestGoClientHTTP1Fallback: offered only http/1.1, Go's client falls back and the
// record says so.
func TestGoClientHTTP1Fallback(t *testing.T) {
	t.Parallel()
	s := start(t, WithALPN("http/1.1"))
	resp, rec := fetch(t, goClient(t, s), newRequest(t, http.MethodGet, s.URL("localhost"), nil))
	if resp.ProtoMajor != 1 || rec.ALPN != "http/1.1" || rec.H2 != nil {
		t.Fatalf("proto %s, record ALPN %q H2 %v", resp.Proto, rec.ALPN, rec.H2)
	}
	if !slices.Equal(rec.Hello.ALPN, []string{"h2", "http/1.1"}) || rec.Hello.ServerName != "localhost" {
		t.Errorf("hello ALPN %v, SNI %q", rec.Hello.ALPN, rec.Hello.ServerName)
	}
	if order := rec.Requests[0].HeaderOrder; len(order) == 0 || order[0] != "Host" {
		t.Errorf("Go's HTTP/1.1 header order = %v, want Host first", order)
	}
}

// TestNotTLS: a client that speaks plain HTTP to the port leaves a Record saying so.
func TestNotTLS(t *testing.T) {
	t.Parallel()
	s := start(t)
	c, err := s.DialContext(context.Background(), "tcp", "")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: fp.test\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	// The server closes the connection, unread bytes and all (EOF or a reset).
	_, _ = io.Copy(io.Discard, c)
	recs := s.Records()
	if len(recs) != 1 || !strings.Contains(recs[0].Err, "not a TLS handshake") {
		t.Fatalf("records = %+v", recs)
	}
}

// TestCloseWithSilentClient: Close does not wait for a client that connected and
// said nothing, and that connection leaves no Record.
func TestCloseWithSilentClient(t *testing.T) {
	t.Parallel()
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.DialContext(context.Background(), "tcp", "")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	// Close must find the connection open: one it never saw proves nothing.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Millisecond) {
		s.mu.Lock()
		held := len(s.conns) == 1
		s.mu.Unlock()
		if held {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the server never took the connection")
		}
	}
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	// Left to itself the connection would end at handshakeTimeout; well before that
	// only Close closing it can have let Close return.
	const bound = 5 * time.Second
	if bound >= handshakeTimeout {
		t.Fatalf("the bound %v does not tell Close from the %v handshake timeout", bound, handshakeTimeout)
	}
	select {
	case err := <-closed:
		if err != nil {
			t.Fatalf("close: %v", err)
		}
	case <-time.After(bound):
		t.Fatalf("Close still waits on a silent client after %v", bound)
	}
	if n, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatalf("read %d bytes from a closed server", n)
	}
	if recs := s.Records(); len(recs) != 0 {
		t.Errorf("records = %+v, want none", recs)
	}
}

func TestCompare(t *testing.T) {
	t.Parallel()
	base := func() Record {
		return Record{
			Hello: Hello{
				Version:             0x0303,
				SupportedVersions:   []uint16{0x1a1a, 0x0304, 0x0303},
				CipherSuites:        []uint16{0x2a2a, 0x1301, 0x1302},
				Extensions:          []uint16{0x3a3a, 0x0000, 0x000a, 0x0010, 0x4a4a},
				Groups:              []uint16{0x5a5a, 0x11ec, 0x001d},
				KeyShares:           []uint16{0x5a5a, 0x11ec},
				SignatureAlgorithms: []uint16{0x0403, 0x0804},
				ALPN:                []string{"h2", "http/1.1"},
			},
			Akamai:   "1:65536;2:0|15663105|0|m,a,s,p",
			H2:       &H2{HeadersPriority: &Priority{StreamID: 1, Exclusive: true, Weight: 256}},
			Requests: []Request{{HeaderOrder: []string{":method", ":authority", ":scheme", ":path", "sec-ch-ua", "user-agent"}}},
		}
	}
	for _, tc := range []struct {
		name   string
		change func(*Record)
		want   []string
	}{
		{"the same", func(*Record) {}, nil},
		{"other GREASE values", func(r *Record) {
			r.Hello.CipherSuites[0] = 0xbaba
			r.Hello.Extensions[0], r.Hello.Extensions[4] = 0xcaca, 0xdada
			r.Hello.Groups[0], r.Hello.KeyShares[0] = 0xeaea, 0xeaea
		}, nil},
		{"extensions shuffled", func(r *Record) { r.Hello.Extensions = []uint16{0x0010, 0x3a3a, 0x000a, 0x0000} }, nil},
		{"header name case", func(r *Record) { r.Requests[0].HeaderOrder[5] = "User-Agent" }, nil},
		{"cipher order", func(r *Record) { r.Hello.CipherSuites = []uint16{0x1302, 0x1301} }, []string{PartCiphers}},
		{"an extension more", func(r *Record) { r.Hello.Extensions = append(r.Hello.Extensions, 0x0015) }, []string{PartExtensions}},
		{"no post-quantum group", func(r *Record) { r.Hello.Groups = []uint16{0x001d}; r.Hello.KeyShares = []uint16{0x001d} }, []string{PartGroups, PartKeyShares}},
		{"settings and pseudo-header order", func(r *Record) { r.Akamai = "2:0|15663105|0|m,s,a,p" }, []string{PartH2Settings, PartPseudoHeaderOrder}},
		{"window update and priorities", func(r *Record) { r.Akamai = "1:65536;2:0|00|3:0:0:201|m,a,s,p" }, []string{PartWindowUpdate, PartPriorities}},
		{"headers priority", func(r *Record) { r.H2.HeadersPriority = nil }, []string{PartHeadersPriority}},
		{"over HTTP/1.1", func(r *Record) { r.H2, r.Akamai = nil, "" }, []string{PartH2Settings, PartWindowUpdate, PartPriorities, PartHeadersPriority, PartPseudoHeaderOrder}},
		{"header order", func(r *Record) { r.Requests[0].HeaderOrder = []string{":method", "user-agent", "sec-ch-ua"} }, []string{PartHeaderOrder}},
		{"alpn and version", func(r *Record) { r.Hello.ALPN = []string{"http/1.1"}; r.Hello.SupportedVersions = nil }, []string{PartTLSVersion, PartALPN}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := base(), base()
			tc.change(&b)
			if got := Compare(a, b); !slices.Equal(got, tc.want) {
				t.Errorf("Compare = %v, want %v; %v", got, tc.want, Differences(a, b))
			}
		})
	}
	a, b := base(), base()
	b.Hello.CipherSuites = []uint16{0x1301}
	if d := Differences(a, b); !slices.Equal(d, []string{"cipher list: 1301,1302 != 1301"}) {
		t.Errorf("Differences = %q", d)
	}
}
