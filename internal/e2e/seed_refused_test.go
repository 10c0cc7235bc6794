package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/server"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/storetest"
)

// openWithSeed opens a dev node in dir with the seed file, and closes it
// again if it opened.
func openWithSeed(t *testing.T, dir, seedFile string) error {
	t.Helper()
	n, err := server.Open(server.Config{DataDir: dir, Dev: true, Clock: clock.NewManual(testEpoch), SeedFile: seedFile})
	if err == nil {
		if err := n.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return err
}

// TestSeedErrorsStopTheStart: a seed that breaks a rule of the API (or of
// seeding) stops the start with an error naming the file, the line, the
// key or alias, and the reason; and never quotes material.
func TestSeedErrorsStopTheStart(t *testing.T) {
	aes := base64.StdEncoding.EncodeToString(randomBytes(32))
	short := base64.StdEncoding.EncodeToString(randomBytes(16))
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(ec)
	ecPEM := indentBlock(string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), 6)
	const id = "1234abcd-12ab-34cd-56ef-1234567890ab"
	const id2 = "2234abcd-12ab-34cd-56ef-1234567890ab"
	tests := []struct{ name, seed, want string }{
		{"unknown spec", "keys:\n  - id: " + id + "\n    spec: RSA_1024\n",
			":2: key " + id + ": ValidationException: 1 validation error detected: Value 'RSA_1024' at 'keySpec' failed to satisfy constraint"},
		{"usage missing", "keys:\n  - id: " + id + "\n    spec: HMAC_256\n",
			":2: key " + id + ": ValidationException: You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys."},
		{"short symmetric material", "keys:\n  - id: " + id + "\n    material: " + short + "\n",
			":2: key " + id + ": material version 1 (line 3): the material of a SYMMETRIC_DEFAULT key is 32 bytes"},
		{"material of another spec", "keys:\n  - id: " + id + "\n    spec: RSA_2048\n    usage: SIGN_VERIFY\n    material: |\n" + ecPEM + "\n",
			":2: key " + id + ": material version 1 (line 5): the material is not a RSA_2048 private key"},
		{"reserved tag", "keys:\n  - id: " + id + "\n    tags: {'aws:x': y}\n",
			":2: key " + id + ": TagException: Tags beginning with aws: are reserved"},
		{"bad policy", "keys:\n  - id: " + id + "\n    policy: '{\"Version\": \"2012-10-17\"'\n",
			":2: key " + id + ": MalformedPolicyDocumentException"},
		{"rotation of an HMAC key", "keys:\n  - id: " + id + "\n    spec: HMAC_256\n    usage: GENERATE_VERIFY_MAC\n    rotation: {enabled: true}\n",
			":2: key " + id + ": rotation: only symmetric encryption keys with AWS_KMS material rotate automatically"},
		{"rotation period", "keys:\n  - id: " + id + "\n    rotation: {periodInDays: 10}\n",
			":2: key " + id + ": ValidationException: 1 validation error detected: Value '10' at 'rotationPeriodInDays'"},
		{"two materials of a key pair", "keys:\n  - id: " + id + "\n    spec: HMAC_256\n    usage: GENERATE_VERIFY_MAC\n    material: [" + aes + ", " + aes + "]\n",
			":2: key " + id + ": only symmetric encryption keys have more than one material version"},
		{"upper-case key ID", "keys:\n  - id: " + strings.ToUpper(id) + "\n",
			":2: key: id \"" + strings.ToUpper(id) + "\" is not a key ID"},
		{"key twice", "keys:\n  - id: " + id + "\n  - id: " + id + "\n", ":3: key " + id + ": the key ID is given twice"},
		{"bad account", "account: '1234'\nkeys: []\n", `:1: account: "1234" is not a 12-digit AWS account ID`},
		{"bad region", "region: mars\nkeys: []\n", `:1: region: "mars" is not an AWS Region name`},
		{"alias without prefix", "keys:\n  - id: " + id + "\n    aliases: [app]\n",
			":3: alias app: ValidationException: Alias must start with the prefix \"alias/\"."},
		{"alias of a missing key", "aliases:\n  - {name: alias/x, target: " + id2 + "}\n",
			":2: alias alias/x: the target key " + id2 + " is neither in the seed file nor in the store"},
		{"alias for two keys", "keys:\n  - id: " + id + "\n    aliases: [alias/x]\n  - id: " + id2 + "\n    aliases: [alias/x]\n",
			":5: alias alias/x: the alias is given twice, for keys " + id + " and " + id2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeSeed(t, tt.seed)
			err := openWithSeed(t, t.TempDir(), path)
			if err == nil {
				t.Fatal("the node started")
			}
			if want := "seed: " + path + tt.want; !strings.HasPrefix(err.Error(), want) {
				t.Fatalf("error\n %q\nwant prefix\n %q", err, want)
			}
			if strings.Contains(err.Error(), aes) || strings.Contains(err.Error(), short) {
				t.Fatal("the error quotes material")
			}
		})
	}
}

