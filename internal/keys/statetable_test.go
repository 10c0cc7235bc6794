package keys

import (
	"slices"
	"testing"
)

// The expectations below are the table of shared/spec/README.md §3 ("Key
// states of AWS KMS keys"), written out cell by cell: ok, D (DisabledException,
// footnote 1), S (KMSInvalidStateException naming the state), N (KMSInvalidState
// "is not pending deletion", footnote 4). Columns: Enabled, Disabled,
// PendingDeletion, PendingReplicaDeletion, PendingImport, Unavailable,
// Creating, Updating. They are written apart from the table in
// statetable.go, so a slip in its data shows here.
var expectationColumns = []State{StateEnabled, StateDisabled, StatePendingDeletion, StatePendingReplicaDeletion,
	StatePendingImport, StateUnavailable, StateCreating, StateUpdating}

var stateExpectations = map[Operation][8]string{
	"Encrypt":                             {"ok", "D", "S", "S", "S", "S", "S", "ok"},
	"Decrypt":                             {"ok", "D", "S", "S", "S", "S", "S", "ok"},
	"ReEncrypt":                           {"ok", "D", "S", "S", "S", "S", "S", "ok"},
	"GenerateDataKey":                     {"ok", "D", "S", "S", "S", "S", "S", "ok"},
	"GenerateDataKeyWithoutPlaintext":     {"ok", "D", "S", "S", "S", "S", "S", "ok"},
	"GenerateDataKeyPair":                 {"ok", "D", "S", "S", "S", "S", "S", "ok"},
	"GenerateDataKeyPairWithoutPlaintext": {"ok", "D", "S", "S", "S", "S", "S", "ok"},
	"GetPublicKey":                        {"ok", "D", "S", "S", "S", "S", "S", "ok"},
	"Sign":                                {"ok", "D", "S", "S", "S", "S", "S", "ok"},
	"Verify":                              {"ok", "D", "S", "S", "S", "S", "S", "ok"},
	"GenerateMac":                         {"ok", "D", "S", "S", "S", "S", "S", "ok"},
	"VerifyMac":                           {"ok", "D", "S", "S", "S", "S", "S", "ok"},
	"DeriveSharedSecret":                  {"ok", "D", "S", "S", "S", "S", "S", "ok"},
	"Encapsulate":                         {"ok", "D", "S", "S", "S", "S", "S", "ok"},
	"Decapsulate":                         {"ok", "D", "S", "S", "S", "S", "S", "ok"},
	"GetParametersForImport":              {"ok", "ok", "S", "S", "ok", "S", "S", "S"},
	"ImportKeyMaterial":                   {"ok", "ok", "S", "S", "ok", "S", "S", "ok"},
	"DeleteImportedKeyMaterial":           {"ok", "ok", "ok", "ok", "ok", "S", "S", "S"},
	"EnableKey":                           {"ok", "ok", "S", "S", "S", "ok", "S", "S"},
	"DisableKey":                          {"ok", "ok", "S", "S", "S", "ok", "S", "S"},
	"EnableKeyRotation":                   {"ok", "D", "S", "S", "S", "S", "S", "ok"},
	"DisableKeyRotation":                  {"ok", "D", "S", "S", "S", "S", "S", "ok"},
	"GetKeyRotationStatus":                {"ok", "ok", "ok", "ok", "S", "S", "ok", "ok"},
	"RotateKeyOnDemand":                   {"ok", "D", "S", "S", "S", "S", "S", "ok"},
	"ScheduleKeyDeletion":                 {"ok", "ok", "S", "S", "ok", "ok", "ok", "S"},
	"CancelKeyDeletion":                   {"N", "N", "ok", "ok", "N", "N", "N", "N"},
	"CreateAlias":                         {"ok", "ok", "S", "S", "ok", "ok", "ok", "ok"},
	"UpdateAlias":                         {"ok", "ok", "S", "S", "ok", "ok", "ok", "ok"},
	"TagResource":                         {"ok", "ok", "S", "S", "ok", "ok", "ok", "ok"},
	"UntagResource":                       {"ok", "ok", "S", "S", "ok", "ok", "ok", "ok"},
	"UpdateKeyDescription":                {"ok", "ok", "S", "S", "ok", "ok", "ok", "ok"},
	"DescribeKey":                         {"ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"},
	"GetKeyPolicy":                        {"ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"},
	"PutKeyPolicy":                        {"ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"},
	"ListKeyPolicies":                     {"ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"},
	"ListAliases":                         {"ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"},
	"ListResourceTags":                    {"ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"},
	"DeleteAlias":                         {"ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"},
	"ListKeyRotations":                    {"ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"},
	"GetKeyLastUsage":                     {"ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"},
	"CreateGrant":                         {"ok", "D", "S", "S", "S", "ok", "S", "ok"},
	"ListGrants":                          {"ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"},
	"RetireGrant":                         {"ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"},
	"RevokeGrant":                         {"ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"},
}

func TestStateTable(t *testing.T) {
	for op, row := range stateExpectations {
		for i, s := range expectationColumns {
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
	for _, op := range Operations() {
		if _, ok := stateExpectations[op]; !ok && !op.Keyless() {
			t.Errorf("operation %s has no test row", op)
		}
	}
	for op := range stateExpectations {
		if !slices.Contains(Operations(), op) {
			t.Errorf("test row for %s, which is not in the list of operations", op)
		}
	}
}

func TestUnknownOperationFailsClosed(t *testing.T) {
	for _, op := range []Operation{"SomethingNew", OpListKeys, OpGenerateRandom, OpCreateKey} {
		if CheckState(op, StateEnabled) == nil {
			t.Errorf("%s has no row and must be refused", op)
		}
	}
	if CheckState(OpDescribeKey, "Vanished") == nil {
		t.Error("a state without a column must be refused")
	}
}

func TestRefusalMessages(t *testing.T) {
	arn := "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	cases := []struct {
		op    Operation
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
