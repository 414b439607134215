package probe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	probing "github.com/prometheus-community/pro-bing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/icmp"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

func TestICMPCheck(t *testing.T) {
	t.Parallel()
	t.Run("127.0.0.1 answers", func(t *testing.T) {
		t.Parallel()
		tg := typedTarget(target.TypeICMP, "icmp://127.0.0.1")
		tg.Conditions = []target.Condition{{Type: "packet_loss", Op: "<", Value: "50"}}
		c := newProber(t, true, Options{}).Check(context.Background(), tg)
		assert.True(t, c.OK, c.Error)
		assert.Equal(t, 1, c.Attempts)
		require.NotNil(t, c.PacketLoss)
		assert.Zero(t, *c.PacketLoss)
		assert.Nil(t, c.StatusCode)
		assert.Nil(t, c.Answer)
	})
	t.Run("::1 answers when the kernel has it", func(t *testing.T) {
		t.Parallel()
		c := newProber(t, true, Options{}).Check(context.Background(), typedTarget(target.TypeICMP, "icmp://[::1]"))
		if hasIPv6Loopback() {
			assert.True(t, c.OK, c.Error)
			require.NotNil(t, c.PacketLoss)
			assert.Zero(t, *c.PacketLoss)
			return
		}
		// Without ::1 the echo cannot be sent: the check says so rather than passing.
		assert.False(t, c.OK)
		assert.NotEmpty(t, c.Error)
	})
	t.Run("a packet_loss condition is judged", func(t *testing.T) {
		t.Parallel()
		tg := typedTarget(target.TypeICMP, "icmp://127.0.0.1")
		tg.Conditions = []target.Condition{{Type: "packet_loss", Op: "<=", Value: "0"}, {Type: "latency", Op: "<", Value: "600000"}}
		c := newProber(t, true, Options{}).Check(context.Background(), tg)
		assert.True(t, c.OK, c.Error)
	})
	tests := []struct {
		name         string
		allowPrivate bool
		url          string
		err          string
	}{
		{name: "loopback, strict guard", url: "icmp://127.0.0.1", err: refusedLoopback},
		{name: "loopback in another form", url: "icmp://127.1", err: refusedLoopback},
		{name: "a name resolving to loopback", url: "icmp://localhost", err: refusedLoopback},
		{name: "metadata, even when private targets are allowed", allowPrivate: true, url: "icmp://169.254.169.254",
			err: "address not allowed: a link-local or cloud metadata address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tg := typedTarget(target.TypeICMP, tt.url)
			tg.Retries = 2
			c := newProber(t, tt.allowPrivate, Options{}).Check(context.Background(), tg)
			assert.False(t, c.OK)
			assert.Equal(t, tt.err, c.Error)
			assert.Equal(t, 1, c.Attempts)
			assert.Nil(t, c.PacketLoss, "nothing was sent")
		})
	}
}

// hasIPv6Loopback reports whether this kernel has ::1 up.
func hasIPv6Loopback() bool {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		return false
	}
	_ = ln.Close()
	return true
}

// The helper process: a check of icmp://127.0.0.1 made by an unprivileged user (see
// TestICMPCheckUnprivileged), printed as JSON. In a normal run it does nothing.
const icmpHelperEnv = "WATCHDOG_ICMP_HELPER"

func TestICMPHelperProcess(t *testing.T) {
	if os.Getenv(icmpHelperEnv) != "1" {
		return
	}
	c := newProber(t, true, Options{}).Check(context.Background(), typedTarget(target.TypeICMP, "icmp://127.0.0.1"))
	out, err := json.Marshal(c)
	require.NoError(t, err)
	fmt.Println("CHECK " + string(out))
}

// TestICMPCheckUnprivileged runs a check as nobody, without NET_RAW: it pings through
// a datagram socket when net.ipv4.ping_group_range covers nobody's group, and fails
// naming what is missing when it does not. Both are real: the test reads the sysctl
// to know which to expect.
func TestICMPCheckUnprivileged(t *testing.T) {
	t.Parallel()
	const nobody = 65534
	if os.Geteuid() != 0 {
		// Not root: this process itself is the unprivileged one.
		checkUnprivileged(t, runHelperInProcess(t), os.Getegid())
		return
	}
	// The test binary is copied where nobody may run it.
	self, err := os.Executable()
	require.NoError(t, err)
	dir, err := os.MkdirTemp("", "icmp-helper")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
	bin := filepath.Join(dir, "probe.test")
	copyFile(t, self, bin)
	cmd := exec.Command(bin, "-test.run=^TestICMPHelperProcess$", "-test.count=1")
	cmd.Dir = dir
	cmd.Env = []string{icmpHelperEnv + "=1", "HOME=" + dir, "PATH=/usr/bin:/bin"}
	// A uid other than 0 loses every capability at exec: no NET_RAW.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "helper: %s", out)
	checkUnprivileged(t, parseHelperCheck(t, string(out)), nobody)
}

func runHelperInProcess(t *testing.T) target.Check {
	return newProber(t, true, Options{}).Check(context.Background(), typedTarget(target.TypeICMP, "icmp://127.0.0.1"))
}

func parseHelperCheck(t *testing.T, out string) target.Check {
	t.Helper()
	for line := range strings.SplitSeq(out, "\n") {
		if rest, ok := strings.CutPrefix(line, "CHECK "); ok {
			var c target.Check
			require.NoError(t, json.Unmarshal([]byte(rest), &c))
			return c
		}
	}
	t.Fatalf("the helper printed no check: %s", out)
	return target.Check{}
}

