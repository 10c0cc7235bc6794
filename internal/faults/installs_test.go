package faults

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// The tools the harness drives, installed by the tests themselves from
// Debian when missing, so that the package passes on a bare machine: ip and
// tc (iproute2) for namespaces, veths and qdiscs, nft (nftables) for cuts
// and loss.

const installTimeout = 5 * time.Minute

// debianTools maps each command to the Debian package that installs it.
var debianTools = []struct{ path, pkg string }{
	{"/usr/sbin/ip", "iproute2"},
	{"/usr/sbin/tc", "iproute2"},
	{"/usr/sbin/nft", "nftables"},
}

var toolsInstall struct {
	once sync.Once
	err  error
}

// ensureTools installs the Debian packages of the missing tools, running
// apt-get update once first. A failed install fails the test.
func ensureTools(t *testing.T) {
	t.Helper()
	toolsInstall.once.Do(func() {
		var missing []string
		for _, tool := range debianTools {
			if _, err := os.Stat(tool.path); err != nil && !contains(missing, tool.pkg) {
				missing = append(missing, tool.pkg)
			}
		}
		if len(missing) == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), installTimeout)
		defer cancel()
		if err := aptGet(ctx, "update"); err != nil {
			toolsInstall.err = err
			return
		}
		if err := aptGet(ctx, append([]string{"install", "-y", "--no-install-recommends"}, missing...)...); err != nil {
			toolsInstall.err = err
			return
		}
		for _, tool := range debianTools {
			if _, err := os.Stat(tool.path); err != nil {
				toolsInstall.err = fmt.Errorf("apt-get install %s did not install %s: %v", tool.pkg, tool.path, err)
				return
			}
		}
	})
	if toolsInstall.err != nil {
		t.Fatal(toolsInstall.err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// aptGet runs apt-get. Other test processes on the machine may run apt-get
// at the same time, so a held apt or dpkg lock is waited out, up to ctx's
// deadline.
func aptGet(ctx context.Context, args ...string) error {
	for {
		cmd := exec.CommandContext(ctx, "apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		if err == nil {
			return nil
		}
		if !strings.Contains(out.String(), "Could not get lock") || ctx.Err() != nil {
			return fmt.Errorf("apt-get %s: %v\n%s", strings.Join(args, " "), err, out.String())
		}
		select {
		case <-ctx.Done():
		case <-time.After(2 * time.Second):
		}
	}
}

// needRoot skips the test unless it runs as root: namespaces, veths,
// nftables and qdiscs need CAP_NET_ADMIN. As root, every later set-up
// failure is a test failure.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the failure tests need root (they create network namespaces, veth pairs and nftables rules); run them as root, as CI does")
	}
	ensureTools(t)
}
