package bolt

import (
	"github.com/trent-kms/trent/internal/store"
)

// limits are what the etcd driver takes on etcd's defaults
// (store.PortableLimits). bbolt itself could take far more; enforcing the
// cluster's numbers here means that whatever the service does on the
// embedded store also fits a cluster, and an oversized transaction fails in
// the first test that runs it rather than in production on etcd.
var limits = store.PortableLimits

// newBudget is the budget of one Update (store.Budget counts it as every
// driver does).
func newBudget() *store.Budget { return store.NewBudget("store/bolt", limits) }
