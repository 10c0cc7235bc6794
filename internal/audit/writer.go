package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
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
	dirty  bool
	closed bool
	done   chan struct{}
	wg     sync.WaitGroup
}

// SyncInterval is how often buffered records are fsynced.
const SyncInterval = time.Second

// OpenFile opens (creating if needed, mode 0600) the audit log at path for
// appending.
func OpenFile(path string) (*FileWriter, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit: open %s: %w", path, err)
	}
	w := &FileWriter{f: f, done: make(chan struct{})}
	w.wg.Add(1)
	go w.syncLoop()
	return w, nil
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
	t := time.NewTicker(SyncInterval)
	defer t.Stop()
	for {
		select {
		case <-w.done:
			return
		case <-t.C:
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
