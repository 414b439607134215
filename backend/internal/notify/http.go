package notify

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/watchdog-monitor/watchdog/backend/internal/netguard"
)

const (
	userAgent = "WatchDog"
	// maxAnswer is how much of a provider's answer is read: enough for any error it
	// sends, and a hostile endpoint cannot make us buffer more.
	maxAnswer = 64 << 10
	// maxAnswerInError is how much of the answer an error repeats.
	maxAnswerInError = 200
	// maxRetryAfter caps a provider's requested wait, so one answer cannot park a
	// notification for a day.
	maxRetryAfter = time.Hour
)

// post is one HTTP notification.
type post struct {
	provider string
	// method is POST when empty (Matrix sends with PUT).
	method      string
	url         string
	contentType string
	body        []byte
	header      http.Header
	// secrets must never appear in an error: a token in the URL's path, a webhook URL
	// that is itself the credential, header values.
	secrets []string
}

// postJSON sends v as JSON.
func postJSON(ctx context.Context, env Env, provider, endpoint string, v any, secrets ...string) error {
	return post{provider: provider, url: endpoint, secrets: secrets}.sendJSON(ctx, env, v)
}

// sendJSON sends v as the JSON body of p, for requests that also need a method or
// headers of their own.
func (p post) sendJSON(ctx context.Context, env Env, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return &SendError{Err: fmt.Errorf("%s: encode message: %w", p.provider, err)}
	}
	p.contentType, p.body = "application/json", body
	return p.send(ctx, env)
}

// basicAuth is the Authorization header of HTTP Basic authentication, and the secrets
// to keep out of errors: the secret, and the encoded pair, which is as good as it.
func basicAuth(user, secret string) (http.Header, []string) {
	credentials := base64.StdEncoding.EncodeToString([]byte(user + ":" + secret))
	return http.Header{"Authorization": {"Basic " + credentials}}, []string{secret, credentials}
}

// postForm sends values as an HTML form (application/x-www-form-urlencoded), as
// Twilio, Zulip and Pushover take them, with header added to the request.
func postForm(ctx context.Context, env Env, provider, endpoint string, values url.Values, header http.Header, secrets ...string) error {
	return post{provider: provider, url: endpoint, contentType: "application/x-www-form-urlencoded",
		body: []byte(values.Encode()), header: header, secrets: secrets}.send(ctx, env)
}

// send makes the request and maps the outcome to nil or a *SendError.
func (p post) send(ctx context.Context, env Env) error {
	if env.Client == nil {
		// A wiring mistake, never the channel's: say so instead of using a client
		// without the outbound guard.
		return &SendError{Err: fmt.Errorf("%s: no HTTP client configured", p.provider)}
	}
	// reach says whether the request reached a host only the operator's exception let
	// through (a loopback or private address); then nothing it sent is repeated in the
	// error, which the channel's editor reads (POST /channels/{id}/test).
	ctx, reach := netguard.Trace(ctx)
	method := p.method
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequestWithContext(ctx, method, p.url, bytes.NewReader(p.body))
	if err != nil {
		return &SendError{Err: fmt.Errorf("%s: build request: %w", p.provider, p.redact(withoutURL(err)))}
	}
	for name, values := range p.header {
		req.Header[name] = values
	}
	req.Header.Set("Content-Type", p.contentType)
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", userAgent)
	}

	// Never follow a redirect, whatever the client given: a 307 would send the body
	// (and the secrets in it) to a host no rule checked. A 3xx is reported instead.
	client := *env.Client
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := client.Do(req)
	if err != nil {
		// Network errors and timeouts may pass. *url.Error repeats the URL, which
		// can hold the secret, so only its cause is kept.
		cause := p.redact(withoutURL(err))
		var netErr net.Error
		if reach.Exempt() && !errors.As(withoutURL(err), &netErr) {
			// Not the network's words but the host's (a malformed answer's first bytes).
			cause = errPrivateAnswer
		}
		return &SendError{Retry: true, Err: fmt.Errorf("%s: send: %w", p.provider, cause)}
	}
	defer res.Body.Close()
	// Read even a success's answer (so the connection can be reused), but no more
	// than maxAnswer. A read error leaves part of it, which is all an error message
	// needs: the status decides what happens next.
	answer, _ := io.ReadAll(io.LimitReader(res.Body, maxAnswer))
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		return nil
	}
	se := &SendError{Status: res.StatusCode, Retry: retryableStatus(res.StatusCode)}
	if res.StatusCode == http.StatusTooManyRequests {
		se.RetryAfter = retryAfter(res.Header.Get("Retry-After"), answer, time.Now())
	}
	if reach.Exempt() {
		// The status code is ours to say; the reason phrase and body are the host's.
		se.Err = fmt.Errorf("%s: answered %d %s: %w", p.provider, res.StatusCode, http.StatusText(res.StatusCode), errPrivateAnswer)
		return se
	}
	msg := fmt.Sprintf("%s: answered %s", p.provider, res.Status)
	if res.StatusCode >= 300 && res.StatusCode < 400 {
		msg += " (redirects are not followed; check the URL)"
	}
	// Secrets go before the answer is cut, or a cut one would show its first half.
	if excerpt := excerpt(redactText(string(answer), p.secrets...)); excerpt != "" {
		msg += ": " + excerpt
	}
	se.Err = errors.New(msg)
	return se
}

