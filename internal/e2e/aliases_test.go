package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// Aliases: CreateAlias, UpdateAlias, DeleteAlias and ListAliases, the
// identifier forms that accept an alias, AWS's name rules and limits.

func (h sdkHelper) createAlias(name, target string) {
	h.t.Helper()
	must[*kms.CreateAliasOutput](h.t)(h.c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: &name, TargetKeyId: &target}))
}

// aliasTargets maps alias names to target key IDs, of ListAliases(KeyId)
// when keyID is not empty (one page of up to 100). The predefined AWS
// managed aliases that have no key yet are left out.
func (h sdkHelper) aliasTargets(keyID string) map[string]string {
	h.t.Helper()
	in := &kms.ListAliasesInput{Limit: aws.Int32(100)}
	if keyID != "" {
		in.KeyId = &keyID
	}
	out := must[*kms.ListAliasesOutput](h.t)(h.c.ListAliases(ctx, in))
	if out.Truncated {
		h.t.Fatal("ListAliases truncated")
	}
	m := map[string]string{}
	for _, a := range out.Aliases {
		if a.TargetKeyId != nil {
			m[aws.ToString(a.AliasName)] = *a.TargetKeyId
		}
	}
	return m
}

// aliasPages lists alias names page by page (of the key, if keyID is set).
func (h sdkHelper) aliasPages(keyID string, limit int32) []string {
	h.t.Helper()
	in := &kms.ListAliasesInput{Limit: &limit}
	if keyID != "" {
		in.KeyId = &keyID
	}
	var names []string
	for page := 0; page < 100; page++ {
		out := must[*kms.ListAliasesOutput](h.t)(h.c.ListAliases(ctx, in))
		if len(out.Aliases) > int(limit) {
			h.t.Fatalf("page of %d, limit %d", len(out.Aliases), limit)
		}
		for _, e := range out.Aliases {
			names = append(names, aws.ToString(e.AliasName))
		}
		if !out.Truncated {
			return names
		}
		in.Marker = out.NextMarker
	}
	h.t.Fatal("ListAliases never ended")
	return nil
}

func sdkAliasARN(region, account, name string) string {
	return "arn:aws:kms:" + region + ":" + account + ":" + name
}

func TestAliasUsableWhereAliasesAreAllowed(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)
	md := h.newKey()
	h.createAlias("alias/app", *md.KeyId)
	arnForm := sdkAliasARN(testRegion, testAccount, "alias/app")

	for _, id := range []string{"alias/app", arnForm} {
		enc := must[*kms.EncryptOutput](t)(c.Encrypt(ctx, &kms.EncryptInput{KeyId: &id, Plaintext: []byte("via alias")}))
		if aws.ToString(enc.KeyId) != *md.Arn {
			t.Fatalf("Encrypt(%s) used %s", id, aws.ToString(enc.KeyId))
		}
		dec := must[*kms.DecryptOutput](t)(c.Decrypt(ctx, &kms.DecryptInput{KeyId: &id, CiphertextBlob: enc.CiphertextBlob}))
		if string(dec.Plaintext) != "via alias" || aws.ToString(dec.KeyId) != *md.Arn {
			t.Fatalf("Decrypt(%s): %q %s", id, dec.Plaintext, aws.ToString(dec.KeyId))
		}
		if got := h.describe(id); *got.KeyId != *md.KeyId {
			t.Fatalf("DescribeKey(%s) = %s", id, *got.KeyId)
		}
		dk := must[*kms.GenerateDataKeyOutput](t)(c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: &id, NumberOfBytes: aws.Int32(16)}))
		if aws.ToString(dk.KeyId) != *md.Arn {
			t.Fatalf("GenerateDataKey(%s) used %s", id, aws.ToString(dk.KeyId))
		}
	}

	// Operations that take only a key ID or key ARN do not resolve aliases.
	_, err := c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String("alias/app")})
	wantError(t, err, "NotFoundException", "Invalid keyId 'alias/app'")
	_, err = c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String("alias/app")})
	wantError(t, err, "NotFoundException", "Invalid keyId 'alias/app'")
	_, err = c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: &arnForm})
	apiError(t, err, "NotFoundException")
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/second"), TargetKeyId: aws.String("alias/app")})
	if ae := apiError(t, err, "ValidationException"); ae.ErrorMessage() == "" {
		t.Fatal("alias target refused without a message")
	}
	if md := h.describe(*md.KeyId); md.KeyState != types.KeyStateEnabled {
		t.Fatalf("refused DisableKey changed the key: %s", md.KeyState)
	}
}

