package fingerprint

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ChromiumPath is the browser Chromium runs unless the CHROMIUM environment variable
// names another (as for the dashboard's browser tests): the system's, never a
// downloaded one.
const ChromiumPath = "/usr/bin/chromium"

// chromiumPath is the browser to run.
func chromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	return ChromiumPath
}

// ChromeAkamai is the Akamai HTTP/2 fingerprint Chrome has sent for years, and the
// Chromium installed here (156) sends: SETTINGS header table 65536, push off, initial
// window 6 MB, header list 256 KB; a 15 MB connection window; no PRIORITY frames;
// pseudo-headers method, authority, scheme, path.
const ChromeAkamai = "1:65536;2:0;4:6291456;6:262144|15663105|0|m,a,s,p"

// ErrNoChromium is returned by Chromium when the browser is not installed, so that a
// test can skip (or, where everything must run, fail).
var ErrNoChromium = errors.New("chromium is not installed")

// Chromium loads target once in headless Chromium (--dump-dom) and returns when the
// page has loaded or ctx ends. The target's host name resolves to 127.0.0.1 and every
// other name to nothing (a target given as an address must be an IPv4 loopback
// one), no proxy is used, whatever the environment names, and the browser's
// background traffic is switched off, so it reaches only the server under test.
// Certificate errors are ignored: the server's certificate is self-signed. The whole
// process group is killed at the end, and its crash handlers, which are not in it.
func Chromium(ctx context.Context, target string) error {
	u, err := url.Parse(target)
	if err != nil {
		return fmt.Errorf("chromium target: %w", err)
	}
	rules, err := resolverRules(u.Hostname())
	if err != nil {
		return err
	}
	browser := chromiumPath()
	if _, err := os.Stat(browser); err != nil {
		return fmt.Errorf("%w: %w", ErrNoChromium, err)
	}
	profile, err := os.MkdirTemp("", "fingerprint-chromium-")
	if err != nil {
		return fmt.Errorf("chromium profile directory: %w", err)
	}
	defer func() { _ = os.RemoveAll(profile) }()

	args := []string{
		"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--ignore-certificate-errors",
		"--host-resolver-rules=" + rules,
		// A proxy from the environment (https_proxy, all_proxy) would carry the
		// connection elsewhere, or nowhere: ERR_PROXY_CONNECTION_FAILED.
		"--no-proxy-server",
		"--user-data-dir=" + profile,
		"--no-first-run", "--no-default-browser-check", "--no-pings",
		"--disable-background-networking", "--disable-component-update",
		"--disable-sync", "--disable-default-apps", "--disable-extensions",
		"--disable-domain-reliability", "--disable-client-side-phishing-detection",
		"--disable-breakpad", "--metrics-recording-only", "--dns-prefetch-disable",
		"--disable-features=OptimizationHints,MediaRouter,Translate,DialMediaRouteProvider,AutofillServerCommunication,CertificateTransparencyComponentUpdater",
		"--dump-dom", target,
	}
	cmd := exec.CommandContext(ctx, browser, args...)
	// Chromium writes under HOME (.config, .cache, .local), its crash handlers' database
	// included: with HOME in the profile nothing is left in the user's, and the
	// handlers' command lines name the profile, which is how killStrays finds them.
	cmd.Env = append(withoutVars(withoutProxies(os.Environ()), "HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"), "HOME="+profile)
	// Chromium starts a zygote, a network service and renderers; in a process group
	// of their own they can be killed together.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if cmd.Process != nil {
		// Whatever outlived the browser process goes too; ESRCH means nothing did.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	killStrays(profile)
	if err != nil {
		return fmt.Errorf("run chromium: %w: %s", err, tail(stderr.String(), 2000))
	}
	if !strings.Contains(stdout.String(), "<html") {
		return fmt.Errorf("run chromium: no page was dumped: %s", tail(stderr.String(), 2000))
	}
	return nil
}

// resolverRules are the --host-resolver-rules that let Chromium reach host on
// loopback and nothing else. The first matching MAP wins: the target's name to
// 127.0.0.1, every other name to nowhere. "MAP *" matches address literals too
// (they would fail with ERR_NAME_NOT_RESOLVED), so an IPv4 loopback address is
// EXCLUDEd from the rules; any other address is refused: it would leave the machine,
// or (::1) not reach a server listening on 127.0.0.1.
func resolverRules(host string) (string, error) {
	const nowhere = "MAP * ~NOTFOUND"
	if host == "" {
		return "", errors.New("chromium target: no host")
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return "MAP " + host + " 127.0.0.1, " + nowhere, nil
	}
	if ip.To4() == nil || !ip.IsLoopback() {
		return "", fmt.Errorf("chromium target: %s is not an IPv4 loopback address", host)
	}
	return nowhere + ", EXCLUDE " + host, nil
}

// ChromiumRecord loads a page of s in Chromium and returns the Record of the
// connection that carried it (Chromium may open a spare connection too; its Record
// is in s.Records() as well, without requests).
func ChromiumRecord(ctx context.Context, s *Server) (Record, error) {
	return chromiumRecord(ctx, s, "fp.test")
}

// chromiumRecord is ChromiumRecord asking for s.URL(host).
func chromiumRecord(ctx context.Context, s *Server, host string) (Record, error) {
	token := make([]byte, 8)
	if _, err := rand.Read(token); err != nil {
		return Record{}, fmt.Errorf("chromium page token: %w", err)
	}
	path := "/chromium/" + hex.EncodeToString(token)
	if err := Chromium(ctx, strings.TrimSuffix(s.URL(host), "/")+path); err != nil {
		return Record{}, err
	}
	for _, rec := range s.Records() {
		for _, req := range rec.Requests {
			if req.Path == path {
				return rec, nil
			}
		}
	}
	return Record{}, fmt.Errorf("chromium loaded the page but no connection asked for %s", path)
}

// withoutProxies is env less its proxy variables (http_proxy, HTTPS_PROXY, all_proxy,
// no_proxy and the like, in either case), so that nothing Chromium starts reads one:
// --no-proxy-server covers the browser's own requests only.
func withoutProxies(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasSuffix(strings.ToLower(name), "_proxy") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// killStrays kills the processes whose command line names dir, Chromium's profile:
// its crash handlers (chrome_crashpad_handler), which call setsid when they start
// and so are not in the process group killed. They end by themselves moments after
// the browser does, but nothing else waits for that before the profile is removed
// and Chromium returns.
// --disable-crashpad-for-testing would start none, but Chromium 156's network
// service then crashes ("FD ownership violation") and no page loads. Linux only:
// elsewhere there is no /proc to read and nothing is killed.
func killStrays(dir string) {
	paths, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	var pids []int
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(b, []byte(dir)) {
			continue // gone already, or not Chromium's
		}
		pid, err := strconv.Atoi(filepath.Base(filepath.Dir(p)))
		if err == nil && pid != os.Getpid() {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			pids = append(pids, pid)
		}
	}
	// SIGKILL is delivered asynchronously: wait (briefly) until none can write into
	// the profile any more. A killed process's command line reads empty.
	for deadline := time.Now().Add(2 * time.Second); len(pids) > 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		pids = slices.DeleteFunc(pids, func(pid int) bool {
			b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
			return err != nil || len(b) == 0
		})
	}
}

// withoutVars is env less the variables named.
func withoutVars(env []string, names ...string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(names, name) {
			out = append(out, kv)
		}
	}
	return out
}

func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
