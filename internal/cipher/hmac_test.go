package cipher

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"log/slog"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/randtest"
)

// hmacRef is each kind's hash and tag length, written out again here so
// that the tests do not trust hmac.go's table.
var hmacRef = []struct {
	kind       Kind
	newHash    func() hash.Hash
	size       int
	wycheproof string
	min, max   int // AWS's bounds on imported HMAC material (see hmacParams)
}{
	{KindHMAC224, sha256.New224, 28, "hmac_sha224_test", 28, 64},
	{KindHMAC256, sha256.New, 32, "hmac_sha256_test", 32, 64},
	{KindHMAC384, sha512.New384, 48, "hmac_sha384_test", 48, 128},
	{KindHMAC512, sha512.New, 64, "hmac_sha512_test", 64, 128},
}

func hmacParamsOf(t testing.TB, k Kind) *hmacParams {
	t.Helper()
	for i := range hmacKinds {
		if hmacKinds[i].kind == k {
			return &hmacKinds[i]
		}
	}
	t.Fatalf("no HMAC parameters for %s", k)
	return nil
}

type hmacWycheproofGroup struct {
	KeySize int                  `json:"keySize"` // bits
	TagSize int                  `json:"tagSize"` // bits
	Tests   []hmacWycheproofCase `json:"tests"`
}

type hmacWycheproofCase struct {
	wycheproofCase
	Key hexBytes `json:"key"`
	Msg hexBytes `json:"msg"`
	Tag hexBytes `json:"tag"`
}

// TestHMACWycheproof runs the Wycheproof HMAC-SHA-2 vectors.
//
// Groups whose tag is the full hash output: a valid vector's tag must be
// MAC's and VerifyMAC must accept it; an invalid one must be refused.
// Groups with truncated tags: VerifyMAC must refuse every tag, valid or
// not, because AWS KMS MACs are full length; for the valid ones the tag
// must still be a prefix of MAC's, so that the refusal is the length's.
// No vector in these files is "acceptable"; one would be skipped.
//
// Keys of a length AWS would not import (Wycheproof has half-length and
// 65-byte keys) cannot go through Parse, which must refuse them; they are
// tested through newHMACKey, the constructor Parse and Generate use.
func TestHMACWycheproof(t *testing.T) {
	for _, ref := range hmacRef {
		t.Run(string(ref.kind), func(t *testing.T) {
			p := hmacParamsOf(t, ref.kind)
			var total, validFull, invalidFull, truncated, viaConstructor, skipped int
			for _, g := range loadWycheproof[hmacWycheproofGroup](t, ref.wycheproof) {
				for _, tc := range g.Tests {
					total++
					if len(tc.Key)*8 != g.KeySize || len(tc.Tag)*8 != g.TagSize {
						t.Fatalf("tcId %d: key or tag length disagrees with its group", tc.TcID)
					}
					var k *HMACKey
					if len(tc.Key) >= ref.min && len(tc.Key) <= ref.max {
						parsed, err := Parse(ref.kind, tc.Key)
						if err != nil {
							t.Fatalf("tcId %d: Parse(%d-byte key): %v", tc.TcID, len(tc.Key), err)
						}
						k = parsed.(*HMACKey)
					} else {
						if _, err := Parse(ref.kind, tc.Key); !errors.Is(err, ErrMalformedMaterial) {
							t.Fatalf("tcId %d: Parse accepted a %d-byte key: %v", tc.TcID, len(tc.Key), err)
						}
						k = newHMACKey(p, bytes.Clone(tc.Key))
						viaConstructor++
					}
					switch {
					case !tc.Valid() && !tc.Invalid():
						skipped++
					case len(tc.Tag) != ref.size:
						if k.VerifyMAC(tc.Msg, tc.Tag) {
							t.Errorf("tcId %d: VerifyMAC accepted a %d-bit tag", tc.TcID, g.TagSize)
						}
						if tc.Valid() && !bytes.HasPrefix(k.MAC(tc.Msg), tc.Tag) {
							t.Errorf("tcId %d: the valid truncated tag is not a prefix of MAC", tc.TcID)
						}
						truncated++
					case tc.Valid():
						if got := k.MAC(tc.Msg); !bytes.Equal(got, tc.Tag) {
							t.Errorf("tcId %d (%s): MAC = %x, want %x", tc.TcID, tc.Comment, got, tc.Tag)
						}
						if !k.VerifyMAC(tc.Msg, tc.Tag) {
							t.Errorf("tcId %d (%s): VerifyMAC refused a valid tag", tc.TcID, tc.Comment)
						}
						validFull++
					default:
						if k.VerifyMAC(tc.Msg, tc.Tag) {
							t.Errorf("tcId %d (%s): VerifyMAC accepted an invalid tag", tc.TcID, tc.Comment)
						}
						invalidFull++
					}
				}
			}
			if validFull == 0 || invalidFull == 0 || truncated == 0 {
				t.Fatalf("a class of vectors is missing: %d valid, %d invalid, %d truncated", validFull, invalidFull, truncated)
			}
			t.Logf("%s: %d vectors: %d valid full-length tags pass, %d invalid refused, %d truncated tags refused, %d skipped; %d keys outside AWS's lengths went through newHMACKey",
				ref.wycheproof, total, validFull, invalidFull, truncated, skipped, viaConstructor)
		})
	}
}

