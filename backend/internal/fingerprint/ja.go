package fingerprint

import (
	"crypto/md5" // JA3 is defined as an MD5; it identifies a client, it protects nothing
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// JA4 follows FoxIO's specification (technical_details/JA4.md in FoxIO-LLC/ja4):
//
//	a: t, TLS version, d|i (SNI or not), 2-digit cipher and extension counts, ALPN
//	b: sha256 of the sorted cipher list, first 12 hex
//	c: sha256 of the sorted extensions (less SNI and ALPN) "_" signature algorithms
//
// GREASE is ignored everywhere.

// JA4 is the JA4 fingerprint of h, e.g. t13d1516h2_8daaf6152771_d8a2da3f94cd.
func JA4(h Hello) string { return ja4(h, false, false) }

// JA4R is JA4_r: JA4 with its lists spelled out instead of hashed.
func JA4R(h Hello) string { return ja4(h, false, true) }

// JA4O is JA4_o: JA4 over the ciphers and extensions in the order sent, SNI and ALPN
// included.
func JA4O(h Hello) string { return ja4(h, true, false) }

// JA4RO is JA4_ro: JA4_o with its lists spelled out.
func JA4RO(h Hello) string { return ja4(h, true, true) }

// ja4 is the one JA4 computation behind the four forms: the lists in the order sent
// (original) or sorted, spelled out (raw) or hashed.
func ja4(h Hello, original, raw bool) string {
	ciphers, exts, sigs := ja4Lists(h, original)
	c := ja4C(exts, sigs)
	if !raw {
		ciphers, c = ja4Hash(ciphers), ja4Hash(c)
	}
	return ja4A(h) + "_" + ciphers + "_" + c
}

// JA4Parts splits a JA4 (or JA4_o) fingerprint into its a, b and c parts. A raw
// fingerprint (JA4_r) has its c part split again at the underscore before the
// signature algorithms; JA4Parts keeps that in c.
func JA4Parts(fp string) (a, b, c string) {
	a, rest, _ := strings.Cut(fp, "_")
	b, c, _ = strings.Cut(rest, "_")
	return a, b, c
}

func ja4A(h Hello) string {
	ciphers := withoutGREASE(h.CipherSuites)
	exts := withoutGREASE(h.Extensions)
	sni := "i"
	if slices.Contains(exts, extServerName) {
		sni = "d"
	}
	return "t" + ja4Version(h) + sni + count2(len(ciphers)) + count2(len(exts)) + ja4ALPN(h.ALPN)
}

// ja4Version is the highest supported_versions value, or the legacy version when the
// extension is absent.
func ja4Version(h Hello) string {
	v := h.Version
	if versions := withoutGREASE(h.SupportedVersions); len(versions) > 0 {
		v = slices.Max(versions)
	}
	switch v {
	case 0x0304:
		return "13"
	case 0x0303:
		return "12"
	case 0x0302:
		return "11"
	case 0x0301:
		return "10"
	case 0x0300:
		return "s3"
	case 0x0002:
		return "s2"
	case 0xfeff:
		return "d1"
	case 0xfefd:
		return "d2"
	case 0xfefc:
		return "d3"
	}
	return "00"
}

func count2(n int) string {
	return fmt.Sprintf("%02d", min(n, 99))
}

// ja4ALPN is the first and last character of the first ALPN value, or of its hex form
// when either is not alphanumeric; "00" without one.
func ja4ALPN(protos []string) string {
	if len(protos) == 0 || protos[0] == "" {
		return "00"
	}
	p := protos[0]
	first, last := p[0], p[len(p)-1]
	if !alnum(first) || !alnum(last) {
		x := hex.EncodeToString([]byte(p))
		return x[:1] + x[len(x)-1:]
	}
	return string([]byte{first, last})
}

func alnum(b byte) bool {
	return '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
}

// ja4Lists returns the cipher, extension and signature algorithm lists as JA4 writes
// them: sorted, less SNI and ALPN (original: as sent, all kept); GREASE left out.
func ja4Lists(h Hello, original bool) (ciphers, exts, sigs string) {
	cs := withoutGREASE(h.CipherSuites)
	es := withoutGREASE(h.Extensions)
	if !original {
		slices.Sort(cs)
		es = slices.DeleteFunc(es, func(e uint16) bool { return e == extServerName || e == extALPN })
		slices.Sort(es)
	}
	return hexList(cs), hexList(es), hexList(withoutGREASE(h.SignatureAlgorithms))
}

func ja4C(exts, sigs string) string {
	if exts == "" {
		return ""
	}
	if sigs == "" {
		return exts
	}
	return exts + "_" + sigs
}

// ja4Hash is the first 12 hex of sha256(s); an empty list hashes to zeros, as the
// spec has it, so that "nothing" is plain to see.
func ja4Hash(s string) string {
	if s == "" {
		return "000000000000"
	}
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:12]
}

func hexList(vs []uint16) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = fmt.Sprintf("%04x", v)
	}
	return strings.Join(parts, ",")
}

// JA3 is the JA3 string of h: legacy version, ciphers, extensions (in the order sent),
// groups and point formats, in decimal, GREASE removed.
func JA3(h Hello) string {
	points := make([]uint16, len(h.PointFormats))
	for i, p := range h.PointFormats {
		points[i] = uint16(p)
	}
	return strings.Join([]string{
		strconv.Itoa(int(h.Version)),
		decList(withoutGREASE(h.CipherSuites)),
		decList(withoutGREASE(h.Extensions)),
		decList(withoutGREASE(h.Groups)),
		decList(points),
	}, ",")
}

// JA3Hash is the MD5 of JA3(h), in hex.
func JA3Hash(h Hello) string {
	sum := md5.Sum([]byte(JA3(h)))
	return hex.EncodeToString(sum[:])
}

func decList(vs []uint16) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = strconv.Itoa(int(v))
	}
	return strings.Join(parts, "-")
}
