package bolt

import (
	"context"
	"errors"
	"fmt"

	"go.etcd.io/bbolt"

	"github.com/trent-kms/trent/internal/store"
)

// Group commit
//
// An fsync costs milliseconds and the CPU work of an Update microseconds,
// so committing each Update on its own caps the store at one Update per
// fsync however many callers wait. Instead, concurrent Updates are
// committed together: the caller that takes the writer slot becomes the
// leader, runs the functions of the callers queued behind it one after
// another in one bbolt transaction, commits that transaction with one
// fsync, and hands every caller its own result. Nothing waits on purpose:
// a lone Update is a batch of one and commits at once, and the batch is
// whatever queued while the previous commit was being written. It is
// capped at maxBatchCalls functions or maxBatchBytes written, so one
// commit stays bounded.
//
// Each function keeps the semantics it would have alone:
//   - its own Tx, budget (the limits are per Update) and revision: the
//     functions that write get consecutive revisions in the order they
//     ran, each after the last one committed before it;
//   - it sees what the functions before it in the batch wrote, as if they
//     had run and committed one after another, and nothing it writes is
//     committed if it fails;
//   - its caller returns only once the commit is durable, or with the
//     commit's error.
//
// A function that fails (returns an error, exceeds its budget, or its
// caller's context ends while it runs) has its writes undone inside the
// transaction from its undo log (tx.go) and the batch goes on. Its error
// is the one it would have got running after the functions before it had
// committed, which is what the commit makes true; so the error is handed
// over with the commit's success, and if the commit fails instead, the
// function is run again alone (errAlone), since the state it failed on
// never became durable. A function that fails before any function in the
// batch wrote ran on the committed state, and its caller gets the error at
// once. This is the cheap version of bbolt's DB.Batch, which rolls the
// whole transaction back and runs all the others again; undoing one
// function's writes costs only the keys it wrote.
//
// A function that panics is not trusted to have left the transaction
// sound (the panic may have come from inside bbolt). The leader rolls the
// transaction back, runs the batch again without it, and its caller runs
// it alone, on its own goroutine, where the panic surfaces as it would
// without batching. Functions may run more than once (store.Store), which
// is what makes both reruns allowed.
//
// A caller whose context ends while it is queued leaves the queue; one
// whose function the leader has not started yet is dropped from the batch
// with its context's error; once its function has run and the commit has
// started, it waits for the commit.

const (
	// maxBatchCalls bounds the functions in one commit.
	maxBatchCalls = 128
	// maxBatchBytes stops a batch taking more functions once they have
	// written this much: one etcd request's worth (limits.MaxBytes). A
	// batch may exceed it by its last function's writes.
	maxBatchBytes = 1536 << 10
)

// errAlone tells a caller to run its function again in a transaction of
// its own. It never leaves the package.
var errAlone = errors.New("store/bolt: run the function alone")

// call is one Update waiting to be run by a leader.
type call struct {
	ctx  context.Context
	fn   func(store.Tx) error
	done chan error // buffered, so the leader never waits for its caller

	// Leader-side state, touched only by the leader holding the slot.
	answered bool
	// result is what fn ran to in the open batch: its own error, or nil.
	// The caller gets it once the batch is committed.
	result error
}

func newCall(ctx context.Context, fn func(store.Tx) error) *call {
	return &call{ctx: ctx, fn: fn, done: make(chan error, 1)}
}

// answer hands c its outcome, once.
func (c *call) answer(err error) {
	if !c.answered {
		c.answered = true
		c.done <- err
	}
}

// Update runs fn in a read-write transaction and commits it with an
// fsync, possibly together with concurrent Updates (see "Group commit").
// Everything fn writes gets the revision after the last one committed
// before it. fn may run more than once: again alone if it failed or
// panicked in a batch whose commit did not happen.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	c := newCall(ctx, fn)
	s.enqueue(c)
	for {
		// A caller whose answer has come does not compete for the slot.
		select {
		case err := <-c.done:
			return s.settle(c, err)
		default:
		}
		select {
		case err := <-c.done:
			return s.settle(c, err)
		case s.writer <- struct{}{}:
			s.lead()
		case <-ctx.Done():
			if s.withdraw(c) {
				return ctx.Err()
			}
			// A leader has taken it: it drops c unstarted, or c's
			// function has run and c must learn what the commit did.
			return s.settle(c, <-c.done)
		}
	}
}

