package faults

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test network: one network namespace per host, each joined by a veth
// pair to a bridge in a "switch" namespace, on a private /24 the test picks
// among 10.213.0.0/16. The test process stays in the root namespace and
// reaches the hosts through one more veth pair into the switch, holding
// address .1. Nothing is routed anywhere else, so nothing leaves the
// machine. Everything is removed in t.Cleanup, also after a failure.

// nsPrefix starts the name of every namespace the tests make. The test
// process's PID follows, so that a later run can tell the namespaces of a
// run that was killed (and could not clean up) from those of a run that is
// still going.
const nsPrefix = "trent-f"

// cmdTimeout bounds every ip, nft and tc command.
const cmdTimeout = 20 * time.Second

// testNet is the network of one test.
type testNet struct {
	t      *testing.T
	id     string // nsPrefix + pid + "x" + random: the namespaces' stem
	tag    string // short random name part for interfaces (15 bytes at most)
	subnet string // "10.213.N", the /24's first three octets
	sw     string // the switch namespace
	hosts  map[string]*host
}

// host is one network namespace with one interface, eth0, on the subnet.
type host struct {
	name string // the host's name in the test, e.g. "e1"
	ns   string
	ip   string
}

// rootIP is the test process's address on the subnet.
func (n *testNet) rootIP() string { return n.subnet + ".1" }

// newTestNet makes the switch and one host per name, host i getting
// address .octets[i].
func newTestNet(t *testing.T, names []string, octets []int) *testNet {
	t.Helper()
	removeStaleNamespaces(t)
	tag := randomHex(2)
	n := &testNet{t: t, id: fmt.Sprintf("%s%dx%s", nsPrefix, os.Getpid(), tag), tag: "tf" + tag, hosts: map[string]*host{}}
	n.subnet = pickSubnet(t)
	n.sw = n.id + "-sw"
	t.Cleanup(n.remove)

	n.run("ip", "netns", "add", n.sw)
	n.inNS(n.sw, "ip", "link", "add", "br0", "type", "bridge")
	n.inNS(n.sw, "ip", "link", "set", "br0", "up")
	n.inNS(n.sw, "ip", "link", "set", "lo", "up")

	// The root namespace's leg: <tag>r here, <tag>rs in the switch.
	rootLeg := n.tag + "r"
	n.run("ip", "link", "add", rootLeg, "type", "veth", "peer", "name", rootLeg+"s", "netns", n.sw)
	n.inNS(n.sw, "ip", "link", "set", rootLeg+"s", "master", "br0", "up")
	n.run("ip", "addr", "add", n.rootIP()+"/24", "dev", rootLeg)
	n.run("ip", "link", "set", rootLeg, "up")

	for i, name := range names {
		h := &host{name: name, ns: n.id + "-" + name, ip: fmt.Sprintf("%s.%d", n.subnet, octets[i])}
		n.run("ip", "netns", "add", h.ns)
		n.hosts[name] = h
		leg := n.tag + name // in the switch
		n.inNS(n.sw, "ip", "link", "add", leg, "type", "veth", "peer", "name", "eth0", "netns", h.ns)
		n.inNS(n.sw, "ip", "link", "set", leg, "master", "br0", "up")
		n.inNS(h.ns, "ip", "addr", "add", h.ip+"/24", "dev", "eth0")
		n.inNS(h.ns, "ip", "link", "set", "eth0", "up")
		n.inNS(h.ns, "ip", "link", "set", "lo", "up")
	}
	return n
}

// remove deletes the namespaces, ending whatever still runs in them; the
// veths go with them.
func (n *testNet) remove() {
	for _, h := range n.hosts {
		deleteNamespace(h.ns)
	}
	deleteNamespace(n.sw)
}

// run runs a command in the root namespace and fails the test with its
// output if it fails.
func (n *testNet) run(name string, args ...string) string {
	n.t.Helper()
	out, err := runCmd(name, args...)
	if err != nil {
		n.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

// inNS runs a command inside namespace ns.
func (n *testNet) inNS(ns string, name string, args ...string) string {
	n.t.Helper()
	return n.run("ip", append([]string{"netns", "exec", ns, name}, args...)...)
}

// runCmd runs a command, bounded by cmdTimeout, and returns its combined
// output.
func runCmd(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// pickSubnet returns a 10.213.N /24 that no address or route of the root
// namespace uses.
func pickSubnet(t *testing.T) string {
	t.Helper()
	addrs, err := runCmd("ip", "-4", "addr", "show")
	if err != nil {
		t.Fatalf("ip -4 addr show: %v\n%s", err, addrs)
	}
	routes, err := runCmd("ip", "-4", "route", "show", "table", "all")
	if err != nil {
		t.Fatalf("ip -4 route show: %v\n%s", err, routes)
	}
	used := addrs + routes
	for range 50 {
		third, err := rand.Int(rand.Reader, big.NewInt(254))
		if err != nil {
			t.Fatal(err)
		}
		subnet := fmt.Sprintf("10.213.%d", third.Int64()+1)
		if !strings.Contains(used, subnet+".") && !strings.Contains(used, "10.213.0.0/16") {
			return subnet
		}
	}
	t.Fatalf("no unused /24 in 10.213.0.0/16; addresses and routes:\n%s", used)
	return ""
}

// staleNS matches the namespaces of this package's runs and captures the
// PID of the run that made them.
var staleNS = regexp.MustCompile(`^` + regexp.QuoteMeta(nsPrefix) + `(\d+)x[0-9a-f]+-`)

// removeStaleNamespaces deletes the namespaces left by runs that were
// killed before their cleanup ran: their PID is gone. Those of live runs
// are left alone.
func removeStaleNamespaces(t *testing.T) {
	t.Helper()
	out, err := runCmd("ip", "netns", "list")
	if err != nil {
		t.Fatalf("ip netns list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(out, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		m := staleNS.FindStringSubmatch(fields[0])
		if m == nil {
			continue
		}
		pid, err := strconv.Atoi(m[1])
		if err != nil || pid <= 0 || syscall.Kill(pid, 0) != syscall.ESRCH {
			continue
		}
		t.Logf("removing namespace %s of an earlier run (PID %d) that was killed", fields[0], pid)
		deleteNamespace(fields[0])
	}
}

// deleteNamespace kills the processes left in ns — processes a test run
// started there — and deletes it.
func deleteNamespace(ns string) {
	if pids, err := runCmd("ip", "netns", "pids", ns); err == nil {
		for _, f := range strings.Fields(pids) {
			if pid, err := strconv.Atoi(f); err == nil && pid > 0 {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}
	_, _ = runCmd("ip", "netns", "del", ns)
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
