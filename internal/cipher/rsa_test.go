package cipher

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Every helper and test of this file carries "rsa" in its name: the other
// kinds' tests share the package.

var rsaKinds = []Kind{KindRSA2048, KindRSA3072, KindRSA4096}

// RSA key generation takes up to seconds (more under -race), so the tests
// generate one key per kind, once, and share it.
var (
	rsaKeysOnce [3]sync.Once
	rsaKeys     [3]*RSAKey
	rsaKeyErrs  [3]error
)

func rsaTestKey(t testing.TB, kind Kind) *RSAKey {
	t.Helper()
	i := slices.Index(rsaKinds, kind)
	rsaKeysOnce[i].Do(func() {
		k, err := Generate(kind, nil)
		if err != nil {
			rsaKeyErrs[i] = err
			return
		}
		rsaKeys[i] = k.(*RSAKey)
	})
	if rsaKeyErrs[i] != nil {
		t.Fatalf("Generate(%s): %v", kind, rsaKeyErrs[i])
	}
	return rsaKeys[i]
}

// rsaStdPublic is the key's public half as crypto/x509 reads PublicKeyDER,
// for the cross-checks.
func rsaStdPublic(t testing.TB, k *RSAKey) *rsa.PublicKey {
	t.Helper()
	pub, err := x509.ParsePKIXPublicKey(k.PublicKeyDER())
	if err != nil {
		t.Fatalf("ParsePKIXPublicKey: %v", err)
	}
	rpub, ok := pub.(*rsa.PublicKey)
	if !ok {
		t.Fatalf("PublicKeyDER holds %T", pub)
	}
	return rpub
}

// rsaStdPrivate is the key's Material as crypto/x509 reads it.
func rsaStdPrivate(t testing.TB, k *RSAKey) *rsa.PrivateKey {
	t.Helper()
	m, err := k.Material()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Wipe()
	priv, err := x509.ParsePKCS8PrivateKey(m.Reveal())
	if err != nil {
		t.Fatalf("ParsePKCS8PrivateKey(Material): %v", err)
	}
	return priv.(*rsa.PrivateKey)
}

func TestRSAKindsRegistered(t *testing.T) {
	for _, kind := range rsaKinds {
		if !slices.Contains(Kinds(), kind) {
			t.Errorf("%s not registered", kind)
		}
	}
}

func TestRSAGenerateMaterialParse(t *testing.T) {
	for _, kind := range rsaKinds {
		t.Run(string(kind), func(t *testing.T) {
			k := rsaTestKey(t, kind)
			if k.Kind() != kind || k.priv.N.BitLen() != rsaBits[kind] || k.priv.E != 65537 {
				t.Fatalf("generated %s key: kind %s, %d bits, e=%d", kind, k.Kind(), k.priv.N.BitLen(), k.priv.E)
			}
			m, err := k.Material()
			if err != nil {
				t.Fatal(err)
			}
			saved := bytes.Clone(m.Reveal())
			parsed, err := Parse(kind, m.Reveal())
			if err != nil {
				t.Fatalf("Parse(Material): %v", err)
			}
			// Parse must not keep the caller's bytes.
			m.Wipe()
			m2, err := parsed.Material()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(m2.Reveal(), saved) {
				t.Fatal("Material after Parse differs")
			}
			// Each Material is a fresh copy: wiping one leaves the key whole.
			m2.Wipe()
			if m3, _ := parsed.Material(); !bytes.Equal(m3.Reveal(), saved) {
				t.Fatal("wiping a Material changed the key")
			}
			pk := parsed.(*RSAKey)
			if !bytes.Equal(pk.PublicKeyDER(), k.PublicKeyDER()) {
				t.Fatal("PublicKeyDER differs after Parse")
			}
			// Material is what crypto/x509 writes for the key.
			std, err := x509.MarshalPKCS8PrivateKey(rsaStdPrivate(t, k))
			if err != nil || !bytes.Equal(std, saved) {
				t.Fatalf("Material is not x509's PKCS#8 (err %v)", err)
			}
		})
	}
}

