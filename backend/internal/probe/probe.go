// Package probe makes one check of one target, by its type: an HTTP request judged
// against the expected status, a TCP connect, a TLS handshake, a DNS query or ICMP
// echoes, each retried with backoff when the failure may be passing, judged against the
// target's conditions and recorded as a target.Check. Every connection it opens,
// redirects and DNS resolvers included, is dialed through the netguard policy, and an
// address it pings is judged by it, so a user-supplied URL cannot reach private
// addresses.
package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	probing "github.com/prometheus-community/pro-bing"

	"github.com/watchdog-monitor/watchdog/backend/internal/netguard"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// Defaults for Options.
const (
	DefaultMaxBodyBytes = 1 << 20
	// DefaultUserAgent is a desktop Chrome on Windows. Some sites and bot filters answer
	// an unknown client with 403 or a challenge page, which would show a healthy site as
	// down; bump the version now and then so it keeps looking current.
	DefaultUserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36"
)

// Browser-like defaults, so a site answers the probe as it answers its visitors.
const (
	defaultAccept         = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
	defaultAcceptLanguage = "en-US,en;q=0.9"
)

const (
	// maxRedirects is how many redirects one attempt follows before it gives up.
	maxRedirects = 5
	// minAttempt is the least time worth giving a retry: one that cannot get this much
	// before the check's budget runs out is not started.
	minAttempt = time.Second
	// budgetSlack absorbs the few milliseconds by which each attempt ends after its own
	// deadline. CheckBudget is sized for every attempt to run its full timeout, so
	// without it a check whose attempts all time out would always lose its last retry.
	budgetSlack = 100 * time.Millisecond
	// dialTimeout and tlsHandshakeTimeout only bound the steps of a very long attempt;
	// the attempt's own deadline usually ends them first.
	dialTimeout         = 30 * time.Second
	tlsHandshakeTimeout = 10 * time.Second
	// maxResponseHeaderBytes keeps a hostile server from filling memory with headers.
	maxResponseHeaderBytes = 1 << 20
	// The connection pool of every http transport, the browsers' too. Many targets are
	// paths of one host: keep enough connections to it that checks due together reuse
	// them instead of dialing each time.
	maxIdleConns          = 1024
	maxIdleConnsPerHost   = 32
	idleConnTimeout       = 90 * time.Second
	expectContinueTimeout = time.Second
)

