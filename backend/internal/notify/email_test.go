package notify

import (
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func emailChannel(t *testing.T, to ...string) Channel {
	return Channel{Type: "email", Config: rawJSON(t, map[string]any{"to": to})}
}

// readMail parses a received message: its headers, and its body decoded.
func readMail(t *testing.T, data []byte) (mail.Header, string) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(string(data)))
	require.NoError(t, err)
	require.Equal(t, "quoted-printable", msg.Header.Get("Content-Transfer-Encoding"))
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	require.NoError(t, err)
	return msg.Header, string(body)
}

func TestEmailSend(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		server smtpOptions
		tls    string
		secure bool
	}{
		{"starttls with a login", smtpOptions{mode: "starttls", user: "watchdog", pass: "smtp-pa55"}, "starttls", true},
		{"starttls is the default", smtpOptions{mode: "starttls"}, "", true},
		{"implicit tls with a login", smtpOptions{mode: "tls", user: "watchdog", pass: "smtp-pa55"}, "tls", true},
		{"a local relay without tls", smtpOptions{mode: "plain"}, "none", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newSMTPServer(t, tt.server)
			env := Env{SMTP: srv.smtp(tt.tls)}
			ch := emailChannel(t, "ops@example.com", "Dev Team <dev@example.com>")
			require.NoError(t, Send(context.Background(), ch, env, downMessage()))

			got := srv.received()
			require.Len(t, got, 1)
			assert.Equal(t, "watchdog@example.com", got[0].from)
			assert.Equal(t, []string{"ops@example.com", "dev@example.com"}, got[0].to)
			assert.Equal(t, tt.secure, got[0].tls)
			assert.Equal(t, srv.user != "", got[0].authed)

			h, body := readMail(t, got[0].data)
			assert.Equal(t, `"WatchDog" <watchdog@example.com>`, h.Get("From"))
			assert.Equal(t, `<ops@example.com>, "Dev Team" <dev@example.com>`, h.Get("To"))
			subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
			require.NoError(t, err)
			assert.Equal(t, "🔴 shop-api is down — unexpected status 503 (expected 200-399)", subject)
			date, err := h.Date()
			require.NoError(t, err)
			assert.WithinDuration(t, time.Now(), date, time.Minute)
			assert.Regexp(t, `^<[0-9a-f]{32}@example\.com>$`, h.Get("Message-ID"))
			assert.Equal(t, "1.0", h.Get("MIME-Version"))
			assert.Equal(t, "text/plain; charset=utf-8", h.Get("Content-Type"))
			assert.Equal(t, "auto-generated", h.Get("Auto-Submitted"))
			assert.Equal(t, "down", h.Get("X-WatchDog-Event"))
			assert.Equal(t, "del-down-1", h.Get("X-WatchDog-Delivery"))
			assert.Equal(t, "🔴 shop-api is down — unexpected status 503 (expected 200-399)\n\n"+
				"Cause: 3 failed checks in a row\nFirst error: unexpected status 503 (expected 200-399)\n"+
				"Last error: connection refused\nStarted: 2025-03-04 09:48:00 UTC\n"+
				"URL: https://shop.example.com/health\nDashboard: https://watchdog.example.com/targets/7\n\n"+
				"-- \nSent by WatchDog\n", strings.ReplaceAll(body, "\r\n", "\n"))
		})
	}
}

// With STARTTLS required (the default), a server that cannot encrypt gets nothing:
// neither the login nor the message.
func TestEmailRefusesWithoutSTARTTLS(t *testing.T) {
	t.Parallel()
	srv := newSMTPServer(t, smtpOptions{mode: "plain", user: "watchdog", pass: "smtp-pa55"})
	err := Send(context.Background(), emailChannel(t, "ops@example.com"), Env{SMTP: srv.smtp("starttls")}, downMessage())

	var se *SendError
	require.ErrorAs(t, err, &se)
	assert.False(t, se.Retry)
	assert.Contains(t, err.Error(), "STARTTLS")
	assert.Empty(t, srv.received())
	_, verbs := srv.seen()
	assert.NotContains(t, verbs, "AUTH", "the login went out in clear text")
	assert.NotContains(t, verbs, "MAIL", "the message went out in clear text")
}

