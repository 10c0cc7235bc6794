package faults

import (
	"os"
	"strings"
	"testing"
	"time"
)

// TestCheckerStaleness proves the history check can fail, and that the
// staleness allowance widens exactly reads: key 0 is disabled in [0 ms,
// 10 ms]; a read in [20 ms, 30 ms] still sees Enabled. Strictly (staleness
// 0) that read is impossible; with 25 ms of staleness it may have seen the
// state of 5 ms, before the write, and the history is accepted; with 5 ms
// (back to 15 ms, after the write returned) it is still rejected.
func TestCheckerStaleness(t *testing.T) {
	t.Setenv("TRENT_TEST_ARTIFACTS", t.TempDir())
	ms := time.Millisecond
	calls := []call{
		{client: 0, kind: opDisable, key: 0, start: 0, end: 10 * ms, outcome: acked},
		{client: 1, kind: opDescribe, key: 0, start: 20 * ms, end: 30 * ms, outcome: acked, state: "Enabled"},
		// Another key's calls, linearizable on their own.
		{client: 2, kind: opEncrypt, key: 1, start: 0, end: 5 * ms, outcome: acked, state: "Enabled"},
	}
	end := 40 * ms
	err := checkHistory(t, calls, end, 0)
	if err == nil {
		t.Fatal("a read of Enabled after an acknowledged DisableKey passed the strict check")
	}
	path := err.Error()[strings.LastIndex(err.Error(), " ")+1:]
	if _, statErr := os.Stat(path); statErr != nil {
		t.Errorf("the error %q names no visualization file: %v", err, statErr)
	}
	if err := checkHistory(t, calls, end, 5*ms); err == nil {
		t.Error("a read 10 ms stale passed with 5 ms of staleness allowed")
	}
	if err := checkHistory(t, calls, end, 25*ms); err != nil {
		t.Errorf("a read 10 ms stale failed with 25 ms of staleness allowed: %v", err)
	}
}

// TestCheckerUnknownWrites: a DisableKey whose outcome is unknown may have
// taken effect at any later time, or never: reads of Enabled after it and
// then of Disabled are both fine; but once a read has seen Disabled (the
// write took effect), a later read of Enabled is not, as nothing enabled
// the key again. A refused DisableKey never took effect.
func TestCheckerUnknownWrites(t *testing.T) {
	t.Setenv("TRENT_TEST_ARTIFACTS", t.TempDir())
	ms := time.Millisecond
	unknownDisable := call{client: 0, kind: opDisable, key: 0, start: 0, end: 10 * ms, outcome: unknown, code: "timeout"}
	read := func(client int, at time.Duration, state string) call {
		return call{client: client, kind: opDescribe, key: 0, start: at, end: at + ms, outcome: acked, state: state}
	}
	end := 100 * ms
	if err := checkHistory(t, []call{unknownDisable, read(1, 20*ms, "Enabled"), read(1, 40*ms, "Disabled")}, end, 0); err != nil {
		t.Errorf("an unknown write taking effect late was refused: %v", err)
	}
	if err := checkHistory(t, []call{unknownDisable, read(1, 20*ms, "Enabled"), read(1, 40*ms, "Enabled")}, end, 0); err != nil {
		t.Errorf("an unknown write never taking effect was refused: %v", err)
	}
	if err := checkHistory(t, []call{unknownDisable, read(1, 20*ms, "Disabled"), read(1, 40*ms, "Enabled")}, end, 0); err == nil {
		t.Error("Enabled read after the unknown write was seen to take effect passed")
	}
	refusedDisable := unknownDisable
	refusedDisable.outcome, refusedDisable.code = refused, "dial"
	if err := checkHistory(t, []call{refusedDisable, read(1, 20*ms, "Disabled")}, end, 0); err == nil {
		t.Error("a read of Disabled passed when the only DisableKey was refused")
	}
}
