package keys

import (
	"slices"
	"testing"
)

// footnoteColumns says, from the footnote texts of spec §3, in which states
// each refusal footnote can stand: a footnote whose message names a state
// belongs in that state's column, and 4 ("not pending deletion") in any
// column but the pending-deletion ones.
var footnoteColumns = map[footnote][]State{
	1:  {StateDisabled},
	3:  {StatePendingDeletion, StatePendingReplicaDeletion},
	4:  {StateEnabled, StateDisabled, StatePendingImport, StateUnavailable, StateCreating, StateUpdating},
	5:  {StatePendingImport},
	10: {StatePendingDeletion, StatePendingReplicaDeletion},
	11: {StateUnavailable},
	14: {StateCreating},
	15: {StateUpdating},
}

func TestFootnotesStandInTheirColumns(t *testing.T) {
	for _, r := range stateTable {
		for i, n := range r.cells {
			if n == allowed {
				continue
			}
			s := stateColumns[i]
			if _, ok := footnoteKinds[n]; !ok {
				t.Errorf("%v in %s: footnote %d is not a state refusal", r.ops, s, n)
			}
			if !slices.Contains(footnoteColumns[n], s) {
				t.Errorf("%v in %s: footnote %d does not apply to that state", r.ops, s, n)
			}
			if got := CheckState(r.ops[0], s); got == nil || got.Footnote != int(n) {
				t.Errorf("%v in %s: refusal %+v does not cite footnote %d", r.ops, s, got, n)
			}
		}
	}
}
