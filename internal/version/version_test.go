package version

import (
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

const commit = "0123456789abcdef0123456789abcdef01234567"

func buildInfo(mainVersion string, settings ...string) *debug.BuildInfo {
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/trent-kms/trent", Version: mainVersion}}
	for i := 0; i+1 < len(settings); i += 2 {
		bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
	}
	return bi
}

func TestFromBuildInfo(t *testing.T) {
	vcs := []string{"vcs", "git", "vcs.revision", commit, "vcs.time", "2026-03-01T12:00:00Z", "vcs.modified", "false"}
	dirty := []string{"vcs", "git", "vcs.revision", commit, "vcs.time", "2026-03-01T12:00:00Z", "vcs.modified", "true"}
	for _, tt := range []struct {
		name   string
		linked string
		bi     *debug.BuildInfo
		want   Info
	}{
		{"tagged module version", "", buildInfo("v1.4.0", vcs...),
			Info{Version: "v1.4.0", Revision: commit, Time: "2026-03-01T12:00:00Z", GoVersion: "go1.26.8"}},
		{"pseudo-version of a modified tree", "", buildInfo("v0.0.0-20260301120000-0123456789ab+dirty", dirty...),
			Info{Version: "v0.0.0-20260301120000-0123456789ab+dirty", Revision: commit, Time: "2026-03-01T12:00:00Z", Modified: true, GoVersion: "go1.26.8"}},
		{"devel, clean", "", buildInfo("(devel)", vcs...),
			Info{Version: "devel+0123456", Revision: commit, Time: "2026-03-01T12:00:00Z", GoVersion: "go1.26.8"}},
		{"devel, modified", "", buildInfo("(devel)", dirty...),
			Info{Version: "devel+0123456-dirty", Revision: commit, Time: "2026-03-01T12:00:00Z", Modified: true, GoVersion: "go1.26.8"}},
		{"devel without VCS", "", buildInfo("(devel)"), Info{Version: "devel", GoVersion: "go1.26.8"}},
		{"no main module version (go test)", "", buildInfo(""), Info{Version: "devel", GoVersion: "go1.26.8"}},
		{"set at link time", "v1.2.3", buildInfo("(devel)", dirty...),
			Info{Version: "v1.2.3", Revision: commit, Time: "2026-03-01T12:00:00Z", Modified: true, GoVersion: "go1.26.8"}},
		{"set at link time, no build info", "v1.2.3", nil, Info{Version: "v1.2.3"}},
		{"no build info", "", nil, Info{Version: "unknown"}},
	} {
		if got := fromBuildInfo(tt.linked, tt.bi); got != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
}

func TestGetIsStable(t *testing.T) {
	a, b := Get(), Get()
	if a != b || a.Version == "" || a.String() != a.Version {
		t.Fatalf("Get() = %+v then %+v", a, b)
	}
}

// TestLinkTimeVersion builds a program that prints Get() with the -ldflags
// a release build uses, proving the variable's name and package path in
// the documented command are right.
func TestLinkTimeVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	bin := filepath.Join(t.TempDir(), "printversion")
	build := exec.Command("go", "build", "-o", bin,
		"-ldflags", "-X github.com/trent-kms/trent/internal/version.version=v1.2.3-test",
		"./testdata/printversion")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != "v1.2.3-test" {
		t.Fatalf("version %q, want the one set with -X", got)
	}
}
