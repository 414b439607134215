package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"os"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Email through the operator's SMTP server (Env.SMTP): a plain-text message to each
// address of the channel. Nothing in its config is secret; the SMTP login is the
// operator's and never part of a channel.
func init() {
	register(channelType[emailConfig, *emailConfig]{name: "email", send: sendEmail})
}

type emailConfig struct {
	To []string `json:"to"`

	// Filled by check.
	from *mail.Address
	to   []*mail.Address
}

const maxRecipients = 20

func (c *emailConfig) check(env Env) error {
	var p problems
	s := env.SMTP
	switch {
	case s.Host == "":
		p.add("to", "SMTP is not configured (set SMTP_HOST)")
	case s.TLS != "" && s.TLS != "starttls" && s.TLS != "tls" && s.TLS != "none":
		p.add("to", "SMTP is misconfigured (SMTP_TLS must be starttls, tls or none)")
	default:
		from := s.From
		if from == "" {
			// A login that is an address is the usual sender.
			from = s.Username
		}
		addr, err := mail.ParseAddress(from)
		if err != nil {
			p.add("to", "SMTP is not configured (set SMTP_FROM to the sender's address)")
		}
		c.from = addr
	}
	switch {
	case len(c.To) == 0:
		p.add("to", "must list at least one address")
	case len(c.To) > maxRecipients:
		p.add("to", "must list at most %d addresses", maxRecipients)
	}
	if len(c.To) > maxRecipients {
		return p.err()
	}
	seen := map[string]bool{}
	for _, raw := range c.To {
		addr, err := mail.ParseAddress(raw)
		switch {
		case err != nil:
			p.add("to", "%q is not an email address", clip(oneLine(raw), 100))
		case seen[strings.ToLower(addr.Address)]:
			p.add("to", "%q is listed twice", addr.Address)
		default:
			seen[strings.ToLower(addr.Address)] = true
			c.to = append(c.to, addr)
		}
	}
	return p.err()
}

func sendEmail(ctx context.Context, c *emailConfig, env Env, m Message) error {
	msg, err := composeEmail(c.from, c.to, m, time.Now())
	if err != nil {
		return &SendError{Err: fmt.Errorf("email: %w", err)}
	}
	rcpts := make([]string, len(c.to))
	for i, a := range c.to {
		rcpts[i] = a.Address
	}
	if err := deliverMail(ctx, env.SMTP, c.from.Address, rcpts, msg); err != nil {
		return &SendError{Retry: smtpRetry(err), Err: fmt.Errorf("email: %w", redactErr(err, env.SMTP.Password))}
	}
	return nil
}

// composeEmail writes the message. Every header value goes through oneLine, and the
// addresses through net/mail, so no text of a target's can add a header (a Bcc) or
// end the headers early.
func composeEmail(from *mail.Address, to []*mail.Address, m Message, now time.Time) ([]byte, error) {
	title, body := summary(m, plain())
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return nil, fmt.Errorf("message id: %w", err)
	}
	domain := from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	recipients := make([]string, len(to))
	for i, a := range to {
		recipients[i] = a.String()
	}

	var b bytes.Buffer
	header := func(name, value string) { b.WriteString(name + ": " + value + "\r\n") }
	header("From", oneLine(from.String()))
	header("To", oneLine(strings.Join(recipients, ", ")))
	header("Subject", encodeSubject(oneLine(title)))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", "<"+hex.EncodeToString(id)+"@"+oneLine(domain)+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	// RFC 3834: no out-of-office replies to an alert.
	header("Auto-Submitted", "auto-generated")
	header("X-WatchDog-Event", oneLine(m.Event))
	if m.DeliveryID != "" {
		header("X-WatchDog-Delivery", oneLine(m.DeliveryID))
	}
	b.WriteString("\r\n")

	text := title + "\n\n"
	if body != "" {
		text += body + "\n\n"
	}
	text += "-- \nSent by WatchDog\n"
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(text)); err != nil {
		return nil, fmt.Errorf("encode body: %w", err)
	}
	if err := qp.Close(); err != nil {
		return nil, fmt.Errorf("encode body: %w", err)
	}
	return b.Bytes(), nil
}

// encodeSubject encodes non-ASCII as RFC 2047 words and folds between them, so even a
// long subject of emoji keeps to SMTP's line length.
func encodeSubject(s string) string {
	return strings.ReplaceAll(mime.QEncoding.Encode("utf-8", clip(s, 250)), "?= =?", "?=\r\n =?")
}

