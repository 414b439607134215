// Package fingerprint holds a TLS server for tests and benchmarks that records what
// each client sent: its ClientHello as it came off the wire (and the JA4 and JA3
// fingerprints computed from it), the first frames of its HTTP/2 connection (the
// Akamai fingerprint) and the order of its request headers. It is the instrument that
// shows whether a client looks like a browser on the wire; Chromium runs the installed
// browser against it, so a test can compare a client with the real thing.
//
// Nothing in the product imports this package.
package fingerprint

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Record is what one client connection sent.
type Record struct {
	Hello Hello `json:"hello"`
	// JA4 is FoxIO's JA4 fingerprint of the ClientHello, e.g.
	// t13d1516h2_8daaf6152771_d8a2da3f94cd.
	JA4 string `json:"ja4"`
	// JA4R is JA4_r: the same, unhashed, with ciphers and extensions sorted.
	JA4R string `json:"ja4_r"`
	// JA4O is JA4_o: hashed like JA4 but over ciphers and extensions in the order sent
	// (SNI and ALPN kept), so it changes when a client shuffles its extensions.
	JA4O string `json:"ja4_o"`
	// JA4RO is JA4_ro, the unhashed form of JA4O.
	JA4RO string `json:"ja4_ro"`
	// JA3 is the JA3 string: version,ciphers,extensions,groups,point formats in
	// decimal, GREASE removed, extensions in the order sent.
	JA3     string `json:"ja3"`
	JA3Hash string `json:"ja3_hash"`
	// ALPN is the protocol negotiated: "h2" or "http/1.1" (also when the client
	// offered none).
	ALPN string `json:"alpn"`
	// Akamai is the Akamai HTTP/2 fingerprint "S|WU|P|PS"; "" over HTTP/1.1.
	Akamai string `json:"akamai,omitempty"`
	// H2 holds the frames behind Akamai; nil over HTTP/1.1.
	H2       *H2       `json:"h2,omitempty"`
	Requests []Request `json:"requests"`
	// Err says why the connection ended before a request was answered (a failed
	// handshake, a protocol error); "" when it ended cleanly.
	Err string `json:"error,omitempty"`
}

// Hello is a ClientHello as sent, GREASE values included.
type Hello struct {
	Version             uint16   `json:"version"` // legacy_version
	SupportedVersions   []uint16 `json:"supported_versions"`
	CipherSuites        []uint16 `json:"cipher_suites"`
	Extensions          []uint16 `json:"extensions"`
	Groups              []uint16 `json:"groups"`
	SignatureAlgorithms []uint16 `json:"signature_algorithms"`
	PointFormats        []uint8  `json:"point_formats"`
	ALPN                []string `json:"alpn"`
	ServerName          string   `json:"server_name"`
	// KeyShares are the groups of the key_share extension's entries, in order.
	KeyShares []uint16 `json:"key_shares"`
}

// H2 is what a client sent on an HTTP/2 connection before and with its first request.
type H2 struct {
	// Settings are the client's first SETTINGS frame, in order.
	Settings []Setting `json:"settings"`
	// WindowUpdate is the increment of the connection WINDOW_UPDATE sent before the
	// first HEADERS frame; 0 when there was none.
	WindowUpdate uint32 `json:"window_update"`
	// Priorities are the PRIORITY frames sent before the first HEADERS frame.
	Priorities []Priority `json:"priorities"`
	// HeadersPriority is the priority carried by the first HEADERS frame; nil when
	// its PRIORITY flag was not set.
	HeadersPriority *Priority `json:"headers_priority,omitempty"`
	// PseudoHeaderOrder is the pseudo-headers of the first request, as sent.
	PseudoHeaderOrder []string `json:"pseudo_header_order"`
}

// Setting is one HTTP/2 setting.
type Setting struct {
	ID    uint16 `json:"id"`
	Value uint32 `json:"value"`
}

// Priority is an HTTP/2 (RFC 7540) stream priority.
type Priority struct {
	StreamID  uint32 `json:"stream_id"`
	Exclusive bool   `json:"exclusive"`
	DependsOn uint32 `json:"depends_on"`
	// Weight is 1 to 256: the wire value plus one, as the Akamai fingerprint prints it.
	Weight uint16 `json:"weight"`
}

