package apiclient

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// retryTransport sends a request again when the server asks for patience (429, 503)
// or, for a method that may safely run twice, when the network failed. It waits for
// the answer's Retry-After, else backs off exponentially with jitter.
type retryTransport struct {
	next    http.RoundTripper
	retries int
	maxWait time.Duration
	backoff time.Duration
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	attempt := req
	for n := 0; ; n++ {
		res, err := t.next.RoundTrip(attempt)
		if n == t.retries {
			return res, err
		}
		wait, ok := t.wait(req, res, err, n)
		if !ok {
			return res, err
		}
		next, rerr := rewind(req)
		if rerr != nil {
			// Without a fresh body the request cannot be sent again: keep the answer.
			return res, err
		}
		if res != nil {
			discard(res)
		}
		if err := sleep(ctx, wait); err != nil {
			closeBody(next)
			return nil, err
		}
		attempt = next
	}
}

// wait says whether to try again after the n-th retry's outcome, and how long to wait
// first.
func (t *retryTransport) wait(req *http.Request, res *http.Response, err error, n int) (time.Duration, bool) {
	ctx := req.Context()
	if ctx.Err() != nil {
		return 0, false
	}
	var d time.Duration
	switch {
	case err != nil:
		// A POST or PATCH may have reached the server before the connection broke;
		// sending it again could create the target twice.
		if !idempotent(req.Method) || permanent(err) {
			return 0, false
		}
		d = t.backoffFor(n)
	case res.StatusCode == http.StatusTooManyRequests || res.StatusCode == http.StatusServiceUnavailable:
		// The server turned the request away before handling it, so any method may
		// be sent again.
		if after, ok := retryAfter(res.Header.Get("Retry-After"), time.Now()); ok {
			if after > t.maxWait {
				return 0, false
			}
			d = after
		} else {
			d = t.backoffFor(n)
		}
	default:
		return 0, false
	}
	// Waiting past the caller's deadline only to fail: hand back the answer now.
	if deadline, ok := ctx.Deadline(); ok && time.Now().Add(d).After(deadline) {
		return 0, false
	}
	return d, true
}

// backoffFor is the wait before retry n+1: base·2ⁿ capped at maxWait, of which a
// random half is taken off so that many clients do not retry in step.
func (t *retryTransport) backoffFor(n int) time.Duration {
	d := t.maxWait
	if n < 30 && t.backoff<<n > 0 && t.backoff<<n < d {
		d = t.backoff << n
	}
	return d/2 + rand.N(d/2+1)
}

// retryAfter reads a Retry-After header: delay seconds or an HTTP date. A date in the
// past means now.
func retryAfter(header string, now time.Time) (time.Duration, bool) {
	header = strings.TrimSpace(header)
	if header == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(header); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	if at, err := http.ParseTime(header); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// permanent reports a network error that sending again will not cure.
func permanent(err error) bool {
	var cert *tls.CertificateVerificationError
	return errors.As(err, &cert) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// resendable reports whether req's body, if any, can be had again.
func resendable(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// rewind returns req with a fresh copy of its body, for sending it again.
func rewind(req *http.Request) (*http.Request, error) {
	if !resendable(req) {
		return nil, errors.New("request body cannot be re-read")
	}
	next := req.Clone(req.Context())
	if req.Body == nil || req.Body == http.NoBody {
		return next, nil
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	next.Body = body
	return next, nil
}

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

// discard reads what is left of an answer that will not be returned, so that its
// connection can be reused, and closes it.
func discard(res *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	_ = res.Body.Close()
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}
