package bench

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
)

// Operation is one kind of request the generator can time. Its setup makes
// whatever the request needs (keys, a ciphertext, a signature) through the
// same API, before timing, and returns the request every client then sends
// unchanged.
type Operation struct {
	Name string
	// Doc says what is sent, for the help text and the docs.
	Doc   string
	setup func(ctx context.Context, s *setupEnv) (request, error)
}

// Payloads. 32 bytes is a data key, what envelope encryption sends to
// Encrypt in practice; 4 KiB is the most Encrypt accepts. The context has
// two pairs, as S3 or an SDK's envelope encryption would send.
var (
	plaintext32   = bytes.Repeat([]byte{0x5a}, 32)
	plaintext4KiB = bytes.Repeat([]byte{0xa5}, 4096)
	signMessage   = bytes.Repeat([]byte{0x3c}, 50)
	macMessage    = bytes.Repeat([]byte{0x6d}, 32)
	benchContext  = map[string]string{"purpose": "benchmark", "tenant": "acme"}
)

// Operations are every operation, in the order the generator runs them by
// default. ListKeys comes before the CreateKey operations so that it lists
// the few keys setup made rather than the thousands CreateKey makes.
var Operations = []Operation{
	encryptOp("Encrypt-32B", plaintext32),
	encryptOp("Encrypt-4KiB", plaintext4KiB),
	decryptOp("Decrypt-32B", plaintext32),
	decryptOp("Decrypt-4KiB", plaintext4KiB),
	{
		Name: "GenerateDataKey",
		Doc:  "GenerateDataKey, KeySpec AES_256 (a 32-byte data key), two-pair context",
		setup: func(ctx context.Context, s *setupEnv) (request, error) {
			key, err := s.symmetricKey(ctx)
			if err != nil {
				return request{}, err
			}
			return newRequest("GenerateDataKey", map[string]any{"KeyId": key, "KeySpec": "AES_256", "EncryptionContext": benchContext})
		},
	},
	{
		Name: "ReEncrypt",
		Doc:  "ReEncrypt of a 32-byte plaintext's ciphertext to a second symmetric key, context kept",
		setup: func(ctx context.Context, s *setupEnv) (request, error) {
			blob, err := s.ciphertext(ctx, plaintext32)
			if err != nil {
				return request{}, err
			}
			dest, err := s.key(ctx, "SYMMETRIC_DEFAULT-2", map[string]any{"Description": "trent-bench ReEncrypt destination"})
			if err != nil {
				return request{}, err
			}
			return newRequest("ReEncrypt", map[string]any{
				"CiphertextBlob": blob, "SourceEncryptionContext": benchContext,
				"DestinationKeyId": dest, "DestinationEncryptionContext": benchContext,
			})
		},
	},
	signOp("ECC_NIST_P256", "ECDSA_SHA_256"),
	verifyOp("ECC_NIST_P256", "ECDSA_SHA_256"),
	signOp("RSA_2048", "RSASSA_PSS_SHA_256"),
	verifyOp("RSA_2048", "RSASSA_PSS_SHA_256"),
	{
		Name: "GenerateMac",
		Doc:  "GenerateMac, HMAC_256 key, HMAC_SHA_256, 32-byte message",
		setup: func(ctx context.Context, s *setupEnv) (request, error) {
			key, err := s.key(ctx, "HMAC_256", map[string]any{"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"})
			if err != nil {
				return request{}, err
			}
			return newRequest("GenerateMac", map[string]any{"KeyId": key, "Message": macMessage, "MacAlgorithm": "HMAC_SHA_256"})
		},
	},
	{
		Name: "DescribeKey",
		Doc:  "DescribeKey of a symmetric key by key ID",
		setup: func(ctx context.Context, s *setupEnv) (request, error) {
			key, err := s.symmetricKey(ctx)
			if err != nil {
				return request{}, err
			}
			return newRequest("DescribeKey", map[string]any{"KeyId": key})
		},
	},
	{
		Name: "ListKeys",
		Doc:  "ListKeys with no parameters (the first page, up to 100 keys)",
		setup: func(context.Context, *setupEnv) (request, error) {
			return newRequest("ListKeys", map[string]any{})
		},
	},
	{
		Name: "CreateKey-SYMMETRIC",
		Doc:  "CreateKey with defaults (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT); every call adds a key",
		setup: func(context.Context, *setupEnv) (request, error) {
			return newRequest("CreateKey", map[string]any{"Description": "trent-bench CreateKey"})
		},
	},
	{
		Name: "CreateKey-RSA_2048",
		Doc:  "CreateKey RSA_2048 SIGN_VERIFY (key generation dominates); every call adds a key",
		setup: func(context.Context, *setupEnv) (request, error) {
			return newRequest("CreateKey", map[string]any{"Description": "trent-bench CreateKey", "KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"})
		},
	},
}

