// Package server assembles a Trent node from its parts: the store, the root
// key, the audit log and its shipper, the KMS service, the wire handler and
// the scheduler. cmd/trent and the end-to-end tests build nodes through it,
// so the tests run exactly what users run.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/awsjson"
	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/metrics"
	"github.com/trent-kms/trent/internal/scheduler"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/etcd"
)

// Defaults.
const (
	DefaultListen     = "127.0.0.1:4599"
	DefaultDataDir    = "./trent-data"
	DefaultDevAccount = "111122223333"
	// DataFileName is the embedded store's file in the data directory.
	DataFileName = "trent.db"
	// DevRootKeyFileName is the root key file --dev creates in the data
	// directory.
	DevRootKeyFileName = "root.key"
	// DefaultSeedRegion is the Region of a seed that names none.
	DefaultSeedRegion = "us-east-1"
	// SchedulerInterval is how often due rotations and deletions are
	// looked for when nothing wakes the scheduler sooner.
	SchedulerInterval = 30 * time.Second
	// UsageFlushInterval is how often GetKeyLastUsage data is written.
	UsageFlushInterval = 5 * time.Second
)

// Config configures a node.
type Config struct {
	// OperationTimeout bounds each API request; zero means
	// awsjson.DefaultOperationTimeout.
	OperationTimeout time.Duration
	// DataDir holds the audit log, the node ID and, unless Store or Etcd
	// is set, the embedded store file.
	DataDir string
	// Store is the store to serve from. Nil opens the etcd store if Etcd
	// is set, else the embedded store in DataDir; the node then also
	// closes it. A store given here stays the caller's to close.
	Store store.Store
	// Etcd, if set, serves from an etcd cluster that other nodes share
	// (distributed mode). RootKeyFile is then required even with Dev.
	Etcd *EtcdConfig
	// NodeID names this node among the nodes sharing a store (its audit
	// outbox); empty means the ID kept in DataDir, made on first start
	// (nodeid.go).
	NodeID string
	// RootKeyFile is the root key; required unless Dev.
	RootKeyFile string
	// Dev creates the root key in the data directory on first start and
	// turns SigV4 verification off: any access key is accepted. Without
	// Dev every request's signature is verified.
	Dev bool
	// IdentitiesFile is the identities file (accounts, users, roles,
	// access keys); required unless Dev or Identity is set. Under Dev its
	// keys resolve to their principals and any other key resolves as in
	// dev mode.
	IdentitiesFile string
	// DevAccount is the dev-mode account of access keys that are not 12
	// digits.
	DevAccount string
	// Identity overrides the resolver of access keys: nil means
	// identity.Dev in dev mode and, otherwise, none (every request is
	// refused with UnrecognizedClientException). Tests pass their own.
	Identity identity.Resolver
	Clock    clock.Clock
	Logger   *slog.Logger
	// AuditSyncInterval bounds how long the audit records of requests that
	// changed nothing take to reach the disk (a power cut may lose that
	// much of them; a crash of the process loses at most
	// audit.WriteDelay). Zero means audit.SyncInterval.
	AuditSyncInterval time.Duration
	// CacheKeys bounds the keys whose records, material and policies the
	// service keeps in memory; 0 means kms.DefaultCacheKeys.
	CacheKeys int
	// SchedulerInterval overrides the default; tests drive RunDue directly.
	SchedulerInterval time.Duration
	// SeedFile, if set, is a seed file (Trent's or local-kms's format,
	// docs/seeding.md) whose keys and aliases are created at start-up,
	// before the node serves; what exists already is left as it is. A
	// seed with an error stops the start and writes nothing.
	SeedFile string
	// DisableConsole turns the web console at /console off (its paths then
	// answer 404). The zero value serves it: the console is on by default.
	DisableConsole bool
}