func TestRSAPublicKeyDER(t *testing.T) {
	for _, kind := range rsaKinds {
		k := rsaTestKey(t, kind)
		want, err := x509.MarshalPKIXPublicKey(&rsaStdPrivate(t, k).PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		der := k.PublicKeyDER()
		if !bytes.Equal(der, want) {
			t.Fatalf("%s: PublicKeyDER is not x509's SubjectPublicKeyInfo", kind)
		}
		if !rsaStdPublic(t, k).Equal(&k.priv.PublicKey) {
			t.Fatalf("%s: PublicKeyDER holds another key", kind)
		}
		der[len(der)-1] ^= 1
		if bytes.Equal(k.PublicKeyDER(), der) {
			t.Fatalf("%s: changing PublicKeyDER's result changed the key", kind)
		}
	}
}

func TestRSAParseRejects(t *testing.T) {
	material := map[Kind][]byte{}
	for _, kind := range rsaKinds {
		m, err := rsaTestKey(t, kind).Material()
		if err != nil {
			t.Fatal(err)
		}
		material[kind] = m.Reveal()
	}
	m2048 := material[KindRSA2048]

	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, _ := x509.MarshalPKCS8PrivateKey(ecKey)
	_, edKey, _ := ed25519.GenerateKey(nil)
	edDER, _ := x509.MarshalPKCS8PrivateKey(edKey)
	std := rsaStdPrivate(t, rsaTestKey(t, KindRSA2048))
	pkcs1 := x509.MarshalPKCS1PrivateKey(std)
	spki := rsaTestKey(t, KindRSA2048).PublicKeyDER()
	// A three-prime 2048-bit key in PKCS#8, from Wycheproof.
	threePrimes := loadWycheproof[rsaOAEPGroup](t, "rsa_three_primes_oaep_2048_sha1_mgf1sha1_test")[0].PrivateKeyPkcs8
	// The last byte of PKCS#1 is in qInv: the CRT values no longer match.
	badCRT := bytes.Clone(m2048)
	badCRT[len(badCRT)-1] ^= 1

	bad := map[string][]byte{
		"nil":                nil,
		"empty":              {},
		"garbage":            []byte("not a key at all"),
		"one zero byte":      {0},
		"truncated":          m2048[:len(m2048)-1],
		"trailing byte":      append(bytes.Clone(m2048), 0),
		"trailing DER value": append(bytes.Clone(m2048), 0x05, 0x00),
		"PKCS#1 not PKCS#8":  pkcs1,
		"public key":         spki,
		"P-256 PKCS#8":       ecDER,
		"Ed25519 PKCS#8":     edDER,
		"three primes":       threePrimes,
		"inconsistent CRT":   badCRT,
	}
	for _, kind := range rsaKinds {
		cases := map[string][]byte{}
		for name, b := range bad {
			cases[name] = b
		}
		for _, other := range rsaKinds {
			if other != kind {
				cases[string(other)] = material[other]
			}
		}
		for name, b := range cases {
			k, err := Parse(kind, b)
			if !errors.Is(err, ErrMalformedMaterial) {
				t.Errorf("Parse(%s, %s) = %v, %v; want ErrMalformedMaterial", kind, name, k, err)
				continue
			}
			if len(b) >= 8 && strings.Contains(err.Error(), hex.EncodeToString(b[len(b)/2:len(b)/2+4])) {
				t.Errorf("Parse(%s, %s): error quotes the material", kind, name)
			}
		}
	}
}

// TestRSAParseOtherToolsPKCS8 parses the PKCS#8 keys of the Wycheproof
// files, made by other tools than Go, into each size.
func TestRSAParseOtherToolsPKCS8(t *testing.T) {
	for _, f := range rsaOAEPFiles {
		for _, g := range loadWycheproof[rsaOAEPGroup](t, f.name) {
			k, err := Parse(f.kind, g.PrivateKeyPkcs8)
			if err != nil {
				t.Fatalf("%s: Parse: %v", f.name, err)
			}
			m, _ := k.Material()
			if !bytes.Equal(m.Reveal(), g.PrivateKeyPkcs8) {
				t.Errorf("%s: Material does not reproduce the file's PKCS#8", f.name)
			}
		}
	}
}

func TestRSARedacted(t *testing.T) {
	k := rsaTestKey(t, KindRSA2048)
	secretHex := []string{
		hex.EncodeToString(k.priv.D.Bytes()[:8]),
		hex.EncodeToString(k.priv.Primes[0].Bytes()[:8]),
	}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%x", "%s", "%q"} {
		outs = append(outs, fmt.Sprintf(verb, k), fmt.Sprintf(verb, *k))
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("key", "key", k, "copy", *k)
	slog.New(slog.NewTextHandler(&logged, nil)).Info("key", "key", k)
	outs = append(outs, logged.String())
	j, err := json.Marshal(struct {
		K  *RSAKey
		C  RSAKey
		I  Key
		KS []Key
	}{k, *k, k, []Key{k}})
	if err != nil {
		t.Fatal(err)
	}
	outs = append(outs, string(j))
	for _, out := range outs {
		if !strings.Contains(out, "[REDACTED]") {
			t.Errorf("output %q is not redacted", out)
		}
		for _, h := range secretHex {
			if strings.Contains(strings.ToLower(out), h) {
				t.Errorf("output %q shows key bytes", out)
			}
		}
		if strings.Contains(out, k.priv.D.String()[:12]) {
			t.Errorf("output %q shows the private exponent", out)
		}
	}
}

// TestRSAConcurrentUse runs every operation on one key from several
// goroutines, for the race detector.
func TestRSAConcurrentUse(t *testing.T) {
	k := rsaTestKey(t, KindRSA2048)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			msg := []byte{byte(i)}
			o := SignOptions{Hash: rsaHashes[i%3], PSS: i%2 == 0}
			sig, err := k.Sign(nil, msg, o)
			if err != nil || !k.Verify(msg, sig, o) {
				t.Errorf("sign/verify: %v", err)
			}
			ct, err := k.EncryptOAEP(nil, rsaOAEPHashes[i%2], msg)
			if err != nil {
				t.Errorf("encrypt: %v", err)
				return
			}
			if pt, err := k.DecryptOAEP(rsaOAEPHashes[i%2], ct); err != nil || !bytes.Equal(pt.Reveal(), msg) {
				t.Errorf("decrypt: %v", err)
			}
			if _, err := k.Material(); err != nil {
				t.Error(err)
			}
			_ = k.PublicKeyDER()
		})
	}
	wg.Wait()
}
