package server

import (
	"fmt"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/trent-kms/trent/internal/leader"
)

// electionPrefix is where the nodes sharing an etcd store elect the one
// that runs the background work, beside the store's own keys under the same
// cluster prefix (the store keeps to <prefix>d/ and <prefix>m/).
const electionPrefix = "leader/scheduler"

// openLeadership returns who runs this node's background work (rotation,
// deletion, expiry): the node itself, unless it shares an etcd store with
// other nodes; then the one node they elect through etcd. closeFn releases
// what the election holds, after the scheduler has stopped.
func openLeadership(cfg Config, nodeID string) (l leader.Leadership, closeFn func() error, err error) {
	if cfg.Etcd == nil {
		return &leader.Always{}, func() error { return nil }, nil
	}
	// A client of its own: the election's session keeps a lease alive on
	// it, apart from the store's requests. No DialTimeout: New returns at
	// once and connects in the background, as the store's client does
	// once the node has checked the root key through it.
	cli, err := clientv3.New(clientv3.Config{Endpoints: cfg.Etcd.Endpoints, TLS: cfg.Etcd.TLS, Logger: zap.NewNop()})
	if err != nil {
		return nil, nil, fmt.Errorf("connect to etcd for the election of the scheduler: %w", err)
	}
	prefix := cfg.Etcd.Prefix
	if prefix == "" {
		prefix = "trent/"
	}
	el, err := leader.NewElection(leader.Options{
		Client: cli, Prefix: prefix + electionPrefix, Name: nodeID, Clock: cfg.Etcd.Clock, Log: cfg.Logger,
	})
	if err != nil {
		cli.Close()
		return nil, nil, err
	}
	return el, cli.Close, nil
}
