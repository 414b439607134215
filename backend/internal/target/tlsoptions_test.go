package target

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// selfSigned is a PEM certificate and its PEM key.
func selfSigned(t *testing.T, name string) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
}

func TestParseTLSOptions(t *testing.T) {
	t.Parallel()
	ca, _ := selfSigned(t, "ca")
	ca2, _ := selfSigned(t, "ca2")
	cert, key := selfSigned(t, "client")
	_, otherKey := selfSigned(t, "other")
	tests := []struct {
		name          string
		ca, cert, key string
		errs          []FieldError // by field, message prefix
		cas           int
		client        bool
	}{
		{name: "none"},
		{name: "a CA", ca: ca, cas: 1},
		{name: "a bundle of two", ca: ca + "\n" + ca2, cas: 2},
		{name: "a client pair", cert: cert, key: key, client: true},
		{name: "all of them", ca: ca, cert: cert, key: key, cas: 1, client: true},
		{name: "CA not PEM", ca: "hello", errs: []FieldError{{"tls_ca_pem", "must be PEM certificates"}}},
		{name: "CA holding a key", ca: key, errs: []FieldError{{"tls_ca_pem", "must hold PEM certificates only, not a PRIVATE KEY block"}}},
		{name: "CA with garbage after", ca: ca + "trailing", errs: []FieldError{{"tls_ca_pem", "must hold PEM certificates only"}}},
		{name: "CA that does not parse", ca: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
			errs: []FieldError{{"tls_ca_pem", "certificate 1 does not parse"}}},
		{name: "CA too long", ca: strings.Repeat("a", maxPEMBytes+1), errs: []FieldError{{"tls_ca_pem", "must be at most"}}},
		{name: "cert without key", cert: cert, errs: []FieldError{{"tls_client_key_pem", "is required with tls_client_cert_pem"}}},
		{name: "key without cert", key: key, errs: []FieldError{{"tls_client_cert_pem", "is required with tls_client_key_pem"}}},
		{name: "key not a key", cert: cert, key: cert, errs: []FieldError{{"tls_client_key_pem", "must be a PEM private key"}}},
		{name: "cert not a cert", cert: "x", key: key, errs: []FieldError{{"tls_client_cert_pem", "must be PEM certificates"}}},
		{name: "not a pair", cert: cert, key: otherKey, errs: []FieldError{{"tls_client_key_pem", "must be the key of tls_client_cert_pem"}}},
		{name: "every field at once", ca: "x", cert: cert, key: cert, errs: []FieldError{
			{"tls_ca_pem", "must be PEM certificates"}, {"tls_client_key_pem", "must be a PEM private key"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, errs := ParseTLSOptions(tt.ca, tt.cert, tt.key)
			require.Len(t, errs, len(tt.errs), "%v", errs)
			for i, want := range tt.errs {
				assert.Equal(t, want.Field, errs[i].Field)
				assert.True(t, strings.HasPrefix(errs[i].Message, want.Message), "message %q", errs[i].Message)
				for _, k := range []string{key, otherKey} {
					assert.NotContains(t, errs[i].Message, strings.Split(k, "\n")[1][:16], "the key is never quoted")
				}
			}
			assert.Equal(t, errs, ValidateTLSPEM(tt.ca, tt.cert, tt.key))
			if len(tt.errs) > 0 {
				return
			}
			assert.Len(t, m.CAs, tt.cas)
			assert.Equal(t, tt.client, m.ClientCert != nil)
		})
	}
}
