package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/trent-kms/trent/internal/clock"
)

// FileName is the audit log's name in the data directory.
const FileName = "audit.log"

// Writer appends records to an audit log.
type Writer interface {
	Write(rec *Record) error
}

// FileWriter appends one JSON record per line to a file (JSON Lines, the
// form CloudTrail-processing tools read).
//
// Each Write reaches the operating system before it returns, so a record
// survives a crash of the process (kill -9). Records are fsynced in groups
// by a background flusher (SyncInterval) and on Close; a power failure can
// lose the records of the last interval. A failed write fails the request
// that produced it: an operation that cannot be audited is not performed
// silently.
type FileWriter struct {
	mu     sync.Mutex
	f      *os.File
	clock  clock.Clock
	dirty  bool
	closed bool
	done   chan struct{}
	wg     sync.WaitGroup
}

// SyncInterval is how often buffered records are fsynced.
const SyncInterval = time.Second

// OpenFile opens (creating if needed, mode 0600) the audit log at path for
// appending.
func OpenFile(path string, clk clock.Clock) (*FileWriter, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit: open %s: %w", path, err)
	}
	if err := endTornRecord(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("audit: open %s: %w", path, err)
	}
	w := &FileWriter{f: f, clock: clk, done: make(chan struct{})}
	w.wg.Add(1)
	go w.syncLoop()
	return w, nil
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

// Write appends rec.
func (w *FileWriter) Write(rec *Record) error {
	line, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("audit: encode record: %w", err)
	}
	line = append(line, '\n')
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return errors.New("audit: log is closed")
	}
	// One write(2) per record, under the lock: the record reaches the OS
	// (and so outlives the process) before the request is answered, and
	// concurrent records never interleave.
	if _, err := w.f.Write(line); err != nil {
		return fmt.Errorf("audit: write: %w", err)
	}
	w.dirty = true
	return nil
}

// Sync forces buffered records to stable storage.
func (w *FileWriter) Sync() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.syncLocked()
}

func (w *FileWriter) syncLocked() error {
	if !w.dirty || w.closed {
		return nil
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("audit: sync: %w", err)
	}
	w.dirty = false
	return nil
}

func (w *FileWriter) syncLoop() {
	defer w.wg.Done()
	t := w.clock.NewTicker(SyncInterval)
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

// Close syncs and closes the log. It is safe to call more than once.
func (w *FileWriter) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	err := w.syncLocked()
	w.closed = true
	cerr := w.f.Close()
	w.mu.Unlock()
	close(w.done)
	w.wg.Wait()
	return errors.Join(err, cerr)
}
