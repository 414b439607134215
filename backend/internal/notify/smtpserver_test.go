package notify

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// smtpOptions say how an smtpServer behaves.
type smtpOptions struct {
	// mode is "starttls" (offers STARTTLS), "plain" (does not) or "tls" (implicit).
	mode string
	// user and pass, when set, are required, through AUTH over TLS with one of mechs
	// (PLAIN when none is named; PLAIN, LOGIN and CRAM-MD5 are understood).
	user, pass string
	mechs      []string
	// clearAuth offers AUTH on an unencrypted connection too, as a relay on the same
	// machine often does.
	clearAuth bool
	// rcptReply answers RCPT for some addresses with a code instead of 250.
	rcptReply map[string]int
	// silent servers accept connections and never say a word.
	silent bool
}

// smtpServer is an SMTP server on 127.0.0.1 for tests. It speaks as much of RFC 5321
// as an SMTP client uses (EHLO, STARTTLS, AUTH PLAIN, LOGIN and CRAM-MD5, MAIL, RCPT, DATA, RSET, NOOP, QUIT),
// with a self-signed certificate made for the test, and records what it accepts.
type smtpServer struct {
	smtpOptions

	ln      net.Listener
	tlsConf *tls.Config
	certPEM []byte
	conns   sync.WaitGroup

	mu    sync.Mutex
	mails []smtpMail
	// helos are the names clients gave in EHLO or HELO, verbs every command received.
	helos []string
	verbs []string
}

type smtpMail struct {
	from   string
	to     []string
	data   []byte
	tls    bool
	authed bool
	// mech is the AUTH mechanism the client logged in with.
	mech string
}

// newSMTPServer listens on 127.0.0.1 and serves until the test ends.
func newSMTPServer(t *testing.T, opts smtpOptions) *smtpServer {
	t.Helper()
	cert, certPEM := selfSignedCert(t)
	s := &smtpServer{smtpOptions: opts, certPEM: certPEM,
		tlsConf: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s.ln = ln
	s.conns.Add(1)
	go func() {
		defer s.conns.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.conns.Add(1)
			go func() {
				defer s.conns.Done()
				s.serve(conn)
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		s.conns.Wait()
	})
	return s
}

// smtp is the settings that reach this server.
func (s *smtpServer) smtp(tlsMode string) SMTP {
	host, port, _ := net.SplitHostPort(s.ln.Addr().String())
	p, _ := strconv.Atoi(port)
	return SMTP{Host: host, Port: p, Username: s.user, Password: s.pass, From: "WatchDog <watchdog@example.com>",
		TLS: tlsMode, RootCAsPEM: s.certPEM}
}

func (s *smtpServer) received() []smtpMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]smtpMail(nil), s.mails...)
}

// seen returns the EHLO names and the command verbs received so far.
func (s *smtpServer) seen() (helos, verbs []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.helos...), append([]string(nil), s.verbs...)
}

// login runs one AUTH exchange after "AUTH mech [initial]", and says whether the
// client proved it knows the password.
func (s *smtpServer) login(tp *textproto.Conn, mech, initial string) bool {
	decode := func(v string) string {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return "\x00invalid"
		}
		return string(b)
	}
	ask := func(prompt string) string {
		_ = tp.PrintfLine("334 %s", base64.StdEncoding.EncodeToString([]byte(prompt)))
		line, _ := tp.ReadLine()
		return decode(line)
	}
	switch mech {
	case "PLAIN":
		resp := initial
		if resp == "" {
			resp = base64.StdEncoding.EncodeToString([]byte(ask("")))
		}
		parts := strings.Split(decode(resp), "\x00")
		return len(parts) == 3 && parts[1] == s.user && parts[2] == s.pass
	case "LOGIN":
		user := ask("Username:")
		if initial != "" {
			user = decode(initial)
		}
		return user == s.user && ask("Password:") == s.pass
	case "CRAM-MD5":
		challenge := "<1896.697170952@watchdog.test>"
		user, digest, _ := strings.Cut(ask(challenge), " ")
		mac := hmac.New(md5.New, []byte(s.pass))
		mac.Write([]byte(challenge))
		return user == s.user && hmac.Equal([]byte(digest), []byte(hex.EncodeToString(mac.Sum(nil))))
	}
	return false
}

