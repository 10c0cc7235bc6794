package e2e

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// End-to-end tests of the key lifecycle: CreateKey, DescribeKey, ListKeys,
// tenancy and enable/disable (deletion_test.go and lastusage_test.go hold the
// rest). Expected messages are the ones real AWS was recorded returning,
// where known.

var (
	keyIDShape      = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	materialIDShape = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

func keyARNFor(region, account, keyID string) string {
	return "arn:aws:kms:" + region + ":" + account + ":key/" + keyID
}

// wantOwnError asserts an error's code where the message is Trent's own
// wording (AWS's is not recorded): it must at least say something.
func wantOwnError(t *testing.T, err error, code string) {
	t.Helper()
	if ae := apiError(t, err, code); strings.TrimSpace(ae.ErrorMessage()) == "" {
		t.Errorf("%s with an empty message", code)
	}
}

// createSymmetricKey creates a key from in (nil: all defaults).
func createSymmetricKey(t *testing.T, c *kms.Client, in *kms.CreateKeyInput) *types.KeyMetadata {
	t.Helper()
	if in == nil {
		in = &kms.CreateKeyInput{}
	}
	return must[*kms.CreateKeyOutput](t)(c.CreateKey(ctx, in)).KeyMetadata
}

func describeKeyMetadata(t *testing.T, c *kms.Client, keyID string) *types.KeyMetadata {
	t.Helper()
	return must[*kms.DescribeKeyOutput](t)(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyID)})).KeyMetadata
}

// walkKeyIDs walks ListKeys with the given page size (0: the default) and
// returns the key IDs in the order listed, duplicates kept.
func walkKeyIDs(t *testing.T, c *kms.Client, limit int32) []string {
	t.Helper()
	var ids []string
	in := &kms.ListKeysInput{}
	if limit > 0 {
		in.Limit = aws.Int32(limit)
	}
	for range 1000 { // bounded: fails below rather than looping forever
		out := must[*kms.ListKeysOutput](t)(c.ListKeys(ctx, in))
		for _, k := range out.Keys {
			ids = append(ids, *k.KeyId)
		}
		if !out.Truncated {
			if out.NextMarker != nil {
				t.Fatalf("NextMarker %q on the last page", *out.NextMarker)
			}
			return ids
		}
		if out.NextMarker == nil || len(out.Keys) != int(limit) {
			t.Fatalf("truncated page of %d keys (limit %d) with marker %v", len(out.Keys), limit, out.NextMarker)
		}
		in.Marker = out.NextMarker
	}
	t.Fatal("ListKeys did not end")
	return nil
}

