package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"
)

// Helpers that run the real entry point, run, in the test process.

// runDeadline bounds how long a started serve may take to serve or fail; it
// only matters on a loaded machine.
const runDeadline = 30 * time.Second

// commandDeadline bounds a command that should finish at once.
const commandDeadline = 5 * time.Second

// lockedBuffer is a bytes.Buffer that serve's goroutines may write while
// the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// runResult is what one finished run returned and wrote.
type runResult struct {
	code           int
	stdout, stderr string
}

// runCommand runs a command that is expected to finish by itself. A serve
// that starts by mistake is stopped after commandDeadline, as SIGTERM would.
func runCommand(t *testing.T, args ...string) runResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), commandDeadline)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, &stdout, &stderr)
	return runResult{code, stdout.String(), stderr.String()}
}

// serveRun is a run of trent serve in a goroutine.
type serveRun struct {
	t      *testing.T
	cancel context.CancelFunc
	stderr *lockedBuffer
	done   chan int // receives the exit code
}

// startServe runs `trent serve args...`; the test's end stops it.
func startServe(t *testing.T, args ...string) *serveRun {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	s := &serveRun{t: t, cancel: cancel, stderr: &lockedBuffer{}, done: make(chan int, 1)}
	go func() { s.done <- run(ctx, append([]string{"serve"}, args...), &bytes.Buffer{}, s.stderr) }()
	t.Cleanup(func() {
		cancel()
		<-s.done
	})
	return s
}

// waitServingOrExit waits for the start line or for run to return. It
// returns the start line's fields, or nil and the exit code.
func (s *serveRun) waitServingOrExit() (map[string]any, int) {
	s.t.Helper()
	deadline := time.Now().Add(runDeadline)
	for time.Now().Before(deadline) {
		if line := logLine(s.stderr.String(), servingMsg); line != nil {
			return line, 0
		}
		select {
		case code := <-s.done:
			s.done <- code // for the cleanup
			return logLine(s.stderr.String(), servingMsg), code
		case <-time.After(10 * time.Millisecond):
		}
	}
	s.t.Fatalf("trent serve neither served nor exited in %v; log:\n%s", runDeadline, s.stderr)
	return nil, 0
}

// stop cancels the run as SIGTERM would and returns its exit code.
func (s *serveRun) stop() int {
	s.cancel()
	code := <-s.done
	s.done <- code
	return code
}

// servingMsg is the message of the start line; tests elsewhere parse it.
const servingMsg = "trent is serving the AWS KMS API"

// logLine returns the fields of the first JSON log line whose msg is msg.
func logLine(log, msg string) map[string]any {
	for line := range strings.Lines(log) {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == msg {
			return rec
		}
	}
	return nil
}
