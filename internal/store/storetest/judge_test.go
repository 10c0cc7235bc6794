package storetest

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// recorder is a T that keeps failures instead of reporting them, so a
// test can assert that a case fails. It runs the case in a goroutine of its
// own, where Fatalf can end the case with runtime.Goexit as testing.T's
// FailNow does.
type recorder struct {
	t        *testing.T
	mu       sync.Mutex
	failures []string
	cleanups []func()
}

func (r *recorder) Helper()                         {}
func (r *recorder) TempDir() string                 { return r.t.TempDir() }
func (r *recorder) Logf(format string, args ...any) {}

func (r *recorder) Cleanup(fn func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cleanups = append(r.cleanups, fn)
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

// runRecorded runs one case against a recorder, then its cleanups, and
// returns the failures it recorded.
func runRecorded(t *testing.T, c suiteCase, h Harness) []string {
	t.Helper()
	r := &recorder{t: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			for _, fn := range slices.Backward(r.cleanups) {
				fn()
			}
		}()
		c.run(r, h)
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatalf("case %s did not finish within a minute", c.name)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.failures)
}

func findCase(t *testing.T, name string) suiteCase {
	t.Helper()
	for _, c := range suite {
		if c.name == name {
			return c
		}
	}
	t.Fatalf("the suite has no case %q", name)
	return suiteCase{}
}

func memHarness(flaws memFlaws) Harness {
	return Harness{
		Open: func(T) store.Store { return newMemStore(flaws) },
		Reopen: func(_ T, s store.Store) store.Store {
			return s.(*memStore).reopen()
		},
	}
}

// TestMemStore is the other half of the proof: a correct optimistic store
// passes every case.
func TestMemStore(t *testing.T) {
	Run(t, memHarness(memFlaws{}))
}

// TestSuiteRejectsFlawedStores runs each case against the store with the
// flaw it is aimed at, and wants it to fail.
func TestSuiteRejectsFlawedStores(t *testing.T) {
	cases := []struct {
		flaw  string
		flaws memFlaws
		store func(memFlaws) store.Store // nil: the memStore itself
		min   int                        // Harness.MinAttempts
		name  string                     // the case aimed at the flaw
	}{
		{flaw: "validates only the keys it writes", flaws: memFlaws{writesOnly: true}, name: "WriteSkew"},
		{flaw: "does not guard a Get that found nothing", flaws: memFlaws{absentUnguarded: true}, name: "CreateIfAbsent"},
		{flaw: "does not guard Scan ranges", flaws: memFlaws{rangesUnguarded: true}, name: "ScanPhantoms"},
		{flaw: "reads the latest commit in a View", flaws: memFlaws{latestViews: true}, name: "ViewSnapshot"},
		{flaw: "does not enforce its Limits", flaws: memFlaws{noLimits: true}, name: "Limits"},
		{flaw: "gives up at the first conflict", flaws: memFlaws{noRerun: true}, name: "FnRunsAgain"},
		{
			flaw: "claims to run every fn twice but runs it once", min: 2, name: "FnRunsAgain",
			store: func(f memFlaws) store.Store { return onceStore{newMemStore(f)} },
		},
	}
	for _, c := range cases {
		t.Run(c.name+"/"+c.flaw, func(t *testing.T) {
			h := memHarness(c.flaws)
			h.MinAttempts = c.min
			if c.store != nil {
				h.Open = func(T) store.Store { return c.store(c.flaws) }
			}
			failures := runRecorded(t, findCase(t, c.name), h)
			if len(failures) == 0 {
				t.Fatalf("case %s passed a store that %s", c.name, c.flaw)
			}
			t.Logf("rejected: %s", failures[0])
		})
	}
}

// onceStore stands for a broken Rerun: it passes Updates straight through.
type onceStore struct{ store.Store }

// TestRecorder checks the mechanism the proof rests on: a failure is
// recorded, Fatalf ends the case, and cleanups run.
func TestRecorder(t *testing.T) {
	cleaned, after := false, false
	c := suiteCase{name: "fails", run: func(t T, _ Harness) {
		t.Cleanup(func() { cleaned = true })
		t.Errorf("first")
		t.Fatalf("second")
		after = true
	}}
	got := runRecorded(t, c, Harness{})
	if !slices.Equal(got, []string{"first", "second"}) || !cleaned || after {
		t.Errorf("recorded %q, cleaned %v, ran past Fatalf %v", got, cleaned, after)
	}
	pass := suiteCase{name: "passes", run: func(T, Harness) {}}
	if got := runRecorded(t, pass, Harness{}); len(got) != 0 {
		t.Errorf("a passing case recorded %q", got)
	}
}
