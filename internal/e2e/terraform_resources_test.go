package e2e

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// The aws_kms_alias (alias.go) and aws_kms_key_policy (key_policy.go)
// resources as the provider implements them.

// tfAliasConfig is an aws_kms_alias block; Name and NamePrefix conflict.
type tfAliasConfig struct {
	Name, NamePrefix, TargetKeyID string
}

var tfUniqueIDCounter atomic.Uint32

// tfPrefixedUniqueID is terraform-plugin-sdk's id.PrefixedUniqueId: the
// prefix, a UTC timestamp to 1/10000 s without its dot, and an 8-hex-digit
// counter, 26 characters after the prefix.
func tfPrefixedUniqueID(prefix string) string {
	stamp := strings.Replace(time.Now().UTC().Format("20060102150405.0000"), ".", "", 1)
	return fmt.Sprintf("%s%s%08x", prefix, stamp, tfUniqueIDCounter.Add(1))
}

var tfUniqueIDSuffix = regexp.MustCompile(`[[:xdigit:]]{26}$`)

// tfNamePrefixFromName is create.NamePrefixFromName ("" for nil).
func tfNamePrefixFromName(name string) string {
	if !tfUniqueIDSuffix.MatchString(name) || len(name) <= 26 {
		return ""
	}
	return name[:len(name)-26]
}

// createAlias is resourceAliasCreate: the name (given, or generated from
// name_prefix, by default "alias/"), CreateAlias retried while the target
// is not found, then Read.
func (p *tfProvider) createAlias(cfg tfAliasConfig) (tfState, error) {
	p.t.Helper()
	name := cfg.Name
	if name == "" {
		prefix := cfg.NamePrefix
		if prefix == "" {
			prefix = "alias/"
		}
		name = tfPrefixedUniqueID(prefix)
	}
	_, err := retryWhen(1, isA[*types.NotFoundException], func() error {
		_, err := p.c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: &name, TargetKeyId: &cfg.TargetKeyID})
		return err
	})
	if err != nil {
		return nil, err
	}
	return p.readAlias(name, true)
}

// findAliasByName lists every alias of the account and Region
// (ListAliases with no KeyId and no Limit, through the paginator) and
// keeps the one named; more than one match is an error.
func (p *tfProvider) findAliasByName(name string) (*types.AliasListEntry, error) {
	var found []types.AliasListEntry
	pages := kms.NewListAliasesPaginator(p.c, &kms.ListAliasesInput{})
	for n := 0; pages.HasMorePages(); n++ {
		if n == 100 {
			return nil, errors.New("ListAliases: more than 100 pages")
		}
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, a := range page.Aliases {
			if derefStr(a.AliasName) == name {
				found = append(found, a)
			}
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("%w: alias %s", errTFNotFound, name)
	case 1:
		return &found[0], nil
	}
	return nil, fmt.Errorf("ListAliases: %d aliases named %s", len(found), name)
}

// readAlias is resourceAliasRead.
func (p *tfProvider) readAlias(name string, isNew bool) (tfState, error) {
	p.t.Helper()
	var a *types.AliasListEntry
	_, err := retryWhen(1, func(err error) bool { return isNew && errors.Is(err, errTFNotFound) }, func() (err error) {
		a, err = p.findAliasByName(name)
		return err
	})
	if err != nil {
		return nil, err
	}
	aliasARN, targetKeyID := derefStr(a.AliasArn), derefStr(a.TargetKeyId)
	parsed, err := arn.Parse(aliasARN)
	if err != nil {
		return nil, fmt.Errorf("parsing ARN (%s): %w", aliasARN, err)
	}
	if parsed.Service != "kms" {
		return nil, fmt.Errorf("expected service kms in ARN (%s), got: %s", aliasARN, parsed.Service)
	}
	parsed.Resource = "key/" + targetKeyID
	return tfState{
		"id":             name,
		"arn":            aliasARN,
		"name":           derefStr(a.AliasName),
		"name_prefix":    tfNamePrefixFromName(derefStr(a.AliasName)),
		"target_key_arn": parsed.String(),
		"target_key_id":  targetKeyID,
	}, nil
}

// tfKeyARNOrIDEqual is keyARNOrIDEqual, target_key_id's diff suppression.
func tfKeyARNOrIDEqual(a, b string) bool {
	if a == b {
		return true
	}
	pa, errA := arn.Parse(a)
	pb, errB := arn.Parse(b)
	switch {
	case errA == nil && errB != nil:
		return pa.Resource == "key/"+b
	case errB == nil && errA != nil:
		return pb.Resource == "key/"+a
	}
	return false
}

// planAlias lists the attributes a plan would change.
func planAlias(st tfState, cfg tfAliasConfig) []string {
	var diff []string
	if cfg.Name != "" && cfg.Name != st["name"] {
		diff = append(diff, "name (forces replacement)")
	}
	if cfg.NamePrefix != "" && cfg.NamePrefix != st["name_prefix"] {
		diff = append(diff, "name_prefix (forces replacement)")
	}
	if !tfKeyARNOrIDEqual(st["target_key_id"].(string), cfg.TargetKeyID) {
		diff = append(diff, "target_key_id")
	}
	return diff
}

// updateAlias is resourceAliasUpdate: UpdateAlias when the target
// changed, then Read.
func (p *tfProvider) updateAlias(st tfState, cfg tfAliasConfig) (tfState, error) {
	p.t.Helper()
	name := st["id"].(string)
	if !tfKeyARNOrIDEqual(st["target_key_id"].(string), cfg.TargetKeyID) {
		if _, err := p.c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: &name, TargetKeyId: &cfg.TargetKeyID}); err != nil {
			return nil, err
		}
	}
	return p.readAlias(name, false)
}

