package etcd

import (
	"sync/atomic"
	"time"
)

// stats counts the store's traffic to etcd, for metrics and for the tests
// that hold the cache to its promise: a View served by the mirror sends
// nothing.
type stats struct {
	reads, commits, fences, leases atomic.Uint64
	loadReads, heartbeats          atomic.Uint64
	progressRequests, reloads      atomic.Uint64
	mirrorViews, etcdViews         atomic.Uint64
}

// Stats is a reading of the store's counters, each counted since Open.
type Stats struct {
	// Requests are the requests sent to etcd, by purpose:
	//   - "read": Gets of Views and Updates (one per Get or Scan that
	//     reached etcd);
	//   - "commit": the Txns that commit Updates;
	//   - "fence": the Txns that settle a commit whose reply was lost;
	//   - "lease": grants of the commit markers' leases;
	//   - "load": Gets that load the cache, at start and after its
	//     watch ended;
	//   - "heartbeat": the cache's reads of the cluster's revision;
	//   - "progress": the cache's requests for a progress notification
	//     (a message on the watch's stream).
	Requests map[string]uint64
	// Views are the Views, by where they read: "cache" (the mirror, no
	// request) or "etcd".
	Views map[string]uint64
	// CacheReloads counts the times the cache's watch ended and it loaded
	// everything again.
	CacheReloads uint64
	// CacheConfirmed is the time, on the store's clock, before which every
	// acknowledged write is in the cache; zero without a cache.
	CacheConfirmed time.Time
}

// Stats returns the store's counters.
func (s *Store) Stats() Stats {
	st := Stats{
		Requests: map[string]uint64{
			"read":      s.stats.reads.Load(),
			"commit":    s.stats.commits.Load(),
			"fence":     s.stats.fences.Load(),
			"lease":     s.stats.leases.Load(),
			"load":      s.stats.loadReads.Load(),
			"heartbeat": s.stats.heartbeats.Load(),
			"progress":  s.stats.progressRequests.Load(),
		},
		Views: map[string]uint64{
			"cache": s.stats.mirrorViews.Load(),
			"etcd":  s.stats.etcdViews.Load(),
		},
		CacheReloads: s.stats.reloads.Load(),
	}
	if s.mirror != nil {
		st.CacheConfirmed = time.Unix(0, s.mirror.confirmedAt.Load()).UTC()
	}
	return st
}
