// Package buildinfo holds what this binary is: its version and the commit it was
// built from, for `watchdog version` and the watchdog_build_info metric.
package buildinfo

import (
	"runtime"
	"runtime/debug"
)

// Version and Commit are set at link time:
//
//	go build -ldflags "-X github.com/watchdog-monitor/watchdog/backend/internal/buildinfo.Version=1.2.3 \
//	                   -X github.com/watchdog-monitor/watchdog/backend/internal/buildinfo.Commit=abc1234"
//
// Left unset, Read falls back to what the Go toolchain stamped into the binary.
var (
	Version = ""
	Commit  = ""
)

// Info is one build's identity.
type Info struct {
	Version   string
	Commit    string
	GoVersion string
}

// Read returns this binary's identity: the link-time values when set, else the
// module version and VCS revision the toolchain recorded ("dev" and "unknown" when
// there are none, as in `go test` binaries).
func Read() Info {
	info := Info{Version: Version, Commit: Commit, GoVersion: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if info.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			info.Version = bi.Main.Version
		}
		if info.Commit == "" {
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" {
					info.Commit = s.Value
				}
			}
		}
	}
	if info.Version == "" {
		info.Version = "dev"
	}
	if info.Commit == "" {
		info.Commit = "unknown"
	}
	return info
}
