package kms

import (
	"context"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/request"
	"github.com/trent-kms/trent/internal/store"
)

// updateKey runs a read-modify-write of one key's metadata in a single
// transaction, with the request's audit record (see update): pass the key
// gate with a, let change check and modify a copy, and write
// it back with its scheduler index. change may also write other records
// through tx. render, if not nil, makes the operation's output from the
// changed key. change must not draw randomness or have other side effects:
// the transaction may run more than once.
func updateKey[Out any](s *Service, ctx context.Context, info *request.Info, raw string, a access,
	change func(tx store.Tx, k *keys.Key) error, render func(k *keys.Key) *Out) (*Out, error) {
	var out *Out
	err := s.update(ctx, func(tx store.Tx) (any, error) {
		old, err := s.openKey(ctx, tx, info, raw, a)
		if err != nil {
			return nil, err
		}
		k := *old
		if err := change(tx, &k); err != nil {
			return nil, err
		}
		if err := putKey(tx, old, &k); err != nil {
			return nil, err
		}
		out = nil
		if render != nil {
			out = render(&k)
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = new(Out)
	}
	return out, nil
}

// storeErr passes *kmserr.Error values through and turns anything else
// (a storage failure) into KMSInternalException; a storage failure is never
// reported as NotFound.
func storeErr(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := kmserr.As(err); ok {
		return err
	}
	return kmserr.Internal(err)
}