// Options configure a Prober.
type Options struct {
	// Guard is required: every dial, redirects included, goes through Guard.Control.
	Guard *netguard.Guard
	// MaxBodyBytes caps how much of a response body is read; 0 means 1 MiB.
	MaxBodyBytes int64
	// UserAgent is sent unless a target sets its own or impersonates a browser (which
	// sends that browser's); empty means DefaultUserAgent.
	UserAgent string
	// Sleep waits between attempts and returns early with an error when ctx ends; nil
	// means a timer honouring ctx. Tests may pass a faster one.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Prober checks targets. It holds one HTTP client whose idle connections are shared
// by every check, so it is safe for concurrent use and meant to be long-lived.
type Prober struct {
	client    *http.Client
	transport *http.Transport
	// dialer connects tcp, tls and http checks through the guard, with a small cache
	// of names' addresses; packetDialer dials a dns check's resolver, over UDP too.
	dialer       *cachingDialer
	packetDialer *netguard.Dialer
	guard        *netguard.Guard
	// tlsConfigs holds the TLS settings (and HTTP transports) of targets with TLS
	// options, so their PEM is parsed once and their connections are reused.
	tlsConfigs *tlsCache
	// browsers holds the transports of http checks impersonating a browser.
	browsers *browserTransports
	// systemResolvers lists the system's DNS resolvers (host:port) for a dns check
	// that names none; nil reads /etc/resolv.conf.
	systemResolvers func() ([]string, error)
	// icmpUnprivileged is set once a raw ICMP socket was refused: later pings go
	// straight to datagram sockets.
	icmpUnprivileged atomic.Bool
	// sendEchoes sends an icmp check's echo requests: ping. Tests replace it to get a
	// send error no kernel here gives on demand.
	sendEchoes   func(ctx context.Context, addr netip.Addr, budget time.Duration) (*probing.Statistics, error)
	maxBodyBytes int64
	userAgent    string
	sleep        func(ctx context.Context, d time.Duration) error
	// drain is closed by Drain: no check waits for a retry any more.
	drain     chan struct{}
	drainOnce sync.Once
}

// New returns a Prober. It panics when opts.Guard is nil: probing without the SSRF
// guard is a wiring mistake, never a state to run in.
func New(opts Options) *Prober {
	if opts.Guard == nil {
		panic("probe.New: Options.Guard is required")
	}
	dialer := opts.Guard.Dialer()
	dialer.Timeout = dialTimeout
	caching := newCachingDialer(dialer.DialContext)
	packetDialer := opts.Guard.PacketDialer()
	packetDialer.Timeout = dialTimeout
	transport := newTransport(caching.DialContext, nil)
	p := &Prober{
		drain:           make(chan struct{}),
		transport:       transport,
		dialer:          caching,
		packetDialer:    packetDialer,
		guard:           opts.Guard,
		systemResolvers: resolvConfServers,
		maxBodyBytes:    opts.MaxBodyBytes,
		userAgent:       opts.UserAgent,
		sleep:           opts.Sleep,
	}
	p.sendEchoes = p.ping
	p.tlsConfigs = newTLSCache(tlsCacheSize, func(cfg *tls.Config) *http.Transport {
		return newTransport(caching.DialContext, cfg)
	}, func(b *browser, cfg *tls.Config) http.RoundTripper {
		return newBrowserTransport(caching.DialContext, b, cfg)
	})
	p.browsers = newBrowserTransports(func(b *browser) http.RoundTripper {
		return newBrowserTransport(caching.DialContext, b, nil)
	})
	p.client = &http.Client{Transport: transport, CheckRedirect: checkRedirect}
	if p.maxBodyBytes <= 0 {
		p.maxBodyBytes = DefaultMaxBodyBytes
	}
	if p.userAgent == "" {
		p.userAgent = DefaultUserAgent
	}
	if p.sleep == nil {
		p.sleep = sleep
	}
	return p
}

// newTransport is the HTTP transport of every http check: the shared one (tlsConfig
// nil) and those of targets with TLS options, which differ from it only in their TLS
// settings. All dial through dial, the guard's.
func newTransport(dial func(ctx context.Context, network, addr string) (net.Conn, error), tlsConfig *tls.Config) *http.Transport {
	return &http.Transport{
		// Environment proxies are ignored: a proxy would dial the target itself, out of
		// the guard's reach.
		Proxy:                  nil,
		DialContext:            dial,
		TLSClientConfig:        tlsConfig,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    tlsHandshakeTimeout,
		MaxIdleConns:           maxIdleConns,
		MaxIdleConnsPerHost:    maxIdleConnsPerHost,
		IdleConnTimeout:        idleConnTimeout,
		ExpectContinueTimeout:  expectContinueTimeout,
		MaxResponseHeaderBytes: maxResponseHeaderBytes,
	}
}

// Drain makes every check stop at its current attempt instead of waiting to retry:
// at shutdown, a retry minutes away is better made by whichever replica runs next.
func (p *Prober) Drain() {
	p.drainOnce.Do(func() { close(p.drain) })
}

// Close closes idle connections. Checks still running keep theirs until they end.
func (p *Prober) Close() {
	p.transport.CloseIdleConnections()
	p.tlsConfigs.closeIdle()
	p.browsers.closeIdle()
}

// errTooManyRedirects ends an attempt whose redirects go on past maxRedirects.
var errTooManyRedirects = fmt.Errorf("stopped after %d redirects", maxRedirects)

// checkRedirect follows up to maxRedirects redirects. Each hop is a new request that
// dials through the guard, so a redirect to a refused address fails like a direct one.
func checkRedirect(_ *http.Request, via []*http.Request) error {
	// via holds the requests already sent: the original plus the redirects followed.
	if len(via) > maxRedirects {
		return errTooManyRedirects
	}
	return nil
}

// wait sleeps before a retry, and stops early when the prober drains or ctx ends.
func (p *Prober) wait(ctx context.Context, d time.Duration) error {
	select {
	case <-p.drain:
		return context.Canceled
	default:
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-p.drain:
			cancel()
		case <-ctx.Done():
		}
	}()
	return p.sleep(ctx, d)
}

