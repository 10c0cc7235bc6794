package kms

import (
	"errors"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/store"
)

// grantRecord is a stored grant. It lives under its key's account and
// Region (layout.Grant), with its entries in the grantee, Name and
// retiring-principal indexes, all written and deleted together
// (putGrant, deleteGrant).
type grantRecord struct {
	ID string `json:"id"`
	// KeyAccount, Region and KeyID name the key the grant is on.
	KeyAccount string    `json:"keyAccount"`
	Region     string    `json:"region"`
	KeyID      string    `json:"keyId"`
	Name       string    `json:"name,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
	// Exactly one of the grantee members is set; at most one of the
	// retiring members.
	GranteePrincipal         string `json:"granteePrincipal,omitempty"`
	GranteeServicePrincipal  string `json:"granteeServicePrincipal,omitempty"`
	RetiringPrincipal        string `json:"retiringPrincipal,omitempty"`
	RetiringServicePrincipal string `json:"retiringServicePrincipal,omitempty"`
	// IssuingAccount is the account of the principal that created the
	// grant, which may retire it (docs "Retiring and revoking grants").
	IssuingAccount string            `json:"issuingAccount"`
	Operations     []string          `json:"operations"`
	Constraints    *GrantConstraints `json:"constraints,omitempty"`
	// TokenKey authenticates the grant's tokens (granttoken.go). Grant
	// tokens are not secret (docs "Grants in AWS KMS": a token only names
	// a grant; the grantee still has to be the caller), so the key is not
	// sealed.
	TokenKey []byte `json:"tokenKey"`
}

// keyARN is the ARN of the grant's key.
func (g *grantRecord) keyARN() string { return keys.KeyARN(g.Region, g.KeyAccount, g.KeyID) }

// allows reports whether the grant lists op.
func (g *grantRecord) allows(op string) bool { return slices.Contains(g.Operations, op) }

// sameParameters reports whether a CreateGrant request with the grant's
// Name asks for this very grant (the Name idempotency rule compares all
// parameters; the operations as a set).
func (g *grantRecord) sameParameters(o *grantRecord) bool {
	set := func(ops []string) []string { s := slices.Clone(ops); slices.Sort(s); return slices.Compact(s) }
	return g.GranteePrincipal == o.GranteePrincipal && g.GranteeServicePrincipal == o.GranteeServicePrincipal &&
		g.RetiringPrincipal == o.RetiringPrincipal && g.RetiringServicePrincipal == o.RetiringServicePrincipal &&
		slices.Equal(set(g.Operations), set(o.Operations)) && sameConstraints(g.Constraints, o.Constraints)
}

func sameConstraints(a, b *GrantConstraints) bool {
	if a == nil || b == nil {
		return a.empty() && b.empty()
	}
	return maps.Equal(a.EncryptionContextEquals, b.EncryptionContextEquals) &&
		maps.Equal(a.EncryptionContextSubset, b.EncryptionContextSubset) && ptrValue(a.SourceArn) == ptrValue(b.SourceArn)
}

func ptrValue(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// granteeAccount is the grantee index's account segment of the grant.
func (g *grantRecord) granteeAccount() string {
	if g.GranteeServicePrincipal != "" {
		return layout.ServiceGrantee
	}
	return principalAccount(g.GranteePrincipal)
}

func (g *grantRecord) grantee() string { return g.GranteePrincipal + g.GranteeServicePrincipal }

// retirableIndex is the grant's entry in the retiring-principal index, or
// "" for a grant without a retiring principal.
func (g *grantRecord) retirableIndex() string {
	switch {
	case g.RetiringPrincipal != "":
		return layout.Retirable(principalAccount(g.RetiringPrincipal), g.Region, g.RetiringPrincipal) +
			layout.RetirableName(g.KeyAccount, g.KeyID, g.ID)
	case g.RetiringServicePrincipal != "":
		return layout.Retirable(g.KeyAccount, g.Region, g.RetiringServicePrincipal) +
			layout.RetirableName(g.KeyAccount, g.KeyID, g.ID)
	}
	return ""
}

// indexEntries are the grant's index keys.
func (g *grantRecord) indexEntries() []string {
	out := []string{layout.KeyGrantee(g.KeyAccount, g.Region, g.KeyID, g.granteeAccount(), g.grantee()) + g.ID}
	if g.Name != "" {
		out = append(out, layout.GrantNames(g.KeyAccount, g.Region, g.KeyID, g.Name)+g.ID)
	}
	if r := g.retirableIndex(); r != "" {
		out = append(out, r)
	}
	return out
}

// putGrant writes a new grant, its index entries and the key's grant count.
func putGrant(tx store.Tx, g *grantRecord, count int) error {
	if err := putRecord(tx, layout.Grant(g.KeyAccount, g.Region, g.KeyID, g.ID), g); err != nil {
		return err
	}
	for _, k := range g.indexEntries() {
		if err := tx.Put(k, nil); err != nil {
			return err
		}
	}
	return writeGrantCount(tx, g.KeyAccount, g.Region, g.KeyID, count+1)
}

// deleteGrant removes a grant and its index entries; count is the key's
// grant count before, or -1 when the key is being deleted (the count goes
// with it).
func deleteGrant(tx store.Tx, g *grantRecord, count int) error {
	keys := append(g.indexEntries(), layout.Grant(g.KeyAccount, g.Region, g.KeyID, g.ID))
	for _, k := range keys {
		if err := tx.Delete(k); err != nil {
			return err
		}
	}
	if count < 0 {
		return nil
	}
	return writeGrantCount(tx, g.KeyAccount, g.Region, g.KeyID, count-1)
}

// grantCount reads how many grants a key has.
func grantCount(tx store.Tx, account, region, keyID string) (int, error) {
	item, err := tx.Get(layout.GrantCount(account, region, keyID))
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(item.Value))
}

func writeGrantCount(tx store.Tx, account, region, keyID string, n int) error {
	k := layout.GrantCount(account, region, keyID)
	if n <= 0 {
		return tx.Delete(k)
	}
	return tx.Put(k, []byte(strconv.Itoa(n)))
}

// getGrant reads one grant of a key; store.ErrNotFound passes through.
func getGrant(tx store.Tx, k *keys.Key, grantID string) (*grantRecord, error) {
	return getRecord[*grantRecord](tx, layout.Grant(k.Account, k.Region, k.ID, grantID))
}

// Principals. A grantee or retiring principal is an IAM principal ARN:
// an account (root), user, role, assumed-role session or federated user
// (docs "Grants in AWS KMS", "IAM ARNs"). The account it names decides
// where the grant is indexed.
var principalARN = regexp.MustCompile(`^arn:aws[a-z-]*:(iam|sts)::([0-9]{12}):(root|user/.+|role/.+|assumed-role/.+/.+|federated-user/.+)$`)

// validPrincipal reports whether p is a principal ARN grants accept.
func validPrincipal(p string) bool { return principalARN.MatchString(p) }

// principalAccount is the account a valid principal ARN names.
func principalAccount(p string) string {
	if m := principalARN.FindStringSubmatch(p); m != nil {
		return m[2]
	}
	return ""
}

// principalMatches reports whether the principal a grant names is the
// caller: the caller's ARN, the role a session belongs to
// (Caller.PrincipalARN), or the root of the caller's account, which stands
// for every principal of the account (docs "Grants in AWS KMS": the grantee
// "can represent one or more identities in the same AWS account"; AWS then
// also requires the identity's IAM policy to allow it, which is the key
// gate's part).
func principalMatches(p string, c identity.Caller) bool {
	if p == "" {
		return false
	}
	if p == c.ARN || p == c.PrincipalARN {
		return true
	}
	m := principalARN.FindStringSubmatch(p)
	return m != nil && m[1] == "iam" && m[3] == "root" && m[2] == c.Account
}

// deleteKeyGrants deletes the grants of a deleted key, budget TrashRecords'
// worth (layout.TrashGrantRecords each), and reports whether more may
// remain. Deletion's emptyTrash calls it after the material and aliases.
func deleteKeyGrants(tx store.Tx, account, region, keyID string, budget int) (bool, error) {
	n := budget / layout.TrashGrantRecords
	if n == 0 {
		return true, nil
	}
	items, err := tx.Scan(layout.Grants(account, region, keyID), "", n)
	if err != nil {
		return false, err
	}
	for _, item := range items {
		g, err := decodeRecord[*grantRecord](item.Value)
		if err != nil {
			return false, err
		}
		if err := deleteGrant(tx, g, -1); err != nil {
			return false, err
		}
	}
	return len(items) == n, nil
}
