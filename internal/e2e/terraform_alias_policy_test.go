package e2e

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// The aws_kms_alias and aws_kms_key_policy replays (terraform_test.go says
// which provider version, and what every step asserts).

func TestTerraformAliasLifecycle(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	p := newTFProvider(t, tn)
	h := sdkFor(t, tn.kms())
	key1, key2 := h.newKey(), h.newKey()

	cfg := tfAliasConfig{Name: "alias/tf-app", TargetKeyID: *key1.KeyId}
	st := must[tfState](t)(p.createAlias(cfg))
	p.wantCalls("create", ops("CreateAlias", "ListAliases"))
	want := tfState{
		"id": "alias/tf-app", "name": "alias/tf-app", "name_prefix": "",
		"arn":            "arn:aws:kms:us-east-1:111122223333:alias/tf-app",
		"target_key_id":  *key1.KeyId,
		"target_key_arn": *key1.Arn,
	}
	if !tfStatesEqual(st, want) {
		t.Fatalf("state %v\nwant  %v", st, want)
	}
	p.aliasApplied("create", st, cfg)

	// Retarget, naming the new key by its ARN: the state holds the key ID
	// (ListAliases' TargetKeyId), which the diff suppression equates.
	cfg.TargetKeyID = *key2.Arn
	if diff := planAlias(st, cfg); !slices.Equal(diff, []string{"target_key_id"}) {
		t.Fatalf("plan of a new target: %v", diff)
	}
	st = must[tfState](t)(p.updateAlias(st, cfg))
	p.wantCalls("retarget", ops("UpdateAlias", "ListAliases"))
	if st["target_key_id"] != *key2.KeyId || st["target_key_arn"] != *key2.Arn {
		t.Fatalf("after retarget %v", st)
	}
	p.aliasApplied("retarget", st, cfg)

	if err := p.deleteAlias(st); err != nil {
		t.Fatal(err)
	}
	if _, err := p.readAlias("alias/tf-app", false); !errors.Is(err, errTFNotFound) {
		t.Fatalf("refresh after destroy: %v", err)
	}
	if err := p.deleteAlias(st); err != nil {
		t.Fatalf("second destroy: %v", err)
	}
	p.wantCalls("destroy", ops("DeleteAlias", "ListAliases", "DeleteAlias"))

	// name_prefix, and neither name nor prefix (the prefix is "alias/");
	// the target named by its ARN this time.
	for _, prefix := range []string{"alias/tf-pre-", ""} {
		cfg := tfAliasConfig{NamePrefix: prefix, TargetKeyID: *key1.Arn}
		st := must[tfState](t)(p.createAlias(cfg))
		p.wantCalls("create with prefix "+prefix, ops("CreateAlias", "ListAliases"))
		wantPrefix := prefix
		if prefix == "" {
			wantPrefix = "alias/"
		}
		if name := st["name"].(string); st["name_prefix"] != wantPrefix || len(name) != len(wantPrefix)+26 {
			t.Fatalf("prefix %q: state %v", prefix, st)
		}
		p.aliasApplied("prefix "+prefix, st, cfg)
	}
}

func (p *tfProvider) aliasApplied(step string, st tfState, cfg tfAliasConfig) {
	p.t.Helper()
	again, err := p.readAlias(st["id"].(string), false)
	if err != nil {
		p.t.Fatalf("%s: refresh: %v", step, err)
	}
	p.wantCalls(step+": refresh", ops("ListAliases"))
	if !tfStatesEqual(again, st) {
		p.t.Fatalf("%s: refresh drifted\n after apply %v\n refreshed   %v", step, st, again)
	}
	if diff := planAlias(again, cfg); len(diff) > 0 {
		p.t.Fatalf("%s: plan after apply changes %v", step, diff)
	}
}

