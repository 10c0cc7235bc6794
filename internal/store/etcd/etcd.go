// Package etcd is Trent's distributed store: it implements store.Store on
// an etcd v3 cluster. It owns the driver's layout of keys under a prefix
// (keys.go), the optimistic transactions that give Update its atomicity and
// serialisability (tx.go, commit.go), the accounting that keeps every
// transaction inside etcd's request limits (store.Budget), and the commit
// markers that settle a commit whose outcome the client did not learn
// (outcome.go).
//
// An Update runs fn against one snapshot revision of etcd, buffers its
// writes, and commits them in one etcd Txn guarded by compares on what fn
// read. If another writer changed any of it since the snapshot, the compares
// fail, nothing is written, and fn runs again on a newer snapshot, up to
// Options.MaxAttempts times before Update gives up with store.ErrConflict.
// Items' revisions are etcd's ModRevisions.
package etcd

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/store"
)

// Options configures Open.
type Options struct {
	// Endpoints are the etcd members' client URLs (http://host:2379, or
	// https:// with TLS).
	Endpoints []string
	// TLS, if set, is used to connect to the members (and to present a
	// client certificate if it holds one).
	TLS *tls.Config
	// Prefix namespaces every key the store writes, so that several
	// stores can share one etcd. Empty means "trent/".
	Prefix string
	// DialTimeout bounds Open's first contact with the cluster. Zero
	// means 5 seconds.
	DialTimeout time.Duration
	// MaxTxnOps and MaxRequestBytes are the server's --max-txn-ops and
	// --max-request-bytes. Zero means etcd's defaults (128 and 1.5 MiB).
	// The declared Limits are derived from them (see limits).
	MaxTxnOps       int
	MaxRequestBytes int
	// MaxAttempts bounds how many times an Update runs fn when its commit
	// keeps losing to concurrent writers. Zero means 10.
	MaxAttempts int
	// Clock paces the retries and dates the commit markers' leases. Nil
	// means the wall clock.
	Clock clock.Clock
	// Cache serves Views from a copy of the store in memory, kept current
	// by a watch (mirror.go), instead of reading etcd: a View then makes
	// no request, and sees every write acknowledged more than
	// ConsistencyBound before it began (and every write of this store).
	// Without Cache every read is linearizable and goes to etcd.
	Cache bool
	// ConsistencyBound is how stale a View served by the cache may be.
	// While the cache cannot confirm that it is this fresh (its watch or
	// its member cut off from the cluster), Views read etcd, and fail with
	// store.ErrUnavailable if etcd cannot answer. Zero means 1 second.
	ConsistencyBound time.Duration
	// Logger receives the etcd client's logs. Nil discards them: the
	// client logs retries at levels meant for etcd's own operators.
	Logger *zap.Logger
}

const (
	defaultPrefix          = "trent/"
	defaultDialTimeout     = 5 * time.Second
	defaultMaxTxnOps       = 128
	defaultMaxRequestBytes = 1536 << 10
	defaultMaxAttempts     = 10
	defaultBound           = time.Second
	// keepAliveTime is etcd's --grpc-keepalive-min-time default: a
	// client that pings more often is told to go away.
	keepAliveTime    = 5 * time.Second
	keepAliveTimeout = 2 * time.Second
	// maxPrefixLen keeps the prefix, repeated on every key of a commit,
	// well inside requestReserve.
	maxPrefixLen = 128
	// requestReserve is the part of --max-request-bytes kept for what a
	// commit sends besides the keys and values written: the compares (one
	// per key read, two keys for each Scan's guard), the prefix on every
	// key, the marker, and protobuf framing. 128 compares of keys up to
	// about 1.8 KiB (Scans of prefixes up to about 900 bytes) fit in it;
	// commit checks the real size anyway. It leaves 1.25 MiB of etcd's
	// default 1.5 MiB to the keys and values written, enough for the
	// 1 MiB values the store must take.
	requestReserve = 256 << 10
)

// Store is a store.Store on an etcd cluster.
type Store struct {
	cli         *clientv3.Client
	keys        keyspace
	limits      store.Limits
	maxRequest  int
	maxAttempts int
	clock       clock.Clock
	markers     *markerLeases
	// mirror serves Views when Options.Cache is set; nil otherwise.
	mirror *mirror
	// seen is the highest revision this store has read or committed; a
	// View of the mirror waits until the mirror reaches it, so this
	// store's reads never go back in time and it reads its own writes.
	seen   atomic.Int64
	stats  stats
	closed atomic.Bool
	// beforeCommit, set by tests only, runs after fn and before the
	// commit Txn is sent.
	beforeCommit func()
}

var _ store.Store = (*Store)(nil)

