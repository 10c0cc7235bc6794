package kms

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/trent-kms/trent/internal/kmserr"
)

// validator collects constraint violations of one request in AWS's
// ("Coral") format, so that several bad members are reported together:
//
//	1 validation error detected: Value '1025' at 'numberOfBytes' failed to
//	satisfy constraint: Member must have value less than or equal to 1024
//
// Member paths are lowerCamelCase; list members are 1-based
// ("tags.1.member.tagKey"). Sensitive members omit the value.
type validator struct {
	errs []string
}

func (v *validator) add(path, value string, sensitive bool, constraint string) {
	val := fmt.Sprintf("Value '%s'", value)
	if sensitive {
		val = "Value"
	}
	v.addValue(val, path, constraint)
}

// addValue records a violation whose value part ("Value 'x'", "Value",
// "Value null") is already formatted.
func (v *validator) addValue(val, path, constraint string) {
	v.errs = append(v.errs, fmt.Sprintf("%s at '%s' failed to satisfy constraint: %s", val, path, constraint))
}

// required records a missing required member.
func (v *validator) required(path string, present bool) bool {
	if !present {
		v.addValue("Value null", path, "Member must not be null")
	}
	return present
}

// length checks a string's length in characters.
func (v *validator) length(path string, s *string, min, max int) {
	if s == nil {
		return
	}
	n := utf8.RuneCountInString(*s)
	if n < min {
		v.add(path, *s, false, fmt.Sprintf("Member must have length greater than or equal to %d", min))
	}
	if n > max {
		v.add(path, *s, false, fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
}

// blob checks a binary member's length; blobs are never echoed.
func (v *validator) blob(path string, b []byte, present bool, min, max int) {
	if !present {
		return
	}
	if len(b) < min {
		v.add(path, "", true, fmt.Sprintf("Member must have length greater than or equal to %d", min))
	}
	if len(b) > max {
		v.add(path, "", true, fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
}

// intRange checks a number's range.
func (v *validator) intRange(path string, n *int32, min, max int32) {
	if n == nil {
		return
	}
	if *n < min {
		v.add(path, fmt.Sprint(*n), false, fmt.Sprintf("Member must have value greater than or equal to %d", min))
	}
	if *n > max {
		v.add(path, fmt.Sprint(*n), false, fmt.Sprintf("Member must have value less than or equal to %d", max))
	}
}

// enum checks an enum member against its value set.
func (v *validator) enum(path string, s *string, values []string) {
	if s == nil || slices.Contains(values, *s) {
		return
	}
	v.add(path, *s, false, fmt.Sprintf("Member must satisfy enum value set: [%s]", strings.Join(values, ", ")))
}

// pattern checks a string against the model's regular expression.
func (v *validator) pattern(path string, s *string, re *regexp.Regexp) {
	if s == nil || re.MatchString(*s) {
		return
	}
	v.add(path, *s, false, "Member must satisfy regular expression pattern: "+re.String())
}

// err returns the ValidationException for the collected violations, or nil.
func (v *validator) err() error {
	switch len(v.errs) {
	case 0:
		return nil
	case 1:
		return kmserr.Validation("1 validation error detected: %s", v.errs[0])
	}
	return kmserr.Validation("%d validation errors detected: %s", len(v.errs), strings.Join(v.errs, "; "))
}

// Common member constraints from the service model.
const (
	maxKeyIDLength       = 2048
	maxGrantTokens       = 10
	maxGrantTokenLength  = 8192
	maxPlaintextLength   = 4096
	maxCiphertextLength  = 6144
	maxDescriptionLength = 8192
	maxAliasNameLength   = 256
	maxMarkerLength      = 1024
)

// keyID validates a KeyId-like member (1..2048 characters).
func (v *validator) keyID(path string, s *string, required bool) {
	if required && !v.required(path, s != nil) {
		return
	}
	v.length(path, s, 1, maxKeyIDLength)
}

// grantTokens validates GrantTokens (0..10 tokens of 1..8192 characters).
// Grants are a later issue; the tokens are validated and otherwise ignored.
func (v *validator) grantTokens(tokens []string) {
	if len(tokens) > maxGrantTokens {
		v.add("grantTokens", fmt.Sprintf("[%s]", strings.Join(tokens, ", ")), false,
			fmt.Sprintf("Member must have length less than or equal to %d", maxGrantTokens))
	}
	for i, t := range tokens {
		v.length(fmt.Sprintf("grantTokens.%d.member", i+1), &t, 1, maxGrantTokenLength)
	}
}

// paging validates Limit and Marker with the operation's documented range.
func (v *validator) paging(limit *int32, marker *string, maxLimit int32) {
	v.intRange("limit", limit, 1, maxLimit)
	v.length("marker", marker, 1, maxMarkerLength)
}
