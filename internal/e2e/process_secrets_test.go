package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/seal"
	"github.com/trent-kms/trent/internal/server"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/bolt"
)

// No plaintext reaches the disk or the log: not the data customers
// encrypt, not the data keys and random bytes Trent returns, not the key
// material, not the root key. The material is obtained independently of
// the server, by unsealing the records in its store with its root key file.

// canary is a secret and the names it could be written under.
type canary struct {
	what  string
	forms map[string][]byte
}

func newCanary(what string, secret []byte) canary {
	return canary{what: what, forms: map[string][]byte{
		"raw":        secret,
		"hex":        []byte(hex.EncodeToString(secret)),
		"HEX":        []byte(strings.ToUpper(hex.EncodeToString(secret))),
		"base64":     []byte(base64.RawStdEncoding.EncodeToString(secret)), // a prefix of the padded form
		"base64 URL": []byte(base64.RawURLEncoding.EncodeToString(secret)),
	}}
}

func secretBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestProcessNoPlaintextOnDisk(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// Debug logging writes a line per request: the most the log can say.
	p := serveTrent(t, dir, "--log-level", "debug")
	c := p.kms()
	var canaries []canary
	keyA := must[*kms.CreateKeyOutput](t)(c.CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata
	keyB := must[*kms.CreateKeyOutput](t)(c.CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata
	must[*kms.CreateAliasOutput](t)(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/secrets"), TargetKeyId: keyB.KeyId}))
	ec := map[string]string{"purpose": "canary"}
	for i := range 6 {
		plaintext := secretBytes(t, 32)
		canaries = append(canaries, newCanary(fmt.Sprintf("Encrypt plaintext %d", i), plaintext))
		keyID := keyA.KeyId
		if i%2 == 1 {
			keyID = aws.String("alias/secrets")
		}
		enc := must[*kms.EncryptOutput](t)(c.Encrypt(ctx, &kms.EncryptInput{KeyId: keyID, Plaintext: plaintext, EncryptionContext: ec}))
		must[*kms.DecryptOutput](t)(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec}))
		must[*kms.ReEncryptOutput](t)(c.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: ec, DestinationKeyId: keyB.KeyId}))
	}
	for i := range 4 {
		dk := must[*kms.GenerateDataKeyOutput](t)(c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: keyA.KeyId, KeySpec: types.DataKeySpecAes256}))
		canaries = append(canaries, newCanary(fmt.Sprintf("data key %d", i), dk.Plaintext))
		must[*kms.DecryptOutput](t)(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob}))
	}
	dk := must[*kms.GenerateDataKeyOutput](t)(c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: keyB.KeyId, NumberOfBytes: aws.Int32(64)}))
	canaries = append(canaries, newCanary("64-byte data key", dk.Plaintext))
	must[*kms.GenerateDataKeyWithoutPlaintextOutput](t)(c.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: keyA.KeyId, KeySpec: types.DataKeySpecAes256}))
	random := must[*kms.GenerateRandomOutput](t)(c.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(32)}))
	canaries = append(canaries, newCanary("GenerateRandom", random.Plaintext))
	// A second material version, if the rotation runs before the stop.
	must[*kms.RotateKeyOnDemandOutput](t)(c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: keyA.KeyId}))

	if code := p.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("SIGTERM: exit code %d; log:\n%s", code, p.log)
	}
	if msgs := p.log.messages(); msgs[len(msgs)-1] != "stopped" {
		t.Fatalf("last log line %q, want stopped", msgs[len(msgs)-1])
	}

	materials, sealed := unsealStoredMaterials(t, dir)
	if len(materials) < 2 {
		t.Fatalf("%d material records, want one per key at least", len(materials))
	}
	for name, m := range materials {
		canaries = append(canaries, newCanary("key material "+name, m))
	}
	canaries = append(canaries, newCanary("root key", rootKeyBytes(t, filepath.Join(dir, server.DevRootKeyFileName))))

	files := map[string][]byte{"server log": []byte(p.log.String())}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() == server.DevRootKeyFileName {
			continue // holds the root key, by design; the others must not
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	if len(files) < 3 {
		t.Fatalf("scanned %v: want the store, the audit log and the server log", keysOf(files))
	}
	// The scan can find things: the sealed material is in the store, in the
	// base64 of its JSON record.
	for name, s := range sealed {
		if !bytes.Contains(files[server.DataFileName], []byte(base64.StdEncoding.EncodeToString(s))) {
			t.Fatalf("sealed material %s is not found in %s: the scan does not see the store", name, server.DataFileName)
		}
	}
	if !bytes.Contains(files[audit.FileName], []byte(*keyA.Arn)) {
		t.Fatalf("the audit log does not name %s: the scan does not see it", *keyA.Arn)
	}
	for file, content := range files {
		for _, cn := range canaries {
			for form, b := range cn.forms {
				if bytes.Contains(content, b) {
					t.Errorf("%s (%s) found in %s", cn.what, form, file)
				}
			}
		}
	}
	t.Logf("%d secrets (%d key materials) in 5 encodings looked for in %v", len(canaries), len(materials), keysOf(files))
}

