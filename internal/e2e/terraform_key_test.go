package e2e

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// The aws_kms_key resource as the provider implements it (key.go):
// Create, Read, Update, Delete and the plan's comparison of configuration
// and state, issuing the provider's calls in the provider's order.

// tfKeyConfig is an aws_kms_key block. Zero values are "not set", except
// where the schema has a default (noted).
type tfKeyConfig struct {
	Description          *string
	Policy               string
	EnableKeyRotation    bool
	RotationPeriodInDays int
	IsEnabled            *bool // default true
	Tags                 map[string]string
	KeyUsage             string // default ENCRYPT_DECRYPT
	KeySpec              string // customer_master_key_spec, default SYMMETRIC_DEFAULT
	DeletionWindowInDays int
	Bypass               bool // bypass_policy_lockout_safety_check
}

func (c tfKeyConfig) isEnabled() bool { return c.IsEnabled == nil || *c.IsEnabled }

func (c tfKeyConfig) keyUsage() string {
	if c.KeyUsage == "" {
		return string(types.KeyUsageTypeEncryptDecrypt)
	}
	return c.KeyUsage
}

func (c tfKeyConfig) keySpec() string {
	if c.KeySpec == "" {
		return string(types.KeySpecSymmetricDefault)
	}
	return c.KeySpec
}

func (c tfKeyConfig) tags() map[string]string {
	if c.Tags == nil {
		return map[string]string{}
	}
	return c.Tags
}

// tfState is a resource's attributes in Terraform state.
type tfState map[string]any

// createKey is resourceKeyCreate followed by its tail call to Read.
func (p *tfProvider) createKey(cfg tfKeyConfig) (tfState, error) {
	p.t.Helper()
	in := &kms.CreateKeyInput{
		BypassPolicyLockoutSafetyCheck: cfg.Bypass,
		KeySpec:                        types.KeySpec(cfg.keySpec()),
		KeyUsage:                       types.KeyUsageType(cfg.keyUsage()),
		Description:                    cfg.Description,
	}
	for k, v := range cfg.Tags {
		in.Tags = append(in.Tags, types.Tag{TagKey: strPtr(k), TagValue: strPtr(v)})
	}
	if cfg.Policy != "" {
		policy, err := tfNormalizeJSON(cfg.Policy)
		if err != nil {
			return nil, err
		}
		in.Policy = &policy
	}
	// waitIAMPropagation: retried while AWS may not yet know a principal.
	var out *kms.CreateKeyOutput
	_, err := retryWhen(2, isA[*types.MalformedPolicyDocumentException], func() (err error) {
		out, err = p.c.CreateKey(ctx, in)
		return err
	})
	if err != nil {
		return nil, err
	}
	id := derefStr(out.KeyMetadata.KeyId)
	if cfg.EnableKeyRotation {
		p.updateKeyRotationEnabled(id, true, cfg.RotationPeriodInDays)
	}
	if !cfg.isEnabled() {
		p.updateKeyEnabled(id, false)
	}
	if cfg.Policy != "" {
		p.waitKeyPolicyPropagated(id, cfg.Policy)
	}
	if len(cfg.Tags) > 0 {
		p.waitTagsPropagated(id, cfg.Tags)
	}
	st := tfState{
		"id":                                 id,
		"bypass_policy_lockout_safety_check": cfg.Bypass,
		"deletion_window_in_days":            cfg.DeletionWindowInDays,
	}
	return p.readKey(st, cfg.Policy, true)
}

