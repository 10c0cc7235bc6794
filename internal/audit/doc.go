// Package audit writes one CloudTrail-format JSON record for every API call,
// successful or not, and for the actions Trent takes on its own (automatic
// rotation, deletion at the end of the waiting period).
//
// Records never hold plaintext, ciphertext or key material: request
// parameters are recorded from the decoded input with every []byte member
// and every member tagged `audit:"-"` left out (params.go).
package audit
