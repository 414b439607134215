package target

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// maxPEMBytes bounds each TLS option's PEM text: a CA bundle of a few dozen
// certificates fits, and a check parses it on every run.
const maxPEMBytes = 64 << 10

// TLSMaterial is a target's TLS options parsed: the CAs it trusts besides the system's
// and its client certificate for mutual TLS (nil when it has none).
type TLSMaterial struct {
	CAs        []*x509.Certificate
	ClientCert *tls.Certificate
}

// ParseTLSOptions parses a target's TLS PEM options: ca (any number of certificates,
// at least one when set) and a client certificate with its key, which must both be set
// or both be empty, and must be a pair. Each error names its field (tls_ca_pem,
// tls_client_cert_pem, tls_client_key_pem) and never quotes the key.
func ParseTLSOptions(ca, cert, key string) (TLSMaterial, []FieldError) {
	var m TLSMaterial
	var errs []FieldError
	fail := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(ca) != "" {
		if len(ca) > maxPEMBytes {
			fail("tls_ca_pem", "must be at most %d bytes", maxPEMBytes)
		} else if cas, err := parseCertificates(ca); err != nil {
			fail("tls_ca_pem", "%v", err)
		} else {
			m.CAs = cas
		}
	}
	hasCert, hasKey := strings.TrimSpace(cert) != "", strings.TrimSpace(key) != ""
	switch {
	case hasCert && !hasKey:
		fail("tls_client_key_pem", "is required with tls_client_cert_pem")
	case hasKey && !hasCert:
		fail("tls_client_cert_pem", "is required with tls_client_key_pem")
	case hasCert && hasKey:
		certOK := true
		if len(cert) > maxPEMBytes {
			fail("tls_client_cert_pem", "must be at most %d bytes", maxPEMBytes)
			certOK = false
		} else if _, err := parseCertificates(cert); err != nil {
			fail("tls_client_cert_pem", "%v", err)
			certOK = false
		}
		switch {
		case len(key) > maxPEMBytes:
			fail("tls_client_key_pem", "must be at most %d bytes", maxPEMBytes)
		case !hasPEMBlock(key, "PRIVATE KEY"):
			fail("tls_client_key_pem", "must be a PEM private key (-----BEGIN PRIVATE KEY-----, RSA or EC)")
		case certOK:
			pair, err := tls.X509KeyPair([]byte(cert), []byte(key))
			if err != nil {
				// X509KeyPair's text says which of a parse failure or a mismatch it was,
				// and quotes neither input.
				fail("tls_client_key_pem", "must be the key of tls_client_cert_pem: %v", err)
				break
			}
			m.ClientCert = &pair
		}
	}
	return m, errs
}

// ValidateTLSPEM is ParseTLSOptions for validation: only the errors.
func ValidateTLSPEM(ca, cert, key string) []FieldError {
	_, errs := ParseTLSOptions(ca, cert, key)
	return errs
}

// parseCertificates reads every CERTIFICATE block of a PEM text; it wants at least one,
// and nothing else but whitespace around them.
func parseCertificates(text string) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	rest := []byte(text)
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("must hold PEM certificates only, not a %s block", Printable(block.Type, maxShown))
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d does not parse: %v", len(certs)+1, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("must be PEM certificates (-----BEGIN CERTIFICATE-----)")
	}
	if strings.TrimSpace(string(rest)) != "" {
		return nil, errors.New("must hold PEM certificates only: text after the last one does not parse")
	}
	return certs, nil
}

// hasPEMBlock reports whether text holds a PEM block whose type ends in suffix
// (PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY).
func hasPEMBlock(text, suffix string) bool {
	rest := []byte(text)
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return false
		}
		if strings.HasSuffix(block.Type, suffix) {
			return true
		}
	}
}