// deleteAlias is resourceAliasDelete: an alias already gone is success.
func (p *tfProvider) deleteAlias(st tfState) error {
	name := st["id"].(string)
	_, err := p.c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: &name})
	if isA[*types.NotFoundException](err) {
		return nil
	}
	return err
}

// tfKeyPolicyConfig is an aws_kms_key_policy block.
type tfKeyPolicyConfig struct {
	KeyID, Policy string
	Bypass        bool
}

// createKeyPolicy is resourceKeyPolicyCreate: updateKeyPolicy, then Read.
func (p *tfProvider) createKeyPolicy(cfg tfKeyPolicyConfig) (tfState, error) {
	p.t.Helper()
	if err := p.updateKeyPolicy(cfg.KeyID, cfg.Policy, cfg.Bypass); err != nil {
		return nil, err
	}
	// The policy attribute's StateFunc normalizes what is planned.
	planned, err := tfNormalizeJSON(cfg.Policy)
	if err != nil {
		return nil, err
	}
	st := tfState{"id": cfg.KeyID, "key_id": cfg.KeyID, "policy": planned, "bypass_policy_lockout_safety_check": cfg.Bypass}
	return p.readKeyPolicy(st, true)
}

// readKeyPolicy is resourceKeyPolicyRead: the whole findKeyInfo of the key
// resource, of which it keeps the key ID and the policy.
func (p *tfProvider) readKeyPolicy(prior tfState, isNew bool) (tfState, error) {
	p.t.Helper()
	key, err := p.readKey(tfState{"id": prior["id"]}, prior["policy"].(string), isNew)
	if err != nil {
		return nil, err
	}
	return tfState{
		"id":                                 prior["id"],
		"key_id":                             key["key_id"],
		"policy":                             key["policy"],
		"bypass_policy_lockout_safety_check": prior["bypass_policy_lockout_safety_check"],
	}, nil
}

// planKeyPolicy lists the attributes a plan would change.
func planKeyPolicy(st tfState, cfg tfKeyPolicyConfig) []string {
	var diff []string
	if cfg.KeyID != st["key_id"] {
		diff = append(diff, "key_id")
	}
	if eq, err := tfPoliciesEquivalent(st["policy"].(string), cfg.Policy); err != nil || !eq {
		diff = append(diff, "policy")
	}
	if cfg.Bypass != st["bypass_policy_lockout_safety_check"] {
		diff = append(diff, "bypass_policy_lockout_safety_check")
	}
	return diff
}

// updateKeyPolicyResource is resourceKeyPolicyUpdate.
func (p *tfProvider) updateKeyPolicyResource(st tfState, cfg tfKeyPolicyConfig) (tfState, error) {
	p.t.Helper()
	next := tfState{"id": st["id"], "key_id": st["key_id"], "policy": st["policy"], "bypass_policy_lockout_safety_check": cfg.Bypass}
	if eq, err := tfPoliciesEquivalent(st["policy"].(string), cfg.Policy); err != nil || !eq {
		if err := p.updateKeyPolicy(st["id"].(string), cfg.Policy, cfg.Bypass); err != nil {
			return nil, err
		}
		planned, err := tfNormalizeJSON(cfg.Policy)
		if err != nil {
			return nil, err
		}
		next["policy"] = planned
	}
	return p.readKeyPolicy(next, false)
}

// tfDefaultKeyPolicy is conns.AWSClient.DefaultKMSKeyPolicy, whitespace
// and all: what deleting an aws_kms_key_policy puts back.
func tfDefaultKeyPolicy(partition, account string) string {
	return fmt.Sprintf(`
{
	"Id": "default",
	"Version": "2012-10-17",
	"Statement": [
		{
			"Sid": "Enable IAM User Permissions",
			"Effect": "Allow",
			"Principal": {
				"AWS": "arn:%[1]s:iam::%[2]s:root"
			},
			"Action": "kms:*",
			"Resource": "*"
		}
	]
}	
`, partition, account)
}

// deleteKeyPolicy is resourceKeyPolicyDelete: unless the lockout check was
// bypassed, put the provider's default policy back, naming the account the
// provider learnt at start-up ("" under skip_requesting_account_id); with
// the bypass, leave the policy as it is.
func (p *tfProvider) deleteKeyPolicy(st tfState, account string) error {
	p.t.Helper()
	bypass := st["bypass_policy_lockout_safety_check"].(bool)
	if bypass {
		return nil
	}
	return p.updateKeyPolicy(st["key_id"].(string), tfDefaultKeyPolicy("aws", account), bypass)
}
