package sigv4

import (
	"net/url"
	"strconv"
	"time"
)

// Query parameters of the presigned form, as AWS spells them.
const (
	qAlgorithm     = "X-Amz-Algorithm"
	qCredential    = "X-Amz-Credential"
	qDate          = "X-Amz-Date"
	qExpires       = "X-Amz-Expires"
	qSignedHeaders = "X-Amz-SignedHeaders"
	qSignature     = "X-Amz-Signature"
	qSecurityToken = "X-Amz-Security-Token"
)

// maxExpires is the longest validity SigV4 allows a presigned request:
// seven days.
const maxExpires = 7 * 24 * time.Hour

// parsePresigned reads the presigned-query form into an Authorization and
// its validity period. Error wording follows S3's, the best documented
// query-string verifier.
func parsePresigned(q url.Values, service string) (Authorization, time.Duration, error) {
	for _, name := range []string{qAlgorithm, qCredential, qDate, qExpires, qSignedHeaders, qSignature, qSecurityToken} {
		if len(q[name]) > 1 {
			return Authorization{}, 0, incomplete("AWS query-string parameters must not repeat '" + name + "'.")
		}
	}
	for _, name := range []string{qAlgorithm, qCredential, qDate, qExpires, qSignedHeaders, qSignature} {
		if q.Get(name) == "" {
			return Authorization{}, 0, incomplete("AWS query-string parameters must include '" + name + "'. Re-examine the query-string parameters.")
		}
	}
	if q.Get(qAlgorithm) != Algorithm {
		return Authorization{}, 0, incomplete("X-Amz-Algorithm only supports \"" + Algorithm + "\".")
	}
	a, err := parseCredential(q.Get(qCredential), service)
	if err != nil {
		return Authorization{}, 0, err
	}
	if a.SignedHeaders, err = parseSignedHeaders(q.Get(qSignedHeaders)); err != nil {
		return Authorization{}, 0, err
	}
	if a.Signature = q.Get(qSignature); !isLowerHex(a.Signature, 64) {
		return Authorization{}, 0, incomplete("X-Amz-Signature must be 64 lower-case hexadecimal characters.")
	}
	secs, err := strconv.ParseInt(q.Get(qExpires), 10, 64)
	switch {
	case err != nil || secs < 0:
		return Authorization{}, 0, incomplete("X-Amz-Expires should be a number.")
	case secs > int64(maxExpires/time.Second):
		return Authorization{}, 0, incomplete("X-Amz-Expires must be less than a week (in seconds) that is 604800.")
	}
	if a.Time, err = parseTimestamp(q.Get(qDate)); err != nil {
		return Authorization{}, 0, incomplete("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\".")
	}
	a.SessionToken = q.Get(qSecurityToken)
	a.Presigned = true
	return a, time.Duration(secs) * time.Second, nil
}
