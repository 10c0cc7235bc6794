package kms

import (
	"context"
	"errors"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/store"
)

// KeyLastUsage is the KeyLastUsage structure of GetKeyLastUsage.
type KeyLastUsage struct {
	Operation         string `json:"Operation,omitempty"`
	Timestamp         *Time  `json:"Timestamp,omitempty"`
	CloudTrailEventId string `json:"CloudTrailEventId,omitempty"`
	KmsRequestId      string `json:"KmsRequestId,omitempty"`
}

// GetKeyLastUsageOutput is the GetKeyLastUsage response.
type GetKeyLastUsageOutput struct {
	KeyId             string        `json:"KeyId"`
	KeyLastUsage      *KeyLastUsage `json:"KeyLastUsage,omitempty"`
	TrackingStartDate *Time         `json:"TrackingStartDate,omitempty"`
	KeyCreationDate   *Time         `json:"KeyCreationDate,omitempty"`
}

// GetKeyLastUsage reports the last successful cryptographic operation with a
// key. Trent tracks usage from the moment a key is created, so
// TrackingStartDate is the key's creation date.
func (s *Service) GetKeyLastUsage(ctx context.Context, in *KeyIDInput) (*GetKeyLastUsageOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var k *keys.Key
	var rec usageRecord
	found := false
	err = s.store.View(ctx, func(tx store.Tx) error {
		if k, err = s.openKey(ctx, tx, info, *in.KeyId, access{op: keys.OpGetKeyLastUsage, forms: keyIDOrARN}); err != nil {
			return err
		}
		rec, err = getRecord[usageRecord](tx, layout.Usage(k.Account, k.Region, k.ID))
		switch {
		case err == nil:
			found = true
		case errors.Is(err, store.ErrNotFound):
			err = nil
		}
		return err
	})
	if err != nil {
		return nil, storeErr(err)
	}
	if pending, ok := s.usage.lookup(layout.Usage(k.Account, k.Region, k.ID)); ok && (!found || pending.Time.After(rec.Time)) {
		rec, found = pending, true
	}
	out := &GetKeyLastUsageOutput{KeyId: k.ID, TrackingStartDate: timePtr(k.CreatedAt), KeyCreationDate: timePtr(k.CreatedAt)}
	if found {
		out.KeyLastUsage = &KeyLastUsage{Operation: rec.Operation, Timestamp: timePtr(rec.Time), CloudTrailEventId: rec.EventID, KmsRequestId: rec.RequestID}
	}
	return out, nil
}