// settle turns a call's answer into Update's result.
func (s *Store) settle(c *call, err error) error {
	if errors.Is(err, errAlone) {
		return s.updateAlone(c.ctx, c.fn)
	}
	return err
}

func (s *Store) enqueue(c *call) {
	s.mu.Lock()
	s.queue = append(s.queue, c)
	s.mu.Unlock()
}

// pull takes the longest-waiting call off the queue, or returns nil.
func (s *Store) pull() *call {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) == 0 {
		return nil
	}
	c := s.queue[0]
	s.queue[0] = nil
	s.queue = s.queue[1:]
	return c
}

// withdraw takes c off the queue, reporting whether it was still there.
func (s *Store) withdraw(c *call) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, q := range s.queue {
		if q == c {
			s.queue = append(s.queue[:i], s.queue[i+1:]...)
			return true
		}
	}
	return false
}

// lead runs one batch, again as often as it must be rerun, holding the
// writer slot, which it releases at the end.
func (s *Store) lead() {
	defer func() { <-s.writer }()
	var replay []*call
	for again := true; again; {
		replay, again = s.runBatch(replay)
	}
}

// runBatch runs the calls of replay, in order, then calls pulled from the
// queue, in one transaction, and commits it. If it has to abandon the
// transaction, it answers the call at fault and returns the calls that
// must run again (again is true).
func (s *Store) runBatch(replay []*call) (rerun []*call, again bool) {
	// ran are the calls whose function ran in this transaction and whose
	// callers wait for its commit, in the order they ran.
	var ran []*call
	// current is the call whose function is running.
	var current *call
	// A leader that does not get to the end (a function called
	// runtime.Goexit on this goroutine, or bbolt panicked) sends everyone
	// it holds to run alone, so that no caller waits forever.
	finished := false
	defer func() {
		if !finished {
			for _, c := range append(append(replay, ran...), current) {
				if c != nil {
					c.answer(errAlone)
				}
			}
		}
	}()

	btx, err := s.begin(true)
	if err != nil {
		// Closed, most likely: no queued call can run now.
		s.answerAll(replay, err)
		finished = true
		return nil, false
	}
	// Discards everything unless Commit ran; after Commit it does nothing.
	defer btx.Rollback()
	last, err := lastRevision(btx)
	if err != nil {
		s.answerAll(replay, fmt.Errorf("store/bolt: %w", err))
		finished = true
		return nil, false
	}
	b := batch{data: btx.Bucket(dataBucket), next: last + 1}
	taken := 0
	for {
		var c *call
		switch {
		case taken < len(replay):
			c = replay[taken]
		case taken < maxBatchCalls && b.bytes < maxBatchBytes:
			c = s.pull()
		}
		if c == nil {
			break
		}
		taken++
		current = c
		switch b.run(c) {
		case ranWaiting:
			ran = append(ran, c)
		case abandon:
			// c runs alone; everyone else whose function ran here runs
			// again, in the same order, and then the rest of replay.
			c.answer(errAlone)
			rerun = append(ran, replay[min(taken, len(replay)):]...)
			finished = true
			return rerun, true
		}
	}
	finished = true
	if !b.dirty {
		// Nothing was written: every call has had its answer, and there
		// is nothing to commit (the deferred Rollback ends btx).
		return nil, false
	}
	err = setLastRevision(btx, b.next-1)
	if err == nil {
		if s.committing != nil {
			btx.OnCommit(s.committing)
		}
		err = s.commit(btx)
	}
	for _, c := range ran {
		switch {
		case err == nil:
			c.answer(c.result)
		case c.result != nil:
			// It failed on writes that never became durable.
			c.answer(errAlone)
		default:
			c.answer(fmt.Errorf("store/bolt: commit: %w", err))
		}
	}
	return nil, false
}

