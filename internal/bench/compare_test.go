package bench

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func result(op string, clients int, opsPerSec, p99 float64) Result {
	return Result{Operation: op, Clients: clients, Ops: 100, OpsPerSecond: opsPerSec, Latency: Latency{P99: p99}, ErrorCodes: map[string]uint64{}}
}

// TestCompareRatios pairs results by operation and client count and
// divides; results with errors or without a counterpart are left out.
func TestCompareRatios(t *testing.T) {
	floor := &Report{Label: "floor", Results: []Result{
		result("Encrypt-32B", 1, 20000, 100), result("Encrypt-32B", 16, 40000, 800),
	}}
	failed := result("Encrypt-32B", 64, 10, 10)
	failed.Errors = 3
	trent := &Report{Label: "trent", Results: []Result{
		result("Encrypt-32B", 1, 5000, 250), result("Encrypt-32B", 16, 10000, 3200), failed, result("Decrypt-32B", 1, 5000, 250),
	}}
	got := Compare(floor, trent)
	if len(got) != 2 {
		t.Fatalf("%d ratios: %+v", len(got), got)
	}
	if got[0].Clients != 1 || got[0].Throughput != 0.25 || got[0].P99Ratio != 2.5 {
		t.Errorf("1 client: %+v", got[0])
	}
	if got[1].Clients != 16 || got[1].Throughput != 0.25 || got[1].P99Ratio != 4 || got[1].Label != "trent" {
		t.Errorf("16 clients: %+v", got[1])
	}
	var buf bytes.Buffer
	if err := WriteRatios(&buf, "floor", got); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "0.25") || !strings.Contains(buf.String(), "4.00") {
		t.Errorf("table:\n%s", buf.String())
	}
}

// TestCompareCPURatio: the cpu/op ratio is base over server, present only
// when both sides measured the server's CPU, and round-trips through JSON.
func TestCompareCPURatio(t *testing.T) {
	withCPU := func(r Result, us float64) Result { r.ServerCPUMicrosPerOp = us; return r }
	floor := &Report{Label: "floor", Results: []Result{
		withCPU(result("Encrypt-32B", 64, 20000, 100), 40), result("Decrypt-32B", 64, 20000, 100),
	}}
	trent := &Report{Label: "trent", Results: []Result{
		withCPU(result("Encrypt-32B", 64, 10000, 300), 100), withCPU(result("Decrypt-32B", 64, 10000, 300), 90),
	}}
	got := Compare(floor, trent)
	if len(got) != 2 || got[0].CPURatio != 0.4 || got[0].CPUPerOp != 100 || got[0].BaseCPUPerOp != 40 || got[1].CPURatio != 0 {
		t.Fatalf("%+v", got)
	}
	var buf bytes.Buffer
	if err := WriteRatios(&buf, "floor", got); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "cpu/op ratio") || !strings.Contains(buf.String(), "0.40") {
		t.Errorf("table:\n%s", buf.String())
	}
	buf.Reset()
	if err := (&Comparison{Base: "floor", Ratios: got}).WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := ReadComparison(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if back.Base != "floor" || !slices.Equal(back.Ratios, got) {
		t.Errorf("round trip: %+v", back)
	}
}
