package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxSkew is how far the header-form request time may be from the
// server's clock either way, as AWS allows.
const maxSkew = 5 * time.Minute

// HMACVerifier verifies AWS4-HMAC-SHA256 signatures. It is safe for
// concurrent use; create it with NewVerifier.
type HMACVerifier struct {
	service string
	secret  SecretFunc
	keys    *keyCache
	// normalize is true for every service but S3; the AWS test suite also
	// has S3-style (unnormalised) cases.
	normalize bool
}

var _ Verifier = (*HMACVerifier)(nil)

// NewVerifier returns a verifier for the given signing name ("kms" in
// production: Service), which looks secrets up with secret. secret may be
// nil if only VerifyWith is used.
func NewVerifier(service string, secret SecretFunc) *HMACVerifier {
	return &HMACVerifier{service: service, secret: secret, keys: newKeyCache(), normalize: true}
}

// Verify implements Verifier.
func (v *HMACVerifier) Verify(r *http.Request, body []byte, now time.Time) (Authorization, error) {
	return v.VerifyWith(r, body, now, v.secret)
}

// VerifyWith is Verify with the secret looked up by secret instead of the
// verifier's own SecretFunc. A caller that needs more than the secret from
// its lookup (the principal the access key stands for) captures it in a
// closure made per request, while the signing-key cache stays shared.
func (v *HMACVerifier) VerifyWith(r *http.Request, body []byte, now time.Time, secret SecretFunc) (Authorization, error) {
	header := headerGet(r.Header, keyAuthorization)
	// Most requests have no query string; parsing it would allocate a map
	// only to find no X-Amz-Algorithm.
	var query url.Values
	if r.URL.RawQuery != "" {
		query = r.URL.Query()
	}
	presigned := query.Has(qAlgorithm)
	var a Authorization
	var expires time.Duration
	var err error
	switch {
	case header != "" && presigned:
		return Authorization{}, incomplete("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified.")
	case presigned:
		a, expires, err = parsePresigned(query, v.service)
	default:
		a, err = v.parseHeaderForm(r, header)
	}
	if err != nil {
		return Authorization{}, err
	}
	if err := checkSignedHeaders(a); err != nil {
		return Authorization{}, err
	}
	var day [len("20060102")]byte
	if d := appendDate(day[:0], a.Time); a.Date != string(d) {
		return Authorization{}, invalid("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
			a.Date + "' != '" + string(d) + "', from '" + a.Time.Format(timeFormat) + "'.")
	}
	if err := checkTime(a, expires, now); err != nil {
		return Authorization{}, err
	}
	key, err := secret(a)
	if err != nil {
		return Authorization{}, err
	}
	var payload [2 * sha256.Size]byte
	if err := payloadHash(&payload, r, body); err != nil {
		return Authorization{}, err
	}
	if !v.signatureMatches(r, &a, key, payload[:]) {
		return Authorization{}, invalid("The request signature we calculated does not match the signature you provided. " +
			"Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	}
	return a, nil
}

// signatureMatches recomputes the signature of r and compares it with
// a.Signature in constant time. The canonical request, the string to sign
// and both signatures are built in arrays on the stack (a larger canonical
// request than the buffer moves to the heap by itself), so a verification
// allocates nothing here.
func (v *HMACVerifier) signatureMatches(r *http.Request, a *Authorization, secret string, payloadHash []byte) bool {
	in := requestInput(r)
	in.signedHeaders, in.normalize, in.presigned = a.SignedHeaders, v.normalize, a.Presigned
	var creqBuf [1024]byte
	sum := sha256.Sum256(appendCanonicalRequest(creqBuf[:0], &in, payloadHash))

	var tBuf [len(timeFormat)]byte
	var scopeBuf, stsBuf [256]byte
	sts := appendStringToSign(stsBuf[:0], appendTimestamp(tBuf[:0], a.Time), appendScope(scopeBuf[:0], a), &sum)

	var want, got [sha256.Size]byte
	v.keys.entry(secret, a.Date, a.Region, a.Service).sign(&want, sts)
	// The signature was checked to be 64 lower-case hex digits when parsed;
	// it is copied to the stack to be decoded ([]byte(a.Signature) would
	// allocate).
	var sig [2 * sha256.Size]byte
	if copy(sig[:], a.Signature) != len(sig) {
		return false
	}
	if _, err := hex.Decode(got[:], sig[:]); err != nil {
		return false
	}
	return hmac.Equal(want[:], got[:])
}

// parseHeaderForm parses the Authorization header and the X-Amz-Date and
// X-Amz-Security-Token headers beside it. The Date header, which SigV4
// also allows, is not accepted: every SDK sends X-Amz-Date, and one date
// source leaves nothing to disagree about.
func (v *HMACVerifier) parseHeaderForm(r *http.Request, header string) (Authorization, error) {
	a, err := parseAuthorization(header, v.service)
	if err != nil {
		return Authorization{}, err
	}
	date := headerGet(r.Header, keyDate)
	if date == "" {
		return Authorization{}, incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if a.Time, err = parseTimestamp(date); err != nil {
		return Authorization{}, incomplete("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\".")
	}
	a.SessionToken = headerGet(r.Header, keySecurityToken)
	return a, nil
}

// checkSignedHeaders requires host (so a request cannot be replayed to
// another endpoint) and, in the header form, x-amz-date (so the time the
// window is checked against is the signed one; the presigned form signs
// X-Amz-Date as a query parameter).
func checkSignedHeaders(a Authorization) error {
	var host, date bool
	for _, h := range a.SignedHeaders {
		host = host || h == "host"
		date = date || h == "x-amz-date"
	}
	if !host {
		return invalid("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	if !date && !a.Presigned {
		return invalid("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.")
	}
	return nil
}

// checkTime applies ±5 minutes to the header form, and to the presigned
// form the period X-Amz-Expires after the request time (with the same
// 5 minutes of tolerance for a client clock that runs ahead).
func checkTime(a Authorization, expires time.Duration, now time.Time) error {
	now = now.UTC()
	if a.Time.After(now.Add(maxSkew)) {
		return invalid("Signature not yet current: " + a.Time.Format(timeFormat) + " is still later than " +
			now.Add(maxSkew).Format(timeFormat) + " (" + now.Format(timeFormat) + " + 5 min.)")
	}
	if a.Presigned {
		if now.After(a.Time.Add(expires)) {
			return invalid("Request has expired")
		}
		return nil
	}
	if a.Time.Before(now.Add(-maxSkew)) {
		return invalid("Signature expired: " + a.Time.Format(timeFormat) + " is now earlier than " +
			now.Add(-maxSkew).Format(timeFormat) + " (" + now.Format(timeFormat) + " - 5 min.)")
	}
	return nil
}

// payloadHash writes the hex SHA-256 of body to h. KMS signs every body,
// so an x-amz-content-sha256 header, when present, must state that same
// hash: UNSIGNED-PAYLOAD and the streaming forms are refused, and a header
// that disagrees with the body is refused rather than trusted.
func payloadHash(h *[2 * sha256.Size]byte, r *http.Request, body []byte) error {
	sum := sha256.Sum256(body)
	hex.Encode(h[:], sum[:])
	claimed := headerGet(r.Header, keyContentSHA256)
	if claimed == "" || claimed == string(h[:]) {
		return nil
	}
	if claimed == "UNSIGNED-PAYLOAD" || strings.HasPrefix(claimed, "STREAMING-") {
		return invalid("The request payload must be signed; this x-amz-content-sha256 value is not accepted.")
	}
	return invalid("The provided 'x-amz-content-sha256' header does not match what was computed.")
}
