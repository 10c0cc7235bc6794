package awsjson

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/trent-kms/trent/internal/kmserr"
)

// Header names. AWS spells the response headers x-amzn-RequestId and
// X-Amzn-ErrorType; net/http canonicalises them on the wire (keyRequestID,
// keyErrorType below), and header names are case-insensitive and every SDK
// reads them that way.
const (
	headerTarget  = "X-Amz-Target"
	contentType11 = "application/x-amz-json-1.1"
	contentType10 = "application/x-amz-json-1.0"
)

// errorBody is the awsJson1_1 error document. The Go SDK (smithy-go
// awsjson) takes the code from X-Amzn-ErrorType, else __type, and the
// message from "message"; KMS's modeled errors have exactly that member.
type errorBody struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}

// The response headers as net/http keys them (textproto canonical form),
// for writing straight into the header map; TestResponseHeaderKeys checks
// them against AWS's spelling.
const (
	keyRequestID     = "X-Amzn-Requestid"
	keyErrorType     = "X-Amzn-Errortype"
	keyContentType   = "Content-Type"
	keyContentLength = "Content-Length"
)

// setHeaders sets the headers of every response, and X-Amzn-ErrorType
// when errorType is not empty. The values share one backing array and the
// keys are assigned in canonical form: Header.Set allocates a slice per
// value and canonicalises "x-amzn-RequestId" into a new string, on every
// request. The map ends up as Set would leave it.
func setHeaders(h http.Header, requestID string, bodyLen int, errorType string) {
	v := make([]string, 4)
	v[0], v[1], v[2], v[3] = requestID, contentType11, strconv.Itoa(bodyLen), errorType
	h[keyRequestID] = v[0:1:1]
	h[keyContentType] = v[1:2:2]
	h[keyContentLength] = v[2:3:3]
	if errorType != "" {
		h[keyErrorType] = v[3:4:4]
	}
}

// writeJSON sends a 200 with an encoded output.
func writeJSON(w http.ResponseWriter, requestID string, body []byte) {
	setHeaders(w.Header(), requestID, len(body), "")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body) // a client gone away is not our error to report
}

// writeError sends e with its status, code header and body.
func writeError(w http.ResponseWriter, requestID string, e *kmserr.Error) {
	body, err := json.Marshal(errorBody{Type: e.Code, Message: e.Message})
	if err != nil { // cannot happen for two strings; keep the wire valid anyway
		body = []byte(`{"__type":"` + kmserr.CodeInternal + `","message":""}`)
	}
	setHeaders(w.Header(), requestID, len(body), e.Code)
	w.WriteHeader(wireStatus(e))
	_, _ = w.Write(body)
}

// wireStatus guards against an *Error built without a usable status: a
// fault the server cannot classify is its own, so 500 (and SDKs retry).
func wireStatus(e *kmserr.Error) int {
	if e.Status < 400 || e.Status > 599 {
		return http.StatusInternalServerError
	}
	return e.Status
}

// asKMSError turns whatever an operation returned into the error the client
// may see. Anything that is not a *kmserr.Error is a bug: it becomes
// KMSInternalException, a 5xx so SDKs retry, with the original kept as the
// logged cause.
func asKMSError(err error) *kmserr.Error {
	if err == nil {
		return nil
	}
	if e, ok := kmserr.As(err); ok {
		if e == nil { // a typed nil *kmserr.Error; its Error method would panic
			return kmserr.Internal(errors.New("operation returned a nil *kmserr.Error as its error"))
		}
		return e
	}
	return kmserr.Internal(err)
}

// newRequestID returns a random (version 4) UUID, the form of AWS request
// IDs.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}
