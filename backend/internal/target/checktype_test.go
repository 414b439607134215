package target

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEveryTypeTakesItsURLForm(t *testing.T) {
	tests := []struct {
		typ      Type
		url      string
		wantName string
	}{
		{TypeHTTP, "https://shop.example.com/health", "shop.example.com"},
		{TypeTCP, "tcp://db.example.com:5432", "db.example.com"},
		{TypeTLS, "tls://mail.example.com:993", "mail.example.com"},
		{TypeDNS, "dns://1.1.1.1:53/example.org?type=AAAA", "example.org"},
		{TypeDNS, "dns:///example.org", "example.org"},
		{TypeICMP, "icmp://router.example.com", "router.example.com"},
		{TypeICMP, "icmp://[2001:db8::1]", "2001:db8::1"},
		{TypeHeartbeat, "", "heartbeat"},
	}
	for _, tc := range tests {
		t.Run(string(tc.typ)+" "+tc.url, func(t *testing.T) {
			got, err := New(Spec{Type: new(tc.typ), URL: tc.url}, Limits{})
			require.NoError(t, err)
			assert.Equal(t, tc.typ, got.Type)
			assert.Equal(t, tc.wantName, got.Name)
			assert.True(t, got.DefaultName)
			if tc.typ == TypeHeartbeat {
				assert.Len(t, got.PingToken, 32, "192 bits, URL-safe base64")
				assert.Equal(t, 1, got.FailureThreshold, "a missed deadline is the outage")
				assert.Equal(t, 1, got.SuccessThreshold)
				assert.Equal(t, 0, got.Retries)
				assert.Equal(t, DefaultPeriodSeconds, got.PeriodSeconds)
				assert.Equal(t, DefaultGraceSeconds, got.GraceSeconds)
			} else {
				assert.Empty(t, got.PingToken)
				assert.Equal(t, DefaultFailureThreshold, got.FailureThreshold)
			}
		})
	}
	// Left out, the type is http.
	got, err := New(Spec{URL: "https://example.com/"}, Limits{})
	require.NoError(t, err)
	assert.Equal(t, TypeHTTP, got.Type)
	assert.Equal(t, DefaultCertExpiryDays, got.CertExpiryDays)
}

func TestBadURLFormsNameTheForm(t *testing.T) {
	tests := []struct {
		typ  Type
		url  string
		want string
	}{
		{TypeTCP, "", "is required (tcp://host:port)"},
		{TypeTCP, "tcp://db.example.com", "must have the form tcp://host:port"},
		{TypeTCP, "https://db.example.com:5432", "must have the form tcp://host:port"},
		{TypeTCP, "tcp://db.example.com:0", "port must be between 1 and 65535"},
		{TypeTCP, "tcp://db.example.com:70000", "port must be between 1 and 65535"},
		{TypeTCP, "tcp://user:pw@db.example.com:5432", "must not carry credentials"},
		{TypeTLS, "tls://mail.example.com:993/path", "must have the form tls://host:port"},
		{TypeICMP, "icmp://router.example.com:7", "must have the form icmp://host"},
		{TypeDNS, "dns://1.1.1.1", "naming the domain to look up"},
		{TypeDNS, "dns://1.1.1.1/example.org?type=BOGUS", "type must be one of A, AAAA"},
		{TypeDNS, "dns://1.1.1.1/example.org?class=IN", `unknown parameter "class"`},
		{TypeDNS, "dns://:5353/example.org", "a port needs a resolver"},
		{TypeHTTP, "tcp://db.example.com:5432", "must be an absolute http or https URL"},
		{TypeHeartbeat, "https://example.com/", "must be left out"},
	}
	for _, tc := range tests {
		t.Run(string(tc.typ)+" "+tc.url, func(t *testing.T) {
			_, err := New(Spec{Type: new(tc.typ), URL: tc.url, Name: new("x")}, Limits{})
			assert.Contains(t, fieldsOf(t, err)["url"], tc.want)
		})
	}
	_, err := New(Spec{Type: new(Type("smtp")), URL: "smtp://mail:25", Name: new("x")}, Limits{})
	assert.Contains(t, fieldsOf(t, err)["type"], "must be one of http, tcp, tls, dns, icmp, heartbeat")
}

