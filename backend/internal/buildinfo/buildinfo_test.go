package buildinfo

import (
	"runtime"
	"testing"
)

func TestReadPrefersLinkTimeValues(t *testing.T) {
	oldV, oldC := Version, Commit
	t.Cleanup(func() { Version, Commit = oldV, oldC })

	Version, Commit = "1.2.3", "abc1234"
	got := Read()
	if got.Version != "1.2.3" || got.Commit != "abc1234" || got.GoVersion != runtime.Version() {
		t.Fatalf("Read() = %+v, want link-time version and commit and %s", got, runtime.Version())
	}

	Version, Commit = "", ""
	got = Read()
	if got.Version == "" || got.Commit == "" {
		t.Fatalf("Read() without link-time values = %+v, want fallbacks, never empty", got)
	}
}
