package kms

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/store"
)

const (
	alice     = "arn:aws:iam::111122223333:user/alice"
	adminRole = "arn:aws:iam::111122223333:role/Admin"
	otherRoot = "arn:aws:iam::444455556666:root"
)

func grantTestService(t *testing.T) (*Service, *keys.Key) {
	t.Helper()
	s := newRecordsTestService(t, clock.NewManual(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)))
	created, err := s.CreateKey(testRequest("CreateKey"), &CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	return s, s.testKey(t, created.KeyMetadata.KeyId)
}

func createTestGrant(t *testing.T, s *Service, k *keys.Key, in CreateGrantInput) *CreateGrantOutput {
	t.Helper()
	in.KeyId = &k.ID
	out, err := s.CreateGrant(testRequest("CreateGrant"), &in)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func callerOf(arn, principalARN string) identity.Caller {
	c := identity.Caller{Account: principalAccount(arn), ARN: arn, PrincipalARN: principalARN}
	if c.Account == "" { // an STS session ARN
		c.Account = "111122223333"
	}
	return c
}

// TestGrantAllows checks the authorisation hook against grants in the real
// store: who is a grantee, which operations, and the two encryption
// context constraints.
func TestGrantAllows(t *testing.T) {
	t.Parallel()
	s, k := grantTestService(t)
	str := func(v string) *string { return &v }
	equals := createTestGrant(t, s, k, CreateGrantInput{GranteePrincipal: str(alice), Operations: []string{"Encrypt"},
		Constraints: &GrantConstraints{EncryptionContextEquals: map[string]string{"Dept": "IT"}}})
	subset := createTestGrant(t, s, k, CreateGrantInput{GranteePrincipal: str(adminRole), Operations: []string{"Decrypt", "ReEncryptFrom"},
		Constraints: &GrantConstraints{EncryptionContextSubset: map[string]string{"Dept": "IT"}}})
	account := createTestGrant(t, s, k, CreateGrantInput{GranteePrincipal: str(otherRoot), Operations: []string{"GenerateDataKey", "DescribeKey"}})
	session := callerOf("arn:aws:sts::111122223333:assumed-role/Admin/s1", adminRole)
	otherUser := callerOf("arn:aws:iam::444455556666:user/bob", "arn:aws:iam::444455556666:user/bob")
	cases := []struct {
		name   string
		caller identity.Caller
		op     string
		ec     map[string]string
		want   string
		// delegated: the caller's identity-based policies allow the
		// request, which a grant to its account needs.
		delegated bool
	}{
		{"equals, exact context", callerOf(alice, alice), "Encrypt", map[string]string{"Dept": "IT"}, equals.GrantId, false},
		{"equals, extra pair", callerOf(alice, alice), "Encrypt", map[string]string{"Dept": "IT", "x": "y"}, "", false},
		{"equals, no context", callerOf(alice, alice), "Encrypt", nil, "", false},
		{"equals, other case of value", callerOf(alice, alice), "Encrypt", map[string]string{"Dept": "it"}, "", false},
		{"equals, other case of key", callerOf(alice, alice), "Encrypt", map[string]string{"dept": "IT"}, "", false},
		{"operation not granted", callerOf(alice, alice), "Decrypt", map[string]string{"Dept": "IT"}, "", false},
		{"subset via role session, extra pair", session, "Decrypt", map[string]string{"Dept": "IT", "x": "y"}, subset.GrantId, false},
		{"subset, ReEncryptFrom", session, "ReEncryptFrom", map[string]string{"Dept": "IT"}, subset.GrantId, false},
		{"subset, missing pair", session, "Decrypt", map[string]string{"x": "y"}, "", false},
		{"subset, other value", session, "Decrypt", map[string]string{"Dept": "HR"}, "", false},
		{"not the grantee", callerOf(alice, alice), "Decrypt", map[string]string{"Dept": "IT"}, "", false},
		{"account root grantee, principal of that account delegated by IAM", otherUser, "GenerateDataKey", nil, account.GrantId, true},
		{"account root grantee, principal of that account without IAM", otherUser, "GenerateDataKey", nil, "", false},
		{"account root grantee, that account's root", identity.RootCaller("444455556666", "AKIAROOT"), "GenerateDataKey", nil, account.GrantId, false},
		{"account root grantee, DescribeKey", otherUser, "DescribeKey", nil, account.GrantId, true},
		{"account root grantee, other account", callerOf(alice, alice), "GenerateDataKey", nil, "", true},
	}
	for _, c := range cases {
		var got string
		err := s.store.View(context.Background(), func(tx store.Tx) error {
			var err error
			got, err = s.grantAllows(tx, k, c.caller, c.op, c.ec, nil, c.delegated)
			return err
		})
		if err != nil || got != c.want {
			t.Errorf("%s: grantAllows = %q, %v; want %q", c.name, got, err, c.want)
		}
	}
}

// TestGrantAllowsTokens: a grant named by its token allows (only its
// grantee), a malformed or forged token fails the request, and the token
// of a retired grant confers nothing.
func TestGrantAllowsTokens(t *testing.T) {
	t.Parallel()
	s, k := grantTestService(t)
	grantee := alice
	g := createTestGrant(t, s, k, CreateGrantInput{GranteePrincipal: &grantee, Operations: []string{"Encrypt"}})
	parsed, err := parseGrantToken(g.GrantToken)
	if err != nil {
		t.Fatal(err)
	}
	forgedBytes := append(append([]byte{}, parsed.signed...), make([]byte, grantTagBytes)...)
	forged := encodeTokenBytes(forgedBytes)
	check := func(caller identity.Caller, tokens []string) (string, error) {
		var got string
		err := s.store.View(context.Background(), func(tx store.Tx) error {
			var err error
			got, err = s.grantAllows(tx, k, caller, "Encrypt", nil, tokens, false)
			return err
		})
		return got, err
	}
	if got, err := check(callerOf(alice, alice), []string{g.GrantToken}); err != nil || got != g.GrantId {
		t.Errorf("grantee with token: %q, %v", got, err)
	}
	if got, err := check(callerOf(otherRoot, otherRoot), []string{g.GrantToken}); err != nil || got != "" {
		t.Errorf("a token does not make another caller the grantee: %q, %v", got, err)
	}
	for name, tok := range map[string]string{"malformed": "not-a-token", "forged tag": forged} {
		if _, err := check(callerOf(alice, alice), []string{tok}); !isCode(err, codeInvalidGrantToken) {
			t.Errorf("%s token: %v, want InvalidGrantTokenException", name, err)
		}
	}
	if _, err := s.RetireGrant(testRequest("RetireGrant"), &RetireGrantInput{GrantToken: &g.GrantToken}); err != nil {
		t.Fatal(err)
	}
	if got, err := check(callerOf(alice, alice), []string{g.GrantToken}); err != nil || got != "" {
		t.Errorf("token of a retired grant: %q, %v; want nothing", got, err)
	}
}

func isCode(err error, code string) bool {
	e, ok := kmserr.As(err)
	return ok && e.Code == code
}

// TestGrantsPerKeyQuota: the 50,000th grant is created and the next is
// refused. The count the quota reads is set to just under the quota rather
// than creating 49,999 grants.
func TestGrantsPerKeyQuota(t *testing.T) {
	t.Parallel()
	s, k := grantTestService(t)
	err := s.store.Update(context.Background(), func(tx store.Tx) error {
		return tx.Put(layout.GrantCount(k.Account, k.Region, k.ID), []byte(strconv.Itoa(maxGrantsPerKey-1)))
	})
	if err != nil {
		t.Fatal(err)
	}
	grantee := alice
	in := CreateGrantInput{KeyId: &k.ID, GranteePrincipal: &grantee, Operations: []string{"Encrypt"}}
	if _, err := s.CreateGrant(testRequest("CreateGrant"), &in); err != nil {
		t.Fatalf("grant %d: %v", maxGrantsPerKey, err)
	}
	_, err = s.CreateGrant(testRequest("CreateGrant"), &in)
	if !isCode(err, kmserr.CodeLimitExceeded) {
		t.Fatalf("grant %d: %v, want LimitExceededException", maxGrantsPerKey+1, err)
	}
	var n int
	_ = s.store.View(context.Background(), func(tx store.Tx) error {
		n, err = grantCount(tx, k.Account, k.Region, k.ID)
		return err
	})
	if n != maxGrantsPerKey {
		t.Errorf("grant count %d after the refused grant, want %d", n, maxGrantsPerKey)
	}
}

// TestDeletingAKeyDeletesItsGrants: a deleted key's grants and every index
// entry go, in transactions the store accepts, including the entries kept
// in the retiring principal's account.
func TestDeletingAKeyDeletesItsGrants(t *testing.T) {
	t.Parallel()
	clk := clock.NewManual(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	s := newRecordsTestService(t, clk)
	created, err := s.CreateKey(testRequest("CreateKey"), &CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	k := s.testKey(t, created.KeyMetadata.KeyId)
	for i := range 70 { // more than one emptying transaction's worth
		grantee, retiring, name := fmt.Sprintf("arn:aws:iam::111122223333:user/u%d", i), otherRoot, fmt.Sprintf("g/%d", i)
		createTestGrant(t, s, k, CreateGrantInput{GranteePrincipal: &grantee, RetiringPrincipal: &retiring, Name: &name,
			Operations: []string{"Encrypt", "Decrypt"}})
	}
	if _, err := s.ScheduleKeyDeletion(testRequest("ScheduleKeyDeletion"), &ScheduleKeyDeletionInput{KeyId: &k.ID}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(31 * keys.Day)
	if err := s.RunDue(context.Background(), clk.Now()); err != nil {
		t.Fatal(err)
	}
	err = s.store.View(context.Background(), func(tx store.Tx) error {
		for _, prefix := range []string{layout.Account("111122223333", "us-east-1"), layout.Account("444455556666", "us-east-1")} {
			items, err := tx.Scan(prefix, "", 0)
			if err != nil {
				return err
			}
			if len(items) != 0 {
				t.Errorf("%d records remain under %s, e.g. %s", len(items), prefix, items[0].Key)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestMayRetire: RetireGrant's own rule, across accounts.
func TestMayRetire(t *testing.T) {
	t.Parallel()
	g := &grantRecord{GranteePrincipal: alice, RetiringPrincipal: otherRoot, IssuingAccount: "111122223333", Operations: []string{"Encrypt"}}
	withRetire := *g
	withRetire.Operations = []string{"Encrypt", "RetireGrant"}
	stranger := callerOf("arn:aws:iam::777788889999:root", "arn:aws:iam::777788889999:root")
	cases := []struct {
		name   string
		caller identity.Caller
		g      *grantRecord
		// delegated: the caller's identity-based policies allow the
		// RetireGrant, which a principal named through its account needs.
		delegated bool
		want      bool
	}{
		{"retiring principal (another account's root)", identity.RootCaller("444455556666", "AKIA"), g, false, true},
		{"principal of the retiring account, delegated", callerOf("arn:aws:iam::444455556666:user/bob", "arn:aws:iam::444455556666:user/bob"), g, true, true},
		{"principal of the retiring account, not delegated", callerOf("arn:aws:iam::444455556666:user/bob", "arn:aws:iam::444455556666:user/bob"), g, false, false},
		{"grantee without RetireGrant", callerOf(alice, alice), &grantRecord{GranteePrincipal: alice, IssuingAccount: "999999999999"}, true, false},
		{"grantee with RetireGrant", callerOf(alice, alice), &grantRecord{GranteePrincipal: alice, IssuingAccount: "999999999999", Operations: []string{"RetireGrant"}}, false, true},
		{"issuing account's root", identity.RootCaller("111122223333", "AKIA"), g, false, true},
		{"issuing account's user, delegated", callerOf("arn:aws:iam::111122223333:user/carol", "arn:aws:iam::111122223333:user/carol"), g, true, true},
		{"issuing account's user, not delegated", callerOf("arn:aws:iam::111122223333:user/carol", "arn:aws:iam::111122223333:user/carol"), g, false, false},
		{"stranger", stranger, g, true, false},
		{"stranger, grant with RetireGrant", stranger, &withRetire, true, false},
	}
	for _, c := range cases {
		if got := mayRetire(c.caller, c.g, c.delegated); got != c.want {
			t.Errorf("%s: mayRetire = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestGrantTokenRoundTrip: a token names its key and grant, each CreateGrant
// call returns a new one, and a changed byte is refused.
func TestGrantTokenRoundTrip(t *testing.T) {
	t.Parallel()
	s, k := grantTestService(t)
	grantee, name := alice, "same"
	in := CreateGrantInput{GranteePrincipal: &grantee, Operations: []string{"Encrypt"}, Name: &name}
	a, b := createTestGrant(t, s, k, in), createTestGrant(t, s, k, in)
	if a.GrantId != b.GrantId || a.GrantToken == b.GrantToken {
		t.Fatalf("Name retry: ids %s %s, tokens equal %v", a.GrantId, b.GrantId, a.GrantToken == b.GrantToken)
	}
	p, err := parseGrantToken(b.GrantToken)
	if err != nil || p.keyARN != k.ARN() || p.grantID != a.GrantId {
		t.Fatalf("parsed %+v, %v", p, err)
	}
	raw := []byte(b.GrantToken)
	raw[len(raw)-5] ^= 1 // in the tag
	err = s.store.View(context.Background(), func(tx store.Tx) error {
		_, err := openGrantToken(tx, string(raw))
		return err
	})
	if !isCode(err, codeInvalidGrantToken) {
		t.Errorf("altered token: %v", err)
	}
}
