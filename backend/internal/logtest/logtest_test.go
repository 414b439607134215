package logtest

import (
	"fmt"
	"log/slog"
	"sync"
	"testing"
)

func TestBufferTakesConcurrentLoggers(t *testing.T) {
	var buf Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() { log.Info("tick", "n", i) })
	}
	wg.Wait()
	log.Warn("done")

	if got := len(JSONLines(t, "log", buf.Bytes())); got != 21 {
		t.Fatalf("JSONLines found %d lines, want 21:\n%s", got, buf.String())
	}
	ticks := buf.WithMsg(t, "tick")
	if len(ticks) != 20 {
		t.Fatalf("WithMsg(tick) found %d lines, want 20", len(ticks))
	}
	seen := map[string]bool{}
	for _, m := range ticks {
		seen[fmt.Sprint(m["n"])] = true
	}
	if len(seen) != 20 {
		t.Fatalf("lines were mixed up: %d distinct values of n, want 20", len(seen))
	}
	if done := buf.WithMsg(t, "done"); len(done) != 1 || done[0]["level"] != "WARN" {
		t.Fatalf("WithMsg(done) = %v, want one WARN line", done)
	}
}
