// Package sigv4 owns AWS Signature Version 4 as Trent receives it: parsing
// the Authorization header into its parts, checking the credential scope
// (service "kms", a well-formed Region and date, the "aws4_request"
// terminator), and verifying the signature itself, in the header and the
// presigned query-string form (HMACVerifier, verify.go). The wire layer
// (awsjson) runs the verifier on every request outside --dev.
//
// Every error it returns is a *kmserr.Error carrying the code AWS sends for
// the same fault, so the wire layer passes it to the client unchanged.
//
// Reference: "Signature Version 4 signing process" and "Elements of an AWS
// API request signature" in the IAM User Guide
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-signing-elements.html).
package sigv4

import (
	"net/http"
	"strings"
	"time"

	"github.com/trent-kms/trent/internal/kmserr"
)

// Algorithm is the only signing algorithm Trent accepts. SigV4a
// (AWS4-ECDSA-P256-SHA256) exists for multi-Region S3 access points; KMS
// does not use it.
const Algorithm = "AWS4-HMAC-SHA256"

// Service is the signing name of KMS; a request scoped to any other service
// was signed for someone else.
const Service = "kms"

// terminator ends every SigV4 credential scope.
const terminator = "aws4_request"

// maxAccessKeyIDLen is IAM's limit on access key IDs (AccessKeyIdType,
// 16..128 characters); dev-mode keys such as "test" are shorter, so only the
// upper bound is enforced.
const maxAccessKeyIDLen = 128

// maxRegionLen bounds the Region taken from the scope. The Region ends up in
// every ARN Trent issues, so it must be short and plain.
const maxRegionLen = 32

// Authorization is a parsed SigV4 Authorization header.
type Authorization struct {
	// AccessKeyID is the first element of the credential scope.
	AccessKeyID string
	// Date is the scope date, yyyymmdd.
	Date string
	// Region is the scope Region; Trent serves the request in it.
	Region string
	// Service is the scope service; always "kms" once parsed.
	Service string
	// SignedHeaders are the lower-case header names covered by the
	// signature, in the order the client listed them.
	SignedHeaders []string
	// Signature is the 64-character lower-case hex signature.
	Signature string

	// The fields below are filled in by the Verifier, not by
	// ParseAuthorization.

	// Time is the request time (X-Amz-Date), UTC.
	Time time.Time
	// SessionToken is X-Amz-Security-Token, empty for long-term keys.
	SessionToken string
	// Presigned is true for the query-string form.
	Presigned bool
}

// Parameter names inside the header, as AWS spells them (case matters).
const (
	paramCredential    = "Credential"
	paramSignedHeaders = "SignedHeaders"
	paramSignature     = "Signature"
)

// ParseAuthorization parses the value of an Authorization header.
//
// Separators between the algorithm and the parameters, and between
// parameters, may be any run of spaces, tabs and commas: SDKs write ", ",
// some hand-written clients write "," or several spaces. This is also how
// AWS tokenises the header, which is why "Credential= AKID/..." (a space
// after the equal sign) fails there with "not a valid key=value pair".
//
// An empty header yields MissingAuthenticationTokenException; a malformed
// one IncompleteSignatureException; a well-formed header whose scope is
// wrong InvalidSignatureException, all with HTTP 400 as the KMS API
// Reference lists them. Messages never repeat the header, so a credential
// pasted by mistake is not reflected into logs that record error messages.
func ParseAuthorization(header string) (Authorization, error) {
	return parseAuthorization(header, Service)
}

// parseAuthorization is ParseAuthorization for any service's signing name;
// the AWS test suite signs for "service", production pins Service.
func parseAuthorization(header, service string) (Authorization, error) {
	params, err := headerParams(header)
	if err != nil {
		return Authorization{}, err
	}

	// Report every missing parameter at once, as AWS does.
	var missing strings.Builder
	for _, name := range []string{paramCredential, paramSignature, paramSignedHeaders} {
		if params.get(name) == "" {
			missing.WriteString("Authorization header requires '" + name + "' parameter. ")
		}
	}
	if missing.Len() > 0 {
		return Authorization{}, incomplete(strings.TrimSuffix(missing.String(), " "))
	}

	a, err := parseCredential(params.get(paramCredential), service)
	if err != nil {
		return Authorization{}, err
	}
	if a.SignedHeaders, err = parseSignedHeaders(params.get(paramSignedHeaders)); err != nil {
		return Authorization{}, err
	}
	if !isLowerHex(params.get(paramSignature), 64) {
		return Authorization{}, incomplete("Authorization header 'Signature' must be 64 lower-case hexadecimal characters.")
	}
	a.Signature = params.get(paramSignature)
	return a, nil
}