// TestHMACCrossCheck compares MAC with crypto/hmac over the hash the test
// table names, for every accepted key length and several message sizes.
func TestHMACCrossCheck(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, ref := range hmacRef {
		for n := ref.min; n <= ref.max; n++ {
			key := make([]byte, n)
			for i := range key {
				key[i] = byte(r.Uint32())
			}
			k, err := Parse(ref.kind, key)
			if err != nil {
				t.Fatalf("%s: Parse(%d bytes): %v", ref.kind, n, err)
			}
			mk := k.(MACKey)
			for _, size := range []int{0, 1, 63, 64, 65, 127, 128, 129, 4096} {
				msg := make([]byte, size)
				for i := range msg {
					msg[i] = byte(r.Uint32())
				}
				want := hmac.New(ref.newHash, key)
				want.Write(msg)
				tag := want.Sum(nil)
				if got := mk.MAC(msg); !bytes.Equal(got, tag) {
					t.Fatalf("%s, %d-byte key, %d-byte message: MAC differs from crypto/hmac", ref.kind, n, size)
				}
				if len(tag) != ref.size || !mk.VerifyMAC(msg, tag) {
					t.Fatalf("%s: VerifyMAC refused crypto/hmac's tag", ref.kind)
				}
			}
		}
	}
}

func TestHMACVerifyRefusesOtherLengths(t *testing.T) {
	for _, ref := range hmacRef {
		k, err := Generate(ref.kind, nil)
		if err != nil {
			t.Fatal(err)
		}
		mk := k.(MACKey)
		msg := []byte("message")
		tag := mk.MAC(msg)
		if len(tag) != ref.size || !mk.VerifyMAC(msg, tag) {
			t.Fatalf("%s: own tag of %d bytes refused", ref.kind, len(tag))
		}
		for _, bad := range [][]byte{nil, {}, tag[:1], tag[:ref.size/2], tag[:ref.size-1], append(bytes.Clone(tag), 0)} {
			if mk.VerifyMAC(msg, bad) {
				t.Errorf("%s: VerifyMAC accepted a %d-byte tag", ref.kind, len(bad))
			}
		}
		flipped := bytes.Clone(tag)
		flipped[ref.size-1] ^= 1
		if mk.VerifyMAC(msg, flipped) || mk.VerifyMAC([]byte("messagf"), tag) {
			t.Errorf("%s: VerifyMAC accepted a wrong tag", ref.kind)
		}
	}
}

func TestHMACGenerate(t *testing.T) {
	for _, ref := range hmacRef {
		k, err := Generate(ref.kind, &randtest.Counting{Next: 7})
		if err != nil {
			t.Fatal(err)
		}
		if k.Kind() != ref.kind {
			t.Fatalf("Kind() = %s, want %s", k.Kind(), ref.kind)
		}
		m, err := k.Material()
		if err != nil {
			t.Fatal(err)
		}
		want := make([]byte, ref.size)
		_, _ = (&randtest.Counting{Next: 7}).Read(want)
		if !bytes.Equal(m.Reveal(), want) {
			t.Fatalf("%s: material is not the %d bytes read from rand", ref.kind, ref.size)
		}
		if k, err := Generate(ref.kind, randtest.Failing{}); !errors.Is(err, randtest.ErrNoEntropy) || k != nil {
			t.Fatalf("%s: Generate with failing rand: %v, %v", ref.kind, k == nil, err)
		}
		if k, err := Parse(ref.kind, nil); err == nil || k != nil {
			t.Fatalf("%s: Parse(nil) returned a non-nil Key with its error", ref.kind)
		}
	}
}

func TestHMACParseLengths(t *testing.T) {
	for _, ref := range hmacRef {
		for _, n := range []int{0, 1, ref.min - 1, ref.min, ref.max, ref.max + 1, 1024} {
			_, err := Parse(ref.kind, bytes.Repeat([]byte{0xa5}, n))
			accept := n >= ref.min && n <= ref.max
			if accept && err != nil {
				t.Errorf("%s: Parse(%d bytes): %v", ref.kind, n, err)
			}
			if !accept && !errors.Is(err, ErrMalformedMaterial) {
				t.Errorf("%s: Parse(%d bytes) = %v, want ErrMalformedMaterial", ref.kind, n, err)
			}
			if err != nil && strings.Contains(err.Error(), "a5a5") {
				t.Errorf("%s: error carries key bytes: %v", ref.kind, err)
			}
		}
		if _, err := Parse(ref.kind, nil); !errors.Is(err, ErrMalformedMaterial) {
			t.Errorf("%s: Parse(nil) = %v", ref.kind, err)
		}
	}
}

