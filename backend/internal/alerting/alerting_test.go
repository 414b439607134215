package alerting_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/watchdog-monitor/watchdog/backend/internal/alerting"
	"github.com/watchdog-monitor/watchdog/backend/internal/notify"
)

func TestStreakCrosses(t *testing.T) {
	tests := []struct {
		name string
		s    alerting.Streak
		want bool
	}{
		{"up, failures below the threshold", alerting.Streak{Status: "up", Failures: 2, FailureThreshold: 3, SuccessThreshold: 2}, false},
		{"up, failures reach the threshold", alerting.Streak{Status: "up", Failures: 3, FailureThreshold: 3, SuccessThreshold: 2}, true},
		{"up, failures past the threshold", alerting.Streak{Status: "up", Failures: 7, FailureThreshold: 3, SuccessThreshold: 2}, true},
		{"up, successes never cross", alerting.Streak{Status: "up", Successes: 50, FailureThreshold: 3, SuccessThreshold: 2}, false},
		{"down, successes below the threshold", alerting.Streak{Status: "down", Successes: 1, FailureThreshold: 3, SuccessThreshold: 2}, false},
		{"down, successes reach the threshold", alerting.Streak{Status: "down", Successes: 2, FailureThreshold: 3, SuccessThreshold: 2}, true},
		{"down, failures never cross", alerting.Streak{Status: "down", Failures: 9, FailureThreshold: 3, SuccessThreshold: 2}, false},
		{"unknown, first success confirms up", alerting.Streak{Status: "unknown", Successes: 1, FailureThreshold: 3, SuccessThreshold: 2}, true},
		{"unknown, failures below the threshold", alerting.Streak{Status: "unknown", Failures: 2, FailureThreshold: 3, SuccessThreshold: 2}, false},
		{"unknown, failures reach the threshold", alerting.Streak{Status: "unknown", Failures: 3, FailureThreshold: 3, SuccessThreshold: 2}, true},
		{"unknown, nothing counted yet", alerting.Streak{Status: "unknown", FailureThreshold: 3, SuccessThreshold: 2}, false},
		{"threshold of one alerts at the first failure", alerting.Streak{Status: "up", Failures: 1, FailureThreshold: 1, SuccessThreshold: 1}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.Crosses(); got != tt.want {
				t.Errorf("%+v.Crosses() = %v, want %v", tt.s, got, tt.want)
			}
		})
	}
}

func TestPolicyDegraded(t *testing.T) {
	p := alerting.Policy{Ratio: 0.5, Window: 5 * time.Minute, MinTargets: 5}
	tests := []struct {
		name         string
		down, active int64
		mayDegrade   bool
		degraded     bool
	}{
		{"nothing down", 0, 100, false, false},
		{"fewer than MinTargets, whatever the ratio", 4, 4, false, false},
		{"two of three down still alert", 2, 3, false, false},
		{"MinTargets reached, ratio not", 5, 11, true, false},
		{"MinTargets and ratio exactly", 5, 10, true, true},
		{"most of them down", 80, 100, true, true},
		{"enough but under half", 40, 100, true, false},
		{"no active targets counted", 5, 0, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.MayDegrade(tt.down); got != tt.mayDegrade {
				t.Errorf("MayDegrade(%d) = %v, want %v", tt.down, got, tt.mayDegrade)
			}
			if got := p.Degraded(tt.down, tt.active); got != tt.degraded {
				t.Errorf("Degraded(%d, %d) = %v, want %v", tt.down, tt.active, got, tt.degraded)
			}
		})
	}
}

