package cipher

import (
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"slices"
	"testing"

	"github.com/c2sp/wycheproof"
)

// Wycheproof (C2SP) test vectors, from the test-only module
// github.com/c2sp/wycheproof. Each primitive's test declares the shape of
// the groups of the files it reads and loads them with loadWycheproof.

// wycheproofFile is the part of every vector file the tests share.
type wycheproofFile[G any] struct {
	Algorithm     string `json:"algorithm"`
	NumberOfTests int    `json:"numberOfTests"`
	TestGroups    []G    `json:"testGroups"`
}

// wycheproofCase is the part of every test case the tests share.
type wycheproofCase struct {
	TcID    int      `json:"tcId"`
	Comment string   `json:"comment"`
	Result  string   `json:"result"` // valid, invalid or acceptable
	Flags   []string `json:"flags"`
}

// Valid and Invalid say what the vector demands; an "acceptable" vector
// is neither, and a test may go either way on it.
func (c wycheproofCase) Valid() bool   { return c.Result == "valid" }
func (c wycheproofCase) Invalid() bool { return c.Result == "invalid" }

// HasFlag reports whether the vector carries flag.
func (c wycheproofCase) HasFlag(flag string) bool { return slices.Contains(c.Flags, flag) }

// loadWycheproof reads testvectors_v1/<name>.json into groups of type G.
func loadWycheproof[G any](t testing.TB, name string) []G {
	t.Helper()
	b, err := fs.ReadFile(wycheproof.TestVectors, name+".json")
	if err != nil {
		t.Fatalf("wycheproof %s: %v", name, err)
	}
	var f wycheproofFile[G]
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("wycheproof %s: %v", name, err)
	}
	if len(f.TestGroups) == 0 {
		t.Fatalf("wycheproof %s: no test groups", name)
	}
	return f.TestGroups
}

// hexBytes is a hex string of a vector file, decoded.
type hexBytes []byte

// UnmarshalJSON implements json.Unmarshaler.
func (h *hexBytes) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	d, err := hex.DecodeString(s)
	*h = d
	return err
}
