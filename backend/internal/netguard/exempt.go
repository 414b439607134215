package netguard

import (
	"context"
	"net"
	"net/http/httptrace"
	"sync/atomic"
)

// exemptConn marks a connection to an address the guard let through only because the
// operator allowed private targets or named its network. The mark travels with the
// connection, so a request that reuses it from the pool is known to reach the same host.
type exemptConn struct {
	net.Conn
}

// exemptUDPConn is exemptConn for a UDP connection, kept a *net.UDPConn underneath so
// that it is still a net.PacketConn.
type exemptUDPConn struct {
	*net.UDPConn
}

// Exempt reports whether conn (or the connection under it, for a TLS connection) was
// dialed by a Dialer to an address let through only by the operator's exception.
// Nothing such a host sends may be quoted to whoever chose the URL: a status code
// may be said, the body, headers and error text may not, or saving a URL would be a
// way to read internal pages.
func Exempt(conn net.Conn) bool {
	for conn != nil {
		switch conn.(type) {
		case *exemptConn, *exemptUDPConn:
			return true
		}
		inner, ok := conn.(interface{ NetConn() net.Conn })
		if !ok {
			return false
		}
		conn = inner.NetConn()
	}
	return false
}

// Reach notes whether a request touched an exempt address. Make one with Trace.
type Reach struct {
	exempt atomic.Bool
}

// Exempt reports whether any connection the request dialed or used, redirect hops
// included, went to an address let through only by the operator's exception.
func (r *Reach) Exempt() bool { return r.exempt.Load() }

type reachKey struct{}

// Trace returns ctx set up to fill the returned Reach for an HTTP request made with
// it through a Dialer: from each connection the request gets (a reused one too), and
// from each dial, since a TLS handshake that fails never hands the request a
// connection but has already heard from the host.
func Trace(ctx context.Context) (context.Context, *Reach) {
	r := &Reach{}
	ctx = context.WithValue(ctx, reachKey{}, r)
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) {
			if Exempt(info.Conn) {
				r.exempt.Store(true)
			}
		},
	})
	return ctx, r
}

// markReach records an exempt dial in ctx's Reach, if it has one.
func markReach(ctx context.Context) {
	if r, ok := ctx.Value(reachKey{}).(*Reach); ok {
		r.exempt.Store(true)
	}
}
