package kms

import (
	"context"
	"io"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/store"
)

// GenerateDataKeyInput is the GenerateDataKey and
// GenerateDataKeyWithoutPlaintext request.
type GenerateDataKeyInput struct {
	KeyId             *string           `json:"KeyId,omitempty"`
	EncryptionContext map[string]string `json:"EncryptionContext,omitempty"`
	NumberOfBytes     *int32            `json:"NumberOfBytes,omitempty"`
	KeySpec           *string           `json:"KeySpec,omitempty"`
	GrantTokens       []string          `json:"GrantTokens,omitempty"`
	Recipient         *RecipientInfo    `json:"Recipient,omitempty"`
	DryRun            *bool             `json:"DryRun,omitempty"`
}

// GenerateDataKeyOutput is the GenerateDataKey response.
type GenerateDataKeyOutput struct {
	CiphertextBlob []byte `json:"CiphertextBlob"`
	Plaintext      []byte `json:"Plaintext" audit:"-"`
	KeyId          string `json:"KeyId"`
	KeyMaterialId  string `json:"KeyMaterialId,omitempty"`
}

// GenerateDataKeyWithoutPlaintextOutput is the
// GenerateDataKeyWithoutPlaintext response.
type GenerateDataKeyWithoutPlaintextOutput struct {
	CiphertextBlob []byte `json:"CiphertextBlob"`
	KeyId          string `json:"KeyId"`
	KeyMaterialId  string `json:"KeyMaterialId,omitempty"`
}

// GenerateDataKey returns a random data key in plaintext and encrypted under
// a symmetric key.
func (s *Service) GenerateDataKey(ctx context.Context, in *GenerateDataKeyInput) (*GenerateDataKeyOutput, error) {
	plaintext, out, k, err := s.generateDataKey(ctx, in, keys.OpGenerateDataKey, in.Recipient != nil)
	if err != nil {
		return nil, err
	}
	return &GenerateDataKeyOutput{CiphertextBlob: out.blob, Plaintext: plaintext, KeyId: k.ARN(), KeyMaterialId: out.materialID}, nil
}

// GenerateDataKeyWithoutPlaintext returns a random data key encrypted under
// a symmetric key, and not the plaintext.
func (s *Service) GenerateDataKeyWithoutPlaintext(ctx context.Context, in *GenerateDataKeyInput) (*GenerateDataKeyWithoutPlaintextOutput, error) {
	// Recipient is not a member of this operation: like any unknown member
	// it is ignored.
	plaintext, out, k, err := s.generateDataKey(ctx, in, keys.OpGenerateDataKeyWithoutPlaintext, false)
	clear(plaintext)
	if err != nil {
		return nil, err
	}
	return &GenerateDataKeyWithoutPlaintextOutput{CiphertextBlob: out.blob, KeyId: k.ARN(), KeyMaterialId: out.materialID}, nil
}

// dataKeyBytes maps DataKeySpec values to key lengths.
var dataKeyBytes = map[string]int{"AES_128": 16, "AES_256": 32}

func (s *Service) generateDataKey(ctx context.Context, in *GenerateDataKeyInput, op string, recipient bool) ([]byte, sealedWith, *keys.Key, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, sealedWith{}, nil, err
	}
	var v validator
	v.keyID("keyId", in.KeyId, true)
	validateEncryptionContext(&v, "encryptionContext", in.EncryptionContext)
	v.intRange("numberOfBytes", in.NumberOfBytes, 1, 1024)
	v.enum("keySpec", in.KeySpec, dataKeySpecValues)
	v.grantTokens(in.GrantTokens)
	if err := v.err(); err != nil {
		return nil, sealedWith{}, nil, err
	}
	var n int
	switch {
	case in.KeySpec != nil && in.NumberOfBytes != nil:
		return nil, sealedWith{}, nil, kmserr.Validation("Please specify either number of bytes or key spec, not both.")
	case in.KeySpec != nil:
		n = dataKeyBytes[*in.KeySpec]
	case in.NumberOfBytes != nil:
		n = int(*in.NumberOfBytes)
	default:
		return nil, sealedWith{}, nil, kmserr.Validation("Please specify either number of bytes or key spec.")
	}
	if err := refuseRecipient(recipient); err != nil {
		return nil, sealedWith{}, nil, err
	}
	plaintext := make([]byte, n)
	if _, err := io.ReadFull(s.rand, plaintext); err != nil {
		return nil, sealedWith{}, nil, kmserr.Internal(err)
	}
	var k *keys.Key
	var out sealedWith
	err = s.viewResolving(ctx, info, func(tx store.Tx) error {
		if k, err = s.openKey(ctx, tx, info, *in.KeyId, dataKeyAccess(op, in.EncryptionContext, in.GrantTokens)); err != nil {
			return err
		}
		if dryRun(in.DryRun) {
			return kmserr.DryRun()
		}
		if out, err = s.encryptSymmetric(tx, k, plaintext, in.EncryptionContext); err != nil {
			return err
		}
		audit.DetailsFrom(ctx).SetAdditional("keyMaterialId", out.materialID)
		return nil
	})
	if err != nil {
		clear(plaintext)
		return nil, sealedWith{}, nil, err
	}
	s.noteUse(ctx, info, k, op)
	return plaintext, out, k, nil
}