// The login mechanism is the one the server offers: a server that takes only LOGIN
// (as some hosted relays do) gets LOGIN, one that offers CRAM-MD5 gets that rather
// than a password in the clear inside TLS.
func TestEmailLoginMechanisms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		mode  string
		mechs []string
		want  string
	}{
		{"only LOGIN", "starttls", []string{"LOGIN"}, "LOGIN"},
		{"only PLAIN", "starttls", []string{"PLAIN"}, "PLAIN"},
		{"PLAIN before LOGIN", "starttls", []string{"LOGIN", "PLAIN"}, "PLAIN"},
		{"CRAM-MD5 before the others", "starttls", []string{"LOGIN", "PLAIN", "CRAM-MD5"}, "CRAM-MD5"},
		{"only LOGIN over implicit tls", "tls", []string{"LOGIN"}, "LOGIN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newSMTPServer(t, smtpOptions{mode: tt.mode, user: "watchdog@example.com", pass: "smtp-pa55", mechs: tt.mechs})
			require.NoError(t, Send(context.Background(), emailChannel(t, "ops@example.com"), Env{SMTP: srv.smtp(tt.mode)}, downMessage()))

			got := srv.received()
			require.Len(t, got, 1)
			assert.True(t, got[0].authed)
			assert.True(t, got[0].tls)
			assert.Equal(t, tt.want, got[0].mech)
			assert.Equal(t, []string{"ops@example.com"}, got[0].to)
		})
	}
}

// A relay on the same machine with SMTP_TLS=none (a local Postfix, say) often offers
// only PLAIN and LOGIN; the password never leaves the host, so those are used there,
// after any mechanism that keeps it hidden.
func TestEmailLocalRelayLogin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		host  string
		mechs []string
		want  string
	}{
		{"PLAIN and LOGIN on 127.0.0.1", "", []string{"PLAIN", "LOGIN"}, "PLAIN"},
		{"only LOGIN on 127.0.0.1", "", []string{"LOGIN"}, "LOGIN"},
		{"CRAM-MD5 before PLAIN", "", []string{"PLAIN", "LOGIN", "CRAM-MD5"}, "CRAM-MD5"},
		{"PLAIN and LOGIN on localhost", "localhost", []string{"PLAIN", "LOGIN"}, "PLAIN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newSMTPServer(t, smtpOptions{mode: "plain", user: "watchdog", pass: "smtp-pa55", mechs: tt.mechs, clearAuth: true})
			settings := srv.smtp("none")
			if tt.host != "" {
				settings.Host = tt.host
			}
			require.NoError(t, Send(context.Background(), emailChannel(t, "ops@example.com"), Env{SMTP: settings}, downMessage()))

			got := srv.received()
			require.Len(t, got, 1)
			assert.True(t, got[0].authed)
			assert.False(t, got[0].tls)
			assert.Equal(t, tt.want, got[0].mech)
			assert.Equal(t, []string{"ops@example.com"}, got[0].to)
		})
	}
}

// Only a name or address of this machine is trusted with a password in clear text;
// anything else is left to go-mail's discovery, which refuses PLAIN and LOGIN there.
func TestLoopbackHost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		host string
		want bool
	}{
		{"localhost", true},
		{"LOCALHOST.", true},
		{"127.0.0.1", true},
		{"127.0.0.53", true},
		{"::1", true},
		{"[::1]", true},
		{"", false},
		{"mail.example.com", false},
		{"localhost.example.com", false},
		{"10.0.0.5", false},
		{"192.168.1.10", false},
		{"::ffff:10.0.0.5", false},
		{"fe80::1", false},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, loopbackHost(tt.host))
		})
	}
}

