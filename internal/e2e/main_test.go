package e2e

import (
	"os"
	"testing"

	"github.com/trent-kms/trent/internal/store/etcd/etcdtest"
)

// clusterEtcd is the three-member etcd the cluster tests share, each under
// a prefix of its own; started on first use.
var clusterEtcd = &etcdtest.Shared{Members: 3}

func TestMain(m *testing.M) {
	code := m.Run()
	clusterEtcd.Stop()
	os.Exit(code)
}
