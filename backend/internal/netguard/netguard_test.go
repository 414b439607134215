package netguard_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
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
		{addr: "100.64.0.1", wantStrict: private, wantAllowPublic: allowed},  // CGNAT
		{addr: "169.254.1.1", wantStrict: private, wantAllowPublic: allowed}, // link-local
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
					wantVerdict(t, c.err(), want)
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
		"169.254.1.1":     allowed,
		"169.254.169.254": metadata, // an allowed network never opens a metadata address
		"fd12::1":         allowed,
		"fd13::1":         private,
	} {
		t.Run(addr, func(t *testing.T) {
			wantVerdict(t, g.CheckAddr(netip.MustParseAddr(addr)), want)
		})
	}
}
