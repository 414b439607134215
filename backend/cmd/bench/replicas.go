package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	// readyTimeout bounds a replica's start-up, migrations included.
	readyTimeout = 2 * time.Minute
	// killAfter is how long a replica may take to stop after SIGTERM.
	killAfter = 30 * time.Second
	// tailBytes is how much of a replica's output is kept for an error report.
	tailBytes = 64 << 10
)

// buildWatchdog compiles ./cmd/watchdog into dir.
func buildWatchdog(ctx context.Context, dir string, progress io.Writer) (string, error) {
	backend, err := backendDir()
	if err != nil {
		return "", fmt.Errorf("find the backend to build (or pass -bin): %w", err)
	}
	bin := filepath.Join(dir, "watchdog")
	began := time.Now()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/watchdog")
	cmd.Dir = backend
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/watchdog: %w\n%s", err, out)
	}
	fmt.Fprintf(progress, "built %s in %.1fs\n", bin, time.Since(began).Seconds())
	return bin, nil
}

// backendDir finds the backend module: up from the working directory, else from
// where this source file was compiled (go run from anywhere in the repo).
func backendDir() (string, error) {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		starts = append(starts, filepath.Dir(file))
	}
	for _, dir := range starts {
		for {
			if isBackend(dir) {
				return dir, nil
			}
			if isBackend(filepath.Join(dir, "backend")) {
				return filepath.Join(dir, "backend"), nil
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", errors.New("no directory holding the module github.com/watchdog-monitor/watchdog/backend above the working directory")
}

func isBackend(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	return err == nil && bytes.Contains(b, []byte("module github.com/watchdog-monitor/watchdog/backend\n"))
}

// repoRoot is the directory above the backend module.
func repoRoot() (string, error) {
	b, err := backendDir()
	if err != nil {
		return "", err
	}
	return filepath.Dir(b), nil
}

// tailBuffer keeps the last tailBytes of what is written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > 2*tailBytes {
		t.buf = append([]byte(nil), t.buf[len(t.buf)-tailBytes:]...)
	}
	return len(p), nil
}

// tail returns the last lines kept.
func (t *tailBuffer) tail(lines int) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var all []string
	sc := bufio.NewScanner(bytes.NewReader(t.buf))
	sc.Buffer(make([]byte, 0, 64<<10), tailBytes)
	for sc.Scan() {
		all = append(all, sc.Text())
	}
	return strings.Join(all[max(0, len(all)-lines):], "\n")
}

// replica is one running `watchdog serve`.
type replica struct {
	cmd     *exec.Cmd
	url     string
	out     *tailBuffer
	started time.Time
	ready   time.Duration // from exec to the first 200 from /readyz
	done    chan struct{} // closed when the process has exited
	waitErr error         // the exit status, once done is closed
}

// replicaSet is the run's watchdog processes.
type replicaSet struct {
	list     []*replica
	password string
	// died is closed when any replica exits.
	died     chan struct{}
	diedOnce sync.Once
}

// startReplicas starts c.Replicas processes on the database and waits until each
// answers /readyz.
func startReplicas(ctx context.Context, c config, dbURL string) (*replicaSet, error) {
	pass := make([]byte, 12)
	_, _ = rand.Read(pass)
	rs := &replicaSet{password: hex.EncodeToString(pass), died: make(chan struct{})}
	for range c.Replicas {
		addr, err := freeAddr()
		if err != nil {
			rs.stop()
			return nil, err
		}
		r := &replica{url: "http://" + addr, out: &tailBuffer{}, done: make(chan struct{})}
		r.cmd = exec.Command(c.Bin, "serve")
		// Later entries win, so these override whatever the caller's environment says.
		r.cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "LISTEN_ADDR="+addr, "ADMIN_PASS="+rs.password,
			"ALLOW_PRIVATE_TARGETS=true", "MIN_INTERVAL_SECONDS=1", fmt.Sprintf("WORKERS=%d", c.Workers), "LOG_LEVEL=warn")
		r.cmd.Env = append(r.cmd.Env, c.Env...)
		r.cmd.Stdout, r.cmd.Stderr = r.out, r.out
		r.cmd.SysProcAttr = dieWithParent()
		r.started = time.Now()
		if err := r.cmd.Start(); err != nil {
			rs.stop()
			return nil, fmt.Errorf("start %s: %w", c.Bin, err)
		}
		rs.list = append(rs.list, r)
		go func() {
			r.waitErr = r.cmd.Wait()
			close(r.done)
			rs.diedOnce.Do(func() { close(rs.died) })
		}()
	}
	for _, r := range rs.list {
		if err := r.waitReady(ctx); err != nil {
			rs.stop()
			return nil, err
		}
	}
	return rs, nil
}

// freeAddr picks a free loopback port. Another process could take it before the
// replica listens; the replica then fails to start and says so.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

func (r *replica) waitReady(ctx context.Context) error {
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{Proxy: nil}}
	defer client.CloseIdleConnections()
	deadline := time.Now().Add(readyTimeout)
	for {
		res, err := client.Get(r.url + "/readyz")
		if err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				r.ready = time.Since(r.started)
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-r.done:
			return fmt.Errorf("replica %s exited while starting: %v\n%s", r.url, r.waitErr, r.out.tail(40))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("replica %s not ready after %s\n%s", r.url, readyTimeout, r.out.tail(40))
		}
	}
}

// urls are the replicas' base URLs.
func (rs *replicaSet) urls() []string {
	out := make([]string, len(rs.list))
	for i, r := range rs.list {
		out[i] = r.url
	}
	return out
}

// dead describes the replicas that have exited, with their output, or "".
func (rs *replicaSet) dead() string {
	var b strings.Builder
	for _, r := range rs.list {
		select {
		case <-r.done:
			fmt.Fprintf(&b, "replica %s exited: %v\n%s\n", r.url, r.waitErr, r.out.tail(40))
		default:
		}
	}
	return b.String()
}

// stop sends SIGTERM to every replica still running, SIGKILL to those still there
// after killAfter, and waits for all. It returns a note for each that did not stop
// cleanly.
func (rs *replicaSet) stop() []string {
	for _, r := range rs.list {
		select {
		case <-r.done:
		default:
			_ = r.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	var notes []string
	deadline := time.NewTimer(killAfter)
	defer deadline.Stop()
	expired := false
	for _, r := range rs.list {
		if !expired {
			select {
			case <-r.done:
			case <-deadline.C:
				expired = true
			}
		}
		if expired {
			select {
			case <-r.done:
			default:
				_ = r.cmd.Process.Kill()
				<-r.done
				notes = append(notes, fmt.Sprintf("replica %s needed SIGKILL: still running %s after SIGTERM", r.url, killAfter))
				continue
			}
		}
		if r.waitErr != nil {
			notes = append(notes, fmt.Sprintf("replica %s exited with %v:\n%s", r.url, r.waitErr, r.out.tail(20)))
		}
	}
	return notes
}
