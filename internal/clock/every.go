package clock

import (
	"context"
	"time"
)

// Every calls fn every d on c until ctx ends; the first call is d after
// Every starts. Background loops (heartbeats, reloads, flushes) run on it
// so that a test's Manual clock drives them.
func Every(ctx context.Context, c Clock, d time.Duration, fn func()) {
	t := c.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C():
			fn()
		}
	}
}
