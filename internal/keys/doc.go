// Package keys is the domain of KMS keys: their metadata, the names of the
// operations Trent serves, the key states and the table of which operation
// each state allows, key material versions, identifiers (key IDs, ARNs,
// alias names) and their rules.
//
// It is pure Go with no I/O and imports nothing of Trent's, so the rules can be
// read and tested on their own. Its errors are domain values; the service
// translates them into AWS errors.
package keys