// Request is one request a client sent on a connection.
type Request struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Proto  string `json:"proto"`
	// Host is the Host header over HTTP/1.1, :authority over HTTP/2.
	Host string `json:"host"`
	// HeaderOrder is the header names as sent (their case kept over HTTP/1.1),
	// pseudo-headers included over HTTP/2.
	HeaderOrder []string    `json:"header_order"`
	Header      http.Header `json:"header"`
}

// Option changes how Start sets the server up.
type Option func(*options)

type options struct {
	alpn []string
	// helloInfo, when set, sees crypto/tls's own reading of each ClientHello, so the
	// tests can check the parser here against it.
	helloInfo func(*tls.ClientHelloInfo)
}

// WithALPN sets the protocols the server offers, in its order of preference; the
// default is h2, then http/1.1. WithALPN("http/1.1") makes a server for fallback tests.
func WithALPN(protos ...string) Option {
	return func(o *options) { o.alpn = protos }
}

// Server is a TLS server on 127.0.0.1 that records each connection. Every request
// gets 200 and its connection's Record as JSON, so a browser pointed at it shows it.
type Server struct {
	ln   net.Listener
	pool *x509.CertPool
	conf *tls.Config
	wg   sync.WaitGroup

	mu      sync.Mutex
	records []*Record
	conns   map[net.Conn]struct{}
	closed  bool
}

// handshakeTimeout bounds how long a connection may take to send its ClientHello and
// finish the handshake, so a client that connects and stalls cannot hold Close up.
const handshakeTimeout = 15 * time.Second

// Start serves TLS on 127.0.0.1:0 with a self-signed certificate for "fp.test",
// "localhost" and 127.0.0.1, offering ALPN h2 and http/1.1 (Start(WithALPN("http/1.1"))
// offers only http/1.1, for fallback tests).
func Start(opts ...Option) (*Server, error) {
	o := options{alpn: []string{"h2", "http/1.1"}}
	for _, opt := range opts {
		opt(&o)
	}
	cert, pool, err := selfSigned()
	if err != nil {
		return nil, err
	}
	conf := &tls.Config{
		Certificates: []tls.Certificate{cert},
		NextProtos:   o.alpn,
		// Old clients are to be recorded too, not turned away.
		MinVersion: tls.VersionTLS10,
	}
	if o.helloInfo != nil {
		conf.GetConfigForClient = func(info *tls.ClientHelloInfo) (*tls.Config, error) {
			o.helloInfo(info)
			return nil, nil
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	s := &Server{ln: ln, pool: pool, conf: conf, conns: map[net.Conn]struct{}{}}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Addr is the server's address, "127.0.0.1:port".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL is "https://<host>:<port>/"; the certificate is valid for "fp.test",
// "localhost" and "127.0.0.1".
func (s *Server) URL(host string) string {
	_, port, _ := net.SplitHostPort(s.Addr())
	return "https://" + net.JoinHostPort(host, port) + "/"
}

// DialContext connects to the server whatever address it is given, so that a client
// using it can request URL("fp.test") without a DNS entry for the name.
func (s *Server) DialContext(ctx context.Context, network, _ string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, s.Addr())
	if err != nil {
		return nil, fmt.Errorf("dial fingerprint server: %w", err)
	}
	return c, nil
}

// CertPool trusts the server's certificate.
func (s *Server) CertPool() *x509.CertPool { return s.pool }

// Close stops accepting, closes every open connection and waits for their goroutines.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	err := s.ln.Close()
	for c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	if err != nil {
		return fmt.Errorf("close fingerprint listener: %w", err)
	}
	return nil
}

// Records returns one Record per accepted connection, in the order their ClientHellos
// arrived (a client that reuses its connection adds requests to one Record). A
// connection that closes without sending a byte leaves no Record. Each Record exists
// before the server answers its ClientHello, so once a client has heard anything back
// its connection is in the list.
func (s *Server) Records() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Record, len(s.records))
	for i, r := range s.records {
		out[i] = r.clone()
	}
	return out
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			// The listener fails only once Close has closed it; anything else on a
			// loopback listener would repeat forever, so stopping is right either way.
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			_ = c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			s.serve(c)
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
			_ = c.Close()
		}()
	}
}

