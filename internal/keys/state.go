package keys

// State is a key state (the KeyState enum of the KMS API). The zero value is
// invalid.
type State string

// Key states. Source: "Key states of AWS KMS keys",
// https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html
const (
	StateEnabled                State = "Enabled"
	StateDisabled               State = "Disabled"
	StatePendingDeletion        State = "PendingDeletion"
	StatePendingImport          State = "PendingImport"
	StatePendingReplicaDeletion State = "PendingReplicaDeletion"
	StateUnavailable            State = "Unavailable"
	StateCreating               State = "Creating"
	StateUpdating               State = "Updating"
)

// Valid reports whether s is one of the defined states.
func (s State) Valid() bool {
	switch s {
	case StateEnabled, StateDisabled, StatePendingDeletion, StatePendingImport,
		StatePendingReplicaDeletion, StateUnavailable, StateCreating, StateUpdating:
		return true
	}
	return false
}

// PendingDeletion reports whether the key is waiting to be deleted.
func (s State) PendingDeletion() bool {
	return s == StatePendingDeletion || s == StatePendingReplicaDeletion
}

// phrase is how AWS error messages name the state: "<arn> is <phrase>."
func (s State) phrase() string {
	switch s {
	case StateEnabled:
		return "enabled"
	case StateDisabled:
		return "disabled"
	case StatePendingDeletion:
		return "pending deletion"
	case StatePendingReplicaDeletion:
		return "pending replica deletion"
	case StatePendingImport:
		return "pending import"
	case StateUnavailable:
		return "unavailable"
	case StateCreating:
		return "creating"
	case StateUpdating:
		return "updating"
	}
	return string(s)
}
