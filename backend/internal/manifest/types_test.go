package manifest_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"maps"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/audit"
	"github.com/watchdog-monitor/watchdog/backend/internal/manifest"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// selfSigned is a throwaway certificate and key, PEM encoded, for the TLS options.
func selfSigned(t *testing.T) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "manifest-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
}

// TestEveryTypeRoundTrip: a target of each type is applied, exported and applied
// again with no change; the client key travels as a reference, and a heartbeat keeps
// its ping token through every apply.
func TestEveryTypeRoundTrip(t *testing.T) {
	certPEM, keyPEM := selfSigned(t)
	env := map[string]string{"WATCHDOG_TARGET_MQTTS_TLS_CLIENT_KEY_PEM": keyPEM}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		doc := everyType(certPEM)
		first := apply(t, s, doc, opts(env))
		assert.Len(t, first.Items, 7)
		for _, it := range first.Items {
			assert.Equal(t, manifest.Created, it.Action, it.Name)
		}
		byName := func() map[string]target.Target {
			all, err := s.AllTargets(ctx)
			require.NoError(t, err)
			out := map[string]target.Target{}
			for _, tg := range all {
				out[tg.Name] = tg
			}
			return out
		}
		stored := byName()
		assert.Equal(t, target.TypeTLS, stored["mqtts"].Type)
		assert.Equal(t, keyPEM, stored["mqtts"].TLSClientKeyPEM, "the database gets the key itself")
		assert.Equal(t, 30, stored["web"].CertExpiryDays)
		assert.True(t, stored["web"].TLSSkipVerify)
		assert.Equal(t, target.ImpersonateChrome, stored["web"].Impersonate)
		assert.Equal(t, target.ImpersonateNone, stored["redis"].Impersonate)
		assert.Equal(t, 1800, stored["backup"].GraceSeconds)
		assert.Equal(t, "0 3 * * *", stored["nightly"].Cron)
		token := stored["backup"].PingToken
		require.NotEmpty(t, token)

		assert.False(t, apply(t, s, doc, opts(env)).Changed(), "a second apply changes nothing")

		out, names := export(t, s)
		assert.Equal(t, []string{"WATCHDOG_TARGET_MQTTS_TLS_CLIENT_KEY_PEM"}, names)
		assert.NotContains(t, out, "PRIVATE KEY", "the key is exported as a reference")
		assert.NotContains(t, out, token, "a ping token is not in the document")
		assert.Contains(t, out, "type: heartbeat")
		assert.NotContains(t, out, "type: http", "http is the default, left out")
		assert.Equal(t, 1, strings.Count(out, "impersonate:"), "only the target that impersonates says so:\n%s", out)
		again := apply(t, s, out, opts(env))
		assert.False(t, again.Changed(), "apply → export → apply is a no-op:\n%s\n%s", again, out)
		out2, _ := export(t, s)
		assert.Equal(t, out, out2, "export is stable")

		// A change to a heartbeat keeps its token: the jobs keep their URL.
		changed := strings.Replace(doc, "grace_seconds: 1800", "grace_seconds: 900", 1)
		assert.Equal(t, manifest.Updated, actions(apply(t, s, changed, opts(env)))["target backup"])
		after := byName()["backup"]
		assert.Equal(t, 900, after.GraceSeconds)
		assert.Equal(t, token, after.PingToken)

		// A rotated client certificate and key is an update, the key read from the
		// same variable.
		rotated := maps.Clone(env)
		otherCert, otherKey := selfSigned(t)
		rotated["WATCHDOG_TARGET_MQTTS_TLS_CLIENT_KEY_PEM"] = otherKey
		renewed := strings.ReplaceAll(changed, indent(certPEM, 6), indent(otherCert, 6))
		r := actions(apply(t, s, renewed, opts(rotated)))
		assert.Equal(t, manifest.Updated, r["target mqtts"])
		assert.Equal(t, manifest.Unchanged, r["target backup"])
		assert.Equal(t, otherKey, byName()["mqtts"].TLSClientKeyPEM)

		// The audit log masks the key and never holds it.
		entries, _, err := s.ListAudit(ctx, audit.Filter{Limit: 500})
		require.NoError(t, err)
		var masked bool
		for _, e := range entries {
			raw, err := json.Marshal(e.Changes)
			require.NoError(t, err)
			assert.NotContains(t, string(raw), "PRIVATE KEY")
			if e.ObjectName == "mqtts" && e.Action == audit.Update {
				masked = e.Changes["tls_client_key_pem"] == audit.Change{Before: audit.Masked, After: audit.Masked}
			}
		}
		assert.True(t, masked, "a rotated key reads as masked in the audit log")
	})
}

func export(t *testing.T, s *store.Store) (string, []string) {
	t.Helper()
	doc, names, err := manifest.Export(context.Background(), s)
	require.NoError(t, err)
	out, err := manifest.Marshal(doc, names)
	require.NoError(t, err)
	return string(out), names
}

// TestPingTokensForNewHeartbeats: an importer's token is given to the heartbeat
// apply creates, and only to one it creates.
func TestPingTokensForNewHeartbeats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const kept = "Q7fJ2kLmN8pR4sT6vW9xZ1bC3dE5gH0a"
		o := opts(nil)
		o.PingTokens = map[string]string{"nightly backup": kept}
		doc := "version: 1\ntargets:\n  - {name: Nightly backup, type: heartbeat, period_seconds: 86400}\n  - {name: other, type: heartbeat}\n"
		apply(t, s, doc, o)
		all, err := s.AllTargets(ctx)
		require.NoError(t, err)
		require.Len(t, all, 2)
		for _, tg := range all {
			if tg.Name == "Nightly backup" {
				assert.Equal(t, kept, tg.PingToken)
			} else {
				assert.NotEqual(t, kept, tg.PingToken)
				assert.NotEmpty(t, tg.PingToken)
			}
		}
		o.PingTokens = map[string]string{"nightly backup": "Zz" + kept}
		apply(t, s, strings.Replace(doc, "period_seconds: 86400", "period_seconds: 3600", 1), o)
		one, err := s.AllTargets(ctx)
		require.NoError(t, err)
		for _, tg := range one {
			if tg.Name == "Nightly backup" {
				assert.Equal(t, kept, tg.PingToken, "an existing heartbeat keeps its own token")
			}
		}
	})
}
