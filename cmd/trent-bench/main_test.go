package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/bench"
)

func runCmd(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("trent-bench %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errOut.String())
	}
	return out.String()
}

// TestRoundsThroughTheCommands drives an in-process floor twice per
// "round" with --server-pid (this process, which serves the floor), then
// compare --json per round and median over the rounds, as scripts/bench.sh
// does.
func TestRoundsThroughTheCommands(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("--server-pid is Linux only")
	}
	srv := httptest.NewServer(bench.NewFloor(time.Now))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	var rounds []string
	for r := range 2 {
		var reps []string
		for _, label := range []string{"floor", "again"} {
			out := filepath.Join(dir, label+strconv.Itoa(r)+".json")
			table := runCmd(t, "run", "--endpoint", srv.URL, "--label", label, "--ops", "Encrypt-32B,GenerateDataKey",
				"--clients", "2", "--duration", "100ms", "--warmup", "0s", "--quiet", "--key-id", "k",
				"--access-key", bench.FloorAccessKeyID, "--secret-key", bench.FloorSecretAccessKey,
				"--server-pid", strconv.Itoa(os.Getpid()), "--json", out)
			if !strings.Contains(table, "cpu µs/op") {
				t.Fatalf("no cpu column:\n%s", table)
			}
			reps = append(reps, out)
		}
		ratios := filepath.Join(dir, "ratios"+strconv.Itoa(r)+".json")
		if table := runCmd(t, "compare", "--json", ratios, reps[0], reps[1]); !strings.Contains(table, "cpu/op ratio") {
			t.Fatalf("compare:\n%s", table)
		}
		rounds = append(rounds, ratios)
	}
	summary := filepath.Join(dir, "median.json")
	table := runCmd(t, append([]string{"median", "--json", summary}, rounds...)...)
	if !strings.Contains(table, "GenerateDataKey") || !strings.Contains(table, "again") {
		t.Fatalf("median:\n%s", table)
	}
	b, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	var sums []bench.RatioSummary
	if err := json.Unmarshal(b, &sums); err != nil {
		t.Fatal(err)
	}
	if len(sums) != 2 || sums[0].Throughput.Rounds != 2 || sums[0].Base != "floor" || sums[0].CPURatio == nil {
		t.Errorf("summary: %s", b)
	}
}

func TestServerPIDMustExist(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"run", "--server-pid", "999999999", "--ops", "Encrypt-32B"}, &out, &errOut)
	if code != 2 || !strings.Contains(errOut.String(), "--server-pid") {
		t.Errorf("exit %d: %s", code, errOut.String())
	}
}
