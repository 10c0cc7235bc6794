package cipher

import (
	"bytes"
	"testing"
)

// TestAESGCMWycheproof runs the AEAD of every symmetric blob, aesGCM,
// against Wycheproof's aes_gcm_test for the parameters Trent uses: a
// 256-bit key (the derived message key), a 96-bit nonce and a 128-bit
// tag. Valid vectors must seal to ct‖tag and open; invalid ones must not
// open.
func TestAESGCMWycheproof(t *testing.T) {
	type gcmCase struct {
		wycheproofCase
		Key hexBytes `json:"key"`
		IV  hexBytes `json:"iv"`
		AAD hexBytes `json:"aad"`
		Msg hexBytes `json:"msg"`
		CT  hexBytes `json:"ct"`
		Tag hexBytes `json:"tag"`
	}
	type gcmGroup struct {
		KeySize int       `json:"keySize"`
		IVSize  int       `json:"ivSize"`
		TagSize int       `json:"tagSize"`
		Tests   []gcmCase `json:"tests"`
	}
	var valid, refused int
	for _, g := range loadWycheproof[gcmGroup](t, "aes_gcm_test") {
		if g.KeySize != 256 || g.IVSize != 8*nonceLen || g.TagSize != 128 {
			continue
		}
		for _, tc := range g.Tests {
			aead, err := aesGCM(tc.Key)
			if err != nil {
				t.Fatalf("tc %d: %v", tc.TcID, err)
			}
			sealed := append(bytes.Clone(tc.CT), tc.Tag...)
			opened, openErr := aead.Open(nil, tc.IV, sealed, tc.AAD)
			switch {
			case tc.Valid():
				if openErr != nil || !bytes.Equal(opened, tc.Msg) {
					t.Errorf("tc %d (%s): valid vector did not open: %v", tc.TcID, tc.Comment, openErr)
				}
				if got := aead.Seal(nil, tc.IV, tc.Msg, tc.AAD); !bytes.Equal(got, sealed) {
					t.Errorf("tc %d (%s): seal differs", tc.TcID, tc.Comment)
				}
				valid++
			case tc.Invalid():
				if openErr == nil {
					t.Errorf("tc %d (%s): invalid vector opened", tc.TcID, tc.Comment)
				}
				refused++
			}
		}
	}
	if valid == 0 || refused == 0 {
		t.Fatalf("ran %d valid and %d invalid vectors; the file's groups changed", valid, refused)
	}
}
