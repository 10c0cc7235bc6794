package kms

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/trent-kms/trent/internal/cipher"
	"github.com/trent-kms/trent/internal/keys"
)

// TestEverySpecHasItsMaterial ties the key-spec table to the cipher
// registry: every spec (in the Regions AWS offers it) names a registered kind of material
// whose keys can do what the spec's usages need, and every registered
// kind serves a spec (or SYMMETRIC_DEFAULT's AES_256).
func TestEverySpecHasItsMaterial(t *testing.T) {
	registered := cipher.Kinds()
	used := map[cipher.Kind]bool{}
	for _, name := range keys.Specs() {
		spec := keys.Spec(name)
		kind := cipher.Kind(spec.Material)
		used[kind] = true
		if !slices.Contains(registered, kind) {
			t.Errorf("%s: material kind %s is not registered in cipher", name, kind)
			continue
		}
		key, err := cipher.Generate(kind, nil)
		if err != nil {
			t.Errorf("%s: generate: %v", name, err)
			continue
		}
		if _, pair := key.(cipher.AsymmetricKey); pair != spec.Pair {
			t.Errorf("%s: table says key pair %v, material says %v", name, spec.Pair, pair)
		}
		for _, u := range spec.Usages {
			var ok bool
			switch u.Usage {
			case keys.UsageEncryptDecrypt:
				_, sym := key.(*cipher.SymmetricKey)
				_, oaep := key.(cipher.OAEPKey)
				_, sm2 := key.(cipher.SM2PKEKey)
				ok = sym || oaep || sm2
			case keys.UsageSignVerify:
				_, ok = key.(cipher.Signer)
			case keys.UsageGenerateVerifyMAC:
				_, ok = key.(cipher.MACKey)
			case keys.UsageKeyAgreement:
				_, ok = key.(cipher.AgreementKey)
			case keys.UsageEncapsulateDecapsulate:
				_, ok = key.(cipher.KEMKey)
			}
			if !ok {
				t.Errorf("%s: material %s cannot serve usage %s", name, kind, u.Usage)
			}
		}
	}
	for _, kind := range registered {
		if !used[kind] {
			t.Errorf("cipher kind %s serves no key spec", kind)
		}
	}
}

// TestSpecTableCoversTheModel: every KeySpec of the service model is in
// the table, with exactly the usages the model's KeyUsageType allows for
// it, and every DataKeyPairSpec names a key-pair spec.
func TestSpecTableCoversTheModel(t *testing.T) {
	for _, s := range types.KeySpec("").Values() {
		if keys.Spec(keys.KeySpec(s)) == nil {
			t.Errorf("model KeySpec %s is not in the key-spec table", s)
		}
	}
	for _, s := range types.DataKeyPairSpec("").Values() {
		if spec := keys.Spec(keys.KeySpec(s)); spec == nil || !spec.Pair {
			t.Errorf("model DataKeyPairSpec %s is not a key-pair spec of the table", s)
		}
	}
	for _, name := range keys.Specs() {
		for _, u := range keys.Spec(name).Usages {
			if !slices.Contains(types.KeyUsageType("").Values(), types.KeyUsageType(u.Usage)) {
				t.Errorf("%s: usage %s is not in the model", name, u.Usage)
			}
		}
	}
}

// TestSigningAlgorithmsOfTheTable: every signing algorithm a spec offers
// has its rules, and every algorithm of the table is one of the model's.
func TestSigningAlgorithmsOfTheTable(t *testing.T) {
	for _, name := range keys.Specs() {
		spec := keys.Spec(name)
		for _, alg := range spec.Algorithms(keys.UsageSignVerify) {
			if _, ok := keys.Signing(alg); !ok {
				t.Errorf("%s offers %s, which has no signing rules", name, alg)
			}
			if !slices.Contains(signingAlgorithmValues, alg) {
				t.Errorf("%s offers %s, which is not in the model", name, alg)
			}
		}
	}
}
