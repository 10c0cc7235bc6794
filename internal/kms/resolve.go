package kms

import (
	"context"
	"errors"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/request"
	"github.com/trent-kms/trent/internal/store"
)

// requestInfo returns the request facts the wire put in ctx. Every
// operation needs them (account, Region); their absence is a wiring bug.
func requestInfo(ctx context.Context) (*request.Info, error) {
	info := request.FromContext(ctx)
	if info == nil || info.Caller.Account == "" || info.Region == "" {
		return nil, kmserr.Internal(errors.New("kms: request without caller or Region"))
	}
	return info, nil
}

// idForms says which identifier forms an operation accepts (docs "Key
// identifiers (KeyId)"; spec digest §5 table).
type idForms int

const (
	// keyIDOrARN: key ID or key ARN only.
	keyIDOrARN idForms = iota + 1
	// anyKeyIdentifier: key ID, key ARN, alias name or alias ARN.
	anyKeyIdentifier
)

// errManagedKeyMissing is returned by resolveKey when the identifier names a
// predefined AWS managed key alias (alias/aws/<service>) that has no key yet.
// The caller creates the key in an Update and resolves again.
type errManagedKeyMissing struct{ alias string }

func (e *errManagedKeyMissing) Error() string {
	return "kms: AWS managed key for " + e.alias + " not created yet"
}

// resolveKey finds the key an identifier names, in the caller's view: ARNs
// may name another account (then authorisation decides) but must name the
// request's Region. It records the key in the audit details. Operations
// reach it through the gate (openKey).
func (s *Service) resolveKey(ctx context.Context, tx store.Tx, info *request.Info, raw string, forms idForms) (*keys.Key, error) {
	id, err := keys.ParseIdentifier(raw)
	if err != nil || (forms == keyIDOrARN && id.IsAlias()) {
		return nil, kmserr.NotFound("Invalid keyId '%s'", raw)
	}
	account := info.Caller.Account
	if id.IsARN() {
		if id.Region != info.Region {
			return nil, kmserr.NotFound("Invalid arn %s", id.Region)
		}
		account = id.Account
	}
	keyID := id.KeyID
	if id.IsAlias() {
		alias, err := getRecord[aliasRecord](tx, layout.Alias(account, info.Region, id.AliasName))
		switch {
		case errors.Is(err, store.ErrNotFound):
			if account == info.Caller.Account && isManagedAliasName(id.AliasName) {
				return nil, &errManagedKeyMissing{alias: id.AliasName}
			}
			return nil, kmserr.NotFound("Alias %s is not found.", keys.AliasARN(info.Region, account, id.AliasName))
		case err != nil:
			return nil, kmserr.Internal(err)
		}
		keyID = alias.TargetKeyID
	}
	k, err := s.keyRecords.get(tx, layout.Key(account, info.Region, keyID))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, kmserr.NotFound("Key '%s' does not exist", keys.KeyARN(info.Region, account, keyID))
	case err != nil:
		return nil, kmserr.Internal(err)
	}
	audit.DetailsFrom(ctx).AddKey(k.ARN(), k.Account)
	return k, nil
}

// checkState applies the key-state table. op is one of the keys.Op* names;
// it is a string because the handlers also put it in authorisation and in
// messages, and a name without a state row is refused (keys fails closed).
func checkState(op string, k *keys.Key) error {
	r := keys.CheckState(keys.Operation(op), k.State)
	if r == nil {
		return nil
	}
	msg := r.Message(k.ARN())
	if r.Kind == keys.RefuseDisabled {
		return kmserr.Disabled("%s", msg)
	}
	return kmserr.InvalidState("%s", msg)
}