// readKey is resourceKeyRead. priorPolicy is d.Get("policy"): the
// configuration's during Create, the state's otherwise. A key that is gone
// (or pending deletion) on a refresh returns (nil, errTFNotFound): the
// provider drops it from state.
func (p *tfProvider) readKey(prior tfState, priorPolicy string, isNew bool) (tfState, error) {
	p.t.Helper()
	id := prior["id"].(string)
	var md *types.KeyMetadata
	var policy string
	var rotation *bool
	var period *int32
	var tags map[string]string
	// findKeyInfo under RetryWhenNewResourceNotFound: a new key that is
	// not found yet is retried; against Trent the first try must do.
	_, err := retryWhen(1, func(err error) bool { return isNew && errors.Is(err, errTFNotFound) }, func() error {
		var err error
		if md, err = p.findKeyByID(id); err != nil {
			return err
		}
		raw, err := p.findKeyPolicy(id)
		if err != nil {
			return err
		}
		if policy, err = tfNormalizeJSON(raw); err != nil {
			return fmt.Errorf("policy contains invalid JSON: %w", err)
		}
		// Rotation is read only for keys whose material KMS made.
		if md.Origin == types.OriginTypeAwsKms {
			enabled, days, err := p.findRotation(id)
			if err != nil {
				return err
			}
			rotation, period = &enabled, days
		}
		tags, err = p.listTags(id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if md.MultiRegion != nil && *md.MultiRegion && (md.MultiRegionConfiguration == nil || md.MultiRegionConfiguration.MultiRegionKeyType != types.MultiRegionKeyTypePrimary) {
		return nil, fmt.Errorf("KMS Key (%s) is not a multi-Region primary key", id)
	}
	policyToSet, err := tfPolicyToSet(priorPolicy, policy)
	if err != nil {
		return nil, err
	}
	st := maps.Clone(prior)
	st["arn"] = derefStr(md.Arn)
	st["custom_key_store_id"] = derefStr(md.CustomKeyStoreId)
	st["customer_master_key_spec"] = string(md.KeySpec)
	st["description"] = derefStr(md.Description)
	st["enable_key_rotation"] = rotation != nil && *rotation
	st["is_enabled"] = md.Enabled
	st["key_id"] = derefStr(md.KeyId)
	st["key_usage"] = string(md.KeyUsage)
	st["multi_region"] = md.MultiRegion != nil && *md.MultiRegion
	st["policy"] = policyToSet
	st["rotation_period_in_days"] = 0
	if period != nil {
		st["rotation_period_in_days"] = int(*period)
	}
	st["xks_key_id"] = ""
	if md.XksKeyConfiguration != nil {
		st["xks_key_id"] = derefStr(md.XksKeyConfiguration.Id)
	}
	st["tags"], st["tags_all"] = tags, maps.Clone(tags)
	return st, nil
}

// tfPolicyToSet is verify.PolicyToSet: keep what is in state (or the
// configuration) when the read policy is equivalent, then normalize.
func tfPolicyToSet(exist, read string) (string, error) {
	chosen := read
	switch strings.TrimSpace(read) {
	case "", "{}":
	default:
		if e := strings.TrimSpace(exist); e != "" && e != "{}" {
			eq, err := tfPoliciesEquivalent(exist, read)
			if err != nil {
				return "", err
			}
			if eq {
				chosen = exist
			}
		}
	}
	return tfNormalizeJSON(chosen)
}

// planKey lists the attributes a plan would change: empty means no drift.
// ForceNew attributes (key usage and spec) would replace the key.
func planKey(st tfState, cfg tfKeyConfig) []string {
	var diff []string
	note := func(attr string, changed bool) {
		if changed {
			diff = append(diff, attr)
		}
	}
	note("description", cfg.Description != nil && *cfg.Description != st["description"])
	if cfg.Policy != "" {
		eq, err := tfPoliciesEquivalent(st["policy"].(string), cfg.Policy)
		note("policy", err != nil || !eq)
	}
	note("enable_key_rotation", cfg.EnableKeyRotation != st["enable_key_rotation"])
	note("rotation_period_in_days", cfg.RotationPeriodInDays != 0 && cfg.RotationPeriodInDays != st["rotation_period_in_days"])
	note("is_enabled", cfg.isEnabled() != st["is_enabled"])
	note("tags", !reflect.DeepEqual(cfg.tags(), st["tags"]))
	note("tags_all", !reflect.DeepEqual(cfg.tags(), st["tags_all"]))
	note("key_usage (forces replacement)", cfg.keyUsage() != st["key_usage"])
	note("customer_master_key_spec (forces replacement)", cfg.keySpec() != st["customer_master_key_spec"])
	note("multi_region", st["multi_region"] != false)
	note("custom_key_store_id", st["custom_key_store_id"] != "")
	note("xks_key_id", st["xks_key_id"] != "")
	note("bypass_policy_lockout_safety_check", cfg.Bypass != st["bypass_policy_lockout_safety_check"])
	note("deletion_window_in_days", cfg.DeletionWindowInDays != st["deletion_window_in_days"])
	sort.Strings(diff)
	return diff
}

// updateKey is an apply of cfg over st: the tagging interceptor's tag
// update first, then resourceKeyUpdate in its order, then Read.
func (p *tfProvider) updateKey(st tfState, cfg tfKeyConfig) (tfState, error) {
	p.t.Helper()
	id := st["id"].(string)
	if old := st["tags_all"].(map[string]string); !reflect.DeepEqual(old, cfg.tags()) {
		p.updateTags(id, old, cfg.tags())
	}
	enabledChanged := cfg.isEnabled() != st["is_enabled"]
	if enabledChanged && cfg.isEnabled() {
		p.updateKeyEnabled(id, true) // enable before anything else changes
	}
	rotationChanged := cfg.EnableKeyRotation != st["enable_key_rotation"]
	period := cfg.RotationPeriodInDays
	if period == 0 { // Optional+Computed: unset keeps the state's value
		period = st["rotation_period_in_days"].(int)
	}
	if rotationChanged || (cfg.EnableKeyRotation && period != st["rotation_period_in_days"]) {
		p.updateKeyRotationEnabled(id, cfg.EnableKeyRotation, period)
	}
	if cfg.Description != nil && *cfg.Description != st["description"] {
		p.updateKeyDescription(id, *cfg.Description)
	}
	policy := st["policy"].(string)
	if cfg.Policy != "" {
		if eq, err := tfPoliciesEquivalent(policy, cfg.Policy); err != nil || !eq {
			policy = cfg.Policy
			if err := p.updateKeyPolicy(id, policy, cfg.Bypass); err != nil {
				return nil, err
			}
		}
	}
	if enabledChanged && !cfg.isEnabled() {
		p.updateKeyEnabled(id, false) // disabled keys cannot be modified: last
	}
	next := maps.Clone(st)
	next["bypass_policy_lockout_safety_check"] = cfg.Bypass
	next["deletion_window_in_days"] = cfg.DeletionWindowInDays
	return p.readKey(next, policy, false)
}

// deleteKey is resourceKeyDelete: ScheduleKeyDeletion, where a key already
// gone or already pending deletion is success, then waitKeyDeleted.
func (p *tfProvider) deleteKey(st tfState) error {
	p.t.Helper()
	id := st["id"].(string)
	in := &kms.ScheduleKeyDeletionInput{KeyId: &id}
	if days := st["deletion_window_in_days"].(int); days != 0 {
		d := int32(days)
		in.PendingWindowInDays = &d
	}
	_, err := p.c.ScheduleKeyDeletion(ctx, in)
	var invalid *types.KMSInvalidStateException
	if isA[*types.NotFoundException](err) || (errors.As(err, &invalid) && strings.Contains(invalid.ErrorMessage(), "is pending deletion")) {
		return nil
	}
	if err != nil {
		return err
	}
	p.waitKeyDeleted(id)
	return nil
}

// updateTags is the generated updateTags: untag removed keys, tag new and
// changed ones, then wait for ListResourceTags to show the result.
func (p *tfProvider) updateTags(id string, old, new map[string]string) {
	p.t.Helper()
	var removed []string
	var updated []types.Tag
	for k := range old {
		if _, ok := new[k]; !ok {
			removed = append(removed, k)
		}
	}
	for k, v := range new {
		if w, ok := old[k]; !ok || w != v {
			updated = append(updated, types.Tag{TagKey: strPtr(k), TagValue: strPtr(v)})
		}
	}
	if len(removed) > 0 {
		must[*kms.UntagResourceOutput](p.t)(p.c.UntagResource(ctx, &kms.UntagResourceInput{KeyId: &id, TagKeys: removed}))
	}
	if len(updated) > 0 {
		must[*kms.TagResourceOutput](p.t)(p.c.TagResource(ctx, &kms.TagResourceInput{KeyId: &id, Tags: updated}))
	}
	if len(removed) > 0 || len(updated) > 0 {
		p.waitTagsPropagated(id, new)
	}
}

// updateKeyEnabled: EnableKey or DisableKey (retried on NotFound), then
// waitKeyStatePropagated.
func (p *tfProvider) updateKeyEnabled(id string, enabled bool) {
	p.t.Helper()
	_, err := retryWhen(1, isA[*types.NotFoundException], func() (err error) {
		if enabled {
			_, err = p.c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: &id})
		} else {
			_, err = p.c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: &id})
		}
		return err
	})
	if err != nil {
		p.t.Fatalf("enabled=%t: %v", enabled, err)
	}
	p.waitKeyStatePropagated(id, enabled)
}