// sleep waits for d, or less when ctx ends first.
func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// Check runs one check of t: the first attempt, then retries with backoff for failures
// that may pass (network errors, timeouts, 5xx answers, a resolver's SERVFAIL). It
// always returns a Check, never an error: a failure is recorded in Check.Error with OK
// false. The whole check stays within t.CheckBudget(). When ctx is cancelled
// (shutdown) it returns promptly; the caller tells a cancelled check apart by
// ctx.Err(). Each type has its own attempt (see checker); the retries are the same for
// all.
func (p *Prober) Check(ctx context.Context, t target.Target) target.Check {
	start := time.Now()
	check := target.Check{TargetID: t.ID, CheckedAt: start.UTC()}

	attempt, err := p.checker(t)
	if err != nil {
		// Validation should have stopped this target; say why it is not checked.
		check.Error = cleanText(err.Error())
		return check
	}

	deadline := start.Add(t.CheckBudget())
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}

	var firstStart time.Time
	var res result
	for n := 0; ; n++ {
		if n > 0 {
			wait := t.RetryDelay(n)
			// A retry that could not get a useful attempt in before the deadline would
			// only push the check past its budget; keep the failure we have.
			if time.Now().Add(wait + min(minAttempt, t.Timeout()) - budgetSlack).After(deadline) {
				break
			}
			if err := p.wait(ctx, wait); err != nil {
				// Shutdown (or ctx) cut the retries short: the outcome is incomplete.
				check.Interrupted = true
				break
			}
		}
		attemptStart := time.Now()
		if n == 0 {
			firstStart = attemptStart
		}
		res = runAttempt(ctx, attempt, t, attemptStart, deadline)
		check.Attempts = n + 1
		if res.err == "" || !res.retry || n >= t.Retries || ctx.Err() != nil {
			break
		}
	}

	check.LatencyMS = int(res.latency.Milliseconds())
	check.StatusCode = res.status
	check.OK = res.err == ""
	check.Error = cleanText(res.err)
	check.CertExpiresAt = res.certExpiresAt
	check.Answer = res.answer
	check.PacketLoss = res.packetLoss
	// Only an http service sleeps and wakes (keep-warm is http-only): a slow tcp
	// connect or ping is just slow.
	if check.OK && isHTTP(t.Type) {
		slowFirst := check.Attempts == 1 && res.latency > target.ColdThreshold(t.MedianLatencyMS)
		if check.Attempts > 1 || slowFirst {
			// The target was asleep and this check woke it: the wake time runs from the
			// first knock to the answer, waits between attempts included.
			check.ColdStart = true
			wake := int(res.end.Sub(firstStart).Milliseconds())
			check.WakeMS = &wake
		}
	}
	return check
}

func isHTTP(typ target.Type) bool { return typ == "" || typ == target.TypeHTTP }

// isHTTPS reports whether an http target's URL is https, as target.Target.HTTPS does
// for a target whose type may still be "" (http).
func isHTTPS(rawURL string) bool {
	return target.Target{Type: target.TypeHTTP, URL: rawURL}.HTTPS()
}

// attemptFunc makes one attempt of a check, begun at start. actx is the attempt's
// context, whose deadline is limit after start; ctx is the check's, which tells a
// shutdown from the attempt's own timeout. It sets the result's latency and end.
type attemptFunc func(ctx, actx context.Context, start time.Time, limit time.Duration) result

// checker prepares t's checks of its type, parsing once what every attempt uses (its
// endpoint, conditions, TLS options). An error says why t cannot be checked at all.
func (p *Prober) checker(t target.Target) (attemptFunc, error) {
	typ := t.Type
	if typ == "" {
		typ = target.TypeHTTP
	}
	if typ == target.TypeHeartbeat {
		// The scheduler judges a heartbeat's deadlines itself; a probe has nobody to ask.
		return nil, errors.New("heartbeat targets are not probed")
	}
	if !slices.Contains(target.Types, typ) {
		return nil, fmt.Errorf("unknown check type %q", typ)
	}
	// Compiled once per check, so retries do not parse the same regexps and paths again.
	conds, err := target.CompileConditionsFor(typ, t.Conditions)
	if err != nil {
		return nil, fmt.Errorf("invalid conditions: %w", err)
	}
	if typ == target.TypeHTTP {
		return p.httpChecker(t, conds)
	}
	ep, err := target.ParseEndpoint(typ, t.URL)
	if err != nil {
		return nil, fmt.Errorf("invalid url: %w", err)
	}
	switch typ {
	case target.TypeTCP:
		return p.tcpChecker(ep, conds), nil
	case target.TypeTLS:
		return p.tlsChecker(t, ep, conds)
	case target.TypeDNS:
		return p.dnsChecker(ep, conds), nil
	default: // icmp
		return p.icmpChecker(ep, conds), nil
	}
}

