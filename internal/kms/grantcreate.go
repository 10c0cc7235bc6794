package kms

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/store"
)

// maxGrantsPerKey is AWS's quota of grants per KMS key (docs "Resource
// quotas": 50,000, adjustable). The older per-principal quota (500 grants
// for a given principal per key) is no longer on the page, so Trent does
// not apply it.
const maxGrantsPerKey = 50_000

// Grant constraint limits (API Reference, CreateGrant Constraints: "up to 8
// encryption context pairs", and "the encryption context value in each
// constraint cannot exceed 384 characters", read as the keys and values of
// one constraint together).
const (
	maxConstraintPairs = 8
	maxConstraintChars = 384
)

// Model patterns of the grant members.
var (
	principalPattern        = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
	servicePrincipalPattern = regexp.MustCompile(`^([A-Za-z0-9\-]+)\.([A-Za-z0-9\-]+)(\.[A-Za-z0-9\-]+)+$`)
	grantNamePattern        = regexp.MustCompile(`^[a-zA-Z0-9:/_-]+$`)
	sourceArnPattern        = regexp.MustCompile(`^arn:aws[a-z0-9-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]{12}:.+$`)
	grantOperationValues    = enumValues(types.GrantOperation("").Values())
)

// GrantConstraints is the GrantConstraints structure.
type GrantConstraints struct {
	EncryptionContextSubset map[string]string `json:"EncryptionContextSubset,omitempty"`
	EncryptionContextEquals map[string]string `json:"EncryptionContextEquals,omitempty"`
	SourceArn               *string           `json:"SourceArn,omitempty"`
}

func (c *GrantConstraints) empty() bool {
	return c == nil || (c.EncryptionContextSubset == nil && c.EncryptionContextEquals == nil && c.SourceArn == nil)
}

func (c *GrantConstraints) hasEncryptionContext() bool {
	return c != nil && (c.EncryptionContextSubset != nil || c.EncryptionContextEquals != nil)
}

// CreateGrantInput is the CreateGrant request.
type CreateGrantInput struct {
	KeyId                    *string           `json:"KeyId,omitempty"`
	GranteePrincipal         *string           `json:"GranteePrincipal,omitempty"`
	RetiringPrincipal        *string           `json:"RetiringPrincipal,omitempty"`
	Operations               []string          `json:"Operations,omitempty"`
	Constraints              *GrantConstraints `json:"Constraints,omitempty"`
	GrantTokens              []string          `json:"GrantTokens,omitempty"`
	Name                     *string           `json:"Name,omitempty"`
	DryRun                   *bool             `json:"DryRun,omitempty"`
	GranteeServicePrincipal  *string           `json:"GranteeServicePrincipal,omitempty"`
	RetiringServicePrincipal *string           `json:"RetiringServicePrincipal,omitempty"`
}

// CreateGrantOutput is the CreateGrant response. CloudTrail does not log the
// token (docs "CreateGrant" CloudTrail example: responseElements hold
// grantId and keyId only).
type CreateGrantOutput struct {
	GrantToken string `json:"GrantToken,omitempty" audit:"-"`
	GrantId    string `json:"GrantId,omitempty"`
}

// createGrantRecord is CloudTrail's responseElements of CreateGrant: the
// grant ID and, since December 2022, the key ARN (docs "CreateGrant"
// CloudTrail example), which the response itself does not carry.
type createGrantRecord struct {
	GrantId string `json:"GrantId"`
	KeyId   string `json:"KeyId"`
}

func (in *CreateGrantInput) validate() error {
	var v validator
	v.keyID("keyId", in.KeyId, true)
	if in.GranteeServicePrincipal == nil {
		// Required in the older model; now one of two members.
		v.required("granteePrincipal", in.GranteePrincipal != nil)
	}
	validatePrincipalMember(&v, "granteePrincipal", in.GranteePrincipal)
	validatePrincipalMember(&v, "retiringPrincipal", in.RetiringPrincipal)
	validateServicePrincipalMember(&v, "granteeServicePrincipal", in.GranteeServicePrincipal)
	validateServicePrincipalMember(&v, "retiringServicePrincipal", in.RetiringServicePrincipal)
	if v.required("operations", in.Operations != nil) {
		for i := range in.Operations {
			v.enum(fmt.Sprintf("operations.%d.member", i+1), &in.Operations[i], grantOperationValues)
		}
	}
	if c := in.Constraints; c != nil {
		v.length("constraints.sourceArn", c.SourceArn, 20, 512)
		v.pattern("constraints.sourceArn", c.SourceArn, sourceArnPattern)
	}
	v.grantTokens(in.GrantTokens)
	v.length("name", in.Name, 1, 256)
	v.pattern("name", in.Name, grantNamePattern)
	if err := v.err(); err != nil {
		return err
	}
	return in.checkRules()
}

func validatePrincipalMember(v *validator, path string, p *string) {
	v.length(path, p, 1, 256)
	v.pattern(path, p, principalPattern)
}

