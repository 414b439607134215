package netguard_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/netguard"
)

// Verdicts in the table: allowed, refused as private, or refused as metadata (which no
// setting lets through).
const (
	allowed  = ""
	private  = "loopback, private or reserved"
	metadata = "cloud metadata address"
	invalid  = "invalid url"
	localNAT = "local-use NAT64 address"
)

func TestGuard(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr            string
		wantStrict      string // allowPrivate=false
		wantAllowPublic string // allowPrivate=true
	}{
		{addr: "127.0.0.1", wantStrict: private, wantAllowPublic: allowed},
		{addr: "::1", wantStrict: private, wantAllowPublic: allowed},
		{addr: "10.1.2.3", wantStrict: private, wantAllowPublic: allowed},
		{addr: "172.16.0.1", wantStrict: private, wantAllowPublic: allowed},
		{addr: "192.168.1.1", wantStrict: private, wantAllowPublic: allowed},
		{addr: "100.64.0.1", wantStrict: private, wantAllowPublic: allowed}, // CGNAT
		// All of link-local, in every setting: metadata services answer across it
		// (169.254.0.23 is Tencent Cloud's, 169.254.170.2 AWS ECS's).
		{addr: "169.254.1.1", wantStrict: metadata, wantAllowPublic: metadata},
		{addr: "169.254.0.23", wantStrict: metadata, wantAllowPublic: metadata},
		{addr: "fd00:ec2::1", wantStrict: metadata, wantAllowPublic: metadata},
		{addr: "fd00:ec2:ffff::1", wantStrict: metadata, wantAllowPublic: metadata},
		// A zone names an interface, not another destination; a netip.Prefix never
		// contains a zoned address, so it must not decide the verdict.
		{addr: "fd00:ec2::254%lo", wantStrict: metadata, wantAllowPublic: metadata},
		{addr: "fd00:ec2::254%eth0", wantStrict: metadata, wantAllowPublic: metadata},
		{addr: "fd00:ec2::254%1", wantStrict: metadata, wantAllowPublic: metadata},
		{addr: "64:ff9b::a9fe:a9fe%lo", wantStrict: metadata, wantAllowPublic: metadata},
		{addr: "::ffff:169.254.169.254%lo", wantStrict: metadata, wantAllowPublic: metadata},
		{addr: "::1%lo", wantStrict: private, wantAllowPublic: allowed},
		// IPv6 link-local is link-local too, zone or not: OpenStack serves its metadata
		// at fe80::a9fe:a9fe.
		{addr: "fe80::1%eth0", wantStrict: metadata, wantAllowPublic: metadata},
		{addr: "fe80::1", wantStrict: metadata, wantAllowPublic: metadata},
		{addr: "fe80::a9fe:a9fe", wantStrict: metadata, wantAllowPublic: metadata},
		{addr: "febf:ffff::1", wantStrict: metadata, wantAllowPublic: metadata}, // the /10's last block
		{addr: "fec0::1", wantStrict: private, wantAllowPublic: allowed},        // past it: deprecated site-local
		{addr: "169.254.169.254", wantStrict: metadata, wantAllowPublic: metadata},
		{addr: "169.254.170.2", wantStrict: metadata, wantAllowPublic: metadata},
		{addr: "fd00:ec2::254", wantStrict: metadata, wantAllowPublic: metadata},
		// An IPv4-mapped address reaches the IPv4 one.
		{addr: "::ffff:127.0.0.1", wantStrict: private, wantAllowPublic: allowed},
		{addr: "::ffff:169.254.169.254", wantStrict: metadata, wantAllowPublic: metadata},
		// NAT64 reaches the IPv4 address in the last 32 bits.
		{addr: "64:ff9b::7f00:1", wantStrict: private, wantAllowPublic: allowed},
		{addr: "64:ff9b::a9fe:a9fe", wantStrict: metadata, wantAllowPublic: metadata},
		{addr: "64:ff9b::808:808", wantStrict: allowed, wantAllowPublic: allowed},
		{addr: "64:ff9b:1::a9fe:a9fe", wantStrict: localNAT, wantAllowPublic: localNAT}, // where it leads is unknowable
		{addr: "64:ff9b:1:2:3:4:808:808", wantStrict: localNAT, wantAllowPublic: localNAT},
		{addr: "8.8.8.8", wantStrict: allowed, wantAllowPublic: allowed},
		{addr: "2606:4700::1111", wantStrict: allowed, wantAllowPublic: allowed},
	}
	for _, allowPrivate := range []bool{false, true} {
		g := netguard.New(allowPrivate)
		for _, tt := range tests {
			want := tt.wantStrict
			if allowPrivate {
				want = tt.wantAllowPublic
			}
			addr := netip.MustParseAddr(tt.addr)
			network := "tcp6"
			if addr.Is4() {
				network = "tcp4"
			}
			address := netip.AddrPortFrom(addr, 8080).String()
			checks := []struct {
				name string
				err  func() error
			}{
				{name: "CheckAddr", err: func() error { return g.CheckAddr(addr) }},
				{name: "CheckHost", err: func() error { return g.CheckHost(tt.addr) }},
				{name: "Control " + network, err: func() error { return g.Control(network, address, nil) }},
				// The dialer asks for "tcp" when it has no reason to pick a family.
				{name: "Control tcp", err: func() error { return g.Control("tcp", address, nil) }},
			}
			for _, c := range checks {
				t.Run(verdictName(allowPrivate, tt.addr, c.name), func(t *testing.T) {
					t.Parallel()
					err := c.err()
					wantVerdict(t, err, want)
					// At dial time the address may come from resolving a name: saying it
					// would map internal DNS for whoever saved the URL.
					if bare := addr.WithZone("").Unmap().String(); err != nil && strings.HasPrefix(c.name, "Control") && strings.Contains(err.Error(), bare) {
						t.Errorf("Control's refusal %q names the address %s", err, bare)
					}
				})
			}
		}
	}
}

