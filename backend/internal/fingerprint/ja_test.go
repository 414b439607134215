package fingerprint

import (
	"strconv"
	"strings"
	"testing"
)

// hexes reads "1301,1302" (as JA4_r writes lists) into values.
func hexes(t *testing.T, s string) []uint16 {
	t.Helper()
	var out []uint16
	for _, part := range strings.Split(s, ",") {
		v, err := strconv.ParseUint(part, 16, 16)
		if err != nil {
			t.Fatalf("hex list %q: %v", s, err)
		}
		out = append(out, uint16(v))
	}
	return out
}

// withGREASE puts GREASE values around a list, as a browser would, to show they are
// ignored.
func withGREASE(vs []uint16) []uint16 {
	return append(append([]uint16{0x0a0a}, vs...), 0xfafa)
}

// TestJA4SpecExample is the worked example in FoxIO's JA4 specification
// (technical_details/JA4.md): its lists, in the order sent, give its published JA4,
// JA4_r, JA4_o and JA4_ro.
func TestJA4SpecExample(t *testing.T) {
	h := Hello{
		Version:             0x0303,
		SupportedVersions:   []uint16{0x2a2a, 0x0304, 0x0303},
		CipherSuites:        withGREASE(hexes(t, "1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035")),
		Extensions:          withGREASE(hexes(t, "001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015")),
		SignatureAlgorithms: hexes(t, "0403,0804,0401,0503,0805,0501,0806,0601"),
		Groups:              []uint16{0x3a3a, 29, 23, 24},
		PointFormats:        []uint8{0},
		ALPN:                []string{"h2", "http/1.1"},
		ServerName:          "example.com",
	}
	for _, tc := range []struct{ name, got, want string }{
		{"JA4", JA4(h), "t13d1516h2_8daaf6152771_e5627efa2ab1"},
		{"JA4_r", JA4R(h), "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601"},
		{"JA4_o", JA4O(h), "t13d1516h2_acb858a92679_18f69afefd3d"},
		{"JA4_ro", JA4RO(h), "t13d1516h2_1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035_001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015_0403,0804,0401,0503,0805,0501,0806,0601"},
		{"JA3", JA3(h), "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,29-23-24,0"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, tc.got, tc.want)
		}
	}
	a, b, c := JA4Parts(JA4(h))
	if a != "t13d1516h2" || b != "8daaf6152771" || c != "e5627efa2ab1" {
		t.Errorf("JA4Parts = %q, %q, %q", a, b, c)
	}
}

// TestJA4PublishedChrome checks the hashing against a Chrome 143 record published by
// a fingerprinting service (browserleaks.com): its JA4_ro lists, in the order sent,
// must give its JA4, JA4_o, JA4_r and JA3 hash.
func TestJA4PublishedChrome(t *testing.T) {
	h := Hello{
		Version:             0x0303,
		SupportedVersions:   []uint16{0x0304, 0x0303},
		CipherSuites:        hexes(t, "1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035"),
		Extensions:          hexes(t, "002d,0033,0010,fe0d,0017,44cd,0000,000b,000a,002b,ff01,0023,0012,0005,000d,001b"),
		SignatureAlgorithms: hexes(t, "0403,0804,0401,0503,0805,0501,0806,0601"),
		Groups:              []uint16{4588, 29, 23, 24},
		PointFormats:        []uint8{0},
		ALPN:                []string{"h2", "http/1.1"},
		ServerName:          "tls.browserleaks.com",
	}
	for _, tc := range []struct{ name, got, want string }{
		{"JA4", JA4(h), "t13d1516h2_8daaf6152771_d8a2da3f94cd"},
		{"JA4_o", JA4O(h), "t13d1516h2_acb858a92679_f96a17c57971"},
		{"JA4_r", JA4R(h), "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,000b,000d,0012,0017,001b,0023,002b,002d,0033,44cd,fe0d,ff01_0403,0804,0401,0503,0805,0501,0806,0601"},
		{"JA3", JA3(h), "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,45-51-16-65037-23-17613-0-11-10-43-65281-35-18-5-13-27,4588-29-23-24,0"},
		{"JA3 hash", JA3Hash(h), "98487aa16281980e7d1120d399efb6a4"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, tc.got, tc.want)
		}
	}
}

