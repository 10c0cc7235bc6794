// Package kmserr is the one error type a client of Trent can see.
//
// An *Error carries the AWS error code (the wire "__type"), the HTTP status
// AWS uses for it, a client-safe message in AWS's wording, and an optional
// cause that is logged with the request ID but never sent. Lower packages
// return their own sentinel errors; the service translates them into an
// *Error in context. Anything that reaches the wire without being an *Error
// is a bug and is reported as KMSInternalException.
package kmserr

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an AWS-style service error.
type Error struct {
	// Code is the AWS error code, e.g. "NotFoundException".
	Code string
	// Status is the HTTP status code sent with the error.
	Status int
	// Message is sent to the client; it never holds secrets or internal paths.
	Message string
	// cause is logged, never sent.
	cause error
}

func (e *Error) Error() string {
	if e.cause != nil {
		return e.Code + ": " + e.Message + ": " + e.cause.Error()
	}
	return e.Code + ": " + e.Message
}

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.cause }

// Cause returns the internal cause, for logging.
func (e *Error) Cause() error { return e.cause }

// WithCause returns a copy of e that records cause for the server log.
func (e *Error) WithCause(cause error) *Error {
	c := *e
	c.cause = cause
	return &c
}

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, kmserr.NotFound("")) style checks work in tests.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// New builds an error with an explicit code and status.
func New(code string, status int, format string, args ...any) *Error {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &Error{Code: code, Status: status, Message: msg}
}

// As returns err as an *Error if it is one (or wraps one).
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// Codes. The HTTP statuses follow the AWS KMS API Reference, which lists 400
// for every client error and 500 for the server faults; SDKs choose the error
// type from the code and retry on 5xx.
const (
	CodeAccessDenied               = "AccessDeniedException"
	CodeAlreadyExists              = "AlreadyExistsException"
	CodeConflict                   = "ConflictException"
	CodeCustomKeyStoreNotFound     = "CustomKeyStoreNotFoundException"
	CodeDependencyTimeout          = "DependencyTimeoutException"
	CodeDisabled                   = "DisabledException"
	CodeDryRunOperation            = "DryRunOperationException"
	CodeIncompleteSignature        = "IncompleteSignatureException"
	CodeIncorrectKey               = "IncorrectKeyException"
	CodeIncorrectKeyMaterial       = "IncorrectKeyMaterialException"
	CodeInvalidImportToken         = "InvalidImportTokenException"
	CodeExpiredImportToken         = "ExpiredImportTokenException"
	CodeExpiredToken               = "ExpiredTokenException"
	CodeInternal                   = "KMSInternalException"
	CodeInvalidAliasName           = "InvalidAliasNameException"
	CodeInvalidCiphertext          = "InvalidCiphertextException"
	CodeInvalidKeyUsage            = "InvalidKeyUsageException"
	CodeInvalidMarker              = "InvalidMarkerException"
	CodeKMSInvalidMac              = "KMSInvalidMacException"
	CodeKMSInvalidSignature        = "KMSInvalidSignatureException"
	CodeInvalidSignature           = "InvalidSignatureException"
	CodeInvalidState               = "KMSInvalidStateException"
	CodeLimitExceeded              = "LimitExceededException"
	CodeMalformedPolicyDocument    = "MalformedPolicyDocumentException"
	CodeMissingAuthenticationToken = "MissingAuthenticationTokenException"
	CodeNotAuthorized              = "NotAuthorizedException"
	CodeNotFound                   = "NotFoundException"
	CodeSerialization              = "SerializationException"
	CodeTag                        = "TagException"
	CodeUnknownOperation           = "UnknownOperationException"
	CodeUnrecognizedClient         = "UnrecognizedClientException"
	CodeUnsupportedOperation       = "UnsupportedOperationException"
	CodeValidation                 = "ValidationException"
	CodeRequestEntityTooLarge      = "RequestEntityTooLargeException"
)

func client(code, format string, args ...any) *Error {
	return New(code, http.StatusBadRequest, format, args...)
}

// AccessDenied: the caller may not perform the action.
func AccessDenied(format string, args ...any) *Error {
	return client(CodeAccessDenied, format, args...)
}

// AlreadyExists: e.g. an alias name in use.
func AlreadyExists(format string, args ...any) *Error {
	return client(CodeAlreadyExists, format, args...)
}

// Conflict: e.g. a rotation already in progress.
func Conflict(format string, args ...any) *Error { return client(CodeConflict, format, args...) }