func verdictName(allowPrivate bool, addr, check string) string {
	mode := "strict"
	if allowPrivate {
		mode = "allowPrivate"
	}
	return mode + "/" + addr + "/" + check
}

func wantVerdict(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == allowed && err != nil:
		t.Errorf("refused: %v; want allowed", err)
	case want != allowed && !errors.Is(err, netguard.ErrForbidden):
		t.Errorf("err = %v, want one wrapping ErrForbidden", err)
	case want != allowed && !strings.Contains(err.Error(), want):
		t.Errorf("err = %q, want it to say %q", err, want)
	}
}

func TestCheckHostPassesNames(t *testing.T) {
	t.Parallel()
	// A name is judged on every dial, on the address it resolves to then; judging it
	// now would be both too early and too late.
	tests := []struct {
		name string
		host string
	}{
		{name: "public name", host: "example.com"},
		{name: "name resolving to loopback", host: "localhost"},
	}
	g := netguard.New(false)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := g.CheckHost(tt.host); err != nil {
				t.Errorf("CheckHost(%q) = %v, want nil", tt.host, err)
			}
		})
	}
}

func TestControlRefusesOddInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		network string
		address string
	}{
		{name: "udp", network: "udp4", address: "8.8.8.8:53"},
		{name: "unix socket", network: "unix", address: "/run/docker.sock"},
		{name: "unparsable address", network: "tcp4", address: "not-an-address"},
		{name: "loopback on port 80", network: "tcp4", address: "127.0.0.1:80"},
	}
	for _, allowPrivate := range []bool{false, true} {
		g := netguard.New(allowPrivate)
		for _, tt := range tests {
			if allowPrivate && tt.name == "loopback on port 80" {
				continue
			}
			t.Run(verdictName(allowPrivate, tt.name, "Control"), func(t *testing.T) {
				t.Parallel()
				if err := g.Control(tt.network, tt.address, nil); !errors.Is(err, netguard.ErrForbidden) {
					t.Errorf("Control(%s, %s) = %v, want ErrForbidden", tt.network, tt.address, err)
				}
			})
		}
	}
}

