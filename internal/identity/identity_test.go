package identity

import (
	"context"
	"testing"
)

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
		c, err := d.Resolve(context.Background(), key)
		if err != nil {
			t.Fatal(err)
		}
		if c.Account != account || c.AccessKeyID != key || c.ARN != "arn:aws:iam::"+account+":root" || c.Type != "Root" {
			t.Errorf("%q: %+v", key, c)
		}
	}
}
