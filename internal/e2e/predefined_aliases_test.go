package e2e

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// Predefined AWS managed aliases: ListAliases without KeyId also lists the
// alias/aws/<service> names of services not used yet, without TargetKeyId
// (API Reference ListAliases: "aliases that have no TargetKeyId field ...
// are predefined aliases that AWS has created but has not yet associated
// with a KMS key"), merged in name order with the aliases that exist.

// predefinedAliases is what a fresh account and Region list, in order. It
// is written out here rather than read from the server so that a change to
// the list shows up as a failing test.
var predefinedAliases = []string{
	"alias/aws/acm",
	"alias/aws/dynamodb",
	"alias/aws/ebs",
	"alias/aws/elasticfilesystem",
	"alias/aws/es",
	"alias/aws/glue",
	"alias/aws/kinesisvideo",
	"alias/aws/lambda",
	"alias/aws/rds",
	"alias/aws/redshift",
	"alias/aws/s3",
	"alias/aws/secretsmanager",
	"alias/aws/ssm",
	"alias/aws/xray",
}

// aliasEntryPages lists every ListAliases entry (without KeyId) in pages of
// limit, checking that a truncated page is full and carries a marker.
func (h sdkHelper) aliasEntryPages(limit int32) []types.AliasListEntry {
	h.t.Helper()
	in := &kms.ListAliasesInput{Limit: &limit}
	var all []types.AliasListEntry
	for range 200 {
		out := must[*kms.ListAliasesOutput](h.t)(h.c.ListAliases(ctx, in))
		all = append(all, out.Aliases...)
		if !out.Truncated {
			if out.NextMarker != nil {
				h.t.Fatalf("last page (limit %d) has NextMarker %q", limit, *out.NextMarker)
			}
			return all
		}
		if len(out.Aliases) != int(limit) || out.NextMarker == nil {
			h.t.Fatalf("truncated page of %d (limit %d), NextMarker %v", len(out.Aliases), limit, out.NextMarker)
		}
		in.Marker = out.NextMarker
	}
	h.t.Fatal("ListAliases never ended")
	return nil
}

func aliasNames(entries []types.AliasListEntry) []string {
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = aws.ToString(e.AliasName)
	}
	return names
}

// terraformAliasLookup does what the aws_kms_alias data source of
// terraform-provider-aws does (internal/service/kms/alias_data_source.go,
// findAliasByName in alias.go): walk every ListAliases page with the SDK's
// paginator and no Limit, require exactly one entry of that name, then
// DescribeKey the alias name for the target key (the entry may have no
// TargetKeyId), treating a key pending deletion as not found.
func (h sdkHelper) terraformAliasLookup(name string) (types.AliasListEntry, *types.KeyMetadata, error) {
	h.t.Helper()
	var found []types.AliasListEntry
	pages := kms.NewListAliasesPaginator(h.c, &kms.ListAliasesInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return types.AliasListEntry{}, nil, err
		}
		for _, a := range page.Aliases {
			if aws.ToString(a.AliasName) == name {
				found = append(found, a)
			}
		}
	}
	if len(found) != 1 {
		return types.AliasListEntry{}, nil, fmt.Errorf("ListAliases lists %s %d times, want once", name, len(found))
	}
	out, err := h.c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &name})
	if err != nil {
		return found[0], nil, err
	}
	if st := out.KeyMetadata.KeyState; st == types.KeyStatePendingDeletion || st == types.KeyStatePendingReplicaDeletion {
		return found[0], nil, errors.New(name + " names a key pending deletion")
	}
	return found[0], out.KeyMetadata, nil
}

func TestPredefinedAliasesOnFreshServer(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)

	out := must[*kms.ListAliasesOutput](t)(c.ListAliases(ctx, &kms.ListAliasesInput{}))
	if out.Truncated || out.NextMarker != nil {
		t.Fatalf("default page truncated: %v %v", out.Truncated, out.NextMarker)
	}
	if got := aliasNames(out.Aliases); !slices.Equal(got, predefinedAliases) {
		t.Fatalf("fresh server lists\n %v\nwant\n %v", got, predefinedAliases)
	}
	// Recorded entries of predefined aliases carry a name and an ARN only:
	// there is no key, and the model dates an alias by its association
	// (LastUpdatedDate: "most recently associated with a KMS key").
	for _, e := range out.Aliases {
		name := aws.ToString(e.AliasName)
		if aws.ToString(e.AliasArn) != sdkAliasARN(testRegion, testAccount, name) {
			t.Errorf("%s: AliasArn %s", name, aws.ToString(e.AliasArn))
		}
		if e.TargetKeyId != nil || e.CreationDate != nil || e.LastUpdatedDate != nil {
			t.Errorf("%s: TargetKeyId %v, CreationDate %v, LastUpdatedDate %v", name, aws.ToString(e.TargetKeyId), e.CreationDate, e.LastUpdatedDate)
		}
	}
	if ids := h.keyIDs(); len(ids) != 0 {
		t.Fatalf("listing aliases created keys %v", ids)
	}
	// A key's own listing never shows a predefined name: it has no key.
	key := h.newKey()
	if got := h.aliasTargets(*key.KeyId); len(got) != 0 {
		t.Fatalf("ListAliases(KeyId) of a new key: %v", got)
	}
}

