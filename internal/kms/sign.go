package kms

import (
	"context"

	"github.com/trent-kms/trent/internal/cipher"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/store"
)

// SignInput is the Sign request.
type SignInput struct {
	KeyId            *string  `json:"KeyId,omitempty"`
	Message          []byte   `json:"Message,omitempty" audit:"-"`
	MessageType      *string  `json:"MessageType,omitempty"`
	GrantTokens      []string `json:"GrantTokens,omitempty"`
	SigningAlgorithm *string  `json:"SigningAlgorithm,omitempty"`
	DryRun           *bool    `json:"DryRun,omitempty"`
}

// SignOutput is the Sign response.
type SignOutput struct {
	KeyId            string `json:"KeyId"`
	Signature        []byte `json:"Signature"`
	SigningAlgorithm string `json:"SigningAlgorithm"`
}

// VerifyInput is the Verify request.
type VerifyInput struct {
	KeyId            *string  `json:"KeyId,omitempty"`
	Message          []byte   `json:"Message,omitempty" audit:"-"`
	MessageType      *string  `json:"MessageType,omitempty"`
	Signature        []byte   `json:"Signature,omitempty" audit:"-"`
	SigningAlgorithm *string  `json:"SigningAlgorithm,omitempty"`
	GrantTokens      []string `json:"GrantTokens,omitempty"`
	DryRun           *bool    `json:"DryRun,omitempty"`
}

// VerifyOutput is the Verify response.
type VerifyOutput struct {
	KeyId            string `json:"KeyId"`
	SignatureValid   bool   `json:"SignatureValid"`
	SigningAlgorithm string `json:"SigningAlgorithm"`
}

// Sign signs a message or digest with the private key of an asymmetric
// SIGN_VERIFY key.
func (s *Service) Sign(ctx context.Context, in *SignInput) (*SignOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	v.keyID("keyId", in.KeyId, true)
	validateSignatureMembers(&v, in.Message, in.MessageType, in.SigningAlgorithm)
	v.grantTokens(in.GrantTokens)
	if err := v.err(); err != nil {
		return nil, err
	}
	opts, err := signOptions(*in.SigningAlgorithm, in.MessageType, in.Message)
	if err != nil {
		return nil, err
	}
	const op = keys.OpSign
	var k *keys.Key
	var sig []byte
	err = s.viewResolving(ctx, info, func(tx store.Tx) (err error) {
		var signer cipher.Signer
		k, signer, err = usableKey[cipher.Signer](s, ctx, tx, info, *in.KeyId, keys.UsageSignVerify, *in.SigningAlgorithm, op, in.GrantTokens)
		if err != nil {
			return err
		}
		if dryRun(in.DryRun) {
			return kmserr.DryRun()
		}
		if sig, err = signer.Sign(s.rand, in.Message, opts); err != nil {
			return kmserr.Internal(err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.noteUse(ctx, info, k, op)
	return &SignOutput{KeyId: k.ARN(), Signature: sig, SigningAlgorithm: *in.SigningAlgorithm}, nil
}

// Verify checks a signature with the public key of an asymmetric
// SIGN_VERIFY key. A signature that does not verify is
// KMSInvalidSignatureException, as in AWS; SignatureValid is only ever
// true.
func (s *Service) Verify(ctx context.Context, in *VerifyInput) (*VerifyOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	v.keyID("keyId", in.KeyId, true)
	validateSignatureMembers(&v, in.Message, in.MessageType, in.SigningAlgorithm)
	if v.required("signature", in.Signature != nil) {
		v.blob("signature", in.Signature, true, 1, maxCiphertextLength)
	}
	v.grantTokens(in.GrantTokens)
	if err := v.err(); err != nil {
		return nil, err
	}
	opts, err := signOptions(*in.SigningAlgorithm, in.MessageType, in.Message)
	if err != nil {
		return nil, err
	}
	const op = keys.OpVerify
	var k *keys.Key
	err = s.viewResolving(ctx, info, func(tx store.Tx) (err error) {
		var verifier cipher.Signer
		k, verifier, err = usableKey[cipher.Signer](s, ctx, tx, info, *in.KeyId, keys.UsageSignVerify, *in.SigningAlgorithm, op, in.GrantTokens)
		if err != nil {
			return err
		}
		if dryRun(in.DryRun) {
			return kmserr.DryRun()
		}
		if !verifier.Verify(in.Message, in.Signature, opts) {
			return kmserr.KMSInvalidSignature()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.noteUse(ctx, info, k, op)
	return &VerifyOutput{KeyId: k.ARN(), SignatureValid: true, SigningAlgorithm: *in.SigningAlgorithm}, nil
}

// validateSignatureMembers checks the members Sign and Verify share.
func validateSignatureMembers(v *validator, msg []byte, mt, alg *string) {
	if v.required("message", msg != nil) {
		v.blob("message", msg, true, 1, maxPlaintextLength)
	}
	v.enum("messageType", mt, messageTypeValues)
	if v.required("signingAlgorithm", alg != nil) {
		v.enum("signingAlgorithm", alg, signingAlgorithmValues)
	}
}

// signOptions applies the algorithm's message rules, which depend on the
// request alone, and so come before the key is looked up: the message
// types each algorithm takes and the exact length of a digest or μ. An
// algorithm Trent does not implement (SM2DSA) passes here and is refused
// against the key's spec.
func signOptions(alg string, mtMember *string, msg []byte) (cipher.SignOptions, error) {
	a, ok := keys.Signing(alg)
	if !ok {
		return cipher.SignOptions{}, nil
	}
	mt := keys.MessageRaw
	if mtMember != nil {
		mt = keys.MessageType(*mtMember)
	}
	if !a.Takes(mt) {
		// (unverified) AWS requires RAW for ED25519_SHA_512, DIGEST
		// for ED25519_PH_SHA_512 and offers EXTERNAL_MU for ML-DSA
		// only; its message for a mismatch is not recorded.
		return cipher.SignOptions{}, kmserr.Validation("MessageType %s is not valid for signing algorithm %s.", mt, alg)
	}
	if n := a.InputLength(mt); n != 0 && len(msg) != n {
		// Recorded for DIGEST: "Digest is invalid length for algorithm
		// RSASSA_PSS_SHA_256."; EXTERNAL_MU follows its form.
		if mt == keys.MessageExternalMu {
			return cipher.SignOptions{}, kmserr.Validation("External mu is invalid length for algorithm %s.", alg)
		}
		return cipher.SignOptions{}, kmserr.Validation("Digest is invalid length for algorithm %s.", alg)
	}
	o := cipher.SignOptions{Hash: a.Hash, PSS: a.PSS, Prehash: a.Prehash, Input: cipher.InputRaw}
	switch mt {
	case keys.MessageDigest:
		o.Input = cipher.InputDigest
	case keys.MessageExternalMu:
		o.Input = cipher.InputMu
	}
	return o, nil
}
