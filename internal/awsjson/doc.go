// Package awsjson is Trent's wire: the AWS JSON 1.1 protocol as AWS KMS
// speaks it, so that unmodified AWS SDKs and the AWS CLI work against Trent
// with only an endpoint URL.
//
// It owns everything between the socket and a typed operation: routing by
// X-Amz-Target (TrentService.<Operation>), the Content-Type check, request
// IDs (x-amzn-RequestId on every response), the body size limit, SigV4
// header parsing and caller resolution (through sigv4 and identity), a
// strict JSON check before decoding (encoding/json alone is too lenient for
// a key service), encoding outputs and AWS-style errors
// ({"__type","message"} plus X-Amzn-ErrorType), panic recovery, the
// per-request log line, and handing every authenticated request to the
// audit callback, failures included.
//
// Operations are plain typed functions, bound with Op into a table; an
// operation never sees HTTP. Reference: Smithy "AWS JSON 1.1 protocol"
// (https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html) and the
// AWS KMS API Reference "Common Errors".
package awsjson