// Open connects to the cluster and checks that it answers within
// DialTimeout.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if len(opts.Endpoints) == 0 {
		return nil, errors.New("store/etcd: no endpoints: the store needs the client URL of at least one etcd member")
	}
	prefix := opts.Prefix
	if prefix == "" {
		prefix = defaultPrefix
	}
	if len(prefix) > maxPrefixLen {
		return nil, fmt.Errorf("store/etcd: prefix is %d bytes, over the limit of %d: it is sent with every key of every transaction", len(prefix), maxPrefixLen)
	}
	maxOps := orDefault(opts.MaxTxnOps, defaultMaxTxnOps)
	maxRequest := orDefault(opts.MaxRequestBytes, defaultMaxRequestBytes)
	if maxOps < 8 {
		return nil, fmt.Errorf("store/etcd: max txn ops %d is too small: etcd's default is %d, and the store needs at least 8", maxOps, defaultMaxTxnOps)
	}
	if maxRequest < 2*requestReserve {
		return nil, fmt.Errorf("store/etcd: max request bytes %d is too small: etcd's default is %d, and the store needs at least %d", maxRequest, defaultMaxRequestBytes, 2*requestReserve)
	}
	logger := opts.Logger
	if logger == nil {
		logger = zap.NewNop()
	}
	dialTimeout := opts.DialTimeout
	if dialTimeout <= 0 {
		dialTimeout = defaultDialTimeout
	}
	cli, err := clientv3.New(clientv3.Config{
		Endpoints:   opts.Endpoints,
		TLS:         opts.TLS,
		DialTimeout: dialTimeout,
		// Keepalives find a connection to a member that stopped
		// answering (frozen, or cut off by the network) in seconds;
		// without them the client waits on it until each request's
		// deadline, and reconnects late after a partition heals.
		DialKeepAliveTime:    keepAliveTime,
		DialKeepAliveTimeout: keepAliveTimeout,
		Logger:               logger,
	})
	if err != nil {
		return nil, fmt.Errorf("store/etcd: connect to %v: %w", opts.Endpoints, err)
	}
	clk := opts.Clock
	if clk == nil {
		clk = clock.Real{}
	}
	s := &Store{
		cli:  cli,
		keys: newKeyspace(prefix),
		// One compare and one put of every commit are the marker's
		// (outcome.go), so fn gets one fewer of each than etcd allows.
		limits:      store.Limits{MaxOps: maxOps - 1, MaxBytes: maxRequest - requestReserve},
		maxRequest:  maxRequest,
		maxAttempts: orDefault(opts.MaxAttempts, defaultMaxAttempts),
		clock:       clk,
	}
	s.markers = &markerLeases{cli: cli, clock: clk, granted: &s.stats.leases}
	// The client connects lazily; a first read shows now, rather than at
	// the first request, that the cluster is there and answers.
	probe, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	if _, err := cli.Get(probe, s.keys.data, clientv3.WithCountOnly(), clientv3.WithLimit(1)); err != nil {
		_ = cli.Close()
		return nil, fmt.Errorf("store/etcd: no answer from %v within %s: %w", opts.Endpoints, dialTimeout, err)
	}
	if opts.Cache {
		bound := opts.ConsistencyBound
		if bound <= 0 {
			bound = defaultBound
		}
		if s.mirror, err = startMirror(probe, s, bound); err != nil {
			_ = cli.Close()
			return nil, fmt.Errorf("store/etcd: load the cache from %v: %w", opts.Endpoints, err)
		}
	}
	return s, nil
}

func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// Limits are etcd's, less what the driver adds to every commit: MaxOps is
// --max-txn-ops minus the marker's compare and put; MaxBytes is
// --max-request-bytes minus requestReserve.
func (s *Store) Limits() store.Limits { return s.limits }

// View runs fn at one revision of the cluster: the cache's latest, when
// it is fresh enough (see Options.Cache), or else read linearizably from
// etcd.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	if s.mirror != nil {
		if snap := s.mirror.snapshotFor(ctx, s.seen.Load()); snap != nil {
			s.stats.mirrorViews.Add(1)
			t := &mirrorTx{snap: snap}
			err := fn(t)
			t.done = true
			return err
		}
		if s.closed.Load() {
			return store.ErrClosed
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("store/etcd: waiting for the cache to catch up: %w: %w", err, store.ErrUnavailable)
		}
	}
	s.stats.etcdViews.Add(1)
	t := newTx(s, ctx, false)
	err := fn(t)
	t.done = true
	return err
}

// noteSeen raises s.seen to rev.
func (s *Store) noteSeen(rev int64) {
	for {
		old := s.seen.Load()
		if rev <= old || s.seen.CompareAndSwap(old, rev) {
			return
		}
	}
}

// Update runs fn optimistically and commits its writes in one guarded Txn,
// running fn again when a concurrent writer invalidated what it read.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		t := newTx(s, ctx, true)
		err := fn(t)
		t.done = true
		switch {
		case t.budget.Err() != nil:
			return t.budget.Err()
		case errors.Is(t.failure, errStale):
			// Rerun on a newer snapshot, below.
		case t.failure != nil:
			return t.failure
		case err != nil:
			return err
		case ctx.Err() != nil:
			return ctx.Err()
		default:
			if s.beforeCommit != nil {
				s.beforeCommit()
			}
			committed, err := s.commit(ctx, t)
			if err != nil || committed {
				return err
			}
		}
		if err := s.ready(ctx); err != nil {
			return err
		}
		if attempt >= s.maxAttempts {
			return fmt.Errorf("store/etcd: Update lost to concurrent writers %d times: %w", attempt, store.ErrConflict)
		}
		if err := s.backOff(ctx, attempt); err != nil {
			return err
		}
	}
}

// ready refuses to start work on a closed store or an ended context.
func (s *Store) ready(ctx context.Context) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	return ctx.Err()
}

// Close disconnects from the cluster. Later calls return nil.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	if s.mirror != nil {
		s.mirror.stop()
	}
	if err := s.cli.Close(); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("store/etcd: close: %w", err)
	}
	return nil
}
