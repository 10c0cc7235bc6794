package policy

import "testing"

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		fold, want bool
	}{
		{"*", "", false, true},
		{"*", "anything", false, true},
		{"", "", false, true},
		{"", "a", false, false},
		{"kms:*", "kms:Encrypt", false, true},
		{"kms:*", "kms:", false, true},
		{"kms:*", "km:Encrypt", false, false},
		{"kms:Re*", "kms:ReEncryptFrom", false, true},
		{"kms:ReEncrypt*", "kms:ReEncrypt", false, true},
		{"kms:GenerateDataKey*", "kms:GenerateDataKeyPairWithoutPlaintext", false, true},
		{"kms:GenerateDataKey*", "kms:GenerateMac", false, false},
		{"kms:?ncrypt", "kms:Encrypt", false, true},
		{"kms:?ncrypt", "kms:ncrypt", false, false},
		{"kms:??crypt", "kms:Decrypt", false, true},
		{"kms:???crypt", "kms:Decrypt", false, false},
		{"*crypt", "kms:Decrypt", false, true},
		{"a*b*c", "aXXbYYc", false, true},
		{"a*b*c", "aXXbYY", false, false},
		{"a*b*c", "abcabc", false, true},
		{"a**", "a", false, true},
		{"*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false, false},
		// Case: actions fold, strings do not.
		{"kms:encrypt", "kms:Encrypt", false, false},
		{"kms:encrypt", "kms:Encrypt", true, true},
		{"KMS:DESCRIBE*", "kms:DescribeKey", true, true},
		{"kms:Encrypt", "kms:Encrypts", true, false},
		// '?' is one character, not one byte.
		{"caf?", "café", false, true},
		{"caf?", "cafe", false, true},
		{"?", "é", false, true},
		{"??", "é", false, false},
		{"ÉTÉ", "été", true, true},
		{"ÉTÉ", "été", false, false},
		// Invalid UTF-8 compares byte for byte, never by folding.
		{"\xff", "\xfe", true, false},
		{"\xff", "\xff", false, true},
		// No other metacharacters.
		{"a[b]", "a[b]", false, true},
		{"a.b", "axb", false, false},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, tt.s, tt.fold); got != tt.want {
			t.Errorf("globMatch(%q, %q, fold=%v) = %v, want %v", tt.pattern, tt.s, tt.fold, got, tt.want)
		}
	}
}

func TestARNMatchIsSegmentWise(t *testing.T) {
	const key = "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"arn:aws:kms:*:111122223333:key/*", key, true},
		{"arn:aws:kms:us-east-2:111122223333:*", key, true},
		{"arn:aws:kms:us-east-?:111122223333:key/*", key, true},
		{"arn:aws:kms:*:444455556666:key/*", key, false},
		{"arn:aws:kms:*:*:alias/*", key, false},
		// A '*' stays inside its segment: "*" for the region cannot
		// also swallow the account.
		{"arn:aws:kms:*:key/*", key, false},
		// Case-sensitive.
		{"arn:aws:KMS:*:111122223333:key/*", key, false},
		// The resource part keeps its colons.
		{"arn:aws:logs:us-east-1:111122223333:log-group:*", "arn:aws:logs:us-east-1:111122223333:log-group:g:*", true},
		// Not an ARN.
		{"arn:aws:kms:*:111122223333:key/*", "key/1234", false},
		{"arn:aws:kms:*:111122223333:key/*", "", false},
	}
	for _, tt := range tests {
		p, ok := splitARN(tt.pattern)
		if !ok {
			if tt.want {
				t.Errorf("pattern %q did not split", tt.pattern)
			}
			continue
		}
		if got := arnMatch(&p, tt.s); got != tt.want {
			t.Errorf("arnMatch(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}
