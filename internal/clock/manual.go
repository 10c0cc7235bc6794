package clock

import (
	"sync"
	"time"
)

// Manual is a clock that only moves when told to. Its tickers tick when the
// clock is moved past their next tick, so a test drives a background loop by
// moving the clock. It is safe for concurrent use; tests share one between
// the server and the test body.
type Manual struct {
	mu      sync.Mutex
	now     time.Time
	tickers map[*manualTicker]struct{}
	// changed is closed and replaced whenever a ticker starts or stops, so
	// WaitForTickers can wait without polling.
	changed chan struct{}
}

// NewManual returns a manual clock set to t.
func NewManual(t time.Time) *Manual {
	return &Manual{now: t.UTC(), tickers: map[*manualTicker]struct{}{}, changed: make(chan struct{})}
}

// Now returns the clock's current time.
func (m *Manual) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.now
}

// Set moves the clock to t; tickers whose next tick is at or before t tick.
// Moving the clock back does not make tickers tick again.
func (m *Manual) Set(t time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.now = t.UTC()
	m.fire()
}

// Advance moves the clock forward by d and returns the new time.
func (m *Manual) Advance(d time.Duration) time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.now = m.now.Add(d)
	m.fire()
	return m.now
}

// NewTicker returns a ticker that ticks each time the clock passes a
// multiple of d after now.
func (m *Manual) NewTicker(d time.Duration) Ticker {
	if d <= 0 {
		panic("clock: non-positive ticker interval")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	t := &manualTicker{clock: m, every: d, next: m.now.Add(d), c: make(chan time.Time, 1)}
	m.tickers[t] = struct{}{}
	m.signal()
	return t
}

// Tickers returns the number of running tickers.
func (m *Manual) Tickers() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.tickers)
}

// WaitForTickers blocks until at least n tickers run or done is closed, and
// reports whether they do: a test calls it before moving the clock, so that
// the loops it means to drive have started their tickers.
func (m *Manual) WaitForTickers(n int, done <-chan struct{}) bool {
	for {
		m.mu.Lock()
		count, changed := len(m.tickers), m.changed
		m.mu.Unlock()
		if count >= n {
			return true
		}
		select {
		case <-changed:
		case <-done:
			return false
		}
	}
}

// fire ticks every ticker that is due. The caller holds m.mu.
func (m *Manual) fire() {
	for t := range m.tickers {
		if t.next.After(m.now) {
			continue
		}
		select {
		case t.c <- m.now:
		default: // the receiver has not taken the last tick: drop, as time.Ticker does
		}
		// Skip the ticks a large move jumped over, as time.Ticker does:
		// the next tick is the first multiple of the interval after now.
		missed := m.now.Sub(t.next)/t.every + 1
		t.next = t.next.Add(missed * t.every)
	}
}

// signal wakes WaitForTickers. The caller holds m.mu.
func (m *Manual) signal() {
	close(m.changed)
	m.changed = make(chan struct{})
}

type manualTicker struct {
	clock *Manual
	every time.Duration
	next  time.Time // guarded by clock.mu
	c     chan time.Time
}

func (t *manualTicker) C() <-chan time.Time { return t.c }

func (t *manualTicker) Stop() {
	t.clock.mu.Lock()
	defer t.clock.mu.Unlock()
	if _, ok := t.clock.tickers[t]; ok {
		delete(t.clock.tickers, t)
		t.clock.signal()
	}
}
