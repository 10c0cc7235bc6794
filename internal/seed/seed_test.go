package seed

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"strings"
	"testing"
	"time"
)

var defaults = Defaults{Account: "111122223333", Region: "us-east-1"}

// indent indents every line of s by n spaces, for a block scalar.
func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+pad)
}

func ecPEM(t *testing.T, sec1 bool) (string, []byte) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, typ := []byte(nil), "PRIVATE KEY"
	if sec1 {
		der, err = x509.MarshalECPrivateKey(k)
		typ = "EC PRIVATE KEY"
	} else {
		der, err = x509.MarshalPKCS8PrivateKey(k)
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})), der
}

func TestTrentFormatSingleAccount(t *testing.T) {
	aes := bytes.Repeat([]byte{7}, 32)
	aesOld := bytes.Repeat([]byte{6}, 32)
	pemText, der := ecPEM(t, false)
	src := `
region: eu-west-1
keys:
  - id: 1234abcd-12ab-34cd-56ef-1234567890ab
    description: app data
    material: [` + base64.StdEncoding.EncodeToString(aesOld) + `, ` + base64.StdEncoding.EncodeToString(aes) + `]
    tags: {team: payments, env: dev}
    rotation: {periodInDays: 180}
    aliases: [alias/app, alias/app-data]
    policy:
      Version: "2012-10-17"
      Statement:
        - {Effect: Allow, Principal: {AWS: "arn:aws:iam::111122223333:root"}, Action: "kms:*", Resource: "*"}
  - id: 0b6e0d3c-5f7c-4e35-9d3e-7b0a6f1c2d4e
    spec: ECC_NIST_P256
    usage: SIGN_VERIFY
    enabled: false
    material: |
` + indent(pemText, 6) + `
aliases:
  - {name: alias/signer, target: 0b6e0d3c-5f7c-4e35-9d3e-7b0a6f1c2d4e}
`
	f, err := Parse("seed.yaml", []byte(src), defaults)
	if err != nil {
		t.Fatal(err)
	}
	if f.Format != FormatTrent || len(f.Sets) != 1 {
		t.Fatalf("format %s, %d sets", f.Format, len(f.Sets))
	}
	s := f.Sets[0]
	if s.Account != "111122223333" || s.Region != "eu-west-1" {
		t.Fatalf("account %s region %s: the default account and the file's Region", s.Account, s.Region)
	}
	k := s.Keys[0]
	if k.ID != "1234abcd-12ab-34cd-56ef-1234567890ab" || *k.Description != "app data" || k.Pos.Line != 4 {
		t.Fatalf("key %+v", k)
	}
	if len(k.Materials) != 2 || !bytes.Equal(k.Materials[0].Bytes.Reveal(), aesOld) || !bytes.Equal(k.Materials[1].Bytes.Reveal(), aes) {
		t.Fatal("the material versions are not the file's, oldest first")
	}
	if len(k.Tags) != 2 || k.Tags[0] != (Tag{"env", "dev"}) || k.Tags[1] != (Tag{"team", "payments"}) {
		t.Fatalf("tags %+v", k.Tags)
	}
	if k.Rotation == nil || !k.Rotation.Enabled || *k.Rotation.PeriodInDays != 180 {
		t.Fatalf("rotation %+v: given without enabled, it is on", k.Rotation)
	}
	if k.Policy == nil || !strings.HasPrefix(*k.Policy, `{"Statement":[{"Action":"kms:*"`) {
		t.Fatalf("policy written as a mapping becomes JSON: %v", k.Policy)
	}
	pair := s.Keys[1]
	if pair.Spec != "ECC_NIST_P256" || pair.Usage != "SIGN_VERIFY" || *pair.Enabled || !bytes.Equal(pair.Materials[0].Bytes.Reveal(), der) {
		t.Fatalf("the ECC key is not as written: %+v", pair)
	}
	want := []Alias{
		{Name: "alias/app", Target: k.ID}, {Name: "alias/app-data", Target: k.ID},
		{Name: "alias/signer", Target: pair.ID},
	}
	if len(s.Aliases) != len(want) {
		t.Fatalf("aliases %+v", s.Aliases)
	}
	for i, a := range s.Aliases {
		if a.Name != want[i].Name || a.Target != want[i].Target {
			t.Fatalf("alias %d: %+v, want %+v", i, a, want[i])
		}
	}
}

func TestTrentFormatAccounts(t *testing.T) {
	src := `
accounts:
  - account: "444455556666"
    keys: [{id: 1234abcd-12ab-34cd-56ef-1234567890ab}]
  - account: 777788889999
    region: ap-southeast-2
    keys: [{id: 1234abcd-12ab-34cd-56ef-1234567890ab, spec: HMAC_256, usage: GENERATE_VERIFY_MAC}]
`
	f, err := Parse("s.yaml", []byte(src), defaults)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Sets) != 2 || f.Sets[0].Account != "444455556666" || f.Sets[0].Region != "us-east-1" ||
		f.Sets[1].Account != "777788889999" || f.Sets[1].Region != "ap-southeast-2" {
		t.Fatalf("sets %+v", f.Sets)
	}
	if k := f.Sets[1].Keys[0]; k.Spec != "HMAC_256" || len(k.Materials) != 0 {
		t.Fatalf("key %+v", k)
	}
}

