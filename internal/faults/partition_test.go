package faults

import (
	"testing"
	"time"
)

// TestTrentNodeCutOff: Trent node t1 is cut off from the network — from
// every etcd member and every other host — while its clients can still
// reach it, then healed. While it is cut off it must not answer with
// success (it cannot know the current state): every request its clients
// make once the cut is older than the allowed read staleness fails. After
// healing it serves again, and the usual checks hold.
func TestTrentNodeCutOff(t *testing.T) {
	c := startCluster(t)
	w := startWorkload(c, "cutoff")
	w.run(3 * time.Second)
	victim := c.nodes[0]
	c.net.cutOffExcept(victim.host, trentPort)
	// The rule holds once nft has returned: only requests sent after that
	// are held to it.
	cutAt := w.now()
	w.mark("cut trent node " + victim.name + " off (its API port stays reachable)")
	w.run(8 * time.Second)
	healAt := w.now()
	c.net.heal(victim.host)
	w.mark("heal trent node " + victim.name)
	w.run(5 * time.Second)
	w.finish()

	// A request sent once the cut is older than the staleness allowed,
	// and answered before the heal, must have failed.
	tried := 0
	for _, cl := range w.calls {
		if cl.node != 0 || cl.start < cutAt+readStaleness || cl.end > healAt {
			continue
		}
		tried++
		if cl.outcome == acked || cl.state != "" {
			t.Errorf("node %s answered %s on key %d with success (state %q) at %.2fs-%.2fs, while cut off since %.2fs",
				victim.name, cl.kind, cl.key, cl.state, cl.start.Seconds(), cl.end.Seconds(), cutAt.Seconds())
		}
	}
	if tried == 0 {
		t.Errorf("no request reached node %s while it was cut off: the test proved nothing", victim.name)
	}
	t.Logf("%d requests to the cut-off node failed", tried)
	w.verify(t)
}