func TestSettingsOfOtherTypesAreRefused(t *testing.T) {
	_, err := New(Spec{
		Type: new(TypeTCP), URL: "tcp://db.example.com:5432", Method: new("POST"),
		ExpectedStatus: new("200"), Headers: map[string]string{"X-A": "b"}, KeepWarm: new(true),
		TLSSkipVerify: new(true), TLSCAPEM: "pem",
	}, Limits{})
	fields := fieldsOf(t, err)
	for _, f := range []string{"method", "expected_status", "headers", "keep_warm"} {
		assert.Equal(t, "applies to http targets only", fields[f], f)
	}
	for _, f := range []string{"tls_skip_verify", "tls_ca_pem"} {
		assert.Equal(t, "applies to https and tls targets only", fields[f], f)
	}

	// TLS options belong to https, not plain http.
	_, err = New(Spec{URL: "http://example.com/", TLSSkipVerify: new(true)}, Limits{})
	assert.Contains(t, fieldsOf(t, err), "tls_skip_verify")
	for _, s := range []Spec{
		{URL: "https://example.com/", TLSSkipVerify: new(true)},
		{Type: new(TypeTLS), URL: "tls://example.com:443", TLSSkipVerify: new(true)},
	} {
		_, err := New(s, Limits{})
		assert.NoError(t, err, s.URL)
	}

	_, err = New(Spec{URL: "https://example.com/", CertExpiryDays: new(366)}, Limits{})
	assert.Contains(t, fieldsOf(t, err)["cert_expiry_days"], "between 0 (off) and 365")
	_, err = New(Spec{URL: "https://example.com/", CertExpiryDays: new(0)}, Limits{})
	assert.NoError(t, err, "0 turns the warning off")
}

func TestTheGuardJudgesEveryTypesHost(t *testing.T) {
	var judged []string
	lim := Limits{CheckURL: func(u *url.URL) error {
		judged = append(judged, u.Hostname())
		if u.Hostname() == "169.254.169.254" {
			return errors.New("refused: cloud metadata address")
		}
		return nil
	}}
	for _, s := range []Spec{
		{Type: new(TypeTCP), URL: "tcp://169.254.169.254:80"},
		{Type: new(TypeTLS), URL: "tls://169.254.169.254:443"},
		{Type: new(TypeICMP), URL: "icmp://169.254.169.254"},
		{Type: new(TypeDNS), URL: "dns://169.254.169.254/example.org"},
	} {
		_, err := New(s, lim)
		assert.Contains(t, fieldsOf(t, err)["url"], "cloud metadata", s.URL)
	}
	judged = nil
	_, err := New(Spec{Type: new(TypeDNS), URL: "dns:///example.org?type=MX"}, lim)
	require.NoError(t, err)
	assert.Empty(t, judged, "the system's resolver is the operator's own: nothing to judge")
}

func TestPingTokenFollowsTheType(t *testing.T) {
	hb, err := New(Spec{Type: new(TypeHeartbeat), Name: new("backup")}, Limits{})
	require.NoError(t, err)
	other, err := New(Spec{Type: new(TypeHeartbeat), Name: new("backup 2")}, Limits{})
	require.NoError(t, err)
	assert.NotEqual(t, hb.PingToken, other.PingToken)

	kept, err := Patch{GraceSeconds: new(60)}.Apply(hb, Limits{})
	require.NoError(t, err)
	assert.Equal(t, hb.PingToken, kept.PingToken, "a change of settings keeps the URL the job pings")

	asTCP, err := Patch{Type: new(TypeTCP), URL: new("tcp://db.example.com:5432")}.Apply(hb, Limits{})
	require.NoError(t, err)
	assert.Empty(t, asTCP.PingToken)

	_, err = Patch{Type: new(TypeTCP)}.Apply(hb, Limits{})
	assert.Contains(t, fieldsOf(t, err)["url"], "is required (tcp://host:port)")

	_, err = New(Spec{Type: new(TypeHeartbeat), PeriodSeconds: new(10), GraceSeconds: new(-1)}, Limits{MinIntervalSeconds: 30})
	fields := fieldsOf(t, err)
	assert.Contains(t, fields["period_seconds"], "between 30 and")
	assert.Contains(t, fields["grace_seconds"], "between 30 and")
}

func TestHeartbeatGraceMinimum(t *testing.T) {
	cases := []struct {
		name    string
		minimum int // MIN_INTERVAL_SECONDS
		grace   int
		msg     string // "" when accepted
	}{
		{name: "grace 0 with a cron: every late ping would fail", grace: 0, msg: "between 60 and"},
		{name: "under a minute", grace: 59, msg: "between 60 and"},
		{name: "a minute", grace: 60},
		{name: "MIN_INTERVAL_SECONDS of a minute or more keeps a minute", minimum: 300, grace: 59, msg: "between 60 and"},
		{name: "a scaled-down server allows its MIN_INTERVAL_SECONDS", minimum: 1, grace: 1},
		{name: "but not less", minimum: 2, grace: 1, msg: "between 2 and"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := New(Spec{Type: new(TypeHeartbeat), Name: new("backup"), Cron: "0 2 * * *", GraceSeconds: new(c.grace)},
				Limits{MinIntervalSeconds: c.minimum})
			if c.msg == "" {
				require.NoError(t, err)
				return
			}
			assert.Contains(t, fieldsOf(t, err)["grace_seconds"], c.msg)
		})
	}
}

