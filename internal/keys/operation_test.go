package keys

import (
	"slices"
	"testing"
)

func TestOperationsListedOnce(t *testing.T) {
	ops := Operations()
	for i, op := range ops {
		if slices.Index(ops, op) != i {
			t.Errorf("operation %s listed twice", op)
		}
	}
	for _, op := range keyless {
		if !slices.Contains(ops, op) {
			t.Errorf("keyless operation %s is not in the list of operations", op)
		}
	}
}

// TestEveryOperationHasOneRowOrIsKeyless makes a missing row a failing
// test rather than an operation refused in every state.
func TestEveryOperationHasOneRowOrIsKeyless(t *testing.T) {
	rows := map[Operation]int{}
	for _, r := range stateTable {
		for _, op := range r.ops {
			rows[op]++
		}
	}
	for _, op := range Operations() {
		switch n := rows[op]; {
		case op.Keyless() && n > 0:
			t.Errorf("%s is declared keyless but has a state row", op)
		case !op.Keyless() && n == 0:
			t.Errorf("%s has no state row: add it to a row of stateTable, or to keyless if it names no key", op)
		case n > 1:
			t.Errorf("%s is in %d state rows", op, n)
		}
	}
	for op := range rows {
		if !slices.Contains(Operations(), op) {
			t.Errorf("state row names %s, which is not in the list of operations", op)
		}
	}
}