func TestAliasNameRules(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)
	target := *h.newKey().KeyId
	coral := func(name, constraint string) string {
		return fmt.Sprintf("1 validation error detected: Value '%s' at 'aliasName' failed to satisfy constraint: %s", name, constraint)
	}
	tooLong := "alias/" + strings.Repeat("a", 251)
	cases := []struct {
		name, code, message string // message "" means any non-empty one
	}{
		{"app", "ValidationException", `Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`},
		{"alias/a:b", "ValidationException", ""},
		{"alias/a b", "ValidationException", coral("alias/a b", "Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$")},
		{"alias/ümlaut", "ValidationException", coral("alias/ümlaut", "Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$")},
		{tooLong, "ValidationException", coral(tooLong, "Member must have length less than or equal to 256")},
		{"alias/", "InvalidAliasNameException", ""},
		{"alias/aws/mine", "NotAuthorizedException", ""},
	}
	for _, tc := range cases {
		_, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(tc.name), TargetKeyId: &target})
		if tc.message != "" {
			wantError(t, err, tc.code, tc.message)
		} else if ae := apiError(t, err, tc.code); ae.ErrorMessage() == "" {
			t.Fatalf("%q: %s without a message", tc.name, tc.code)
		}
	}
	if got := h.aliasTargets(""); len(got) != 0 {
		t.Fatalf("refused names created aliases: %v", got)
	}

	// The longest legal name, and names differing only in case, are fine.
	longest := "alias/" + strings.Repeat("a", 250)
	for _, name := range []string{longest, "alias/Case", "alias/case", "alias/a-b_c/d"} {
		h.createAlias(name, target)
	}
	if got := h.aliasTargets(""); len(got) != 4 {
		t.Fatalf("aliases %v", got)
	}
}

func TestCreateAliasErrors(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)
	first, second := h.newKey(), h.newKey()
	h.createAlias("alias/dup", *first.KeyId)

	_, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/dup"), TargetKeyId: second.KeyId})
	wantError(t, err, "AlreadyExistsException", "An alias with the name "+sdkAliasARN(testRegion, testAccount, "alias/dup")+" already exists")

	missing := "0d1f2e3c-4b5a-4978-8a6b-5c4d3e2f1a0b"
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/new"), TargetKeyId: &missing})
	wantError(t, err, "NotFoundException", "Key 'arn:aws:kms:us-east-1:111122223333:key/"+missing+"' does not exist")

	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/new"), TargetKeyId: aws.String(sdkAliasARN(testRegion, testAccount, "alias/dup"))})
	apiError(t, err, "ValidationException")

	pending := h.newKey()
	must[*kms.ScheduleKeyDeletionOutput](t)(c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: pending.KeyId, PendingWindowInDays: aws.Int32(7)}))
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/new"), TargetKeyId: pending.KeyId})
	wantError(t, err, "KMSInvalidStateException", *pending.Arn+" is pending deletion.")
	_, err = c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/dup"), TargetKeyId: pending.KeyId})
	wantError(t, err, "KMSInvalidStateException", *pending.Arn+" is pending deletion.")

	if got := h.aliasTargets(""); len(got) != 1 || got["alias/dup"] != *first.KeyId {
		t.Fatalf("failed requests changed the aliases: %v", got)
	}
}