// answerAll gives err to the calls of replay and to every queued call: a
// batch that cannot begin cannot run any of them.
func (s *Store) answerAll(replay []*call, err error) {
	for _, c := range replay {
		c.answer(err)
	}
	for c := s.pull(); c != nil; c = s.pull() {
		c.answer(err)
	}
}

// batch is the state of one batch transaction between its functions.
type batch struct {
	data *bbolt.Bucket
	// next is the revision the next function that writes gets.
	next int64
	// dirty says a function in the batch has written: the transaction no
	// longer shows the committed state.
	dirty bool
	// bytes counts what the batch's functions wrote, against maxBatchBytes.
	bytes int
}

// outcome is what running one call in a batch came to.
type outcome int

const (
	// answered: the call has its final answer already.
	answered outcome = iota
	// ranWaiting: the call's result holds until the batch commits.
	ranWaiting
	// abandon: the transaction can no longer be trusted; roll it back.
	abandon
)

// run runs c's function as the next in the batch.
func (b *batch) run(c *call) outcome {
	if err := c.ctx.Err(); err != nil {
		c.answer(err) // dropped before it ran: nothing to undo
		return answered
	}
	t := &tx{data: b.data, writable: true, budget: newBudget(), revision: b.next, undo: map[string][]byte{}}
	err, panicked := runGuarded(t, c.fn)
	if panicked {
		return abandon
	}
	if err == nil {
		err = t.budget.Err()
	}
	if err == nil && c.ctx.Err() != nil {
		// The context ended while fn ran, and the commit has not begun:
		// the caller has stopped waiting, so its writes are withdrawn.
		if t.rollBack() != nil {
			return abandon
		}
		c.answer(c.ctx.Err())
		return answered
	}
	if err != nil {
		if t.rollBack() != nil {
			return abandon
		}
		if !b.dirty {
			// It ran on the committed state: its error is final now.
			c.answer(err)
			return answered
		}
		c.result = err
		return ranWaiting
	}
	if t.wrote {
		b.next++
		b.dirty = true
		b.bytes += t.budget.Bytes()
	}
	if !b.dirty {
		// It only read, and read only committed state.
		c.answer(nil)
		return answered
	}
	c.result = nil
	return ranWaiting
}

// runGuarded runs fn like run, reporting a panic instead of letting it
// unwind the leader, which runs other callers' functions.
func runGuarded(t *tx, fn func(store.Tx) error) (err error, panicked bool) {
	defer func() {
		if recover() != nil {
			panicked = true
		}
	}()
	return run(t, fn), false
}

// updateAlone runs fn in a transaction of its own, on the caller's
// goroutine: a panic in fn unwinds through here as it would through any
// bbolt Update. It waits for the writer slot like a leader.
func (s *Store) updateAlone(ctx context.Context, fn func(store.Tx) error) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	select {
	case s.writer <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.writer }()

	btx, err := s.begin(true)
	if err != nil {
		return err
	}
	// Discards everything if fn fails or panics or ctx ends; after Commit
	// it does nothing.
	defer btx.Rollback()
	last, err := lastRevision(btx)
	if err != nil {
		return fmt.Errorf("store/bolt: %w", err)
	}
	t := &tx{data: btx.Bucket(dataBucket), writable: true, budget: newBudget(), revision: last + 1}
	if err := run(t, fn); err != nil {
		return err
	}
	if err := t.budget.Err(); err != nil {
		return err
	}
	// Honour a context that ended while fn ran: after Commit the write is
	// durable and can no longer be abandoned.
	if err := ctx.Err(); err != nil {
		return err
	}
	if !t.wrote {
		return nil
	}
	if err := setLastRevision(btx, t.revision); err != nil {
		return fmt.Errorf("store/bolt: %w", err)
	}
	if s.committing != nil {
		btx.OnCommit(s.committing)
	}
	if err := s.commit(btx); err != nil {
		return fmt.Errorf("store/bolt: commit: %w", err)
	}
	return nil
}