// The greeting names this machine, never "localhost", which servers that check the
// name refuse.
func TestEmailGreetingName(t *testing.T) {
	t.Parallel()
	srv := newSMTPServer(t, smtpOptions{mode: "starttls"})
	require.NoError(t, Send(context.Background(), emailChannel(t, "ops@example.com"), Env{SMTP: srv.smtp("starttls")}, downMessage()))

	helos, _ := srv.seen()
	require.NotEmpty(t, helos)
	for _, name := range helos {
		assert.Equal(t, heloName(osHostname(), "watchdog@example.com"), name)
		assert.NotEqual(t, "localhost", strings.ToLower(name))
		assert.NotEmpty(t, name)
	}
}

func TestHeloName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, hostname, from, want string
	}{
		{"a fully qualified machine name", "mon1.example.net", "watchdog@example.com", "mon1.example.net"},
		{"its trailing dot and case dropped", "Mon1.Example.NET.", "watchdog@example.com", "mon1.example.net"},
		{"a container's bare name gives the sender's domain", "3f2a9c1b7d4e", "watchdog@Alerts.Example.com", "alerts.example.com"},
		{"localhost gives the sender's domain", "localhost", "watchdog@example.com", "example.com"},
		{"localhost.localdomain too", "localhost.localdomain", "watchdog@example.com", "example.com"},
		{"no name at all", "", "watchdog@example.com", "example.com"},
		{"an address is no name", "10.0.0.7", "watchdog@example.com", "example.com"},
		{"a bare name without a sender's domain", "mon1", "watchdog", "mon1"},
		{"nothing usable", "localhost", "watchdog", "watchdog.invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, heloName(tt.hostname, tt.from))
		})
	}
}

func TestEmailFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		server smtpOptions
		smtp   func(SMTP) SMTP
		retry  bool
		says   string
	}{
		{"recipient refused for good", smtpOptions{mode: "starttls", rcptReply: map[string]int{"ops@example.com": 550}},
			nil, false, "550"},
		{"recipient refused for now", smtpOptions{mode: "starttls", rcptReply: map[string]int{"ops@example.com": 451}},
			nil, true, "451"},
		{"wrong password", smtpOptions{mode: "starttls", user: "watchdog", pass: "smtp-pa55"},
			func(s SMTP) SMTP { s.Password = "wrong-Pa55word"; return s }, false, "535"},
		{"wrong password with LOGIN", smtpOptions{mode: "starttls", user: "watchdog", pass: "smtp-pa55", mechs: []string{"LOGIN"}},
			func(s SMTP) SMTP { s.Password = "wrong-Pa55word"; return s }, false, "login: "},
		{"no mechanism in common", smtpOptions{mode: "starttls", user: "watchdog", pass: "smtp-pa55", mechs: []string{"GSSAPI"}},
			nil, false, "login"},
		{"certificate not trusted", smtpOptions{mode: "starttls"},
			func(s SMTP) SMTP { s.RootCAsPEM = nil; return s }, true, "certificate"},
		{"a login the server does not offer", smtpOptions{mode: "plain", user: "watchdog", pass: "smtp-pa55"},
			func(s SMTP) SMTP { s.TLS = "none"; return s }, false, "login"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newSMTPServer(t, tt.server)
			settings := srv.smtp("starttls")
			if tt.smtp != nil {
				settings = tt.smtp(settings)
			}
			err := Send(context.Background(), emailChannel(t, "ops@example.com"), Env{SMTP: settings}, downMessage())

			var se *SendError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tt.retry, se.Retry, "%v", err)
			assert.True(t, strings.HasPrefix(err.Error(), "email: "), err.Error())
			assert.Contains(t, err.Error(), tt.says)
			if settings.Password != "" {
				assert.NotContains(t, err.Error(), settings.Password)
			}
			assert.Empty(t, srv.received())
		})
	}
}

