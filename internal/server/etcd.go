package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/bolt"
	"github.com/trent-kms/trent/internal/store/etcd"
)

// EtcdConfig selects the etcd store (distributed mode): several nodes,
// each with its own data directory for its audit log, serve the same keys
// from one etcd cluster.
type EtcdConfig struct {
	// Endpoints are the etcd members' client URLs.
	Endpoints []string
	// TLS, if set, is used to connect to the members (with a client
	// certificate if it holds one).
	TLS *tls.Config
	// Prefix is the key prefix in etcd of this Trent cluster; empty means
	// the driver's default, "trent/". Every node of a cluster uses the
	// same one.
	Prefix string
	// ConsistencyBound is how stale a read served from the node's
	// watch-fed cache may be (etcd.Options.ConsistencyBound); zero turns
	// the cache off, and every read goes to etcd.
	ConsistencyBound time.Duration
	// Clock paces the store's retries and dates its commit markers'
	// leases; nil means the real clock, not Config.Clock: those times are
	// etcd's, which runs on real time, while tests move the node's clock
	// by days (and a manual clock that stands still would stall every
	// retry).
	Clock clock.Clock
}

// storeClock is the clock of the etcd store: Clock, or the real one.
func (e *EtcdConfig) storeClock() clock.Clock {
	if e == nil || e.Clock == nil {
		return clock.Real{}
	}
	return e.Clock
}

// describe names the store in messages.
func (e *EtcdConfig) describe() string {
	prefix := e.Prefix
	if prefix == "" {
		prefix = "trent/"
	}
	return fmt.Sprintf("the data in the etcd store at %s (prefix %q)", strings.Join(e.Endpoints, ","), prefix)
}

// openStore opens the store cfg names: the etcd store, or the embedded one
// in the data directory (noted in created if new). It also returns "the
// data in <where the store is>", for messages.
func openStore(cfg Config, created *createdPaths) (store.Store, string, error) {
	if cfg.Etcd == nil {
		path := filepath.Join(cfg.DataDir, DataFileName)
		created.noteIfNew(path)
		st, err := bolt.Open(path, bolt.Options{})
		if err != nil {
			return nil, "", err
		}
		return st, "the data in " + cfg.DataDir, nil
	}
	if len(cfg.Etcd.Endpoints) == 0 {
		return nil, "", errors.New("the etcd store needs the client URL of at least one etcd member (--etcd-endpoints)")
	}
	st, err := etcd.Open(context.Background(), etcd.Options{
		Endpoints: cfg.Etcd.Endpoints, TLS: cfg.Etcd.TLS, Prefix: cfg.Etcd.Prefix, Clock: cfg.Etcd.storeClock(),
		Cache: cfg.Etcd.ConsistencyBound > 0, ConsistencyBound: cfg.Etcd.ConsistencyBound,
	})
	if err != nil {
		return nil, "", err
	}
	return st, cfg.Etcd.describe(), nil
}
