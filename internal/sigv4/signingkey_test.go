package sigv4

import (
	"encoding/hex"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestDeriveSigningKey checks the HMAC chain against the example in the
// IAM User Guide ("Examples of how to derive a signing key").
func TestDeriveSigningKey(t *testing.T) {
	got := hex.EncodeToString(deriveSigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam"))
	const want = "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
	if got != want {
		t.Fatalf("kSigning = %s, want %s", got, want)
	}
}

func TestKeyCacheReuses(t *testing.T) {
	v := sdkVerifier()
	r, body := signedKMS(t)
	for i := 0; i < 3; i++ {
		if _, err := v.Verify(r, body, sdkTime); err != nil {
			t.Fatal(err)
		}
	}
	if n := v.keys.derived.Load(); n != 1 {
		t.Fatalf("derived %d keys for one scope, want 1", n)
	}
	// Another day, Region or secret is another key.
	c := newKeyCache()
	a := c.get("s", "20261103", "us-east-1", "kms")
	c.get("s", "20261103", "us-east-1", "kms")
	c.get("s", "20261104", "us-east-1", "kms")
	c.get("s", "20261103", "us-west-2", "kms")
	c.get("t", "20261103", "us-east-1", "kms")
	if n := c.derived.Load(); n != 4 {
		t.Fatalf("derived %d keys, want 4", n)
	}
	if hex.EncodeToString(a) != hex.EncodeToString(deriveSigningKey("s", "20261103", "us-east-1", "kms")) {
		t.Fatal("cached key differs from derived key")
	}
}

func TestKeyCacheBounded(t *testing.T) {
	c := newKeyCache()
	for i := 0; i < 3*keyCacheSize; i++ {
		c.get(fmt.Sprint("secret", i), "20261103", "us-east-1", "kms")
		if c.len() > keyCacheSize {
			t.Fatalf("cache holds %d keys, bound is %d", c.len(), keyCacheSize)
		}
	}
	if c.len() != keyCacheSize {
		t.Fatalf("cache holds %d keys, want %d", c.len(), keyCacheSize)
	}
	for id := range c.keys {
		if id.secret == [32]byte{} {
			t.Fatal("secret digest missing")
		}
	}
}

// TestKeyCacheConcurrent is for -race: verifiers share one cache.
func TestKeyCacheConcurrent(t *testing.T) {
	v := sdkVerifier()
	r, body := signedKMS(t)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				if _, err := v.Verify(r, body, sdkTime.Add(time.Duration(i)*time.Millisecond)); err != nil {
					t.Error(err)
					return
				}
				v.keys.get(fmt.Sprint(g, i), "20261103", "eu-west-1", "kms")
			}
		}(g)
	}
	wg.Wait()
	if v.keys.len() > keyCacheSize {
		t.Fatalf("cache holds %d keys", v.keys.len())
	}
}
