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

func TestCachingDialerReusesAnswersForAWhile(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
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

	lookups := 0
	fail := false
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d := newCachingDialer(&net.Dialer{Timeout: time.Second})
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
	c, err := d.DialContext(context.Background(), "tcp", ln.Addr().String())
	require.NoError(t, err, "an address needs no lookup")
	_ = c.Close()
	assert.Equal(t, 4, lookups)
}
