package keys

import "time"

// Rotation period bounds and defaults (EnableKeyRotation,
// RotationPeriodInDays: 90..2560, default 365).
const (
	MinRotationPeriodDays     = 90
	MaxRotationPeriodDays     = 2560
	DefaultRotationPeriodDays = 365
	// MaxOnDemandRotations is the per-key quota of RotateKeyOnDemand
	// (docs "Resource quotas": 25, not adjustable).
	MaxOnDemandRotations = 25
	// AutomaticRotationConflictWindow: RotateKeyOnDemand fails with
	// ConflictException when an automatic rotation is due this soon.
	AutomaticRotationConflictWindow = 20 * time.Minute
)

// Deletion waiting period bounds and default (ScheduleKeyDeletion).
const (
	MinPendingWindowDays     = 7
	MaxPendingWindowDays     = 30
	DefaultPendingWindowDays = 30
)

// Day is the unit of rotation periods and deletion windows.
const Day = 24 * time.Hour

// Key is a KMS key's metadata. Key material is kept apart, one Material
// record per version, so that the hot record stays small.
type Key struct {
	ID          string    `json:"id"`
	Account     string    `json:"account"`
	Region      string    `json:"region"`
	CreatedAt   time.Time `json:"createdAt"`
	Description string    `json:"description"`
	Spec        KeySpec   `json:"spec"`
	Usage       KeyUsage  `json:"usage"`
	Origin      Origin    `json:"origin"`
	Manager     Manager   `json:"manager"`
	State       State     `json:"state"`
	MultiRegion bool      `json:"multiRegion,omitempty"`
	// ExpirationModel is set for EXTERNAL keys once material is imported.
	ExpirationModel string `json:"expirationModel,omitempty"`
	// ValidTo is when the current imported material expires
	// (KEY_MATERIAL_EXPIRES); zero when it does not, or when the key has no
	// material.
	ValidTo time.Time `json:"validTo,omitzero"`
	// NextExpiry is the earliest ValidTo of the key's imported materials
	// (the current one and any other), when the scheduler has work.
	NextExpiry time.Time `json:"nextExpiry,omitzero"`

	// DeletionDate and PendingWindowDays are set while the key is pending
	// deletion.
	DeletionDate      time.Time `json:"deletionDate,omitzero"`
	PendingWindowDays int       `json:"pendingWindowDays,omitempty"`

	Rotation Rotation `json:"rotation"`

	// CurrentMaterial is the version of the material new ciphertexts use;
	// 0 means the key has no material (EXTERNAL origin, pending import).
	CurrentMaterial uint32 `json:"currentMaterial"`
	// CurrentMaterialID is that material's KeyMaterialId.
	CurrentMaterialID string `json:"currentMaterialId,omitempty"`
	// MaterialCount is the number of material versions (1..N).
	MaterialCount uint32 `json:"materialCount"`
	// CurrentMissing: the current material is imported material that was
	// deleted (DeleteImportedKeyMaterial, expiry); the key cannot use it
	// until the same material is imported again.
	CurrentMissing bool `json:"currentMissing,omitempty"`

	// PolicyRevision counts the key's PutKeyPolicy calls. It changes in
	// the transaction that writes the policy, so a compiled policy cached
	// under (key, revision) is never stale; keys written before it existed
	// read as revision 0, which is as good a revision as any.
	PolicyRevision uint64 `json:"policyRevision,omitempty"`

	// arn is the ARN, kept by CacheARN for a record that is read many
	// times; empty otherwise (ARN then builds it).
	arn string
}

// Rotation is a key's rotation configuration and schedule.
type Rotation struct {
	// Enabled is automatic rotation.
	Enabled bool `json:"enabled,omitempty"`
	// PeriodDays is the automatic rotation period; kept after rotation is
	// disabled so that GetKeyRotationStatus can report it.
	PeriodDays int `json:"periodDays,omitempty"`
	// Since is when the current automatic rotation period started: the
	// date rotation was enabled, or of the last automatic rotation.
	Since time.Time `json:"since,omitzero"`
	// Next is when the next automatic rotation is due (zero when automatic
	// rotation is off): Since plus the period.
	Next time.Time `json:"next,omitzero"`
	// OnDemandStarted is when an on-demand rotation still in progress was
	// requested (zero when none is in progress).
	OnDemandStarted time.Time `json:"onDemandStarted,omitzero"`
	// OnDemandCount counts on-demand rotations, against the quota.
	OnDemandCount int `json:"onDemandCount,omitempty"`
}

// ARN returns the key ARN.
func (k *Key) ARN() string {
	if k.arn != "" {
		return k.arn
	}
	return KeyARN(k.Region, k.Account, k.ID)
}

// CacheARN builds the ARN once and keeps it, so that ARN and the copies
// of k made afterwards do not build it again: a request names its key's
// ARN several times (the audit record, the policy's resource, the
// response). A key's ID, account and Region never change.
func (k *Key) CacheARN() { k.arn = KeyARN(k.Region, k.Account, k.ID) }

// Enabled is KeyMetadata.Enabled: true only in state Enabled.
func (k *Key) Enabled() bool { return k.State == StateEnabled }

// HasMaterial reports whether the key has usable current material.
func (k *Key) HasMaterial() bool { return k.CurrentMaterial != 0 && !k.CurrentMissing }

// AWSManaged reports whether AWS (here: Trent on a service's behalf)
// manages the key.
func (k *Key) AWSManaged() bool { return k.Manager == ManagerAWS }

// Due lists what the scheduler must do for a key and when.
type Due struct {
	// Deletion is when the key is deleted (zero: not pending deletion).
	Deletion time.Time
	// Rotation is when the next rotation (automatic or on-demand) runs
	// (zero: none scheduled or the key cannot rotate in its state).
	Rotation time.Time
	// Expiry is when imported material expires and is deleted (zero:
	// none), whatever the key's state.
	Expiry time.Time
}

// Due returns the key's scheduled work. Imported material expires at its
// ValidTo in any state (AWS deletes it from a disabled or pending-deletion
// key too). Rotation is only due while the key is Enabled: AWS does not rotate disabled or pending-deletion keys, and
// rotates a key whose date passed while it was disabled once it is enabled
// again. An on-demand rotation in progress is due at once.
func (k *Key) Due() Due {
	var d Due
	if k.State.PendingDeletion() {
		d.Deletion = k.DeletionDate
	}
	d.Expiry = k.NextExpiry
	if k.State == StateEnabled {
		switch {
		case !k.Rotation.OnDemandStarted.IsZero():
			d.Rotation = k.Rotation.OnDemandStarted
		case k.Rotation.Enabled:
			d.Rotation = k.Rotation.Next
		}
	}
	return d
}
