package faults

import (
	"slices"
	"testing"
	"time"
)

// TestDelayAndLoss: under load, the path of Trent node t3 to etcd gets
// 40 ms of delay each way, and etcd member e1 and Trent node t2 each lose
// 10% of their packets in both directions, for 15 seconds.
//
// The kernels this runs on lack netem (see faultnet_test.go): the test
// tries it and, without it, delays t3's traffic in the test's relays and
// drops packets with nftables. It checks that the faults were real: t3's
// requests got slower by at least a round trip's delay, and the loss
// rules dropped packets.
func TestDelayAndLoss(t *testing.T) {
	c := startCluster(t)
	w := startWorkload(c, "delayloss")
	w.run(3 * time.Second)
	const delay = 40 * time.Millisecond
	slow, lossy := c.nodes[2], []*host{c.members[0].host, c.nodes[1].host}

	w.mark("delay t3's traffic to etcd, 10% loss on e1 and t2")
	start := w.now()
	netem := c.net.tryNetem(slow.host, "delay", delay.String())
	if netem {
		t.Logf("netem: %s on %s", delay, slow.name)
		for _, h := range lossy {
			if !c.net.tryNetem(h, "loss", "10%") {
				t.Fatalf("netem worked on %s but not on %s", slow.name, h.name)
			}
		}
	} else {
		t.Logf("this kernel has no netem (CONFIG_NET_SCH_NETEM is not set): delaying %s's etcd traffic by %s in the test's relay and dropping 10%% of packets with nftables instead", slow.name, delay)
		for _, r := range slow.relays {
			r.setDelay(delay)
		}
		for _, h := range lossy {
			c.net.dropShare(h, 10)
		}
	}
	w.run(15 * time.Second)
	end := w.now()
	if netem {
		c.net.removeNetem(slow.host)
		for _, h := range lossy {
			c.net.removeNetem(h)
		}
	} else {
		for _, r := range slow.relays {
			r.setDelay(0)
		}
		for _, h := range lossy {
			if n := c.net.droppedPackets(h); n == 0 {
				t.Errorf("the loss rules on %s dropped no packet", h.name)
			} else {
				t.Logf("the loss rules on %s dropped %d packets", h.name, n)
			}
			c.net.stopDropping(h)
		}
	}
	w.mark("delay and loss removed")
	w.run(3 * time.Second)
	w.finish()

	// A write (EnableKey, DisableKey, CreateAlias, CreateGrant) is one or
	// more round trips to etcd: with the delay applied each way, t3's
	// median acknowledged write takes at least 2×delay. Its reads
	// (DescribeKey, Encrypt) are served by its watch-fed cache, with no
	// round trip, so the delay does not slow them: their median stays
	// under one delay.
	var writes, reads []time.Duration
	for _, cl := range w.calls {
		if cl.node != 2 || cl.outcome != acked || cl.start < start || cl.end > end {
			continue
		}
		if cl.kind == opDescribe || cl.kind == opEncrypt {
			reads = append(reads, cl.end-cl.start)
		} else {
			writes = append(writes, cl.end-cl.start)
		}
	}
	if len(writes) == 0 || len(reads) == 0 {
		t.Errorf("node %s acknowledged %d writes and %d reads under %s of delay; the test needs both", slow.name, len(writes), len(reads), delay)
	} else {
		slices.Sort(writes)
		slices.Sort(reads)
		writeMedian, readMedian := writes[len(writes)/2], reads[len(reads)/2]
		t.Logf("node %s under delay: %d acknowledged writes, median %s; %d reads, median %s", slow.name, len(writes), writeMedian, len(reads), readMedian)
		if writeMedian < 2*delay {
			t.Errorf("node %s's median write took %s under %s of delay each way: the delay was not applied", slow.name, writeMedian, delay)
		}
		if readMedian >= delay {
			t.Errorf("node %s's median read took %s under %s of delay: its reads are not served by its cache", slow.name, readMedian, delay)
		}
	}
	w.verify(t)
}
