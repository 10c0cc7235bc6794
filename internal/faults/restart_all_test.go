package faults

import (
	"testing"
	"time"
)

// TestRestartEverything: every Trent node and every etcd member is
// SIGKILLed at once, under load; the members restart on their data
// directories, then the nodes; the load goes on, and everything written
// before the crash is still there (the usual checks run over the whole
// history, before and after).
func TestRestartEverything(t *testing.T) {
	c := startCluster(t)
	w := startWorkload(c, "restart")
	w.run(4 * time.Second)
	w.mark("SIGKILL every trent node and etcd member")
	for _, n := range c.nodes {
		n.proc.kill(t)
	}
	for _, m := range c.members {
		m.proc.kill(t)
	}
	w.run(time.Second)
	w.mark("restart the etcd members")
	c.startMembers(c.members...)
	w.mark("etcd ready; restart the trent nodes")
	c.startNodes(c.nodes...)
	w.mark("trent nodes serving")
	w.run(5 * time.Second)
	w.finish()
	w.verify(t)
}
