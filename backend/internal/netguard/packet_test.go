package netguard_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/watchdog-monitor/watchdog/backend/internal/netguard"
)

// TestPacketDialer dials UDP to a real socket on 127.0.0.1: the plain dialer never
// dials UDP, the packet dialer does where the policy allows, and an exempt UDP
// connection is still a net.PacketConn (a DNS client reads it by datagrams).
func TestPacketDialer(t *testing.T) {
	t.Parallel()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	addr := pc.LocalAddr().String()
	ctx := context.Background()

	if _, err := netguard.New(true).Dialer().DialContext(ctx, "udp", addr); !errors.Is(err, netguard.ErrForbidden) {
		t.Errorf("Dialer dialed UDP: %v", err)
	}
	if _, err := netguard.New(false).PacketDialer().DialContext(ctx, "udp", addr); !errors.Is(err, netguard.ErrForbidden) {
		t.Errorf("the strict guard let UDP to loopback through: %v", err)
	}
	if _, err := netguard.New(true).PacketDialer().DialContext(ctx, "udp4", "169.254.169.254:53"); !errors.Is(err, netguard.ErrForbidden) {
		t.Errorf("UDP to metadata let through: %v", err)
	}
	conn, err := netguard.New(true).PacketDialer().DialContext(ctx, "udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	if !netguard.Exempt(conn) {
		t.Error("a UDP connection to loopback allowed by the exception is not marked exempt")
	}
	if _, ok := conn.(net.PacketConn); !ok {
		t.Errorf("the exempt UDP connection %T is no net.PacketConn", conn)
	}
	tcpConn, err := netguard.New(true).PacketDialer().DialContext(ctx, "tcp", addr)
	if err == nil {
		_ = tcpConn.Close()
	} else if errors.Is(err, netguard.ErrForbidden) {
		t.Errorf("the packet dialer refused TCP: %v", err)
	}
}

func TestJudge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		allowPrivate bool
		addr         string
		err          string
		exempt       bool
	}{
		{name: "public", addr: "93.184.216.34"},
		{name: "loopback strict", addr: "127.0.0.1", err: "address not allowed: a loopback, private or reserved address (set ALLOW_PRIVATE_TARGETS to allow)"},
		{name: "loopback allowed", allowPrivate: true, addr: "127.0.0.1", exempt: true},
		{name: "IPv6 loopback allowed", allowPrivate: true, addr: "::1", exempt: true},
		{name: "metadata", allowPrivate: true, addr: "169.254.169.254", err: "address not allowed: a link-local or cloud metadata address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			exempt, err := netguard.New(tt.allowPrivate).Judge(netip.MustParseAddr(tt.addr))
			if tt.err == "" {
				if err != nil {
					t.Fatalf("Judge(%s) = %v", tt.addr, err)
				}
			} else if err == nil || err.Error() != tt.err || !errors.Is(err, netguard.ErrForbidden) {
				t.Fatalf("Judge(%s) = %v, want %q", tt.addr, err, tt.err)
			}
			if exempt != tt.exempt {
				t.Errorf("exempt = %v, want %v", exempt, tt.exempt)
			}
		})
	}
}
