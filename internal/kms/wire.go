package kms

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/trent-kms/trent/internal/keys"
)

// Wire structs are Trent's own, not the SDK's: AWS JSON 1.1 sends
// timestamps as epoch seconds, absent and zero must be told apart (pointers
// and omitempty), and secrets are tagged so the audit log leaves them out.

// Time is a timestamp on the wire: a JSON number of epoch seconds with a
// millisecond fraction, e.g. 1593622000.191.
type Time time.Time

// MarshalJSON implements json.Marshaler.
func (t Time) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	if ms%1000 == 0 {
		return strconv.AppendInt(nil, ms/1000, 10), nil
	}
	return fmt.Appendf(nil, "%d.%03d", ms/1000, ms%1000), nil
}

// UnmarshalJSON implements json.Unmarshaler (epoch seconds, fraction allowed).
func (t *Time) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("timestamp must be a number of epoch seconds")
	}
	sec := int64(f)
	*t = Time(time.Unix(sec, int64((f-float64(sec))*1e9)).UTC())
	return nil
}

// timePtr returns nil for the zero time so the member is omitted.
func timePtr(t time.Time) *Time {
	if t.IsZero() {
		return nil
	}
	wt := Time(t)
	return &wt
}

// Tag is a key tag.
type Tag struct {
	TagKey   *string `json:"TagKey,omitempty"`
	TagValue *string `json:"TagValue,omitempty"`
}

// KeyMetadata is the KeyMetadata structure of DescribeKey and CreateKey.
type KeyMetadata struct {
	AWSAccountId                string   `json:"AWSAccountId,omitempty"`
	KeyId                       string   `json:"KeyId"`
	Arn                         string   `json:"Arn,omitempty"`
	CreationDate                *Time    `json:"CreationDate,omitempty"`
	Enabled                     bool     `json:"Enabled"`
	Description                 string   `json:"Description"`
	KeyUsage                    string   `json:"KeyUsage,omitempty"`
	KeyState                    string   `json:"KeyState,omitempty"`
	DeletionDate                *Time    `json:"DeletionDate,omitempty"`
	ValidTo                     *Time    `json:"ValidTo,omitempty"`
	Origin                      string   `json:"Origin,omitempty"`
	ExpirationModel             string   `json:"ExpirationModel,omitempty"`
	KeyManager                  string   `json:"KeyManager,omitempty"`
	CustomerMasterKeySpec       string   `json:"CustomerMasterKeySpec,omitempty"`
	KeySpec                     string   `json:"KeySpec,omitempty"`
	EncryptionAlgorithms        []string `json:"EncryptionAlgorithms,omitempty"`
	SigningAlgorithms           []string `json:"SigningAlgorithms,omitempty"`
	MacAlgorithms               []string `json:"MacAlgorithms,omitempty"`
	KeyAgreementAlgorithms      []string `json:"KeyAgreementAlgorithms,omitempty"`
	EncapsulationAlgorithms     []string `json:"EncapsulationAlgorithms,omitempty"`
	MultiRegion                 *bool    `json:"MultiRegion,omitempty"`
	PendingDeletionWindowInDays *int     `json:"PendingDeletionWindowInDays,omitempty"`
	CurrentKeyMaterialId        string   `json:"CurrentKeyMaterialId,omitempty"`
}

// metadata renders a key as KeyMetadata.
func metadata(k *keys.Key) *KeyMetadata {
	multiRegion := k.MultiRegion
	// The deprecated CustomerMasterKeySpec repeats KeySpec for every spec,
	// the newer ones (Ed25519, ML-DSA, ML-KEM) too, whose values its frozen
	// enum lacks (unverified: no recorded response).
	md := &KeyMetadata{
		AWSAccountId:          k.Account,
		KeyId:                 k.ID,
		Arn:                   k.ARN(),
		CreationDate:          timePtr(k.CreatedAt),
		Enabled:               k.Enabled(),
		Description:           k.Description,
		KeyUsage:              string(k.Usage),
		KeyState:              string(k.State),
		Origin:                string(k.Origin),
		KeyManager:            string(k.Manager),
		CustomerMasterKeySpec: string(k.Spec),
		KeySpec:               string(k.Spec),
		MultiRegion:           &multiRegion,
		CurrentKeyMaterialId:  k.CurrentMaterialID,
	}
	setAlgorithms(k, &md.EncryptionAlgorithms, &md.SigningAlgorithms, &md.MacAlgorithms,
		&md.KeyAgreementAlgorithms, &md.EncapsulationAlgorithms)
	if !k.SpecInfo().Rotates {
		// AWS reports CurrentKeyMaterialId for symmetric encryption keys
		// only (spec §8, KeyMetadata).
		md.CurrentKeyMaterialId = ""
	}
	if k.State.PendingDeletion() {
		md.DeletionDate = timePtr(k.DeletionDate)
	}
	if k.State == keys.StatePendingReplicaDeletion {
		days := k.PendingWindowDays
		md.PendingDeletionWindowInDays = &days
	}
	if k.Origin == keys.OriginExternal {
		md.ExpirationModel = k.ExpirationModel
		md.ValidTo = timePtr(k.ValidTo)
	}
	return md
}

// setAlgorithms fills the algorithm list of k's usage (one of the five
// pointers, in the order of the parameters) from the key-spec table;
// KeyMetadata and GetPublicKey report only the list of the key's usage.
func setAlgorithms(k *keys.Key, encryption, signing, mac, agreement, encapsulation *[]string) {
	spec := k.SpecInfo()
	algs := slices.Clone(spec.Algorithms(k.Usage))
	switch k.Usage {
	case keys.UsageEncryptDecrypt:
		*encryption = algs
	case keys.UsageSignVerify:
		*signing = algs
	case keys.UsageGenerateVerifyMAC:
		*mac = algs
	case keys.UsageKeyAgreement:
		*agreement = algs
	case keys.UsageEncapsulateDecapsulate:
		*encapsulation = algs
	}
}
