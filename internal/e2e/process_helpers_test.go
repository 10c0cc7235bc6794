package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// Helpers for the process-level tests: the real trent binary, built once per
// test run, run as a child process and talked to over loopback.

const (
	// servingMsg is the log line trent serve writes once it listens.
	servingMsg = "trent is serving the AWS KMS API"
	// binDirPrefix names the temp directories holding the built binary.
	binDirPrefix = "trent-e2e-bin-"
	// startDeadline bounds how long a child may take to start or fail: it
	// opens a file and a socket, so this only matters on a loaded machine.
	startDeadline = 30 * time.Second
	// stopDeadline bounds a clean shutdown after SIGINT or SIGTERM.
	stopDeadline = 5 * time.Second
)

var trentBuild struct {
	once sync.Once
	path string
	err  error
}

// trentBinary returns the path of cmd/trent built from this module. The
// first caller builds it; the others wait and share it.
func trentBinary(t *testing.T) string {
	t.Helper()
	trentBuild.once.Do(func() { trentBuild.path, trentBuild.err = buildTrent() })
	if trentBuild.err != nil {
		t.Fatal(trentBuild.err)
	}
	return trentBuild.path
}

func buildTrent() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	gomod, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(gomod)) == "" {
		return "", fmt.Errorf("go env GOMOD: %q %v", gomod, err)
	}
	removeFinishedBuilds()
	dir, err := os.MkdirTemp("", fmt.Sprintf("%s%d-", binDirPrefix, os.Getpid()))
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "trent")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/trent")
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/trent: %v\n%s", err, out)
	}
	return bin, nil
}

// removeFinishedBuilds removes the binaries of test processes that have
// ended. There is no TestMain to remove a run's own binary when it ends, so
// each run cleans up after the earlier ones; the directory names carry the
// test process's ID.
func removeFinishedBuilds() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), binDirPrefix+"*"))
	for _, dir := range dirs {
		pid, _, ok := strings.Cut(strings.TrimPrefix(filepath.Base(dir), binDirPrefix), "-")
		n, err := strconv.Atoi(pid)
		if !ok || err != nil || n <= 0 {
			continue
		}
		if syscall.Kill(n, 0) == syscall.ESRCH {
			os.RemoveAll(dir)
		}
	}
}

// servingLine is the start log line's content.
type servingLine struct {
	Msg     string `json:"msg"`
	Address string `json:"address"`
	DataDir string `json:"data_dir"`
	Dev     bool   `json:"dev"`
}

// procLog collects a child's output and reports its start line.
type procLog struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	scanned int
	found   bool
	serving chan servingLine // receives the start line once
}

func (l *procLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	for !l.found {
		rest := l.buf.Bytes()[l.scanned:]
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			break
		}
		l.scanned += i + 1
		var line servingLine
		if json.Unmarshal(rest[:i], &line) == nil && line.Msg == servingMsg {
			l.found = true
			l.serving <- line
		}
	}
	return len(p), nil
}