// TestRefusedSeedWritesNothing: a seed is checked whole before anything
// is written, so a bad key after good ones, or an alias that names
// another key than the seed says, leaves the store as it was.
func TestRefusedSeedWritesNothing(t *testing.T) {
	const first, second = "1234abcd-12ab-34cd-56ef-1234567890ab", "2234abcd-12ab-34cd-56ef-1234567890ab"
	dir := t.TempDir()
	if err := openWithSeed(t, dir, writeSeed(t, "keys:\n  - id: "+first+"\n    aliases: [alias/app]\n")); err != nil {
		t.Fatal(err)
	}
	bad := []string{
		// A good key, then a bad one.
		"keys:\n  - id: " + second + "\n    description: fine\n  - id: 3234abcd-12ab-34cd-56ef-1234567890ab\n    spec: NOPE\n",
		// A new key, and the existing alias pointed at it.
		"keys:\n  - id: " + second + "\n    aliases: [alias/app]\n",
	}
	wants := []string{"keySpec", "the alias exists and names key " + first + ", not key " + second}
	for i, seed := range bad {
		err := openWithSeed(t, dir, writeSeed(t, seed))
		if err == nil || !strings.Contains(err.Error(), wants[i]) {
			t.Fatalf("seed %d: %v, want an error about %q", i, err, wants[i])
		}
	}
	tn := startNodeWith(t, nodeOptions{dataDir: dir})
	c := tn.kms()
	keys := must[*kms.ListKeysOutput](t)(c.ListKeys(ctx, &kms.ListKeysInput{})).Keys
	if len(keys) != 1 || *keys[0].KeyId != first {
		t.Fatalf("keys after the refused seeds: %d, want only %s", len(keys), first)
	}
	md := must[*kms.DescribeKeyOutput](t)(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/app")})).KeyMetadata
	if *md.KeyId != first {
		t.Fatalf("alias/app names %s", *md.KeyId)
	}
	if n := seedRecords(tn); n["SeedKey"] != 1 || n["SeedAlias"] != 1 {
		t.Fatalf("seed records %v: only the first seed's", n)
	}
}

// TestSeedUnderRerunningStore: every store transaction of the seed may
// run again (a conflict, a group commit's rerun); with each Update run
// twice, the first attempt rolled back, each key and alias is still
// written once with one audit record.
func TestSeedUnderRerunningStore(t *testing.T) {
	s := newTrentSeed(t)
	tn := startNodeWith(t, nodeOptions{seedFile: writeSeed(t, s.text),
		wrapStore: func(st store.Store) store.Store { return storetest.Rerun(st) }})
	if n := seedRecords(tn); n["SeedKey"] != 7 || n["SeedAlias"] != 2 {
		t.Fatalf("seed records %v, want 7 SeedKey and 2 SeedAlias", n)
	}
	keys := must[*kms.ListKeysOutput](t)(tn.kms().ListKeys(ctx, &kms.ListKeysInput{})).Keys
	if len(keys) != 6 {
		t.Fatalf("%d keys in the default account, want 6", len(keys))
	}
}
