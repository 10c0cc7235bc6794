// Package policy owns KMS key policy documents and their evaluation: the
// default key policy, the strict parsing of a policy into a Document, the
// rules a key policy must meet before CreateKey, PutKeyPolicy or
// ReplicateKey may store it, IAM identity-based policies, and the
// evaluator that decides a request against them with AWS's semantics, so
// that a policy written for AWS KMS means the same here.
//
// A policy is stored and returned exactly as the caller sent it: AWS returns
// the text verbatim from GetKeyPolicy, so the service keeps the original
// string and uses the Document only to check and to evaluate it.
//
// # Parsing
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
// (CheckCharacters). ParseIdentityPolicy applies the same rules to an IAM
// identity-based policy, except that its statements must not name a
// principal.
//
// # Evaluation
//
// The evaluator is pure: no store, no clock, no logging. A compiled Policy
// and a Request go in, a Result comes out.
//
//   - Compile (CompileKeyPolicy, CompileIdentityPolicy) does once what can
//     be done once: principals sorted into accounts, ARNs and services;
//     resource ARNs split into their six parts; condition keys lower-cased;
//     numbers, dates, CIDRs, ARNs and base64 values parsed. A value that
//     does not parse for its operator never matches. A Policy is read-only
//     and safe for concurrent use.
//   - Policy.Evaluate applies one policy: a statement applies when its
//     principal (Principal/NotPrincipal), action (Action/NotAction, '*'
//     and '?' wildcards, case-insensitive), resource (Resource/NotResource,
//     ArnLike segment-wise) and every condition match. An applying Deny
//     gives Denied, else an applying Allow gives Allowed, else
//     NotApplicable. Result.ViaAccount says the Allow named the subject
//     only through its account, which for KMS delegates to IAM.
//   - Context is the request context. Condition key names are
//     case-insensitive in full, including the <key> of
//     kms:EncryptionContext:<key> and of aws:RequestTag/<key> and
//     aws:ResourceTag/<key>; values compare as each operator says.
//   - Authorize combines the key policy, the subject's identity-based
//     policies and the caller's grant check with KMS's rules (explicit
//     deny first; IAM counts only when the key policy allows the account;
//     cross-account access needs both sides; grants allow on their own)
//     and returns a Verdict whose Denial picks AWS's AccessDeniedException
//     text (Verdict.Message).
//
// The hot path (Evaluate, Authorize) does not allocate; the default key
// policy evaluates in well under a microsecond (BenchmarkEvaluateDefaultPolicy).
//
// Not supported: policy variables (${aws:username}) are compared
// literally; Federated and CanonicalUser principals never match (Trent has
// no such identities); permissions boundaries, SCPs, RCPs and session
// policies do not exist here.
//
// References:
//   - Key policy elements: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html
//   - Default key policy: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
//   - AWS KMS condition keys: https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
//   - IAM JSON policy grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
//   - Policy evaluation logic: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
//   - Condition operators: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
//   - Multiple keys and values: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
//   - Principal / NotPrincipal: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html,
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
//   - PutKeyPolicy: https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html
package policy
