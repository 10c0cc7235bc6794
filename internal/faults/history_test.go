package faults

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

// The key-state history and its check: each key is a register holding
// Enabled or Disabled; EnableKey and DisableKey write it, DescribeKey and
// Encrypt read it. porcupine decides whether some order of the calls,
// each placed between its call and its return, explains every read.
//
// A write whose outcome is unknown (a timeout, a lost connection, a 5xx)
// may have taken effect at any time after its call, even after the client
// gave up, or never: it is kept with its return at the end of the history
// (porcupine's convention for a pending call), where placing it last
// amounts to "never". A read that failed observed nothing and is left out,
// as is a write that was certainly refused.

// stateOp is one call in the checker's terms.
type stateOp struct {
	key   int
	write bool
	state string // written, or observed by a read
}

// checkTimeout bounds the checker; a history it cannot decide in time
// fails the test as undecided.
const checkTimeout = 2 * time.Minute

// stateModel is the per-key register, partitioned by key; every key starts
// Enabled (CreateKey, before the history).
var stateModel = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[int][]porcupine.Operation{}
		var keys []int
		for _, op := range history {
			k := op.Input.(stateOp).key
			if _, ok := byKey[k]; !ok {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], op)
		}
		sort.Ints(keys)
		var out [][]porcupine.Operation
		for _, k := range keys {
			out = append(out, byKey[k])
		}
		return out
	},
	Init: func() interface{} { return "Enabled" },
	Step: func(state, input, _ interface{}) (bool, interface{}) {
		op := input.(stateOp)
		if op.write {
			return true, op.state
		}
		return op.state == state.(string), state
	},
	DescribeOperation: func(input, _ interface{}) string {
		op := input.(stateOp)
		if op.write {
			return fmt.Sprintf("key%d := %s", op.key, op.state)
		}
		return fmt.Sprintf("key%d == %s", op.key, op.state)
	},
	DescribeState: func(state interface{}) string { return state.(string) },
}

// historyOps turns recorded calls into porcupine operations. end is the
// end of the history, where writes of unknown outcome return. Each read's
// call is moved staleness earlier: it may then have observed any state
// that was current at some point in [call-staleness, return].
func historyOps(calls []call, end, staleness time.Duration) []porcupine.Operation {
	var ops []porcupine.Operation
	for _, c := range calls {
		op := porcupine.Operation{ClientId: c.client, Call: int64(c.start), Return: int64(c.end)}
		switch c.kind {
		case opEnable, opDisable:
			if c.outcome == refused {
				continue
			}
			state := "Enabled"
			if c.kind == opDisable {
				state = "Disabled"
			}
			op.Input = stateOp{key: c.key, write: true, state: state}
			if c.outcome == unknown {
				op.Return = int64(end)
			}
		case opDescribe, opEncrypt:
			if c.state == "" {
				continue
			}
			op.Input = stateOp{key: c.key, state: c.state}
			op.Call -= int64(staleness)
		default:
			continue
		}
		ops = append(ops, op)
	}
	return ops
}

// checkHistory checks the history and, if it is not linearizable (or
// undecided), writes porcupine's visualization and returns an error naming
// the file.
func checkHistory(t *testing.T, calls []call, end, staleness time.Duration) error {
	t.Helper()
	ops := historyOps(calls, end, staleness)
	started := time.Now()
	res, info := porcupine.CheckOperationsVerbose(stateModel, ops, checkTimeout)
	t.Logf("checked the key-state history (%d operations, read staleness %s) in %s: %s", len(ops), staleness, time.Since(started).Round(time.Millisecond), res)
	if res == porcupine.Ok {
		return nil
	}
	path := visualizationPath(t)
	if err := porcupine.VisualizePath(stateModel, info, path); err != nil {
		return fmt.Errorf("the key-state history (%d operations) is %s (and its visualization could not be written: %v)", len(ops), res, err)
	}
	return fmt.Errorf("the key-state history (%d operations, read staleness %s) is %s; porcupine's visualization: %s", len(ops), staleness, res, path)
}

// visualizationPath is where a failed check's HTML goes: under
// $TRENT_TEST_ARTIFACTS if set, else in a directory kept after the test
// (a t.TempDir would be removed with the evidence).
func visualizationPath(t *testing.T) string {
	name := fmt.Sprintf("%s-%d.html", sanitize(t.Name()), os.Getpid())
	if dir := os.Getenv("TRENT_TEST_ARTIFACTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err == nil {
			return filepath.Join(dir, name)
		}
	}
	dir, err := os.MkdirTemp("", "trent-faults-history-")
	if err != nil {
		dir = t.TempDir()
	}
	return filepath.Join(dir, name)
}

func sanitize(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			b[i] = '_'
		}
	}
	return string(b)
}