// localKMSReadme is a seed shaped like the examples of local-kms's README:
// AES keys (one rotated, one with a rotation date, EXTERNAL ones with and
// without material), an ECC key in SEC1 PEM and aliases.
func localKMSReadme(ecc string) string {
	return `Keys:
  Symmetric:
    Aes:
      - Metadata:
          KeyId: bc436485-5092-42b8-92a3-0aa8b93536dc
        BackingKeys:
          - 34743777217A25432A46294A404E635266556A586E3272357538782F413F4428
          - 614E645267556B58703273357638792F423F4528472B4B6250655368566D5971
      - Metadata:
          KeyId: 49c5492b-b1bc-42a8-9a5c-b2015e810c1c
          Description: "Your key description"
        NextKeyRotation: "2019-09-12T15:19:21+00:00"
        BackingKeys:
          - 5cdaead27fe7da2de47945d73cd6d79e36494e73802f3cd3869f1d2cb0b5d7a9
      - Metadata:
          KeyId: 5ef77041-d1e6-4af1-9a41-e49a4b45efb6
          Origin: EXTERNAL
        BackingKeys:
          - b200b324de29609558e13780160e38fc193f6bec9f9dba58a2be5b37d5098d74
      - Metadata:
          KeyId: 5d05267f-bb87-4d0b-8594-295a4371d414
          Origin: EXTERNAL
  Asymmetric:
    Ecc:
      - Metadata:
          KeyId: 800d5768-3fd7-4edd-a4b8-4c81c3e4c147
          KeyUsage: SIGN_VERIFY
          Description: ECC key with curve secp256r1
        PrivateKeyPem: |
` + indent(ecc, 10) + `

Aliases:
  - AliasName: alias/dev
    TargetKeyId: bc436485-5092-42b8-92a3-0aa8b93536dc
  - AliasName: alias/test
    TargetKeyId: 49c5492b-b1bc-42a8-9a5c-b2015e810c1c
`
}

func TestLocalKMSFormat(t *testing.T) {
	pemText, der := ecPEM(t, true)
	f, err := Parse("seed.yaml", []byte(localKMSReadme(pemText)), defaults)
	if err != nil {
		t.Fatal(err)
	}
	if f.Format != FormatLocalKMS || len(f.Sets) != 1 {
		t.Fatalf("format %s", f.Format)
	}
	s := f.Sets[0]
	if s.Account != defaults.Account || s.Region != defaults.Region || len(s.Keys) != 5 || len(s.Aliases) != 2 {
		t.Fatalf("set %+v", s)
	}
	rotated := s.Keys[0]
	first, _ := hex.DecodeString("34743777217A25432A46294A404E635266556A586E3272357538782F413F4428")
	if rotated.Spec != "SYMMETRIC_DEFAULT" || len(rotated.Materials) != 2 || !bytes.Equal(rotated.Materials[0].Bytes.Reveal(), first) {
		t.Fatal("the backing keys are not the material versions, oldest first")
	}
	dated := s.Keys[1]
	if dated.Rotation == nil || !dated.Rotation.Next.Equal(time.Date(2019, 9, 12, 15, 19, 21, 0, time.UTC)) || *dated.Description != "Your key description" {
		t.Fatalf("NextKeyRotation: %+v", dated.Rotation)
	}
	if s.Keys[2].Origin != "EXTERNAL" || len(s.Keys[2].Materials) != 1 || len(s.Keys[3].Materials) != 0 {
		t.Fatal("EXTERNAL keys")
	}
	ecc := s.Keys[4]
	if ecc.Usage != "SIGN_VERIFY" || ecc.Spec != "" || !bytes.Equal(ecc.Materials[0].Bytes.Reveal(), der) {
		t.Fatalf("ECC key %+v: its spec is left to the material", ecc)
	}
	if s.Aliases[1].Name != "alias/test" || s.Aliases[1].Target != dated.ID {
		t.Fatalf("aliases %+v", s.Aliases)
	}
}

func TestLocalKMSExtensionsAndLegacyForm(t *testing.T) {
	src := `Account: "444455556666"
Region: eu-west-2
Keys:
  - Metadata: {KeyId: bc436485-5092-42b8-92a3-0aa8b93536dc}
    BackingKeys: [5cdaead27fe7da2de47945d73cd6d79e36494e73802f3cd3869f1d2cb0b5d7a9]
`
	f, err := Parse("seed.yaml", []byte(src), defaults)
	if err != nil {
		t.Fatal(err)
	}
	s := f.Sets[0]
	if s.Account != "444455556666" || s.Region != "eu-west-2" || len(s.Keys) != 1 || s.Keys[0].Spec != "SYMMETRIC_DEFAULT" {
		t.Fatalf("set %+v", s)
	}
}