// TestTerraformAliasDataSourceOnFreshServer: data "aws_kms_alias" with
// name = "alias/aws/s3" works on a fresh server, as on a fresh account.
func TestTerraformAliasDataSourceOnFreshServer(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	h := sdkFor(t, tn.kms())

	entry, md, err := h.terraformAliasLookup("alias/aws/s3")
	if err != nil {
		t.Fatalf("lookup of alias/aws/s3: %v", err)
	}
	if aws.ToString(entry.AliasArn) != sdkAliasARN(testRegion, testAccount, "alias/aws/s3") || entry.TargetKeyId != nil {
		t.Fatalf("entry before first use: %+v", entry)
	}
	if md.KeyManager != types.KeyManagerTypeAws || aws.ToString(md.Description) != managedS3Description {
		t.Fatalf("alias/aws/s3 names %+v", md)
	}
	// The next plan reads the same key, now listed as the alias's target.
	entry, again, err := h.terraformAliasLookup("alias/aws/s3")
	if err != nil {
		t.Fatalf("second lookup: %v", err)
	}
	if *again.KeyId != *md.KeyId || aws.ToString(entry.TargetKeyId) != *md.KeyId {
		t.Fatalf("second lookup: key %s, entry target %s, want %s", *again.KeyId, aws.ToString(entry.TargetKeyId), *md.KeyId)
	}

	// A customer alias, as in the provider's own acceptance test.
	key := h.newKey()
	h.createAlias("alias/app", *key.KeyId)
	if entry, md, err := h.terraformAliasLookup("alias/app"); err != nil || *md.KeyId != *key.KeyId || aws.ToString(entry.TargetKeyId) != *key.KeyId {
		t.Fatalf("lookup of alias/app: %+v %+v %v", entry, md, err)
	}

	// alias/aws/ecr names an AWS managed key but is not predefined (no
	// recorded fresh-account listing shows it): as on AWS, the lookup fails
	// until the alias is first used, and works after.
	if _, _, err := h.terraformAliasLookup("alias/aws/ecr"); err == nil {
		t.Fatal("alias/aws/ecr listed before first use")
	}
	ecr := h.describe("alias/aws/ecr")
	if _, md, err := h.terraformAliasLookup("alias/aws/ecr"); err != nil || *md.KeyId != *ecr.KeyId {
		t.Fatalf("lookup of alias/aws/ecr after first use: %v", err)
	}
}

func TestPredefinedAliasListedOnceAfterFirstUse(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)
	created := tn.clock.Now()
	keyID := h.describe("alias/aws/s3").KeyId

	entries := h.aliasEntryPages(100)
	if got := aliasNames(entries); !slices.Equal(got, predefinedAliases) {
		t.Fatalf("after first use of alias/aws/s3: %v", got)
	}
	for _, e := range entries {
		name := aws.ToString(e.AliasName)
		if name != "alias/aws/s3" {
			if e.TargetKeyId != nil {
				t.Errorf("%s has target %s", name, *e.TargetKeyId)
			}
			continue
		}
		if aws.ToString(e.TargetKeyId) != *keyID {
			t.Fatalf("alias/aws/s3 target %s, want %s", aws.ToString(e.TargetKeyId), *keyID)
		}
		h.wantTime("CreationDate", e.CreationDate, created)
		h.wantTime("LastUpdatedDate", e.LastUpdatedDate, created)
	}
	if got := h.aliasTargets(*keyID); len(got) != 1 || got["alias/aws/s3"] != *keyID {
		t.Fatalf("ListAliases(KeyId) %v", got)
	}
}

