package leader

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/trent-kms/trent/internal/store/etcd/etcdtest"
)

// leaderCheck returns a check for tenure.lead that records, at the start
// of each term, whether etcd's election (the oldest candidacy key) names
// the node whose lead function started.
func leaderCheck(obs *Election, mu *sync.Mutex, wrong *[]string) func(name string) func(context.Context) {
	return func(name string) func(context.Context) {
		return func(ctx context.Context) {
			got, err := obs.Leader(ctx)
			if err != nil && ctx.Err() != nil {
				return // lost leadership already; nothing to compare
			}
			if err != nil || got != name {
				mu.Lock()
				*wrong = append(*wrong, fmt.Sprintf("%s leads but the election says %q (%v)", name, got, err))
				mu.Unlock()
			}
		}
	}
}

func observer(t *testing.T, cli *clientv3.Client, prefix string) *Election {
	t.Helper()
	obs, err := NewElection(Options{Client: cli, Prefix: prefix, Name: "observer"})
	if err != nil {
		t.Fatal(err)
	}
	return obs
}

// TestOneLeaderAtATimeAcrossResignations: three nodes on three members
// stand; the leader is shut down again and again and replaced by a new
// node. Each shutdown hands leadership over at once (well inside the TTL,
// so not by the lease running out), the election's key always names the
// node that leads, and no two lead functions ever run at the same time.
func TestOneLeaderAtATimeAcrossResignations(t *testing.T) {
	c := trio.Get(t)
	prefix := etcdtest.NewPrefix() + "election"
	rec := newTenure()
	var mu sync.Mutex
	var wrong []string
	check := leaderCheck(observer(t, newClient(t, c.ClientURLs...), prefix), &mu, &wrong)
	lead := func(name string) func(context.Context) { return rec.lead(name, check(name)) }

	nodes := map[string]*candidate{}
	for i := range 3 {
		name := fmt.Sprintf("node-%d", i)
		nodes[name] = stand(t, newClient(t, c.ClientURLs[i]), prefix, name, DefaultTTL, lead)
	}
	leaderName := next(t, rec.started, 15*time.Second, "a first leader")
	for round := range 4 {
		old := nodes[leaderName]
		shutdown := time.Now()
		if err := old.stop(t); err != nil {
			t.Errorf("round %d: %s: Run at shutdown: %v", round, old.name, err)
		}
		if got := next(t, rec.stopped, time.Second, "the old leader's lead to end"); got != old.name {
			t.Fatalf("round %d: %s stopped leading, want %s", round, got, old.name)
		}
		delete(nodes, old.name)
		leaderName = next(t, rec.started, DefaultTTL, "a successor")
		if took := time.Since(shutdown); took > DefaultTTL/2 {
			t.Errorf("round %d: the successor %s took %v after the resignation; resigning should hand over at once, not after the %v TTL", round, leaderName, took, DefaultTTL)
		}
		if _, ok := nodes[leaderName]; !ok {
			t.Fatalf("round %d: %s leads but is not standing", round, leaderName)
		}
		// A new node joins to keep three standing.
		name := fmt.Sprintf("node-%d", 3+round)
		nodes[name] = stand(t, newClient(t, c.ClientURLs[round%3]), prefix, name, DefaultTTL, lead)
	}
	// A moment on, exactly one node says it leads, and it is the one the
	// election names.
	time.Sleep(300 * time.Millisecond)
	var leading []string
	for name, n := range nodes {
		if n.el.Leading() {
			leading = append(leading, name)
		}
	}
	if len(leading) != 1 || leading[0] != leaderName {
		t.Errorf("nodes leading: %v, want only %s", leading, leaderName)
	}
	got, err := nodes[leaderName].el.Leader(context.Background())
	if err != nil || got != leaderName {
		t.Errorf("Leader() = %q, %v; want %s", got, err, leaderName)
	}
	if m := rec.max(); m != 1 {
		t.Errorf("%d lead functions ran at once, want 1", m)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(wrong) > 0 {
		t.Errorf("the election disagreed with the node leading:\n%s", strings.Join(wrong, "\n"))
	}
}

// TestKilledLeaderIsReplacedWithinTTL: the leader's connection to etcd is
// closed (the node dies without resigning). Its lead ends at once, and
// another node leads once the lease runs out: within the TTL and a margin
// for etcd's expiry sweep and the watch.
func TestKilledLeaderIsReplacedWithinTTL(t *testing.T) {
	c := trio.Get(t)
	prefix := etcdtest.NewPrefix() + "election"
	const ttl = 2 * time.Second
	rec := newTenure()
	lead := func(name string) func(context.Context) { return rec.lead(name, nil) }
	nodes := map[string]*candidate{}
	for i := range 3 {
		name := fmt.Sprintf("node-%d", i)
		nodes[name] = stand(t, newClient(t, c.ClientURLs[i]), prefix, name, ttl, lead)
	}
	first := next(t, rec.started, 15*time.Second, "a first leader")

	killed := time.Now()
	nodes[first].cli.Close()
	if got := next(t, rec.stopped, time.Second, "the killed leader's lead to end"); got != first {
		t.Fatalf("%s stopped leading, want %s", got, first)
	}
	successor := next(t, rec.started, ttl+3*time.Second, "a successor within TTL + 3s")
	if successor == first {
		t.Fatalf("the killed node %s leads again", first)
	}
	t.Logf("successor %s leads %v after the kill (TTL %v)", successor, time.Since(killed), ttl)
	if m := rec.max(); m != 1 {
		t.Errorf("%d lead functions ran at once, want 1", m)
	}
}

// TestRevokedLeaseEndsLeadership: an operator revokes the leader's lease
// (etcdctl lease revoke). The candidacy key goes with it, so the leader
// must stop at once, well before its TTL, and another node leads.
func TestRevokedLeaseEndsLeadership(t *testing.T) {
	c := trio.Get(t)
	prefix := etcdtest.NewPrefix() + "election"
	rec := newTenure()
	lead := func(name string) func(context.Context) { return rec.lead(name, nil) }
	for i := range 2 {
		stand(t, newClient(t, c.ClientURLs[i]), prefix, fmt.Sprintf("node-%d", i), DefaultTTL, lead)
	}
	first := next(t, rec.started, 15*time.Second, "a first leader")

	admin := newClient(t, c.ClientURLs[2])
	resp, err := admin.Get(context.Background(), prefix+"/", clientv3.WithFirstCreate()...)
	if err != nil || len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != first {
		t.Fatalf("leader key: %v, %v; want %s's", resp, err, first)
	}
	revoked := time.Now()
	if _, err := admin.Revoke(context.Background(), clientv3.LeaseID(resp.Kvs[0].Lease)); err != nil {
		t.Fatal(err)
	}
	if got := next(t, rec.stopped, 2*time.Second, "the leader to notice its revoked lease"); got != first {
		t.Fatalf("%s stopped leading, want %s", got, first)
	}
	t.Logf("%s stopped %v after the revoke (TTL %v)", first, time.Since(revoked), DefaultTTL)
	if successor := next(t, rec.started, 5*time.Second, "a successor"); successor == first {
		// The old node may stand again, but only after the other node,
		// whose key is older than its new one, has led.
		t.Fatalf("%s led again before the waiting node", first)
	}
}

// TestCutOffLeaderStepsDownWithinTTL: the leader's network to etcd goes
// silent (no reset, no error: a partition). It must stop leading within
// the TTL of the cut, and by its own reckoning of the lease before etcd
// expires it (seen by a watcher as the candidacy key's deletion), with
// room to spare: the session's keep-alive alone notices about when etcd
// expires the lease, a little before or after. Then another node leads.
func TestCutOffLeaderStepsDownWithinTTL(t *testing.T) {
	c := trio.Get(t)
	prefix := etcdtest.NewPrefix() + "election"
	const ttl = 5 * time.Second
	// The guard stops the leader at least TTL/5 - TTL/20 (750 ms) before
	// the earliest expiry; ask for half of that, for slow schedulers.
	const spare = 400 * time.Millisecond
	rec := newTenure()
	lead := func(name string) func(context.Context) { return rec.lead(name, nil) }

	hole := startBlackhole(t, hostOf(t, c.ClientURLs[0]))
	stand(t, newClient(t, hole.url()), prefix, "cut-off", ttl, lead)
	if got := next(t, rec.started, 15*time.Second, "the first node to lead"); got != "cut-off" {
		t.Fatalf("%s leads, want cut-off", got)
	}
	stand(t, newClient(t, c.ClientURLs[1]), prefix, "node-1", ttl, lead)
	stand(t, newClient(t, c.ClientURLs[2]), prefix, "node-2", ttl, lead)
	watcher := newClient(t, c.ClientURLs[1])
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := watcher.Get(context.Background(), prefix+"/", clientv3.WithPrefix(), clientv3.WithCountOnly())
		if err == nil && resp.Count == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the other two nodes did not stand within 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	first, err := watcher.Get(context.Background(), prefix+"/", clientv3.WithFirstCreate()...)
	if err != nil || len(first.Kvs) != 1 || string(first.Kvs[0].Value) != "cut-off" {
		t.Fatalf("leader key: %v, %v; want cut-off's", first, err)
	}
	wctx, stopWatch := context.WithCancel(context.Background())
	defer stopWatch()
	expired := make(chan time.Time, 1)
	wch := watcher.Watch(wctx, string(first.Kvs[0].Key), clientv3.WithRev(first.Header.Revision+1), clientv3.WithFilterPut())
	go func() {
		for wr := range wch {
			if len(wr.Events) > 0 {
				expired <- time.Now()
				return
			}
		}
	}()

	cut := time.Now()
	hole.cut.Store(true)
	if got := next(t, rec.stopped, ttl+time.Second, "the cut-off leader to step down"); got != "cut-off" {
		t.Fatalf("%s stopped leading, want cut-off", got)
	}
	stepped := time.Now()
	if d := stepped.Sub(cut); d > ttl {
		t.Errorf("the cut-off leader stepped down %v after the cut, later than the %v TTL", d, ttl)
	}
	var gone time.Time
	select {
	case gone = <-expired:
	case <-time.After(ttl + 3*time.Second):
		t.Fatalf("etcd did not expire the cut-off leader's lease within TTL + 3s of the cut")
	}
	successor := next(t, rec.started, 3*time.Second, "a successor")
	t.Logf("cut-off stepped down %v after the cut and %v before etcd expired its lease; %s leads %v after the cut",
		stepped.Sub(cut), gone.Sub(stepped), successor, time.Since(cut))
	if gone.Sub(stepped) < spare {
		t.Errorf("the cut-off leader stepped down only %v before etcd expired its lease, want at least %v", gone.Sub(stepped), spare)
	}
	if m := rec.max(); m != 1 {
		t.Errorf("%d lead functions ran at once: the cut-off leader was still leading when its successor started", m)
	}
}

func TestNewElectionRefusesBadOptions(t *testing.T) {
	cli := &clientv3.Client{}
	for name, opts := range map[string]Options{
		"no client":          {Prefix: "p", Name: "n"},
		"no prefix":          {Client: cli, Name: "n"},
		"no name":            {Client: cli, Prefix: "p"},
		"TTL under 2s":       {Client: cli, Prefix: "p", Name: "n", TTL: time.Second},
		"TTL not whole secs": {Client: cli, Prefix: "p", Name: "n", TTL: 2500 * time.Millisecond},
	} {
		if _, err := NewElection(opts); err == nil {
			t.Errorf("%s: NewElection accepted %+v", name, opts)
		}
	}
}