// updateKeyRotationEnabled: EnableKeyRotation (with RotationPeriodInDays
// when set) or DisableKeyRotation, retried on NotFound and Disabled, then
// waitKeyRotationEnabledPropagated.
func (p *tfProvider) updateKeyRotationEnabled(id string, enabled bool, period int) {
	p.t.Helper()
	_, err := retryWhen(1, func(err error) bool {
		return isA[*types.NotFoundException](err) || isA[*types.DisabledException](err)
	}, func() (err error) {
		if enabled {
			in := &kms.EnableKeyRotationInput{KeyId: &id}
			if period > 0 {
				d := int32(period)
				in.RotationPeriodInDays = &d
			}
			_, err = p.c.EnableKeyRotation(ctx, in)
		} else {
			_, err = p.c.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: &id})
		}
		return err
	})
	if err != nil {
		p.t.Fatalf("rotation enabled=%t: %v", enabled, err)
	}
	p.waitKeyRotationEnabledPropagated(id, enabled, period)
}

// updateKeyDescription: UpdateKeyDescription, then its waiter.
func (p *tfProvider) updateKeyDescription(id, description string) {
	p.t.Helper()
	must[*kms.UpdateKeyDescriptionOutput](p.t)(p.c.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: &id, Description: &description}))
	p.waitKeyDescriptionPropagated(id, description)
}

// updateKeyPolicy (shared by aws_kms_key and aws_kms_key_policy):
// normalize, PutKeyPolicy named "default" (retried on NotFound and
// MalformedPolicyDocument), then waitKeyPolicyPropagated.
func (p *tfProvider) updateKeyPolicy(id, policy string, bypass bool) error {
	p.t.Helper()
	normalized, err := tfNormalizeJSON(policy)
	if err != nil {
		return err
	}
	_, err = retryWhen(2, func(err error) bool {
		return isA[*types.NotFoundException](err) || isA[*types.MalformedPolicyDocumentException](err)
	}, func() error {
		_, err := p.c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{
			BypassPolicyLockoutSafetyCheck: bypass,
			KeyId:                          &id,
			Policy:                         &normalized,
			PolicyName:                     strPtr("default"),
		})
		return err
	})
	if err != nil {
		return err
	}
	p.waitKeyPolicyPropagated(id, normalized)
	return nil
}
