package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/url"
	"syscall"
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/netguard"
)

// classify turns a failed request (or body read) into the short text a check records
// and decides whether a retry is worth making. ctx is the check's context and actx the
// attempt's, whose deadline is limit after the attempt began. The text never carries
// header values, and drops the URL that the client's errors repeat (it may hold tokens).
// private is set when the request reached a host only the operator's exception let
// through: text that host sent (a certificate's names, a malformed answer's first
// bytes) is then left out, so a check cannot be used to read an internal service.
func classify(ctx, actx context.Context, err error, limit time.Duration, private bool) result {
	switch {
	case ctx.Err() != nil:
		// Shutdown, not the target's fault; the caller sees ctx.Err() and drops the check.
		return result{err: "check cancelled"}
	case errors.Is(err, netguard.ErrForbidden):
		// The policy will refuse the same address next time too.
		return result{err: forbiddenText(err)}
	case errors.Is(err, errTooManyRedirects):
		return result{err: errTooManyRedirects.Error()}
	case errors.Is(actx.Err(), context.DeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		return result{err: "timeout after " + roundLimit(limit).String(), retry: true}
	}

	var (
		certErr   *tls.CertificateVerificationError
		recordErr tls.RecordHeaderError
		alertErr  tls.AlertError
		dnsErr    *net.DNSError
		netErr    net.Error
	)
	switch {
	// A bad certificate or a failed handshake stays bad until someone fixes the server;
	// retrying only delays the news.
	case errors.As(err, &certErr) && private:
		// The kind of failure is ours to say; the names in the certificate are not.
		return result{err: "tls: failed to verify certificate" + certProblem(certErr.Err)}
	case errors.As(err, &certErr):
		return result{err: certErr.Error()}
	case errors.As(err, &recordErr):
		return result{err: "tls: the server did not answer with TLS"}
	case errors.As(err, &alertErr):
		return result{err: "tls handshake failed: " + alertErr.Error()}
	case isRemoteAlert(err):
		// The server refused the handshake (a client certificate it wants, a version
		// it does not speak); the alert is one of TLS's fixed codes, safe to show.
		return result{err: "tls handshake refused by the server: " + remoteAlertText(err)}

	case errors.As(err, &dnsErr):
		// Even "no such host" is retried: resolvers fail in passing, and a record
		// mid-change may be missing for a moment.
		switch {
		case dnsErr.IsNotFound:
			return result{err: "dns lookup " + dnsErr.Name + ": no such host", retry: true}
		case dnsErr.IsTimeout:
			return result{err: "dns lookup " + dnsErr.Name + ": timeout", retry: true}
		default:
			return result{err: "dns lookup " + dnsErr.Name + ": " + dnsErr.Err, retry: true}
		}
	case errors.Is(err, syscall.ECONNREFUSED):
		return result{err: "connection refused", retry: true}
	case errors.Is(err, syscall.ECONNRESET):
		return result{err: "connection reset by peer", retry: true}
	case errors.Is(err, syscall.EHOSTUNREACH):
		return result{err: "host unreachable", retry: true}
	case errors.Is(err, syscall.ENETUNREACH):
		return result{err: "network unreachable", retry: true}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return result{err: "connection closed by the server", retry: true}
	case errors.As(err, &netErr) && netErr.Timeout():
		// A step's own limit (dial, TLS handshake) ran out before the attempt's. Its
		// text names the dialed address, which for a private host would tell whoever
		// saved the URL where an internal name leads.
		if private {
			return result{err: "timeout (details not shown: the host is private)", retry: true}
		}
		return result{err: "timeout: " + withoutURL(err), retry: true}
	}
	// Anything else the network raised may pass; a protocol error (a malformed answer)
	// will not.
	retry := errors.As(err, &netErr)
	var opErr *net.OpError
	switch {
	case private && errors.As(err, &opErr):
		// A socket's error names both ends ("write ip4 0.0.0.0->10.1.2.3: sendto: …").
		return result{err: "network error (details not shown: the host is private)", retry: retry}
	case private:
		return result{err: "invalid answer (not shown: the host is private)", retry: retry}
	}
	return result{err: withoutURL(err), retry: retry}
}

// forbiddenText is the guard's own refusal ("address not allowed: a loopback, …"),
// without the dial and URL context wrapped around it, which would name the address.
func forbiddenText(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil || next == netguard.ErrForbidden || !errors.Is(next, netguard.ErrForbidden) {
			return err.Error()
		}
		err = next
	}
}

// withoutURL is err's text without the method and URL that *url.Error puts in front.
func withoutURL(err error) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err.Error()
	}
	return err.Error()
}

// roundLimit rounds an attempt's time limit for display: a retry squeezed by the budget
// gets a few milliseconds less than its timeout, and "timeout after 998ms" would read
// like a different setting.
func roundLimit(d time.Duration) time.Duration {
	if r := d.Round(100 * time.Millisecond); r > 0 {
		return r
	}
	return d.Round(time.Millisecond)
}

// certProblem names what is wrong with a certificate without quoting it (": signed by
// an unknown authority"), or is empty when the failure is of another kind.
func certProblem(err error) string {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &unknown):
		return ": x509: certificate signed by unknown authority"
	case errors.As(err, &hostname):
		return ": x509: certificate is not valid for the host"
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return ": x509: certificate has expired or is not yet valid"
	case errors.As(err, &invalid):
		return ": x509: certificate is not valid"
	}
	return ""
}
