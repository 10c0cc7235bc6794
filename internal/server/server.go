// Package server assembles a Trent node from its parts: the store, the root
// key, the audit log, the KMS service, the wire handler and the scheduler.
// cmd/trent and the end-to-end tests build nodes through it, so the tests
// run exactly what users run.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/awsjson"
	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/scheduler"
	"github.com/trent-kms/trent/internal/seal"
	"github.com/trent-kms/trent/internal/store/bolt"
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
	// SchedulerInterval is how often due rotations and deletions are
	// looked for.
	SchedulerInterval = 30 * time.Second
	// UsageFlushInterval is how often GetKeyLastUsage data is written.
	UsageFlushInterval = 5 * time.Second
)

// Config configures a node.
type Config struct {
	// DataDir holds the store file and the audit log.
	DataDir string
	// RootKeyFile is the root key; required unless Dev.
	RootKeyFile string
	// Dev creates the root key in the data directory on first start.
	Dev bool
	// DevAccount is the account of access keys that are not 12 digits
	// (SigV4 signatures are not verified yet, in any mode).
	DevAccount string
	Clock      clock.Clock
	Logger     *slog.Logger
	// SchedulerInterval overrides the default; tests drive RunDue directly.
	SchedulerInterval time.Duration
}

// Node is a running Trent node.
type Node struct {
	cfg       Config
	log       *slog.Logger
	store     *bolt.Store
	audit     *audit.FileWriter
	service   *kms.Service
	handler   http.Handler
	scheduler *scheduler.Scheduler
	stop      context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

// Open opens the data directory and assembles a node. Background work
// starts with Start.
func Open(cfg Config) (*Node, error) {
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
	if !cfg.Dev {
		// Strict SigV4 verification against configured credentials comes
		// with the authentication issue. Until then every mode resolves
		// callers as dev mode does; say so loudly outside dev mode.
		cfg.Logger.Warn("request signatures are not verified yet: any SigV4-signed request is accepted and the access key ID picks the account; do not expose this server to untrusted networks")
	}
	if !identity.IsAccountID(cfg.DevAccount) {
		return nil, fmt.Errorf("dev account %q is not a 12-digit AWS account ID", cfg.DevAccount)
	}
	// Dev mode keeps its root key in the data directory, so that must exist
	// first; otherwise a bad root key fails before anything is created.
	if cfg.Dev {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	}
	keyring, err := loadRootKey(cfg)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	st, err := bolt.Open(filepath.Join(cfg.DataDir, DataFileName), bolt.Options{})
	if err != nil {
		return nil, err
	}
	if err := checkRootKey(st, keyring, cfg.DataDir); err != nil {
		st.Close()
		return nil, err
	}
	auditLog, err := audit.OpenFile(filepath.Join(cfg.DataDir, audit.FileName), cfg.Clock)
	if err != nil {
		st.Close()
		return nil, err
	}
	n := &Node{cfg: cfg, log: cfg.Logger, store: st, audit: auditLog}
	svc, err := kms.New(kms.Config{
		Store: st, Sealer: keyring, Clock: cfg.Clock, Audit: auditLog, Logger: cfg.Logger,
		Kick: func() { n.scheduler.Kick() },
	})
	if err != nil {
		n.Close()
		return nil, err
	}
	n.service = svc
	n.scheduler = scheduler.New(cfg.Clock, svc, cfg.SchedulerInterval, cfg.Logger)
	n.handler = awsjson.NewHandler(awsjson.Config{
		Operations: awsjson.Operations(svc),
		Identity:   identity.Dev{DefaultAccount: cfg.DevAccount},
		Clock:      cfg.Clock,
		Logger:     cfg.Logger,
		Audit: func(_ context.Context, c awsjson.Completed) error {
			return auditLog.Write(audit.APICall(audit.Call{
				Info: c.Info, ReadOnly: c.ReadOnly, Input: c.Input, Output: c.Output,
				Err: c.Err, Time: c.Time, Details: c.Details,
			}))
		},
	})
	return n, nil
}

// loadRootKey loads the root key file, creating it in dev mode.
func loadRootKey(cfg Config) (*seal.Keyring, error) {
	path := cfg.RootKeyFile
	if path == "" {
		if !cfg.Dev {
			return nil, errors.New("a root key file is required: pass --root-key-file (or TRENT_ROOT_KEY_FILE), or use --dev")
		}
		path = filepath.Join(cfg.DataDir, DevRootKeyFileName)
		if err := seal.CreateKeyFile(path, nil); err != nil && !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("create dev root key: %w", err)
		}
	}
	keyring, err := seal.LoadKeyFile(path)
	if err != nil {
		return nil, err
	}
	if warning := seal.FilePermissionWarning(path); warning != "" {
		cfg.Logger.Warn(warning)
	}
	return keyring, nil
}

// Handler is the node's HTTP handler (the KMS API).
func (n *Node) Handler() http.Handler { return n.handler }

// Service is the node's KMS service (tests call RunDue on it).
func (n *Node) Service() *kms.Service { return n.service }

// Start runs the background work: the scheduler and the usage flusher.
func (n *Node) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	n.stop = cancel
	n.wg.Add(2)
	go func() { defer n.wg.Done(); n.scheduler.Run(ctx) }()
	go func() { defer n.wg.Done(); n.flushUsage(ctx) }()
}

func (n *Node) flushUsage(ctx context.Context) {
	t := n.cfg.Clock.NewTicker(UsageFlushInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C():
			if err := n.service.FlushUsage(ctx); err != nil && ctx.Err() == nil {
				n.log.Warn("writing key usage failed; it will be retried", "error", err)
			}
		}
	}
}

// Close stops background work, writes pending usage data and closes the
// audit log and the store.
func (n *Node) Close() error {
	n.closeOnce.Do(func() {
		if n.stop != nil {
			n.stop()
			n.wg.Wait()
		}
		var errs []error
		if n.service != nil {
			errs = append(errs, n.service.FlushUsage(context.Background()))
		}
		errs = append(errs, n.audit.Close(), n.store.Close())
		n.closeErr = errors.Join(errs...)
	})
	return n.closeErr
}
