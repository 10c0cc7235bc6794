package keys

import "testing"

// The expectations below are the table of shared/spec/README.md §3 ("Key
// states of AWS KMS keys"), written out cell by cell: ok, D (DisabledException,
// footnote 1), S (KMSInvalidStateException naming the state), N (KMSInvalidState
// "is not pending deletion", footnote 4). Columns: Enabled, Disabled,
// PendingDeletion, PendingReplicaDeletion, PendingImport, Unavailable,
// Creating, Updating.
var stateColumns = []State{StateEnabled, StateDisabled, StatePendingDeletion, StatePendingReplicaDeletion,
	StatePendingImport, StateUnavailable, StateCreating, StateUpdating}

var stateTable = map[string][8]string{
	"Encrypt":                         {"ok", "D", "S", "S", "S", "S", "S", "ok"},
	"Decrypt":                         {"ok", "D", "S", "S", "S", "S", "S", "ok"},
	"ReEncrypt":                       {"ok", "D", "S", "S", "S", "S", "S", "ok"},
	"GenerateDataKey":                 {"ok", "D", "S", "S", "S", "S", "S", "ok"},
	"GenerateDataKeyWithoutPlaintext": {"ok", "D", "S", "S", "S", "S", "S", "ok"},
	"CreateGrant":                     {"ok", "D", "S", "S", "S", "ok", "S", "ok"},
	"EnableKey":                       {"ok", "ok", "S", "S", "S", "ok", "S", "S"},
	"DisableKey":                      {"ok", "ok", "S", "S", "S", "ok", "S", "S"},
	"EnableKeyRotation":               {"ok", "D", "S", "S", "S", "S", "S", "ok"},
	"DisableKeyRotation":              {"ok", "D", "S", "S", "S", "S", "S", "ok"},
	"GetKeyRotationStatus":            {"ok", "ok", "ok", "ok", "S", "S", "ok", "ok"},
	"RotateKeyOnDemand":               {"ok", "D", "S", "S", "S", "S", "S", "ok"},
	"ScheduleKeyDeletion":             {"ok", "ok", "S", "S", "ok", "ok", "ok", "S"},
	"CancelKeyDeletion":               {"N", "N", "ok", "ok", "N", "N", "N", "N"},
	"CreateAlias":                     {"ok", "ok", "S", "S", "ok", "ok", "ok", "ok"},
	"UpdateAlias":                     {"ok", "ok", "S", "S", "ok", "ok", "ok", "ok"},
	"TagResource":                     {"ok", "ok", "S", "S", "ok", "ok", "ok", "ok"},
	"UntagResource":                   {"ok", "ok", "S", "S", "ok", "ok", "ok", "ok"},
	"UpdateKeyDescription":            {"ok", "ok", "S", "S", "ok", "ok", "ok", "ok"},
	"DescribeKey":                     {"ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"},
	"GetKeyPolicy":                    {"ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"},
	"PutKeyPolicy":                    {"ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"},
	"ListKeyPolicies":                 {"ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"},
	"ListAliases":                     {"ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"},
	"ListResourceTags":                {"ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"},
	"DeleteAlias":                     {"ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"},
	"ListKeyRotations":                {"ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"},
	"GetKeyLastUsage":                 {"ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"},
}

func TestStateTable(t *testing.T) {
	for op, row := range stateTable {
		for i, s := range stateColumns {
			got := "ok"
			if r := CheckState(op, s); r != nil {
				switch r.Kind {
				case RefuseDisabled:
					got = "D"
				case RefuseInvalidState:
					got = "S"
				case RefuseNotPendingDeletion:
					got = "N"
				}
				if r.State != s {
					t.Errorf("%s in %s: refusal names state %s", op, s, r.State)
				}
			}
			if got != row[i] {
				t.Errorf("%s in %s: got %s, want %s", op, s, got, row[i])
			}
		}
	}
	for op := range operationClass {
		if _, ok := stateTable[op]; !ok {
			t.Errorf("operation %s has a state row but no test row", op)
		}
	}
}

func TestUnknownOperationFailsClosed(t *testing.T) {
	if CheckState("SomethingNew", StateEnabled) == nil {
		t.Fatal("an operation without a row must be refused")
	}
	if KnowsOperation("SomethingNew") || !KnowsOperation("Encrypt") {
		t.Fatal("KnowsOperation disagrees with the table")
	}
}

func TestRefusalMessages(t *testing.T) {
	arn := "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	cases := []struct {
		op    string
		state State
		want  string
	}{
		{"Encrypt", StateDisabled, arn + " is disabled."},
		{"Encrypt", StatePendingDeletion, arn + " is pending deletion."},
		{"Encrypt", StatePendingReplicaDeletion, arn + " is pending replica deletion."},
		{"Encrypt", StatePendingImport, arn + " is pending import."},
		{"Encrypt", StateUnavailable, arn + " is unavailable."},
		{"Encrypt", StateCreating, arn + " is creating."},
		{"EnableKey", StateUpdating, arn + " is updating."},
		{"CancelKeyDeletion", StateEnabled, arn + " is not pending deletion."},
	}
	for _, c := range cases {
		if got := CheckState(c.op, c.state).Message(arn); got != c.want {
			t.Errorf("%s in %s: %q, want %q", c.op, c.state, got, c.want)
		}
	}
}
