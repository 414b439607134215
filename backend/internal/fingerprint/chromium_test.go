package fingerprint

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

// TestChromium records the installed Chromium and checks it looks like Chrome on the
// wire; then Go's default client, which must not.
func TestChromium(t *testing.T) {
	if _, err := os.Stat(chromiumPath()); err != nil {
		storetest.Unavailable(t, "the Chromium fingerprint needs a browser (CHROMIUM, or %s): %v", ChromiumPath, err)
	}
	s := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	chrome, err := ChromiumRecord(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	h := chrome.Hello
	t.Logf("Chromium: JA4 %s", chrome.JA4)
	t.Logf("Chromium: JA4_r %s", chrome.JA4R)
	t.Logf("Chromium: JA4_o %s", chrome.JA4O)
	t.Logf("Chromium: JA3 %s (%s)", chrome.JA3, chrome.JA3Hash)
	t.Logf("Chromium: Akamai %s", chrome.Akamai)
	t.Logf("Chromium: header order %v", chrome.Requests[0].HeaderOrder)

	if v := ja4Version(h); v != "13" {
		t.Errorf("TLS version %s, want 13 (JA4 %s)", v, chrome.JA4)
	}
	if h.ServerName != "fp.test" {
		t.Errorf("SNI %q, want fp.test", h.ServerName)
	}
	for name, list := range map[string][]uint16{
		"cipher suites": h.CipherSuites, "extensions": h.Extensions, "groups": h.Groups,
		"supported versions": h.SupportedVersions, "key shares": h.KeyShares,
	} {
		if !slices.ContainsFunc(list, IsGREASE) {
			t.Errorf("no GREASE in the %s: %04x", name, list)
		}
	}
	const x25519MLKEM768 = 0x11ec
	if !slices.Contains(h.Groups, x25519MLKEM768) || !slices.Contains(h.KeyShares, x25519MLKEM768) {
		t.Errorf("X25519MLKEM768 missing: groups %04x, key shares %04x", h.Groups, h.KeyShares)
	}
	if !slices.Equal(h.ALPN, []string{"h2", "http/1.1"}) || chrome.ALPN != "h2" {
		t.Errorf("ALPN offered %v, negotiated %q", h.ALPN, chrome.ALPN)
	}
	if chrome.Akamai != ChromeAkamai {
		t.Errorf("Akamai %s, want %s", chrome.Akamai, ChromeAkamai)
	}
	// JA4 sorts what Chrome shuffles: every connection of the run has the same one.
	for _, rec := range s.Records() {
		if rec.JA4 != chrome.JA4 {
			t.Errorf("a second Chromium connection has JA4 %s (JA3 %s)", rec.JA4, rec.JA3)
		}
	}

	_, goRec := fetch(t, goClient(t, s), newRequest(t, http.MethodGet, s.URL("fp.test"), nil))
	t.Logf("Go default client: JA4 %s", goRec.JA4)
	t.Logf("Go default client: JA4_r %s", goRec.JA4R)
	t.Logf("Go default client: JA3 %s (%s)", goRec.JA3, goRec.JA3Hash)
	t.Logf("Go default client: Akamai %s", goRec.Akamai)
	diff := Compare(chrome, goRec)
	for _, part := range []string{PartCiphers, PartExtensions, PartH2Settings, PartWindowUpdate, PartPseudoHeaderOrder} {
		if !slices.Contains(diff, part) {
			t.Errorf("Go's default client matches Chromium's %s; differences: %v", part, Differences(chrome, goRec))
		}
	}
	if goRec.JA4 == chrome.JA4 || goRec.Akamai == chrome.Akamai {
		t.Errorf("Go's default client has Chromium's JA4 %s or Akamai %s", goRec.JA4, goRec.Akamai)
	}
}

// TestChromiumWithoutProxies: proxies named in the environment, here one that refuses
// every connection, are not used.
func TestChromiumWithoutProxies(t *testing.T) {
	if _, err := os.Stat(chromiumPath()); err != nil {
		storetest.Unavailable(t, "the Chromium fingerprint needs a browser (CHROMIUM, or %s): %v", ChromiumPath, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"} {
		t.Setenv(name, dead)
	}
	s := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := ChromiumRecord(ctx, s); err != nil {
		t.Fatal(err)
	}
}

func TestWithoutProxies(t *testing.T) {
	t.Parallel()
	env := []string{
		"HOME=/home/x", "https_proxy=http://p:1", "HTTPS_PROXY=http://p:1", "all_proxy=socks5://p:2",
		"No_Proxy=localhost", "PROXY_HOST=kept", "PATH=/bin:/usr/bin", "EMPTY=",
	}
	want := []string{"HOME=/home/x", "PROXY_HOST=kept", "PATH=/bin:/usr/bin", "EMPTY="}
	if got := withoutProxies(env); !slices.Equal(got, want) {
		t.Errorf("withoutProxies = %q, want %q", got, want)
	}
}

// TestChromiumAddressLiteral loads the server by its address: Chromium connects to
// it (an address is not looked up) and sends no SNI.
func TestChromiumAddressLiteral(t *testing.T) {
	if _, err := os.Stat(chromiumPath()); err != nil {
		storetest.Unavailable(t, "the Chromium fingerprint needs a browser (CHROMIUM, or %s): %v", ChromiumPath, err)
	}
	s := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rec, err := chromiumRecord(ctx, s, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Hello.ServerName != "" || rec.Requests[0].Host != strings.TrimSuffix(strings.TrimPrefix(s.URL("127.0.0.1"), "https://"), "/") {
		t.Errorf("SNI %q, Host %q; want no SNI and the address", rec.Hello.ServerName, rec.Requests[0].Host)
	}
}

// TestResolverRules: a name maps to loopback, a loopback address is left alone, and
// an address that would leave the machine is refused before any browser starts.
func TestResolverRules(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		host, want, err string
	}{
		{host: "fp.test", want: "MAP fp.test 127.0.0.1, MAP * ~NOTFOUND"},
		{host: "127.0.0.1", want: "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"},
		{host: "127.0.0.2", want: "MAP * ~NOTFOUND, EXCLUDE 127.0.0.2"},
		{host: "192.0.2.1", err: "192.0.2.1 is not an IPv4 loopback address"},
		{host: "::1", err: "::1 is not an IPv4 loopback address"},
		{host: "", err: "no host"},
	} {
		got, err := resolverRules(tc.host)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("resolverRules(%q) = %q, %v; want an error saying %q", tc.host, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("resolverRules(%q) = %q, %v; want %q", tc.host, got, err, tc.want)
		}
	}
	if err := Chromium(context.Background(), "https://192.0.2.1/"); err == nil || !strings.Contains(err.Error(), "not an IPv4 loopback address") {
		t.Errorf("Chromium with a remote address: %v", err)
	}
}

// TestChromiumLeavesNothing: once Chromium returns, no process it started is left,
// not even the crash handlers, which call setsid when they start and so leave the
// killed process group; its profile is gone, and nothing was written under HOME
// (where the crash handlers keep their database unless HOME is the profile).
func TestChromiumLeavesNothing(t *testing.T) {
	if _, err := os.Stat(chromiumPath()); err != nil {
		storetest.Unavailable(t, "the Chromium fingerprint needs a browser (CHROMIUM, or %s): %v", ChromiumPath, err)
	}
	tmp, home := t.TempDir(), t.TempDir()
	t.Setenv("TMPDIR", tmp) // the profile is made in here
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	s := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := ChromiumRecord(ctx, s); err != nil {
		t.Fatal(err)
	}
	for _, p := range procsNaming(t, tmp) {
		t.Errorf("still running: %s", p)
	}
	for _, dir := range []string{tmp, home} {
		if left, err := os.ReadDir(dir); err != nil || len(left) != 0 {
			t.Errorf("left in %s: %v, %v", dir, left, err)
		}
	}
}

// procsNaming lists the command lines of running processes that contain s.
func procsNaming(t *testing.T, s string) []string {
	t.Helper()
	paths, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range paths {
		// A process may end between the listing and the read: nothing to check then.
		if b, err := os.ReadFile(p); err == nil && bytes.Contains(b, []byte(s)) {
			out = append(out, string(bytes.ReplaceAll(b, []byte{0}, []byte{' '})))
		}
	}
	return out
}
