package keys

// The key-state × operation table of "Key states of AWS KMS keys"
// (https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html),
// as digested in shared/spec/README.md §3. One table, consulted by every
// operation, instead of per-call flags.

// RefusalKind is the kind of error a key state produces.
type RefusalKind int

const (
	// RefuseDisabled is DisabledException: "<arn> is disabled." (footnote 1)
	RefuseDisabled RefusalKind = iota + 1
	// RefuseInvalidState is KMSInvalidStateException naming the state:
	// "<arn> is pending deletion." and the like (footnotes 3, 5, 11, 14, 15).
	RefuseInvalidState
	// RefuseNotPendingDeletion is KMSInvalidStateException:
	// "<arn> is not pending deletion." (footnote 4)
	RefuseNotPendingDeletion
)

// Refusal says why a key state does not allow an operation.
type Refusal struct {
	Kind  RefusalKind
	State State
}

// Message is the AWS error message for the refusal.
func (r *Refusal) Message(keyARN string) string {
	if r.Kind == RefuseNotPendingDeletion {
		return keyARN + " is not pending deletion."
	}
	return keyARN + " is " + r.State.phrase() + "."
}

// stateClass groups the operations that share a row of the table.
type stateClass int

const (
	classAnyState stateClass = iota + 1
	classCrypto
	classCreateGrant
	classEnableDisable
	classRotationConfig
	classRotationStatus
	classRotateOnDemand
	classScheduleDeletion
	classCancelDeletion
	classModify
)

var operationClass = map[string]stateClass{
	"Encrypt":                         classCrypto,
	"Decrypt":                         classCrypto,
	"ReEncrypt":                       classCrypto,
	"GenerateDataKey":                 classCrypto,
	"GenerateDataKeyWithoutPlaintext": classCrypto,
	"CreateGrant":                     classCreateGrant,
	"EnableKey":                       classEnableDisable,
	"DisableKey":                      classEnableDisable,
	"EnableKeyRotation":               classRotationConfig,
	"DisableKeyRotation":              classRotationConfig,
	"GetKeyRotationStatus":            classRotationStatus,
	"RotateKeyOnDemand":               classRotateOnDemand,
	"ScheduleKeyDeletion":             classScheduleDeletion,
	"CancelKeyDeletion":               classCancelDeletion,
	"CreateAlias":                     classModify,
	"UpdateAlias":                     classModify, // applies to the new target key (footnote 10)
	"TagResource":                     classModify,
	"UntagResource":                   classModify,
	"UpdateKeyDescription":            classModify,
	"DescribeKey":                     classAnyState,
	"GetKeyPolicy":                    classAnyState,
	"PutKeyPolicy":                    classAnyState,
	"ListKeyPolicies":                 classAnyState,
	"ListAliases":                     classAnyState,
	"ListResourceTags":                classAnyState,
	"DeleteAlias":                     classAnyState,
	"ListKeyRotations":                classAnyState,
	"GetKeyLastUsage":                 classAnyState,
}

// CheckState returns nil if a key in state s allows operation op, else the
// refusal. An operation missing from the table is refused with
// RefuseInvalidState so that a forgotten row fails closed; a test checks
// every operation the service implements has a row.
func CheckState(op string, s State) *Refusal {
	class, ok := operationClass[op]
	if !ok {
		return &Refusal{Kind: RefuseInvalidState, State: s}
	}
	invalid := &Refusal{Kind: RefuseInvalidState, State: s}
	switch class {
	case classAnyState:
		return nil
	case classCancelDeletion:
		if s.PendingDeletion() {
			return nil
		}
		return &Refusal{Kind: RefuseNotPendingDeletion, State: s}
	}
	// The rows below differ only in a few cells; Updating allows everything
	// except enable/disable and scheduling deletion.
	switch s {
	case StateEnabled:
		return nil
	case StateDisabled:
		switch class {
		case classCrypto, classCreateGrant, classRotationConfig, classRotateOnDemand:
			return &Refusal{Kind: RefuseDisabled, State: s}
		}
		return nil
	case StatePendingDeletion, StatePendingReplicaDeletion:
		// Footnote "2 or 3": AWS was recorded returning
		// KMSInvalidStateException (3), so every such cell is 3.
		if class == classRotationStatus {
			return nil
		}
		return invalid
	case StatePendingImport:
		switch class {
		case classScheduleDeletion, classModify:
			return nil
		}
		return invalid
	case StateUnavailable:
		switch class {
		case classCreateGrant, classEnableDisable, classScheduleDeletion, classModify:
			return nil
		}
		return invalid
	case StateCreating:
		switch class {
		case classScheduleDeletion, classModify, classRotationStatus:
			return nil
		}
		return invalid
	case StateUpdating:
		switch class {
		case classEnableDisable, classScheduleDeletion:
			return invalid
		}
		return nil
	}
	return invalid
}

// KnowsOperation reports whether op has a row in the state table.
func KnowsOperation(op string) bool {
	_, ok := operationClass[op]
	return ok
}