// TestDialerRefusesBeforeConnecting dials a real listener through the guard's dialer:
// the refusal must come from Control, before the connection is made.
func TestDialerRefusesBeforeConnecting(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	accepted := make(chan struct{}, 1)
	go func() {
		// Ends when the listener is closed at cleanup.
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			_ = conn.Close()
			accepted <- struct{}{}
		}
	}()

	tests := []struct {
		name         string
		allowPrivate bool
		wantErr      bool
	}{
		{name: "strict guard refuses loopback", wantErr: true},
		{name: "allowPrivate guard connects", allowPrivate: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			conn, err := netguard.New(tt.allowPrivate).Dialer().DialContext(ctx, "tcp", ln.Addr().String())
			if tt.wantErr {
				if !errors.Is(err, netguard.ErrForbidden) {
					t.Fatalf("dial = %v, want ErrForbidden", err)
				}
				select {
				case <-accepted:
					t.Error("the listener accepted a connection the guard refused")
				case <-time.After(100 * time.Millisecond):
				}
				return
			}
			if err != nil {
				t.Fatalf("dial = %v, want a connection", err)
			}
			_ = conn.Close()
			<-accepted
		})
	}
}

func TestAllowedNetworks(t *testing.T) {
	g := netguard.New(false, netip.MustParsePrefix("127.0.0.2/32"), netip.MustParsePrefix("169.254.0.0/16"), netip.MustParsePrefix("fd12::/16"))
	for addr, want := range map[string]string{
		"127.0.0.2":       allowed,
		"127.0.0.1":       private,
		"169.254.1.1":     metadata, // an allowed network never opens a metadata range
		"169.254.169.254": metadata,
		"169.254.0.23":    metadata,
		"fd12::1":         allowed,
		"fd13::1":         private,
	} {
		t.Run(addr, func(t *testing.T) {
			wantVerdict(t, g.CheckAddr(netip.MustParseAddr(addr)), want)
		})
	}
}

