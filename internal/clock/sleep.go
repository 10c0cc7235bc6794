package clock

import (
	"context"
	"time"
)

// Sleep waits d on c, or until ctx ends: nil once d has passed, ctx's error
// if it ended first. A d of zero or less does not wait. Background loops
// pause with it so that a test's Manual clock drives their waits too.
func Sleep(ctx context.Context, c Clock, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := c.NewTicker(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C():
		return nil
	}
}
