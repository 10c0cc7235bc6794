package faults

import (
	"testing"
	"time"
)

// TestEtcdLeaderKilledRepeatedly: the etcd member that leads the raft
// group, found through the members' Status, is SIGKILLed under load and
// restarted on its data directory, four times.
func TestEtcdLeaderKilledRepeatedly(t *testing.T) {
	c := startCluster(t)
	w := startWorkload(c, "leader")
	w.run(3 * time.Second)
	for range 4 {
		l := c.leader()
		w.mark("SIGKILL etcd leader " + l.name)
		l.proc.kill(t)
		w.run(2 * time.Second)
		w.mark("restart etcd member " + l.name)
		c.startMembers(l)
		w.mark("etcd member " + l.name + " ready")
		w.run(2 * time.Second)
	}
	w.finish()
	w.verify(t)
}