func TestDefaultPolicyAndWindow(t *testing.T) {
	p := alerting.DefaultPolicy()
	if p.Ratio != 0.5 || p.Window != 5*time.Minute || p.MinTargets != 5 || p.PublicURL != "" {
		t.Fatalf("DefaultPolicy() = %+v", p)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if got, want := p.WindowStart(now), now.Add(-5*time.Minute); !got.Equal(want) {
		t.Errorf("WindowStart = %v, want %v", got, want)
	}
}

func TestDashboardURL(t *testing.T) {
	tests := []struct {
		name      string
		publicURL string
		want      string
	}{
		{"no public address, no link", "", ""},
		{"link to the target's page", "https://watch.example.com", "https://watch.example.com/targets/42"},
		{"a path prefix is kept", "https://example.com/watchdog", "https://example.com/watchdog/targets/42"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := alerting.Policy{PublicURL: tt.publicURL}
			if got := p.DashboardURL(42); got != tt.want {
				t.Errorf("DashboardURL(42) = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestMessages pins each message's JSON, which is the generic webhook's body.
func TestMessages(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	started := now.Add(-3 * time.Minute)
	tgt := notify.TargetRef{ID: 7, Name: "api", URL: "https://api.example.com"}
	inc := &notify.IncidentRef{ID: 3, Kind: "down", StartedAt: started, Cause: "3 failed checks in a row",
		FirstError: "timeout", LastError: "refused"}
	linked := alerting.Policy{PublicURL: "https://watch.example.com"}
	tests := []struct {
		name string
		msg  notify.Message
		want string
	}{
		{"down with a link", linked.TargetMessage(notify.EventDown, tgt, inc, now),
			`{"event":"down","target":{"id":7,"name":"api","url":"https://api.example.com"},"incident":{"id":3,"kind":"down","started_at":"2026-03-01T11:57:00Z","resolved_at":null,"cause":"3 failed checks in a row","first_error":"timeout","last_error":"refused"},"occurred_at":"2026-03-01T12:00:00Z","dashboard_url":"https://watch.example.com/targets/7"}`},
		{"up without a public address", alerting.Policy{}.TargetMessage(notify.EventUp, tgt, inc, now),
			`{"event":"up","target":{"id":7,"name":"api","url":"https://api.example.com"},"incident":{"id":3,"kind":"down","started_at":"2026-03-01T11:57:00Z","resolved_at":null,"cause":"3 failed checks in a row","first_error":"timeout","last_error":"refused"},"occurred_at":"2026-03-01T12:00:00Z"}`},
		{"warm gap", linked.TargetMessage(notify.EventWarmGap, tgt, nil, now),
			`{"event":"warm_gap","target":{"id":7,"name":"api","url":"https://api.example.com"},"incident":null,"occurred_at":"2026-03-01T12:00:00Z","dashboard_url":"https://watch.example.com/targets/7"}`},
		{"degraded links to the dashboard", linked.CheckerMessage(notify.EventDegraded, 6, 10, now),
			`{"event":"checker_degraded","target":null,"incident":null,"occurred_at":"2026-03-01T12:00:00Z","affected":6,"active":10,"dashboard_url":"https://watch.example.com"}`},
		{"recovered with none down", alerting.Policy{}.CheckerMessage(notify.EventRecovered, 0, 10, now),
			`{"event":"checker_recovered","target":null,"incident":null,"occurred_at":"2026-03-01T12:00:00Z","active":10}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.msg)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("message:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestCauses(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"one failure", alerting.DownCause(1), "1 failed check"},
		{"several failures", alerting.DownCause(3), "3 failed checks in a row"},
		{"warm gap", alerting.WarmGapCause(15 * time.Minute), "no successful request for over 15m0s, its host's idle limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestStarted(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	first := now.Add(-2 * time.Minute)
	lastOK := now.Add(-40 * time.Minute)
	tests := []struct {
		name      string
		got, want time.Time
	}{
		{"down from the run's first failure", alerting.DownStarted(&first, now), first},
		{"down with no run start known", alerting.DownStarted(nil, now), now},
		{"warm gap from when the idle limit ran out", alerting.WarmGapStarted(&lastOK, 15*time.Minute, now), lastOK.Add(15 * time.Minute)},
		{"warm gap with no success ever", alerting.WarmGapStarted(nil, 15*time.Minute, now), now},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.got.Equal(tt.want) {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}