func TestUpdateAndDeleteAlias(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)
	oldKey, newKey := h.newKey(), h.newKey()
	created := tn.clock.Now()
	h.createAlias("alias/moving", *oldKey.KeyId)
	entry := h.aliasEntry("alias/moving")
	h.wantTime("CreationDate", entry.CreationDate, created)
	h.wantTime("LastUpdatedDate", entry.LastUpdatedDate, created)
	if aws.ToString(entry.AliasArn) != sdkAliasARN(testRegion, testAccount, "alias/moving") {
		t.Fatalf("AliasArn %s", aws.ToString(entry.AliasArn))
	}

	updated := tn.clock.Advance(time.Hour)
	must[*kms.UpdateAliasOutput](t)(c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/moving"), TargetKeyId: newKey.Arn}))
	entry = h.aliasEntry("alias/moving")
	if aws.ToString(entry.TargetKeyId) != *newKey.KeyId {
		t.Fatalf("TargetKeyId %s, want %s", aws.ToString(entry.TargetKeyId), *newKey.KeyId)
	}
	h.wantTime("CreationDate after update", entry.CreationDate, created)
	h.wantTime("LastUpdatedDate after update", entry.LastUpdatedDate, updated)
	if got := h.aliasTargets(*oldKey.KeyId); len(got) != 0 {
		t.Fatalf("old key still lists %v", got)
	}
	if got := h.aliasTargets(*newKey.Arn); got["alias/moving"] != *newKey.KeyId {
		t.Fatalf("new key lists %v", got)
	}
	enc := must[*kms.EncryptOutput](t)(c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/moving"), Plaintext: []byte("x")}))
	if aws.ToString(enc.KeyId) != *newKey.Arn {
		t.Fatalf("alias still encrypts under %s", aws.ToString(enc.KeyId))
	}

	missingARN := sdkAliasARN(testRegion, testAccount, "alias/missing")
	_, err := c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/missing"), TargetKeyId: newKey.KeyId})
	wantError(t, err, "NotFoundException", "Alias "+missingARN+" is not found.")
	_, err = c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/missing")})
	wantError(t, err, "NotFoundException", "Alias "+missingARN+" is not found.")

	must[*kms.DeleteAliasOutput](t)(c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/moving")}))
	if got := h.aliasTargets(""); len(got) != 0 {
		t.Fatalf("aliases after delete: %v", got)
	}
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/moving"), Plaintext: []byte("x")})
	wantError(t, err, "NotFoundException", "Alias "+sdkAliasARN(testRegion, testAccount, "alias/moving")+" is not found.")
	if md := h.describe(*newKey.KeyId); md.KeyState != types.KeyStateEnabled {
		t.Fatalf("deleting the alias changed its key: %s", md.KeyState)
	}
}

// aliasEntry returns the ListAliases entry of name.
func (h sdkHelper) aliasEntry(name string) types.AliasListEntry {
	h.t.Helper()
	out := must[*kms.ListAliasesOutput](h.t)(h.c.ListAliases(ctx, &kms.ListAliasesInput{}))
	for _, a := range out.Aliases {
		if aws.ToString(a.AliasName) == name {
			return a
		}
	}
	h.t.Fatalf("%s not listed in %+v", name, out.Aliases)
	return types.AliasListEntry{}
}

func TestListAliasesPaging(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)
	a, b := h.newKey(), h.newKey()
	// The predefined alias/aws/ names sort before these.
	want := slices.Clone(predefinedAliases)
	for i := range 7 {
		name := fmt.Sprintf("alias/p%02d", i)
		target := a.KeyId
		if i%2 == 1 {
			target = b.KeyId
		}
		h.createAlias(name, *target)
		want = append(want, name)
	}

	if got := h.aliasPages("", 3); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("paged listing %v, want %v", got, want)
	}
	if got := h.aliasPages(*b.KeyId, 2); strings.Join(got, ",") != "alias/p01,alias/p03,alias/p05" {
		t.Fatalf("paged ListAliases(KeyId) %v", got)
	}
	if ofB := h.aliasTargets(*b.Arn); len(ofB) != 3 || ofB["alias/p01"] != *b.KeyId {
		t.Fatalf("ListAliases(KeyId) %v", ofB)
	}

	_, err := c.ListAliases(ctx, &kms.ListAliasesInput{Limit: aws.Int32(101)})
	wantError(t, err, "ValidationException", "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100")
	_, err = c.ListAliases(ctx, &kms.ListAliasesInput{Marker: aws.String("not-a-marker")})
	apiError(t, err, "InvalidMarkerException")
}

// Alias names are unique per account and Region, not globally.
func TestAliasesPerAccountAndRegion(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	clients := map[string]*kms.Client{
		"east":  tn.kms(),
		"west":  tn.client("us-west-2", "test"),
		"other": tn.client(testRegion, "444455556666"),
	}
	keyOf := map[string]*types.KeyMetadata{}
	for where, c := range clients {
		h := sdkFor(t, c)
		keyOf[where] = h.newKey()
		h.createAlias("alias/shared", *keyOf[where].KeyId)
	}
	for where, c := range clients {
		h := sdkFor(t, c)
		if got := h.aliasTargets(""); len(got) != 1 || got["alias/shared"] != *keyOf[where].KeyId {
			t.Fatalf("%s lists %v", where, got)
		}
		if md := h.describe("alias/shared"); *md.Arn != *keyOf[where].Arn {
			t.Fatalf("%s: alias/shared is %s", where, *md.Arn)
		}
	}
}

func TestAliasLimitPerKey(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)
	full, other := h.newKey(), h.newKey()
	for i := range 50 {
		h.createAlias(fmt.Sprintf("alias/n%02d", i), *full.KeyId)
	}
	_, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/n50"), TargetKeyId: full.KeyId})
	if ae := apiError(t, err, "LimitExceededException"); ae.ErrorMessage() == "" {
		t.Fatal("LimitExceededException without a message")
	}
	h.createAlias("alias/elsewhere", *other.KeyId)
	_, err = c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/elsewhere"), TargetKeyId: full.KeyId})
	apiError(t, err, "LimitExceededException")
	if got := h.aliasTargets(*full.KeyId); len(got) != 50 {
		t.Fatalf("%d aliases on the full key", len(got))
	}
	if got := h.aliasTargets(*other.KeyId); len(got) != 1 {
		t.Fatalf("refused UpdateAlias moved the alias: %v", got)
	}
}

// A key's aliases go when the key is deleted at the end of its window.
func TestAliasesDeletedWithKey(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)
	doomed, kept := h.newKey(), h.newKey()
	h.createAlias("alias/doomed", *doomed.KeyId)
	h.createAlias("alias/kept", *kept.KeyId)
	must[*kms.ScheduleKeyDeletionOutput](t)(c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: doomed.KeyId, PendingWindowInDays: aws.Int32(7)}))
	if got := h.aliasTargets(""); len(got) != 2 {
		t.Fatalf("aliases while pending deletion: %v", got)
	}
	tn.clock.Advance(7*sdkDay + time.Second)
	tn.runDue()
	if got := h.aliasTargets(""); len(got) != 1 || got["alias/kept"] != *kept.KeyId {
		t.Fatalf("aliases after deletion: %v", got)
	}
}
