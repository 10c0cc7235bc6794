package seal

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/trent-kms/trent/internal/randtest"
)

var testAAD = []byte("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab material 1")

func TestSealRoundTrip(t *testing.T) {
	k := testKeyring(t, 0x10)
	for _, size := range []int{0, 1, 32, 64, 2400} {
		plaintext := bytes.Repeat([]byte{0xa5}, size)
		sealed, err := k.Seal(plaintext, testAAD, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(sealed) != size+SealOverhead || SealOverhead != 37 {
			t.Fatalf("sealed %d bytes into %d", size, len(sealed))
		}
		got, err := k.Unseal(sealed, testAAD)
		if err != nil || !bytes.Equal(got.Reveal(), plaintext) {
			t.Fatalf("Unseal(size %d) = %v", size, err)
		}
	}
}

// TestSealKnownAnswer pins one sealed record, computed outside Go with
// Python's cryptography.AESGCM from the documented layout.
func TestSealKnownAnswer(t *testing.T) {
	const want = "01" + "bdd256ac9f7b17cb" + "101112131415161718191a1b" +
		"fd7f1a95cd4cbc3442fc829683f4e7dc47c1dc9d8f57c1267f6078fcc2c9ca44" +
		"e076c5834fa8213b8e788efad36f26cd"
	k := testKeyring(t, 0x00)
	sealed, err := k.Seal(testKeyBytes(0x80), testAAD, &randtest.Counting{Next: 0x10})
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(sealed); got != want {
		t.Fatalf("sealed\n got %s\nwant %s", got, want)
	}
}

func TestUnsealWrongRootKey(t *testing.T) {
	sealed, err := testKeyring(t, 1).Seal([]byte("material"), testAAD, nil)
	if err != nil {
		t.Fatal(err)
	}
	other := testKeyring(t, 2)
	_, err = other.Unseal(sealed, testAAD)
	if !errors.Is(err, ErrWrongRootKey) || errors.Is(err, ErrUnseal) {
		t.Fatalf("error = %v, want ErrWrongRootKey only", err)
	}

	// A record relabelled with the other key's ID is tampering, not a
	// configuration problem: the tag cannot verify.
	relabelled := bytes.Clone(sealed)
	copy(relabelled[1:9], other.current.id[:])
	if _, err := other.Unseal(relabelled, testAAD); err != ErrUnseal {
		t.Fatalf("relabelled record: error = %v, want ErrUnseal", err)
	}
}

// TestUnsealMovedRecord: a record sealed for one place does not open in
// another (Vault's TestAESGCMBarrier_MoveIntegrityV2; checklist row 4).
func TestUnsealMovedRecord(t *testing.T) {
	k := testKeyring(t, 3)
	sealed, err := k.Seal([]byte("material"), []byte("key/A material 1"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, aad := range [][]byte{
		[]byte("key/B material 1"),
		[]byte("key/A material 2"),
		[]byte("key/A material 1 "),
		[]byte("key/A material "),
		nil,
	} {
		if _, err := k.Unseal(sealed, aad); err != ErrUnseal {
			t.Errorf("aad %q: error = %v, want ErrUnseal", aad, err)
		}
	}
}

func TestUnsealEveryBitFlipFails(t *testing.T) {
	k := testKeyring(t, 4)
	sealed, err := k.Seal([]byte("0123456789abcdef0123456789abcdef"), testAAD, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range len(sealed) * 8 {
		mutated := bytes.Clone(sealed)
		mutated[i/8] ^= 1 << (i % 8)
		got, err := k.Unseal(mutated, testAAD)
		if err == nil || got != nil {
			t.Fatalf("bit %d flipped: Unseal succeeded", i)
		}
		inKeyID := i/8 >= 1 && i/8 < 1+rootKeyIDLen
		if inKeyID && !errors.Is(err, ErrWrongRootKey) || !inKeyID && err != ErrUnseal {
			t.Fatalf("bit %d flipped: error = %v", i, err)
		}
	}
}

func TestUnsealTruncatedAndExtended(t *testing.T) {
	k := testKeyring(t, 5)
	sealed, err := k.Seal([]byte("material"), testAAD, nil)
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(sealed) {
		if _, err := k.Unseal(sealed[:n], testAAD); err != ErrUnseal {
			t.Fatalf("truncated to %d: error = %v", n, err)
		}
	}
	if _, err := k.Unseal(append(bytes.Clone(sealed), 0), testAAD); err != ErrUnseal {
		t.Fatalf("extended: error = %v", err)
	}
}

func TestSealedBytesDoNotContainPlaintext(t *testing.T) {
	k := testKeyring(t, 6)
	plaintext := []byte("CANARY-key-material-0123456789ab")
	sealed, err := k.Seal(plaintext, testAAD, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range [][]byte{plaintext, plaintext[:8], plaintext[len(plaintext)-8:], testKeyBytes(6)[:8]} {
		if bytes.Contains(sealed, part) {
			t.Fatalf("sealed record contains %q", part)
		}
	}
	again, _ := k.Seal(plaintext, testAAD, nil)
	if bytes.Equal(sealed, again) {
		t.Fatal("sealing twice gave the same bytes")
	}
}

func TestSealErrors(t *testing.T) {
	var zero Keyring
	if _, err := zero.Seal([]byte("x"), nil, nil); err == nil {
		t.Error("zero Keyring sealed")
	}
	if _, err := zero.Unseal(make([]byte, 64), nil); err == nil {
		t.Error("zero Keyring unsealed")
	}
	if _, err := testKeyring(t, 7).Seal([]byte("x"), nil, randtest.Failing{}); err == nil {
		t.Error("Seal ignored a failing reader")
	}
}