// Node is a running Trent node.
type Node struct {
	cfg Config
	// id names the node among the nodes sharing its store (nodeid.go).
	id        string
	log       *slog.Logger
	store     store.Store
	ownsStore bool
	// metrics are the node's Prometheus collectors (OpsHandler).
	metrics   *metrics.Metrics
	audit     *audit.FileWriter
	shipper   *audit.Shipper
	service   *kms.Service
	handler   http.Handler
	scheduler *scheduler.Scheduler
	// identities is the identities file being watched, if any.
	identities *identity.File
	// closeLeadership releases the scheduler's election, if any, once the
	// scheduler has stopped.
	closeLeadership func() error
	// stopCounting stops the key counts the metrics start (ops.go).
	stopCounting func()
	stop         context.CancelFunc
	wg           sync.WaitGroup
	closeOnce    sync.Once
	closeErr     error
}

// Open opens the data directory and assembles a node; background work
// starts with Start. A failed Open leaves nothing behind that it created
// (a --dev start on a fresh directory that fails removes the directory).
func Open(cfg Config) (_ *Node, err error) {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.DevAccount == "" {
		cfg.DevAccount = DefaultDevAccount
	}
	if cfg.SchedulerInterval == 0 {
		cfg.SchedulerInterval = SchedulerInterval
	}
	if !identity.IsAccountID(cfg.DevAccount) {
		return nil, fmt.Errorf("dev account %q is not a 12-digit AWS account ID", cfg.DevAccount)
	}
	var created createdPaths
	n := &Node{cfg: cfg, log: cfg.Logger, metrics: metrics.New()}
	defer func() {
		if err != nil {
			n.Close()
			created.remove()
		}
	}()
	if cfg.Store != nil && cfg.Etcd != nil {
		return nil, errors.New("server: Config.Store and Config.Etcd both name a store")
	}
	keyring, err := loadRootKey(cfg, &created)
	if err != nil {
		return nil, err
	}
	if n.id, err = nodeID(cfg, &created); err != nil {
		return nil, err
	}
	n.store, n.ownsStore = cfg.Store, cfg.Store == nil
	where := "the data in the store given"
	if n.ownsStore {
		if n.store, where, err = openStore(cfg, &created); err != nil {
			return nil, err
		}
	}
	if err := checkRootKey(n.store, keyring, where, cfg.Etcd != nil); err != nil {
		return nil, err
	}
	if st, ok := n.store.(*etcd.Store); ok {
		n.metrics.ReportEtcd(st, cfg.Etcd.storeClock())
	}
	// Every transaction from here on is timed for the metrics.
	n.store = n.metrics.Store(n.store, cfg.Clock)
	resolver, identities, err := openIdentities(cfg, keyring)
	if err != nil {
		return nil, err
	}
	n.identities = identities
	logPath := filepath.Join(cfg.DataDir, audit.FileName)
	created.noteIfNew(logPath)
	if cfg.AuditSyncInterval == 0 {
		cfg.AuditSyncInterval = audit.SyncInterval
	}
	if n.audit, err = audit.OpenFileSyncing(logPath, cfg.Clock, cfg.AuditSyncInterval); err != nil {
		return nil, err
	}
	n.shipper = audit.NewShipper(n.store, n.id, n.audit, cfg.Clock, cfg.Logger)
	// Records a crash left in the store reach the log before anything new
	// happens.
	if err := n.shipper.Recover(context.Background()); err != nil {
		return nil, fmt.Errorf("audit records left by the last run could not be written to %s: %w", logPath, err)
	}
	n.service, err = kms.New(kms.Config{
		Store: n.store, Sealer: keyring, Clock: cfg.Clock, Audit: n.shipper, Logger: cfg.Logger,
		Kick:      func() { n.scheduler.Kick() },
		Directory: directory(resolver),
		CacheKeys: cfg.CacheKeys,
		// LocalStack's CreateKey tags choose IDs and material in dev mode
		// only; elsewhere they are ordinary tags, as in AWS.
		LocalStackTags: cfg.Dev,
	})
	if err != nil {
		return nil, err
	}
	if err := n.service.UpgradeLayout(context.Background()); err != nil {
		return nil, err
	}
	n.countKeysForMetrics()
	lead, closeLeadership, err := openLeadership(cfg, n.id)
	if err != nil {
		return nil, err
	}
	n.closeLeadership = closeLeadership
	n.scheduler = scheduler.NewLed(cfg.Clock, countedTask{n.service, n.metrics}, cfg.SchedulerInterval, cfg.Logger, lead)
	n.metrics.ReportLeading(n.scheduler.Leading)
	if err := applySeedFile(n.service, cfg); err != nil {
		return nil, err
	}
	api := awsjson.NewHandler(awsjson.Config{
		Operations: awsjson.Operations(n.service),
		Identity:   resolver,
		Verify:     !cfg.Dev,
		Clock:      cfg.Clock,
		Logger:     cfg.Logger,
		Observe:    n.metrics.ObserveRequest,
		// The deadline of a request; with an unreachable etcd, how long
		// it waits before DependencyTimeoutException.
		OperationTimeout: cfg.OperationTimeout,
		Audit: func(_ context.Context, c awsjson.Completed) error {
			return n.audit.Write(c.Details.Record(c.Output, c.Err))
		},
	})
	n.handler = withConsole(api, cfg.DisableConsole)
	return n, nil
}

