package faults

import (
	"testing"
	"time"
)

// TestTrentNodeKilled: Trent node t2 is SIGKILLed under load, twice, and
// restarted each time on its data directory and node ID. Its clients get
// connection errors while it is down; the other nodes serve throughout.
func TestTrentNodeKilled(t *testing.T) {
	c := startCluster(t)
	w := startWorkload(c, "nodekill")
	w.run(3 * time.Second)
	victim := c.nodes[1]
	for range 2 {
		w.mark("SIGKILL trent node " + victim.name)
		victim.proc.kill(t)
		w.run(3 * time.Second)
		w.mark("restart trent node " + victim.name)
		c.startNodes(victim)
		w.mark("trent node " + victim.name + " serving again")
		w.run(4 * time.Second)
	}
	w.finish()
	w.verify(t)
}
