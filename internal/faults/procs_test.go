package faults

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// proc is one run of a child process inside a host's namespace (an etcd
// member or a Trent node). Restarting means a new proc with the same
// arguments.
type proc struct {
	name  string
	cmd   *exec.Cmd
	out   *procOutput
	done  chan struct{} // closed once the process has exited
	ready chan struct{} // closed once readyText appeared in its output
}

// procOutput collects a child's output and notices the ready text.
type procOutput struct {
	mu        sync.Mutex
	buf       bytes.Buffer
	readyText string
	ready     chan struct{}
	seen      bool
}

func (o *procOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf.Write(p)
	if !o.seen && strings.Contains(o.buf.String(), o.readyText) {
		o.seen = true
		close(o.ready)
	}
	return len(p), nil
}

func (o *procOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// startProc runs `ip netns exec ns bin args...` (ip execs the program, so
// the child's PID is the program's) with a clean environment. The child
// dies with the test process (Pdeathsig) and is killed at the end of the
// test.
func startProc(t *testing.T, name, ns, readyText, bin string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns, bin}, args...)...)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + os.TempDir()}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	p := &proc{name: name, cmd: cmd, done: make(chan struct{}), ready: make(chan struct{})}
	p.out = &procOutput{readyText: readyText, ready: p.ready}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		if !p.exited() {
			_ = p.cmd.Process.Signal(syscall.SIGCONT) // a stopped child cannot die of SIGTERM
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// waitReady waits at most d for the ready text; the test fails, with the
// output, if the process exits first or takes longer.
func (p *proc) waitReady(t *testing.T, d time.Duration) {
	t.Helper()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-p.ready:
	case <-p.done:
		t.Fatalf("%s exited with %v before it was ready; output:\n%s", p.name, p.cmd.ProcessState, p.out)
	case <-timer.C:
		t.Fatalf("%s not ready within %s; output:\n%s", p.name, d, p.out)
	}
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// kill SIGKILLs the process and waits until it is gone.
func (p *proc) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil && !p.exited() {
		t.Fatalf("SIGKILL %s: %v", p.name, err)
	}
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not die of SIGKILL within 10 s", p.name)
	}
}

// signal sends sig (SIGSTOP, SIGCONT) to the process.
func (p *proc) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("%v to %s: %v", sig, p.name, err)
	}
}

func (p *proc) String() string { return fmt.Sprintf("%s (pid %d)", p.name, p.cmd.Process.Pid) }