// TestCheckURL judges URLs as they are saved: the host read as a browser and Go's
// client read it, then the policy; and the port.
func TestCheckURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url             string
		wantStrict      string
		wantAllowPublic string
	}{
		// IPv6 with a zone, in every form a URL can carry it.
		{url: "http://[fd00:ec2::254%25lo]/", wantStrict: metadata, wantAllowPublic: metadata},
		{url: "http://[fd00:ec2::254%25eth0]:8080/x", wantStrict: metadata, wantAllowPublic: metadata},
		{url: "http://[fd00:ec2::254%251]/", wantStrict: metadata, wantAllowPublic: metadata},
		{url: "http://[64:ff9b::a9fe:a9fe%25lo]/", wantStrict: metadata, wantAllowPublic: metadata},
		{url: "http://[fd00:ec2::1]/", wantStrict: metadata, wantAllowPublic: metadata},
		{url: "http://[fe80::1%25eth0]/", wantStrict: metadata, wantAllowPublic: metadata},
		{url: "http://[fe80::a9fe:a9fe]/", wantStrict: metadata, wantAllowPublic: metadata},
		{url: "http://169.254.0.23/", wantStrict: metadata, wantAllowPublic: metadata},
		// IPv4 in the numeric forms a browser accepts.
		{url: "http://127.1/", wantStrict: private, wantAllowPublic: allowed},
		{url: "http://127.0.1/", wantStrict: private, wantAllowPublic: allowed},
		{url: "http://0x7f000001/", wantStrict: private, wantAllowPublic: allowed},
		{url: "http://0X7F000001/", wantStrict: private, wantAllowPublic: allowed},
		{url: "http://2130706433/", wantStrict: private, wantAllowPublic: allowed},
		{url: "http://017700000001/", wantStrict: private, wantAllowPublic: allowed},
		{url: "http://0x7f.0.0.0x1/", wantStrict: private, wantAllowPublic: allowed},
		{url: "http://0177.0.0.01:8080/", wantStrict: private, wantAllowPublic: allowed},
		{url: "http://127.0.0.1./", wantStrict: private, wantAllowPublic: allowed},
		{url: "http://127.1./", wantStrict: private, wantAllowPublic: allowed},
		{url: "http://0/", wantStrict: private, wantAllowPublic: allowed}, // 0.0.0.0
		{url: "http://10.1/", wantStrict: private, wantAllowPublic: allowed},
		{url: "http://169.254.169.254./", wantStrict: metadata, wantAllowPublic: metadata},
		{url: "http://2852039166/", wantStrict: metadata, wantAllowPublic: metadata},
		{url: "http://0xa9fea9fe/", wantStrict: metadata, wantAllowPublic: metadata},
		{url: "http://0251.0376.0251.0376/", wantStrict: metadata, wantAllowPublic: metadata},
		{url: "http://169.254.43518/", wantStrict: metadata, wantAllowPublic: metadata},
		{url: "http://0xa9.0xfe.0xa9.0xfe./", wantStrict: metadata, wantAllowPublic: metadata},
		{url: "http://%EF%BC%91%EF%BC%96%EF%BC%99.254.169.254/", wantStrict: metadata, wantAllowPublic: metadata}, // full-width digits
		{url: "http://134744072/", wantStrict: allowed, wantAllowPublic: allowed},                                 // 8.8.8.8
		{url: "http://010.8.8.8/", wantStrict: allowed, wantAllowPublic: allowed},                                 // octal 010 is 8
		{url: "http://0x08080808/", wantStrict: allowed, wantAllowPublic: allowed},                                // 8.8.8.8
		// Hosts that end in a number but are no address: a browser refuses them.
		{url: "http://1.2.3.4.5/", wantStrict: invalid, wantAllowPublic: invalid},
		{url: "http://256.1.1.1/", wantStrict: invalid, wantAllowPublic: invalid},
		{url: "http://1.2.65536/", wantStrict: invalid, wantAllowPublic: invalid},
		{url: "http://4294967296/", wantStrict: invalid, wantAllowPublic: invalid},
		{url: "http://08/", wantStrict: invalid, wantAllowPublic: invalid},
		{url: "http://example.0x10/", wantStrict: invalid, wantAllowPublic: invalid},
		{url: "http://99999999999999999999999/", wantStrict: invalid, wantAllowPublic: invalid},
		// Names are judged when dialed.
		{url: "http://example.com/", wantStrict: allowed, wantAllowPublic: allowed},
		{url: "http://1password.com/", wantStrict: allowed, wantAllowPublic: allowed},
		{url: "http://127.0.0.1.nip.io/", wantStrict: allowed, wantAllowPublic: allowed},
		{url: "http://0x7g/", wantStrict: allowed, wantAllowPublic: allowed},
		// Ports: 0 and above 65535 reach nothing a URL could mean.
		{url: "http://example.com:0/", wantStrict: invalid, wantAllowPublic: invalid},
		{url: "http://example.com:00/", wantStrict: invalid, wantAllowPublic: invalid},
		{url: "http://example.com:65536/", wantStrict: invalid, wantAllowPublic: invalid},
		{url: "http://example.com:99999/", wantStrict: invalid, wantAllowPublic: invalid},
		{url: "https://8.8.8.8:99999/", wantStrict: invalid, wantAllowPublic: invalid},
		{url: "http://example.com:1/", wantStrict: allowed, wantAllowPublic: allowed},
		{url: "http://example.com:65535/", wantStrict: allowed, wantAllowPublic: allowed},
		{url: "http://example.com:/", wantStrict: allowed, wantAllowPublic: allowed}, // empty port: the default
	}
	for _, allowPrivate := range []bool{false, true} {
		g := netguard.New(allowPrivate)
		for _, tt := range tests {
			want := tt.wantStrict
			if allowPrivate {
				want = tt.wantAllowPublic
			}
			t.Run(verdictName(allowPrivate, tt.url, "CheckURL"), func(t *testing.T) {
				t.Parallel()
				u, err := url.Parse(tt.url)
				if err != nil {
					t.Fatalf("url.Parse: %v", err)
				}
				err = g.CheckURL(u)
				if want == invalid {
					if !errors.Is(err, netguard.ErrInvalidURL) {
						t.Errorf("CheckURL = %v, want one wrapping ErrInvalidURL", err)
					}
					return
				}
				wantVerdict(t, err, want)
			})
		}
	}
}

func TestParseHost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		host   string
		want   string // "" for a name
		isAddr bool
	}{
		{host: "127.1", want: "127.0.0.1", isAddr: true},
		{host: "0x7f000001", want: "127.0.0.1", isAddr: true},
		{host: "2130706433", want: "127.0.0.1", isAddr: true},
		{host: "017700000001", want: "127.0.0.1", isAddr: true},
		{host: "127.0.0.1.", want: "127.0.0.1", isAddr: true},
		{host: "0x", want: "0.0.0.0", isAddr: true},
		{host: "1.0x", want: "1.0.0.0", isAddr: true},
		{host: "fd00:ec2::254%lo", want: "fd00:ec2::254%lo", isAddr: true},
		{host: "example.com"},
		{host: "example.com."},
		{host: "localhost"},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			t.Parallel()
			addr, isAddr, err := netguard.ParseHost(tt.host)
			if err != nil {
				t.Fatalf("ParseHost(%q) = %v", tt.host, err)
			}
			if isAddr != tt.isAddr || (isAddr && addr.String() != tt.want) {
				t.Errorf("ParseHost(%q) = %v, %v; want %q, %v", tt.host, addr, isAddr, tt.want, tt.isAddr)
			}
		})
	}
}

