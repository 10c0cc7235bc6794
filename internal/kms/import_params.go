package kms

import (
	"context"
	"encoding/hex"
	"io"

	"github.com/trent-kms/trent/internal/cipher"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/store"
)

// GetParametersForImport returns a fresh RSA wrapping public key and an
// import token for an EXTERNAL key, valid for 24 hours.
func (s *Service) GetParametersForImport(ctx context.Context, in *GetParametersForImportInput) (*GetParametersForImportOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	v.keyID("keyId", in.KeyId, true)
	if v.required("wrappingAlgorithm", in.WrappingAlgorithm != nil) {
		v.enum("wrappingAlgorithm", in.WrappingAlgorithm, wrappingAlgorithmValues)
	}
	if v.required("wrappingKeySpec", in.WrappingKeySpec != nil) {
		v.enum("wrappingKeySpec", in.WrappingKeySpec, wrappingKeySpecValues)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	const op = keys.OpGetParametersForImport
	check := func(tx store.Tx) (*keys.Key, error) {
		return s.openKey(ctx, tx, info, *in.KeyId, access{op: op, forms: keyIDOrARN, check: checkExternal})
	}
	var k *keys.Key
	if err := s.store.View(ctx, func(tx store.Tx) (err error) { k, err = check(tx); return err }); err != nil {
		return nil, storeErr(err)
	}
	kind, err := checkWrapping(*in.WrappingAlgorithm, *in.WrappingKeySpec, info.Region)
	if err != nil {
		return nil, err
	}
	// The wrapping key pair, the token and the ID key (for a first
	// import record) are made outside the transaction: they draw
	// randomness and an RSA_4096 key takes seconds.
	generated, err := s.generate(ctx, kind)
	if err != nil {
		return nil, err
	}
	wrapping := generated.(cipher.AsymmetricKey)
	tokenID := make([]byte, importTokenIDLen)
	if _, err := io.ReadFull(s.rand, tokenID); err != nil {
		return nil, kmserr.Internal(err)
	}
	now := s.clock.Now()
	tok := importToken{Algorithm: *in.WrappingAlgorithm, WrappingSpec: *in.WrappingKeySpec, ValidTo: now.Add(importTokenValidity)}
	tok.ID = hex.EncodeToString(tokenID)
	pkcs8, err := wrapping.Material()
	if err != nil {
		return nil, kmserr.Internal(err)
	}
	defer pkcs8.Wipe()
	if tok.WrappingKey, err = s.sealer.Seal(pkcs8.Reveal(), wrappingKeyAAD(k, tok.ID), s.rand); err != nil {
		return nil, kmserr.Internal(err)
	}
	idKey, err := s.newSealedIDKey(k)
	if err != nil {
		return nil, err
	}
	out := &GetParametersForImportOutput{KeyId: k.ARN(), ImportToken: tok.blob(), PublicKey: wrapping.PublicKeyDER(),
		ParametersValidTo: timePtr(tok.ValidTo)}
	err = s.update(ctx, func(tx store.Tx) (any, error) {
		cur, err := check(tx)
		if err != nil {
			return nil, err
		}
		rec, err := loadImportRecord(tx, cur, idKey)
		if err != nil {
			return nil, err
		}
		rec.add(tok, now)
		return out, putRecord(tx, layout.Import(cur.Account, cur.Region, cur.ID), rec)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
