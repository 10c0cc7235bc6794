package e2e

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

const (
	grantAlice      = "arn:aws:iam::111122223333:user/alice"
	retirerAccount  = "777788889999"
	retirerRoot     = "arn:aws:iam::777788889999:root"
	granteeAccount  = "444455556666"
	granteeRoot     = "arn:aws:iam::444455556666:root"
	strangerAccount = "555555555555"
)

var grantIDFormat = regexp.MustCompile(`^[0-9a-f]{64}$`)

func createGrant(t *testing.T, c *kms.Client, in *kms.CreateGrantInput) *kms.CreateGrantOutput {
	t.Helper()
	return must[*kms.CreateGrantOutput](t)(c.CreateGrant(ctx, in))
}

func listGrants(t *testing.T, c *kms.Client, keyID string) []types.GrantListEntry {
	t.Helper()
	return must[*kms.ListGrantsOutput](t)(c.ListGrants(ctx, &kms.ListGrantsInput{KeyId: aws.String(keyID)})).Grants
}

// TestGrantLifecycle: a grant is created, listed with every member AWS
// reports, found by ID and by grantee, and revoked.
func TestGrantLifecycle(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	key := createSymmetricKey(t, c, nil)
	out := createGrant(t, c, &kms.CreateGrantInput{KeyId: key.KeyId, GranteePrincipal: aws.String(grantAlice),
		RetiringPrincipal: aws.String(retirerRoot), Name: aws.String("app/grant-1"),
		Operations:  []types.GrantOperation{types.GrantOperationEncrypt, types.GrantOperationDecrypt},
		Constraints: &types.GrantConstraints{EncryptionContextSubset: map[string]string{"Dept": "IT"}}})
	if !grantIDFormat.MatchString(*out.GrantId) || len(*out.GrantToken) < 64 {
		t.Fatalf("grant ID %q, token %q", *out.GrantId, *out.GrantToken)
	}
	other := createGrant(t, c, &kms.CreateGrantInput{KeyId: key.KeyId, GranteePrincipal: aws.String(granteeRoot),
		Operations: []types.GrantOperation{types.GrantOperationDescribeKey, types.GrantOperationGenerateDataKey}})
	grants := listGrants(t, c, *key.KeyId)
	if len(grants) != 2 {
		t.Fatalf("ListGrants: %d grants, want 2", len(grants))
	}
	i := slices.IndexFunc(grants, func(g types.GrantListEntry) bool { return *g.GrantId == *out.GrantId })
	if i < 0 {
		t.Fatalf("grant %s not listed", *out.GrantId)
	}
	g := grants[i]
	if *g.KeyId != *key.Arn || *g.Name != "app/grant-1" || *g.GranteePrincipal != grantAlice || *g.RetiringPrincipal != retirerRoot ||
		*g.IssuingAccount != "arn:aws:iam::111122223333:root" || !g.CreationDate.Equal(testEpoch) ||
		!slices.Equal(g.Operations, []types.GrantOperation{"Encrypt", "Decrypt"}) ||
		g.Constraints == nil || g.Constraints.EncryptionContextSubset["Dept"] != "IT" || g.Constraints.EncryptionContextEquals != nil {
		b, _ := json.Marshal(g)
		t.Errorf("listed grant: %s", b)
	}
	byID := must[*kms.ListGrantsOutput](t)(c.ListGrants(ctx, &kms.ListGrantsInput{KeyId: key.Arn, GrantId: other.GrantId}))
	if len(byID.Grants) != 1 || *byID.Grants[0].GrantId != *other.GrantId || byID.Truncated {
		t.Errorf("ListGrants by GrantId: %+v", byID)
	}
	byGrantee := must[*kms.ListGrantsOutput](t)(c.ListGrants(ctx, &kms.ListGrantsInput{KeyId: key.KeyId, GranteePrincipal: aws.String(grantAlice)}))
	if len(byGrantee.Grants) != 1 || *byGrantee.Grants[0].GrantId != *out.GrantId {
		t.Errorf("ListGrants by grantee: %+v", byGrantee.Grants)
	}
	must[*kms.RevokeGrantOutput](t)(c.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: key.KeyId, GrantId: out.GrantId}))
	if grants := listGrants(t, c, *key.KeyId); len(grants) != 1 || *grants[0].GrantId != *other.GrantId {
		t.Errorf("after RevokeGrant: %d grants", len(grants))
	}
	_, err := c.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: key.KeyId, GrantId: out.GrantId})
	wantError(t, err, "InvalidGrantIdException", "Grant ID "+*out.GrantId+" is not valid for this key.")
	_, err = c.ListGrants(ctx, &kms.ListGrantsInput{KeyId: key.KeyId, GrantId: out.GrantId})
	apiError(t, err, "InvalidGrantIdException")
	// A grant of another key is not this key's.
	key2 := createSymmetricKey(t, c, nil)
	_, err = c.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: key2.KeyId, GrantId: other.GrantId})
	apiError(t, err, "InvalidGrantIdException")
}

