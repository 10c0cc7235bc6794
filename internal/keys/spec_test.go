package keys

import "testing"

// TestSpecInfoOfAnUnknownSpec: a key whose spec is not in the table (a
// record from a newer version) gets an empty entry, which allows nothing,
// instead of nil.
func TestSpecInfoOfAnUnknownSpec(t *testing.T) {
	k := &Key{Spec: "FUTURE_SPEC", Usage: UsageSignVerify}
	info := k.SpecInfo()
	if info == nil || info.Allows(UsageSignVerify) || info.Rotates || info.Pair || len(info.Algorithms(UsageSignVerify)) != 0 {
		t.Errorf("unknown spec: got %+v, want an empty entry", info)
	}
	if got := (&Key{Spec: SpecSymmetricDefault}).SpecInfo(); got != Spec(SpecSymmetricDefault) {
		t.Errorf("known spec: got %+v, want the table's entry", got)
	}
}
