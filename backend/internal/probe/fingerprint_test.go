package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/fingerprint"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// The proof that impersonation works: WatchDog's checks and the Chromium installed here
// load pages from the same recording server, and their fingerprints are compared.

// firstRequest is the record of the first connection that carried a request: a browser
// may open a spare connection it never uses.
func firstRequest(t *testing.T, srv *fingerprint.Server) fingerprint.Record {
	t.Helper()
	records := srv.Records()
	i := slices.IndexFunc(records, func(r fingerprint.Record) bool { return len(r.Requests) > 0 })
	require.GreaterOrEqual(t, i, 0, "no connection carried a request (%d connections)", len(records))
	return records[i]
}

// startRecorder starts a fingerprint server closed when the test ends.
func startRecorder(t *testing.T, opts ...fingerprint.Option) *fingerprint.Server {
	t.Helper()
	srv, err := fingerprint.Start(opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// fingerprintProber is a prober whose clients, default and impersonating, trust srv.
func fingerprintProber(t *testing.T, srv *fingerprint.Server) *Prober {
	t.Helper()
	p := newProber(t, true, Options{})
	trustBrowsers(p, srv.CertPool())
	p.transport.TLSClientConfig = &tls.Config{RootCAs: srv.CertPool()}
	return p
}

// probeCheck makes checks checks of srv as name ("" for the default client) with one
// prober, so that they may share a connection. The host is localhost, which the
// server's certificate names, so that the ClientHello carries an SNI as Chromium's
// does (an address literal would not).
func probeCheck(t *testing.T, srv *fingerprint.Server, name target.Impersonation, checks int) {
	t.Helper()
	p := fingerprintProber(t, srv)
	tg := newTarget(srv.URL("localhost"))
	tg.Impersonate = name
	for range checks {
		c := p.Check(context.Background(), tg)
		require.True(t, c.OK, "check as %q failed: %s", name, c.Error)
	}
}

// probeRecord is the fingerprint of one check as name against a fresh server.
func probeRecord(t *testing.T, name target.Impersonation) fingerprint.Record {
	t.Helper()
	srv := startRecorder(t)
	probeCheck(t, srv, name, 1)
	return firstRequest(t, srv)
}

// chromiumRecord is the fingerprint of the Chromium installed here loading a page. It
// skips the test loudly when Chromium is missing, or fails it under REQUIRE_ALL=1.
func chromiumRecord(t *testing.T, opts ...fingerprint.Option) fingerprint.Record {
	t.Helper()
	srv := startRecorder(t, opts...)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rec, err := fingerprint.ChromiumRecord(ctx, srv)
	if errors.Is(err, fingerprint.ErrNoChromium) {
		storetest.Unavailable(t, "%v: the Chrome impersonation is not compared with a real browser", err)
	}
	require.NoError(t, err)
	return rec
}

// logRecords logs the fingerprints side by side, for the reader and the closing note.
func logRecords(t *testing.T, names []string, records []fingerprint.Record) {
	t.Helper()
	for _, f := range []struct {
		label string
		of    func(fingerprint.Record) string
	}{
		{"JA4", func(r fingerprint.Record) string { return r.JA4 }},
		{"JA4_r", func(r fingerprint.Record) string { return r.JA4R }},
		{"JA3", func(r fingerprint.Record) string { return r.JA3Hash + " " + r.JA3 }},
		{"Akamai", func(r fingerprint.Record) string { return r.Akamai }},
		{"headers", func(r fingerprint.Record) string { return strings.Join(r.Requests[0].HeaderOrder, ",") }},
	} {
		for i, r := range records {
			t.Logf("%-7s %-22s %s", f.label, names[i], f.of(r))
		}
	}
}

// hasGREASE reports whether vs holds a GREASE value.
func hasGREASE(vs []uint16) bool { return slices.ContainsFunc(vs, fingerprint.IsGREASE) }

// TestImpersonateChromeMatchesChromium: a check impersonating chrome sends what the
// Chromium installed here sends, part for part: the same JA4 (cipher list, extension
// set, signature algorithms, ALPN), the same groups and key shares, GREASE where
// Chromium puts it, the same HTTP/2 SETTINGS, WINDOW_UPDATE and HEADERS priority, and
// the same pseudo-header and header order. The default client matches none of that,
// so the comparison can fail.
func TestImpersonateChromeMatchesChromium(t *testing.T) {
	t.Parallel()
	chromium := chromiumRecord(t)
	chrome := probeRecord(t, target.ImpersonateChrome)
	plain := probeRecord(t, target.ImpersonateNone)
	logRecords(t, []string{"chromium (installed)", "watchdog chrome", "watchdog default"},
		[]fingerprint.Record{chromium, chrome, plain})

	// The installed Chromium is what the profile copies; if this fails after a
	// Chromium update, the differences say what the profile must learn.
	assert.Equal(t, chromium.JA4, chrome.JA4, "JA4")
	assert.Equal(t, chromium.JA4R, chrome.JA4R, "JA4_r")
	assert.Equal(t, chromium.Akamai, chrome.Akamai, "Akamai HTTP/2 fingerprint")
	assert.Empty(t, fingerprint.Differences(chrome, chromium), "parts where the chrome check differs from Chromium")
	for _, part := range []struct {
		name string
		vs   []uint16
	}{
		{"cipher suites", chrome.Hello.CipherSuites},
		{"extensions", chrome.Hello.Extensions},
		{"groups", chrome.Hello.Groups},
		{"signature algorithms", chrome.Hello.SignatureAlgorithms},
		{"supported versions", chrome.Hello.SupportedVersions},
	} {
		assert.Equal(t, hasGREASE(helloList(chromium, part.name)), hasGREASE(part.vs), "GREASE among the %s as Chromium", part.name)
	}
	assert.Contains(t, chrome.Hello.Groups, uint16(0x11ec), "X25519MLKEM768 offered")
	assert.Equal(t, "h2", chrome.ALPN)

	// The default client must not pass for Chrome, or the test proves nothing.
	assert.NotEqual(t, chromium.JA4, plain.JA4, "the default client's JA4")
	assert.NotEqual(t, chromium.Akamai, plain.Akamai, "the default client's Akamai fingerprint")
	differs := fingerprint.Compare(plain, chromium)
	for _, part := range []string{fingerprint.PartCiphers, fingerprint.PartExtensions, fingerprint.PartH2Settings, fingerprint.PartPseudoHeaderOrder, fingerprint.PartHeaderOrder} {
		assert.Contains(t, differs, part, "the default client differs from Chromium in its %s", part)
	}
}

// TestImpersonateChromeOverHTTP1MatchesChromium: against a server offering only
// http/1.1, the chrome check sends Chromium's ClientHello and its headers in its order.
// Chromium leaves out the priority header over HTTP/1.1; the check cannot, as its
// headers are set before the server picks the protocol, so that one header is the
// difference allowed.
func TestImpersonateChromeOverHTTP1MatchesChromium(t *testing.T) {
	t.Parallel()
	chromium := chromiumRecord(t, fingerprint.WithALPN("http/1.1"))
	srv := startRecorder(t, fingerprint.WithALPN("http/1.1"))
	probeCheck(t, srv, target.ImpersonateChrome, 1)
	chrome := firstRequest(t, srv)
	logRecords(t, []string{"chromium over http/1.1", "watchdog chrome"}, []fingerprint.Record{chromium, chrome})
	require.Equal(t, "http/1.1", chromium.ALPN)
	assert.Equal(t, "http/1.1", chrome.ALPN)
	assert.Equal(t, chromium.JA4, chrome.JA4)
	withoutPriority := slices.DeleteFunc(slices.Clone(chrome.Requests[0].HeaderOrder), func(n string) bool { return n == "priority" })
	assert.Equal(t, chromium.Requests[0].HeaderOrder, withoutPriority, "header order and spelling over HTTP/1.1")
}

// helloList is the list of r's ClientHello that name names, for a GREASE check.
func helloList(r fingerprint.Record, name string) []uint16 {
	switch name {
	case "cipher suites":
		return r.Hello.CipherSuites
	case "extensions":
		return r.Hello.Extensions
	case "groups":
		return r.Hello.Groups
	case "signature algorithms":
		return r.Hello.SignatureAlgorithms
	default:
		return r.Hello.SupportedVersions
	}
}

// TestImpersonateFirefoxAndSafari: firefox and safari each send their own fingerprint,
// the same from one connection to the next, with the HTTP/2 preface and pseudo-header
// order of those browsers, unlike Chrome's and unlike each other's.
func TestImpersonateFirefoxAndSafari(t *testing.T) {
	t.Parallel()
	// These are the profiles' own values written out again, not a recording: no
	// Firefox or Safari runs here, so nothing compares them with the real browsers.
	// They are the Akamai texts fingerprinting services (tls.peet.ws and those that
	// list its format) publish for Firefox 120 and Safari 16, so the test does catch a
	// profile drifting from them.
	want := map[target.Impersonation]string{
		// Firefox 120: no ENABLE_PUSH, its idle-stream priority tree, :method :path
		// :authority :scheme.
		target.ImpersonateFirefox: "1:65536;4:131072;5:16384|12517377|3:0:0:201,5:0:0:101,7:0:0:1,9:0:7:1,11:0:3:1,13:0:0:241|m,p,a,s",
		// Safari 16: a 4 MiB stream window and 100 streams, :method :scheme :path
		// :authority.
		target.ImpersonateSafari: "4:4194304;3:100|10485760|0|m,s,p,a",
	}
	chrome := probeRecord(t, target.ImpersonateChrome)
	assert.Equal(t, fingerprint.ChromeAkamai, chrome.Akamai, "chrome's HTTP/2 fingerprint")
	names := []string{"watchdog chrome"}
	records := []fingerprint.Record{chrome}
	ja4s := map[string]target.Impersonation{chrome.JA4: target.ImpersonateChrome}
	for _, name := range []target.Impersonation{target.ImpersonateFirefox, target.ImpersonateSafari} {
		first, second := probeRecord(t, name), probeRecord(t, name)
		names = append(names, "watchdog "+string(name))
		records = append(records, first)
		assert.Equal(t, first.JA4, second.JA4, "%s's JA4 is stable", name)
		assert.Equal(t, first.JA3, second.JA3, "%s's JA3 is stable (its extensions are not shuffled)", name)
		assert.Equal(t, want[name], first.Akamai, "%s's HTTP/2 fingerprint", name)
		assert.Equal(t, first.Akamai, second.Akamai)
		diff := fingerprint.Compare(first, chrome)
		for _, part := range []string{fingerprint.PartCiphers, fingerprint.PartH2Settings, fingerprint.PartWindowUpdate, fingerprint.PartPseudoHeaderOrder, fingerprint.PartHeaderOrder} {
			assert.Contains(t, diff, part, "%s differs from chrome in its %s", name, part)
		}
		other, dup := ja4s[first.JA4]
		assert.False(t, dup, "%s's JA4 is %s's", name, other)
		ja4s[first.JA4] = name
	}
	logRecords(t, names, records)
}

// TestImpersonateChromeShufflesExtensions: Chrome shuffles its extensions per
// connection, and so does the chrome check: two connections differ in the order on
// the wire (GREASE aside) and not in the set. A few connections are tried, as two
// shuffles may come out alike by chance.
func TestImpersonateChromeShufflesExtensions(t *testing.T) {
	t.Parallel()
	order := func(r fingerprint.Record) []uint16 {
		return slices.DeleteFunc(slices.Clone(r.Hello.Extensions), fingerprint.IsGREASE)
	}
	first := order(probeRecord(t, target.ImpersonateChrome))
	require.NotEmpty(t, first)
	shuffled := false
	for range 5 {
		next := order(probeRecord(t, target.ImpersonateChrome))
		assert.ElementsMatch(t, first, next, "the same extensions")
		if !slices.Equal(first, next) {
			shuffled = true
			break
		}
	}
	assert.True(t, shuffled, "six chrome connections sent their extensions in one order: %v", first)
}

// TestImpersonateFingerprintOverHTTP1AndReuse: against a server offering only
// http/1.1 the chrome check sends the same ClientHello and speaks HTTP/1.1; two checks
// of one prober share one connection.
func TestImpersonateFingerprintOverHTTP1AndReuse(t *testing.T) {
	t.Parallel()
	h2 := startRecorder(t)
	probeCheck(t, h2, target.ImpersonateChrome, 2)
	h2Records := h2.Records()
	require.Len(t, h2Records, 1, "two checks, one connection")
	assert.Len(t, h2Records[0].Requests, 2)

	h1 := startRecorder(t, fingerprint.WithALPN("http/1.1"))
	probeCheck(t, h1, target.ImpersonateChrome, 2)
	h1Records := h1.Records()
	require.Len(t, h1Records, 1, "two checks, one connection")
	r := h1Records[0]
	require.Len(t, r.Requests, 2)
	assert.Equal(t, "http/1.1", r.ALPN)
	assert.Equal(t, "HTTP/1.1", r.Requests[0].Proto)
	assert.Empty(t, r.Akamai, "no HTTP/2 preface over http/1.1")
	assert.Equal(t, h2Records[0].JA4, r.JA4, "the same ClientHello whatever the server picks")
	order := r.Requests[0].HeaderOrder
	require.NotEmpty(t, order)
	assert.True(t, strings.EqualFold(order[0], "host"), "Host first, as Chrome sends it: %v", order)
	t.Logf("http/1.1 header order: %s", strings.Join(order, ","))
}
