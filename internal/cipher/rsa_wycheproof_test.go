package cipher

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"testing"
)

// Wycheproof known answers for RSA. Only groups with AWS's parameters
// apply (OAEP: MGF1 over the same hash, SHA-1 or SHA-256, empty label;
// PSS: MGF1 over the same hash, salt as long as the digest; SHA-256/384/512);
// the others are skipped and counted. "acceptable" vectors: see each test.

// rsaTally counts what a file's vectors did. saltRefused counts the PSS
// vectors skipped as known answers for their salt length but checked to be
// refused.
type rsaTally struct{ passed, refused, skipped, saltRefused int }

func (c *rsaTally) log(t *testing.T, name string) {
	t.Helper()
	t.Logf("%s: %d passed, %d refused, %d skipped", name, c.passed, c.refused, c.skipped)
	if c.saltRefused > 0 {
		t.Logf("%s: the %d skipped for their salt length are all refused", name, c.saltRefused)
	}
	if c.passed+c.saltRefused == 0 {
		t.Errorf("%s: no vector ran", name)
	}
}

var rsaWycheproofHash = map[string]crypto.Hash{
	"SHA-1": crypto.SHA1, "SHA-256": crypto.SHA256, "SHA-384": crypto.SHA384, "SHA-512": crypto.SHA512,
}

func rsaKindOfSize(bits int) Kind {
	for k, b := range rsaBits {
		if b == bits {
			return k
		}
	}
	return ""
}

// rsaWycheproofPublic reads a group's DER SubjectPublicKeyInfo.
func rsaWycheproofPublic(t *testing.T, der []byte, bits int) *rsa.PublicKey {
	t.Helper()
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatalf("public key: %v", err)
	}
	rpub, ok := pub.(*rsa.PublicKey)
	if !ok || rpub.N.BitLen() != bits {
		t.Fatalf("public key is not RSA-%d", bits)
	}
	return rpub
}

// --- RSAES-OAEP decryption ---

type rsaOAEPGroup struct {
	KeySize         int      `json:"keySize"`
	SHA             string   `json:"sha"`
	MGF             string   `json:"mgf"`
	MGFSHA          string   `json:"mgfSha"`
	PrivateKeyPkcs8 hexBytes `json:"privateKeyPkcs8"`
	Tests           []struct {
		wycheproofCase
		Msg   hexBytes `json:"msg"`
		CT    hexBytes `json:"ct"`
		Label hexBytes `json:"label"`
	} `json:"tests"`
}

var rsaOAEPFiles = []struct {
	name string
	kind Kind
}{
	{"rsa_oaep_2048_sha1_mgf1sha1_test", KindRSA2048},
	{"rsa_oaep_2048_sha256_mgf1sha256_test", KindRSA2048},
	{"rsa_oaep_3072_sha256_mgf1sha256_test", KindRSA3072},
	{"rsa_oaep_4096_sha256_mgf1sha256_test", KindRSA4096},
}

// TestRSAWycheproofOAEP: valid vectors decrypt to msg, invalid ones give
// ErrDecrypt. The files hold no "acceptable" vectors. Vectors with a
// label are skipped: AWS's OAEP has an empty label.
func TestRSAWycheproofOAEP(t *testing.T) {
	for _, f := range rsaOAEPFiles {
		t.Run(f.name, func(t *testing.T) {
			var c rsaTally
			for _, g := range loadWycheproof[rsaOAEPGroup](t, f.name) {
				h, ok := rsaWycheproofHash[g.SHA]
				if !ok || g.MGF != "MGF1" || g.MGFSHA != g.SHA || !rsaOAEPHashOK(h) || g.KeySize != rsaBits[f.kind] {
					c.skipped += len(g.Tests)
					continue
				}
				k, err := Parse(f.kind, g.PrivateKeyPkcs8)
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				key := k.(*RSAKey)
				for _, tc := range g.Tests {
					if len(tc.Label) != 0 {
						c.skipped++
						continue
					}
					pt, err := key.DecryptOAEP(h, tc.CT)
					switch {
					case tc.Valid() && (err != nil || !bytes.Equal(pt.Reveal(), tc.Msg)):
						t.Errorf("tcId %d (%s): valid vector: %v", tc.TcID, tc.Comment, err)
					case tc.Invalid() && err != ErrDecrypt:
						t.Errorf("tcId %d (%s): invalid vector: err = %v, want ErrDecrypt", tc.TcID, tc.Comment, err)
					case err == nil:
						c.passed++
					default:
						c.refused++
					}
				}
			}
			c.log(t, f.name)
		})
	}
}

