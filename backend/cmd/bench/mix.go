package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// The fleet's mixes: which check type each target gets.
const (
	mixHTTP      = "http"      // every target http: the fleet of the runs before check types
	mixMixed     = "mixed"     // 70% http, 15% tcp, 10% heartbeat, 5% dns (issue 17's fleet)
	mixTCP       = "tcp"       // every target tcp: CPU per tcp check, measured alone
	mixDNS       = "dns"       // every target dns: CPU per dns check, measured alone
	mixHeartbeat = "heartbeat" // every target a heartbeat: pings alone, writes per ping
)

// mixes lists the -mix values, the default first.
var mixes = []string{mixHTTP, mixMixed, mixTCP, mixDNS, mixHeartbeat}

// mixedShares are the mixed fleet's shares in basis points, in the order types are
// dealt: the first 7000 of every 10000 hash values are http, and so on.
var mixedShares = []struct {
	typ    target.Type
	points uint64
}{
	{target.TypeHTTP, 7000}, {target.TypeTCP, 1500}, {target.TypeHeartbeat, 1000}, {target.TypeDNS, 500},
}

// mixSalt keeps the type hash apart from the behaviour hash (behaviourOf): with one
// hash, the hanging and slow http targets (its lowest values) would all be http, and
// the realistic profile's shares among the http targets would shift.
const mixSalt = 0x6d69786564

// typeOf decides target i's check type from the mix and its index alone, so every run
// gets the same fleet.
func typeOf(mix string, i int) target.Type {
	switch mix {
	case mixTCP:
		return target.TypeTCP
	case mixDNS:
		return target.TypeDNS
	case mixHeartbeat:
		return target.TypeHeartbeat
	case mixMixed:
		h := splitmix64(uint64(i)^mixSalt) % 10000
		for _, s := range mixedShares {
			if h < s.points {
				return s.typ
			}
			h -= s.points
		}
	}
	return target.TypeHTTP
}

// scheduled reports whether the product checks a target of this type on a schedule;
// a heartbeat waits for pings instead.
func scheduled(typ target.Type) bool { return typ != target.TypeHeartbeat }

// benchTypes are the types a bench fleet can hold, in the order the report lists them.
var benchTypes = []target.Type{target.TypeHTTP, target.TypeTCP, target.TypeDNS, target.TypeHeartbeat}

// fleetTypes is the types present in a fleet of n targets, in benchTypes order, with
// how many targets each has.
func fleetTypes(mix string, n int) ([]target.Type, map[target.Type]int) {
	count := map[target.Type]int{}
	for i := range n {
		count[typeOf(mix, i)]++
	}
	var types []target.Type
	for _, t := range benchTypes {
		if count[t] > 0 {
			types = append(types, t)
		}
	}
	return types, count
}

func validMix(mix string) error {
	if !slices.Contains(mixes, mix) {
		return fmt.Errorf("-mix must be one of %s, not %q", strings.Join(mixes, ", "), mix)
	}
	return nil
}

// dnsName is the name target i's dns check asks for; the fleet's DNS server answers
// it, and reads the index back from it to log the arrival.
func dnsName(i int) string { return fmt.Sprintf("t%d.%s", i, dnsZone) }

// dnsZone is the fleet's made-up zone (.test is reserved for testing, RFC 2606).
const dnsZone = "bench.test."

// fleetAddrs are the fleet's listening addresses, by type of target.
type fleetAddrs struct {
	http func(i int) string // target i's http URL
	tcp  []string           // host:port of the TCP listeners
	dns  string             // host:port of the DNS server (UDP)
}

// targetSpec is target i's spec in the fleet: its type's URL form pointing at the
// fleet, and the run's schedule. A heartbeat expects a ping every interval and allows
// one more interval of grace.
func targetSpec(c config, addrs fleetAddrs, i int) target.Spec {
	typ := typeOf(c.Mix, i)
	s := target.Spec{
		Name: new(fmt.Sprintf("bench-%d", i)), Tags: []string{seedTag(i)}, Type: &typ,
		IntervalSeconds: new(c.Interval), TimeoutSeconds: new(c.Timeout),
	}
	if c.Retries >= 0 && typ != target.TypeHeartbeat {
		s.Retries = new(c.Retries)
	}
	switch typ {
	case target.TypeHTTP:
		s.URL = addrs.http(i)
	case target.TypeTCP:
		s.URL = "tcp://" + addrs.tcp[i%len(addrs.tcp)]
	case target.TypeDNS:
		s.URL = fmt.Sprintf("dns://%s/%s?type=A", addrs.dns, strings.TrimSuffix(dnsName(i), "."))
	case target.TypeHeartbeat:
		s.PeriodSeconds, s.GraceSeconds = new(c.Interval), new(c.Interval)
	}
	return s
}
