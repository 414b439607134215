package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// A certificate seen within cert_expiry_days of its end opens one cert_expiry incident
// and queues one alert, however many checks see it; a renewed certificate resolves it
// and says so; a check that saw no certificate changes nothing, and the target keeps
// the last date seen.
func TestCertExpiryOpensOneIncidentUntilRenewed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ch := newChannel(t, s, "ops")
		tg := newTarget(t, s, target.Spec{URL: "https://a.example.com", ChannelIDs: []int64{ch.ID}})
		now := time.Now().UTC().Truncate(time.Second)
		at := now.Add(-time.Hour)
		record := func(expires *time.Time, ok bool) {
			t.Helper()
			at = at.Add(time.Second)
			c := target.Check{TargetID: tg.ID, CheckedAt: at, OK: ok, Attempts: 1, CertExpiresAt: expires}
			if !ok {
				c.Error = "connection refused"
			}
			require.NoError(t, s.Record(ctx, []store.Result{{Check: c}}))
		}
		openCert := func() []target.Incident {
			t.Helper()
			incs, _, err := s.ListIncidents(ctx, target.IncidentFilter{TargetID: tg.ID, Limit: 10})
			require.NoError(t, err)
			var out []target.Incident
			for _, inc := range incs {
				if inc.Kind == target.IncidentCertExpiry {
					out = append(out, inc)
				}
			}
			return out
		}

		soon := now.Add(5 * 24 * time.Hour)
		record(&soon, true)
		record(&soon, true)
		incs := openCert()
		require.Len(t, incs, 1)
		assert.Nil(t, incs[0].ResolvedAt)
		assert.Contains(t, incs[0].Cause, "the certificate expires in 5 days, on "+soon.Format(time.DateOnly))
		assert.Equal(t, []string{"cert_expiry:pending"}, events(t, s))
		got, err := s.GetTarget(ctx, tg.ID)
		require.NoError(t, err)
		require.NotNil(t, got.CertExpiresAt)
		assert.WithinDuration(t, soon, *got.CertExpiresAt, time.Second)
		assert.Equal(t, target.StatusUp, got.LastStatus, "an expiring certificate is a warning, not an outage")

		record(nil, false)
		got, err = s.GetTarget(ctx, tg.ID)
		require.NoError(t, err)
		require.NotNil(t, got.CertExpiresAt, "a failed connection saw no certificate: the last one seen stays")
		assert.Len(t, openCert(), 1)

		renewed := now.Add(90 * 24 * time.Hour)
		record(&renewed, true)
		incs = openCert()
		require.Len(t, incs, 1)
		require.NotNil(t, incs[0].ResolvedAt, "a renewed certificate resolves it")
		assert.Equal(t, []string{"cert_expiry:pending", "up:pending"}, events(t, s))
		got, err = s.GetTarget(ctx, tg.ID)
		require.NoError(t, err)
		assert.WithinDuration(t, renewed, *got.CertExpiresAt, time.Second)

		// Turned off, an expiring certificate opens nothing.
		off, err := target.Patch{CertExpiryDays: new(0)}.Apply(got, target.Limits{})
		require.NoError(t, err)
		_, err = s.UpdateTarget(ctx, got, off)
		require.NoError(t, err)
		record(&soon, true)
		assert.Len(t, openCert(), 1)
		assert.Len(t, events(t, s), 2)
	})
}

// Moving a target off its certificate ends the warning without a "renewed" message
// and forgets the date; a check-now that saw the old certificate but is recorded after
// a newer check does not reopen what the newer one resolved.
func TestCertWarningEndsWithTheCertificate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ch := newChannel(t, s, "ops")
		tg := newTarget(t, s, target.Spec{Type: new(target.TypeTLS), URL: "tls://a.example.com:443", ChannelIDs: []int64{ch.ID}})
		now := time.Now().UTC().Truncate(time.Second)
		soon, renewed := now.Add(3*24*time.Hour), now.Add(90*24*time.Hour)
		rec := func(at time.Time, expires time.Time) {
			t.Helper()
			require.NoError(t, s.Record(ctx, []store.Result{{Check: target.Check{TargetID: tg.ID, CheckedAt: at, OK: true, Attempts: 1, CertExpiresAt: &expires}}}))
		}
		rec(now.Add(-time.Minute), soon)
		rec(now.Add(-30*time.Second), renewed)
		rec(now.Add(-45*time.Second), soon) // started before the renewed one, recorded after
		assert.Equal(t, []string{"cert_expiry:pending", "up:pending"}, events(t, s), "the late check reopens nothing")

		rec(now.Add(-20*time.Second), soon)
		assert.Len(t, events(t, s), 3)
		got, err := s.GetTarget(ctx, tg.ID)
		require.NoError(t, err)
		moved, err := target.Patch{Type: new(target.TypeTCP), URL: new("tcp://a.example.com:443")}.Apply(got, target.Limits{})
		require.NoError(t, err)
		updated, err := s.UpdateTarget(ctx, got, moved)
		require.NoError(t, err)
		assert.Nil(t, updated.CertExpiresAt, "a tcp target has no certificate date")
		incs, _, err := s.ListIncidents(ctx, target.IncidentFilter{TargetID: tg.ID, Open: true, Limit: 10})
		require.NoError(t, err)
		assert.Empty(t, incs, "the warning ended with the certificate")
		assert.Len(t, events(t, s), 3, "no renewed-certificate message: none was seen")
	})
}