// TestListAliasesPagingAcrossPredefined: pages of every size list every
// alias exactly once and in name order, whether it is stored (customer
// aliases, AWS managed aliases in use, predefined or not) or predefined
// only, and wherever a page boundary falls between the two.
func TestListAliasesPagingAcrossPredefined(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)
	key := h.newKey()
	// Names that sort before, between and after the alias/aws/ names.
	custom := []string{"alias/B", "alias/app", "alias/aw", "alias/awsa", "alias/aws_x", "alias/zed"}
	for _, name := range custom {
		h.createAlias(name, *key.KeyId)
	}
	inUse := map[string]string{} // alias -> key ID
	for _, name := range []string{"alias/aws/ebs", "alias/aws/xray", "alias/aws/sqs", "alias/aws/ecr"} {
		inUse[name] = *h.describe(name).KeyId
	}
	want := slices.Concat(predefinedAliases, custom, []string{"alias/aws/sqs", "alias/aws/ecr"})
	slices.Sort(want)

	for limit := int32(1); limit <= int32(len(want))+1; limit++ {
		entries := h.aliasEntryPages(limit)
		if got := aliasNames(entries); !slices.Equal(got, want) {
			t.Fatalf("limit %d lists\n %v\nwant\n %v", limit, got, want)
		}
		for _, e := range entries {
			name, target := aws.ToString(e.AliasName), aws.ToString(e.TargetKeyId)
			switch {
			case inUse[name] != "":
				if target != inUse[name] {
					t.Fatalf("limit %d: %s target %q, want %s", limit, name, target, inUse[name])
				}
			case slices.Contains(custom, name):
				if target != *key.KeyId {
					t.Fatalf("limit %d: %s target %q", limit, name, target)
				}
			case target != "":
				t.Fatalf("limit %d: predefined %s has target %s", limit, name, target)
			}
		}
	}
	if got := aliasNames(must[*kms.ListAliasesOutput](t)(c.ListAliases(ctx, &kms.ListAliasesInput{Limit: aws.Int32(100)})).Aliases); !slices.Equal(got, want) {
		t.Fatalf("one page of 100: %v", got)
	}

	// A marker stays good when the alias after it comes into use between
	// two pages: the alias is listed once, with its key.
	page := must[*kms.ListAliasesOutput](t)(c.ListAliases(ctx, &kms.ListAliasesInput{Limit: aws.Int32(int32(slices.Index(want, "alias/aws/glue")))}))
	if last := aliasNames(page.Aliases)[len(page.Aliases)-1]; last != "alias/aws/es" || !page.Truncated {
		t.Fatalf("first page ends at %s (truncated %v)", last, page.Truncated)
	}
	glue := h.describe("alias/aws/glue").KeyId
	rest := must[*kms.ListAliasesOutput](t)(c.ListAliases(ctx, &kms.ListAliasesInput{Limit: aws.Int32(100), Marker: page.NextMarker}))
	if got := slices.Concat(aliasNames(page.Aliases), aliasNames(rest.Aliases)); !slices.Equal(got, want) {
		t.Fatalf("across the first use: %v", got)
	}
	if first := rest.Aliases[0]; aws.ToString(first.AliasName) != "alias/aws/glue" || aws.ToString(first.TargetKeyId) != *glue {
		t.Fatalf("second page starts with %+v, want alias/aws/glue -> %s", first, *glue)
	}

	// Markers stay bound to their list.
	keysPage := must[*kms.ListKeysOutput](t)(c.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(1)}))
	_, err := c.ListAliases(ctx, &kms.ListAliasesInput{Marker: keysPage.NextMarker})
	apiError(t, err, "InvalidMarkerException")
}

// Each account and Region has its own predefined aliases, and the first use
// of one in one place leaves the others unused.
func TestPredefinedAliasesPerAccountAndRegion(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	east := tn.kms()
	s3 := *sdkFor(t, east).describe("alias/aws/s3").KeyId
	places := []struct {
		region, account string
		c               *kms.Client
	}{
		{testRegion, testAccount, east},
		{"us-west-2", testAccount, tn.client("us-west-2", "test")},
		{testRegion, "444455556666", tn.client(testRegion, "444455556666")},
	}
	for i, p := range places {
		entries := sdkFor(t, p.c).aliasEntryPages(5)
		if got := aliasNames(entries); !slices.Equal(got, predefinedAliases) {
			t.Fatalf("%s/%s lists %v", p.region, p.account, got)
		}
		for _, e := range entries {
			name := aws.ToString(e.AliasName)
			if aws.ToString(e.AliasArn) != sdkAliasARN(p.region, p.account, name) {
				t.Fatalf("%s/%s: %s has ARN %s", p.region, p.account, name, aws.ToString(e.AliasArn))
			}
			wantTarget := ""
			if i == 0 && name == "alias/aws/s3" {
				wantTarget = s3
			}
			if aws.ToString(e.TargetKeyId) != wantTarget {
				t.Fatalf("%s/%s: %s target %q, want %q", p.region, p.account, name, aws.ToString(e.TargetKeyId), wantTarget)
			}
		}
	}
}