// errPrivateAnswer stands for what a private host answered, which is not repeated.
var errPrivateAnswer = errors.New("the answer is not shown (private host)")

// redact replaces every secret in the text of err, which comes from elsewhere (a
// network error, an answer). Only such text is redacted, never WatchDog's own words
// around it: a short header value ("1") must not garble "answered 401".
func (p post) redact(err error) error {
	return redactErr(err, p.secrets...)
}

// redactErr keeps err as it is when no secret occurs in it, so errors.Is still sees
// its causes (context.DeadlineExceeded).
func redactErr(err error, secrets ...string) error {
	msg := err.Error()
	if clean := redactText(msg, secrets...); clean != msg {
		return errors.New(clean)
	}
	return err
}

func redactText(s string, secrets ...string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}

// withoutURL drops the URL a *url.Error carries, keeping its cause.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// retryableStatus says whether an answer may turn into a success later: rate limits,
// request timeouts and server errors. A 4xx otherwise means the URL, token or message
// is wrong, and sending it again will not change that.
func retryableStatus(status int) bool {
	return status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500
}

// retryAfter reads a 429's wait: the Retry-After header in seconds or as an HTTP
// date, or else a retry_after in the JSON answer (Discord's top level, Telegram's
// parameters) or Matrix's retry_after_ms. It is 0 when none is given, and at most
// maxRetryAfter.
func retryAfter(header string, answer []byte, now time.Time) time.Duration {
	var d time.Duration
	header = strings.TrimSpace(header)
	if secs, err := strconv.ParseFloat(header, 64); err == nil {
		d = seconds(secs)
	} else if at, err := http.ParseTime(header); err == nil {
		d = at.Sub(now)
	} else {
		var body struct {
			RetryAfter float64 `json:"retry_after"`
			// Matrix's M_LIMIT_EXCEEDED gives milliseconds.
			RetryAfterMS float64 `json:"retry_after_ms"`
			Parameters   struct {
				RetryAfter float64 `json:"retry_after"`
			} `json:"parameters"`
		}
		if json.Unmarshal(answer, &body) == nil {
			d = seconds(max(body.RetryAfter, body.Parameters.RetryAfter, body.RetryAfterMS/1000))
		}
	}
	return min(max(d, 0), maxRetryAfter)
}

func seconds(s float64) time.Duration {
	if math.IsNaN(s) || s <= 0 {
		return 0
	}
	if s >= maxRetryAfter.Seconds() {
		return maxRetryAfter
	}
	return time.Duration(math.Ceil(s)) * time.Second
}

// excerpt is the start of a provider's answer on one line, for an error.
func excerpt(answer string) string {
	return clip(oneLine(answer), maxAnswerInError)
}

// oneLine turns runs of white space and control characters into single spaces, and
// invalid UTF-8 into U+FFFD.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToValidUTF8(s, "\uFFFD"), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
}

// clip shortens s to at most n runes, marking the cut with "…".
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	return string([]rune(s)[:n-1]) + "…"
}
