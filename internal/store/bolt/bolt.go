// Package bolt is Trent's embedded store: it implements store.Store on one
// bbolt file. It owns that file's layout (the data and meta buckets), its
// format version and migrations, the revision counter, and the file lock that
// keeps a second trent process from writing the same file.
package bolt

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/trent-kms/trent/internal/store"
)

// Options tunes Open.
type Options struct {
	// Timeout is how long Open waits for the file lock held by another
	// process before giving up. Zero means one second: long enough to ride
	// out a restart, short enough that a second server fails visibly.
	Timeout time.Duration
}

const defaultTimeout = time.Second

// Store is a store.Store kept in one bbolt file. Every Update is fsynced
// before it returns (bbolt's NoSync is never set), which is what lets the
// service hand out ciphertexts under key material it has just written;
// concurrent Updates share one fsync (group commit, batch.go).
type Store struct {
	db   *bbolt.DB
	path string
	// writer admits one writing transaction at a time: a batch's leader
	// or an Update running alone (see batch.go). bbolt serialises writers
	// as well, but on a mutex that cannot be abandoned; waiting here lets
	// an Update give up when its context ends while others are fsyncing.
	writer chan struct{}
	// mu guards queue, the Updates waiting for a leader to run them.
	mu     sync.Mutex
	queue  []*call
	closed atomic.Bool
	// gate holds new read transactions back while a commit is written
	// but not yet durable (see gate.go).
	gate sync.RWMutex
	// committing is set by tests only. It runs inside bbolt's Commit,
	// after bbolt has written the new meta page into the file (which
	// publishes the commit to read transactions that begin from then on)
	// and before Commit returns: it stands for the fdatasync that follows
	// that write, a window bbolt offers no hook inside (see gate.go).
	committing func()
}

var _ store.Store = (*Store)(nil)

// Open opens the data file at path, creating it (mode 0600) if it does not
// exist. It fails if another process holds the file, if the file was written
// by a newer trent, or if it is not a trent data file.
func Open(path string, opts Options) (*Store, error) {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	_, statErr := os.Stat(path)
	created := errors.Is(statErr, fs.ErrNotExist)

	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: timeout})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("store/bolt: %s is locked; another trent process may be using it (gave up after %s): %w", path, timeout, err)
	}
	if err != nil {
		return nil, fmt.Errorf("store/bolt: open %s: %w", path, err)
	}
	if err := prepareFile(db, path); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store/bolt: %w", err)
	}
	if created {
		if err := syncDir(filepath.Dir(path)); err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("store/bolt: sync directory of %s: %w", path, err)
		}
	}
	return &Store{db: db, path: path, writer: make(chan struct{}, 1)}, nil
}

// prepareFile lays out, migrates or validates the file in one transaction,
// committing only if that changed something: reopening a current file should
// not cost a write and an fsync.
func prepareFile(db *bbolt.DB, path string) error {
	btx, err := db.Begin(true)
	if err != nil {
		return err
	}
	defer btx.Rollback() // a no-op after Commit
	changed, err := prepare(btx, path)
	if err != nil || !changed {
		return err
	}
	return btx.Commit()
}

// syncDir makes a new file's directory entry durable. bbolt fsyncs the
// file's contents but not its directory, so after a power cut the file
// could vanish and the next start would silently create an empty store.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Path returns the data file's path, for logs and health reports.
func (s *Store) Path() string { return s.path }

// View runs fn in a read-only transaction. Views run alongside each other
// and alongside Updates, except that a View begins only once no commit is
// between being written and being durable (see gate.go), and an Update
// that grows the file waits for the Views open at that moment to finish.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	btx, err := s.beginRead()
	if err != nil {
		return err
	}
	defer btx.Rollback() // a read transaction is only ever released
	return run(&tx{data: btx.Bucket(dataBucket)}, fn)
}

// Limits are etcd's defaults, so that what runs on the embedded store also
// fits a cluster (see limits).
func (s *Store) Limits() store.Limits { return limits }

// Close releases the file and its lock, waiting for running transactions.
// Later calls return nil.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store/bolt: close %s: %w", s.path, err)
	}
	return nil
}

// Check verifies the file: bbolt's page-level consistency check, then
// trent's layout (format version, decodable items, revisions no later than
// the last commit). It runs in a read transaction, so it can run while the
// store serves.
func (s *Store) Check() error {
	btx, err := s.beginRead()
	if err != nil {
		return err
	}
	defer btx.Rollback()
	var errs []error
	// bbolt's checker goroutine blocks until the channel is drained.
	for err := range btx.Check() {
		errs = append(errs, err)
	}
	// Walking the items of a file with broken pages could panic inside
	// bbolt, so the layout is checked only on a sound file.
	if len(errs) == 0 {
		errs = append(errs, checkLayout(btx))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("store/bolt: check %s: %w", s.path, err)
	}
	return nil
}

// ready reports why a call must not start.
func (s *Store) ready(ctx context.Context) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	return ctx.Err()
}

// begin starts a bbolt transaction. A Close that slipped in after ready is
// reported as ErrClosed, like any other call after Close.
func (s *Store) begin(writable bool) (*bbolt.Tx, error) {
	btx, err := s.db.Begin(writable)
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return nil, store.ErrClosed
	}
	if err != nil {
		return nil, fmt.Errorf("store/bolt: begin: %w", err)
	}
	return btx, nil
}

// run calls fn and then retires t, even if fn panics.
func run(t *tx, fn func(store.Tx) error) error {
	defer func() { t.done = true }()
	return fn(t)
}
