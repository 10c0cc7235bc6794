package storetest

import (
	"sync"
	"sync/atomic"
	"time"
)

// interleaveWait bounds every wait a concurrency case makes for another
// transaction. On a driver that runs Update functions concurrently the
// awaited event comes in microseconds, so the bound only has to outlast a
// scheduler hiccup. On a driver that serialises writers it never comes (the
// other Update cannot start until this one commits), and each case pays the
// bound once.
const interleaveWait = 250 * time.Millisecond

// rendezvous lets the first attempts of n Update functions meet after
// their reads and before their writes. On a driver that runs them
// concurrently, each then writes on reads the others are about to make
// stale, which is the interleaving a missing guard lets through. On a driver
// that serialises writers the others cannot arrive while the first holds the
// write lock, so the wait ends at a deadline the attempts share, and the case
// costs one interleaveWait however many writers it has.
//
// Only first attempts arrive: a rerun must not wait again, or an optimistic
// driver would pay the deadline on every retry.
type rendezvous struct {
	n       int
	arrived atomic.Int32
	open    chan struct{} // closed when all have arrived or at the deadline
	once    sync.Once
}

func newRendezvous(n int) *rendezvous {
	r := &rendezvous{n: n, open: make(chan struct{})}
	time.AfterFunc(interleaveWait, r.release)
	return r
}

func (r *rendezvous) release() { r.once.Do(func() { close(r.open) }) }

// arrive waits until all n have arrived or the shared deadline has passed.
func (r *rendezvous) arrive() {
	if int(r.arrived.Add(1)) == r.n {
		r.release()
	}
	<-r.open
}
