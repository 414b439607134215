package probe

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// acceptingPort listens on 127.0.0.1 and accepts (and closes) every connection until
// the test ends, and returns its port.
func acceptingPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

func TestCachingDialerReusesAnswersForAWhile(t *testing.T) {
	port := acceptingPort(t)

	lookups := 0
	fail := false
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d := newCachingDialer((&net.Dialer{Timeout: time.Second}).DialContext)
	d.now = func() time.Time { return clock }
	d.lookup = func(_ context.Context, _, host string) ([]netip.Addr, error) {
		lookups++
		if fail {
			return nil, errors.New("no such host")
		}
		// A dead address first: the next one is tried.
		return []netip.Addr{netip.MustParseAddr("127.0.0.2"), netip.MustParseAddr("127.0.0.1")}, nil
	}
	dial := func() error {
		c, err := d.DialContext(context.Background(), "tcp", net.JoinHostPort("svc.test", port))
		if err == nil {
			_ = c.Close()
		}
		return err
	}

	require.NoError(t, dial())
	require.NoError(t, dial())
	assert.Equal(t, 1, lookups, "the second dial reuses the answer")

	clock = clock.Add(dnsTTL + time.Second)
	fail = true
	assert.Error(t, dial(), "an expired answer is asked again, and a failure is reported")
	assert.Error(t, dial())
	assert.Equal(t, 3, lookups, "failures are not remembered")

	fail = false
	require.NoError(t, dial())
	c, err := d.DialContext(context.Background(), "tcp", net.JoinHostPort("127.0.0.1", port))
	require.NoError(t, err, "an address needs no lookup")
	_ = c.Close()
	assert.Equal(t, 4, lookups)
}

// TestCachingDialerFallsBackToTheOtherFamily: a name whose IPv6 address never answers
// is reached over IPv4 within a moment, not after the whole timeout.
func TestCachingDialerFallsBackToTheOtherFamily(t *testing.T) {
	port := acceptingPort(t)

	direct := &net.Dialer{}
	d := newCachingDialer(direct.DialContext)
	d.lookup = func(context.Context, string, string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("127.0.0.1")}, nil
	}
	d.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, _, _ := net.SplitHostPort(addr); host == "2001:db8::1" {
			<-ctx.Done() // black-holed: never answers
			return nil, ctx.Err()
		}
		return direct.DialContext(ctx, network, addr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	began := time.Now()
	c, err := d.DialContext(ctx, "tcp", net.JoinHostPort("dual.test", port))
	require.NoError(t, err)
	_ = c.Close()
	assert.Less(t, time.Since(began), 2*time.Second, "connected over IPv4 after the fallback delay")

	d.lookup = func(context.Context, string, string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("2001:db8::1")}, nil
	}
	d.names = map[string]dnsEntry{}
	short, cancelShort := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancelShort()
	_, err = d.DialContext(short, "tcp", net.JoinHostPort("v6only.test", port))
	assert.Error(t, err, "no address answers: the dial fails when the time is up")
}