// TestDialerHostForms dials a real listener on 127.0.0.1 through the guard's dialer by
// every numeric form of its address: each is the address it denotes, refused or
// allowed as that address, and a refusal names no address.
func TestDialerHostForms(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	var accepted atomic.Int64
	go func() {
		// Ends when the listener is closed at cleanup.
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			_ = conn.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	hosts := []string{"127.0.0.1", "127.1", "0x7f000001", "2130706433", "017700000001", "127.0.0.1.", "0x7f.1"}

	for _, host := range hosts {
		address := net.JoinHostPort(host, port)
		t.Run("strict/"+host, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			before := accepted.Load()
			conn, err := netguard.New(false).Dialer().DialContext(ctx, "tcp", address)
			if err == nil {
				_ = conn.Close()
				t.Fatal("dial connected; want it refused")
			}
			if !errors.Is(err, netguard.ErrForbidden) {
				t.Fatalf("dial = %v, want ErrForbidden", err)
			}
			if strings.Contains(err.Error(), "127.0.0.1") || strings.Contains(err.Error(), port) {
				t.Errorf("refusal %q names the address", err)
			}
			if accepted.Load() != before {
				t.Error("the listener accepted a connection the guard refused")
			}
		})
		t.Run("allowPrivate/"+host, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			before := accepted.Load()
			conn, err := netguard.New(true).Dialer().DialContext(ctx, "tcp", address)
			if err != nil {
				t.Fatalf("dial = %v, want a connection", err)
			}
			defer conn.Close()
			if !netguard.Exempt(conn) {
				t.Error("Exempt = false for a loopback connection only the exception allowed")
			}
			// The accept loop counts this connection on its own goroutine: wait for it,
			// so the next strict case's count starts after it.
			for accepted.Load() == before {
				if ctx.Err() != nil {
					t.Fatal("the listener never accepted the allowed connection")
				}
				time.Sleep(time.Millisecond)
			}
		})
	}

	// Metadata addresses stay refused with private targets allowed, before any packet.
	for _, address := range []string{
		"169.254.169.254:80", "169.254.0.23:80", "0xa9fea9fe:80", "2852039166:80", "169.254.169.254.:80",
		"[fd00:ec2::254%lo]:80", "[fd00:ec2::254%1]:80", "[64:ff9b::a9fe:a9fe%lo]:80", "[fd00:ec2::1]:80",
	} {
		t.Run("allowPrivate/"+address, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			conn, err := netguard.New(true).Dialer().DialContext(ctx, "tcp", address)
			if err == nil {
				_ = conn.Close()
				t.Fatal("dial connected; want it refused")
			}
			if !errors.Is(err, netguard.ErrForbidden) || !strings.Contains(err.Error(), metadata) {
				t.Fatalf("dial = %v, want a metadata refusal", err)
			}
			if strings.Contains(err.Error(), "169.254") || strings.Contains(err.Error(), "fd00") || strings.Contains(err.Error(), "ff9b") {
				t.Errorf("refusal %q names the address", err)
			}
		})
	}
}

// TestExempt: a public address needs no exception, so its connections are not marked;
// one reached through an allowed network is.
func TestExempt(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			_ = conn.Close()
		}
	}()
	g := netguard.New(false, netip.MustParsePrefix("127.0.0.1/32"))
	ctx, reach := netguard.Trace(context.Background())
	if reach.Exempt() {
		t.Fatal("a fresh Reach is exempt")
	}
	conn, err := g.Dialer().DialContext(ctx, "tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("dial = %v, want a connection through the allowed network", err)
	}
	defer conn.Close()
	if !netguard.Exempt(conn) || !reach.Exempt() {
		t.Errorf("Exempt(conn) = %v, reach.Exempt() = %v; want both true", netguard.Exempt(conn), reach.Exempt())
	}
	if netguard.Exempt(nil) {
		t.Error("Exempt(nil) = true")
	}
}