// --- RSASSA-PSS verification ---

type rsaPSSGroup struct {
	KeySize      int      `json:"keySize"`
	SHA          string   `json:"sha"`
	MGF          string   `json:"mgf"`
	MGFSHA       string   `json:"mgfSha"`
	SLen         int      `json:"sLen"`
	PublicKeyDer hexBytes `json:"publicKeyDer"`
	Tests        []struct {
		wycheproofCase
		Msg hexBytes `json:"msg"`
		Sig hexBytes `json:"sig"`
	} `json:"tests"`
}

// rsaPSSFiles are the rsa_pss_{2048,3072,4096}_sha{256,384,512}_mgf1_* files
// of the vector module that exist (no others of that pattern do).
// 4096_sha512_mgf1_32 has a salt shorter than the digest: its groups are
// skipped as known answers but every one of its signatures, valid or not,
// must be refused, for AWS's salt length is fixed.
var rsaPSSFiles = []string{
	"rsa_pss_2048_sha256_mgf1_32_test",
	"rsa_pss_2048_sha384_mgf1_48_test",
	"rsa_pss_3072_sha256_mgf1_32_test",
	"rsa_pss_4096_sha256_mgf1_32_test",
	"rsa_pss_4096_sha384_mgf1_48_test",
	"rsa_pss_4096_sha512_mgf1_32_test",
	"rsa_pss_4096_sha512_mgf1_64_test",
}

// TestRSAWycheproofPSS verifies each vector as RAW and as DIGEST. The
// files hold no "acceptable" vectors.
func TestRSAWycheproofPSS(t *testing.T) {
	for _, name := range rsaPSSFiles {
		t.Run(name, func(t *testing.T) {
			var c rsaTally
			for _, g := range loadWycheproof[rsaPSSGroup](t, name) {
				h, ok := rsaWycheproofHash[g.SHA]
				pub := rsaWycheproofPublic(t, g.PublicKeyDer, g.KeySize)
				if !ok || h == crypto.SHA1 || g.MGF != "MGF1" || g.MGFSHA != g.SHA || rsaKindOfSize(g.KeySize) == "" {
					c.skipped += len(g.Tests)
					continue
				}
				raw := SignOptions{Hash: h, PSS: true, Input: InputRaw}
				dig := SignOptions{Hash: h, PSS: true, Input: InputDigest}
				if g.SLen != h.Size() {
					for _, tc := range g.Tests {
						if rsaVerify(pub, tc.Msg, tc.Sig, raw) {
							t.Errorf("tcId %d: a %d-byte salt verifies under %v", tc.TcID, g.SLen, h)
						}
					}
					c.saltRefused += len(g.Tests)
					c.skipped += len(g.Tests)
					continue
				}
				for _, tc := range g.Tests {
					okRaw := rsaVerify(pub, tc.Msg, tc.Sig, raw)
					okDig := rsaVerify(pub, rsaDigestOf(h, tc.Msg), tc.Sig, dig)
					switch {
					case okRaw != okDig:
						t.Errorf("tcId %d (%s): RAW says %v, DIGEST %v", tc.TcID, tc.Comment, okRaw, okDig)
					case tc.Valid() && !okRaw:
						t.Errorf("tcId %d (%s): valid signature refused", tc.TcID, tc.Comment)
					case tc.Invalid() && okRaw:
						t.Errorf("tcId %d (%s) %v: invalid signature accepted", tc.TcID, tc.Comment, tc.Flags)
					case okRaw:
						c.passed++
					default:
						c.refused++
					}
				}
			}
			c.log(t, name)
		})
	}
}

// --- RSASSA-PKCS1-v1_5 verification ---

type rsaPKCS1Group struct {
	KeySize      int      `json:"keySize"`
	SHA          string   `json:"sha"`
	PublicKeyDer hexBytes `json:"publicKeyDer"`
	Tests        []struct {
		wycheproofCase
		Msg hexBytes `json:"msg"`
		Sig hexBytes `json:"sig"`
	} `json:"tests"`
}

var rsaPKCS1Files = []string{
	"rsa_signature_2048_sha256_test", "rsa_signature_2048_sha384_test", "rsa_signature_2048_sha512_test",
	"rsa_signature_3072_sha256_test", "rsa_signature_3072_sha384_test", "rsa_signature_3072_sha512_test",
	"rsa_signature_4096_sha256_test", "rsa_signature_4096_sha384_test", "rsa_signature_4096_sha512_test",
}

