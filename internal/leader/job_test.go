package leader

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
	etcdstore "github.com/trent-kms/trent/internal/store/etcd"
	"github.com/trent-kms/trent/internal/store/etcd/etcdtest"
)

// The job of these tests has the shape of the scheduler's deletion job:
// several steps, each one store transaction that reads the job's progress
// and applies its step only if that step is next, recording the progress
// in the same commit. Run again (by the same node or a successor), a step
// already done does nothing. Each step also counts how often its effect
// was applied, which the test checks is exactly once.
const (
	jobSteps    = 3
	jobProgress = "job/progress"
)

func jobApplied(step int) string { return fmt.Sprintf("job/applied/%d", step) }

// runStep applies step (1-based) unless the job is already past it.
func runStep(ctx context.Context, st store.Store, step int) error {
	return st.Update(ctx, func(tx store.Tx) error {
		done, err := readInt(tx, jobProgress)
		if err != nil {
			return err
		}
		if done >= step {
			return nil // done before: by this node, or by a leader now gone
		}
		if done != step-1 {
			return fmt.Errorf("step %d is due only after step %d; the job is at %d", step, step-1, done)
		}
		applied, err := readInt(tx, jobApplied(step))
		if err != nil {
			return err
		}
		if err := tx.Put(jobApplied(step), []byte(strconv.Itoa(applied+1))); err != nil {
			return err
		}
		return tx.Put(jobProgress, []byte(strconv.Itoa(step)))
	})
}

func readInt(tx store.Tx, key string) (int, error) {
	it, err := tx.Get(key)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(it.Value))
}

func openStore(t *testing.T, prefix string, endpoint string) *etcdstore.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := etcdstore.Open(ctx, etcdstore.Options{Endpoints: []string{endpoint}, Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestJobCompletesOnceWhenItsLeaderDies: the first leader commits step 1
// of the job and dies (its etcd connections closed, no resignation). A
// successor, elected once the lease runs out, runs the job from the start
// as every leader does; step 1 is already done and does nothing, steps 2
// and 3 apply. Every step's effect is applied exactly once.
func TestJobCompletesOnceWhenItsLeaderDies(t *testing.T) {
	c := trio.Get(t)
	base := etcdtest.NewPrefix()
	dataPrefix, electionPrefix := base+"data/", base+"election"
	const ttl = 2 * time.Second

	afterStep1 := make(chan struct{})
	finished := make(chan string, 4)
	var mu sync.Mutex
	var jobErrs []error
	job := func(name string, st store.Store) func(ctx context.Context) {
		return func(ctx context.Context) {
			for step := 1; step <= jobSteps; step++ {
				if name == "victim" && step == 2 {
					close(afterStep1)
					<-ctx.Done() // dies here, mid-job
					return
				}
				if err := runStep(ctx, st, step); err != nil {
					if ctx.Err() == nil {
						mu.Lock()
						jobErrs = append(jobErrs, fmt.Errorf("%s step %d: %w", name, step, err))
						mu.Unlock()
					}
					return
				}
			}
			finished <- name
			<-ctx.Done()
		}
	}

	victimStore := openStore(t, dataPrefix, c.ClientURLs[0])
	victim := stand(t, newClient(t, c.ClientURLs[0]), electionPrefix, "victim", ttl,
		func(name string) func(context.Context) { return job(name, victimStore) })
	select {
	case <-afterStep1:
	case <-time.After(15 * time.Second):
		t.Fatal("the first leader did not commit step 1 within 15s")
	}
	for i := 1; i <= 2; i++ {
		st := openStore(t, dataPrefix, c.ClientURLs[i])
		stand(t, newClient(t, c.ClientURLs[i]), electionPrefix, fmt.Sprintf("node-%d", i), ttl,
			func(name string) func(context.Context) { return job(name, st) })
	}

	// The victim dies: both its connections to etcd close at once.
	victim.cli.Close()
	victimStore.Close()
	var successor string
	select {
	case successor = <-finished:
	case <-time.After(ttl + 5*time.Second):
		t.Fatalf("no successor finished the job within TTL + 5s of the leader's death")
	}
	t.Logf("%s finished the job", successor)

	check := openStore(t, dataPrefix, c.ClientURLs[1])
	err := check.View(context.Background(), func(tx store.Tx) error {
		done, err := readInt(tx, jobProgress)
		if err != nil {
			return err
		}
		if done != jobSteps {
			t.Errorf("job progress %d, want %d", done, jobSteps)
		}
		for step := 1; step <= jobSteps; step++ {
			n, err := readInt(tx, jobApplied(step))
			if err != nil {
				return err
			}
			if n != 1 {
				t.Errorf("step %d applied %d times, want exactly once", step, n)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, err := range jobErrs {
		t.Error(err)
	}
}
