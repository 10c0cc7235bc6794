package faults

import (
	"syscall"
	"testing"
	"time"
)

// TestEtcdMinorityStopped: one of the three etcd members is out at a time,
// under load: first the leader is frozen with SIGSTOP (its connections stay
// open but nothing answers on them) and thawed with SIGCONT; then a
// follower is SIGKILLed and restarted on its data directory.
func TestEtcdMinorityStopped(t *testing.T) {
	c := startCluster(t)
	w := startWorkload(c, "minority")
	w.run(3 * time.Second)

	l := c.leader()
	w.mark("SIGSTOP etcd leader " + l.name)
	l.proc.signal(t, syscall.SIGSTOP)
	w.run(8 * time.Second)
	w.mark("SIGCONT etcd member " + l.name)
	l.proc.signal(t, syscall.SIGCONT)
	w.run(3 * time.Second)

	l = c.leader()
	var f *member
	for _, m := range c.members {
		if m != l {
			f = m
			break
		}
	}
	w.mark("SIGKILL etcd follower " + f.name)
	f.proc.kill(t)
	w.run(6 * time.Second)
	w.mark("restart etcd member " + f.name)
	c.startMembers(f)
	w.mark("etcd member " + f.name + " ready")
	w.run(3 * time.Second)
	w.finish()
	w.verify(t)
}
