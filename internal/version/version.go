// Package version says which build of Trent is running: for `trent
// version`, the start-up log and, later, the health endpoints. It reads the
// build information the Go toolchain embeds in every binary, so a plain
// `go build` in a git checkout is identified without any release tooling;
// a release build can still set the version explicitly at link time.
package version

import (
	"runtime/debug"
	"sync"
)

// version, when set at link time, is the version reported, whatever the
// build information says:
//
//	go build -ldflags "-X github.com/trent-kms/trent/internal/version.version=v1.2.3" ./cmd/trent
//
// It is unexported so that nothing can change it at run time; -X sets
// unexported variables too.
var version string

// shortRevision is how much of a commit hash a devel version shows, as
// `git log --oneline` does; Info.Revision keeps the whole hash.
const shortRevision = 7

// Info describes this build. The fields other than Version are empty when
// the build did not record them (go run, go test, a build outside git).
type Info struct {
	// Version is what to show: the version set at link time, else the main
	// module's version (a tag such as v1.2.3, or a pseudo-version, which
	// go build derives from git and marks +dirty for a modified tree),
	// else "devel+<commit>" with "-dirty" for a modified tree, else "devel".
	Version string
	// Revision is the full commit hash the build was made from (vcs.revision).
	Revision string
	// Time is that commit's time as the build recorded it, RFC 3339
	// (vcs.time). It is not when the binary was built.
	Time string
	// Modified says the working tree had uncommitted changes (vcs.modified).
	Modified bool
	// GoVersion is the toolchain that built the binary.
	GoVersion string
}

// String returns the version.
func (i Info) String() string { return i.Version }

// Get returns the information about this build. It is read once.
func Get() Info { return current() }

var current = sync.OnceValue(func() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	return fromBuildInfo(version, bi)
})

// fromBuildInfo builds the Info from a link-time version (or "") and the
// build information (nil if the binary has none).
func fromBuildInfo(linked string, bi *debug.BuildInfo) Info {
	info := Info{Version: linked}
	if bi == nil {
		if info.Version == "" {
			info.Version = "unknown"
		}
		return info
	}
	info.GoVersion = bi.GoVersion
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			info.Revision = s.Value
		case "vcs.time":
			info.Time = s.Value
		case "vcs.modified":
			info.Modified = s.Value == "true"
		}
	}
	if info.Version != "" {
		return info
	}
	// "(devel)" is what the toolchain reports when it could not derive a
	// version (go run, or no git); test binaries report "".
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		info.Version = v
		return info
	}
	info.Version = "devel"
	if info.Revision != "" {
		info.Version += "+" + info.Revision[:min(shortRevision, len(info.Revision))]
		if info.Modified {
			info.Version += "-dirty"
		}
	}
	return info
}