func checkUnprivileged(t *testing.T, c target.Check, gid int) {
	t.Helper()
	if pingGroupCovers(t, gid) {
		assert.True(t, c.OK, "ping_group_range covers %d, so a datagram socket works: %s", gid, c.Error)
		return
	}
	assert.False(t, c.OK)
	assert.Equal(t, fmt.Sprintf(`ICMP needs the NET_RAW capability or net.ipv4.ping_group_range covering group %d (sysctl -w net.ipv4.ping_group_range="0 2147483647")`, gid), c.Error)
	assert.Equal(t, 1, c.Attempts)
}

// pingGroupCovers reads net.ipv4.ping_group_range.
func pingGroupCovers(t *testing.T, gid int) bool {
	t.Helper()
	b, err := os.ReadFile("/proc/sys/net/ipv4/ping_group_range")
	require.NoError(t, err)
	fields := strings.Fields(string(b))
	require.Len(t, fields, 2)
	lo, err := strconv.Atoi(fields[0])
	require.NoError(t, err)
	hi, err := strconv.Atoi(fields[1])
	require.NoError(t, err)
	return lo <= gid && gid <= hi
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	require.NoError(t, err)
	defer func() { _ = src.Close() }()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	require.NoError(t, err)
	_, err = io.Copy(dst, src)
	require.NoError(t, err)
	require.NoError(t, dst.Close())
}

// TestICMPSocketErrorMapping feeds the mapping the errors the kernel really gives: as
// root, a datagram socket is opened by a process whose group ping_group_range leaves
// out, which is refused with EACCES.
func TestICMPSocketErrorMapping(t *testing.T) {
	t.Parallel()
	for _, errno := range []syscall.Errno{syscall.EPERM, syscall.EACCES} {
		// The shape icmp.ListenPacket returns them in.
		err := &net.OpError{Op: "listen", Net: "ip4:icmp", Err: os.NewSyscallError("socket", errno)}
		assert.True(t, isPermissionError(err), "%v", errno)
		msg := (&icmpSocketError{gid: 1234, err: err}).Error()
		assert.Contains(t, msg, "NET_RAW")
		assert.Contains(t, msg, "net.ipv4.ping_group_range covering group 1234")
		assert.True(t, errors.Is(&icmpSocketError{gid: 1, err: err}, errno), "the cause is kept")
	}
	assert.False(t, isPermissionError(&net.OpError{Op: "listen", Err: os.NewSyscallError("socket", syscall.EAFNOSUPPORT)}))

	// A real refusal, when this process's group is outside the range.
	_, err := icmp.ListenPacket("udp4", "127.0.0.1")
	if pingGroupCovers(t, os.Getegid()) {
		assert.NoError(t, err)
	} else {
		require.Error(t, err)
		assert.True(t, isPermissionError(err), "a real refusal is recognised: %v", err)
	}
}

// TestICMPSendErrorOfAPrivateAddress: an error sending on an open socket names the
// address sent to ("write ip4 0.0.0.0->10.1.2.3: sendto: …"). For an address let
// through only because private targets are allowed, that would tell whoever saved the
// URL what an internal name resolves to, so it is worded without it, as http words a
// private host's errors; a public address keeps the detail. No kernel here fails a
// send on demand, so the sender returns the error a real one gives.
func TestICMPSendErrorOfAPrivateAddress(t *testing.T) {
	t.Parallel()
	sendErr := func(to netip.Addr) error {
		return &net.OpError{Op: "write", Net: "ip4", Source: &net.IPAddr{IP: net.IPv4zero},
			Addr: &net.IPAddr{IP: to.AsSlice()}, Err: os.NewSyscallError("sendto", syscall.EINVAL)}
	}
	tests := []struct {
		name, url string
		leak      string // what the error must not say
		want      string
	}{
		{name: "a private address", url: "icmp://10.1.2.3", leak: "10.1.2.3",
			want: "network error (details not shown: the host is private)"},
		{name: "a name resolving to loopback", url: "icmp://localhost", leak: "127.0.0.1",
			want: "network error (details not shown: the host is private)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newProber(t, true, Options{})
			var sentTo netip.Addr
			p.sendEchoes = func(_ context.Context, addr netip.Addr, _ time.Duration) (*probing.Statistics, error) {
				sentTo = addr
				return &probing.Statistics{}, sendErr(addr)
			}
			c := p.Check(context.Background(), typedTarget(target.TypeICMP, tt.url))
			assert.True(t, sentTo.IsValid(), "the guard let the address through")
			assert.False(t, c.OK)
			assert.Equal(t, tt.want, c.Error)
			assert.NotContains(t, c.Error, tt.leak)
		})
	}
	t.Run("a public address keeps the detail", func(t *testing.T) {
		t.Parallel()
		p := newProber(t, false, Options{})
		p.sendEchoes = func(_ context.Context, addr netip.Addr, _ time.Duration) (*probing.Statistics, error) {
			return &probing.Statistics{}, sendErr(addr)
		}
		c := p.Check(context.Background(), typedTarget(target.TypeICMP, "icmp://93.184.215.14"))
		assert.False(t, c.OK)
		assert.Equal(t, "write ip4 0.0.0.0->93.184.215.14: sendto: invalid argument", c.Error)
	})
}
