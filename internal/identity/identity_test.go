package identity

import "testing"

func TestDevResolver(t *testing.T) {
	d := Dev{DefaultAccount: "111122223333"}
	cases := map[string]string{
		"test":                 "111122223333",
		"AKIAIOSFODNN7EXAMPLE": "111122223333",
		"444455556666":         "444455556666",
		"4444555566667":        "111122223333", // 13 digits is not an account
		"":                     "111122223333",
	}
	for key, account := range cases {
		cred, ok := d.Lookup(key)
		if !ok {
			t.Fatalf("%q refused", key)
		}
		c := cred.Caller
		if c.Account != account || c.AccessKeyID != key || c.ARN != "arn:aws:iam::"+account+":root" ||
			c.PrincipalARN != c.ARN || !c.IsRoot() || cred.Secret != "" {
			t.Errorf("%q: %+v", key, cred)
		}
	}
}
