// Package strictjson is Trent's one JSON scanner for input that must mean
// exactly one thing to everyone who reads it: request bodies on the wire
// (awsjson) and key policy documents (policy).
//
// encoding/json is lenient where a key service cannot be: it keeps the last
// of two members with the same name, turns invalid UTF-8 and unpaired
// surrogate escapes into U+FFFD (so two different encryption contexts can
// bind the same AAD, and a reviewer and the evaluator can read a policy
// differently), and nests 10,000 levels deep. A Scanner accepts only text
// that is valid under RFC 8259 and, where the RFC leaves room, takes the
// strict reading:
//
//   - the text is valid UTF-8 (§8.1);
//   - a \u escape of a UTF-16 surrogate is one half of a pair (§7, §8.2);
//   - no object has two members with the same name, compared after
//     unescaping (§4 says names SHOULD be unique and that receivers
//     disagree about duplicates, which is the danger);
//   - containers nest at most a caller-chosen depth, and every number is
//     within float64's range (§9 lets a parser set both limits);
//   - there is exactly one value, with only whitespace around it (§2).
//
// The scanner does not decide what a caller builds. It hands out tokens
// (Next), each with its byte offset, and callers walk them recursively: the
// wire checks member names and nulls against the Go type it decodes into,
// the policy package builds a tree. Errors are *SyntaxError, a Code and an
// offset and never any of the input, so that each caller can word them for
// its own audience.
package strictjson
