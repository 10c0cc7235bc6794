package clock

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// WithLazyDeadline is context.WithDeadline(parent, d) for the operation
// timeout, except that the real deadline context (and its timer) is made
// only once something needs it: Done is called, or Err finds the deadline
// passed, the parent done or the context cancelled. Most operations never
// wait on their context (an Encrypt reads the store, which checks Err), and
// context.WithTimeout cost about 1.2 µs and four allocations per request for
// a timer that was stopped unused; this costs one allocation.
//
// Once made, the real context answers everything, so a context that is
// waited on, has expired or has children (WithCancel and AfterFunc call
// Done first) behaves exactly as WithDeadline's. Before that, Deadline
// reports what WithDeadline would, Err is nil because nothing has ended,
// and Value is the parent's. The one difference is context.Cause called
// before either Err or Done on a context whose deadline has just passed: it
// answers nil until Err or Done notices, as it does with WithDeadline until
// its timer has fired.
//
// It lives here because it reads the wall clock, as context.WithTimeout
// does: an operation's time limit is real time, whatever clock the
// service runs on.
func WithLazyDeadline(parent context.Context, d time.Time) (context.Context, func()) {
	c := &lazyDeadline{parent: parent, deadline: d}
	return c, c.cancel
}

type lazyDeadline struct {
	parent   context.Context
	deadline time.Time

	real atomic.Pointer[realDeadline] // nil until made

	mu       sync.Mutex  // serialises making real with cancel
	canceled atomic.Bool // written under mu
}

// realDeadline is the context.WithDeadline context standing behind a
// lazyDeadline once it is needed.
type realDeadline struct {
	ctx    context.Context
	cancel context.CancelFunc
}

// Deadline is the earlier of the parent's deadline and d, as WithDeadline
// reports it.
func (c *lazyDeadline) Deadline() (time.Time, bool) {
	if d, ok := c.parent.Deadline(); ok && d.Before(c.deadline) {
		return d, true
	}
	return c.deadline, true
}

func (c *lazyDeadline) Done() <-chan struct{} { return c.ensure().ctx.Done() }

func (c *lazyDeadline) Err() error {
	if r := c.real.Load(); r != nil {
		return r.ctx.Err()
	}
	if time.Now().Before(c.deadline) && c.parent.Err() == nil && !c.canceled.Load() {
		return nil
	}
	return c.ensure().ctx.Err()
}

func (c *lazyDeadline) Value(key any) any {
	if r := c.real.Load(); r != nil {
		return r.ctx.Value(key)
	}
	return c.parent.Value(key)
}

// ensure returns the real context, making it on first use (cancelled at once
// if cancel came first).
func (c *lazyDeadline) ensure() *realDeadline {
	if r := c.real.Load(); r != nil {
		return r
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if r := c.real.Load(); r != nil {
		return r
	}
	ctx, cancel := context.WithDeadline(c.parent, c.deadline)
	if c.canceled.Load() {
		cancel()
	}
	r := &realDeadline{ctx: ctx, cancel: cancel}
	c.real.Store(r)
	return r
}

// cancel is the context's CancelFunc.
func (c *lazyDeadline) cancel() {
	c.mu.Lock()
	c.canceled.Store(true)
	r := c.real.Load()
	c.mu.Unlock()
	if r != nil {
		r.cancel()
	}
}

// WithLazyTimeout is WithLazyDeadline(parent, now+timeout): the lazy
// context.WithTimeout.
func WithLazyTimeout(parent context.Context, timeout time.Duration) (context.Context, func()) {
	return WithLazyDeadline(parent, time.Now().Add(timeout))
}
