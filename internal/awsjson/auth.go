package awsjson

import (
	"crypto/subtle"
	"net/http"
	"slices"
	"time"

	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/sigv4"
)

// admitted is what admit established about a request: who sent it, the
// Region it is served in (the credential scope's), and its body.
type admitted struct {
	caller identity.Caller
	region string
	bytes  []byte
}

// admit authenticates the request and receives its body, in the order the
// mode needs. err refuses the request unaudited; bodyErr is a body that
// could not be received from a caller already known, which run reports and
// the audit records.
//
// With verification the body is read first: the signature covers it, so
// nothing is known about the caller until all of it has arrived, and a body
// that cannot be read (too large, cut off) is refused like any other
// unauthenticated request. In dev mode the access key alone names the
// caller, before the body is read, as it always has.
func (h *handler) admit(w http.ResponseWriter, r *http.Request) (a admitted, bodyErr, err error) {
	if len(r.Header.Values("Authorization")) > 1 {
		return admitted{}, nil, &kmserr.Error{Code: kmserr.CodeIncompleteSignature, Status: http.StatusBadRequest,
			Message: "The request must have exactly one Authorization header."}
	}
	if h.verifier == nil {
		if a.caller, a.region, err = h.identify(r); err != nil {
			return admitted{}, nil, err
		}
		a.bytes, bodyErr = readBody(w, r, h.limit)
		return a, bodyErr, nil
	}
	if a.bytes, err = readBody(w, r, h.limit); err != nil {
		return admitted{}, nil, err
	}
	if a.caller, a.region, err = h.verify(r, a.bytes); err != nil {
		return admitted{}, nil, err
	}
	return a, nil, nil
}

// identify is dev mode: it parses the Authorization header and takes the
// caller its access key names. The signature is not checked.
func (h *handler) identify(r *http.Request) (identity.Caller, string, error) {
	a, err := sigv4.ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return identity.Caller{}, "", err
	}
	cred, ok := h.cfg.Identity.Lookup(a.AccessKeyID)
	if !ok {
		return identity.Caller{}, "", sigv4.UnrecognizedClient()
	}
	return cred.Caller, a.Region, nil
}

// verify checks the request's SigV4 signature (header or presigned form)
// against the credential its access key stands for, at the injected
// clock's time, and returns the caller and the scope's Region.
func (h *handler) verify(r *http.Request, body []byte) (identity.Caller, string, error) {
	now := h.cfg.Clock.Now()
	var cred identity.Credential
	a, err := h.verifier.VerifyWith(r, body, now, func(a sigv4.Authorization) (string, error) {
		var err error
		cred, err = h.credential(a, now)
		return cred.Secret, err
	})
	if err != nil {
		return identity.Caller{}, "", err
	}
	if err := checkTargetSigned(r, a); err != nil {
		return identity.Caller{}, "", err
	}
	return cred.Caller, a.Region, nil
}

// errExpiredToken is AWS's answer to temporary credentials past their
// expiry: KMS sends it with HTTP 400 and no final period (as recorded in
// boto/boto3#1127 and getsops/sops#621).
func errExpiredToken() *kmserr.Error {
	return kmserr.New(kmserr.CodeExpiredToken, http.StatusBadRequest, "The security token included in the request is expired")
}

// credential looks up the access key of a parsed, not yet verified
// signature. A credential without a secret (the Dev resolver's) cannot
// verify anything and is refused, rather than checked against an empty
// secret anyone could sign with. Temporary credentials need their session
// token, compared in constant time; a long-term key must come without one.
// Both mismatches are UnrecognizedClient, as AWS answers an invalid
// token. Expiry is checked only once the token matched, so it reveals
// nothing about tokens the client does not hold.
func (h *handler) credential(a sigv4.Authorization, now time.Time) (identity.Credential, error) {
	cred, ok := h.cfg.Identity.Lookup(a.AccessKeyID)
	if !ok || cred.Secret == "" {
		return identity.Credential{}, sigv4.UnrecognizedClient()
	}
	if cred.SessionToken == "" {
		if a.SessionToken != "" {
			return identity.Credential{}, sigv4.UnrecognizedClient()
		}
		return cred, nil
	}
	if subtle.ConstantTimeCompare([]byte(a.SessionToken), []byte(cred.SessionToken)) != 1 {
		return identity.Credential{}, sigv4.UnrecognizedClient()
	}
	if !cred.Expires.IsZero() && !now.Before(cred.Expires) {
		return identity.Credential{}, errExpiredToken()
	}
	return cred, nil
}

// checkTargetSigned requires the signature to cover the operation:
// otherwise whoever relays a signed request could make it do something
// else with the same body (a Decrypt turned into a ReEncrypt to their own
// key). In the header form X-Amz-Target must be a signed header, which
// every AWS SDK and botocore make it; a presigned request may carry it in
// the query string instead (route), which the signature covers whole.
func checkTargetSigned(r *http.Request, a sigv4.Authorization) error {
	if len(r.Header.Values(headerTarget)) == 0 || slices.Contains(a.SignedHeaders, "x-amz-target") {
		return nil
	}
	return &kmserr.Error{Code: kmserr.CodeInvalidSignature, Status: http.StatusBadRequest,
		Message: "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."}
}
