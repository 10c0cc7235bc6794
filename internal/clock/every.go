package clock

import (
	"context"
	"time"
)

// Every calls fn every d on c until ctx ends; the first call is d after
// Every starts, and none starts once ctx has ended (fn may end it: a loop
// that stops itself cancels its context). Background loops (heartbeats,
// reloads, flushes, lease renewals) run on it so that a test's Manual
// clock drives them.
func Every(ctx context.Context, c Clock, d time.Duration, fn func()) {
	t := c.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C():
			if ctx.Err() != nil {
				return
			}
			fn()
		}
	}
}