func TestCreateKeyMetadata(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	created := createSymmetricKey(t, c, nil)
	described := describeKeyMetadata(t, c, *created.KeyId)
	for name, md := range map[string]*types.KeyMetadata{"CreateKey": created, "DescribeKey": described} {
		id := aws.ToString(md.KeyId)
		if !keyIDShape.MatchString(id) {
			t.Errorf("%s: KeyId %q is not a lowercase version 4 UUID", name, id)
		}
		got := []any{aws.ToString(md.AWSAccountId), aws.ToString(md.Arn), md.Enabled, md.Description, md.KeyUsage,
			md.KeyState, md.Origin, md.KeyManager, md.CustomerMasterKeySpec, md.KeySpec, md.EncryptionAlgorithms, md.MultiRegion}
		want := []any{testAccount, keyARNFor(testRegion, testAccount, id), true, aws.String(""), types.KeyUsageTypeEncryptDecrypt,
			types.KeyStateEnabled, types.OriginTypeAwsKms, types.KeyManagerTypeCustomer, types.CustomerMasterKeySpecSymmetricDefault,
			types.KeySpecSymmetricDefault, []types.EncryptionAlgorithmSpec{types.EncryptionAlgorithmSpecSymmetricDefault}, aws.Bool(false)}
		if g, w := fmt.Sprintf("%v", derefForPrint(got)), fmt.Sprintf("%v", derefForPrint(want)); g != w {
			t.Errorf("%s metadata:\n got %s\nwant %s", name, g, w)
		}
		if md.CreationDate == nil || !md.CreationDate.Equal(testEpoch) {
			t.Errorf("%s: CreationDate %v, want the clock's %v", name, md.CreationDate, testEpoch)
		}
		if !materialIDShape.MatchString(aws.ToString(md.CurrentKeyMaterialId)) {
			t.Errorf("%s: CurrentKeyMaterialId %v, want 64 lowercase hex", name, md.CurrentKeyMaterialId)
		}
		// Members that belong to other key types or states are absent.
		if md.DeletionDate != nil || md.ValidTo != nil || md.ExpirationModel != "" || md.PendingDeletionWindowInDays != nil ||
			md.MultiRegionConfiguration != nil || md.SigningAlgorithms != nil || md.MacAlgorithms != nil || md.CustomKeyStoreId != nil {
			t.Errorf("%s: unexpected members in %+v", name, md)
		}
	}
	if *created.KeyId != *described.KeyId || *created.CurrentKeyMaterialId != *described.CurrentKeyMaterialId {
		t.Errorf("DescribeKey %s/%s differs from CreateKey %s/%s", *described.KeyId, *described.CurrentKeyMaterialId, *created.KeyId, *created.CurrentKeyMaterialId)
	}
	withDesc := createSymmetricKey(t, c, &kms.CreateKeyInput{Description: aws.String("payroll")})
	if d := aws.ToString(describeKeyMetadata(t, c, *withDesc.Arn).Description); d != "payroll" {
		t.Errorf("Description %q", d)
	}
}

// derefForPrint turns the pointers in vs into their values for printing.
func derefForPrint(vs []any) []any {
	out := slices.Clone(vs)
	for i, v := range out {
		switch p := v.(type) {
		case *string:
			out[i] = aws.ToString(p)
		case *bool:
			out[i] = aws.ToBool(p)
		}
	}
	return out
}

func TestCreateKeyExternalOrigin(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	md := createSymmetricKey(t, c, &kms.CreateKeyInput{Origin: types.OriginTypeExternal})
	md = describeKeyMetadata(t, c, *md.KeyId)
	if md.KeyState != types.KeyStatePendingImport || md.Enabled || md.Origin != types.OriginTypeExternal {
		t.Errorf("state %s enabled %v origin %s, want PendingImport false EXTERNAL", md.KeyState, md.Enabled, md.Origin)
	}
	if md.CurrentKeyMaterialId != nil {
		t.Errorf("CurrentKeyMaterialId %q before any import", *md.CurrentKeyMaterialId)
	}
	// Cancelling a deletion does not give a key without material a way
	// to Enabled (it once came back Disabled, and EnableKey then made a key
	// whose Encrypt failed with a 500).
	must[*kms.ScheduleKeyDeletionOutput](t)(c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId}))
	must[*kms.CancelKeyDeletionOutput](t)(c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: md.KeyId}))
	if got := describeKeyMetadata(t, c, *md.KeyId); got.KeyState != types.KeyStatePendingImport || got.DeletionDate != nil {
		t.Errorf("after cancel: %s, deletion %v; want PendingImport", got.KeyState, got.DeletionDate)
	}
	_, err := c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: md.KeyId})
	wantError(t, err, "KMSInvalidStateException", *md.Arn+" is pending import.")
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")})
	wantError(t, err, "KMSInvalidStateException", *md.Arn+" is pending import.")
}