// TestRSAWycheproofPKCS1Verify verifies each vector as RAW and as DIGEST.
// The "acceptable" vectors (MissingNull: a DigestInfo without the NULL
// parameters) are refused, and the test holds to that: crypto/rsa compares
// against the one DER encoding, as AWS's RSASSA_PKCS1_V1_5 does.
func TestRSAWycheproofPKCS1Verify(t *testing.T) {
	for _, name := range rsaPKCS1Files {
		t.Run(name, func(t *testing.T) {
			var c rsaTally
			for _, g := range loadWycheproof[rsaPKCS1Group](t, name) {
				h, ok := rsaWycheproofHash[g.SHA]
				if !ok || h == crypto.SHA1 || rsaKindOfSize(g.KeySize) == "" {
					c.skipped += len(g.Tests)
					continue
				}
				pub := rsaWycheproofPublic(t, g.PublicKeyDer, g.KeySize)
				raw := SignOptions{Hash: h, Input: InputRaw}
				dig := SignOptions{Hash: h, Input: InputDigest}
				for _, tc := range g.Tests {
					okRaw := rsaVerify(pub, tc.Msg, tc.Sig, raw)
					okDig := rsaVerify(pub, rsaDigestOf(h, tc.Msg), tc.Sig, dig)
					switch {
					case okRaw != okDig:
						t.Errorf("tcId %d (%s): RAW says %v, DIGEST %v", tc.TcID, tc.Comment, okRaw, okDig)
					case tc.Valid() && !okRaw:
						t.Errorf("tcId %d (%s): valid signature refused", tc.TcID, tc.Comment)
					case !tc.Valid() && okRaw:
						t.Errorf("tcId %d (%s) %v: %s signature accepted", tc.TcID, tc.Comment, tc.Flags, tc.Result)
					case okRaw:
						c.passed++
					default:
						c.refused++
					}
				}
			}
			c.log(t, name)
		})
	}
}

// --- RSASSA-PKCS1-v1_5 signing (deterministic, so known answers) ---

type rsaSigGenGroup struct {
	KeySize         int      `json:"keySize"`
	SHA             string   `json:"sha"`
	PrivateKeyPkcs8 hexBytes `json:"privateKeyPkcs8"`
	Tests           []struct {
		wycheproofCase
		Msg hexBytes `json:"msg"`
		Sig hexBytes `json:"sig"`
	} `json:"tests"`
}

// TestRSAWycheproofPKCS1Sign signs each message with the group's key,
// parsed by Parse, and wants the file's signature byte for byte. The
// "acceptable" groups have e = 3 keys (SmallPublicKey): Parse takes them,
// as crypto/rsa does outside FIPS mode, and they must match too.
func TestRSAWycheproofPKCS1Sign(t *testing.T) {
	for _, name := range []string{"rsa_pkcs1_2048_sig_gen_test", "rsa_pkcs1_3072_sig_gen_test", "rsa_pkcs1_4096_sig_gen_test"} {
		t.Run(name, func(t *testing.T) {
			var c rsaTally
			for _, g := range loadWycheproof[rsaSigGenGroup](t, name) {
				h, ok := rsaWycheproofHash[g.SHA]
				kind := rsaKindOfSize(g.KeySize)
				if !ok || h == crypto.SHA1 || kind == "" {
					c.skipped += len(g.Tests)
					continue
				}
				k, err := Parse(kind, g.PrivateKeyPkcs8)
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				key := k.(*RSAKey)
				for _, tc := range g.Tests {
					if tc.Invalid() {
						t.Fatalf("tcId %d: an invalid signing vector", tc.TcID)
					}
					sig, err := key.Sign(nil, tc.Msg, SignOptions{Hash: h, Input: InputRaw})
					if err != nil || !bytes.Equal(sig, tc.Sig) {
						t.Errorf("tcId %d (%s): signature differs (err %v)", tc.TcID, tc.Comment, err)
						continue
					}
					sig, err = key.Sign(nil, rsaDigestOf(h, tc.Msg), SignOptions{Hash: h, Input: InputDigest})
					if err != nil || !bytes.Equal(sig, tc.Sig) {
						t.Errorf("tcId %d (%s): DIGEST signature differs (err %v)", tc.TcID, tc.Comment, err)
						continue
					}
					c.passed++
				}
			}
			c.log(t, name)
		})
	}
}
