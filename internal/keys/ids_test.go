package keys

import (
	"bytes"
	"regexp"
	"testing"
)

func TestNewKeyIDIsAVersion4UUID(t *testing.T) {
	id, err := NewKeyID(bytes.NewReader(bytes.Repeat([]byte{0xff}, 16)))
	if err != nil {
		t.Fatal(err)
	}
	if id != "ffffffff-ffff-4fff-bfff-ffffffffffff" {
		t.Fatalf("got %s", id)
	}
	uuid4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	for range 100 {
		id, err := NewKeyID(nil)
		if err != nil || !uuid4.MatchString(id) || !IsKeyID(id) {
			t.Fatalf("bad key ID %q (%v)", id, err)
		}
	}
	if _, err := NewKeyID(bytes.NewReader(nil)); err == nil {
		t.Fatal("a failing random source must be an error")
	}
}

func TestParseIdentifier(t *testing.T) {
	const id = "1234abcd-12ab-34cd-56ef-1234567890ab"
	cases := []struct {
		in      string
		kind    IdentifierKind
		keyID   string
		alias   string
		region  string
		account string
	}{
		{in: id, kind: KindKeyID, keyID: id},
		{in: "mrk-1234abcd12ab34cd56ef1234567890ab", kind: KindKeyID, keyID: "mrk-1234abcd12ab34cd56ef1234567890ab"},
		{in: "arn:aws:kms:us-east-2:111122223333:key/" + id, kind: KindKeyARN, keyID: id, region: "us-east-2", account: "111122223333"},
		{in: "alias/ExampleAlias", kind: KindAliasName, alias: "alias/ExampleAlias"},
		{in: "alias/aws/s3", kind: KindAliasName, alias: "alias/aws/s3"},
		{in: "arn:aws-cn:kms:cn-north-1:111122223333:alias/x/y", kind: KindAliasARN, alias: "alias/x/y", region: "cn-north-1", account: "111122223333"},
	}
	for _, c := range cases {
		got, err := ParseIdentifier(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if got.Kind != c.kind || got.KeyID != c.keyID || got.AliasName != c.alias || got.Region != c.region || got.Account != c.account {
			t.Errorf("%s: got %+v", c.in, got)
		}
	}
	for _, bad := range []string{
		"", "fake-key-id", "1234abcd12ab34cd56ef1234567890ab", "mrk-fake-key-id", "alias/",
		"arn:aws:kms:us-east-1:111122223333:key/fake", "arn:aws:kms:us-east-1:1111:key/" + id,
		"arn:aws:s3:us-east-1:111122223333:key/" + id, "arn:aws:kms:us-east-1:111122223333:alias/",
		"arn:aws:kms:us-east-1:111122223333:grant/x", "arn:aws:kms::111122223333:key/" + id,
	} {
		if _, err := ParseIdentifier(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestARNsAndPartitions(t *testing.T) {
	cases := map[string]string{"us-east-1": "aws", "cn-north-1": "aws-cn", "us-gov-west-1": "aws-us-gov", "eu-west-3": "aws"}
	for region, partition := range cases {
		if got := Partition(region); got != partition {
			t.Errorf("Partition(%s) = %s", region, got)
		}
	}
	if got := KeyARN("cn-north-1", "111122223333", "k"); got != "arn:aws-cn:kms:cn-north-1:111122223333:key/k" {
		t.Error(got)
	}
	if got := AliasARN("us-east-1", "111122223333", "alias/a"); got != "arn:aws:kms:us-east-1:111122223333:alias/a" {
		t.Error(got)
	}
}

func TestDueFollowsState(t *testing.T) {
	next := testTime(400)
	k := &Key{State: StateEnabled, Rotation: Rotation{Enabled: true, Next: next}}
	if d := k.Due(); !d.Rotation.Equal(next) || !d.Deletion.IsZero() {
		t.Fatalf("enabled key: %+v", d)
	}
	k.State = StateDisabled
	if d := k.Due(); !d.Rotation.IsZero() {
		t.Fatalf("a disabled key must not rotate: %+v", d)
	}
	k.State, k.DeletionDate = StatePendingDeletion, testTime(30)
	if d := k.Due(); !d.Deletion.Equal(testTime(30)) || !d.Rotation.IsZero() {
		t.Fatalf("pending deletion: %+v", d)
	}
	k.State, k.Rotation.OnDemandStarted = StateEnabled, testTime(1)
	if d := k.Due(); !d.Rotation.Equal(testTime(1)) {
		t.Fatalf("on-demand rotation must be due at once: %+v", d)
	}
}

func TestCompatibleUsages(t *testing.T) {
	if !Compatible(SpecSymmetricDefault, UsageEncryptDecrypt) || Compatible(SpecSymmetricDefault, "SIGN_VERIFY") ||
		!Compatible("ECC_NIST_P256", "KEY_AGREEMENT") || Compatible("RSA_2048", "KEY_AGREEMENT") || Compatible("NOPE", UsageEncryptDecrypt) {
		t.Fatal("compatibility table is wrong")
	}
}

// The shapes AWS documents for key IDs and account IDs, as regular
// expressions: the reference the byte loops are checked against.
var (
	keyIDShape       = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	mrkKeyIDShape    = regexp.MustCompile(`^mrk-[0-9a-fA-F]{32}$`)
	accountIDShape   = regexp.MustCompile(`^[0-9]{12}$`)
	shapeTestSamples = []string{
		"", "1234abcd-12ab-34cd-56ef-1234567890ab", "1234ABCD-12AB-34CD-56EF-1234567890AB",
		"1234abcd-12ab-34cd-56ef-1234567890a", "1234abcd-12ab-34cd-56ef-1234567890abc", "1234abcd_12ab-34cd-56ef-1234567890ab",
		"1234abcg-12ab-34cd-56ef-1234567890ab", "1234abcd-12ab-34cd-56ef-1234567890a\n", "mrk-1234abcd12ab34cd56ef1234567890ab",
		"mrk-1234abcd12ab34cd56ef1234567890a", "MRK-1234abcd12ab34cd56ef1234567890ab", "mrk-1234abcd12ab34cd56ef1234567890az",
		"111122223333", "11112222333", "1111222233334", "11112222333a", "１１１１２２２２３３３３",
	}
)

// TestKeyIDShapeMatchesThePattern: IsKeyID and isAccountID accept exactly
// what the regular expressions do.
func TestKeyIDShapeMatchesThePattern(t *testing.T) {
	for _, s := range shapeTestSamples {
		checkShapes(t, s)
	}
}

func FuzzKeyIDShape(f *testing.F) {
	for _, s := range shapeTestSamples {
		f.Add(s)
	}
	f.Fuzz(checkShapes)
}

func checkShapes(t *testing.T, s string) {
	if got, want := IsKeyID(s), keyIDShape.MatchString(s) || mrkKeyIDShape.MatchString(s); got != want {
		t.Errorf("IsKeyID(%q) = %v, the pattern says %v", s, got, want)
	}
	if got, want := isAccountID(s), accountIDShape.MatchString(s); got != want {
		t.Errorf("isAccountID(%q) = %v, the pattern says %v", s, got, want)
	}
}

// TestCachedARN: a key's cached ARN is the ARN it would build, and copies
// carry it.
func TestCachedARN(t *testing.T) {
	k := Key{ID: "1234abcd-12ab-34cd-56ef-1234567890ab", Account: "111122223333", Region: "cn-north-1"}
	want := "arn:aws-cn:kms:cn-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	if k.ARN() != want {
		t.Fatalf("ARN %q, want %q", k.ARN(), want)
	}
	k.CacheARN()
	c := k
	if c.ARN() != want || k.ARN() != want {
		t.Fatalf("cached ARN %q (copy %q), want %q", k.ARN(), c.ARN(), want)
	}
}
