package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/watchdog-monitor/watchdog/backend/internal/store"
	"github.com/watchdog-monitor/watchdog/backend/internal/store/storetest"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

// BenchmarkDashboardPoll measures what one dashboard poll costs the server with
// 10,000 targets: a page of 50 targets (sorted by name, one filter) plus that page's
// heartbeats, through the whole HTTP stack. `make bench` prints it.
func BenchmarkDashboardPoll(b *testing.B) {
	storetest.EachB(b, func(b *testing.B, s *store.Store) {
		ctx := context.Background()
		var ids []string
		for i := range 10000 {
			off := false
			tg, err := target.New(target.Spec{Name: new(fmt.Sprintf("svc-%05d", i)), URL: fmt.Sprintf("https://s%d.example.com/", i),
				IsActive: &off, Tags: []string{fmt.Sprintf("team-%d", i%20)}}, target.Limits{})
			if err != nil {
				b.Fatal(err)
			}
			created, err := s.CreateTarget(ctx, tg)
			if err != nil {
				b.Fatal(err)
			}
			if i < 50 {
				ids = append(ids, fmt.Sprint(created.ID))
			}
		}
		e := newEnv(b, s)
		list := "/api/v1/targets?limit=50&offset=5000&tag=team-3"
		beats := "/api/v1/heartbeats?ids=" + strings.Join(ids, ",")
		b.ResetTimer()
		for b.Loop() {
			for _, path := range []string{list, beats} {
				req, _ := http.NewRequest(http.MethodGet, e.URL+path, nil)
				req.Header.Set("Authorization", "Bearer "+e.Token)
				res, err := http.DefaultClient.Do(req)
				if err != nil || res.StatusCode != http.StatusOK {
					b.Fatalf("%s: %v %v", path, err, res)
				}
				_ = res.Body.Close()
			}
		}
	})
}
