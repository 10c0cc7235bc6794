package keys

// RefusalKind is the kind of error a key state produces.
type RefusalKind int

const (
	// RefuseDisabled is DisabledException: "<arn> is disabled." (footnote 1)
	RefuseDisabled RefusalKind = iota + 1
	// RefuseInvalidState is KMSInvalidStateException naming the state:
	// "<arn> is pending deletion." and the like (footnotes 3, 5, 10, 11,
	// 14, 15).
	RefuseInvalidState
	// RefuseNotPendingDeletion is KMSInvalidStateException:
	// "<arn> is not pending deletion." (footnote 4)
	RefuseNotPendingDeletion
)

// Refusal says why a key state does not allow an operation.
type Refusal struct {
	Kind  RefusalKind
	State State
	// Footnote is the footnote of spec §3's table the refusal comes from,
	// or 0 when the table has no cell for the operation or the state
	// (refused so that a gap fails closed).
	Footnote int
}

// Message is the AWS error message for the refusal.
func (r *Refusal) Message(keyARN string) string {
	if r.Kind == RefuseNotPendingDeletion {
		return keyARN + " is not pending deletion."
	}
	return keyARN + " is " + r.State.phrase() + "."
}

// footnote is one cell of the state table: allowed, or the number of the
// footnote of shared/spec/README.md §3 whose refusal the state gives.
type footnote uint8

// allowed is a ✓ cell. It is not the zero value (enum zero values are
// invalid), so a zero cell has no refusal kind and refuses.
const allowed footnote = 255

// footnoteKinds is the refusal each footnote names, in the docs' wording:
//
//	1  DisabledException: "<arn> is disabled."
//	3  KMSInvalidStateException: "<arn> is pending deletion (or pending replica deletion)."
//	4  KMSInvalidStateException: "<arn> is not pending deletion (or pending replica deletion)."
//	5  KMSInvalidStateException: "<arn> is pending import."
//	10 KMSInvalidStateException: "<arn> is pending deletion." (UpdateAlias's new target)
//	11 KMSInvalidStateException: "<arn> is unavailable."
//	14 KMSInvalidStateException: "<arn> is creating."
//	15 KMSInvalidStateException: "<arn> is updating."
//
// Message names the key's actual state (spec §3 notes: presumably what AWS
// does), so "pending replica deletion" where that is the state, and says
// "is not pending deletion." for 4.
//
// Footnote 2 (DisabledException for a key pending deletion) is absent on
// purpose: every "✗2 or ✗3" cell is 3 (see stateTable).
// Footnotes 6 to 9 are type and origin rules the handlers check before the
// state; 12 and 13 qualify a success. None of them is a state refusal.
var footnoteKinds = map[footnote]RefusalKind{
	1:  RefuseDisabled,
	3:  RefuseInvalidState,
	4:  RefuseNotPendingDeletion,
	5:  RefuseInvalidState,
	10: RefuseInvalidState,
	11: RefuseInvalidState,
	14: RefuseInvalidState,
	15: RefuseInvalidState,
}

// refusal is the refusal of a cell's footnote for a key in state s. A
// footnote without a kind cannot happen (a test checks every cell) and is
// refused as an invalid state.
func (n footnote) refusal(s State) *Refusal {
	kind, ok := footnoteKinds[n]
	if !ok {
		kind = RefuseInvalidState
	}
	return &Refusal{Kind: kind, State: s, Footnote: int(n)}
}