// parseCredential splits AKID/yyyymmdd/region/service/aws4_request. It
// cuts the string in place rather than with strings.Split: the parts are
// substrings of the header either way, and the slice Split would allocate
// on every request is not needed.
func parseCredential(cred, service string) (Authorization, error) {
	if strings.Count(cred, "/") != 4 {
		return Authorization{}, incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term.")
	}
	var a Authorization
	a.AccessKeyID, cred, _ = strings.Cut(cred, "/")
	a.Date, cred, _ = strings.Cut(cred, "/")
	a.Region, cred, _ = strings.Cut(cred, "/")
	a.Service, cred, _ = strings.Cut(cred, "/")
	term := cred
	switch {
	case a.AccessKeyID == "":
		return Authorization{}, incomplete("Credential requires an access key ID.")
	case len(a.AccessKeyID) > maxAccessKeyIDLen:
		return Authorization{}, incomplete("Credential access key ID is longer than 128 characters.")
	case !isScopeDate(a.Date):
		return Authorization{}, invalid("Credential should be scoped to a valid date in yyyyMMdd format. ")
	case !isRegionName(a.Region):
		return Authorization{}, invalid("Credential should be scoped to a valid region. ")
	case a.Service != service:
		return Authorization{}, invalid("Credential should be scoped to correct service: '" + service + "'. ")
	case term != terminator:
		return Authorization{}, invalid("Credential should be scoped with a valid terminator: '" + terminator + "'. ")
	}
	return a, nil
}

// parseSignedHeaders checks the list is non-empty lower-case header names.
// Whether it covers host and x-amz-date is the verifier's concern.
func parseSignedHeaders(list string) ([]string, error) {
	names := strings.Split(list, ";")
	for _, n := range names {
		if !isLowerToken(n) {
			return nil, incomplete("Authorization header 'SignedHeaders' must be a semicolon-separated list of lower-case header names.")
		}
	}
	return names, nil
}

// isScopeDate reports whether s is a real calendar date written yyyymmdd.
func isScopeDate(s string) bool {
	if len(s) != 8 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	month := int(s[4]-'0')*10 + int(s[5]-'0')
	day := int(s[6]-'0')*10 + int(s[7]-'0')
	if month < 1 || month > 12 || day < 1 {
		return false
	}
	year := int(s[0]-'0')*1000 + int(s[1]-'0')*100 + int(s[2]-'0')*10 + int(s[3]-'0')
	return day <= daysIn(month, year)
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// isRegionName accepts lower-case letters and digits in hyphen-separated
// groups (us-east-1, eu-central-2, also local names such as "local"): the
// characters AWS Region codes use, and nothing that could break an ARN.
func isRegionName(s string) bool {
	if s == "" || len(s) > maxRegionLen || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && s[i-1] != '-':
		default:
			return false
		}
	}
	return true
}

// isLowerToken reports whether s is a non-empty RFC 9110 token without
// upper-case letters, i.e. a header name as SigV4 canonicalises it.
func isLowerToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isLowerTokenChar[s[i]] {
			return false
		}
	}
	return true
}

// lowerTokenChars is RFC 9110's tchar set without the upper-case letters.
const lowerTokenChars = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz"

// isLowerTokenChar is lowerTokenChars as a table: every signed header name
// of every request is checked byte by byte, and strings.ContainsRune per
// byte was a fifth of a verification's time.
var isLowerTokenChar = func() (t [256]bool) {
	for i := 0; i < len(lowerTokenChars); i++ {
		t[lowerTokenChars[i]] = true
	}
	return t
}()

func isLowerHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'f') {
			return false
		}
	}
	return true
}

// repeatedParam names the repeated parameter only if it is one of ours, so
// that an arbitrary key from the header is never echoed.
func repeatedParam(name string) string {
	switch name {
	case paramCredential, paramSignedHeaders, paramSignature:
		return "Authorization header repeats the '" + name + "' parameter."
	}
	return "Authorization header repeats a parameter."
}

func missingToken() *kmserr.Error {
	return kmserr.New(kmserr.CodeMissingAuthenticationToken, http.StatusBadRequest, "Missing Authentication Token")
}

func incomplete(msg string) *kmserr.Error {
	return &kmserr.Error{Code: kmserr.CodeIncompleteSignature, Status: http.StatusBadRequest, Message: msg}
}

func invalid(msg string) *kmserr.Error {
	return &kmserr.Error{Code: kmserr.CodeInvalidSignature, Status: http.StatusBadRequest, Message: msg}
}
