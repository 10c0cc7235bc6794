// Package seal is Trent's root of trust: it seals key material under a root
// key before it is stored, and unseals it when a key is used, so that
// plaintext key material never reaches disk or the etcd data directory.
//
// The root key is a 256-bit AES key read from a root key file (keyring.go);
// a PKCS#11 HSM backend may follow. Sealing is AES-256-GCM (sealer.go) with
// associated data naming where the record belongs, so a sealed record copied
// to another key or material version does not open (reliability checklist
// row 4; Vault's barrier binds the storage path the same way).
//
// Every sealed record names the root key that sealed it by a short ID. A
// Keyring is built to hold several root keys, one current for sealing and
// the others for unsealing only, so that root key rotation can be added
// without changing the sealed format.
package seal