// TestHMACWrongKind: raw material carries no kind, so material is refused
// by another kind only when its length is outside that kind's bounds (a
// 64-byte HMAC_512 key is a valid HMAC_224, HMAC_256 or HMAC_384 key).
// Package keys records each key's kind; these are the refusals there are.
func TestHMACWrongKind(t *testing.T) {
	for _, from := range hmacRef {
		k, err := Generate(from.kind, nil)
		if err != nil {
			t.Fatal(err)
		}
		m, _ := k.Material()
		for _, to := range hmacRef {
			_, err := Parse(to.kind, m.Reveal())
			fits := m.Len() >= to.min && m.Len() <= to.max
			if fits != (err == nil) || (err != nil && !errors.Is(err, ErrMalformedMaterial)) {
				t.Errorf("Parse(%s, %s material) = %v", to.kind, from.kind, err)
			}
		}
	}
}

func TestHMACMaterialRoundTrip(t *testing.T) {
	for _, ref := range hmacRef {
		k, err := Generate(ref.kind, nil)
		if err != nil {
			t.Fatal(err)
		}
		m, err := k.Material()
		if err != nil {
			t.Fatal(err)
		}
		input := bytes.Clone(m.Reveal())
		k2, err := Parse(ref.kind, input)
		if err != nil {
			t.Fatal(err)
		}
		msg := []byte("round trip")
		want := k.(MACKey).MAC(msg)
		// Parse must have copied input, and Material must return a copy.
		clear(input)
		m.Wipe()
		if got := k2.(MACKey).MAC(msg); !bytes.Equal(got, want) {
			t.Fatalf("%s: parsed key MACs differently (or kept the caller's slice)", ref.kind)
		}
		if got := k.(MACKey).MAC(msg); !bytes.Equal(got, want) {
			t.Fatalf("%s: wiping Material's result changed the key", ref.kind)
		}
		m2, _ := k2.Material()
		m3, _ := k.Material()
		if !bytes.Equal(m2.Reveal(), m3.Reveal()) {
			t.Fatalf("%s: material differs after the round trip", ref.kind)
		}
	}
}

func TestHMACRedacted(t *testing.T) {
	for _, ref := range hmacRef {
		k, err := Generate(ref.kind, &randtest.Counting{Next: 0x40})
		if err != nil {
			t.Fatal(err)
		}
		m, _ := k.Material()
		for _, leak := range leakedKeyBytes(k, m.Reveal()) {
			t.Errorf("%s: %s", ref.kind, leak)
		}
	}
}

// leakedKeyBytes prints, logs and marshals key in every way a careless
// caller might (the pointer, a copy of the struct, the key inside a
// struct or a slice) and reports each output that shows any of secrets'
// bytes or does not say [REDACTED].
func leakedKeyBytes(key Key, secrets ...[]byte) []string {
	var values []any
	values = append(values, key, struct{ K Key }{key}, []Key{key})
	// A copy of the struct, which fmt would walk by reflection.
	if v := reflect.ValueOf(key); v.Kind() == reflect.Pointer {
		values = append(values, v.Elem().Interface())
	}
	var outputs []string
	for _, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
			outputs = append(outputs, fmt.Sprintf(verb, v))
		}
		js, err := json.Marshal(v)
		if err != nil {
			outputs = append(outputs, "json error: "+err.Error())
		}
		outputs = append(outputs, string(js))
		var logged bytes.Buffer
		slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "key", v)
		slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "key", v)
		outputs = append(outputs, logged.String())
	}
	var leaks []string
	for _, out := range outputs {
		if !strings.Contains(out, "[REDACTED]") {
			leaks = append(leaks, fmt.Sprintf("output does not say [REDACTED]: %.200q", out))
		}
		for _, s := range secrets {
			// Eight bytes are enough to recognise, in every encoding the
			// outputs could use.
			s = s[:min(len(s), 8)]
			var dec []string
			for _, b := range s {
				dec = append(dec, fmt.Sprint(b))
			}
			for _, form := range []string{
				hex.EncodeToString(s), strings.ToUpper(hex.EncodeToString(s)),
				base64.StdEncoding.EncodeToString(s)[:8], strings.Join(dec, " "), strings.Join(dec, ", "),
			} {
				if strings.Contains(out, form) {
					leaks = append(leaks, fmt.Sprintf("output shows key bytes (%s): %.200q", form, out))
				}
			}
		}
	}
	return leaks
}
