package awsjson

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"

	"github.com/trent-kms/trent/internal/kmserr"
)

// queryAlgorithm is the query parameter that marks a presigned request.
const queryAlgorithm = "X-Amz-Algorithm"

// targetPrefix is the awsJson1_1 target namespace of KMS: the Smithy
// service shape is com.amazonaws.kms#TrentService.
const targetPrefix = "TrentService."

// route finds the operation a request names, before anything about the
// caller is known.
//
// A wrong method or path gets 400 UnknownOperationException: AWS JSON
// services dispatch on X-Amz-Target behind POST /, and what they send for
// anything else is not documented; the answers seen from them are
// UnknownOperationException (e.g. aws/aws-sdk-net#1536, status 400), and
// 400 is what the KMS API Reference uses for every client error. A wrong
// Content-Type gets the same code: AWS picks the protocol from it, so an
// unknown one leaves the operation unknown (Kinesis answered a request sent
// as application/octet-stream with UnknownOperationException,
// disneystreaming/smithy4s#167). Each message says what to fix.
func (h *handler) route(r *http.Request) (Operation, error) {
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		return Operation{}, unknownOperation("Trent serves the AWS KMS API as POST requests to the path /.")
	}
	if err := checkContentType(r.Header.Values("Content-Type")); err != nil {
		return Operation{}, err
	}
	targets := r.Header.Values(headerTarget)
	if len(targets) == 0 && h.verifier != nil && r.URL.Query().Has(queryAlgorithm) {
		// A presigned request: the SDK presigners move X-Amz-* headers,
		// the target among them, into the query string, where the
		// signature covers them (checkTargetSigned). Only a verifying
		// server looks there: in dev mode nothing reads the presigned form.
		targets = r.URL.Query()[headerTarget]
	}
	if len(targets) != 1 {
		return Operation{}, unknownOperation("The request must have exactly one X-Amz-Target header naming the operation, e.g. TrentService.Encrypt.")
	}
	name, ok := strings.CutPrefix(targets[0], targetPrefix)
	if !ok {
		return Operation{}, unknownOperation("X-Amz-Target must be TrentService.<Operation>.")
	}
	op, ok := h.ops[name]
	if !ok {
		// The name is not echoed: it is client input of any length.
		return Operation{}, unknownOperation("X-Amz-Target names an operation that Trent does not support.")
	}
	return op, nil
}

// checkContentType accepts the awsJson1_1 media type, and awsJson1_0 which
// differs only in error-code details clients do not rely on, with an
// optional charset parameter that must be UTF-8 (RFC 8259 §8.1: JSON
// exchanged between systems is UTF-8).
func checkContentType(values []string) error {
	const want = "Content-Type must be " + contentType11 + "."
	if len(values) != 1 {
		return unknownOperation(want)
	}
	if values[0] == contentType11 {
		// What every SDK sends, accepted without mime.ParseMediaType's
		// parameter map.
		return nil
	}
	mediaType, params, err := mime.ParseMediaType(values[0])
	if err != nil || mediaType != contentType11 && mediaType != contentType10 {
		return unknownOperation(want)
	}
	for k, v := range params {
		if k != "charset" || !strings.EqualFold(v, "utf-8") {
			return unknownOperation(want + " The only parameter allowed is charset=utf-8.")
		}
	}
	return nil
}

func unknownOperation(msg string) *kmserr.Error {
	return &kmserr.Error{Code: kmserr.CodeUnknownOperation, Status: http.StatusBadRequest, Message: msg}
}

// readBody reads at most limit bytes. A larger body is refused with 413
// RequestEntityTooLargeException before it is buffered: the limit is what
// keeps a client from making the server hold arbitrary amounts of memory
// (notes/reliability.md row 10). http.MaxBytesReader also tells the server
// to close the connection instead of draining the rest.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, tooLarge(limit)
	}
	body, err := readAll(http.MaxBytesReader(w, r.Body, limit), r.ContentLength)
	if err == nil {
		return body, nil // before maxErr, which escapes: no allocation for it
	}
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &maxErr):
		return nil, tooLarge(limit)
	case !errors.Is(err, io.EOF): // a wrapped EOF ends the body, as bytes.Buffer.ReadFrom has it
		return nil, kmserr.Serialization("The request body could not be read.").WithCause(err)
	}
	return body, nil
}

// readAll is io.ReadAll into one buffer of the announced length (plus the
// byte the read that finds EOF needs), so that a body of known length is
// read with one allocation of its size; io.ReadAll and bytes.Buffer start
// at 512 bytes and grow. A body that turns out longer or of unknown length
// (-1) grows the buffer as append does.
func readAll(r io.Reader, size int64) ([]byte, error) {
	if size < 0 {
		size = bytes.MinRead
	}
	b := make([]byte, 0, size+1)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

func tooLarge(limit int64) *kmserr.Error {
	return kmserr.New(kmserr.CodeRequestEntityTooLarge, http.StatusRequestEntityTooLarge,
		"The request body is larger than the limit of %d bytes.", limit)
}

// sourceIP is the peer address without the port. X-Forwarded-For is not
// trusted: Trent has no notion of a trusted proxy yet, and a client could
// otherwise write any address into the audit log.
func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
