package manifest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/watchdog-monitor/watchdog/backend/internal/manifest"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
)

// apply5000 is a configuration of 5,000 targets, each with a tag, as a large fleet's
// `watchdog apply -f` would send.
func apply5000() manifest.Document {
	doc := manifest.Document{Version: manifest.Version}
	for i := range 5000 {
		doc.Targets = append(doc.Targets, manifest.Target{
			Name: fmt.Sprintf("svc-%04d", i),
			URL:  fmt.Sprintf("https://svc-%04d.example.com/health", i),
			Tags: []string{fmt.Sprintf("team-%d", i%20)},
		})
	}
	return doc
}

// BenchmarkApply5000 measures applying a 5,000-target configuration on the embedded
// SQLite database: "create" into an empty database (every target inserted in one
// transaction), "unchanged" applying the same document again (every target read and
// compared, nothing written). It reports targets/s.
func BenchmarkApply5000(b *testing.B) {
	doc := apply5000()
	o := opts(nil)
	ctx := context.Background()
	b.Run("create", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			s := storetest.SQLite(b)
			b.StartTimer()
			r, err := manifest.Apply(ctx, s, doc, o)
			if err != nil {
				b.Fatal(err)
			}
			if got := actions(r)["target svc-4999"]; got != manifest.Created {
				b.Fatalf("svc-4999: %q, want created", got)
			}
		}
		b.ReportMetric(float64(len(doc.Targets)*b.N)/b.Elapsed().Seconds(), "targets/s")
	})
	b.Run("unchanged", func(b *testing.B) {
		s := storetest.SQLite(b)
		if _, err := manifest.Apply(ctx, s, doc, o); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			r, err := manifest.Apply(ctx, s, doc, o)
			if err != nil {
				b.Fatal(err)
			}
			if r.Changed() {
				b.Fatal("a second apply of the same document changed something")
			}
		}
		b.ReportMetric(float64(len(doc.Targets)*b.N)/b.Elapsed().Seconds(), "targets/s")
	})
}