// setupError is a failure of the SMTP set-up that sending again cannot fix: a server
// without STARTTLS when it is required, no login mechanism in common, a login refused
// before any reply.
type setupError struct{ err error }

func (e setupError) Error() string { return e.err.Error() }
func (e setupError) Unwrap() error { return e.err }

// deliverMail runs one SMTP session through go-mail, which speaks the protocol and
// picks the login mechanism the server offers (SCRAM, CRAM-MD5, PLAIN, LOGIN, …; over
// an unencrypted connection only those that do not send the password readable, unless
// the server is on this machine: see smtpAuth). The
// message itself is composeEmail's, sent as it is, one recipient at a time so that a
// refused address is reported without keeping the alert from the others. ctx bounds
// all of it: the dial, the connection's deadline (ctx's, else a minute), and a close
// of the connection if ctx is cancelled first.
//
// The SMTP server is the operator's own setting, not a channel's, so it is dialed
// directly rather than through the outbound guard.
func deliverMail(ctx context.Context, s SMTP, from string, to []string, msg []byte) error {
	tlsConf, err := smtpTLS(s)
	if err != nil {
		return err
	}
	timeout := time.Minute // never hang on a server that stops answering, whatever the caller forgot
	if deadline, ok := ctx.Deadline(); ok {
		timeout = max(time.Until(deadline), time.Millisecond)
	}
	opts := []gomail.Option{
		gomail.WithHELO(heloName(osHostname(), from)),
		gomail.WithTimeout(timeout),
		gomail.WithTLSConfig(tlsConf),
	}
	switch s.TLS {
	case "tls":
		opts = append(opts, gomail.WithSSL(), gomail.WithPort(465))
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS), gomail.WithPort(25))
	default:
		// Never fall back to clear text: the login and the message would travel
		// readable.
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory), gomail.WithPort(587))
	}
	if s.Port != 0 {
		opts = append(opts, gomail.WithPort(s.Port))
	}
	if s.Username != "" {
		opts = append(opts, smtpAuth(s), gomail.WithUsername(s.Username), gomail.WithPassword(s.Password))
	}
	// A cancelled ctx closes the TCP connection, which ends any command waiting on
	// the server (and a TLS session over it). go-mail makes the implicit-TLS
	// connection itself (it must, to know the session is encrypted when it picks a
	// login mechanism), so that one ends at its deadline instead.
	var raw net.Conn
	var rawMu sync.Mutex
	if s.TLS != "tls" {
		opts = append(opts, gomail.WithDialContextFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
			var d net.Dialer
			conn, err := d.DialContext(ctx, network, address)
			rawMu.Lock()
			raw = conn
			rawMu.Unlock()
			return conn, err
		}))
	}
	stop := context.AfterFunc(ctx, func() {
		rawMu.Lock()
		defer rawMu.Unlock()
		if raw != nil {
			_ = raw.Close()
		}
	})
	defer stop()
	client, err := gomail.NewClient(s.Host, opts...)
	if err != nil {
		return setupError{fmt.Errorf("smtp client: %w", err)}
	}
	addr := client.ServerAddr()
	c, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return connectError(addr, err)
	}
	defer func() { _ = c.Close() }()

	// go-mail's protocol layer sends the path as given: the angle brackets are ours.
	if err := c.Mail("<" + from + ">"); err != nil {
		return fmt.Errorf("sender: %w", err)
	}
	// An address the server refuses for good does not keep the alert from the
	// others; it is reported after they have it. A temporary refusal fails the whole
	// send before anyone has it, so the retry sends no one a second copy.
	var refused []string
	var refusal error
	for _, rcpt := range to {
		err := c.Rcpt("<" + rcpt + ">")
		var reply *textproto.Error
		switch {
		case err == nil:
		case errors.As(err, &reply) && reply.Code >= 500:
			refused, refusal = append(refused, rcpt), err
		default:
			return fmt.Errorf("recipient %s: %w", rcpt, err)
		}
	}
	if len(refused) == len(to) {
		return fmt.Errorf("every recipient refused (%s): %w", strings.Join(refused, ", "), refusal)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	// The server has taken the message; a failed goodbye does not unsend it.
	_ = c.Quit()
	if len(refused) > 0 {
		return fmt.Errorf("sent to %d of %d addresses; refused %s: %w", len(to)-len(refused), len(to),
			strings.Join(refused, ", "), refusal)
	}
	return nil
}

