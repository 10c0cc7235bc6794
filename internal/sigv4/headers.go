package sigv4

import (
	"net/http"
	"strings"
)

// This file reads the request's headers for the canonical request and the
// verifier: signed header values as SigV4 normalises them, and the few
// headers the verifier itself reads, without the allocations of
// http.Header's canonicalising accessors.

// appendHeaderValue appends a signed header's values joined with commas,
// in the order received, each trimmed with inner runs of spaces collapsed.
// Host is not in r.Header once Go has parsed the request.
func appendHeaderValue(b []byte, in *canonicalInput, name string) []byte {
	if name == "host" {
		return appendTrimmed(b, in.host)
	}
	for i, v := range headerValues(in.header, name) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendTrimmed(b, v)
	}
	return b
}

// The request headers the verifier reads, in the canonical form net/http
// keys them by (TestHeaderKeysCanonical).
const (
	keyAuthorization = "Authorization"
	keyDate          = "X-Amz-Date"
	keySecurityToken = "X-Amz-Security-Token"
	keyContentSHA256 = "X-Amz-Content-Sha256"
)

// headerGet is h.Get(key) for a key already in canonical form, which Get
// would check byte by byte again on every call.
func headerGet(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// headerValues is h.Values(name) for a signed header name. Signed header
// names are lower case, which Values would copy into a new canonical-case
// string on every call; the canonical form is built on the stack instead
// and used only as a map index, which Go does not copy. The rules are
// textproto.CanonicalMIMEHeaderKey's for a name of lower-case token
// characters (upper case first and after each '-'); any other name takes
// the library's path.
func headerValues(h http.Header, name string) []string {
	var buf [64]byte
	if len(name) > len(buf) || !isLowerToken(name) {
		return h.Values(name)
	}
	upper := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		if upper && 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		buf[i] = c
		upper = c == '-'
	}
	return h[string(buf[:len(name)])]
}

// trimAll trims v and collapses each run of spaces or tabs into one space.
// Most values need neither, and are returned as they are.
func trimAll(v string) string {
	if !needsTrim(v) {
		return v
	}
	return string(appendTrimmed(nil, v))
}

// appendTrimmed appends trimAll(v) without making it a string first.
// Spaces and tabs are ASCII, so splitting on bytes is the same as
// strings.FieldsFunc on runes.
func appendTrimmed(b []byte, v string) []byte {
	if !needsTrim(v) {
		return append(b, v...)
	}
	first := true
	for {
		var f string
		if f, v = nextBlankField(v); f == "" {
			return b
		}
		if !first {
			b = append(b, ' ')
		}
		b = append(b, f...)
		first = false
	}
}

// nextBlankField returns the first field of s separated by spaces and tabs
// and what follows it; field is "" when there are no more.
func nextBlankField(s string) (field, rest string) {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	j := i
	for j < len(s) && s[j] != ' ' && s[j] != '\t' {
		j++
	}
	return s[i:j], s[j:]
}

// needsTrim reports whether trimAll would change v: a tab, a space at
// either end, or two spaces in a row.
func needsTrim(v string) bool {
	if v == "" {
		return false
	}
	if v[0] == ' ' || v[len(v)-1] == ' ' {
		return true
	}
	return strings.Contains(v, "\t") || strings.Contains(v, "  ")
}
