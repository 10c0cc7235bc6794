package keys

import "time"

// RotationType says how a material version came to be (the RotationType
// enum); empty for a key's first material.
type RotationType string

// Rotation types.
const (
	RotationAutomatic RotationType = "AUTOMATIC"
	RotationOnDemand  RotationType = "ON_DEMAND"
)

// Material is one version of a key's material. The material itself is only
// ever held sealed under the root key.
type Material struct {
	// Version numbers a key's materials from 1; ciphertexts name it.
	Version uint32 `json:"version"`
	// ID is the KeyMaterialId: 64 lowercase hex digits.
	ID string `json:"id"`
	// CreatedAt is when the material was generated (the rotation date of
	// a rotation).
	CreatedAt time.Time `json:"createdAt"`
	// RotationType is empty for the first material.
	RotationType RotationType `json:"rotationType,omitempty"`
	// Sealed is the material sealed by the root key, bound to the key ARN
	// and version. For imported material it is empty while the material
	// is deleted (DeleteImportedKeyMaterial, expiry), until the same
	// material is imported again.
	Sealed []byte `json:"sealed"`

	// Imported material only: its expiration (ValidTo zero when it does
	// not expire), the description given at import, and whether it waits
	// for RotateKeyOnDemand to become current (PENDING_ROTATION).
	ExpirationModel string    `json:"expirationModel,omitempty"`
	ValidTo         time.Time `json:"validTo,omitzero"`
	Description     string    `json:"description,omitempty"`
	PendingRotation bool      `json:"pendingRotation,omitempty"`
}

// Imported reports whether the material's bytes are held (always, for
// material Trent generated).
func (m *Material) Imported() bool { return m.Sealed != nil }
