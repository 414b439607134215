package probe

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"

	req "github.com/imroc/req/v3"
	reqhttp2 "github.com/imroc/req/v3/http2"
	utls "github.com/refraction-networking/utls"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// An http target with Impersonate set is checked through a transport of that browser's:
// its TLS ClientHello (utls), its HTTP/2 connection preface and stream priorities, and its
// header and pseudo-header order (imroc/req's Transport, whose HTTP/2 client writes them
// as told). Services behind a bot wall fingerprint those, and answer a Go client with a
// challenge while a browser gets the page.
//
// Everything else is the default transport's: every connection, plain or TLS, redirects
// included, is dialed through the guard's dialer (the ClientHello is written on it by
// dialBrowserTLS); no proxy; no HTTP/3 (req only speaks it when asked, and it would dial
// UDP out of the guard's reach); the same pool sizes, timeouts and header cap.

// browser is what one browser sends: the ClientHello, the HTTP/2 preface and the
// request headers of a top-level navigation.
type browser struct {
	// hello builds the ClientHello of one connection: a new one each time, as the
	// browser shuffles its extensions and GREASE values per connection.
	hello func() (*utls.ClientHelloSpec, error)
	// settings is the SETTINGS frame, in the browser's order; connectionFlow the
	// WINDOW_UPDATE increment it sends for the connection right after.
	settings       []reqhttp2.Setting
	connectionFlow uint32
	// priorityFrames are PRIORITY frames sent after the preface (Firefox's dependency
	// tree); headerPriority is the priority carried by each request's HEADERS frame.
	priorityFrames []reqhttp2.PriorityFrame
	headerPriority reqhttp2.PriorityParam
	pseudoOrder    []string
	// headers are sent with every request unless the target sets its own, in order
	// and spelled as the browser sends them over HTTP/1.1 (over HTTP/2 names are
	// lowercased).
	headers []browserHeader
	// order is where every header goes, those the browser sends only sometimes (a
	// redirect's Referer, a cookie) included; a header of the target's that no browser
	// sends goes after them.
	order []string
}

type browserHeader struct{ name, value string }

