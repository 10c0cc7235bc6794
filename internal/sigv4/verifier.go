package sigv4

import (
	"net/http"
	"time"

	"github.com/trent-kms/trent/internal/kmserr"
)

// Verifier checks that a request was signed with the secret key behind the
// access key it names, in the Authorization header or in the presigned
// query string, and returns what the signature vouches for (access key,
// Region, session token, time).
//
// body is passed separately because the wire layer has already read it
// through its size limit; r.Body must not be read again. now is passed so
// that the caller owns the clock (and tests can pin it).
//
// Every error is a *kmserr.Error with AWS's code: IncompleteSignature for a
// malformed signature, InvalidSignature for a mismatch, a wrong scope or a
// time outside the window, MissingAuthenticationToken when there is no
// signature at all, UnrecognizedClient for an unknown access key.
type Verifier interface {
	Verify(r *http.Request, body []byte, now time.Time) (Authorization, error)
}

// SecretFunc returns the secret access key for a.AccessKeyID (and, for
// temporary credentials, a.SessionToken), or the error that refuses the
// request: UnrecognizedClient() for an unknown access key, or another
// *kmserr.Error (an expired session token, say), which Verify returns as it
// is. It sees only parsed, not yet verified values.
type SecretFunc func(a Authorization) (secret string, err error)

// UnrecognizedClient is AWS's answer to an access key (or session token) it
// does not know.
func UnrecognizedClient() *kmserr.Error {
	return kmserr.New(kmserr.CodeUnrecognizedClient, http.StatusBadRequest, "The security token included in the request is invalid.")
}
