package audit

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/trent-kms/trent/internal/clock"
)

// FileName is the audit log's name in the data directory.
const FileName = "audit.log"

// SyncInterval is the default bound on how long a record given to Write
// may take to reach the disk: a crash of the machine loses at most this
// much of the records of requests that changed nothing (reads,
// cryptographic operations, failures). Records of changes never depend on
// it: they are committed with the change (Shipper). trent serve
// --audit-sync-interval sets another.
const SyncInterval = time.Second

// WriteDelay bounds how long a record given to Write waits in memory
// before it is written to the file (or the sync interval, if that is
// shorter), so a crash of the process (kill -9) loses at most the records
// of the last WriteDelay. Records are written together, with one write(2)
// per batch instead of one per request: at thousands of requests a second
// the system call was most of the audit log's cost.
const WriteDelay = 10 * time.Millisecond

// writeBatchBytes is how much Write lets wait before it writes the batch
// itself, without waiting for WriteDelay: it bounds the memory held and
// what a crash of the process can lose under heavy load.
const writeBatchBytes = 64 << 10

// FileWriter appends one JSON record per line to a file (JSON Lines, the
// form CloudTrail-processing tools read).
//
// Write batches records: a background loop writes them to the file within
// WriteDelay (Write itself does once writeBatchBytes wait), and another
// fsyncs within the sync interval, without holding the lock writers take.
// AppendDurable writes and fsyncs at once (shipped records of changes).
// Reopen starts a new file at the same path, for log rotation.
type FileWriter struct {
	path  string
	clock clock.Clock

	// mu serialises appends and guards the fields below it.
	mu     sync.Mutex
	f      *os.File
	at     Position // identity of f and its size, which only appends change
	dirty  bool
	closed bool
	// pending holds records given to Write and not yet written; writeErr
	// is why the last attempt to write them failed (they stay pending,
	// and Write fails until a write succeeds: fail closed).
	pending  []byte
	writeErr error
	// fileMu is held shared while f is fsynced and exclusively while f is
	// closed or replaced (with mu held too), so an fsync never holds mu.
	fileMu sync.RWMutex

	// every is how often the sync loop fsyncs, delay how long a record
	// waits to be written.
	every, delay time.Duration
	// kick wakes the write loop when pending stops being empty.
	kick chan struct{}
	done chan struct{}
	wg   sync.WaitGroup

	// syncing, if set, runs while an fsync is under way (tests).
	syncing func()
}

// Position is a point in a log file: the file (device and inode, zero
// where the platform has none) and an offset in it.
type Position struct {
	Dev    uint64 `json:"dev"`
	Ino    uint64 `json:"ino"`
	Offset int64  `json:"offset"`
}

// OpenFile opens (creating if needed, mode 0600) the audit log at path for
// appending and starts fsyncing it every SyncInterval of clk.
func OpenFile(path string, clk clock.Clock) (*FileWriter, error) {
	return OpenFileSyncing(path, clk, SyncInterval)
}

// OpenFileSyncing is OpenFile with another sync interval; every must be
// positive.
func OpenFileSyncing(path string, clk clock.Clock, every time.Duration) (*FileWriter, error) {
	if every <= 0 {
		return nil, fmt.Errorf("audit: sync interval %v is not positive", every)
	}
	w := &FileWriter{path: path, clock: clk, every: every, delay: min(WriteDelay, every),
		kick: make(chan struct{}, 1), done: make(chan struct{})}
	f, at, err := openLog(path)
	if err != nil {
		return nil, err
	}
	w.f, w.at = f, at
	w.wg.Add(2)
	go w.syncLoop()
	go w.writeLoop()
	return w, nil
}

// openLog opens the log for appending and ends a torn last record.
func openLog(path string) (*os.File, Position, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, Position{}, fmt.Errorf("audit: open %s: %w", path, err)
	}
	if err := endTornRecord(f); err != nil {
		f.Close()
		return nil, Position{}, fmt.Errorf("audit: open %s: %w", path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, Position{}, fmt.Errorf("audit: open %s: %w", path, err)
	}
	dev, ino := fileID(fi)
	return f, Position{Dev: dev, Ino: ino, Offset: fi.Size()}, nil
}

// endTornRecord ends the log with a newline if it does not end with one.
// A process killed in the middle of a write(2) (the kernel stops a write
// between pages when SIGKILL arrives) or a power cut can leave the last
// record torn; without the newline the first record of this run would be
// appended to it, and a line-by-line reader would lose both.
func endTornRecord(f *os.File) error {
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return err
	}
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, fi.Size()-1); err != nil {
		return err
	}
	if last[0] == '\n' {
		return nil
	}
	_, err = f.Write([]byte("\n"))
	return err
}

// Write adds rec to the log: it reaches the file within WriteDelay and
// the disk within the sync interval. It fails if records cannot reach the
// file (the last write failed and failed again now); the caller then fails
// the request (an operation that cannot be audited is not reported as
// done), and rec is not kept.
func (w *FileWriter) Write(rec *Record) error {
	line, err := encodeLine(rec)
	if err != nil {
		return fmt.Errorf("audit: encode record: %w", err)
	}
	defer releaseLine(line)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return errors.New("audit: log is closed")
	}
	if w.writeErr != nil {
		if err := w.writePendingLocked(); err != nil {
			return err
		}
	}
	wasEmpty := len(w.pending) == 0
	w.pending = append(w.pending, *line...)
	if len(w.pending) >= writeBatchBytes {
		if err := w.writePendingLocked(); err != nil {
			// This request fails, so its record must not be written
			// later: take it back unless part of it reached the file.
			if len(w.pending) >= len(*line) {
				w.pending = w.pending[:len(w.pending)-len(*line)]
			}
			return err
		}
	}
	if wasEmpty {
		select {
		case w.kick <- struct{}{}:
		default:
		}
	}
	return nil
}

