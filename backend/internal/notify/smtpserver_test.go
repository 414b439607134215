package notify

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/textproto"
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
	// user and pass, when set, are required, through AUTH PLAIN over TLS.
	user, pass string
	// rcptReply answers RCPT for some addresses with a code instead of 250.
	rcptReply map[string]int
	// silent servers accept connections and never say a word.
	silent bool
}

// smtpServer is an SMTP server on 127.0.0.1 for tests. It speaks as much of RFC 5321
// as net/smtp uses (EHLO, STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT),
// with a self-signed certificate made for the test, and records what it accepts.
type smtpServer struct {
	smtpOptions

	ln      net.Listener
	tlsConf *tls.Config
	certPEM []byte
	conns   sync.WaitGroup

	mu    sync.Mutex
	mails []smtpMail
}

type smtpMail struct {
	from   string
	to     []string
	data   []byte
	tls    bool
	authed bool
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
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			ext := []string{"localhost"}
			if s.mode == "starttls" && !secure {
				ext = append(ext, "STARTTLS")
			}
			if s.user != "" && secure {
				ext = append(ext, "AUTH PLAIN")
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
			mech, resp, _ := strings.Cut(arg, " ")
			creds, err := base64.StdEncoding.DecodeString(resp)
			parts := strings.Split(string(creds), "\x00")
			switch {
			case mech != "PLAIN" || !secure || err != nil:
				reply("504 5.5.4 unrecognized authentication type")
			case len(parts) == 3 && parts[1] == s.user && parts[2] == s.pass:
				authed = true
				reply("235 2.7.0 authentication successful")
			default:
				reply("535 5.7.8 authentication credentials invalid")
			}
		case "MAIL":
			if s.user != "" && !authed {
				reply("530 5.7.0 authentication required")
				continue
			}
			mail = smtpMail{from: angleAddr(arg), tls: secure, authed: authed}
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
			mail = smtpMail{}
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
