package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/apiclient"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

// buildBinary compiles the watchdog command once for the tests that run it as a
// separate process (so it can be killed like a crashed replica).
var buildBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "watchdog-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "watchdog")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// replica is a watchdog process.
type replica struct {
	cmd *exec.Cmd
	url string
	out *bytes.Buffer
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

func startReplica(t *testing.T, bin, dbURL string) *replica {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "LISTEN_ADDR="+addr, "ADMIN_PASS="+testAdminPass,
		"ALLOW_PRIVATE_TARGETS=true", "MIN_INTERVAL_SECONDS=1", "WORKERS=32", "LOG_LEVEL=warn")
	out := &bytes.Buffer{}
	var mu sync.Mutex
	pr, pw, err := os.Pipe()
	require.NoError(t, err)
	cmd.Stdout, cmd.Stderr = pw, pw
	require.NoError(t, cmd.Start())
	_ = pw.Close()
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			mu.Lock()
			out.WriteString(sc.Text() + "\n")
			mu.Unlock()
		}
	}()
	r := &replica{cmd: cmd, url: "http://" + addr, out: out}
	t.Cleanup(func() {
		if r.cmd.ProcessState == nil {
			_ = r.cmd.Process.Signal(syscall.SIGTERM)
			_ = r.cmd.Wait()
		}
		if t.Failed() {
			mu.Lock()
			t.Logf("replica %s output:\n%s", addr, out.String())
			mu.Unlock()
		}
	})
	require.Eventually(t, func() bool {
		res, err := http.Get(r.url + "/readyz")
		if err != nil {
			return false
		}
		_ = res.Body.Close()
		return res.StatusCode == http.StatusOK
	}, 30*time.Second, 100*time.Millisecond, "replica starts")
	return r
}

// peakRSS reads the process's peak resident memory from /proc, in KiB.
func peakRSS(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	return -1
}

// TestReplicasShareTargetsAndTakeOverFromACrash runs two watchdog processes on one
// PostgreSQL database with 50 targets: no target is pinged twice within half its
// interval, and when one replica is killed (SIGKILL, no chance to hand anything
// back), the other carries on with all targets within the lease.
func TestReplicasShareTargetsAndTakeOverFromACrash(t *testing.T) {
	bin, err := buildBinary()
	require.NoError(t, err)
	dbURL := storetest.PostgresURL(t)
	f := newFleet(t)
	a := startReplica(t, bin, dbURL)
	b := startReplica(t, bin, dbURL)

	const n, interval = 50, 4
	client := login(t, a.url)
	srvA := &server{URL: a.url, client: client}
	var paths []string
	for i := range n {
		p := fmt.Sprintf("/ok/%d", i)
		if i%10 == 9 {
			p = fmt.Sprintf("/slow/%d", i) // one in ten answers after a second
		}
		paths = append(paths, p)
		srvA.create(t, apiclient.TargetCreate{Url: f.URL + p, IntervalSeconds: ptr(interval), TimeoutSeconds: ptr(2), Retries: ptr(0)})
	}
	started := time.Now()
	time.Sleep(12 * time.Second)

	rssA, rssB := peakRSS(a.cmd.Process.Pid), peakRSS(b.cmd.Process.Pid)
	require.NoError(t, b.cmd.Process.Kill())
	_ = b.cmd.Wait()
	killed := time.Now()
	// Budget 2 s (one attempt) + the 10 s margin: the lease a crashed replica leaves.
	const lease = 12 * time.Second
	time.Sleep(lease + interval*time.Second + 2*time.Second)
	end := time.Now()

	total := 0
	for _, p := range paths {
		hits := f.times(p)
		total += len(hits)
		for i := 1; i < len(hits); i++ {
			gap := hits[i].Sub(hits[i-1])
			assert.GreaterOrEqual(t, gap, interval*time.Second/2, "%s pinged twice within half its interval (gap %d: %s)", p, i, gap)
		}
		var afterTakeover int
		for _, h := range hits {
			if h.After(killed.Add(lease)) {
				afterTakeover++
			}
		}
		assert.GreaterOrEqual(t, afterTakeover, 1, "%s: the surviving replica checks it after the crashed one's lease", p)
	}
	elapsed := end.Sub(started)
	t.Logf("2 replicas then 1, %d targets every %ds: %d pings in %s (%.1f/s, ideal %.1f/s); peak RSS A %d KiB, B %d KiB",
		n, interval, total, elapsed.Round(time.Second), float64(total)/elapsed.Seconds(), float64(n)/interval, rssA, rssB)
}

// TestSQLiteAllowsOneServerAndStopsCleanly: a second server on the same SQLite file
// refuses to start and says why; SIGTERM stops the first one cleanly.
func TestSQLiteAllowsOneServerAndStopsCleanly(t *testing.T) {
	bin, err := buildBinary()
	require.NoError(t, err)
	dbPath := storetest.SQLiteURL(t)
	first := startReplica(t, bin, dbPath)

	second := exec.Command(bin, "serve")
	second.Env = append(os.Environ(), "DATABASE_URL="+dbPath, "LISTEN_ADDR="+freeAddr(t), "ADMIN_PASS="+testAdminPass)
	out, err := second.CombinedOutput()
	require.Error(t, err, "the second server must not start")
	assert.Contains(t, string(out), "PostgreSQL", "the message points to PostgreSQL for replicas")

	began := time.Now()
	require.NoError(t, first.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, first.cmd.Wait(), "exit status 0 after SIGTERM")
	assert.Less(t, time.Since(began), 10*time.Second)

	migrate := exec.Command(bin, "migrate")
	migrate.Env = append(os.Environ(), "DATABASE_URL="+dbPath)
	out, err = migrate.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "migrations applied")
}