// One address the server refuses for good does not keep the alert from the others;
// the error says who missed it, and is not retried (the others have it).
func TestEmailOneRecipientRefused(t *testing.T) {
	t.Parallel()
	srv := newSMTPServer(t, smtpOptions{mode: "starttls", rcptReply: map[string]int{"gone@example.com": 550}})
	ch := emailChannel(t, "ops@example.com", "gone@example.com", "dev@example.com")
	err := Send(context.Background(), ch, Env{SMTP: srv.smtp("starttls")}, downMessage())

	var se *SendError
	require.ErrorAs(t, err, &se)
	assert.False(t, se.Retry)
	assert.Contains(t, err.Error(), "sent to 2 of 3 addresses; refused gone@example.com")
	got := srv.received()
	require.Len(t, got, 1)
	assert.Equal(t, []string{"ops@example.com", "dev@example.com"}, got[0].to)
}

// A target's name is someone's input, and it goes into the Subject: it cannot add a
// header or a recipient.
func TestEmailHeaderInjection(t *testing.T) {
	t.Parallel()
	srv := newSMTPServer(t, smtpOptions{mode: "starttls"})
	m := downMessage()
	m.Target.Name = "shop\r\nBcc: victim@example.com\r\n\r\nfake body"
	m.DeliveryID = "id\r\nX-Evil: 1"
	require.NoError(t, Send(context.Background(), emailChannel(t, "ops@example.com"), Env{SMTP: srv.smtp("starttls")}, m))

	got := srv.received()
	require.Len(t, got, 1)
	assert.Equal(t, []string{"ops@example.com"}, got[0].to)
	h, body := readMail(t, got[0].data)
	assert.Empty(t, h.Get("Bcc"))
	assert.Empty(t, h.Get("X-Evil"))
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(subject, "🔴 shop Bcc: victim@example.com fake body is down"), subject)
	assert.True(t, strings.HasPrefix(body, "🔴 shop Bcc:"), body)
}

// Every line ends in CRLF and keeps to SMTP's 998 characters, even for a long subject
// of non-ASCII text, which is folded between its encoded words.
func TestComposeEmailLines(t *testing.T) {
	t.Parallel()
	m := downMessage()
	m.Target.Name = strings.Repeat("🔥", 200)
	m.Incident.FirstError = strings.Repeat("é", 300)
	msg, err := composeEmail(&mail.Address{Name: "WatchDog", Address: "watchdog@example.com"},
		[]*mail.Address{{Address: "ops@example.com"}}, m, occurred)
	require.NoError(t, err)
	assert.NotContains(t, strings.ReplaceAll(string(msg), "\r\n", ""), "\n", "a bare LF")
	assert.NotContains(t, strings.ReplaceAll(string(msg), "\r\n", ""), "\r", "a bare CR")
	for _, line := range strings.Split(string(msg), "\r\n") {
		assert.LessOrEqual(t, len(line), 998)
	}
	h, _ := readMail(t, msg)
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(subject, "🔴 🔥🔥🔥"), subject)
	assert.Equal(t, "Tue, 04 Mar 2025 10:00:00 +0000", h.Get("Date"))
}

// A server that never answers is given up on when the context ends, and that may
// pass.
func TestEmailHonoursContext(t *testing.T) {
	t.Parallel()
	srv := newSMTPServer(t, smtpOptions{mode: "starttls", silent: true})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := Send(ctx, emailChannel(t, "ops@example.com"), Env{SMTP: srv.smtp("starttls")}, downMessage())

	var se *SendError
	require.ErrorAs(t, err, &se)
	assert.True(t, se.Retry)
	assert.Less(t, time.Since(start), 3*time.Second)
}

// A context cancelled without a deadline (a shutdown) ends the session at once, not
// at the minute the connection would otherwise wait for a silent server.
func TestEmailCancelledContext(t *testing.T) {
	t.Parallel()
	srv := newSMTPServer(t, smtpOptions{mode: "starttls", silent: true})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	err := Send(ctx, emailChannel(t, "ops@example.com"), Env{SMTP: srv.smtp("starttls")}, downMessage())

	var se *SendError
	require.ErrorAs(t, err, &se)
	assert.True(t, se.Retry)
	assert.Less(t, time.Since(start), 5*time.Second)
}
