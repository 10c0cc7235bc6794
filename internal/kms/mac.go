package kms

import (
	"context"

	"github.com/trent-kms/trent/internal/cipher"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/store"
)

// GenerateMacInput is the GenerateMac request.
type GenerateMacInput struct {
	Message      []byte   `json:"Message,omitempty" audit:"-"`
	KeyId        *string  `json:"KeyId,omitempty"`
	MacAlgorithm *string  `json:"MacAlgorithm,omitempty"`
	GrantTokens  []string `json:"GrantTokens,omitempty"`
	DryRun       *bool    `json:"DryRun,omitempty"`
}

// GenerateMacOutput is the GenerateMac response.
type GenerateMacOutput struct {
	Mac          []byte `json:"Mac"`
	MacAlgorithm string `json:"MacAlgorithm"`
	KeyId        string `json:"KeyId"`
}

// VerifyMacInput is the VerifyMac request.
type VerifyMacInput struct {
	Message      []byte   `json:"Message,omitempty" audit:"-"`
	KeyId        *string  `json:"KeyId,omitempty"`
	MacAlgorithm *string  `json:"MacAlgorithm,omitempty"`
	Mac          []byte   `json:"Mac,omitempty" audit:"-"`
	GrantTokens  []string `json:"GrantTokens,omitempty"`
	DryRun       *bool    `json:"DryRun,omitempty"`
}

// VerifyMacOutput is the VerifyMac response.
type VerifyMacOutput struct {
	KeyId        string `json:"KeyId"`
	MacValid     bool   `json:"MacValid"`
	MacAlgorithm string `json:"MacAlgorithm"`
}

// GenerateMac computes the HMAC of a message with an HMAC key.
func (s *Service) GenerateMac(ctx context.Context, in *GenerateMacInput) (*GenerateMacOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	validateMacMembers(&v, in.Message, in.KeyId, in.MacAlgorithm)
	v.grantTokens(in.GrantTokens)
	if err := v.err(); err != nil {
		return nil, err
	}
	const op = keys.OpGenerateMac
	var k *keys.Key
	var mac []byte
	err = s.viewResolving(ctx, info, func(tx store.Tx) (err error) {
		var key cipher.MACKey
		if k, key, err = usableKey[cipher.MACKey](s, ctx, tx, info, *in.KeyId, keys.UsageGenerateVerifyMAC, *in.MacAlgorithm, op, in.GrantTokens); err != nil {
			return err
		}
		if dryRun(in.DryRun) {
			return kmserr.DryRun()
		}
		mac = key.MAC(in.Message)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.noteUse(ctx, info, k, op)
	return &GenerateMacOutput{Mac: mac, MacAlgorithm: *in.MacAlgorithm, KeyId: k.ARN()}, nil
}

// VerifyMac checks an HMAC. A MAC that does not verify is
// KMSInvalidMacException, as in AWS; MacValid is only ever true.
func (s *Service) VerifyMac(ctx context.Context, in *VerifyMacInput) (*VerifyMacOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	validateMacMembers(&v, in.Message, in.KeyId, in.MacAlgorithm)
	if v.required("mac", in.Mac != nil) {
		v.blob("mac", in.Mac, true, 1, maxCiphertextLength)
	}
	v.grantTokens(in.GrantTokens)
	if err := v.err(); err != nil {
		return nil, err
	}
	const op = keys.OpVerifyMac
	var k *keys.Key
	err = s.viewResolving(ctx, info, func(tx store.Tx) (err error) {
		var key cipher.MACKey
		if k, key, err = usableKey[cipher.MACKey](s, ctx, tx, info, *in.KeyId, keys.UsageGenerateVerifyMAC, *in.MacAlgorithm, op, in.GrantTokens); err != nil {
			return err
		}
		if dryRun(in.DryRun) {
			return kmserr.DryRun()
		}
		if !key.VerifyMAC(in.Message, in.Mac) {
			return kmserr.KMSInvalidMac()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.noteUse(ctx, info, k, op)
	return &VerifyMacOutput{KeyId: k.ARN(), MacValid: true, MacAlgorithm: *in.MacAlgorithm}, nil
}

// validateMacMembers checks the members GenerateMac and VerifyMac share.
func validateMacMembers(v *validator, msg []byte, keyID, alg *string) {
	if v.required("message", msg != nil) {
		v.blob("message", msg, true, 1, maxPlaintextLength)
	}
	v.keyID("keyId", keyID, true)
	if v.required("macAlgorithm", alg != nil) {
		v.enum("macAlgorithm", alg, macAlgorithmValues)
	}
}
