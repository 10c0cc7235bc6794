package kms

import (
	"context"
	"io"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
)

// GenerateRandomInput is the GenerateRandom request.
type GenerateRandomInput struct {
	NumberOfBytes    *int32         `json:"NumberOfBytes,omitempty"`
	CustomKeyStoreId *string        `json:"CustomKeyStoreId,omitempty"`
	Recipient        *RecipientInfo `json:"Recipient,omitempty"`
}

// GenerateRandomOutput is the GenerateRandom response.
type GenerateRandomOutput struct {
	Plaintext []byte `json:"Plaintext" audit:"-"`
}

// GenerateRandom returns 1..1024 random bytes from the operating system's
// CSPRNG.
func (s *Service) GenerateRandom(ctx context.Context, in *GenerateRandomInput) (*GenerateRandomOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	v.intRange("numberOfBytes", in.NumberOfBytes, 1, 1024)
	v.length("customKeyStoreId", in.CustomKeyStoreId, 1, 64)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.authorizeAccount(info, keys.OpGenerateRandom, nil); err != nil {
		return nil, err
	}
	// Optional in the model, required in practice (recorded AWS message).
	if in.NumberOfBytes == nil {
		return nil, kmserr.Validation("NumberOfBytes is required.")
	}
	if in.CustomKeyStoreId != nil {
		return nil, kmserr.CustomKeyStoreNotFound(*in.CustomKeyStoreId)
	}
	if err := refuseRecipient(in.Recipient != nil); err != nil {
		return nil, err
	}
	b := make([]byte, *in.NumberOfBytes)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return nil, kmserr.Internal(err)
	}
	return &GenerateRandomOutput{Plaintext: b}, nil
}