// TestJA4Edges covers the rules of the specification the examples above do not reach.
func TestJA4Edges(t *testing.T) {
	base := func() Hello {
		return Hello{
			Version:             0x0303,
			CipherSuites:        []uint16{0x1301, 0xc02b},
			Extensions:          []uint16{0x0000, 0x0010, 0x000d},
			SignatureAlgorithms: []uint16{0x0403},
			ALPN:                []string{"h2"},
		}
	}
	many := make([]uint16, 120)
	for i := range many {
		many[i] = uint16(0x0100 + i)
	}
	for _, tc := range []struct {
		name   string
		change func(*Hello)
		want   string // JA4, or its a part when it has no underscore
	}{
		{"TLS 1.2 without supported_versions", func(*Hello) {}, "t12d0203h2"},
		{"supported_versions wins over legacy_version", func(h *Hello) { h.SupportedVersions = []uint16{0x0304} }, "t13d0203h2"},
		{"only GREASE in supported_versions", func(h *Hello) { h.SupportedVersions = []uint16{0x4a4a} }, "t12d0203h2"},
		{"unknown version", func(h *Hello) { h.Version = 0x0305 }, "t00d0203h2"},
		{"no SNI", func(h *Hello) { h.Extensions = []uint16{0x0010, 0x000d} }, "t12i0202h2"},
		{"no ALPN", func(h *Hello) { h.ALPN = nil }, "t12d0203" + "00"},
		{"empty first ALPN", func(h *Hello) { h.ALPN = []string{"", "h2"} }, "t12d020300"},
		{"http/1.1 first", func(h *Hello) { h.ALPN = []string{"http/1.1", "h2"} }, "t12d0203h1"},
		{"one-character ALPN", func(h *Hello) { h.ALPN = []string{"x"} }, "t12d0203xx"},
		{"non-alphanumeric ALPN is hex", func(h *Hello) { h.ALPN = []string{"\x30\xab\xcd\x31"} }, "t12d020301"},
		{"non-alphanumeric last byte", func(h *Hello) { h.ALPN = []string{"\x30\xab"} }, "t12d02033b"},
		{"counts stop at 99", func(h *Hello) { h.CipherSuites = many; h.Extensions = append([]uint16{0}, many...) }, "t12d9999h2"},
		{"no ciphers hash to zeros", func(h *Hello) { h.CipherSuites = nil }, "t12d0003h2_000000000000_" + ja4Hash("000d_0403")},
		{"no extensions but SNI and ALPN hash to zeros", func(h *Hello) { h.Extensions = []uint16{0, 0x10} }, "t12d0202h2_" + ja4Hash("1301,c02b") + "_000000000000"},
		{"no signature algorithms: no underscore", func(h *Hello) { h.SignatureAlgorithms = nil }, "t12d0203h2_" + ja4Hash("1301,c02b") + "_" + ja4Hash("000d")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := base()
			tc.change(&h)
			got := JA4(h)
			if !strings.Contains(tc.want, "_") {
				got, _, _ = JA4Parts(got)
			}
			if got != tc.want {
				t.Errorf("JA4 = %s, want %s", got, tc.want)
			}
		})
	}
	// The specification's example of an extension list without signature algorithms.
	if got := ja4Hash("0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01"); got != "6d807ffa2a79" {
		t.Errorf("extension hash without signature algorithms = %s, want 6d807ffa2a79", got)
	}
}

func TestIsGREASE(t *testing.T) {
	grease := 0
	for v := 0; v <= 0xffff; v++ {
		if IsGREASE(uint16(v)) {
			grease++
			if hi, lo := v>>8, v&0xff; hi != lo || lo&0x0f != 0x0a {
				t.Errorf("IsGREASE(%#04x) = true", v)
			}
		}
	}
	// RFC 8701: 0x0a0a, 0x1a1a, ... 0xfafa.
	if grease != 16 {
		t.Errorf("%d GREASE values, want 16", grease)
	}
	for _, v := range []uint16{0x0a0a, 0x2a2a, 0xfafa} {
		if !IsGREASE(v) {
			t.Errorf("IsGREASE(%#04x) = false", v)
		}
	}
}