// Disabled: the key is disabled.
func Disabled(format string, args ...any) *Error { return client(CodeDisabled, format, args...) }

// CustomKeyStoreNotFound: no custom key store has this ID.
func CustomKeyStoreNotFound(id string) *Error {
	return client(CodeCustomKeyStoreNotFound, "Custom key store %s does not exist.", id)
}

// DryRun: every check passed but DryRun was set.
func DryRun() *Error {
	return client(CodeDryRunOperation, "The request would have succeeded, but the DryRun option is set.")
}

// IncorrectKey: the KeyId does not match the key that made the ciphertext.
func IncorrectKey() *Error {
	return client(CodeIncorrectKey, "The key ID in the request does not identify a CMK that can perform this operation.")
}

// DependencyTimeout: the store did not answer in time, or could not
// confirm that what it would read is current (an etcd cluster out of reach
// or without a quorum). A 5xx, so SDKs retry; the cause is logged. The
// message is the API Reference's description of the error.
func DependencyTimeout(cause error) *Error {
	e := New(CodeDependencyTimeout, http.StatusInternalServerError, "The system timed out while trying to fulfill the request. You can retry the request.")
	e.cause = cause
	return e
}

// Internal is a server fault. The message is generic; the cause is logged.
func Internal(cause error) *Error {
	e := New(CodeInternal, http.StatusInternalServerError, "An internal error occurred. Retry the request.")
	e.cause = cause
	return e
}

// InvalidAliasName: the alias name is malformed or reserved.
func InvalidAliasName(format string, args ...any) *Error {
	return client(CodeInvalidAliasName, format, args...)
}

// InvalidCiphertext: the ciphertext, its encryption context or its key do
// not match. AWS sends an empty message, so that a caller learns nothing
// about which part was wrong.
func InvalidCiphertext() *Error { return client(CodeInvalidCiphertext, "") }

// InvalidKeyUsage: the key's usage or spec does not allow the operation.
func InvalidKeyUsage(format string, args ...any) *Error {
	return client(CodeInvalidKeyUsage, format, args...)
}

// KMSInvalidSignature is Verify's answer to a signature that does not
// verify; AWS sends it with an empty message (recorded).
func KMSInvalidSignature() *Error { return client(CodeKMSInvalidSignature, "") }

// KMSInvalidMac is VerifyMac's answer to a MAC that does not verify, with
// an empty message as AWS sends it (recorded).
func KMSInvalidMac() *Error { return client(CodeKMSInvalidMac, "") }

// IncorrectKeyMaterial: imported material that is not valid for the key,
// or not the material the key had (the model's description of the error).
func IncorrectKeyMaterial(format string, args ...any) *Error {
	return client(CodeIncorrectKeyMaterial, format, args...)
}

// InvalidImportToken: an import token the server did not issue for this
// key.
func InvalidImportToken() *Error {
	return client(CodeInvalidImportToken, "The import token is invalid or does not belong to this key.")
}

// ExpiredImportToken: an import token past its 24 hours.
func ExpiredImportToken() *Error {
	return client(CodeExpiredImportToken, "The import token has expired; call GetParametersForImport for a new one.")
}

// InvalidMarker: a pagination marker the server did not issue.
func InvalidMarker() *Error {
	return client(CodeInvalidMarker, "The request contained an invalid marker.")
}

// InvalidState: the key state does not allow the operation.
func InvalidState(format string, args ...any) *Error {
	return client(CodeInvalidState, format, args...)
}

// LimitExceeded: a quota was reached.
func LimitExceeded(format string, args ...any) *Error {
	return client(CodeLimitExceeded, format, args...)
}

// MalformedPolicyDocument: a key policy is not a valid policy document.
func MalformedPolicyDocument(format string, args ...any) *Error {
	return client(CodeMalformedPolicyDocument, format, args...)
}

// NotFound: the key, alias or other resource does not exist.
func NotFound(format string, args ...any) *Error { return client(CodeNotFound, format, args...) }

// Serialization: the request body is not the JSON the operation expects.
func Serialization(format string, args ...any) *Error {
	return client(CodeSerialization, format, args...)
}

// Tag: a tag rule was broken.
func Tag(format string, args ...any) *Error { return client(CodeTag, format, args...) }

// UnsupportedOperation: the operation is not supported for this key.
func UnsupportedOperation(format string, args ...any) *Error {
	return client(CodeUnsupportedOperation, format, args...)
}

// Validation: a request member breaks a constraint.
func Validation(format string, args ...any) *Error {
	return client(CodeValidation, format, args...)
}
