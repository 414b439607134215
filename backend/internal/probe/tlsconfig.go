package probe

import (
	"container/list"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// tlsCacheSize bounds how many targets' TLS settings are kept at once. Targets with
// their own CA or client certificate are few, and often share them; one evicted only
// costs a parse and new connections on its next check.
const tlsCacheSize = 256

// hasTLSOptions reports whether t sets any TLS option, so that the defaults (system
// roots, full verification, no client certificate) do not do for it.
func hasTLSOptions(t target.Target) bool {
	return t.TLSCAPEM != "" || t.TLSClientCertPEM != "" || t.TLSClientKeyPEM != "" || t.TLSSkipVerify
}

// tlsConfig builds the TLS client settings of t's TLS options: its CA trusted besides
// the system's roots, its client certificate offered for mutual TLS, and verification
// skipped when it asks. It is the one place both https and tls checks get them from.
// Skipping verification changes what is accepted from the server, never where a check
// may connect: every dial still goes through the guard.
func tlsConfig(t target.Target) (*tls.Config, error) {
	m, errs := target.ParseTLSOptions(t.TLSCAPEM, t.TLSClientCertPEM, t.TLSClientKeyPEM)
	if len(errs) > 0 {
		return nil, fmt.Errorf("invalid TLS options: %s: %s", errs[0].Field, errs[0].Message)
	}
	cfg := &tls.Config{
		MinVersion: tls.VersionTLS12,
		// An operator's choice for self-signed internal services, off by default and
		// shown as a warning on the target.
		InsecureSkipVerify: t.TLSSkipVerify,
	}
	if len(m.CAs) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil {
			// No system roots (a scratch image without CA certificates): the target's
			// CA alone.
			pool = x509.NewCertPool()
		}
		for _, ca := range m.CAs {
			pool.AddCert(ca)
		}
		cfg.RootCAs = pool
	}
	if m.ClientCert != nil {
		cfg.Certificates = []tls.Certificate{*m.ClientCert}
	}
	return cfg, nil
}

// tlsKey identifies a set of TLS options, without keeping the private key in memory
// twice.
type tlsKey [sha256.Size]byte

func keyOf(t target.Target) tlsKey {
	h := sha256.New()
	for _, s := range []string{t.TLSCAPEM, t.TLSClientCertPEM, t.TLSClientKeyPEM} {
		// Each field's length first, so no two sets of fields hash alike.
		_ = binary.Write(h, binary.BigEndian, uint64(len(s)))
		h.Write([]byte(s))
	}
	if t.TLSSkipVerify {
		h.Write([]byte{1})
	} else {
		h.Write([]byte{0})
	}
	return tlsKey(h.Sum(nil))
}

// tlsCache keeps the TLS settings of recently checked targets with TLS options, and
// for http ones the transport built on them, least recently used first out. An
// evicted transport's idle connections are closed; a check still using one of its
// connections keeps it until it ends.
type tlsCache struct {
	max  int
	make func(*tls.Config) *http.Transport
	// makeBrowser builds the transport of an http check impersonating a browser with
	// these options: the options' certificates and roots with the browser's ClientHello.
	makeBrowser func(*browser, *tls.Config) http.RoundTripper

	mu    sync.Mutex
	order *list.List // of *tlsEntry, most recently used at the front
	byKey map[tlsKey]*list.Element
}

type tlsEntry struct {
	key       tlsKey
	config    *tls.Config
	transport *http.Transport // built on first use by an http check
	// browsers holds the transports of http checks impersonating a browser with these
	// options, each built on first use.
	browsers *browserTransports
}

func newTLSCache(size int, makeTransport func(*tls.Config) *http.Transport, makeBrowser func(*browser, *tls.Config) http.RoundTripper) *tlsCache {
	return &tlsCache{max: size, make: makeTransport, makeBrowser: makeBrowser, order: list.New(), byKey: map[tlsKey]*list.Element{}}
}

// config returns t's TLS settings, shared: the caller must Clone it before changing
// anything.
func (c *tlsCache) config(t target.Target) (*tls.Config, error) {
	e, err := c.entry(t)
	if err != nil {
		return nil, err
	}
	return e.config, nil
}

// transport returns the HTTP transport for t's TLS options.
func (c *tlsCache) transport(t target.Target) (*http.Transport, error) {
	e, err := c.entry(t)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.transport == nil {
		e.transport = c.make(e.config)
	}
	return e.transport, nil
}

// browserClient returns the client of an http check of t impersonating t.Impersonate
// with t's TLS options.
func (c *tlsCache) browserClient(t target.Target) (*http.Client, error) {
	e, err := c.entry(t)
	if err != nil {
		return nil, err
	}
	return e.browsers.client(t.Impersonate)
}

func (c *tlsCache) entry(t target.Target) (*tlsEntry, error) {
	key := keyOf(t)
	c.mu.Lock()
	if el, ok := c.byKey[key]; ok {
		c.order.MoveToFront(el)
		c.mu.Unlock()
		return el.Value.(*tlsEntry), nil
	}
	c.mu.Unlock()
	// Parsed outside the lock: two checks missing at once both parse, and the second
	// keeps the first one's entry. An invalid set is not kept, so it fails every check
	// until it is fixed.
	cfg, err := tlsConfig(t)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[key]; ok {
		c.order.MoveToFront(el)
		return el.Value.(*tlsEntry), nil
	}
	e := &tlsEntry{key: key, config: cfg, browsers: newBrowserTransports(func(b *browser) http.RoundTripper {
		return c.makeBrowser(b, cfg)
	})}
	c.byKey[key] = c.order.PushFront(e)
	for c.order.Len() > c.max {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		old := oldest.Value.(*tlsEntry)
		delete(c.byKey, old.key)
		old.closeIdle()
	}
	return e, nil
}

// closeIdle closes the idle connections of every transport kept.
func (c *tlsCache) closeIdle() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for el := c.order.Front(); el != nil; el = el.Next() {
		el.Value.(*tlsEntry).closeIdle()
	}
}

// closeIdle closes the idle connections of e's transports.
func (e *tlsEntry) closeIdle() {
	if e.transport != nil {
		e.transport.CloseIdleConnections()
	}
	e.browsers.closeIdle()
}

// certExpiry is when the leaf certificate of a TLS connection ends, in UTC; nil
// without TLS.
func certExpiry(state *tls.ConnectionState) *time.Time {
	if state == nil || len(state.PeerCertificates) == 0 {
		return nil
	}
	end := state.PeerCertificates[0].NotAfter.UTC()
	return &end
}

// unverifiedExpiry is when the leaf certificate a failed verification looked at ends:
// an expired or untrusted certificate still has a date worth recording.
func unverifiedExpiry(err error) *time.Time {
	var certErr *tls.CertificateVerificationError
	if !errors.As(err, &certErr) || len(certErr.UnverifiedCertificates) == 0 {
		return nil
	}
	end := certErr.UnverifiedCertificates[0].NotAfter.UTC()
	return &end
}