func keysOf(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// parseMaterialPath parses acct/<account>/<region>/material/<key-id>/<version>,
// the layout internal/kms/records.go documents.
func parseMaterialPath(k string) (account, region, keyID string, version uint64, ok bool) {
	parts := strings.Split(k, "/")
	if len(parts) != 6 || parts[0] != "acct" || parts[3] != "material" {
		return "", "", "", 0, false
	}
	if _, err := fmt.Sscanf(parts[5], "%x", &version); err != nil {
		return "", "", "", 0, false
	}
	return parts[1], parts[2], parts[4], version, true
}

// unsealStoredMaterials opens the stopped server's store and unseals every
// key material record with the root key file. It returns the materials and
// their sealed forms by record key.
func unsealStoredMaterials(t *testing.T, dir string) (materials, sealed map[string][]byte) {
	t.Helper()
	keyring, err := seal.LoadKeyFile(filepath.Join(dir, server.DevRootKeyFileName))
	if err != nil {
		t.Fatal(err)
	}
	st, err := bolt.Open(filepath.Join(dir, server.DataFileName), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var items []store.Item
	err = st.View(context.Background(), func(tx store.Tx) error {
		items, err = tx.Scan("acct/", "", 0)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	materials, sealed = map[string][]byte{}, map[string][]byte{}
	for _, item := range items {
		account, region, keyID, version, ok := parseMaterialPath(item.Key)
		if !ok {
			continue
		}
		// The record envelope {"format":1,"data":{...}} and keys.Material's
		// JSON names.
		var rec struct {
			Format int `json:"format"`
			Data   struct {
				Version uint32 `json:"version"`
				Sealed  []byte `json:"sealed"`
			} `json:"data"`
		}
		if err := json.Unmarshal(item.Value, &rec); err != nil || rec.Format != 1 || uint64(rec.Data.Version) != version {
			t.Fatalf("material record %s: format %d version %d: %v", item.Key, rec.Format, rec.Data.Version, err)
		}
		// materialAAD in internal/kms/materials.go: the key ARN and the
		// version in decimal, after a label, NUL-separated.
		arn := "arn:aws:kms:" + region + ":" + account + ":key/" + keyID
		aad := fmt.Appendf(nil, "trent key material v1\x00%s\x00%d", arn, version)
		plain, err := keyring.Unseal(rec.Data.Sealed, aad)
		if err != nil {
			t.Fatalf("unseal %s: %v", item.Key, err)
		}
		if plain.Len() != 32 {
			t.Fatalf("material %s is %d bytes, want 32", item.Key, plain.Len())
		}
		materials[item.Key] = bytes.Clone(plain.Reveal())
		sealed[item.Key] = rec.Data.Sealed
	}
	return materials, sealed
}

// rootKeyBytes reads the key out of a v1 root key file (header line, then
// the key in standard base64).
func rootKeyBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	key, err := base64.StdEncoding.DecodeString(lines[len(lines)-1])
	if err != nil || len(key) != 32 {
		t.Fatalf("root key file: %d bytes, %v", len(key), err)
	}
	return key
}