func validateServicePrincipalMember(v *validator, path string, p *string) {
	v.length(path, p, 1, 128)
	v.pattern(path, p, servicePrincipalPattern)
}

// checkRules applies CreateGrant's rules beyond the model (API Reference,
// CreateGrant). AWS's messages for these are not recorded; the texts are
// Trent's, except where noted.
func (in *CreateGrantInput) checkRules() error {
	switch {
	case in.GranteePrincipal != nil && in.GranteeServicePrincipal != nil:
		return kmserr.Validation("You must specify either GranteePrincipal or GranteeServicePrincipal, but not both.")
	case in.RetiringPrincipal != nil && in.RetiringServicePrincipal != nil:
		return kmserr.Validation("You can specify either RetiringPrincipal or RetiringServicePrincipal, but not both.")
	case in.GranteeServicePrincipal != nil && (in.Constraints == nil || in.Constraints.SourceArn == nil):
		return kmserr.Validation("A grant for a GranteeServicePrincipal must have a SourceArn grant constraint.")
	case in.GranteeServicePrincipal != nil && in.RetiringPrincipal == nil && in.RetiringServicePrincipal == nil:
		return kmserr.Validation("A grant for a GranteeServicePrincipal must have a RetiringPrincipal or a RetiringServicePrincipal.")
	case len(in.Operations) == 0:
		return kmserr.Validation("Grants must include at least one operation.")
	case !slices.ContainsFunc(in.Operations, func(op string) bool { return op != keys.OpCreateGrant }):
		// Recorded AWS message.
		return kmserr.Validation("Grants must not contain only the CreateGrant operation.")
	}
	for _, p := range []*string{in.GranteePrincipal, in.RetiringPrincipal} {
		if p != nil && !validPrincipal(*p) {
			return kmserr.New(codeInvalidArn, 400, "Invalid principal: %s", *p)
		}
	}
	if c := in.Constraints; c != nil {
		for _, ec := range []map[string]string{c.EncryptionContextEquals, c.EncryptionContextSubset} {
			size := 0
			for k, val := range ec {
				size += len([]rune(k)) + len([]rune(val))
			}
			if len(ec) > maxConstraintPairs || size > maxConstraintChars {
				return kmserr.Validation("An encryption context grant constraint may have at most %d pairs of at most %d characters in all.", maxConstraintPairs, maxConstraintChars)
			}
		}
	}
	return nil
}

// grantOperationsFor are the grant operations a key of k's type supports
// besides DescribeKey, CreateGrant and RetireGrant, which every key
// supports ("Grant operations", docs "Grants in AWS KMS"; the operations of
// each key type as in the key type reference).
func grantOperationsFor(k *keys.Key) []string {
	switch k.Usage {
	case keys.UsageEncryptDecrypt:
		if k.SpecInfo().Pair {
			return []string{keys.OpEncrypt, keys.OpDecrypt, "ReEncryptFrom", "ReEncryptTo", keys.OpGetPublicKey}
		}
		return []string{keys.OpEncrypt, keys.OpDecrypt, "ReEncryptFrom", "ReEncryptTo", keys.OpGenerateDataKey,
			keys.OpGenerateDataKeyWithoutPlaintext, keys.OpGenerateDataKeyPair, keys.OpGenerateDataKeyPairWithoutPlaintext}
	case keys.UsageSignVerify:
		return []string{keys.OpSign, keys.OpVerify, keys.OpGetPublicKey}
	case keys.UsageGenerateVerifyMAC:
		return []string{keys.OpGenerateMac, keys.OpVerifyMac}
	case keys.UsageKeyAgreement:
		return []string{keys.OpDeriveSharedSecret, keys.OpGetPublicKey}
	case keys.UsageEncapsulateDecapsulate:
		return []string{keys.OpEncapsulate, keys.OpDecapsulate, keys.OpGetPublicKey}
	}
	return nil
}

// checkGrantForKey applies the rules that depend on the key: the
// operations must be ones the key supports, and encryption context
// constraints need a symmetric encryption key (API Reference, CreateGrant
// Operations and Constraints: ValidationException).
func checkGrantForKey(in *CreateGrantInput, k *keys.Key) error {
	supported := append(grantOperationsFor(k), keys.OpDescribeKey, keys.OpCreateGrant, keys.OpRetireGrant)
	var bad []string
	for _, op := range in.Operations {
		if !slices.Contains(supported, op) && !slices.Contains(bad, op) {
			bad = append(bad, op)
		}
	}
	if len(bad) > 0 {
		return kmserr.Validation("Grant operations %s are not supported for a key with key spec %s and key usage %s.",
			strings.Join(bad, ", "), k.Spec, k.Usage)
	}
	if in.Constraints.hasEncryptionContext() && (k.Usage != keys.UsageEncryptDecrypt || k.SpecInfo().Pair) {
		return kmserr.Validation("Encryption context grant constraints are supported only on symmetric encryption KMS keys.")
	}
	return nil
}

