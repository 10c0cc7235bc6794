package scheduler

import (
	"context"
	"os"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/leader"
	"github.com/trent-kms/trent/internal/store/etcd/etcdtest"
)

// single is a real one-member etcd, started only by the tests that elect
// a leader.
var single = &etcdtest.Shared{Members: 1}

func TestMain(m *testing.M) {
	code := m.Run()
	single.Stop()
	os.Exit(code)
}

// TestOnlyTheLeadersSchedulerRuns: two nodes' schedulers stand for
// election through etcd. Only the leader's runs its task, at the start of
// its leadership and on its ticks; a kick on the other node does nothing.
// When the leader shuts down, the other node's scheduler takes over at
// once and runs the task.
func TestOnlyTheLeadersSchedulerRuns(t *testing.T) {
	c := single.Get(t)
	prefix := etcdtest.NewPrefix() + "scheduler"
	clk := clock.NewManual(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	type node struct {
		s      *Scheduler
		task   *recordingTask
		cancel context.CancelFunc
		done   chan struct{}
	}
	start := func(name string) *node {
		cli, err := clientv3.New(clientv3.Config{Endpoints: c.ClientURLs, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cli.Close() })
		el, err := leader.NewElection(leader.Options{Client: cli, Prefix: prefix, Name: name, TTL: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		n := &node{task: &recordingTask{ran: make(chan struct{}, 10)}, done: make(chan struct{})}
		n.s = NewLed(clk, n.task, time.Hour, nil, el)
		ctx, cancel := context.WithCancel(context.Background())
		n.cancel = cancel
		go func() { n.s.Run(ctx); close(n.done) }()
		t.Cleanup(func() { cancel(); <-n.done })
		return n
	}

	a := start("a")
	waitRun(t, a.task.ran) // a leads: it runs at the start of its leadership
	if !a.s.Leading() {
		t.Fatal("a ran its task but does not say it leads")
	}
	b := start("b")
	// b stands (its candidacy key is there) but does not lead.
	waitUntil(t, func() bool { return candidates(t, c.ClientURLs, prefix) == 2 }, "b stands for election")
	b.s.Kick()
	if !clk.WaitForTickers(1, nil) {
		t.Fatal("no ticker")
	}
	clk.Advance(time.Hour) // a's tick
	waitRun(t, a.task.ran)
	a.s.Kick()
	waitRun(t, a.task.ran)
	select {
	case <-b.task.ran:
		t.Fatal("the scheduler of a node that does not lead ran its task")
	case <-time.After(300 * time.Millisecond):
	}
	if b.s.Leading() {
		t.Fatal("b says it leads while a does")
	}

	a.cancel() // a shuts down and resigns
	<-a.done
	select {
	case <-b.task.ran:
	case <-time.After(time.Second):
		t.Fatal("b did not take over within 1s of a's resignation (the TTL is 2s: resigning must hand over at once)")
	}
	if !b.s.Leading() || a.s.Leading() {
		t.Fatalf("after the handover: a leading %v, b leading %v", a.s.Leading(), b.s.Leading())
	}
	// b's kick from before it led is not run again: only the start-up run.
	select {
	case <-b.task.ran:
		t.Fatal("b ran a stale kick from before it led")
	case <-time.After(200 * time.Millisecond):
	}
}

func candidates(t *testing.T, endpoints []string, prefix string) int64 {
	cli, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	resp, err := cli.Get(context.Background(), prefix+"/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		return -1
	}
	return resp.Count
}

func waitUntil(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