func (l *procLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// messages returns the msg field of every JSON log line.
func (l *procLog) messages() []string {
	var out []string
	for line := range strings.Lines(l.String()) {
		var rec struct {
			Msg string `json:"msg"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil {
			out = append(out, rec.Msg)
		}
	}
	return out
}

// trentProc is one trent serve child process.
type trentProc struct {
	t     *testing.T
	cmd   *exec.Cmd
	log   *procLog
	done  chan struct{} // closed once the process has exited and its output is read
	start servingLine   // the start line, once serving
	// transport is shared by the clients of kms().
	transport *http.Transport
}

// launchTrent starts `trent serve args...` with env added to an environment
// cleared of TRENT_* variables and PORT. It does not wait for anything.
func launchTrent(t *testing.T, env []string, args ...string) *trentProc {
	t.Helper()
	cmd := exec.Command(trentBinary(t), append([]string{"serve"}, args...)...)
	cmd.Dir = t.TempDir() // the default data dir is relative: keep it out of the tree
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TRENT_") && !strings.HasPrefix(kv, "PORT=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	return startTrentProc(t, cmd)
}

// startTrentProc starts cmd, a trent serve process built by the caller,
// reading its log for the start line; the process is killed at the end of
// the test if it is still running.
func startTrentProc(t *testing.T, cmd *exec.Cmd) *trentProc {
	t.Helper()
	p := &trentProc{t: t, cmd: cmd, log: &procLog{serving: make(chan servingLine, 1)}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.log, p.log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %v: %v", cmd.Args, err)
	}
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		if !p.exited() {
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// waitServing waits for the start line; false if the process exited first.
func (p *trentProc) waitServing() bool {
	p.t.Helper()
	timer := time.NewTimer(startDeadline)
	defer timer.Stop()
	select {
	case p.start = <-p.log.serving:
		return true
	case <-p.done:
		return false
	case <-timer.C:
		p.t.Fatalf("trent neither served nor exited within %s; log:\n%s", startDeadline, p.log)
	}
	return false
}

// serveTrent starts a dev-mode server on a free loopback port (the start
// line says which) and waits until it serves.
func serveTrent(t *testing.T, dataDir string, extra ...string) *trentProc {
	t.Helper()
	args := append([]string{"--dev", "--listen", "127.0.0.1:0", "--data-dir", dataDir}, extra...)
	p := launchTrent(t, nil, args...)
	if !p.waitServing() {
		t.Fatalf("trent exited with %d before serving; log:\n%s", p.cmd.ProcessState.ExitCode(), p.log)
	}
	return p
}

func (p *trentProc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// waitExit waits at most d for the process to exit and returns its exit
// code (-1 if killed by a signal).
func (p *trentProc) waitExit(d time.Duration) int {
	p.t.Helper()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode()
	case <-timer.C:
		// A Go program dumps its goroutines on SIGQUIT: show where it
		// hangs.
		_ = p.cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-p.done:
		case <-time.After(stopDeadline):
		}
		p.t.Fatalf("trent did not exit within %s; log and goroutines:\n%s", d, p.log)
	}
	return 0
}

// stop sends sig and returns the exit code.
//
// It first closes the test's idle connections: the transport may hold one
// it dialled but never used, and net/http's Shutdown waits up to 5 seconds
// for a connection on which no request has arrived yet.
func (p *trentProc) stop(sig syscall.Signal) int {
	p.t.Helper()
	if p.transport != nil {
		p.transport.CloseIdleConnections()
	}
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("signal %v: %v", sig, err)
	}
	return p.waitExit(stopDeadline)
}

// kill crashes the process: SIGKILL, no chance to clean up.
func (p *trentProc) kill() {
	p.t.Helper()
	if code := p.stop(syscall.SIGKILL); code != -1 {
		p.t.Fatalf("SIGKILL: exit code %d, want -1 (killed)", code)
	}
}

// kms returns a client for the process. It does not retry: a request cut off
// by a crash must surface as an error, not be sent again.
func (p *trentProc) kms() *kms.Client {
	if p.transport == nil {
		p.transport = http.DefaultTransport.(*http.Transport).Clone()
		// Enough for every concurrent client to keep its connection.
		p.transport.MaxIdleConnsPerHost = 64
	}
	return kms.New(kms.Options{
		Region:           testRegion,
		BaseEndpoint:     aws.String(p.start.Address),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test-secret", ""),
		HTTPClient:       &http.Client{Transport: p.transport},
		RetryMaxAttempts: 1,
	})
}

// runTrentToExit runs a trent serve that is expected to fail at startup and
// returns its exit code and output.
func runTrentToExit(t *testing.T, env []string, args ...string) (int, string) {
	t.Helper()
	p := launchTrent(t, env, args...)
	if p.waitServing() {
		t.Fatalf("trent served at %s; want a startup error", p.start.Address)
	}
	return p.cmd.ProcessState.ExitCode(), p.log.String()
}
