package policy

import (
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/kmserr"
)

func TestCheckSize(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		ok   bool
	}{
		{"empty", "", true},
		{"at the limit", strings.Repeat("a", MaxLength), true},
		{"one over", strings.Repeat("a", MaxLength+1), false},
		// 32768 characters of two bytes each: 65536 bytes but within the
		// limit, which counts characters.
		{"two-byte characters at the limit", strings.Repeat("é", MaxLength), true},
		{"two-byte characters one over", strings.Repeat("é", MaxLength+1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckSize(tt.doc)
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			e, ok := kmserr.As(err)
			if !ok || e.Code != kmserr.CodeLimitExceeded || e.Status != 400 {
				t.Fatalf("CheckSize = %v, want LimitExceededException", err)
			}
			want := "The key policy is 32769 characters long, more than the maximum of 32768."
			if e.Message != want {
				t.Errorf("message = %q, want %q", e.Message, want)
			}
		})
	}
}

func TestCheckCharacters(t *testing.T) {
	const patternMsg = `1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`
	tests := []struct {
		name, doc, want string // want "" means accepted
	}{
		{"ASCII with tab, LF, CR", "{\t\"a\" :\r\n \"b\"}", ""},
		{"Latin-1", "{\"Sid\":\"café ÿ\"}", ""},
		{"escaped non-Latin-1 is fine", `{"Sid":"\u4e2d"}`, ""},
		{"empty", "", "1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"NUL", "{\x00}", patternMsg},
		{"vertical tab", "{\v}", patternMsg},
		{"DEL is in range", "{\x7f}", ""},
		{"U+0100", "{\u0100}", patternMsg},
		{"CJK", "{\"Sid\":\"中\"}", patternMsg},
		{"emoji", "😀", patternMsg},
		{"replacement character", "\ufffd", patternMsg},
		{"byte order mark", "\ufeff{}", patternMsg},
		{"invalid UTF-8", "{\"a\":\"\xe9\"}", patternMsg},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckCharacters(tt.doc)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			e, ok := kmserr.As(err)
			if !ok || e.Code != kmserr.CodeValidation || e.Status != 400 {
				t.Fatalf("CheckCharacters = %v, want ValidationException", err)
			}
			if e.Message != tt.want {
				t.Errorf("message = %q\nwant      %q", e.Message, tt.want)
			}
		})
	}
}
