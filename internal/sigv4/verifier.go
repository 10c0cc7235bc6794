package sigv4

import (
	"net/http"
	"time"
)

// Verifier checks that a request was signed with the secret key behind the
// access key in its Authorization header.
//
// Trent runs in dev mode only today: the Authorization header is parsed (so
// the Region and access key are known and malformed headers are refused as
// AWS refuses them) but the signature is not checked, and nothing implements
// this interface yet. Strict verification comes in a later issue; it will
// recompute the canonical request from r and body, require host and
// x-amz-date among the signed headers, enforce the ±5 minute window against
// now (notes/reliability.md finding 1), compare the signatures in constant
// time, and return *kmserr.Error values with AWS's codes
// (InvalidSignatureException for a mismatch or an expired signature).
//
// body is passed separately because the wire layer has already read it
// through its size limit; r.Body must not be read again.
type Verifier interface {
	Verify(r *http.Request, body []byte, a Authorization, secretKey string, now time.Time) error
}