func TestCertExpiring(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	assert.True(t, CertExpiring(now.Add(5*day), 14, now))
	assert.False(t, CertExpiring(now.Add(90*day), 14, now))
	assert.False(t, CertExpiring(now.Add(14*day), 14, now), "exactly the warning's length is not yet within it")
	assert.True(t, CertExpiring(now.Add(-day), 14, now), "an expired certificate")
	assert.False(t, CertExpiring(now.Add(-day), 0, now), "0 is off")
}

// Changing the type resets the settings the new type has no use for, unless the
// patch sends them (then they are judged, and refused).
func TestChangingTheTypeResetsWhatItCannotUse(t *testing.T) {
	web, err := New(Spec{URL: "https://api.example.com/", Method: new("POST"), ExpectedStatus: new("201"),
		Headers: map[string]string{"Authorization": "Bearer x"}, TLSSkipVerify: new(true)}, Limits{})
	require.NoError(t, err)

	tcp, err := Patch{Type: new(TypeTCP), URL: new("tcp://api.example.com:443")}.Apply(web, Limits{})
	require.NoError(t, err)
	assert.Equal(t, DefaultMethod, tcp.Method)
	assert.Equal(t, DefaultExpectedStatus, tcp.ExpectedStatus)
	assert.Empty(t, tcp.Headers)
	assert.False(t, tcp.TLSSkipVerify)

	tls, err := Patch{Type: new(TypeTLS), URL: new("tls://api.example.com:443")}.Apply(web, Limits{})
	require.NoError(t, err)
	assert.True(t, tls.TLSSkipVerify, "tls has certificates too: the option stays")

	_, err = Patch{Type: new(TypeTCP), URL: new("tcp://api.example.com:443"), Method: new("PUT")}.Apply(web, Limits{})
	assert.Equal(t, "applies to http targets only", fieldsOf(t, err)["method"])

	hb, err := Patch{Type: new(TypeHeartbeat)}.Apply(web, Limits{})
	require.NoError(t, err)
	assert.Empty(t, hb.URL)
	assert.NotEmpty(t, hb.PingToken)
}

func TestAnEmptyTypeIsRefusedNotDefaulted(t *testing.T) {
	web, err := New(Spec{URL: "https://api.example.com/", Method: new("POST"), Headers: map[string]string{"Authorization": "Bearer x"}}, Limits{})
	require.NoError(t, err)
	_, err = Patch{Type: new(Type(""))}.Apply(web, Limits{})
	assert.Contains(t, fieldsOf(t, err)["type"], "must be one of")
	_, err = New(Spec{URL: "https://api.example.com/", Type: new(Type(""))}, Limits{})
	assert.Contains(t, fieldsOf(t, err)["type"], "must be one of")

	// A type change into or out of heartbeat takes the new type's alert defaults.
	hb, err := Patch{Type: new(TypeHeartbeat)}.Apply(web, Limits{})
	require.NoError(t, err)
	assert.Equal(t, []int{1, 1, 0}, []int{hb.FailureThreshold, hb.SuccessThreshold, hb.Retries})
	tcp, err := Patch{Type: new(TypeTCP), URL: new("tcp://db.example.com:5432"), FailureThreshold: new(5)}.Apply(hb, Limits{})
	require.NoError(t, err)
	assert.Equal(t, []int{5, DefaultSuccessThreshold, DefaultRetries}, []int{tcp.FailureThreshold, tcp.SuccessThreshold, tcp.Retries})
}

func TestCertWatchEnds(t *testing.T) {
	tls := Target{Type: TypeTLS, URL: "tls://a.example.com:443", CertExpiryDays: 14}
	for _, tc := range []struct {
		name         string
		after        Target
		ends, forget bool
	}{
		{"unchanged", tls, false, false},
		{"turned off", Target{Type: TypeTLS, URL: tls.URL}, true, false},
		{"moved", Target{Type: TypeTLS, URL: "tls://b.example.com:443", CertExpiryDays: 14}, true, true},
		{"now tcp", Target{Type: TypeTCP, URL: "tcp://a.example.com:443", CertExpiryDays: 14}, true, true},
		{"now https", Target{Type: TypeHTTP, URL: "https://a.example.com/", CertExpiryDays: 14}, true, true},
	} {
		ends, forget := CertWatchEnds(tls, tc.after)
		assert.Equal(t, []bool{tc.ends, tc.forget}, []bool{ends, forget}, tc.name)
	}
}

