package kms

import (
	"bytes"
	"context"
	"fmt"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/cipher"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/request"
	"github.com/trent-kms/trent/internal/store"
)

// GenerateDataKeyPairInput is the GenerateDataKeyPair and
// GenerateDataKeyPairWithoutPlaintext request.
type GenerateDataKeyPairInput struct {
	EncryptionContext map[string]string `json:"EncryptionContext,omitempty"`
	KeyId             *string           `json:"KeyId,omitempty"`
	KeyPairSpec       *string           `json:"KeyPairSpec,omitempty"`
	GrantTokens       []string          `json:"GrantTokens,omitempty"`
	Recipient         *RecipientInfo    `json:"Recipient,omitempty"`
	DryRun            *bool             `json:"DryRun,omitempty"`
}

// GenerateDataKeyPairOutput is the GenerateDataKeyPair response.
type GenerateDataKeyPairOutput struct {
	PrivateKeyCiphertextBlob []byte `json:"PrivateKeyCiphertextBlob"`
	PrivateKeyPlaintext      []byte `json:"PrivateKeyPlaintext" audit:"-"`
	PublicKey                []byte `json:"PublicKey"`
	KeyId                    string `json:"KeyId"`
	KeyPairSpec              string `json:"KeyPairSpec"`
	KeyMaterialId            string `json:"KeyMaterialId,omitempty"`
}

// GenerateDataKeyPairWithoutPlaintextOutput is the
// GenerateDataKeyPairWithoutPlaintext response.
type GenerateDataKeyPairWithoutPlaintextOutput struct {
	PrivateKeyCiphertextBlob []byte `json:"PrivateKeyCiphertextBlob"`
	PublicKey                []byte `json:"PublicKey"`
	KeyId                    string `json:"KeyId"`
	KeyPairSpec              string `json:"KeyPairSpec"`
	KeyMaterialId            string `json:"KeyMaterialId,omitempty"`
}

// GenerateDataKeyPair returns a new key pair: the public key, and the
// private key (DER PKCS#8) in plaintext and encrypted under a symmetric
// key.
func (s *Service) GenerateDataKeyPair(ctx context.Context, in *GenerateDataKeyPairInput) (*GenerateDataKeyPairOutput, error) {
	p, err := s.generateDataKeyPair(ctx, in, keys.OpGenerateDataKeyPair, in.Recipient != nil)
	if err != nil {
		return nil, err
	}
	return &GenerateDataKeyPairOutput{PrivateKeyCiphertextBlob: p.sealed.blob, PrivateKeyPlaintext: p.private,
		PublicKey: p.public, KeyId: p.key.ARN(), KeyPairSpec: *in.KeyPairSpec, KeyMaterialId: p.sealed.materialID}, nil
}

// GenerateDataKeyPairWithoutPlaintext returns a new key pair's public key
// and its private key encrypted under a symmetric key, not in plaintext.
func (s *Service) GenerateDataKeyPairWithoutPlaintext(ctx context.Context, in *GenerateDataKeyPairInput) (*GenerateDataKeyPairWithoutPlaintextOutput, error) {
	// Recipient is not a member of this operation: like any unknown
	// member it is ignored.
	p, err := s.generateDataKeyPair(ctx, in, keys.OpGenerateDataKeyPairWithoutPlaintext, false)
	if err != nil {
		return nil, err
	}
	clear(p.private)
	return &GenerateDataKeyPairWithoutPlaintextOutput{PrivateKeyCiphertextBlob: p.sealed.blob,
		PublicKey: p.public, KeyId: p.key.ARN(), KeyPairSpec: *in.KeyPairSpec, KeyMaterialId: p.sealed.materialID}, nil
}

// dataKeyPair is what both operations make.
type dataKeyPair struct {
	key     *keys.Key
	sealed  sealedWith
	private []byte
	public  []byte
}

func (s *Service) generateDataKeyPair(ctx context.Context, in *GenerateDataKeyPairInput, op string, recipient bool) (*dataKeyPair, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	validateEncryptionContext(&v, "encryptionContext", in.EncryptionContext)
	v.keyID("keyId", in.KeyId, true)
	if v.required("keyPairSpec", in.KeyPairSpec != nil) {
		v.enum("keyPairSpec", in.KeyPairSpec, dataKeyPairSpecValues)
	}
	v.grantTokens(in.GrantTokens)
	if err := v.err(); err != nil {
		return nil, err
	}
	pairSpec := keys.Spec(keys.KeySpec(*in.KeyPairSpec))
	if pairSpec == nil || !pairSpec.Pair {
		return nil, kmserr.Internal(fmt.Errorf("key pair spec %s is not in the key-spec table", *in.KeyPairSpec))
	}
	if !pairSpec.AvailableIn(info.Region) {
		return nil, kmserr.UnsupportedOperation("KeyPairSpec %s is not supported in this Region", *in.KeyPairSpec)
	}
	if err := refuseRecipient(recipient); err != nil {
		return nil, err
	}
	// The KMS key is checked before the pair is generated, which takes
	// seconds for RSA_4096, and again when its private key is encrypted,
	// as the key may have changed in between.
	err = s.viewResolving(ctx, info, func(tx store.Tx) error {
		if _, err := s.dataKeyPairKey(ctx, tx, info, *in.KeyId, op, in.EncryptionContext, in.GrantTokens); err != nil {
			return err
		}
		if dryRun(in.DryRun) {
			return kmserr.DryRun()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	generated, err := s.generate(ctx, cipher.Kind(pairSpec.Material))
	if err != nil {
		return nil, err
	}
	pair, ok := generated.(cipher.AsymmetricKey)
	if !ok {
		return nil, kmserr.Internal(fmt.Errorf("%s material is not a key pair", pairSpec.Material))
	}
	private, err := pair.Material()
	if err != nil {
		return nil, kmserr.Internal(err)
	}
	defer private.Wipe()
	p := &dataKeyPair{public: pair.PublicKeyDER()}
	err = s.viewResolving(ctx, info, func(tx store.Tx) (err error) {
		if p.key, err = s.dataKeyPairKey(ctx, tx, info, *in.KeyId, op, in.EncryptionContext, in.GrantTokens); err != nil {
			return err
		}
		if p.sealed, err = s.encryptSymmetric(tx, p.key, private.Reveal(), in.EncryptionContext); err != nil {
			return err
		}
		audit.DetailsFrom(ctx).SetAdditional("keyMaterialId", p.sealed.materialID)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.noteUse(ctx, info, p.key, op)
	p.private = bytes.Clone(private.Reveal())
	return p, nil
}

// dataKeyPairKey resolves and checks the symmetric key that protects a
// data key pair.
func (s *Service) dataKeyPairKey(ctx context.Context, tx store.Tx, info *request.Info, keyID, op string, ec map[string]string, grantTokens []string) (*keys.Key, error) {
	return s.openKey(ctx, tx, info, keyID, dataKeyAccess(op, ec, grantTokens))
}
