// Package policy owns KMS key policy documents: the default key policy, the
// strict parsing of a policy into a Document, and the rules a key policy must
// meet before CreateKey, PutKeyPolicy or ReplicateKey may store it.
// Evaluating a Document against a request (with grants and conditions such
// as kms:EncryptionContext:* and kms:ViaService) belongs here too, later.
//
// A policy is stored and returned exactly as the caller sent it: AWS returns
// the text verbatim from GetKeyPolicy, so the service keeps the original
// string and uses the Document only to check and, later, to evaluate it.
//
// Parsing is stricter than encoding/json on purpose. encoding/json keeps the
// last of two members with the same name, so {"Effect":"Deny","Effect":"Allow"}
// would read as Allow while a reviewer sees a Deny; it also replaces invalid
// UTF-8 and unpaired surrogate escapes with U+FFFD. Parsing uses strictjson,
// the scanner the wire uses too, which refuses all of these, refuses
// trailing data and numbers beyond float64's range, and limits nesting
// depth.
//
// Every error a client may see is a *kmserr.Error: MalformedPolicyDocument for
// a policy that is not a valid key policy, LimitExceeded for one that is too
// long (CheckSize) and Validation for characters outside the model's pattern
// (CheckCharacters).
//
// References:
//   - Key policy elements: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html
//   - Default key policy: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
//   - IAM JSON policy grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
//   - PutKeyPolicy: https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html
package policy
