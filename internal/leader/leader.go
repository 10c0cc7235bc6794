// Package leader decides which node runs Trent's background work
// (rotation, deletion, expiry of imported material). On one node with the
// embedded store that node always leads (Always); in a cluster the nodes
// elect one leader through etcd (Election).
//
// Leadership is handed to a function, not reported as a flag: Run calls
// lead(ctx) while this node leads and cancels ctx the moment it may no
// longer, so work stops through the context it already checks instead of
// polling a flag that could change between the check and the write.
package leader

import (
	"context"
	"sync/atomic"
)

// Leadership runs work only while this node leads.
type Leadership interface {
	// Run calls lead(ctx) whenever this node becomes the leader; ctx ends
	// when it stops leading, and lead must then return promptly. If lead
	// returns while still leading, the node gives up leadership (an
	// Election stands again after a pause). Run blocks until its own ctx
	// is done, and gives up leadership on the way out so that a successor
	// need not wait.
	Run(ctx context.Context, lead func(ctx context.Context)) error
	// Leading reports whether lead is running on this node now.
	Leading() bool
}

// Always is the leadership of a node that is alone: with the embedded
// store no other node can share the data, so it leads from start to
// shutdown.
type Always struct {
	leading atomic.Bool
}

var _ Leadership = (*Always)(nil)

// Run calls lead once with ctx and waits for ctx to end: there is nobody
// to hand the work to, so a lead that returns early is not called again.
func (a *Always) Run(ctx context.Context, lead func(ctx context.Context)) error {
	if ctx.Err() == nil {
		a.leading.Store(true)
		lead(ctx)
		a.leading.Store(false)
	}
	<-ctx.Done()
	return nil
}

// Leading reports whether lead is running.
func (a *Always) Leading() bool { return a.leading.Load() }