// Handler is the node's HTTP handler: the KMS API and the web console.
func (n *Node) Handler() http.Handler { return n.handler }

// ID is the node's ID (Config.NodeID, or the one kept in the data
// directory).
func (n *Node) ID() string { return n.id }

// Leading reports whether this node runs the background work now: always
// on its own, and on the one node the others elected when they share an
// etcd store (once Start has run).
func (n *Node) Leading() bool { return n.scheduler.Leading() }

// Service is the node's KMS service (tests call RunDue on it).
func (n *Node) Service() *kms.Service { return n.service }

// Start runs the background work: the scheduler, the usage flusher and the
// audit shipper.
func (n *Node) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	n.stop = cancel
	n.wg.Add(3)
	go func() { defer n.wg.Done(); n.scheduler.Run(ctx) }()
	go func() { defer n.wg.Done(); n.flushUsage(ctx) }()
	go func() { defer n.wg.Done(); n.shipper.Run(ctx) }()
	if n.identities != nil {
		n.wg.Add(1)
		go func() { defer n.wg.Done(); n.identities.Run(ctx) }()
	}
}

func (n *Node) flushUsage(ctx context.Context) {
	clock.Every(ctx, n.cfg.Clock, UsageFlushInterval, func() {
		if err := n.service.FlushUsage(ctx); err != nil && ctx.Err() == nil {
			n.log.Warn("writing key usage failed; it will be retried", "error", err)
		}
	})
}

// ShipAudit writes every audit record so far to the log file now: the
// batched records of requests that changed nothing, and the records of
// committed changes still in the store (background loops do both moments
// later; tests that read the log call this).
func (n *Node) ShipAudit(ctx context.Context) error {
	return errors.Join(n.audit.Flush(), n.shipper.Ship(ctx))
}

// ReopenAuditLog starts a new audit log file at the same path, after a log
// rotator moved the old one away (SIGHUP).
func (n *Node) ReopenAuditLog() error { return n.shipper.Reopen() }

// closeTimeout bounds what Close writes to the store.
const closeTimeout = 10 * time.Second

// Close stops background work, writes pending usage data, ships the audit
// records still in the store and closes the audit log and the store.
func (n *Node) Close() error {
	n.closeOnce.Do(func() {
		if n.stop != nil {
			n.stop()
			n.wg.Wait()
		}
		if n.stopCounting != nil {
			n.stopCounting()
		}
		var errs []error
		if n.closeLeadership != nil {
			errs = append(errs, n.closeLeadership())
		}
		// The last writes to the store are bounded: with etcd out of
		// reach they would otherwise wait forever, and the node could
		// not shut down. Usage data not written is lost (it is a
		// best-effort record); audit records not shipped stay in the
		// store's outbox, and the node ships them when it starts again.
		ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
		defer cancel()
		if n.service != nil {
			errs = append(errs, n.service.FlushUsage(ctx))
		}
		if n.shipper != nil {
			errs = append(errs, n.shipper.Ship(ctx))
		}
		if n.audit != nil {
			errs = append(errs, n.audit.Close())
		}
		if n.store != nil && n.ownsStore {
			errs = append(errs, n.store.Close())
		}
		n.closeErr = errors.Join(errs...)
	})
	return n.closeErr
}