// CreateGrant adds a grant to a key. With a Name, a retry with the same
// parameters returns the existing grant's ID (and a new token) instead of
// a second grant. A Name with other parameters makes a new grant: grant
// names are not unique (the API Reference promises idempotency only for
// identical parameters; AWS's answer to different ones is not recorded).
func (s *Service) CreateGrant(ctx context.Context, in *CreateGrantInput) (*CreateGrantOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	// Randomness is drawn before the transaction, which may run again.
	newID, err := newGrantID(s.rand)
	if err != nil {
		return nil, kmserr.Internal(err)
	}
	tokenKey := make([]byte, grantTokenKeySize)
	if _, err := io.ReadFull(s.rand, tokenKey); err != nil {
		return nil, kmserr.Internal(err)
	}
	now := s.clock.Now()
	var granted *grantRecord
	err = s.update(ctx, func(tx store.Tx) (any, error) {
		var viaGrant string
		k, err := s.openKey(ctx, tx, info, *in.KeyId, access{op: keys.OpCreateGrant, forms: keyIDOrARN, grantTokens: in.GrantTokens,
			context: in.setConditions, viaGrant: &viaGrant, check: func(k *keys.Key) error { return checkGrantForKey(in, k) }})
		if err != nil {
			return nil, err
		}
		if viaGrant != "" {
			if err := s.checkSubGrant(tx, info, k, viaGrant, in); err != nil {
				return nil, err
			}
		}
		if _, err := openGrantTokens(tx, in.GrantTokens); err != nil {
			return nil, err
		}
		g := in.record(k, newID, tokenKey, info.Caller.Account, now)
		existing, err := sameNamedGrant(tx, g)
		if err != nil {
			return nil, err
		}
		if dryRun(in.DryRun) {
			return nil, kmserr.DryRun()
		}
		if existing != nil {
			granted = existing
			return &createGrantRecord{GrantId: existing.ID, KeyId: k.ARN()}, nil
		}
		count, err := grantCount(tx, k.Account, k.Region, k.ID)
		if err != nil {
			return nil, err
		}
		if count >= maxGrantsPerKey {
			return nil, kmserr.LimitExceeded("The request was rejected because the key %s already has the maximum of %d grants.", k.ARN(), maxGrantsPerKey)
		}
		if err := putGrant(tx, g, count); err != nil {
			return nil, err
		}
		granted = g
		return &createGrantRecord{GrantId: g.ID, KeyId: k.ARN()}, nil
	})
	if err != nil {
		return nil, err
	}
	token, err := mintGrantToken(granted, s.rand)
	if err != nil {
		return nil, kmserr.Internal(err)
	}
	return &CreateGrantOutput{GrantToken: token, GrantId: granted.ID}, nil
}

// record is the grant the request describes.
func (in *CreateGrantInput) record(k *keys.Key, id string, tokenKey []byte, issuer string, now time.Time) *grantRecord {
	var dedup []string // Operations as given, each once
	for _, op := range in.Operations {
		if !slices.Contains(dedup, op) {
			dedup = append(dedup, op)
		}
	}
	g := &grantRecord{
		ID: id, KeyAccount: k.Account, Region: k.Region, KeyID: k.ID, CreatedAt: now,
		IssuingAccount: issuer, Operations: dedup, TokenKey: tokenKey,
	}
	if !in.Constraints.empty() {
		g.Constraints = in.Constraints
	}
	for dst, src := range map[*string]*string{&g.Name: in.Name, &g.GranteePrincipal: in.GranteePrincipal,
		&g.GranteeServicePrincipal: in.GranteeServicePrincipal, &g.RetiringPrincipal: in.RetiringPrincipal,
		&g.RetiringServicePrincipal: in.RetiringServicePrincipal} {
		if src != nil {
			*dst = *src
		}
	}
	return g
}

// sameNamedGrant returns the grant of g's key with g's Name and the same
// parameters, if there is one.
func sameNamedGrant(tx store.Tx, g *grantRecord) (*grantRecord, error) {
	if g.Name == "" {
		return nil, nil
	}
	prefix := layout.GrantNames(g.KeyAccount, g.Region, g.KeyID, g.Name)
	after := ""
	for {
		entries, err := tx.Scan(prefix, after, 64)
		if err != nil || len(entries) == 0 {
			return nil, err
		}
		for _, e := range entries {
			after = e.Key
			other, err := getRecord[*grantRecord](tx, layout.Grant(g.KeyAccount, g.Region, g.KeyID, strings.TrimPrefix(e.Key, prefix)))
			if errors.Is(err, store.ErrNotFound) {
				continue
			} else if err != nil {
				return nil, err
			}
			if other.sameParameters(g) {
				return other, nil
			}
		}
	}
}

// newGrantID draws a grant ID: 32 random bytes in lowercase hex.
func newGrantID(rand io.Reader) (string, error) {
	b := make([]byte, grantIDBytes)
	if _, err := io.ReadFull(rand, b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
