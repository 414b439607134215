package fingerprint

import (
	"fmt"
	"slices"
	"strings"
)

// The parts of a fingerprint Compare looks at. A test names the ones that must match
// a browser, and accepts a difference elsewhere when a library's profile lags it.
const (
	PartTLSVersion          = "tls version"          // highest supported version
	PartCiphers             = "cipher list"          // in order, GREASE removed
	PartExtensions          = "extension set"        // sorted: browsers shuffle the order
	PartGroups              = "groups"               // supported_groups in order
	PartKeyShares           = "key shares"           // key_share groups in order
	PartSignatureAlgorithms = "signature algorithms" // in order
	PartALPN                = "alpn"                 // protocols offered, in order
	PartH2Settings          = "h2 settings"          // first SETTINGS, in order
	PartWindowUpdate        = "window update"
	PartPriorities          = "priority frames"
	PartHeadersPriority     = "headers priority"
	PartPseudoHeaderOrder   = "pseudo-header order"
	PartHeaderOrder         = "header order" // first request's regular headers, lower case
)

// allParts lists every part Compare looks at, in the order it reports them.
var allParts = []string{
	PartTLSVersion, PartCiphers, PartExtensions, PartGroups, PartKeyShares,
	PartSignatureAlgorithms, PartALPN, PartH2Settings, PartWindowUpdate, PartPriorities,
	PartHeadersPriority, PartPseudoHeaderOrder, PartHeaderOrder,
}

// Compare lists the parts (Part* constants) in which a and b differ. GREASE values
// are left out of every list, as the fingerprints leave them out: their values are
// random, their presence is not (Hello shows it).
func Compare(a, b Record) []string {
	var out []string
	for _, d := range compare(a, b) {
		out = append(out, d.part)
	}
	return out
}

// Differences is Compare with each part's two values, "part: a != b", for a test's
// failure message or log.
func Differences(a, b Record) []string {
	var out []string
	for _, d := range compare(a, b) {
		out = append(out, fmt.Sprintf("%s: %s != %s", d.part, d.a, d.b))
	}
	return out
}

type difference struct{ part, a, b string }

func compare(a, b Record) []difference {
	av, bv := partValues(a), partValues(b)
	var out []difference
	for _, p := range allParts {
		if av[p] != bv[p] {
			out = append(out, difference{p, av[p], bv[p]})
		}
	}
	return out
}

// partValues renders each part of r as a string, so that comparing them is comparing
// strings and a difference prints readably.
func partValues(r Record) map[string]string {
	h := r.Hello
	exts := withoutGREASE(h.Extensions)
	slices.Sort(exts)
	v := map[string]string{
		PartTLSVersion:          ja4Version(h),
		PartCiphers:             hexList(withoutGREASE(h.CipherSuites)),
		PartExtensions:          hexList(exts),
		PartGroups:              hexList(withoutGREASE(h.Groups)),
		PartKeyShares:           hexList(withoutGREASE(h.KeyShares)),
		PartSignatureAlgorithms: hexList(withoutGREASE(h.SignatureAlgorithms)),
		PartALPN:                strings.Join(h.ALPN, ","),
	}
	if r.H2 != nil {
		settings, wu, prio, pseudo := akamaiParts(r.Akamai)
		v[PartH2Settings], v[PartWindowUpdate], v[PartPriorities], v[PartPseudoHeaderOrder] = settings, wu, prio, pseudo
		if p := r.H2.HeadersPriority; p != nil {
			v[PartHeadersPriority] = fmt.Sprintf("%t:%d:%d", p.Exclusive, p.DependsOn, p.Weight)
		}
	}
	if len(r.Requests) > 0 {
		var names []string
		for _, n := range r.Requests[0].HeaderOrder {
			if !strings.HasPrefix(n, ":") {
				names = append(names, strings.ToLower(n))
			}
		}
		v[PartHeaderOrder] = strings.Join(names, ",")
	}
	return v
}

// akamaiParts splits an Akamai fingerprint into its four parts.
func akamaiParts(fp string) (settings, windowUpdate, priorities, pseudo string) {
	parts := strings.SplitN(fp, "|", 4)
	for len(parts) < 4 {
		parts = append(parts, "")
	}
	return parts[0], parts[1], parts[2], parts[3]
}
