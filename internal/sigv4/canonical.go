package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// This file builds the canonical request and the string to sign exactly as
// the IAM User Guide describes them ("Create a canonical request", "Create a
// string to sign"). The verifier recomputes both from what it received; any
// byte that differs from what the client signed changes the signature.

// timeFormat is the ISO 8601 basic format of X-Amz-Date.
const timeFormat = "20060102T150405Z"

// canonicalInput is what the canonical request covers, taken from the
// request by requestInput.
type canonicalInput struct {
	method string
	// rawPath and rawQuery are as the client wrote them on the wire: the
	// client signed those bytes, not Go's decoded form of them.
	rawPath, rawQuery string
	host              string
	header            http.Header
	signedHeaders     []string
	payloadHash       string
	// normalize removes dot segments and empty segments from the path, as
	// every service but S3 does.
	normalize bool
	// presigned drops X-Amz-Signature from the query: a signature cannot
	// cover itself.
	presigned bool
}

// requestInput takes the method, path, query and headers from r. A server
// request keeps the request target verbatim in RequestURI; a client-built
// one (tests) has only URL, whose escaped form is what it would send.
func requestInput(r *http.Request) canonicalInput {
	in := canonicalInput{method: r.Method, header: r.Header, host: r.Host}
	if in.host == "" && r.URL != nil {
		in.host = r.URL.Host
	}
	if strings.HasPrefix(r.RequestURI, "/") {
		in.rawPath, in.rawQuery, _ = strings.Cut(r.RequestURI, "?")
	} else if r.URL != nil {
		in.rawPath, in.rawQuery = r.URL.EscapedPath(), r.URL.RawQuery
	}
	if in.rawPath == "" {
		in.rawPath = "/"
	}
	return in
}

// canonicalRequest joins the six parts with newlines, taking the payload
// hash from in.payloadHash.
func canonicalRequest(in canonicalInput) string {
	return string(appendCanonicalRequest(nil, &in, []byte(in.payloadHash)))
}

// appendCanonicalRequest appends the canonical request to b. The verifier
// builds it in a stack buffer and hashes it there, so the payload hash is
// passed as bytes (also on the stack) instead of through in.payloadHash.
func appendCanonicalRequest(b []byte, in *canonicalInput, payloadHash []byte) []byte {
	b = append(b, in.method...)
	b = append(b, '\n')
	b = appendCanonicalURI(b, in.rawPath, in.normalize)
	b = append(b, '\n')
	b = append(b, canonicalQuery(in.rawQuery, in.presigned)...)
	b = append(b, '\n')
	for _, name := range in.signedHeaders {
		b = append(b, name...)
		b = append(b, ':')
		b = appendHeaderValue(b, in, name)
		b = append(b, '\n')
	}
	b = append(b, '\n')
	for i, name := range in.signedHeaders {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, name...)
	}
	b = append(b, '\n')
	return append(b, payloadHash...)
}

// stringToSign is algorithm, request time, scope and the hex SHA-256 of the
// canonical request.
func stringToSign(t, scope, canonical string) []byte {
	sum := sha256.Sum256([]byte(canonical))
	return appendStringToSign(nil, []byte(t), []byte(scope), &sum)
}

// appendStringToSign appends the string to sign of a request made at t
// (timeFormat) in scope whose canonical request hashes to sum.
func appendStringToSign(b, t, scope []byte, sum *[sha256.Size]byte) []byte {
	b = append(b, Algorithm...)
	b = append(b, '\n')
	b = append(b, t...)
	b = append(b, '\n')
	b = append(b, scope...)
	b = append(b, '\n')
	return hex.AppendEncode(b, sum[:])
}

// appendScope appends the credential scope of a.
func appendScope(b []byte, a *Authorization) []byte {
	b = append(b, a.Date...)
	b = append(b, '/')
	b = append(b, a.Region...)
	b = append(b, '/')
	b = append(b, a.Service...)
	b = append(b, '/')
	return append(b, terminator...)
}

// appendCanonicalURI appends canonicalURI(rawPath, normalize). The path of
// every KMS request is "/", which is its own canonical form; only other
// paths are split and encoded.
func appendCanonicalURI(b []byte, rawPath string, normalize bool) []byte {
	if rawPath == "/" {
		return append(b, '/')
	}
	return append(b, canonicalURI(rawPath, normalize)...)
}

// canonicalURI URI-encodes each segment of the path as written on the wire.
// Encoding the wire form (not the decoded path) is what AWS's non-S3 rule
// "encode twice" amounts to: an SDK sends %20 and signs %2520.
func canonicalURI(rawPath string, normalize bool) string {
	segs := strings.Split(rawPath, "/")
	if normalize {
		segs = removeDotSegments(segs)
	}
	for i, s := range segs {
		segs[i] = uriEncode(s)
	}
	p := strings.Join(segs, "/")
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return p
}

// removeDotSegments drops "", "." and ".." (with its parent), keeping a
// trailing slash, so "//example//" becomes "/example/" and "/a/.." "/".
func removeDotSegments(segs []string) []string {
	out := []string{""}
	for _, s := range segs {
		switch s {
		case "", ".":
		case "..":
			if len(out) > 1 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
		}
	}
	if last := segs[len(segs)-1]; last == "" && len(out) > 1 {
		out = append(out, "")
	}
	if len(out) == 1 {
		return []string{"", ""}
	}
	return out
}

// canonicalQuery decodes every name=value pair, re-encodes both with RFC
// 3986 rules and sorts by name, then value (byte order of the encoded
// form, as AWS compares them).
func canonicalQuery(rawQuery string, presigned bool) string {
	if rawQuery == "" {
		return ""
	}
	pairs := make([]string, 0, strings.Count(rawQuery, "&")+1)
	for _, p := range strings.Split(rawQuery, "&") {
		if p == "" {
			continue
		}
		k, v, _ := strings.Cut(p, "=")
		k, v = queryUnescape(k), queryUnescape(v)
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		pairs = append(pairs, uriEncode(k)+"="+uriEncode(v))
	}
	// Compare name and value separately: sorting whole "name=value"
	// strings would put "a-b=1" before "a=1", since '-' < '='.
	sort.Slice(pairs, func(i, j int) bool {
		ki, vi, _ := strings.Cut(pairs[i], "=")
		kj, vj, _ := strings.Cut(pairs[j], "=")
		if ki != kj {
			return ki < kj
		}
		return vi < vj
	})
	return strings.Join(pairs, "&")
}

// queryUnescape decodes as the SDKs do ('+' is a space); a malformed
// escape is kept as written so that it is signed, not dropped.
func queryUnescape(s string) string {
	u, err := url.QueryUnescape(s)
	if err != nil {
		return s
	}
	return u
}

// uriEncode percent-encodes every byte except the RFC 3986 unreserved
// characters, with upper-case hex, as SigV4 requires.
func uriEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}