// TestParseErrors: each bad file is refused with an error that names the
// file, the line and the reason, and never quotes material.
func TestParseErrors(t *testing.T) {
	secretB64 := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	tests := []struct{ name, src, want string }{
		{"unknown key field", "keys:\n  - id: 1234abcd-12ab-34cd-56ef-1234567890ab\n    specc: HMAC_256\n",
			`seed.yaml:3: unknown field "specc" in a key`},
		{"unknown top field", "kees: []\n", `seed.yaml:1: unknown field "kees" in the seed file`},
		{"field twice", "keys:\n  - id: a\n    id: b\n", `seed.yaml:3: field "id" given twice in a key`},
		{"id missing", "keys:\n  - spec: HMAC_256\n", "seed.yaml:2: id is required"},
		{"bad base64", "keys:\n  - id: x\n    material: '%%%" + secretB64[:8] + "'\n",
			"seed.yaml:3: material is neither a PEM private key nor standard base64"},
		{"wrong type", "keys:\n  - id: x\n    enabled: yes please\n", "seed.yaml:3: enabled must be true or false"},
		{"period not a number", "keys:\n  - id: x\n    rotation: {periodInDays: soon}\n", "seed.yaml:3: rotation.periodInDays must be a whole number"},
		{"tags as a list", "keys:\n  - id: x\n    tags: [a, b]\n", "seed.yaml:3: tags must be a mapping"},
		{"accounts and keys", "accounts: []\nkeys: []\n", "seed.yaml:2: keys cannot be given at the top level next to accounts"},
		{"unknown account field", "accounts:\n  - acount: '111122223333'\n", `seed.yaml:2: unknown field "acount" in an entry of accounts`},
		{"alias without target", "aliases:\n  - name: alias/x\n", "seed.yaml:2: target is required"},
		{"empty", "", "seed.yaml: the seed file is empty"},
		{"two documents", "keys: []\n---\nkeys: []\n", "seed.yaml: a seed file holds one YAML document"},
		{"not a mapping", "- a\n- b\n", "seed.yaml:1: a seed file is a mapping"},
		{"local-kms unknown field", "Keys:\n  Symmetric:\n    Aes:\n      - Metadata: {KeyId: x}\n        BackingKey: [aa]\n",
			`seed.yaml:5: unknown field "BackingKey" in an Aes key`},
		{"local-kms short backing key", "Keys:\n  Symmetric:\n    Aes:\n      - Metadata: {KeyId: x}\n        BackingKeys: [abcd]\n",
			"seed.yaml:5: a backing key must be exactly 32 bytes (64 hex digits), not 2 bytes"},
		{"local-kms backing key not hex", "Keys:\n  Symmetric:\n    Aes:\n      - Metadata: {KeyId: x}\n        BackingKeys: [zz]\n",
			"seed.yaml:5: a backing key must be hex encoded"},
		{"local-kms no backing key", "Keys:\n  Symmetric:\n    Aes:\n      - Metadata: {KeyId: x}\n",
			"seed.yaml:4: key x: BackingKeys needs at least one backing key"},
		{"local-kms two external backing keys", "Keys:\n  Symmetric:\n    Aes:\n      - Metadata: {KeyId: x, Origin: EXTERNAL}\n        BackingKeys:\n          - " +
			strings.Repeat("ab", 32) + "\n          - " + strings.Repeat("cd", 32) + "\n",
			"seed.yaml:6: key x: an EXTERNAL key has at most one backing key"},
		{"local-kms pair without usage", "Keys:\n  Asymmetric:\n    Rsa:\n      - Metadata: {KeyId: x}\n        PrivateKeyPem: abc\n",
			"seed.yaml:4: key x: Metadata.KeyUsage is required"},
		{"local-kms PEM without key", "Keys:\n  Asymmetric:\n    Ecc:\n      - Metadata: {KeyId: x, KeyUsage: SIGN_VERIFY}\n        PrivateKeyPem: abc\n",
			"seed.yaml:5: PrivateKeyPem holds no PEM private key block"},
		{"local-kms bad date", "Keys:\n  Symmetric:\n    Aes:\n      - Metadata: {KeyId: x}\n        BackingKeys: [" + strings.Repeat("ab", 32) + "]\n        NextKeyRotation: next week\n",
			"seed.yaml:6: NextKeyRotation must be an ISO 8601 date"},
		{"encrypted PEM", "keys:\n  - id: x\n    material: |\n      -----BEGIN ENCRYPTED PRIVATE KEY-----\n      AAAA\n      -----END ENCRYPTED PRIVATE KEY-----\n",
			"seed.yaml:3: material is an encrypted private key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("seed.yaml", []byte(tt.src), defaults)
			if err == nil {
				t.Fatalf("parsed: %+v", f)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("error %q\nwant prefix %q", err, tt.want)
			}
			if strings.Contains(err.Error(), secretB64[:8]) {
				t.Fatalf("the error quotes material: %q", err)
			}
		})
	}
}
