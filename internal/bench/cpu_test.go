package bench

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestParseProcStat(t *testing.T) {
	// A real line, with a command name holding a space and a ')'.
	const stat = "4242 (trent (x) y) S 1 4242 4242 0 -1 4194560 1200 0 0 0 250 37 0 0 20 0 6 0 123 1234567 890 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n"
	got, err := parseProcStat(stat)
	if err != nil {
		t.Fatal(err)
	}
	if want := 2870 * time.Millisecond; got != want {
		t.Errorf("got %v, want %v (287 ticks)", got, want)
	}
	for _, bad := range []string{"", "1 (x S 1", "1 (x) S 1 2 3", "1 (x) S 1 1 1 0 -1 0 0 0 0 0 abc 3 0"} {
		if _, err := parseProcStat(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// TestProcessCPUReadsThisProcess: on Linux, this process's CPU time is
// read and grows with work; elsewhere ProcessCPU says it cannot.
func TestProcessCPUReadsThisProcess(t *testing.T) {
	read, err := ProcessCPU(os.Getpid())
	if runtime.GOOS != "linux" {
		if err == nil {
			t.Fatal("ProcessCPU works off Linux?")
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	before, err := read()
	if err != nil {
		t.Fatal(err)
	}
	x := uint64(1)
	for start := time.Now(); time.Since(start) < 100*time.Millisecond; {
		for range 1000 {
			x = x*6364136223846793005 + 1
		}
	}
	after, err := read()
	if err != nil {
		t.Fatal(err)
	}
	if after-before < 20*time.Millisecond {
		t.Errorf("100 ms of spinning added %v of CPU time (x=%d)", after-before, x)
	}
	if _, err := ProcessCPU(0); err == nil {
		t.Error("pid 0 accepted")
	}
}

// TestRunReadsServerCPUAroundEachWindow: ServerCPU is read just before
// and after each timed window (not around warm-up), and the table grows a
// "cpu µs/op" column; a failing read leaves the CPU unknown and says why.
func TestRunReadsServerCPUAroundEachWindow(t *testing.T) {
	srv := startFloor(t)
	caller := newTestCaller(t, srv.URL, floorCreds, 1)
	ops, _ := LookupOperations([]string{"Encrypt-32B"})
	var reads int
	cpu := func() (time.Duration, error) {
		reads++
		return time.Duration(reads) * 300 * time.Millisecond, nil
	}
	rep, err := Run(context.Background(), Config{
		Caller: caller, Ops: ops, Clients: []int{1, 1}, Duration: 50 * time.Millisecond, Warmup: 20 * time.Millisecond,
		KeyID: "k", Now: time.Now, ServerCPU: cpu,
	})
	if err != nil {
		t.Fatal(err)
	}
	if reads != 4 {
		t.Errorf("%d reads for two windows", reads)
	}
	for _, res := range rep.Results {
		if math.Abs(res.ServerCPUSeconds-0.3) > 1e-9 || math.Abs(res.ServerCPUMicrosPerOp-300000/float64(res.Ops)) > 1e-6 {
			t.Errorf("cpu %v s, %v µs/op over %d ops", res.ServerCPUSeconds, res.ServerCPUMicrosPerOp, res.Ops)
		}
	}
	var buf bytes.Buffer
	if err := rep.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "cpu µs/op") {
		t.Errorf("no cpu column:\n%s", buf.String())
	}

	rep, err = Run(context.Background(), Config{
		Caller: caller, Ops: ops, Clients: []int{1}, Duration: 20 * time.Millisecond, KeyID: "k", Now: time.Now,
		ServerCPU: func() (time.Duration, error) { return 0, errors.New("the server is gone") },
	})
	if err != nil {
		t.Fatal(err)
	}
	if res := rep.Results[0]; res.ServerCPUMicrosPerOp != 0 || res.ServerCPUError != "the server is gone" {
		t.Errorf("failed read: %+v", res)
	}
	buf.Reset()
	if err := rep.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "cpu µs/op") || !strings.Contains(buf.String(), "server CPU unknown: the server is gone") {
		t.Errorf("table:\n%s", buf.String())
	}
}