func TestTerraformKeyPolicyResource(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	p := newTFProvider(t, tn)
	h := sdkFor(t, tn.kms())
	id := *h.newKey().KeyId

	cfg := tfKeyPolicyConfig{KeyID: id, Policy: tfRootPolicy("tf-policy", "")}
	st := must[tfState](t)(p.createKeyPolicy(cfg))
	p.wantCalls("create", ops("PutKeyPolicy"), calls("GetKeyPolicy", 5), tfKeyRead)
	p.keyPolicyApplied("create", st, cfg)

	cfg.Policy = tfRootPolicy("tf-policy", tfReadOnlyStatement)
	st = must[tfState](t)(p.updateKeyPolicyResource(st, cfg))
	p.wantCalls("update", ops("PutKeyPolicy"), calls("GetKeyPolicy", 5), tfKeyRead)
	p.keyPolicyApplied("update", st, cfg)

	// Destroy puts the provider's default policy back.
	if err := p.deleteKeyPolicy(st, testAccount); err != nil {
		t.Fatal(err)
	}
	p.wantCalls("destroy", ops("PutKeyPolicy"), calls("GetKeyPolicy", 5))
	if eq, err := tfPoliciesEquivalent(h.policyOf(id), tfDefaultKeyPolicy("aws", testAccount)); err != nil || !eq {
		t.Fatalf("policy after destroy %s: %v", h.policyOf(id), err)
	}

	// With the bypass, destroy leaves the policy alone.
	cfg = tfKeyPolicyConfig{KeyID: id, Policy: tfRootPolicy("tf-bypassed", ""), Bypass: true}
	st = must[tfState](t)(p.createKeyPolicy(cfg))
	p.wantCalls("create with bypass", ops("PutKeyPolicy"), calls("GetKeyPolicy", 5), tfKeyRead)
	p.keyPolicyApplied("create with bypass", st, cfg)
	if err := p.deleteKeyPolicy(st, testAccount); err != nil {
		t.Fatal(err)
	}
	p.wantCalls("destroy with bypass")
	if eq, _ := tfPoliciesEquivalent(h.policyOf(id), cfg.Policy); !eq {
		t.Fatalf("policy after destroy with bypass %s", h.policyOf(id))
	}
}

func (p *tfProvider) keyPolicyApplied(step string, st tfState, cfg tfKeyPolicyConfig) {
	p.t.Helper()
	again, err := p.readKeyPolicy(st, false)
	if err != nil {
		p.t.Fatalf("%s: refresh: %v", step, err)
	}
	p.wantCalls(step+": refresh", tfKeyRead)
	if !tfStatesEqual(again, st) {
		p.t.Fatalf("%s: refresh drifted\n after apply %v\n refreshed   %v", step, st, again)
	}
	if diff := planKeyPolicy(again, cfg); len(diff) > 0 {
		p.t.Fatalf("%s: plan after apply changes %v", step, diff)
	}
}

// The provider finds an alias by listing every alias of the account, so a
// read pages through all of them (ListAliases' default page is 50 entries,
// and a fresh account already lists its predefined aliases).
func TestTerraformAliasReadPagesThroughAliases(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	p := newTFProvider(t, tn)
	c := tn.kms()
	key, other := sdkFor(t, c).newKey(), sdkFor(t, c).newKey()
	for i := range 60 { // 30 a key: a key may have at most 50 aliases
		name, target := fmt.Sprintf("alias/other-%02d", i), key.KeyId
		if i%2 == 1 {
			target = other.KeyId
		}
		must[*kms.CreateAliasOutput](t)(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: &name, TargetKeyId: target}))
	}
	cfg := tfAliasConfig{Name: "alias/zz-tf", TargetKeyID: *key.KeyId}
	st := must[tfState](t)(p.createAlias(cfg))
	p.wantCalls("create", ops("CreateAlias"), calls("ListAliases", 2))
	if st["target_key_id"] != *key.KeyId {
		t.Fatalf("state %v", st)
	}
	again := must[tfState](t)(p.readAlias("alias/zz-tf", false))
	p.wantCalls("refresh", calls("ListAliases", 2))
	if !tfStatesEqual(again, st) || len(planAlias(again, cfg)) > 0 {
		t.Fatalf("refresh %v, after apply %v", again, st)
	}
}

// Under skip_requesting_account_id (Trent serves no STS to ask) the
// provider does not know the account, so the default policy it puts back
// on destroy names arn:aws:iam:::root. KMS refuses that principal, as
// Trent does; the provider retries MalformedPolicyDocumentException for
// minutes, then fails the destroy. docs/terraform.md gives the workaround.
func TestTerraformKeyPolicyDestroyWithoutAccountID(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	p := newTFProvider(t, tn)
	h := sdkFor(t, tn.kms())
	id := *h.newKey().KeyId
	cfg := tfKeyPolicyConfig{KeyID: id, Policy: tfRootPolicy("tf-policy", "")}
	st := must[tfState](t)(p.createKeyPolicy(cfg))
	before := h.policyOf(id)
	p.rec.take()
	err := p.deleteKeyPolicy(st, "")
	var malformed *types.MalformedPolicyDocumentException
	if !errors.As(err, &malformed) || malformed.ErrorMessage() != "Policy contains a statement with one or more invalid principals." {
		t.Fatalf("destroy with no account ID: %v", err)
	}
	p.wantCalls("destroy", ops("PutKeyPolicy", "PutKeyPolicy"))
	if after := h.policyOf(id); after != before {
		t.Fatalf("a refused PutKeyPolicy changed the policy to %s", after)
	}
}