func (s *smtpServer) serve(conn net.Conn) {
	defer func() { _ = conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if s.silent {
		_, _ = io.Copy(io.Discard, conn) // until the client gives up
		return
	}
	secure := false
	if s.mode == "tls" {
		conn, secure = tls.Server(conn, s.tlsConf), true
	}
	tp := textproto.NewConn(conn)
	reply := func(format string, args ...any) { _ = tp.PrintfLine(format, args...) }
	reply("220 localhost ESMTP test server")
	var mail smtpMail
	authed := false
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		s.mu.Lock()
		s.verbs = append(s.verbs, strings.ToUpper(verb))
		s.mu.Unlock()
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			s.mu.Lock()
			s.helos = append(s.helos, arg)
			s.mu.Unlock()
			ext := []string{"localhost"}
			if s.mode == "starttls" && !secure {
				ext = append(ext, "STARTTLS")
			}
			if s.user != "" && (secure || s.clearAuth) {
				ext = append(ext, "AUTH "+strings.Join(s.offered(), " "))
			}
			ext = append(ext, "8BITMIME")
			for i, e := range ext {
				sep := "-"
				if i == len(ext)-1 {
					sep = " "
				}
				reply("250%s%s", sep, e)
			}
		case "STARTTLS":
			if s.mode != "starttls" || secure {
				reply("502 5.5.1 not offered")
				continue
			}
			reply("220 2.0.0 ready to start TLS")
			tc := tls.Server(conn, s.tlsConf)
			if tc.Handshake() != nil {
				return
			}
			conn, secure = tc, true
			tp = textproto.NewConn(conn)
		case "AUTH":
			mech, initial, _ := strings.Cut(arg, " ")
			switch {
			case !secure && !s.clearAuth, !slices.Contains(s.offered(), strings.ToUpper(mech)):
				reply("504 5.5.4 unrecognized authentication type")
			case s.login(tp, strings.ToUpper(mech), initial):
				authed, mail.mech = true, strings.ToUpper(mech)
				reply("235 2.7.0 authentication successful")
			default:
				reply("535 5.7.8 authentication credentials invalid")
			}
		case "MAIL":
			if s.user != "" && !authed {
				reply("530 5.7.0 authentication required")
				continue
			}
			mail = smtpMail{from: angleAddr(arg), tls: secure, authed: authed, mech: mail.mech}
			reply("250 2.1.0 ok")
		case "RCPT":
			addr := angleAddr(arg)
			if code := s.rcptReply[addr]; code != 0 {
				reply("%d mailbox %s not available", code, addr)
				continue
			}
			mail.to = append(mail.to, addr)
			reply("250 2.1.5 ok")
		case "DATA":
			reply("354 end data with <CR><LF>.<CR><LF>")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			mail.data = data
			s.mu.Lock()
			s.mails = append(s.mails, mail)
			s.mu.Unlock()
			reply("250 2.0.0 queued")
		case "RSET":
			mail = smtpMail{mech: mail.mech}
			reply("250 2.0.0 ok")
		case "NOOP":
			reply("250 2.0.0 ok")
		case "QUIT":
			reply("221 2.0.0 bye")
			return
		default:
			reply("500 5.5.2 unknown command")
		}
	}
}

// offered is the AUTH mechanisms the server names in EHLO.
func (s *smtpServer) offered() []string {
	if len(s.mechs) == 0 {
		return []string{"PLAIN"}
	}
	return s.mechs
}

// angleAddr takes the address out of "FROM:<a@b> BODY=8BITMIME".
func angleAddr(arg string) string {
	_, rest, _ := strings.Cut(arg, "<")
	addr, _, _ := strings.Cut(rest, ">")
	return addr
}

// selfSignedCert makes a certificate for 127.0.0.1 that only the test trusts.
func selfSignedCert(t *testing.T) (tls.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "watchdog test smtp"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key},
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
