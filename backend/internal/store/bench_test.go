package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/notify"
	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// BenchmarkClaimAndRecord measures the scheduler's database work per check: claiming
// due targets in batches of 500 and recording their results, as the scheduler does.
// It reports checks/s; `make bench` prints it.
func BenchmarkClaimAndRecord(b *testing.B) {
	storetest.EachB(b, func(b *testing.B, s *store.Store) {
		ctx := context.Background()
		const n, batch = 2000, 500
		for i := range n {
			tg, err := target.New(target.Spec{URL: fmt.Sprintf("https://t%d.example.com/", i), IntervalSeconds: new(60)}, target.Limits{})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.CreateTarget(ctx, tg); err != nil {
				b.Fatal(err)
			}
		}
		code := 200
		b.ResetTimer()
		checks := 0
		for i := 0; b.Loop(); i++ {
			claims, err := s.ClaimDue(ctx, fmt.Sprintf("bench-%d", i), batch)
			if err != nil {
				b.Fatal(err)
			}
			if len(claims) == 0 {
				// Everything checked: make it all due again, outside the timing.
				b.StopTimer()
				storetest.Exec(b, s, "UPDATE targets SET next_check_at = ?", time.Now().UTC().Add(-time.Second))
				b.StartTimer()
				continue
			}
			results := make([]store.Result, len(claims))
			for j, c := range claims {
				slot := c.Slot
				results[j] = store.Result{
					Check: target.Check{TargetID: c.Target.ID, CheckedAt: c.DBNow, ScheduledAt: &slot,
						LatencyMS: 40, StatusCode: &code, OK: true, Attempts: 1},
					Token: c.Token, NextCheckAt: c.DBNow.Add(time.Minute),
				}
			}
			if err := s.Record(ctx, results); err != nil {
				b.Fatal(err)
			}
			checks += len(claims)
		}
		b.ReportMetric(float64(checks)/b.Elapsed().Seconds(), "checks/s")
	})
}

// BenchmarkRollUpHour measures the hourly rollup job: one hour of 10,000 targets
// checked every minute (600,000 checks) summarised into hourly rollups. It reports
// seconds per hour rolled up and checks summarised per second.
func BenchmarkRollUpHour(b *testing.B) {
	storetest.EachB(b, func(b *testing.B, s *store.Store) {
		ctx := context.Background()
		const n, perHour = 10000, 60
		ts := make([]target.Target, n)
		for i := range ts {
			tg, err := target.New(target.Spec{URL: fmt.Sprintf("https://t%d.example.com/", i)}, target.Limits{})
			if err != nil {
				b.Fatal(err)
			}
			ts[i] = tg
		}
		if _, err := s.CreateTargets(ctx, ts); err != nil {
			b.Fatal(err)
		}
		hour := time.Now().UTC().Truncate(time.Hour).Add(-48 * time.Hour)
		checks := 0
		for b.Loop() {
			b.StopTimer()
			// A fresh hour of checks for each round, each minute of it for every target.
			var results []store.Result
			for m := range perHour {
				at := hour.Add(time.Duration(m) * time.Minute)
				for id := int64(1); id <= n; id++ {
					results = append(results, store.Result{Check: target.Check{TargetID: id, CheckedAt: at,
						LatencyMS: 50 + int(id%300), OK: id%50 != 0, Attempts: 1}})
					if len(results) == 500 {
						if err := s.Record(ctx, results); err != nil {
							b.Fatal(err)
						}
						results = results[:0]
					}
				}
			}
			b.StartTimer()
			hours, _, err := s.RollUp(ctx, hour.Add(time.Hour+20*time.Minute))
			if err != nil || hours == 0 {
				b.Fatalf("rolled up %d hours: %v", hours, err)
			}
			checks += n * perHour
			hour = hour.Add(time.Hour)
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/hour")
		b.ReportMetric(float64(checks)/b.Elapsed().Seconds(), "checks/s")
	})
}

// BenchmarkOutage measures an outage's database work: a batch of 500 failing checks
// that each cross their target's threshold (an incident opened and an alert queued to
// one channel per target), then the batch of successes that resolves them all and
// queues the recoveries. The degraded-checker rule is off, so every alert is queued.
// It reports transitions per second.
func BenchmarkOutage(b *testing.B) {
	storetest.EachB(b, func(b *testing.B, s *store.Store) {
		ctx := context.Background()
		s.SetAlerting(store.AlertPolicy{Ratio: 1, Window: time.Minute, MinTargets: 1 << 30}, nil)
		ch, err := s.CreateChannel(ctx, notify.Channel{Name: "ops", Type: "webhook", Config: []byte(`{"url":"https://h.example.com"}`)})
		if err != nil {
			b.Fatal(err)
		}
		const n = 500
		ids := make([]int64, n)
		for i := range n {
			tg, err := target.New(target.Spec{URL: fmt.Sprintf("https://t%d.example.com/", i), FailureThreshold: new(1),
				SuccessThreshold: new(1), ChannelIDs: []int64{ch.ID}}, target.Limits{})
			if err != nil {
				b.Fatal(err)
			}
			created, err := s.CreateTarget(ctx, tg)
			if err != nil {
				b.Fatal(err)
			}
			ids[i] = created.ID
		}
		at := time.Now().UTC().Add(-time.Hour)
		batch := func(ok bool) {
			at = at.Add(time.Second)
			results := make([]store.Result, n)
			for i, id := range ids {
				results[i] = store.Result{Check: target.Check{TargetID: id, CheckedAt: at, OK: ok, Attempts: 1, LatencyMS: 40}}
				if !ok {
					results[i].Check.Error = "connection refused"
				}
			}
			if err := s.Record(ctx, results); err != nil {
				b.Fatal(err)
			}
		}
		batch(true)
		b.ResetTimer()
		for b.Loop() {
			batch(false)
			batch(true)
		}
		b.ReportMetric(float64(2*n*b.N)/b.Elapsed().Seconds(), "transitions/s")
	})
}
