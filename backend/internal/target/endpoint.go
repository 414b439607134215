package target

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Endpoint is where a tcp, tls, dns or icmp check goes, read from the target's URL.
type Endpoint struct {
	// Host is the address to connect to or ping; for dns, the resolver ("" means the
	// system's).
	Host string
	// Port is the port to connect to (the resolver's for dns, 53 by default); 0 for icmp.
	Port int
	// Name and RecordType are a dns query: the name asked for and its record type.
	Name       string
	RecordType string
}

// Address is Host:Port, ready to dial.
func (e Endpoint) Address() string { return net.JoinHostPort(e.Host, strconv.Itoa(e.Port)) }

// DNSRecordTypes are the record types a dns check may ask for.
var DNSRecordTypes = []string{"A", "AAAA", "CNAME", "MX", "NS", "TXT", "SRV", "PTR", "SOA", "CAA"}

// DNSRcodes are the answer codes a dns check's rcode condition may name.
var DNSRcodes = []string{"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"}

// DefaultDNSPort is a resolver's port when the URL names none.
const DefaultDNSPort = 53

// URLScheme is the scheme a target's URL has for its type; http takes http and https.
func (typ Type) URLScheme() string {
	if typ == TypeHTTP {
		return "http"
	}
	return string(typ)
}

// ParseEndpoint reads a tcp, tls, dns or icmp target's URL, in the forms Gatus users
// write: tcp://host:port, tls://host:port, icmp://host and
// dns://resolver:53/name?type=A (resolver and port optional: dns:///name?type=AAAA).
// The error says, for the url field, what the form should be.
func ParseEndpoint(typ Type, raw string) (Endpoint, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != string(typ) {
		return Endpoint{}, fmt.Errorf("must have the form %s", formOf(typ))
	}
	if u.User != nil {
		return Endpoint{}, fmt.Errorf("must not carry credentials")
	}
	if u.Fragment != "" {
		return Endpoint{}, fmt.Errorf("must have the form %s, without a fragment", formOf(typ))
	}
	e := Endpoint{Host: u.Hostname()}
	port := u.Port()
	switch typ {
	case TypeTCP, TypeTLS:
		if e.Host == "" || port == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return Endpoint{}, fmt.Errorf("must have the form %s", formOf(typ))
		}
	case TypeICMP:
		if e.Host == "" || port != "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return Endpoint{}, fmt.Errorf("must have the form %s", formOf(typ))
		}
		return e, nil
	case TypeDNS:
		if e.Host == "" && port != "" {
			return Endpoint{}, fmt.Errorf("must have the form %s: a port needs a resolver", formOf(typ))
		}
		if port == "" {
			port = strconv.Itoa(DefaultDNSPort)
		}
		e.Name = strings.TrimPrefix(u.Path, "/")
		if e.Name == "" {
			return Endpoint{}, fmt.Errorf("must have the form %s naming the domain to look up", formOf(typ))
		}
		if !isDomainName(e.Name) {
			return Endpoint{}, fmt.Errorf("%q is not a domain name: labels of letters, digits, - and _, 1-63 characters each, 253 in all", e.Name)
		}
		q := u.Query()
		for key := range q {
			if key != "type" {
				return Endpoint{}, fmt.Errorf("must have the form %s: unknown parameter %q", formOf(typ), key)
			}
		}
		e.RecordType = strings.ToUpper(q.Get("type"))
		if e.RecordType == "" {
			e.RecordType = "A"
		}
		if !slices.Contains(DNSRecordTypes, e.RecordType) {
			return Endpoint{}, fmt.Errorf("type must be one of %s", strings.Join(DNSRecordTypes, ", "))
		}
	default:
		return Endpoint{}, fmt.Errorf("a %s target has no endpoint", typ)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return Endpoint{}, fmt.Errorf("port must be between 1 and 65535")
	}
	e.Port = n
	return e, nil
}

// formOf shows the URL form of a type, for error messages.
func formOf(typ Type) string {
	switch typ {
	case TypeTCP:
		return "tcp://host:port"
	case TypeTLS:
		return "tls://host:port"
	case TypeICMP:
		return "icmp://host"
	case TypeDNS:
		return "dns://[resolver[:port]]/name?type=A"
	}
	return string(typ)
}

// isDomainName reports whether name can be asked of a resolver: dot-separated labels
// of 1-63 letters, digits, hyphens or underscores (SRV names start with one), at most
// 253 characters, an optional final dot. Anything else is a query every check would
// fail to send.
func isDomainName(name string) bool {
	name = strings.TrimSuffix(name, ".")
	if name == "" || len(name) > 253 {
		return false
	}
	for label := range strings.SplitSeq(name, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}
