package faults

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The two programs the tests run as processes, built once per test binary
// without -race (they need not be race builds, and three etcd members and
// three nodes under the race detector would not fit on a small machine):
// cmd/trent and ./etcdmember.

var binaries struct {
	once  sync.Once
	dir   string
	trent string
	etcd  string
	err   error
}

// buildBinaries returns the paths of the trent and etcdmember binaries.
func buildBinaries(t *testing.T) (trent, etcd string) {
	t.Helper()
	binaries.once.Do(func() {
		binaries.err = func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			gomod, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
			root := filepath.Dir(strings.TrimSpace(string(gomod)))
			if err != nil || root == "." {
				return fmt.Errorf("go env GOMOD: %q %v", gomod, err)
			}
			if binaries.dir, err = os.MkdirTemp("", "trent-faults-bin-"); err != nil {
				return err
			}
			binaries.trent = filepath.Join(binaries.dir, "trent")
			binaries.etcd = filepath.Join(binaries.dir, "etcdmember")
			cmd := exec.CommandContext(ctx, "go", "build", "-o", binaries.dir+"/", "./cmd/trent", "./internal/faults/etcdmember")
			cmd.Dir = root
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("go build ./cmd/trent ./internal/faults/etcdmember: %v\n%s", err, out)
			}
			return nil
		}()
	})
	if binaries.err != nil {
		t.Fatal(binaries.err)
	}
	return binaries.trent, binaries.etcd
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binaries.dir != "" {
		os.RemoveAll(binaries.dir)
	}
	os.Exit(code)
}
