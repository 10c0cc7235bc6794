package kms

import (
	"context"
	"regexp"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/policy"
	"github.com/trent-kms/trent/internal/store"
)

// Key policies are stored verbatim, validated as IAM policy documents and
// returned exactly as given. Evaluating them against requests (and the
// lockout safety check, which needs evaluation) comes with the
// authorisation issue; until then authorize() enforces what the default
// policy grants.

const defaultPolicyName = "default"

// maxPolicyModelLength is the model's PolicyType maximum; the documented
// 32,768-character limit is checked afterwards, with LimitExceededException.
const maxPolicyModelLength = 131072

var policyNamePattern = regexp.MustCompile(`^[\w]+$`)

// validatePolicyMember checks a Policy member against the model.
func validatePolicyMember(v *validator, doc *string, required bool) {
	if required && !v.required("policy", doc != nil) {
		return
	}
	if doc == nil {
		return
	}
	v.length("policy", doc, 1, maxPolicyModelLength)
	if *doc != "" {
		if err := policy.CheckCharacters(*doc); err != nil {
			v.add("policy", "", true, "Member must satisfy regular expression pattern: "+policy.Pattern)
		}
	}
}

// checkPolicyDocument applies the size limit and the policy grammar.
func checkPolicyDocument(doc string) (*policy.Document, error) {
	if err := policy.CheckSize(doc); err != nil {
		return nil, err
	}
	return policy.ParseKeyPolicy(doc)
}

// defaultPolicy is the policy of a key created without one.
func defaultPolicy(k *keys.Key) string {
	return policy.DefaultKeyPolicy(keys.Partition(k.Region), k.Account)
}

// validatePolicyName checks PolicyName: only "default" exists.
func validatePolicyName(v *validator, name *string) {
	v.length("policyName", name, 1, 128)
	v.pattern("policyName", name, policyNamePattern)
}

func checkPolicyName(name *string) error {
	if name != nil && *name != defaultPolicyName {
		return kmserr.NotFound("No such policy exists")
	}
	return nil
}

// GetKeyPolicyInput is the GetKeyPolicy request.
type GetKeyPolicyInput struct {
	KeyId      *string `json:"KeyId,omitempty"`
	PolicyName *string `json:"PolicyName,omitempty"`
}

// GetKeyPolicyOutput is the GetKeyPolicy response.
type GetKeyPolicyOutput struct {
	Policy     string `json:"Policy"`
	PolicyName string `json:"PolicyName"`
}

// GetKeyPolicy returns a key's policy document as it was stored.
func (s *Service) GetKeyPolicy(ctx context.Context, in *GetKeyPolicyInput) (*GetKeyPolicyOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	v.keyID("keyId", in.KeyId, true)
	validatePolicyName(&v, in.PolicyName)
	if err := v.err(); err != nil {
		return nil, err
	}
	var rec policyRecord
	err = s.store.View(ctx, func(tx store.Tx) error {
		k, err := s.openKey(ctx, tx, info, *in.KeyId, access{op: keys.OpGetKeyPolicy, forms: keyIDOrARN})
		if err != nil {
			return err
		}
		if err := checkPolicyName(in.PolicyName); err != nil {
			return err
		}
		rec, err = getRecord[policyRecord](tx, layout.Policy(k.Account, k.Region, k.ID))
		return err
	})
	if err != nil {
		return nil, storeErr(err)
	}
	return &GetKeyPolicyOutput{Policy: rec.Document, PolicyName: defaultPolicyName}, nil
}

// PutKeyPolicyInput is the PutKeyPolicy request.
type PutKeyPolicyInput struct {
	KeyId                          *string `json:"KeyId,omitempty"`
	PolicyName                     *string `json:"PolicyName,omitempty"`
	Policy                         *string `json:"Policy,omitempty"`
	BypassPolicyLockoutSafetyCheck *bool   `json:"BypassPolicyLockoutSafetyCheck,omitempty"`
}

// PutKeyPolicy replaces a key's policy.
func (s *Service) PutKeyPolicy(ctx context.Context, in *PutKeyPolicyInput) (*Empty, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	v.keyID("keyId", in.KeyId, true)
	validatePolicyName(&v, in.PolicyName)
	validatePolicyMember(&v, in.Policy, true)
	if err := v.err(); err != nil {
		return nil, err
	}
	doc, err := checkPolicyDocument(*in.Policy)
	if err != nil {
		return nil, err
	}
	const op = keys.OpPutKeyPolicy
	a := access{op: op, forms: keyIDOrARN, check: func(*keys.Key) error { return checkPolicyName(in.PolicyName) }}
	_, err = updateKey[Empty](s, ctx, info, *in.KeyId, a, func(tx store.Tx, k *keys.Key) error {
		if err := s.checkKeyPolicyRules(info, k.Account, k.ARN(), doc, isTrue(in.BypassPolicyLockoutSafetyCheck)); err != nil {
			return err
		}
		k.PolicyRevision++
		return putRecord(tx, layout.Policy(k.Account, k.Region, k.ID), policyRecord{Name: defaultPolicyName, Document: *in.Policy})
	}, nil)
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// ListKeyPoliciesInput is the ListKeyPolicies request.
type ListKeyPoliciesInput struct {
	KeyId  *string `json:"KeyId,omitempty"`
	Limit  *int32  `json:"Limit,omitempty"`
	Marker *string `json:"Marker,omitempty"`
}

// ListKeyPoliciesOutput is the ListKeyPolicies response.
type ListKeyPoliciesOutput struct {
	PolicyNames []string `json:"PolicyNames"`
	NextMarker  *string  `json:"NextMarker,omitempty"`
	Truncated   bool     `json:"Truncated"`
}

// ListKeyPolicies lists a key's policy names: always ["default"].
func (s *Service) ListKeyPolicies(ctx context.Context, in *ListKeyPoliciesInput) (*ListKeyPoliciesOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	v.keyID("keyId", in.KeyId, true)
	v.paging(in.Limit, in.Marker, 1000)
	if err := v.err(); err != nil {
		return nil, err
	}
	// A one-item list never has a next page, so no marker was ever issued.
	if in.Marker != nil {
		return nil, kmserr.InvalidMarker()
	}
	err = s.store.View(ctx, func(tx store.Tx) error {
		_, err := s.openKey(ctx, tx, info, *in.KeyId, access{op: keys.OpListKeyPolicies, forms: keyIDOrARN})
		return err
	})
	if err != nil {
		return nil, storeErr(err)
	}
	return &ListKeyPoliciesOutput{PolicyNames: []string{defaultPolicyName}}, nil
}