func TestCreateKeyRejected(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	existing := createSymmetricKey(t, c, nil)
	before := walkKeyIDs(t, c, 0)

	const (
		anyMessage = "\x00any" // code checked, message not recorded by AWS
		trentWords = ""        // Trent's own wording: must be non-empty
	)
	tags := func(keys ...string) []types.Tag {
		var out []types.Tag
		for _, k := range keys {
			out = append(out, types.Tag{TagKey: aws.String(k), TagValue: aws.String("v")})
		}
		return out
	}
	var fifty1 []string
	for i := range 51 {
		fifty1 = append(fifty1, fmt.Sprintf("k%02d", i))
	}
	long := strings.Repeat("d", 8193)
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`
	cases := []struct {
		name      string
		in        kms.CreateKeyInput
		code, msg string
	}{
		{"SM2 outside China", kms.CreateKeyInput{KeySpec: types.KeySpecSm2, KeyUsage: types.KeyUsageTypeSignVerify},
			"UnsupportedOperationException", "KeySpec SM2 is not supported in this Region"},
		{"spec without KeyUsage", kms.CreateKeyInput{KeySpec: types.KeySpecHmac256}, "ValidationException",
			"You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys."},
		{"KeyUsage with a bad spec", kms.CreateKeyInput{KeySpec: types.KeySpecRsa2048, KeyUsage: types.KeyUsageTypeKeyAgreement},
			"ValidationException", "KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048"},
		{"KeyUsage without spec", kms.CreateKeyInput{KeyUsage: types.KeyUsageTypeSignVerify}, "ValidationException", trentWords},
		{"bad KeyUsage enum", kms.CreateKeyInput{KeyUsage: "RANDOM"}, "ValidationException",
			coralEnumMessage("RANDOM", "keyUsage", types.KeyUsageType("").Values())},
		{"bad KeySpec enum", kms.CreateKeyInput{KeySpec: "HMAC_random"}, "ValidationException",
			coralEnumMessage("HMAC_random", "keySpec", types.KeySpec("").Values())},
		{"KeySpec and CustomerMasterKeySpec", kms.CreateKeyInput{KeySpec: types.KeySpecSymmetricDefault,
			CustomerMasterKeySpec: types.CustomerMasterKeySpecSymmetricDefault}, "ValidationException", trentWords},
		{"CloudHSM key store", kms.CreateKeyInput{Origin: types.OriginTypeAwsCloudhsm, CustomKeyStoreId: aws.String("cks-1234567890abcdef0")},
			"CustomKeyStoreNotFoundException", trentWords},
		{"multi-Region", kms.CreateKeyInput{MultiRegion: aws.Bool(true)}, "UnsupportedOperationException", trentWords},
		{"description over 8192", kms.CreateKeyInput{Description: aws.String(long)}, "ValidationException",
			"1 validation error detected: Value '" + long + "' at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192"},
		{"aws: tag", kms.CreateKeyInput{Tags: tags("aws:owner")}, "TagException", "Tags beginning with aws: are reserved"},
		{"AWS: tag", kms.CreateKeyInput{Tags: tags("AWS:owner")}, "TagException", "Tags beginning with aws: are reserved"},
		{"duplicate tags", kms.CreateKeyInput{Tags: tags("team", "team")}, "TagException", "Duplicate tag keys"},
		{"51 tags", kms.CreateKeyInput{Tags: tags(fifty1...)}, "TagException", "Too many tags"},
		{"malformed policy", kms.CreateKeyInput{Policy: aws.String("this is not a policy")}, "MalformedPolicyDocumentException", anyMessage},
		{"policy over 32768", kms.CreateKeyInput{Policy: aws.String(policy + strings.Repeat(" ", 32769-len(policy)))}, "LimitExceededException", trentWords},
	}
	for _, tc := range cases {
		_, err := c.CreateKey(ctx, &tc.in)
		switch tc.msg {
		case anyMessage:
			apiError(t, err, tc.code)
		case trentWords:
			wantOwnError(t, err, tc.code)
		default:
			wantError(t, err, tc.code, tc.msg)
		}
	}
	// A valid policy of the same shape is accepted: the failures above are
	// about the size, not the content.
	createSymmetricKey(t, c, &kms.CreateKeyInput{Policy: aws.String(policy)})
	after := walkKeyIDs(t, c, 0)
	if len(after) != len(before)+1 || !slices.Contains(after, *existing.KeyId) {
		t.Errorf("failed CreateKey calls changed the key list: %v -> %v", before, after)
	}
}

// coralEnumMessage is AWS's Coral message for a bad enum value. AWS lists the
// set in its own order, which changes with releases; Trent lists the SDK's.
func coralEnumMessage[T ~string](value, member string, set []T) string {
	names := make([]string, len(set))
	for i, v := range set {
		names[i] = string(v)
	}
	return fmt.Sprintf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]",
		value, member, strings.Join(names, ", "))
}

func TestDescribeKeyIdentifiers(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	md := createSymmetricKey(t, c, nil)
	must[*kms.CreateAliasOutput](t)(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/described"), TargetKeyId: md.KeyId}))
	aliasARN := "arn:aws:kms:us-east-1:111122223333:alias/described"
	for _, id := range []string{*md.KeyId, *md.Arn, "alias/described", aliasARN} {
		if got := describeKeyMetadata(t, c, id); *got.KeyId != *md.KeyId {
			t.Errorf("DescribeKey(%s) = %s, want %s", id, *got.KeyId, *md.KeyId)
		}
	}
	absent := "0b7fd7dd-1c2e-4f3a-9b8c-7d6e5f4a3b2c"
	for _, tc := range []struct{ id, msg string }{
		{"x", "Invalid keyId 'x'"},
		{absent, "Key 'arn:aws:kms:us-east-1:111122223333:key/" + absent + "' does not exist"},
		{keyARNFor(testRegion, testAccount, absent), "Key 'arn:aws:kms:us-east-1:111122223333:key/" + absent + "' does not exist"},
		{keyARNFor("eu-west-1", testAccount, *md.KeyId), "Invalid arn eu-west-1"},
		{"alias/missing", "Alias arn:aws:kms:us-east-1:111122223333:alias/missing is not found."},
		{"arn:aws:kms:us-east-1:111122223333:alias/missing", "Alias arn:aws:kms:us-east-1:111122223333:alias/missing is not found."},
	} {
		_, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(tc.id)})
		wantError(t, err, "NotFoundException", tc.msg)
	}
}

func TestListKeysPagination(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	var created []string
	for range 7 {
		created = append(created, *createSymmetricKey(t, c, nil).KeyId)
	}
	slices.Sort(created)
	for _, limit := range []int32{0, 1, 3, 7, 1000} {
		got := walkKeyIDs(t, c, limit)
		slices.Sort(got)
		if !slices.Equal(got, created) {
			t.Errorf("Limit %d: listed %v, want each of %v once", limit, got, created)
		}
	}
	page := must[*kms.ListKeysOutput](t)(c.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(3)}))
	if !page.Truncated || page.NextMarker == nil || len(page.Keys) != 3 {
		t.Fatalf("first page: %d keys, truncated %v, marker %v", len(page.Keys), page.Truncated, page.NextMarker)
	}
	for _, k := range page.Keys {
		if *k.KeyArn != keyARNFor(testRegion, testAccount, *k.KeyId) {
			t.Errorf("KeyArn %s for %s", *k.KeyArn, *k.KeyId)
		}
	}

	_, err := c.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(0)})
	wantError(t, err, "ValidationException", "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")
	_, err = c.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(1001)})
	wantError(t, err, "ValidationException", "1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000")
	_, err = c.ListKeys(ctx, &kms.ListKeysInput{Marker: aws.String("bogus-marker")})
	wantOwnError(t, err, "InvalidMarkerException")
	// A marker is good only for the list that issued it.
	for _, a := range []string{"alias/m1", "alias/m2"} {
		must[*kms.CreateAliasOutput](t)(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(a), TargetKeyId: aws.String(created[0])}))
	}
	aliases := must[*kms.ListAliasesOutput](t)(c.ListAliases(ctx, &kms.ListAliasesInput{Limit: aws.Int32(1)}))
	_, err = c.ListKeys(ctx, &kms.ListKeysInput{Marker: aliases.NextMarker})
	wantOwnError(t, err, "InvalidMarkerException")
}

func TestKeysSeparatePerAccountAndRegion(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	home, other, europe := tn.kms(), tn.client(testRegion, "444455556666"), tn.client("eu-west-1", "test")
	mine := createSymmetricKey(t, home, nil)
	theirs := createSymmetricKey(t, other, nil)
	european := createSymmetricKey(t, europe, nil)
	if *theirs.AWSAccountId != "444455556666" || *theirs.Arn != keyARNFor(testRegion, "444455556666", *theirs.KeyId) {
		t.Errorf("other account's key: %s %s", *theirs.AWSAccountId, *theirs.Arn)
	}
	if *european.Arn != keyARNFor("eu-west-1", testAccount, *european.KeyId) {
		t.Errorf("eu-west-1 key ARN %s", *european.Arn)
	}
	for name, tc := range map[string]struct {
		c    *kms.Client
		want string
	}{"home": {home, *mine.KeyId}, "other account": {other, *theirs.KeyId}, "eu-west-1": {europe, *european.KeyId}} {
		if got := walkKeyIDs(t, tc.c, 0); !slices.Equal(got, []string{tc.want}) {
			t.Errorf("%s lists %v, want only %s", name, got, tc.want)
		}
	}
	// By bare ID a key is looked up in the caller's own account and Region.
	_, err := other.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: mine.KeyId})
	wantError(t, err, "NotFoundException", "Key '"+keyARNFor(testRegion, "444455556666", *mine.KeyId)+"' does not exist")
	_, err = europe.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: mine.KeyId})
	wantError(t, err, "NotFoundException", "Key '"+keyARNFor("eu-west-1", testAccount, *mine.KeyId)+"' does not exist")
	_, err = europe.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: mine.Arn})
	wantError(t, err, "NotFoundException", "Invalid arn us-east-1")
	// By ARN another account reaches the key, and its policy says no.
	_, err = other.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: mine.Arn})
	if ae := apiError(t, err, "AccessDeniedException"); !strings.Contains(ae.ErrorMessage(), *mine.Arn) {
		t.Errorf("AccessDenied message %q does not name the key", ae.ErrorMessage())
	}
	_, err = other.Encrypt(ctx, &kms.EncryptInput{KeyId: mine.Arn, Plaintext: []byte("x")})
	wantOwnError(t, err, "AccessDeniedException")
	_, err = other.DisableKey(ctx, &kms.DisableKeyInput{KeyId: mine.Arn})
	wantOwnError(t, err, "AccessDeniedException")
	if md := describeKeyMetadata(t, home, *mine.KeyId); md.KeyState != types.KeyStateEnabled {
		t.Errorf("refused DisableKey changed the key: %s", md.KeyState)
	}
	// Alias names are per account and Region too.
	for c, md := range map[*kms.Client]*types.KeyMetadata{home: mine, other: theirs, europe: european} {
		must[*kms.CreateAliasOutput](t)(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/shared-name"), TargetKeyId: md.KeyId}))
	}
}

func TestEnableDisableKeyAndDescription(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	md := createSymmetricKey(t, c, nil)
	check := func(state types.KeyState) {
		t.Helper()
		got := describeKeyMetadata(t, c, *md.KeyId)
		if got.KeyState != state || got.Enabled != (state == types.KeyStateEnabled) {
			t.Fatalf("KeyState %s Enabled %v, want %s", got.KeyState, got.Enabled, state)
		}
	}
	for range 2 { // idempotent
		must[*kms.DisableKeyOutput](t)(c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: md.KeyId}))
		check(types.KeyStateDisabled)
	}
	for range 2 {
		must[*kms.EnableKeyOutput](t)(c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: md.Arn}))
		check(types.KeyStateEnabled)
	}
	for _, desc := range []string{"new description", ""} {
		must[*kms.UpdateKeyDescriptionOutput](t)(c.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: md.KeyId, Description: aws.String(desc)}))
		if got := describeKeyMetadata(t, c, *md.KeyId).Description; aws.ToString(got) != desc || got == nil {
			t.Errorf("Description %v, want %q", got, desc)
		}
	}
}
