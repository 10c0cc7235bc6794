package e2e

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestClusterElectsOneScheduler: the nodes sharing an etcd store elect one
// to run the background work (rotation, deletion, expiry), which its
// metrics say with trent_scheduler_leader; when it shuts down, another
// node takes over at once (it resigns, so nobody waits out its lease).
func TestClusterElectsOneScheduler(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 3, nil)
	for _, tn := range c.nodes {
		tn.node.Start()
	}
	first := waitForOneLeader(t, c, -1)
	for i, tn := range c.nodes {
		ops := httptest.NewServer(tn.node.OpsHandler())
		_, body := scrape(t, ops, "/metrics")
		ops.Close()
		want := "trent_scheduler_leader 0"
		if i == first {
			want = "trent_scheduler_leader 1"
		}
		if !strings.Contains(body, want+"\n") {
			t.Errorf("node %d's /metrics lacks %q", i, want)
		}
	}
	if err := c.nodes[first].node.Close(); err != nil {
		t.Fatal(err)
	}
	if second := waitForOneLeader(t, c, first); second == first {
		t.Fatalf("node %d still leads after it shut down", first)
	}
}

// waitForOneLeader waits (at most 10 s) until exactly one node other than
// skip leads, the same one for five polls in a row, and returns it.
func waitForOneLeader(t *testing.T, c *testCluster, skip int) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	last, same := -1, 0
	for time.Now().Before(deadline) {
		leading := -1
		count := 0
		for i, tn := range c.nodes {
			if i != skip && tn.node.Leading() {
				leading, count = i, count+1
			}
		}
		if count > 1 {
			t.Fatalf("%d nodes lead at once", count)
		}
		if count == 1 && leading == last {
			if same++; same == 5 {
				return leading
			}
		} else {
			last, same = leading, 0
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no single leader within 10 s (last seen: node %d)", last)
	return -1
}