// writePendingLocked writes the pending records with one write(2). On a
// failure what was not written stays pending. The caller holds mu.
func (w *FileWriter) writePendingLocked() error {
	if len(w.pending) == 0 {
		w.writeErr = nil
		return nil
	}
	n, err := w.f.Write(w.pending)
	w.at.Offset += int64(n)
	if n > 0 {
		w.dirty = true
	}
	if err != nil {
		w.pending = append(w.pending[:0], w.pending[n:]...)
		w.writeErr = fmt.Errorf("audit: write: %w", err)
		return w.writeErr
	}
	w.writeErr = nil
	if cap(w.pending) > 4*writeBatchBytes {
		w.pending = nil // a burst grew it: do not keep the memory
	} else {
		w.pending = w.pending[:0]
	}
	return nil
}

// writeLoop writes pending records WriteDelay after the first of a batch
// arrives; idle, it waits without ticking.
func (w *FileWriter) writeLoop() {
	defer w.wg.Done()
	for {
		select {
		case <-w.done:
			return
		case <-w.kick:
		}
		t := w.clock.NewTicker(w.delay)
		select {
		case <-w.done:
			t.Stop()
			return
		case <-t.C():
		}
		t.Stop()
		w.mu.Lock()
		if !w.closed {
			// A failure stays in writeErr: the next Write retries and
			// fails its request if the file is still unwritable, and the
			// sync loop retries within the sync interval.
			_ = w.writePendingLocked()
		}
		w.mu.Unlock()
	}
}

// Flush writes the pending records to the file now (tests, and readers in
// the same process that want every record so far).
func (w *FileWriter) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return errors.New("audit: log is closed")
	}
	return w.writePendingLocked()
}

// AppendDurable appends lines (whole records, each ending in a newline) and
// fsyncs them before it returns. It returns the position right after them.
func (w *FileWriter) AppendDurable(lines []byte) (Position, error) {
	at, err := w.append(lines)
	if err != nil {
		return Position{}, err
	}
	return at, w.Sync()
}

// append writes b with one write(2), under the lock, so that concurrent
// records never interleave.
func (w *FileWriter) append(b []byte) (Position, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return Position{}, errors.New("audit: log is closed")
	}
	// Batched records first: a batch cut short by a failed write must be
	// finished before anything else is appended, or a record would be
	// split in two.
	if err := w.writePendingLocked(); err != nil {
		return Position{}, err
	}
	n, err := w.f.Write(b)
	w.at.Offset += int64(n)
	if n > 0 {
		w.dirty = true
	}
	if err != nil {
		return Position{}, fmt.Errorf("audit: write: %w", err)
	}
	return w.at, nil
}

// Position returns the end of the file as this writer has written it.
func (w *FileWriter) Position() Position {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.at
}

// Path returns the log's path.
func (w *FileWriter) Path() string { return w.path }

// Sync forces the records given so far to stable storage, writing the
// pending ones first. Writers are not held up while the fsync runs.
func (w *FileWriter) Sync() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	if err := w.writePendingLocked(); err != nil {
		w.mu.Unlock()
		return err
	}
	if !w.dirty {
		w.mu.Unlock()
		return nil
	}
	w.dirty = false
	w.mu.Unlock()

	w.fileMu.RLock()
	if w.syncing != nil {
		w.syncing()
	}
	err := w.f.Sync()
	w.fileMu.RUnlock()
	if err != nil {
		w.mu.Lock()
		w.dirty = true
		w.mu.Unlock()
		return fmt.Errorf("audit: sync: %w", err)
	}
	return nil
}

func (w *FileWriter) syncLoop() {
	defer w.wg.Done()
	t := w.clock.NewTicker(w.every)
	defer t.Stop()
	for {
		select {
		case <-w.done:
			return
		case <-t.C():
			_ = w.Sync() // a failing disk also fails the next Write
		}
	}
}

// Reopen fsyncs and closes the current file and opens the file at the path
// again, creating it if a log rotator has moved it away (SIGHUP).
func (w *FileWriter) Reopen() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return errors.New("audit: log is closed")
	}
	// Records given before the rotation go to the old file.
	if err := w.writePendingLocked(); err != nil {
		return err
	}
	f, at, err := openLog(w.path)
	if err != nil {
		return err
	}
	w.fileMu.Lock()
	defer w.fileMu.Unlock()
	old := w.f
	w.f, w.at, w.dirty = f, at, false
	return errors.Join(old.Sync(), old.Close())
}

// Close fsyncs and closes the log. It is safe to call more than once.
func (w *FileWriter) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	w.fileMu.Lock()
	err := errors.Join(w.writePendingLocked(), w.f.Sync(), w.f.Close())
	w.fileMu.Unlock()
	w.mu.Unlock()
	close(w.done)
	w.wg.Wait()
	return err
}
