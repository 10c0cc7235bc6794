package etcd

import (
	"os"
	"testing"

	"github.com/trent-kms/trent/internal/store/etcd/etcdtest"
)

// The package's tests share two real etcd deployments, started on first
// use: one member, and a cluster of three members on loopback; each store
// gets a prefix of its own (newPrefix). Both run with etcd's default
// limits, which the driver's Limits are derived from.
var (
	single = &etcdtest.Shared{Members: 1}
	trio   = &etcdtest.Shared{Members: 3}
)

func TestMain(m *testing.M) {
	code := m.Run()
	single.Stop()
	trio.Stop()
	os.Exit(code)
}

func newPrefix() string { return etcdtest.NewPrefix() }