func encryptOp(name string, pt []byte) Operation {
	return Operation{
		Name: name,
		Doc:  fmt.Sprintf("Encrypt of a %d-byte plaintext under a symmetric key, two-pair context", len(pt)),
		setup: func(ctx context.Context, s *setupEnv) (request, error) {
			key, err := s.symmetricKey(ctx)
			if err != nil {
				return request{}, err
			}
			return newRequest("Encrypt", map[string]any{"KeyId": key, "Plaintext": pt, "EncryptionContext": benchContext})
		},
	}
}

func decryptOp(name string, pt []byte) Operation {
	return Operation{
		Name: name,
		Doc:  fmt.Sprintf("Decrypt (without KeyId, as most callers do) of a %d-byte plaintext's ciphertext", len(pt)),
		setup: func(ctx context.Context, s *setupEnv) (request, error) {
			blob, err := s.ciphertext(ctx, pt)
			if err != nil {
				return request{}, err
			}
			return newRequest("Decrypt", map[string]any{"CiphertextBlob": blob, "EncryptionContext": benchContext})
		},
	}
}

func signOp(spec, alg string) Operation {
	return Operation{
		Name: "Sign-" + spec,
		Doc:  fmt.Sprintf("Sign, %s key, %s, 50-byte RAW message", spec, alg),
		setup: func(ctx context.Context, s *setupEnv) (request, error) {
			key, err := s.signingKey(ctx, spec)
			if err != nil {
				return request{}, err
			}
			return newRequest("Sign", signInput(key, alg))
		},
	}
}

func verifyOp(spec, alg string) Operation {
	return Operation{
		Name: "Verify-" + spec,
		Doc:  fmt.Sprintf("Verify of a valid signature, %s key, %s, 50-byte RAW message", spec, alg),
		setup: func(ctx context.Context, s *setupEnv) (request, error) {
			key, err := s.signingKey(ctx, spec)
			if err != nil {
				return request{}, err
			}
			var signed struct{ Signature []byte }
			if err := s.caller.Call(ctx, "Sign", signInput(key, alg), &signed); err != nil {
				return request{}, err
			}
			in := signInput(key, alg)
			in["Signature"] = signed.Signature
			return newRequest("Verify", in)
		},
	}
}

func signInput(key, alg string) map[string]any {
	return map[string]any{"KeyId": key, "Message": signMessage, "MessageType": "RAW", "SigningAlgorithm": alg}
}

// OperationNames lists the operations' names in order.
func OperationNames() []string {
	names := make([]string, len(Operations))
	for i, op := range Operations {
		names[i] = op.Name
	}
	return names
}

// LookupOperations resolves names ("all" for every operation) to
// operations, in the order given.
func LookupOperations(names []string) ([]Operation, error) {
	var out []Operation
	for _, n := range names {
		if n == "all" {
			out = append(out, Operations...)
			continue
		}
		i := slices.IndexFunc(Operations, func(op Operation) bool { return op.Name == n })
		if i < 0 {
			return nil, fmt.Errorf("unknown operation %q; known: all, %s", n, strings.Join(OperationNames(), ", "))
		}
		out = append(out, Operations[i])
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no operations given")
	}
	return out, nil
}

// setupEnv creates, once per run, the keys and artefacts operations need.
type setupEnv struct {
	caller *Caller
	// keyID, if set, is the symmetric key to use instead of creating one
	// (the floor, which has no CreateKey, accepts any).
	keyID string
	keys  map[string]string
}

func (s *setupEnv) key(ctx context.Context, name string, input map[string]any) (string, error) {
	if id, ok := s.keys[name]; ok {
		return id, nil
	}
	var out struct{ KeyMetadata struct{ KeyId string } }
	if err := s.caller.Call(ctx, "CreateKey", input, &out); err != nil {
		return "", fmt.Errorf("create the %s key: %w", name, err)
	}
	if out.KeyMetadata.KeyId == "" {
		return "", fmt.Errorf("create the %s key: no KeyId in the response", name)
	}
	s.keys[name] = out.KeyMetadata.KeyId
	return out.KeyMetadata.KeyId, nil
}

func (s *setupEnv) symmetricKey(ctx context.Context) (string, error) {
	if s.keyID != "" {
		return s.keyID, nil
	}
	return s.key(ctx, "SYMMETRIC_DEFAULT", map[string]any{"Description": "trent-bench"})
}

func (s *setupEnv) signingKey(ctx context.Context, spec string) (string, error) {
	return s.key(ctx, spec, map[string]any{"KeySpec": spec, "KeyUsage": "SIGN_VERIFY", "Description": "trent-bench"})
}

// ciphertext encrypts pt under the symmetric key with the bench context.
func (s *setupEnv) ciphertext(ctx context.Context, pt []byte) ([]byte, error) {
	key, err := s.symmetricKey(ctx)
	if err != nil {
		return nil, err
	}
	var out struct{ CiphertextBlob []byte }
	if err := s.caller.Call(ctx, "Encrypt", map[string]any{"KeyId": key, "Plaintext": pt, "EncryptionContext": benchContext}, &out); err != nil {
		return nil, err
	}
	return out.CiphertextBlob, nil
}