// TestGrantNameIdempotency: the same Name and parameters on the same key
// return the existing grant with a new token; other parameters, or another
// key, make a new grant.
func TestGrantNameIdempotency(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	key, key2 := createSymmetricKey(t, c, nil), createSymmetricKey(t, c, nil)
	in := func(keyID *string, ops ...types.GrantOperation) *kms.CreateGrantInput {
		return &kms.CreateGrantInput{KeyId: keyID, GranteePrincipal: aws.String(grantAlice), Name: aws.String("retry-me"), Operations: ops}
	}
	first := createGrant(t, c, in(key.KeyId, "Encrypt", "Decrypt"))
	again := createGrant(t, c, in(key.Arn, "Decrypt", "Encrypt"))
	if *again.GrantId != *first.GrantId || *again.GrantToken == *first.GrantToken {
		t.Errorf("retry: grant %s (first %s), same token %v", *again.GrantId, *first.GrantId, *again.GrantToken == *first.GrantToken)
	}
	different := createGrant(t, c, in(key.KeyId, "Encrypt"))
	onOtherKey := createGrant(t, c, in(key2.KeyId, "Encrypt", "Decrypt"))
	if *different.GrantId == *first.GrantId || *onOtherKey.GrantId == *first.GrantId {
		t.Errorf("other parameters or key returned the first grant")
	}
	if n := len(listGrants(t, c, *key.KeyId)); n != 2 {
		t.Errorf("key has %d grants, want 2", n)
	}
	// Both tokens of the first grant retire it (they are interchangeable).
	must[*kms.RetireGrantOutput](t)(c.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: first.GrantToken}))
	_, err := c.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: again.GrantToken})
	wantError(t, err, "NotFoundException", "The grant token does not name an existing grant.")
}

// TestGrantPaging: Limit, NextMarker and Truncated walk every grant once.
func TestGrantPaging(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	key := createSymmetricKey(t, c, nil)
	want := map[string]bool{}
	for range 5 {
		want[*createGrant(t, c, &kms.CreateGrantInput{KeyId: key.KeyId, GranteePrincipal: aws.String(grantAlice),
			Operations: []types.GrantOperation{types.GrantOperationEncrypt}}).GrantId] = true
	}
	seen := map[string]bool{}
	var marker *string
	for pages := 0; ; pages++ {
		out := must[*kms.ListGrantsOutput](t)(c.ListGrants(ctx, &kms.ListGrantsInput{KeyId: key.KeyId, Limit: aws.Int32(2), Marker: marker}))
		if len(out.Grants) > 2 || pages > 3 {
			t.Fatalf("page of %d grants, page %d", len(out.Grants), pages)
		}
		for _, g := range out.Grants {
			if seen[*g.GrantId] {
				t.Errorf("grant %s listed twice", *g.GrantId)
			}
			seen[*g.GrantId] = true
		}
		if out.Truncated != (out.NextMarker != nil) {
			t.Errorf("Truncated %v with NextMarker %v", out.Truncated, out.NextMarker)
		}
		if !out.Truncated {
			break
		}
		marker = out.NextMarker
	}
	if len(seen) != len(want) {
		t.Errorf("listed %d grants, want %d", len(seen), len(want))
	}
	_, err := c.ListGrants(ctx, &kms.ListGrantsInput{KeyId: key.KeyId, Marker: aws.String("bm90LWEtbWFya2Vy")})
	apiError(t, err, "InvalidMarkerException")
	_, err = c.ListGrants(ctx, &kms.ListGrantsInput{KeyId: key.KeyId, Limit: aws.Int32(101)})
	wantError(t, err, "ValidationException", "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100")
}

