package kms

import (
	"context"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/policy"
	"github.com/trent-kms/trent/internal/request"
	"github.com/trent-kms/trent/internal/store"
)

// The key gate. Every operation on a key passes through it, and it takes
// the same steps in the same order for all of them, the order AWS answers
// in: resolve the identifier, authorise the caller, apply the type rules
// (key usage, algorithm, the operation's own rules), then the key-state
// table. An operation says what it needs in one access value; nothing
// about authorisation or state is left to each handler to remember.

// ReEncrypt's two policy actions: the caller needs the first on the source
// key and the second on the destination key.
const (
	actionReEncryptFrom = "ReEncryptFrom"
	actionReEncryptTo   = "ReEncryptTo"
)

// access is one request to act on a key: the authorisation request and
// the rules the key must meet.
type access struct {
	// op is the operation, a keys.Op* name: its row in the key-state
	// table and the name in usage messages.
	op string
	// action is the policy action without the "kms:" prefix when it is
	// not op: ReEncrypt is authorised as ReEncryptFrom on the source key
	// and ReEncryptTo on the destination.
	action string
	// forms are the identifier forms the operation accepts.
	forms idForms
	// usage, when set, is the key usage the operation needs.
	usage keys.KeyUsage
	// algorithm, when set, must be offered by the key's spec for usage.
	algorithm string
	// encryptionContext and grantTokens come from the request: policy
	// conditions and grant constraints read the first, grants the second.
	encryptionContext map[string]string
	grantTokens       []string
	// context sets the operation's own condition keys (request tags,
	// grant operations).
	context func(*policy.Context)
	// requestAlias is the alias the request named the key by, for
	// kms:RequestAlias; openKey sets it.
	requestAlias string
	// decide, when set, authorises instead of the key's policies and
	// grants: RetireGrant is allowed by the grant it retires, whatever the
	// key policy says. It gets the request the policies would have seen
	// and the caller's identity-based policies.
	decide func(req *policy.Request, ids []*policy.Policy) bool
	// viaGrant, when set, receives the ID of the grant that allowed the
	// request when no policy did: CreateGrant holds a grant created
	// through another grant to that grant's limits.
	viaGrant *string
	// check applies the operation's own type rules (an origin, a spec
	// that rotates), after usage and algorithm and before the key state.
	check func(k *keys.Key) error
}

// policyAction is the action the caller needs, without "kms:".
func (a *access) policyAction() string {
	if a.action != "" {
		return a.action
	}
	return a.op
}

// openKey resolves raw and admits the caller to the key it names.
func (s *Service) openKey(ctx context.Context, tx store.Tx, info *request.Info, raw string, a access) (*keys.Key, error) {
	k, err := s.resolveKey(ctx, tx, info, raw, a.forms)
	if err != nil {
		return nil, err
	}
	a.requestAlias = requestAlias(raw)
	if err := s.admit(ctx, tx, info, k, &a); err != nil {
		return nil, err
	}
	return k, nil
}

// requestAlias is the alias name an identifier names, or "".
func requestAlias(raw string) string {
	id, err := keys.ParseIdentifier(raw)
	if err != nil || !id.IsAlias() {
		return ""
	}
	return id.AliasName
}

// admit authorises the caller on a resolved key and applies the key's type
// and state rules.
func (s *Service) admit(ctx context.Context, tx store.Tx, info *request.Info, k *keys.Key, a *access) error {
	if err := s.authorize(ctx, tx, info, k, a); err != nil {
		return err
	}
	return a.checkKey(k)
}

// checkKey applies the type rules and then the key-state table.
func (a *access) checkKey(k *keys.Key) error {
	if a.usage != "" {
		if err := checkUsage(k, a.usage, a.op); err != nil {
			return err
		}
		if a.algorithm != "" {
			if err := checkAlgorithm(k, a.algorithm); err != nil {
				return err
			}
		}
	}
	if a.check != nil {
		if err := a.check(k); err != nil {
			return err
		}
	}
	return checkState(a.op, k)
}