func TestHeartbeatAndCertificateSettingsBelongToTheirTypes(t *testing.T) {
	_, err := New(Spec{Type: new(TypeTCP), URL: "tcp://db.example.com:5432", PeriodSeconds: new(60), Cron: "0 2 * * *", CertExpiryDays: new(30)}, Limits{})
	fields := fieldsOf(t, err)
	assert.Equal(t, "applies to heartbeat targets only", fields["period_seconds"])
	assert.Equal(t, "applies to heartbeat targets only", fields["cron"])
	assert.Equal(t, "applies to https and tls targets only", fields["cert_expiry_days"])

	hb, err := New(Spec{Type: new(TypeHeartbeat), PeriodSeconds: new(600), Cron: "0 2 * * *"}, Limits{})
	require.NoError(t, err)
	web, err := Patch{Type: new(TypeHTTP), URL: new("https://example.com/")}.Apply(hb, Limits{})
	require.NoError(t, err, "leaving heartbeat resets its schedule")
	assert.Equal(t, []any{DefaultPeriodSeconds, ""}, []any{web.PeriodSeconds, web.Cron})

	for _, name := range []string{"a..b", "-" + strings.Repeat("a", 64), "bad name", "ex@mple.org", strings.Repeat("a.", 130) + "org"} {
		_, err := New(Spec{Type: new(TypeDNS), URL: "dns:///" + url.PathEscape(name)}, Limits{})
		assert.Contains(t, fieldsOf(t, err)["url"], "is not a domain name", name)
	}
	for _, name := range []string{"_sip._tcp.example.org", "example.org.", "xn--bcher-kva.example"} {
		_, err := New(Spec{Type: new(TypeDNS), URL: "dns:///" + name + "?type=SRV"}, Limits{})
		assert.NoError(t, err, name)
	}
}

func TestImpersonateBelongsToHTTP(t *testing.T) {
	web, err := New(Spec{URL: "https://shop.example.com/"}, Limits{})
	require.NoError(t, err)
	assert.Equal(t, ImpersonateNone, web.Impersonate, "left out, no browser")

	for _, b := range []Impersonation{ImpersonateChrome, ImpersonateFirefox, ImpersonateSafari} {
		got, err := New(Spec{URL: "http://shop.example.com/", Impersonate: new(b)}, Limits{})
		require.NoError(t, err, b)
		assert.Equal(t, b, got.Impersonate)
	}
	_, err = New(Spec{URL: "https://shop.example.com/", Impersonate: new(Impersonation("edge"))}, Limits{})
	assert.Contains(t, fieldsOf(t, err)["impersonate"], "chrome, firefox or safari")
	_, err = New(Spec{URL: "https://shop.example.com/", Impersonate: new(Impersonation("Chrome"))}, Limits{})
	assert.Contains(t, fieldsOf(t, err), "impersonate", "names are lower case, as the contract spells them")

	_, err = New(Spec{Type: new(TypeTCP), URL: "tcp://shop.example.com:443", Impersonate: new(ImpersonateChrome)}, Limits{})
	assert.Equal(t, "applies to http targets only", fieldsOf(t, err)["impersonate"])

	chrome, err := Patch{Impersonate: new(ImpersonateChrome)}.Apply(web, Limits{})
	require.NoError(t, err)
	assert.Equal(t, ImpersonateChrome, chrome.Impersonate)
	kept, err := Patch{Name: new("shop")}.Apply(chrome, Limits{})
	require.NoError(t, err)
	assert.Equal(t, ImpersonateChrome, kept.Impersonate, "a patch that leaves it out keeps it")
	tls, err := Patch{Type: new(TypeTLS), URL: new("tls://shop.example.com:443")}.Apply(chrome, Limits{})
	require.NoError(t, err)
	assert.Equal(t, ImpersonateNone, tls.Impersonate, "a tls check has no browser to be")
	off, err := Patch{Impersonate: new(ImpersonateNone)}.Apply(chrome, Limits{})
	require.NoError(t, err)
	assert.Equal(t, ImpersonateNone, off.Impersonate)
}