// runAttempt makes one attempt within the target's timeout, cut short by the check's
// deadline.
func runAttempt(ctx context.Context, attempt attemptFunc, t target.Target, start, checkDeadline time.Time) result {
	limit := min(t.Timeout(), checkDeadline.Sub(start))
	actx, cancel := context.WithDeadline(ctx, start.Add(limit))
	defer cancel()
	return attempt(ctx, actx, start, limit)
}

// judge evaluates conds on a (whose latency is r's) and fails r with every condition
// not met. Only a latency or packet-loss failure may pass, so only those are retried.
func judge(r result, conds target.Conditions, a target.Answer) result {
	if conds.Len() == 0 {
		return r
	}
	a.Latency = r.latency
	failures, transient := conds.Evaluate(a)
	if len(failures) > 0 {
		r.err = "condition failed: " + strings.Join(failures, "; ")
		r.retry = transient
	}
	return r
}

// maxErrorLen bounds a check's error text: enough for any message of ours or Go's.
const maxErrorLen = 1024

// cleanText makes error text safe to store and show. Parts of it come from the remote
// side (a certificate's names, a server's status line) and may hold invalid UTF-8 or
// a NUL, which PostgreSQL refuses in text: one such check could never be written.
func cleanText(s string) string { return target.Printable(s, maxErrorLen) }

// result is the outcome of one attempt.
type result struct {
	status  *int
	err     string // empty when the attempt succeeded
	retry   bool   // whether a failure may pass, so a retry is worth making
	latency time.Duration
	end     time.Time
	// What the type measured besides latency: the server certificate's end (https,
	// tls), the dns answer as text, the icmp packet loss.
	certExpiresAt *time.Time
	answer        *string
	packetLoss    *float64
}

// httpChecker prepares the checks of an http target: its expected status, and the
// client to send with (the shared one, or one with the target's TLS options).
func (p *Prober) httpChecker(t target.Target, conds target.Conditions) (attemptFunc, error) {
	expectedText := t.ExpectedStatus
	if expectedText == "" {
		expectedText = target.DefaultExpectedStatus
	}
	expected, err := target.ParseStatusSet(expectedText)
	if err != nil {
		return nil, fmt.Errorf("invalid expected status: %w", err)
	}
	client := p.client
	switch {
	case t.Impersonate != target.ImpersonateNone && hasTLSOptions(t):
		// An invalid PEM fails every check of the target until it is fixed.
		client, err = p.tlsConfigs.browserClient(t)
	case t.Impersonate != target.ImpersonateNone:
		client, err = p.browsers.client(t.Impersonate)
	case hasTLSOptions(t):
		var transport *http.Transport
		transport, err = p.tlsConfigs.transport(t)
		client = &http.Client{Transport: transport, CheckRedirect: checkRedirect}
	}
	if err != nil {
		return nil, err
	}
	return func(ctx, actx context.Context, start time.Time, limit time.Duration) result {
		return p.attemptHTTP(ctx, actx, client, t, expected, expectedText, conds, start, limit)
	}, nil
}

