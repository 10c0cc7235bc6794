package kms

import "testing"

func TestNarrowerThan(t *testing.T) {
	t.Parallel()
	arn := "arn:aws:s3:::111122223333:bucket"
	other := "arn:aws:s3:::111122223333:other"
	ec := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	parent := func(c *GrantConstraints, ops ...string) *grantRecord {
		return &grantRecord{Operations: ops, Constraints: c}
	}
	child := func(c *GrantConstraints, ops ...string) *CreateGrantInput {
		return &CreateGrantInput{Operations: ops, Constraints: c}
	}
	cases := []struct {
		name   string
		parent *grantRecord
		in     *CreateGrantInput
		want   bool
	}{
		{"same operations, no constraints", parent(nil, "Decrypt", "Encrypt"), child(nil, "Encrypt"), true},
		{"an operation the parent lacks", parent(nil, "Decrypt"), child(nil, "Decrypt", "Encrypt"), false},
		{"subset kept", parent(&GrantConstraints{EncryptionContextSubset: ec("a", "1")}, "Decrypt"),
			child(&GrantConstraints{EncryptionContextSubset: ec("a", "1", "b", "2")}, "Decrypt"), true},
		{"subset dropped", parent(&GrantConstraints{EncryptionContextSubset: ec("a", "1")}, "Decrypt"), child(nil, "Decrypt"), false},
		{"subset changed", parent(&GrantConstraints{EncryptionContextSubset: ec("a", "1")}, "Decrypt"),
			child(&GrantConstraints{EncryptionContextSubset: ec("a", "2")}, "Decrypt"), false},
		{"subset made equals", parent(&GrantConstraints{EncryptionContextSubset: ec("a", "1")}, "Decrypt"),
			child(&GrantConstraints{EncryptionContextEquals: ec("a", "1", "b", "2")}, "Decrypt"), true},
		{"equals repeated", parent(&GrantConstraints{EncryptionContextEquals: ec("a", "1")}, "Decrypt"),
			child(&GrantConstraints{EncryptionContextEquals: ec("a", "1")}, "Decrypt"), true},
		{"equals widened to subset", parent(&GrantConstraints{EncryptionContextEquals: ec("a", "1")}, "Decrypt"),
			child(&GrantConstraints{EncryptionContextSubset: ec("a", "1")}, "Decrypt"), false},
		{"equals changed", parent(&GrantConstraints{EncryptionContextEquals: ec("a", "1")}, "Decrypt"),
			child(&GrantConstraints{EncryptionContextEquals: ec("a", "1", "b", "2")}, "Decrypt"), false},
		{"source ARN repeated", parent(&GrantConstraints{SourceArn: &arn}, "Decrypt"), child(&GrantConstraints{SourceArn: &arn}, "Decrypt"), true},
		{"source ARN changed", parent(&GrantConstraints{SourceArn: &arn}, "Decrypt"), child(&GrantConstraints{SourceArn: &other}, "Decrypt"), false},
		{"parent unconstrained, child constrained", parent(nil, "Decrypt"), child(&GrantConstraints{EncryptionContextSubset: ec("a", "1")}, "Decrypt"), true},
	}
	for _, c := range cases {
		if got := c.in.narrowerThan(c.parent); got != c.want {
			t.Errorf("%s: narrowerThan = %v, want %v", c.name, got, c.want)
		}
	}
}