// serve records the ClientHello from the raw bytes, then hands the connection, those
// bytes replayed, to crypto/tls and answers requests on it.
func (s *Server) serve(c net.Conn) {
	_ = c.SetDeadline(time.Now().Add(handshakeTimeout))
	raw, msg, err := readClientHello(c)
	if len(raw) == 0 {
		return
	}
	rec := &Record{}
	s.mu.Lock()
	s.records = append(s.records, rec)
	s.mu.Unlock()
	if err != nil {
		s.fail(rec, err)
		return
	}
	hello, err := parseClientHello(msg)
	if err != nil {
		s.fail(rec, err)
		return
	}
	s.mu.Lock()
	rec.Hello = hello
	rec.JA4, rec.JA4R = JA4(hello), JA4R(hello)
	rec.JA4O, rec.JA4RO = JA4O(hello), JA4RO(hello)
	rec.JA3, rec.JA3Hash = JA3(hello), JA3Hash(hello)
	s.mu.Unlock()

	tc := tls.Server(&replayConn{Conn: c, r: io.MultiReader(bytes.NewReader(raw), c)}, s.conf)
	ctx, cancel := context.WithTimeout(context.Background(), handshakeTimeout)
	err = tc.HandshakeContext(ctx)
	cancel()
	if err != nil {
		s.fail(rec, fmt.Errorf("tls handshake: %w", err))
		return
	}
	_ = c.SetDeadline(time.Time{})
	proto := tc.ConnectionState().NegotiatedProtocol
	if proto == "" {
		proto = "http/1.1"
	}
	s.mu.Lock()
	rec.ALPN = proto
	s.mu.Unlock()
	if proto == "h2" {
		err = s.serveH2(tc, rec)
	} else {
		err = s.serveHTTP1(tc, rec)
	}
	if err != nil && !s.isClosed() {
		s.fail(rec, err)
	}
}

func (s *Server) fail(rec *Record, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec.Err == "" {
		rec.Err = err.Error()
	}
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// addRequest appends req to rec and returns the Record as the client will see it.
func (s *Server) addRequest(rec *Record, req Request) Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec.Requests = append(rec.Requests, req)
	return rec.clone()
}

// replayConn reads the bytes already taken off the connection before the rest.
type replayConn struct {
	net.Conn
	r io.Reader
}

func (c *replayConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// selfSigned makes the server's certificate. It is its own CA, so the pool that holds
// it is all a client needs.
func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("generate certificate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("certificate serial: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "fp.test"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"fp.test", "localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("create certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("parse certificate: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool, nil
}

func (r *Record) clone() Record {
	out := *r
	out.Hello = r.Hello.clone()
	if r.H2 != nil {
		h := *r.H2
		h.Settings = append([]Setting(nil), r.H2.Settings...)
		h.Priorities = append([]Priority(nil), r.H2.Priorities...)
		h.PseudoHeaderOrder = append([]string(nil), r.H2.PseudoHeaderOrder...)
		if r.H2.HeadersPriority != nil {
			p := *r.H2.HeadersPriority
			h.HeadersPriority = &p
		}
		out.H2 = &h
	}
	out.Requests = make([]Request, len(r.Requests))
	for i, q := range r.Requests {
		q.HeaderOrder = append([]string(nil), q.HeaderOrder...)
		q.Header = q.Header.Clone()
		out.Requests[i] = q
	}
	return out
}

func (h Hello) clone() Hello {
	h.SupportedVersions = append([]uint16(nil), h.SupportedVersions...)
	h.CipherSuites = append([]uint16(nil), h.CipherSuites...)
	h.Extensions = append([]uint16(nil), h.Extensions...)
	h.Groups = append([]uint16(nil), h.Groups...)
	h.SignatureAlgorithms = append([]uint16(nil), h.SignatureAlgorithms...)
	h.PointFormats = append([]uint8(nil), h.PointFormats...)
	h.ALPN = append([]string(nil), h.ALPN...)
	h.KeyShares = append([]uint16(nil), h.KeyShares...)
	return h
}

// responseBody is what every request gets: its connection's Record.
func responseBody(rec Record) []byte {
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		// A Record holds only strings, numbers and slices of them.
		return []byte(`{"error":` + strconv.Quote(err.Error()) + `}`)
	}
	return append(b, '\n')
}

// MarshalJSON writes the point formats as numbers, as the other lists are, rather
// than the base64 encoding/json gives a []uint8. (They read back either way.)
func (h Hello) MarshalJSON() ([]byte, error) {
	type plain Hello
	points := make([]uint16, len(h.PointFormats))
	for i, p := range h.PointFormats {
		points[i] = uint16(p)
	}
	return json.Marshal(struct {
		plain
		PointFormats []uint16 `json:"point_formats"`
	}{plain(h), points})
}
