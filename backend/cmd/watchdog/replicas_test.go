package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/apiclient"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
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
	mu  sync.Mutex
	out bytes.Buffer
	// drained is closed when the process's output has been read to its end.
	drained chan struct{}
}

// output is what the process has written so far.
// exitOutput is everything an exited replica wrote: Wait returns when the process
// ends, which can be before the last lines have come through the pipe.
func (r *replica) exitOutput(t *testing.T) string {
	t.Helper()
	select {
	case <-r.drained:
	case <-time.After(10 * time.Second):
		t.Error("the replica's output did not end after it exited")
	}
	return r.output()
}

func (r *replica) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.String()
}

var schedulerStarted = regexp.MustCompile(`msg="scheduler started" replica=(\w+)`)

// schedulerID is the replica part of its claim tokens, from its "scheduler started"
// line (logged at info, so the replica must run with LOG_LEVEL=info).
func (r *replica) schedulerID(t *testing.T) string {
	t.Helper()
	var id string
	require.Eventually(t, func() bool {
		if m := schedulerStarted.FindStringSubmatch(r.output()); m != nil {
			id = m[1]
		}
		return id != ""
	}, 10*time.Second, 50*time.Millisecond, "the replica logs its scheduler id")
	return id
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// startReplica runs `watchdog serve` on dbURL and waits until it is ready. env
// ("KEY=value") overrides the test defaults.
func startReplica(t *testing.T, bin, dbURL string, env ...string) *replica {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "LISTEN_ADDR="+addr, "ADMIN_PASS="+testAdminPass,
		"ALLOW_PRIVATE_TARGETS=true", "MIN_INTERVAL_SECONDS=1", "WORKERS=32", "LOG_LEVEL=warn")
	// For a key given twice, exec uses the last value.
	cmd.Env = append(cmd.Env, env...)
	pr, pw, err := os.Pipe()
	require.NoError(t, err)
	cmd.Stdout, cmd.Stderr = pw, pw
	require.NoError(t, cmd.Start())
	_ = pw.Close()
	r := &replica{cmd: cmd, url: "http://" + addr, drained: make(chan struct{})}
	go func() {
		defer close(r.drained)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			r.mu.Lock()
			r.out.WriteString(sc.Text() + "\n")
			r.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		if r.cmd.ProcessState == nil {
			_ = r.cmd.Process.Signal(syscall.SIGTERM)
			_ = r.cmd.Wait()
		}
		if t.Failed() {
			t.Logf("replica %s output:\n%s", addr, r.output())
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

// TestReplicasShareTargetsAndTakeOverFromACrash runs three watchdog processes on one
// PostgreSQL database with 300 targets every two or three seconds for about half a
// minute. Every target is pinged once per interval: never twice for one slot, never
// more than one slot missed. Then one replica is killed with SIGKILL, so it hands
// nothing back: the targets it held wait out their lease, and the survivors take them
// over then.
func TestReplicasShareTargetsAndTakeOverFromACrash(t *testing.T) {
	bin, err := buildBinary()
	require.NoError(t, err)
	dbURL := storetest.PostgresURL(t)
	f := newFleet(t)

	const (
		replicas = 3
		n        = 300
		// slack covers what the schedule does not promise: a due target waits up to one
		// dispatch tick (500 ms) to be claimed, and on a loaded 2-core machine (the other
		// test packages run alongside) a tick, a query or a request can run a second late.
		slack = 1500 * time.Millisecond
		// runFor is how long all three replicas share the targets before the crash.
		runFor = 12 * time.Second
	)
	// A replica claims at most WORKERS targets a dispatch tick (500 ms), and counts a
	// worker free again only at the first tick after its result is written, so it checks
	// at most 2×WORKERS targets a second, fewer when some answer slowly. The targets below
	// need 145 a second: with the default 32 workers the two survivors (128 a second at
	// best) would fall behind, so each replica gets 64. Info logs give its scheduler id.
	rs := make([]*replica, replicas)
	ids := make([]string, replicas)
	for i := range rs {
		rs[i] = startReplica(t, bin, dbURL, "WORKERS=64", "LOG_LEVEL=info")
		ids[i] = rs[i].schedulerID(t)
	}

	bodies := make([]apiclient.TargetCreate, n)
	intervals, leases := make([]time.Duration, n), make([]time.Duration, n)
	ideal := 0.0 // pings a second
	for i := range bodies {
		path, interval, timeout := fmt.Sprintf("/ok/%d", i), 2, 1
		if i%10 == 9 {
			// One in ten answers after a second (the fleet's /slow/). A timeout of one
			// second would race that answer, so these get two, and so an interval of
			// three (a timeout must be shorter than the interval).
			path, interval, timeout = fmt.Sprintf("/slow/%d", i), 3, 2
		}
		bodies[i] = apiclient.TargetCreate{Url: f.URL + path, IntervalSeconds: ptr(interval), TimeoutSeconds: ptr(timeout), Retries: ptr(0)}
		intervals[i] = time.Duration(interval) * time.Second
		// With no retries the check's budget is one timeout; the lease adds the margin.
		leases[i] = time.Duration(timeout)*time.Second + target.LeaseMargin
		ideal += 1 / float64(interval)
	}
	maxLease, maxInterval := slices.Max(leases), slices.Max(intervals)
	srv := &server{URL: rs[0].url, client: login(t, rs[0].url)}
	targets, created := createAll(t, srv, bodies)
	began := time.Now()

	time.Sleep(runFor)
	victim, victimID := rs[replicas-1], ids[replicas-1]
	// Kill the victim while it holds leases, or the takeover goes untested. A slow
	// target's check holds its lease for a second, and the victim claims about three of
	// those a second, so this takes a few ticks at most.
	var inFlight map[string][]int64
	for deadline := time.Now().Add(2 * maxInterval); ; time.Sleep(20 * time.Millisecond) {
		inFlight = leasesByReplica(t, dbURL)
		if len(inFlight[victimID]) >= 3 || time.Now().After(deadline) {
			break
		}
	}
	rss := make([]int, replicas)
	rss[replicas-1] = peakRSS(victim.cmd.Process.Pid)
	killStart := time.Now()
	require.NoError(t, victim.cmd.Process.Kill())
	_ = victim.cmd.Wait() // "signal: killed", as intended
	// A request the victim wrote just before it died may still be read, and counted, by
	// the fleet a moment later: the crash is a short window, not an instant.
	killEnd := time.Now().Add(100 * time.Millisecond)
	// Nothing moves the victim's leases now but their end: these are the targets that
	// must wait for it.
	held := leasesByReplica(t, dbURL)[victimID]
	assert.NotEmpty(t, held, "the killed replica held leases, so their takeover is tested")

	// Long enough for the longest lease to run out, then two more intervals in which
	// every target, taken over or not, must keep its schedule.
	time.Sleep(time.Until(killEnd.Add(maxLease + 2*maxInterval + slack)))
	end := time.Now()
	hits := make([][]time.Time, n)
	for i, tg := range targets {
		hits[i] = f.times(strings.TrimPrefix(tg.Url, f.URL))
	}
	for i := range replicas - 1 {
		rss[i] = peakRSS(rs[i].cmd.Process.Pid)
	}

	// extreme is a gap and where it was, for the log.
	type extreme struct {
		gap   time.Duration
		where string
	}
	lower := func(e *extreme, gap time.Duration, where string) {
		if e.where == "" || gap < e.gap {
			*e = extreme{gap, where}
		}
	}
	higher := func(e *extreme, gap time.Duration, where string) {
		if e.where == "" || gap > e.gap {
			*e = extreme{gap, where}
		}
	}
	var (
		pings                                  int
		doubles, misses, notTakenOver          []string
		waited                                 = map[int64]bool{}
		shortest, longest                      extreme
		longestTakeover, shortestAfterTakeover extreme
	)
	wasHeld := map[int64]bool{}
	for _, id := range held {
		wasHeld[id] = true
	}
	at := func(path string, gap time.Duration, h time.Time) string {
		return fmt.Sprintf("%s: %s at %s", path, gap.Round(time.Millisecond), h.Sub(began).Round(time.Millisecond))
	}
	for i, tg := range targets {
		path, interval := strings.TrimPrefix(tg.Url, f.URL), intervals[i]
		for _, h := range hits[i] {
			if !h.Before(began) {
				pings++ // the rate is measured from the moment all targets exist
			}
		}
		// The first gap runs from the creation (the target is due at once); the last to
		// the end of the run, so a target that stopped being pinged counts as missed.
		prev := created[i]
		tookOver := false
		for j, h := range append(slices.Clip(hits[i]), end) {
			gap := h.Sub(prev)
			ping := j < len(hits[i])
			afterTakeover := tookOver
			tookOver = false
			switch {
			case j == 0 || !ping:
				// The first ping may beat the create response; the end is no ping.
			case gap < interval/2:
				// No double pings: two replicas checking one slot would ping within a tick or
				// two of each other, while a slot claimed a tick early or late leaves the gap
				// far above half an interval. After a takeover too: the slot following a late
				// check is skipped when it is less than half an interval away (target.NextSlot).
				doubles = append(doubles, at(path, gap, h))
			}
			if afterTakeover && ping {
				lower(&shortestAfterTakeover, gap, at(path, gap, h))
			}
			// None missed beyond one interval: a check written after its next slot has
			// passed skips that slot, so a gap may reach two intervals, never more.
			limit := 2 * interval
			if prev.Before(killEnd) && h.After(killStart) {
				// Across the crash, a target the victim had claimed is due again only when
				// the lease runs out, counted from the claim, and survivors claim it within a
				// tick after. Its last ping was that claim's or, if the victim died between
				// claim and ping, the slot's before: one interval more.
				if gap > limit+slack {
					waited[int64(tg.Id)], tookOver = true, true
				}
				if wasHeld[int64(tg.Id)] {
					// Ranked by how far the gap ran past the lease, as the leases differ.
					higher(&longestTakeover, gap-leases[i], at(path, gap, h)+fmt.Sprintf(" (lease %s)", leases[i]))
				}
				limit = leases[i] + interval
			} else if j > 0 && ping && !afterTakeover {
				lower(&shortest, gap, at(path, gap, h))
				higher(&longest, gap, at(path, gap, h))
			}
			if gap > limit+slack {
				misses = append(misses, at(path, gap, h))
			}
			prev = h
		}
		// Survivors took over: a ping after the latest the victim's lease could end.
		if len(hits[i]) == 0 || !hits[i][len(hits[i])-1].After(killStart.Add(leases[i])) {
			notTakenOver = append(notTakenOver, path)
		}
	}
	report := func(what string, list []string) {
		if len(list) > 0 {
			t.Errorf("%d of %d targets %s, e.g. %s", len(list), n, what, strings.Join(list[:min(5, len(list))], "; "))
		}
	}
	report("pinged twice within half an interval", doubles)
	report("missed more than one interval (across the crash, more than their lease and an interval)", misses)
	report("never pinged after the killed replica's lease ran out", notTakenOver)

	// The targets that waited out a lease should be those the victim held, about a third
	// of those in flight: logged, not asserted, as it is a matter of timing.
	waitedHeld := 0
	for id := range waited {
		if wasHeld[id] {
			waitedHeld++
		}
	}
	var inFlightAll []int
	for _, id := range ids {
		inFlightAll = append(inFlightAll, len(inFlight[id]))
	}
	elapsed := end.Sub(began)
	t.Logf("%d replicas then %d, %d targets every 2 s (a tenth, slow, every 3 s): %d pings in %s (%.1f/s, ideal %.1f/s); outside the crash gaps from %s to %s",
		replicas, replicas-1, n, pings, elapsed.Round(time.Second), float64(pings)/elapsed.Seconds(), ideal, shortest.where, longest.where)
	t.Logf("killed replica %d at %s holding %d leases (in flight just before: %v per replica); %d targets waited out a lease (%d of them its); longest takeover gap past its lease %s, shortest gap after a takeover %s; peak RSS %v KiB",
		replicas, killStart.Sub(began).Round(time.Millisecond), len(held), inFlightAll, len(waited), waitedHeld,
		longestTakeover.where, shortestAfterTakeover.where, rss)
}

// createAll creates the targets through the API, a few requests at a time so that
// hundreds take a second or two, and returns them with when each create call returned.
func createAll(t *testing.T, s *server, bodies []apiclient.TargetCreate) ([]apiclient.Target, []time.Time) {
	t.Helper()
	out := make([]apiclient.Target, len(bodies))
	at := make([]time.Time, len(bodies))
	errs := make([]error, len(bodies))
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i, b := range bodies {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			res, err := s.client.CreateTargetWithResponse(context.Background(), b)
			switch {
			case err != nil:
				errs[i] = fmt.Errorf("create %s: %w", b.Url, err)
			case res.JSON201 == nil:
				errs[i] = fmt.Errorf("create %s: %d %s", b.Url, res.StatusCode(), res.Body)
			default:
				out[i], at[i] = *res.JSON201, time.Now()
			}
		})
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	return out, at
}

// leasesByReplica reads which targets each replica holds a lease on, by the replica
// part of the claim token ("<replica>-<sequence>").
func leasesByReplica(t *testing.T, dbURL string) map[string][]int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer func() { _ = conn.Close(ctx) }()
	rows, err := conn.Query(ctx, "SELECT id, lease_token FROM targets WHERE lease_token IS NOT NULL")
	require.NoError(t, err)
	held := map[string][]int64{}
	var id int64
	var token string
	_, err = pgx.ForEachRow(rows, []any{&id, &token}, func() error {
		r, _, _ := strings.Cut(token, "-")
		held[r] = append(held[r], id)
		return nil
	})
	require.NoError(t, err)
	return held
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