// connectError says what went wrong before the first MAIL command: connecting, the
// greeting, TLS or the login. A network or TLS failure, or a server's reply, keeps
// its own error (smtpRetry judges it by its kind or reply code); anything else is
// go-mail refusing the session as configured (no STARTTLS when it is required, no
// login mechanism in common), which sending again cannot fix.
func connectError(addr string, err error) error {
	var (
		reply  *textproto.Error
		netErr net.Error
		cert   *tls.CertificateVerificationError
		alert  tls.AlertError
		record tls.RecordHeaderError
	)
	switch {
	case errors.As(err, &reply), errors.As(err, &netErr), errors.As(err, &cert), errors.As(err, &alert),
		errors.As(err, &record), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		if errors.As(err, &reply) && strings.Contains(err.Error(), "AUTH failed") {
			return fmt.Errorf("login: %w", err)
		}
		return fmt.Errorf("smtp %s: %w", addr, err)
	case strings.Contains(err.Error(), "STARTTLS"):
		return setupError{fmt.Errorf("the server does not offer STARTTLS (set SMTP_TLS=none only for a relay on the same machine): %w", err)}
	case strings.Contains(err.Error(), "AUTH"), strings.Contains(err.Error(), "auth"):
		return setupError{fmt.Errorf("login: the server offers no login mechanism usable over this connection (is SMTP_USERNAME needed?): %w", err)}
	}
	return setupError{fmt.Errorf("smtp %s: %w", addr, err)}
}

// smtpAuth picks how go-mail chooses the login mechanism. Over TLS, and over clear
// text to any other host, it is go-mail's discovery, which on an unencrypted connection
// only takes mechanisms that never send the password readable (SCRAM, NTLM, CRAM-MD5):
// SMTP_TLS=none to a remote host would otherwise hand the password to every network
// between us. A relay on the same machine (SMTP_TLS=none's purpose) is the exception
// net/smtp also made: its traffic never leaves the host, and such relays commonly offer
// only PLAIN and LOGIN, so those are allowed there after the mechanisms that hide the
// password.
func smtpAuth(s SMTP) gomail.Option {
	if s.TLS == "none" && loopbackHost(s.Host) {
		return gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthSCRAMSHA1,
			gomail.SMTPAuthNTLM, gomail.SMTPAuthCramMD5, gomail.SMTPAuthPlainNoEnc, gomail.SMTPAuthLoginNoEnc)
	}
	return gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover)
}

// loopbackHost says whether host names this machine: "localhost" or a loopback
// address literal (127.0.0.0/8, ::1). Other names are not resolved: a name that only
// resolves to loopback today is not trusted with a password in clear text.
func loopbackHost(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// osHostname is os.Hostname, or "" when it fails.
func osHostname() string {
	h, _ := os.Hostname()
	return h
}

// heloName is the name WatchDog gives in EHLO: the machine's name when it is a fully
// qualified one, else the sender's domain (a container's bare name, or "localhost",
// is refused as a greeting by servers that check it), else the bare name.
func heloName(hostname, from string) string {
	h := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(hostname)), ".")
	local := h == "" || h == "localhost" || strings.HasPrefix(h, "localhost.") || net.ParseIP(h) != nil
	if !local && strings.Contains(h, ".") {
		return h
	}
	if i := strings.LastIndexByte(from, '@'); i >= 0 && i < len(from)-1 {
		return strings.ToLower(from[i+1:])
	}
	if !local {
		return h
	}
	return "watchdog.invalid"
}

func smtpTLS(s SMTP) (*tls.Config, error) {
	conf := &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}
	if len(s.RootCAsPEM) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(s.RootCAsPEM) {
			return nil, setupError{errors.New("the SMTP root certificates hold no PEM certificate")}
		}
		conf.RootCAs = pool
	}
	return conf, nil
}

// smtpRetry says whether a failure may pass: a 4xx reply is temporary by SMTP's own
// definition, a 5xx reply is permanent, and so is a setupError; network errors and
// timeouts may pass.
func smtpRetry(err error) bool {
	var reply *textproto.Error
	if errors.As(err, &reply) {
		return reply.Code < 500
	}
	var setup setupError
	return !errors.As(err, &setup)
}