// The profiles. Each User-Agent names the version of its ClientHello: an old hello
// under a newer User-Agent is a mismatch bot walls look for.
//
// Chrome's is Chrome 156's (the Chromium installed for the browser tests): utls's
// newest Chrome hello (133: X25519MLKEM768, the new ALPS codepoint, GREASE ECH,
// extension order shuffled per connection as Chrome does) plus what Chrome added since,
// see chrome156Hello. The fingerprint test holds it to that Chromium's JA4. Firefox's
// and Safari's are utls's newest of theirs (Firefox 120, Safari 16), with the HTTP/2
// preface and headers those versions send.
var browsers = map[target.Impersonation]*browser{
	target.ImpersonateChrome: {
		hello: chrome156Hello,
		settings: []reqhttp2.Setting{
			{ID: reqhttp2.SettingHeaderTableSize, Val: 65536},
			{ID: reqhttp2.SettingEnablePush, Val: 0},
			{ID: reqhttp2.SettingInitialWindowSize, Val: 6291456},
			{ID: reqhttp2.SettingMaxHeaderListSize, Val: 262144},
		},
		connectionFlow: 15663105,
		// Weight 256 on the wire as 255: a navigation is Chrome's highest priority.
		headerPriority: reqhttp2.PriorityParam{StreamDep: 0, Exclusive: true, Weight: 255},
		pseudoOrder:    []string{":method", ":authority", ":scheme", ":path"},
		headers: []browserHeader{
			// Over HTTP/1.1 only: HTTP/2 drops connection headers.
			{"Connection", "keep-alive"},
			// The brand list is Chrome's own GREASE for version 156 (its name, version
			// and place all follow from the major version).
			{"sec-ch-ua", `"Not:A-Brand";v="8", "Chromium";v="156", "Google Chrome";v="156"`},
			{"sec-ch-ua-mobile", "?0"},
			{"sec-ch-ua-platform", `"Windows"`},
			{"Upgrade-Insecure-Requests", "1"},
			{"User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"},
			{"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/jxl,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"},
			{"Sec-Fetch-Site", "none"},
			{"Sec-Fetch-Mode", "navigate"},
			{"Sec-Fetch-User", "?1"},
			{"Sec-Fetch-Dest", "document"},
			{"Accept-Encoding", "gzip, deflate, br, zstd"},
			{"Accept-Language", "en-US,en;q=0.9"},
			{"priority", "u=0, i"},
		},
		order: []string{
			"Host", "Connection", "Cache-Control", "sec-ch-ua", "sec-ch-ua-mobile", "sec-ch-ua-platform",
			"Upgrade-Insecure-Requests", "User-Agent", "Accept", "Sec-Fetch-Site", "Sec-Fetch-Mode",
			"Sec-Fetch-User", "Sec-Fetch-Dest", "Referer", "Accept-Encoding", "Accept-Language",
			"Cookie", "priority",
		},
	},
	target.ImpersonateFirefox: {
		hello: helloOf(utls.HelloFirefox_120),
		settings: []reqhttp2.Setting{
			{ID: reqhttp2.SettingHeaderTableSize, Val: 65536},
			{ID: reqhttp2.SettingInitialWindowSize, Val: 131072},
			{ID: reqhttp2.SettingMaxFrameSize, Val: 16384},
		},
		connectionFlow: 12517377,
		// Firefox 120 still builds its dependency tree of idle streams 3 to 13, and hangs
		// each request under one of them.
		priorityFrames: []reqhttp2.PriorityFrame{
			{StreamID: 3, PriorityParam: reqhttp2.PriorityParam{StreamDep: 0, Weight: 200}},
			{StreamID: 5, PriorityParam: reqhttp2.PriorityParam{StreamDep: 0, Weight: 100}},
			{StreamID: 7, PriorityParam: reqhttp2.PriorityParam{StreamDep: 0, Weight: 0}},
			{StreamID: 9, PriorityParam: reqhttp2.PriorityParam{StreamDep: 7, Weight: 0}},
			{StreamID: 11, PriorityParam: reqhttp2.PriorityParam{StreamDep: 3, Weight: 0}},
			{StreamID: 13, PriorityParam: reqhttp2.PriorityParam{StreamDep: 0, Weight: 240}},
		},
		headerPriority: reqhttp2.PriorityParam{StreamDep: 13, Exclusive: false, Weight: 41},
		pseudoOrder:    []string{":method", ":path", ":authority", ":scheme"},
		headers: []browserHeader{
			{"User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0"},
			{"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"},
			{"Accept-Language", "en-US,en;q=0.5"},
			{"Accept-Encoding", "gzip, deflate, br"},
			{"Connection", "keep-alive"},
			{"Upgrade-Insecure-Requests", "1"},
			{"Sec-Fetch-Dest", "document"},
			{"Sec-Fetch-Mode", "navigate"},
			{"Sec-Fetch-Site", "none"},
			{"Sec-Fetch-User", "?1"},
			{"TE", "trailers"},
		},
		order: []string{
			"Host", "User-Agent", "Accept", "Accept-Language", "Accept-Encoding", "Referer",
			"Connection", "Cookie", "Upgrade-Insecure-Requests", "Sec-Fetch-Dest", "Sec-Fetch-Mode",
			"Sec-Fetch-Site", "Sec-Fetch-User", "Cache-Control", "TE",
		},
	},
	target.ImpersonateSafari: {
		// utls's Safari 16.0 hello is every Safari 16's; 16.6 is the last of them.
		hello: helloOf(utls.HelloSafari_16_0),
		settings: []reqhttp2.Setting{
			{ID: reqhttp2.SettingInitialWindowSize, Val: 4194304},
			{ID: reqhttp2.SettingMaxConcurrentStreams, Val: 100},
		},
		connectionFlow: 10485760,
		headerPriority: reqhttp2.PriorityParam{StreamDep: 0, Exclusive: false, Weight: 254},
		pseudoOrder:    []string{":method", ":scheme", ":path", ":authority"},
		headers: []browserHeader{
			{"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
			{"Sec-Fetch-Site", "none"},
			{"Sec-Fetch-Dest", "document"},
			{"Accept-Language", "en-US,en;q=0.9"},
			{"Sec-Fetch-Mode", "navigate"},
			{"User-Agent", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Safari/605.1.15"},
			{"Accept-Encoding", "gzip, deflate, br"},
			{"Connection", "keep-alive"},
		},
		order: []string{
			"Host", "Accept", "Sec-Fetch-Site", "Cookie", "Sec-Fetch-Dest", "Accept-Language",
			"Sec-Fetch-Mode", "User-Agent", "Referer", "Accept-Encoding", "Cache-Control", "Connection",
		},
	},
}

// helloOf is utls's ClientHello for id.
func helloOf(id utls.ClientHelloID) func() (*utls.ClientHelloSpec, error) {
	return func() (*utls.ClientHelloSpec, error) {
		spec, err := utls.UTLSIdToSpec(id)
		if err != nil {
			return nil, fmt.Errorf("client hello %s: %w", id.Str(), err)
		}
		return &spec, nil
	}
}

// Since utls's Chrome 133 hello, Chrome has added ML-DSA to the signature algorithms
// it accepts (with a GREASE value first) and sends the TLS Trust Anchor IDs extension
// with the anchors of its root store. Both are copied from Chromium 156's ClientHello.
// utls cannot verify an ML-DSA signature: a server holding only an ML-DSA certificate
// (no public CA issues them yet) would fail the handshake, where Chrome would not.
const (
	extTrustAnchorIDs = 0xca34
	sigMLDSA44        = utls.SignatureScheme(0x0904)
	sigMLDSA65        = utls.SignatureScheme(0x0905)
	sigMLDSA87        = utls.SignatureScheme(0x0906)
)

// chromeTrustAnchorIDs is the extension's body as Chromium 156 sends it: a list of 28
// trust anchor IDs (relative OIDs), each prefixed by its length.
var chromeTrustAnchorIDs = mustHex("00b8" +
	"0582df130201" + "0582df130206" + "0582df13020d" + "0582df13020e" + "0582df13020f" +
	"0582df130212" + "0582df130213" + "0582df130214" +
	"08839a648c9b2d0107" + "08839a648c9b2d0108" + "08839a648c9b2d0109" + "08839a648c9b2d010a" +
	"08839a648c9b2d010b" + "08839a648c9b2d010c" + "08839a648c9b2d010d" + "08839a648c9b2d0112" +
	"08839a648c9b2d0113" +
	"04d6790901" + "04d6790904" + "04d6790905" + "04d6790906" + "04d6790907" + "04d6790908" +
	"04d679090a" + "04d679090b" + "04d679090c" + "04d679090d" + "04d679090f")

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// chrome156Hello is Chrome 156's ClientHello: utls's Chrome 133 with ML-DSA and a
// GREASE value among the signature algorithms and the Trust Anchor IDs extension,
// extension order shuffled again with it among them.
func chrome156Hello() (*utls.ClientHelloSpec, error) {
	spec, err := helloOf(utls.HelloChrome_133)()
	if err != nil {
		return nil, err
	}
	var grease [1]byte
	if _, err := rand.Read(grease[:]); err != nil {
		return nil, fmt.Errorf("grease: %w", err)
	}
	// A GREASE value is 0x?a?a with the same nibble twice.
	n := uint16(grease[0] & 0x0f)
	greaseSig := utls.SignatureScheme(n<<12 | 0x0a00 | n<<4 | 0x0a)
	exts := spec.Extensions
	for _, ext := range exts {
		if sa, ok := ext.(*utls.SignatureAlgorithmsExtension); ok {
			sa.SupportedSignatureAlgorithms = append([]utls.SignatureScheme{greaseSig, sigMLDSA44, sigMLDSA65, sigMLDSA87}, sa.SupportedSignatureAlgorithms...)
		}
	}
	// Before the closing GREASE extension, which stays last as Chrome keeps it.
	last := len(exts) - 1
	exts = slices.Insert(exts, last, utls.TLSExtension(&utls.GenericExtension{Id: extTrustAnchorIDs, Data: chromeTrustAnchorIDs}))
	spec.Extensions = utls.ShuffleChromeTLSExtensions(exts)
	return spec, nil
}

// browserFor returns the profile of name, or an error for a name no profile has
// (validation keeps those out; a row written by a newer version may not).
func browserFor(name target.Impersonation) (*browser, error) {
	b, ok := browsers[name]
	if !ok {
		return nil, fmt.Errorf("unknown impersonate %q", name)
	}
	return b, nil
}

// browserTransports holds one transport per browser, built on first use, so that the
// checks of every target impersonating a browser share its idle connections.
type browserTransports struct {
	make func(b *browser) http.RoundTripper

	mu     sync.Mutex
	byName map[target.Impersonation]*http.Client
}

func newBrowserTransports(makeTransport func(b *browser) http.RoundTripper) *browserTransports {
	return &browserTransports{make: makeTransport, byName: map[target.Impersonation]*http.Client{}}
}

// client returns the client of the browser named, building its transport on first use.
func (bt *browserTransports) client(name target.Impersonation) (*http.Client, error) {
	b, err := browserFor(name)
	if err != nil {
		return nil, err
	}
	bt.mu.Lock()
	defer bt.mu.Unlock()
	c, ok := bt.byName[name]
	if !ok {
		c = &http.Client{Transport: bt.make(b), CheckRedirect: checkRedirect}
		bt.byName[name] = c
	}
	return c, nil
}

// closeIdle closes the idle connections of every browser's transport.
func (bt *browserTransports) closeIdle() {
	bt.mu.Lock()
	defer bt.mu.Unlock()
	for _, c := range bt.byName {
		c.CloseIdleConnections()
	}
}

// newBrowserTransport is the transport of an http check impersonating b: tlsConfig
// (nil for the defaults) carries a target's TLS options. Plain connections are dialed
// by dial, the guard's, and so are TLS ones, by dialBrowserTLS.
func newBrowserTransport(dial dialFunc, b *browser, tlsConfig *tls.Config) http.RoundTripper {
	t := req.T()
	// req defaults to the environment's proxy: a proxy would dial the target itself,
	// out of the guard's reach.
	t.Proxy = nil
	t.DialContext = dial
	// Set for both: req's own HTTP/2 dialer, used only when it has no connection from
	// this transport, would otherwise dial with a zero net.Dialer.
	t.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return dialBrowserTLS(ctx, dial, network, addr, b, tlsConfig)
	}
	t.MaxIdleConns = maxIdleConns
	t.MaxIdleConnsPerHost = maxIdleConnsPerHost
	t.IdleConnTimeout = idleConnTimeout
	t.ExpectContinueTimeout = expectContinueTimeout
	t.MaxResponseHeaderBytes = maxResponseHeaderBytes
	t.SetHTTP2MaxHeaderListSize(maxResponseHeaderBytes)
	// req would also re-encode a text body of another charset to UTF-8; net/http does
	// not, and conditions must see the same bytes whichever transport fetched them.
	t.DisableAutoDecode()
	t.SetHTTP2SettingsFrame(b.settings...)
	t.SetHTTP2ConnectionFlow(b.connectionFlow)
	t.SetHTTP2HeaderPriority(b.headerPriority)
	if len(b.priorityFrames) > 0 {
		t.SetHTTP2PriorityFrames(b.priorityFrames...)
	}
	// The browser's Accept-Encoding brings br and zstd answers as well as gzip.
	return &decodingTransport{next: t}
}

type dialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// browserHandshakeTimeout is a TLS handshake that ran past tlsHandshakeTimeout
// within a longer attempt, worded as net/http words its own.
type browserHandshakeTimeout struct{}

func (browserHandshakeTimeout) Error() string   { return "tls handshake timeout" }
func (browserHandshakeTimeout) Timeout() bool   { return true }
func (browserHandshakeTimeout) Temporary() bool { return true }

// dialBrowserTLS dials addr through dial and makes the TLS handshake with hello, the
// browser's ClientHello. The ALPN it offers is the browser's (h2 and http/1.1); the
// transport speaks whichever the server picks.
func dialBrowserTLS(ctx context.Context, dial dialFunc, network, addr string, b *browser, tlsConfig *tls.Config) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	spec, err := b.hello()
	if err != nil {
		return nil, err
	}
	raw, err := dial(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	// An IP address is kept out of the SNI by utls, as browsers do, and still checked
	// against the certificate's IP names.
	cfg := &utls.Config{ServerName: host}
	if tlsConfig != nil {
		cfg.RootCAs = tlsConfig.RootCAs
		cfg.InsecureSkipVerify = tlsConfig.InsecureSkipVerify
		for _, c := range tlsConfig.Certificates {
			cfg.Certificates = append(cfg.Certificates, utlsCertificate(c))
		}
	}
	conn := utls.UClient(raw, cfg, utls.HelloCustom)
	if err := conn.ApplyPreset(spec); err != nil {
		_ = raw.Close()
		return nil, fmt.Errorf("client hello: %w", err)
	}
	hctx, cancel := context.WithTimeout(ctx, tlsHandshakeTimeout)
	defer cancel()
	if err := conn.HandshakeContext(hctx); err != nil {
		_ = raw.Close()
		if ctx.Err() == nil && hctx.Err() != nil {
			return nil, browserHandshakeTimeout{}
		}
		return nil, stdTLSError(err)
	}
	// Safari 16's hello offers TLS 1.0 and 1.1 (and CBC and 3DES suites with them), and
	// utls lets the server pick them. The hello stays the browser's; the version the
	// server picked is held to the default client's floor afterwards, so that an old
	// server is down whichever client checks it.
	// The default client's floor (tlsConfig's, when the target has TLS options, is the
	// same): a browser's hello may offer older versions, the check may not take them.
	const minVersion = tls.VersionTLS12
	if v := conn.ConnectionState().Version; v < minVersion {
		_ = conn.Close()
		return nil, fmt.Errorf("server chose %s, below %s: %w", tls.VersionName(v), tls.VersionName(minVersion), tls.AlertError(alertProtocolVersion))
	}
	return browserConn{conn}, nil
}

// alertProtocolVersion is TLS's protocol_version alert ("tls: protocol version not
// supported"), which is what the default client's check of such a server reads.
const alertProtocolVersion = 70

// utlsCertificate is c, a client certificate, as utls takes it.
func utlsCertificate(c tls.Certificate) utls.Certificate {
	// nil, not empty, when the certificate names none: utls reads an empty list as
	// "no algorithm allowed" and would never send the certificate.
	var algs []utls.SignatureScheme
	for _, a := range c.SupportedSignatureAlgorithms {
		algs = append(algs, utls.SignatureScheme(a))
	}
	return utls.Certificate{
		Certificate:                  c.Certificate,
		PrivateKey:                   c.PrivateKey,
		SupportedSignatureAlgorithms: algs,
		OCSPStaple:                   c.OCSPStaple,
		SignedCertificateTimestamps:  c.SignedCertificateTimestamps,
		Leaf:                         c.Leaf,
	}
}

// stdTLSError turns utls's handshake errors into crypto/tls's, which classify knows:
// a certificate that did not verify (and its end date), a server not speaking TLS, an
// alert. A remote alert is a *net.OpError in both already.
func stdTLSError(err error) error {
	var (
		certErr   *utls.CertificateVerificationError
		recordErr utls.RecordHeaderError
		alertErr  utls.AlertError
	)
	switch {
	case errors.As(err, &certErr):
		return &tls.CertificateVerificationError{UnverifiedCertificates: certErr.UnverifiedCertificates, Err: certErr.Err}
	case errors.As(err, &recordErr):
		// Wrapped, as net/http's transport returns it: http.Client turns a bare one
		// whose record starts "HTTP/" into ErrSchemeMismatch, which classify does not
		// know as a TLS failure.
		return fmt.Errorf("tls handshake: %w", tls.RecordHeaderError{Msg: recordErr.Msg, RecordHeader: recordErr.RecordHeader, Conn: recordErr.Conn})
	case errors.As(err, &alertErr):
		return tls.AlertError(alertErr)
	}
	return err
}

// browserConn is a utls connection as the transport wants it: with crypto/tls's
// ConnectionState, which tells it the protocol negotiated and fills resp.TLS (so an
// impersonated check records its certificate's end like any other).
type browserConn struct{ *utls.UConn }

func (c browserConn) ConnectionState() tls.ConnectionState {
	cs := c.UConn.ConnectionState()
	state := tls.ConnectionState{
		Version:                     cs.Version,
		HandshakeComplete:           cs.HandshakeComplete,
		DidResume:                   cs.DidResume,
		CipherSuite:                 cs.CipherSuite,
		NegotiatedProtocol:          cs.NegotiatedProtocol,
		ServerName:                  cs.ServerName,
		PeerCertificates:            cs.PeerCertificates,
		VerifiedChains:              cs.VerifiedChains,
		SignedCertificateTimestamps: cs.SignedCertificateTimestamps,
		OCSPResponse:                cs.OCSPResponse,
	}
	// Always true since Go 1.16, and deprecated for it; req's transport still reads it
	// to choose HTTP/2.
	//lint:ignore SA1019 req reads it
	state.NegotiatedProtocolIsMutual = true
	return state
}

// setBrowserHeaders gives req the browser's headers, the target's own over them (its
// User-Agent too), and the order req's transport writes them in.
func setBrowserHeaders(r *http.Request, b *browser, own map[string]string) {
	headers := slices.Clone(b.headers)
	if !trustworthy(r.URL) {
		// Browsers send fetch metadata and client hints only to a potentially
		// trustworthy origin (https, or the machine's own loopback): over plain http
		// to any other host they would give the profile away.
		headers = slices.DeleteFunc(headers, func(h browserHeader) bool { return secureOnly(h.name) })
	}
	var extra []string
	for name, value := range own {
		i := slices.IndexFunc(headers, func(h browserHeader) bool { return strings.EqualFold(h.name, name) })
		if i >= 0 {
			headers[i].value = value
			continue
		}
		headers = append(headers, browserHeader{http.CanonicalHeaderKey(name), value})
		if !slices.ContainsFunc(b.order, func(o string) bool { return strings.EqualFold(o, name) }) {
			extra = append(extra, http.CanonicalHeaderKey(name))
		}
	}
	// The keys are the browser's spelling, lowercase sec-ch-ua and all, which
	// HTTP/1.1 sends as written.
	for _, h := range headers {
		r.Header[h.name] = []string{h.value}
	}
	// Every header sent is named in the order: req's sort leaves the rest where map
	// iteration put them.
	order := b.order // req's sort only reads it
	if len(extra) > 0 {
		slices.Sort(extra)
		order = slices.Concat(b.order, extra)
	}
	r.Header[req.HeaderOderKey] = order
	r.Header[req.PseudoHeaderOderKey] = b.pseudoOrder
}

// secureOnly reports whether a browser sends the header named only to a potentially
// trustworthy origin: the Sec-Fetch-* fetch metadata and the Sec-CH-* client hints.
func secureOnly(name string) bool {
	name = strings.ToLower(name)
	return strings.HasPrefix(name, "sec-fetch-") || strings.HasPrefix(name, "sec-ch-")
}

// trustworthy reports whether u's origin is potentially trustworthy as browsers judge
// it (the Secure Contexts spec): https, or a loopback host, which a browser trusts
// over plain http too.
func trustworthy(u *url.URL) bool {
	if u.Scheme == "https" {
		return true
	}
	host := strings.ToLower(u.Hostname())
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}
