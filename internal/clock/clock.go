// Package clock is the only place in Trent that reads the wall clock or
// waits on it.
//
// Everything time-driven (rotation dates, deletion windows, import-token
// validity, audit timestamps, the background loops' ticks) takes a Clock so
// that tests can move time instead of sleeping. A test checks that no other
// package under internal/ calls time.Now or starts a timer of package time.
package clock

import "time"

// Clock tells the current time and ticks.
type Clock interface {
	Now() time.Time
	// NewTicker returns a ticker that ticks every d of this clock's time.
	// Like time.Ticker it drops ticks a slow receiver misses. d must be
	// positive.
	NewTicker(d time.Duration) Ticker
}

// Ticker delivers ticks on C until Stop.
type Ticker interface {
	C() <-chan time.Time
	Stop()
}

// Real is the wall clock, in UTC.
type Real struct{}

// Now returns the current UTC time.
func (Real) Now() time.Time { return time.Now().UTC() }

// NewTicker returns a time.Ticker.
func (Real) NewTicker(d time.Duration) Ticker { return realTicker{time.NewTicker(d)} }

type realTicker struct{ t *time.Ticker }

func (r realTicker) C() <-chan time.Time { return r.t.C }
func (r realTicker) Stop()               { r.t.Stop() }