// TestRetireGrantByWhom: the retiring principal (another account), the
// grantee when the grant allows RetireGrant, and the issuing account may
// retire a grant; a stranger and a grantee without RetireGrant may not.
func TestRetireGrantByWhom(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	owner := tn.kms()
	key := createSymmetricKey(t, owner, nil)
	grant := func(ops ...types.GrantOperation) *kms.CreateGrantOutput {
		return createGrant(t, owner, &kms.CreateGrantInput{KeyId: key.KeyId, GranteePrincipal: aws.String(granteeRoot),
			RetiringPrincipal: aws.String(retirerRoot), Operations: ops})
	}
	byID := func(g *kms.CreateGrantOutput) *kms.RetireGrantInput {
		return &kms.RetireGrantInput{KeyId: key.Arn, GrantId: g.GrantId}
	}
	plain, retirable, third := grant("Encrypt"), grant("Encrypt", "RetireGrant"), grant("Decrypt")

	_, err := tn.client(testRegion, strangerAccount).RetireGrant(ctx, byID(plain))
	wantError(t, err, "AccessDeniedException", "User: arn:aws:iam::555555555555:root is not authorized to perform: kms:RetireGrant on resource: "+
		*key.Arn+" because no resource-based policy allows the kms:RetireGrant action")
	_, err = tn.client(testRegion, strangerAccount).RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: plain.GrantToken})
	apiError(t, err, "AccessDeniedException")
	_, err = tn.client(testRegion, granteeAccount).RetireGrant(ctx, byID(plain))
	apiError(t, err, "AccessDeniedException")

	must[*kms.RetireGrantOutput](t)(tn.client(testRegion, retirerAccount).RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: plain.GrantToken}))
	must[*kms.RetireGrantOutput](t)(tn.client(testRegion, granteeAccount).RetireGrant(ctx, byID(retirable)))
	must[*kms.RetireGrantOutput](t)(owner.RetireGrant(ctx, &kms.RetireGrantInput{KeyId: key.KeyId, GrantId: third.GrantId}))
	if n := len(listGrants(t, owner, *key.KeyId)); n != 0 {
		t.Errorf("%d grants remain", n)
	}
	_, err = owner.RetireGrant(ctx, byID(third))
	apiError(t, err, "InvalidGrantIdException")
	_, err = owner.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: aws.String("not a grant token")})
	wantError(t, err, "InvalidGrantTokenException", "Invalid grant token")
	_, err = owner.RetireGrant(ctx, &kms.RetireGrantInput{GrantId: third.GrantId})
	wantError(t, err, "ValidationException", "Grant token OR (grant ID, key ID) must be specified")
}

// TestListRetirableGrants: a retiring principal's grants on keys of another
// account, listed by a caller of the principal's account; nobody else sees
// them.
func TestListRetirableGrants(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	owner := tn.kms()
	var want []string
	for range 3 {
		key := createSymmetricKey(t, owner, nil)
		want = append(want, *createGrant(t, owner, &kms.CreateGrantInput{KeyId: key.KeyId, GranteePrincipal: aws.String(grantAlice),
			RetiringPrincipal: aws.String(retirerRoot), Operations: []types.GrantOperation{types.GrantOperationEncrypt}}).GrantId)
		createGrant(t, owner, &kms.CreateGrantInput{KeyId: key.KeyId, GranteePrincipal: aws.String(grantAlice),
			Operations: []types.GrantOperation{types.GrantOperationDecrypt}})
	}
	retirer := tn.client(testRegion, retirerAccount)
	var got []string
	var marker *string
	for {
		out := must[*kms.ListRetirableGrantsOutput](t)(retirer.ListRetirableGrants(ctx, &kms.ListRetirableGrantsInput{
			RetiringPrincipal: aws.String(retirerRoot), Limit: aws.Int32(2), Marker: marker}))
		for _, g := range out.Grants {
			got = append(got, *g.GrantId)
			if *g.RetiringPrincipal != retirerRoot || !strings.HasPrefix(*g.KeyId, "arn:aws:kms:us-east-1:111122223333:key/") {
				t.Errorf("listed %+v", g)
			}
		}
		if !out.Truncated {
			break
		}
		marker = out.NextMarker
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("ListRetirableGrants = %v, want %v", got, want)
	}
	// The key's account does not see another account's principal's list.
	out := must[*kms.ListRetirableGrantsOutput](t)(owner.ListRetirableGrants(ctx, &kms.ListRetirableGrantsInput{RetiringPrincipal: aws.String(retirerRoot)}))
	if len(out.Grants) != 0 {
		t.Errorf("owner listed %d retirable grants of %s", len(out.Grants), retirerRoot)
	}
	_, err := owner.ListRetirableGrants(ctx, &kms.ListRetirableGrantsInput{})
	wantError(t, err, "ValidationException", "1 validation error detected: Value null at 'retiringPrincipal' failed to satisfy constraint: Member must not be null")
}

// TestCreateGrantAudit: CreateGrant's record names the grant and the key,
// and not the token it returned (CloudTrail's example has grantId and keyId
// only). Grant tokens are not secret (docs "Grants in AWS KMS"), so the
// RetireGrant record may show the token it was given.
func TestCreateGrantAudit(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	key := createSymmetricKey(t, c, nil)
	out := createGrant(t, c, &kms.CreateGrantInput{KeyId: key.KeyId, GranteePrincipal: aws.String(grantAlice),
		Operations: []types.GrantOperation{types.GrantOperationEncrypt}})
	must[*kms.RetireGrantOutput](t)(c.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: out.GrantToken}))
	var found bool
	for _, r := range tn.auditRecords() {
		if r.EventName == "CreateGrant" {
			if b, _ := json.Marshal(r); strings.Contains(string(b), *out.GrantToken) {
				t.Errorf("CreateGrant record holds the grant token")
			}
			found = true
			if r.ResponseElements["grantId"] != *out.GrantId || r.ResponseElements["keyId"] != *key.Arn || len(r.ResponseElements) != 2 {
				t.Errorf("CreateGrant responseElements %v", r.ResponseElements)
			}
		}
	}
	if !found {
		t.Error("no CreateGrant record")
	}
}