// attemptHTTP sends one request and judges its answer.
func (p *Prober) attemptHTTP(ctx, actx context.Context, client *http.Client, t target.Target, expected target.StatusSet, expectedText string, conds target.Conditions, start time.Time, limit time.Duration) result {
	finish := func(r result) result {
		r.end = time.Now()
		r.latency = r.end.Sub(start)
		return r
	}

	// reach says whether the request touched a host only the operator's exception let
	// through; then nothing that host sent is quoted in the check's error, which whoever
	// saved the URL can read.
	actx, reach := netguard.Trace(actx)
	// The certificate recorded, and judged by cert_days, is the URL's own. An http URL
	// redirected to https has none: the one at the end of the redirect is another
	// URL's, and recording it would open cert_expiry incidents for a plain http target.
	// An https URL redirected to http ends with none, and a cert_days failure says so.
	https := isHTTPS(t.URL)
	certOf := func(state *tls.ConnectionState) *time.Time {
		if !https {
			return nil
		}
		return certExpiry(state)
	}
	req, err := p.newRequest(actx, t)
	if err != nil {
		return finish(result{err: err.Error()})
	}
	resp, err := client.Do(req)
	if err != nil {
		r := classify(ctx, actx, err, limit, reach.Exempt())
		// A certificate that did not verify still says when it ends.
		if https {
			r.certExpiresAt = unverifiedExpiry(err)
		}
		if resp != nil {
			// A stopped redirect chain still had an answer (its body is already closed).
			r.status = &resp.StatusCode
			r.certExpiresAt = certOf(resp.TLS)
		}
		return finish(r)
	}
	// The certificate of the connection that gave the final answer: after a redirect
	// to another https host, that host's (for an https URL only, see certOf).
	certExpiresAt := certOf(resp.TLS)
	// Read the body, up to the cap, so the latency covers the answer and not just its
	// headers, and so a fully read connection can be reused. Closing it after the cap
	// drops a body that runs on; the attempt's deadline bounds a body that trickles.
	// A body is kept only when a condition will read it; then conditions see its first
	// maxBodyBytes, as a longer body is cut there like any other.
	var body bytes.Buffer
	var sink io.Writer = io.Discard
	if conds.NeedsBody() {
		sink = &body
	}
	_, readErr := io.CopyN(sink, resp.Body, p.maxBodyBytes)
	// A read cut short by the attempt's deadline is a timeout, whatever the read
	// returned: over TLS HTTP/1.1 the close_notify sent at the deadline lets a server
	// waiting for its client to go away end its chunked body cleanly, and the EOF that
	// follows is no complete answer. Judged as the read returns, before the close: a
	// body read whole just before the deadline is not a timeout.
	timedOut := errors.Is(actx.Err(), context.DeadlineExceeded) && ctx.Err() == nil
	// Closing a response body reports nothing about the target: an early close is our
	// own choice, and a body read to its end has already told us all it will.
	_ = resp.Body.Close()
	status := resp.StatusCode
	if timedOut || (readErr != nil && !errors.Is(readErr, io.EOF)) {
		r := classify(ctx, actx, readErr, limit, reach.Exempt())
		if ctx.Err() == nil {
			r.err += " reading the body"
		}
		r.status = &status
		r.certExpiresAt = certExpiresAt
		return finish(r)
	}
	if !expected.Contains(status) {
		return finish(result{
			status:        &status,
			certExpiresAt: certExpiresAt,
			err:           fmt.Sprintf("unexpected status %d (expected %s)", status, expectedText),
			// A 5xx is often a deploy or an overload that passes; any other status is
			// the server's considered answer, and asking again would get the same one.
			retry: status >= 500,
		})
	}
	if conds.Len() > 0 {
		// The time spent judging a large body is ours, not the target's: the latency
		// ends when the answer has been read.
		answered := time.Now()
		r := result{status: &status, end: answered, latency: answered.Sub(start), certExpiresAt: certExpiresAt}
		var noCert string
		if https && resp.TLS == nil {
			noCert = "the answer came over plain http after a redirect"
		}
		// The server answered as it meant to, and would again; only slowness may pass.
		return judge(r, conds, target.Answer{
			NoCertReason:  noCert,
			Status:        status,
			Header:        resp.Header,
			Body:          body.Bytes(),
			CertExpiresAt: certExpiresAt,
			Now:           answered,
			Private:       reach.Exempt(),
		})
	}
	return finish(result{status: &status, certExpiresAt: certExpiresAt})
}

// newRequest builds the request for t: browser-like defaults, then the target's own
// headers over them. A target impersonating a browser gets that browser's headers, in
// its order, and not the prober's User-Agent: the one sent must name the browser whose
// ClientHello went before it.
func (p *Prober) newRequest(ctx context.Context, t target.Target) (*http.Request, error) {
	method := t.Method
	if method == "" {
		method = target.DefaultMethod
	}
	req, err := http.NewRequestWithContext(ctx, method, t.URL, nil)
	if err != nil {
		// A URL error repeats the URL, query tokens and all; keep to what went wrong.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, fmt.Errorf("invalid request: %w", err)
	}
	own := t.Headers
	if host, ok := hostHeader(own); ok {
		// Go sends req.Host, not a Host header; honour it for virtual-host checks.
		req.Host = host
		own = maps.Clone(own)
		maps.DeleteFunc(own, func(name, _ string) bool { return http.CanonicalHeaderKey(name) == "Host" })
	}
	if t.Impersonate != target.ImpersonateNone {
		b, err := browserFor(t.Impersonate)
		if err != nil {
			return nil, err
		}
		setBrowserHeaders(req, b, own)
		return req, nil
	}
	req.Header.Set("User-Agent", p.userAgent)
	req.Header.Set("Accept", defaultAccept)
	req.Header.Set("Accept-Language", defaultAcceptLanguage)
	for name, value := range own {
		req.Header.Set(name, value)
	}
	return req, nil
}

// hostHeader is the Host header among a target's headers, whatever its spelling.
func hostHeader(headers map[string]string) (string, bool) {
	for name, value := range headers {
		if http.CanonicalHeaderKey(name) == "Host" {
			return value, true
		}
	}
	return "", false
}
