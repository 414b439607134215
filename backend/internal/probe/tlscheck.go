package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/netguard"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// How long a tls check waits after its handshake for the server to refuse it. In TLS
// 1.3 the client's side of the handshake ends before the server has looked at the
// client's certificate, so a server that wants one (or rejects the one sent) says so in
// an alert that follows: about one round trip later. The wait is twice the connect
// time, within these bounds; a server that says nothing in that time accepted us.
const (
	minRejectionWait = 50 * time.Millisecond
	maxRejectionWait = time.Second
)

// tlsChecker prepares the checks of a tls target: a connection through the guard and
// a TLS handshake for the URL's host, the certificate verified for it (unless the
// target skips verification) with the target's CA and client certificate. Its latency
// is connect plus handshake; the certificate's end is recorded.
func (p *Prober) tlsChecker(t target.Target, ep target.Endpoint, conds target.Conditions) (attemptFunc, error) {
	base := &tls.Config{MinVersion: tls.VersionTLS12}
	if hasTLSOptions(t) {
		cfg, err := p.tlsConfigs.config(t)
		if err != nil {
			return nil, err
		}
		base = cfg
	}
	cfg := base.Clone()
	cfg.ServerName = ep.Host
	// A literal address in any form a browser reads (127.1) is verified as the address
	// the guard's dialer connects to.
	if addr, isAddr, err := netguard.ParseHost(ep.Host); err == nil && isAddr {
		cfg.ServerName = addr.WithZone("").String()
	}
	addr := ep.Address()
	return func(ctx, actx context.Context, start time.Time, limit time.Duration) result {
		actx, reach := netguard.Trace(actx)
		fail := func(err error, r result) result {
			if r.err == "" {
				r = classify(ctx, actx, err, limit, reach.Exempt())
			}
			r.end = time.Now()
			r.latency = r.end.Sub(start)
			return r
		}
		conn, err := p.dialer.DialContext(actx, "tcp", addr)
		if err != nil {
			return fail(err, result{})
		}
		connectTime := time.Since(start)
		tconn := tls.Client(conn, cfg)
		// Closing says nothing about the target.
		defer func() { _ = tconn.Close() }()
		if err := tconn.HandshakeContext(actx); err != nil {
			r := fail(err, result{})
			// A certificate that did not verify still says when it ends.
			r.certExpiresAt = unverifiedExpiry(err)
			return r
		}
		end := time.Now()
		state := tconn.ConnectionState()
		certExpiresAt := certExpiry(&state)
		if state.Version >= tls.VersionTLS13 {
			if err := awaitRejection(actx, tconn, connectTime); err != nil {
				r := fail(err, result{})
				r.certExpiresAt = certExpiresAt
				return r
			}
		}
		r := result{end: end, latency: end.Sub(start), certExpiresAt: certExpiresAt}
		return judge(r, conds, target.Answer{CertExpiresAt: certExpiresAt, Now: end, Private: reach.Exempt()})
	}, nil
}

// awaitRejection reads briefly after a TLS 1.3 handshake and returns the alert the
// server sent, if it sent one: "certificate required" or "bad certificate" from a
// server wanting mutual TLS. Data, silence or a plain close are acceptance.
func awaitRejection(ctx context.Context, conn *tls.Conn, connectTime time.Duration) error {
	deadline := time.Now().Add(min(max(2*connectTime, minRejectionWait), maxRejectionWait))
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := conn.SetReadDeadline(deadline); err != nil {
		return nil
	}
	var b [1]byte
	if _, err := conn.Read(b[:]); isRemoteAlert(err) {
		return err
	}
	return nil
}

// isRemoteAlert reports whether err is a TLS alert the server sent.
func isRemoteAlert(err error) bool {
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "remote error"
}

// remoteAlertText is the alert inside a remote error ("tls: certificate required").
func remoteAlertText(err error) string {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Err != nil {
		return opErr.Err.Error()
	}
	return err.Error()
}
