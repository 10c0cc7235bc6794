package kms

import (
	"context"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/request"
	"github.com/trent-kms/trent/internal/store"
)

// authorize decides whether the caller may take a's action on k.
//
// Key policies are stored and validated but not yet evaluated. Until then
// Trent enforces what the default key policy grants: the key's own account
// may do everything, and no other account may do anything, which is what
// AWS does for a key whose policy names only its owner account.
func (s *Service) authorize(_ context.Context, _ store.Tx, info *request.Info, k *keys.Key, a *access) error {
	if info.Caller.Account == k.Account {
		return nil
	}
	return notAuthorized(info, k, a.policyAction())
}
