package keys

// The key-state × operation table of "Key states of AWS KMS keys"
// (https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html),
// as digested in shared/spec/README.md §3, written as data: one row per
// group of operations the spec puts in one row, one cell per key state,
// each cell allowed or the footnote whose refusal the state gives. One
// table, consulted by every operation, instead of per-call flags.

// stateColumns are the table's columns: the spec's, with PendingDeletion
// and PendingReplicaDeletion (one column there) apart.
var stateColumns = [...]State{
	StateEnabled, StateDisabled, StatePendingDeletion, StatePendingReplicaDeletion,
	StatePendingImport, StateUnavailable, StateCreating, StateUpdating,
}

// stateRow is one row: its operations and a cell per column.
type stateRow struct {
	ops   []Operation
	cells [len(stateColumns)]footnote
}

// stateTable holds a row for every operation Trent serves except the
// keyless ones. Spec rows for operations Trent does not serve yet
// (ReplicateKey, UpdatePrimaryRegion, ...) come with them.
var stateTable = []stateRow{
	// Columns: Enabled, Disabled, PendingDeletion, PendingReplicaDeletion,
	// PendingImport, Unavailable, Creating, Updating. [...] makes a row
	// with a cell too few or too many fail to compile.
	//
	// The spec's "✗2 or ✗3" is 3, here and in every row: AWS was recorded
	// returning KMSInvalidStateException (3) for GenerateDataKey on a key
	// pending deletion. ReEncrypt applies the row to its source and to its
	// destination key.
	{[]Operation{OpEncrypt, OpDecrypt, OpReEncrypt, OpGenerateDataKey, OpGenerateDataKeyWithoutPlaintext,
		OpGenerateDataKeyPair, OpGenerateDataKeyPairWithoutPlaintext},
		[...]footnote{allowed, 1, 3, 3, 5, 11, 14, allowed}},
	// The spec's "—" under PendingImport and Unavailable predates imported
	// asymmetric and HMAC material and custom key stores for them; a key
	// in either state gets the crypto row's 5 and 11 (spec §3 notes).
	// DeriveSharedSecret is a derived (†) row of the same shape, and
	// Encapsulate and Decapsulate are "as Sign".
	{[]Operation{OpSign, OpVerify, OpGenerateMac, OpVerifyMac, OpGetPublicKey,
		OpDeriveSharedSecret, OpEncapsulate, OpDecapsulate},
		[...]footnote{allowed, 1, 3, 3, 5, 11, 14, allowed}},
	// Unavailable is ✓12: it succeeds, and the state changes once the key
	// is available again.
	{[]Operation{OpEnableKey, OpDisableKey},
		[...]footnote{allowed, allowed, 3, 3, 5, allowed, 14, 15}},
	// The spec's 6 and 7 ("?7", "✗1 or ✗7", "✗3 or ✗7", "✗6", "✗7") are
	// type and origin rules the handler checks before the state (spec §3
	// notes: type/origin first), so a key that reaches this table is
	// symmetric with AWS_KMS material. A PendingImport key is always
	// EXTERNAL and an Unavailable one is in a custom key store, so 5 and 11
	// there only keep the cells closed behind that check.
	{[]Operation{OpEnableKeyRotation, OpDisableKeyRotation},
		[...]footnote{allowed, 1, 3, 3, 5, 11, 14, allowed}},
	// As above: "?7" is allowed once the origin check has passed; 5 and 11
	// stand behind the checks that give 6 and 7.
	{[]Operation{OpGetKeyRotationStatus},
		[...]footnote{allowed, allowed, allowed, allowed, 5, 11, allowed, allowed}},
	// Not on the docs page: 1 and 5 are recorded, 3, 14 and Updating
	// unverified (Updating follows the crypto row). An Unavailable key is in
	// a custom key store, which the docs say is unsupported and the handler
	// refuses by origin before the state; 11 keeps the cell closed.
	{[]Operation{OpRotateKeyOnDemand},
		[...]footnote{allowed, 1, 3, 3, 5, 11, 14, allowed}},
	// The spec's 8 and 9 are origin rules the handlers check before the
	// state (a key that reaches the table is EXTERNAL), so "?9" is allowed
	// and "✗8 or ✗9" under PendingDeletion is 8, KMSInvalidStateException
	// naming the state, as 3 does. An Unavailable key is in a custom key
	// store and never EXTERNAL; 11 keeps the cell closed.
	{[]Operation{OpGetParametersForImport},
		[...]footnote{allowed, allowed, 3, 3, allowed, 11, 14, 15}},
	{[]Operation{OpImportKeyMaterial},
		[...]footnote{allowed, allowed, 3, 3, allowed, 11, 14, allowed}},
	// "✓9" everywhere it applies; in PendingImport it has no effect.
	{[]Operation{OpDeleteImportedKeyMaterial},
		[...]footnote{allowed, allowed, allowed, allowed, allowed, 11, 14, 15}},
	// A second ScheduleKeyDeletion on a pending key is 3 (recorded).
	{[]Operation{OpScheduleKeyDeletion},
		[...]footnote{allowed, allowed, 3, 3, allowed, allowed, allowed, 15}},
	// Unavailable is "✗4, 13": a custom-key-store key pending deletion
	// stays PendingDeletion while unavailable, so it can be cancelled.
	{[]Operation{OpCancelKeyDeletion},
		[...]footnote{4, 4, allowed, allowed, 4, 4, 4, 4}},
	{[]Operation{OpCreateAlias, OpTagResource, OpUntagResource, OpUpdateKeyDescription},
		[...]footnote{allowed, allowed, 3, 3, allowed, allowed, allowed, allowed}},
	// "?10": the handler checks the new target only; the key the alias
	// leaves may be pending deletion.
	{[]Operation{OpUpdateAlias},
		[...]footnote{allowed, allowed, 10, 10, allowed, allowed, allowed, allowed}},
	// CreateGrant is the crypto row except Unavailable, where it succeeds
	// (spec §3: ✓ ✗1 ✗2-or-3 ✗5 ✓ ✗14 ✓).
	{[]Operation{OpCreateGrant},
		[...]footnote{allowed, 1, 3, 3, 5, allowed, 14, allowed}},
	{[]Operation{OpDescribeKey, OpGetKeyPolicy, OpPutKeyPolicy, OpListKeyPolicies, OpListAliases,
		OpListResourceTags, OpDeleteAlias, OpListGrants, OpRetireGrant, OpRevokeGrant},
		[...]footnote{allowed, allowed, allowed, allowed, allowed, allowed, allowed, allowed}},
	// Not on the docs page (unverified): reading a key's history and last
	// use is allowed in every state, as DescribeKey is.
	{[]Operation{OpListKeyRotations, OpGetKeyLastUsage},
		[...]footnote{allowed, allowed, allowed, allowed, allowed, allowed, allowed, allowed}},
}

// rowOf indexes stateTable by operation for CheckState, which every
// request on a key calls. A test checks no operation is in two rows.
var rowOf = func() map[Operation]*stateRow {
	m := map[Operation]*stateRow{}
	for i := range stateTable {
		for _, op := range stateTable[i].ops {
			m[op] = &stateTable[i]
		}
	}
	return m
}()

// column is the index of s in stateColumns, or -1 for a state the table
// does not know.
func column(s State) int {
	for i, c := range stateColumns {
		if c == s {
			return i
		}
	}
	return -1
}

// CheckState returns nil if a key in state s allows operation op, else the
// refusal. An operation without a row (a keyless one, or one whose row was
// forgotten) and a state without a column are refused with
// RefuseInvalidState, so a gap fails closed; a test checks every operation
// Trent serves has a row or is declared keyless.
func CheckState(op Operation, s State) *Refusal {
	row, ok := rowOf[op]
	i := column(s)
	if !ok || i < 0 {
		return &Refusal{Kind: RefuseInvalidState, State: s}
	}
	if n := row.cells[i]; n != allowed {
		return n.refusal(s)
	}
	return nil
}
