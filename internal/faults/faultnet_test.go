package faults

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Network faults inside a host's namespace. Each fault is an nftables table
// of its own (or a qdisc), so healing is deleting it and faults combine.
//
// Delay and loss: tc's netem is the usual tool, but the kernels these tests
// run on (this machine's and CI's) are built without it
// (CONFIG_NET_SCH_NETEM is not set: `tc qdisc add ... netem` fails with
// "Specified qdisc kind is unknown"). So the tests try netem first and,
// when the kernel lacks it, say so in the log and fall back: loss is an
// nftables rule dropping a random share of the host's packets
// (`numgen random mod 100 < N drop`, both directions), and delay is the
// test's own TCP relay (relay_test.go) that the delayed Trent node always
// reaches etcd through, holding each chunk for the delay.

const (
	cutTable  = "trent_fault_cut"
	lossTable = "trent_fault_loss"
)

// cutOffExcept drops every packet of host h except TCP to and from port
// keep (0: keep nothing): with keep = the Trent node's API port its clients
// still reach it while it is cut off from etcd and from everything else.
func (n *testNet) cutOffExcept(h *host, keep int) {
	n.t.Helper()
	allowIn, allowOut := "", ""
	if keep != 0 {
		allowIn = fmt.Sprintf("    tcp dport %d accept\n", keep)
		allowOut = fmt.Sprintf("    tcp sport %d accept\n", keep)
	}
	n.nft(h, fmt.Sprintf(`table inet %s {
  chain in {
    type filter hook input priority -10; policy accept;
    iifname "lo" accept
%s    drop
  }
  chain out {
    type filter hook output priority -10; policy accept;
    oifname "lo" accept
%s    drop
  }
}
`, cutTable, allowIn, allowOut))
}

// heal removes the cut of host h.
func (n *testNet) heal(h *host) {
	n.t.Helper()
	n.inNS(h.ns, "nft", "delete", "table", "inet", cutTable)
}

// dropShare drops about pct percent of host h's packets on eth0, in both
// directions, at random.
func (n *testNet) dropShare(h *host, pct int) {
	n.t.Helper()
	n.nft(h, fmt.Sprintf(`table inet %s {
  chain in {
    type filter hook input priority -20; policy accept;
    iifname "eth0" numgen random mod 100 < %d counter drop
  }
  chain out {
    type filter hook output priority -20; policy accept;
    oifname "eth0" numgen random mod 100 < %d counter drop
  }
}
`, lossTable, pct, pct))
}

// stopDropping removes host h's loss.
func (n *testNet) stopDropping(h *host) {
	n.t.Helper()
	n.inNS(h.ns, "nft", "delete", "table", "inet", lossTable)
}

// nft loads a ruleset into host h's namespace.
func (n *testNet) nft(h *host, ruleset string) {
	n.t.Helper()
	path := filepath.Join(n.t.TempDir(), "rules.nft")
	if err := os.WriteFile(path, []byte(ruleset), 0o600); err != nil {
		n.t.Fatal(err)
	}
	if out, err := runCmd("ip", "netns", "exec", h.ns, "nft", "-f", path); err != nil {
		n.t.Fatalf("nft -f in %s: %v\n%s\nruleset:\n%s", h.name, err, out, ruleset)
	}
}

// tryNetem adds a netem qdisc with the given parameters (e.g. "delay 40ms
// loss 5%") on host h's eth0. It reports false, without failing, when the
// kernel has no netem; any other failure fails the test.
func (n *testNet) tryNetem(h *host, params ...string) bool {
	n.t.Helper()
	args := append([]string{"netns", "exec", h.ns, "tc", "qdisc", "add", "dev", "eth0", "root", "netem"}, params...)
	out, err := runCmd("ip", args...)
	if err == nil {
		return true
	}
	if strings.Contains(out, "Specified qdisc kind is unknown") || strings.Contains(out, "Specified qdisc not found") {
		return false
	}
	n.t.Fatalf("tc qdisc add netem on %s: %v\n%s", h.name, err, out)
	return false
}

// removeNetem removes host h's netem qdisc.
func (n *testNet) removeNetem(h *host) {
	n.t.Helper()
	n.inNS(h.ns, "tc", "qdisc", "del", "dev", "eth0", "root")
}

// droppedPackets returns how many packets host h's loss rules dropped so
// far: proof that the loss was applied.
func (n *testNet) droppedPackets(h *host) int {
	n.t.Helper()
	out := n.inNS(h.ns, "nft", "list", "table", "inet", lossTable)
	total := 0
	for _, m := range packetsCount.FindAllStringSubmatch(out, -1) {
		v, _ := strconv.Atoi(m[1])
		total += v
	}
	return total
}

var packetsCount = regexp.MustCompile(`counter packets (\d+)`)
