package keys

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
)

// NewKeyID returns a random key ID: a version 4 UUID in lowercase, the form
// of AWS key IDs ("1234abcd-12ab-34cd-56ef-1234567890ab").
func NewKeyID(r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	var b [16]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("keys: generate key ID: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40 // version 4 (RFC 9562 §5.4)
	b[8] = b[8]&0x3f | 0x80 // variant 10
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], nil
}

// IsKeyID reports whether s is shaped like a key ID: a UUID
// (8-4-4-4-12 hex digits, either case) or a multi-Region key ID ("mrk-"
// and 32 hex digits). Every request that names a key asks, so it is a
// byte loop rather than a regular expression (ids_test.go checks it
// against the patterns).
func IsKeyID(s string) bool {
	if rest, ok := strings.CutPrefix(s, "mrk-"); ok {
		return len(rest) == 32 && allHex(rest)
	}
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return false
			}
		default:
			if !isHex(s[i]) {
				return false
			}
		}
	}
	return true
}

// isAccountID reports whether s is 12 decimal digits.
func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func allHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// Partition returns the AWS partition of a Region, which ARNs name.
func Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "eu-isoe-"):
		return "aws-iso-e"
	case strings.HasPrefix(region, "us-isof-"):
		return "aws-iso-f"
	}
	return "aws"
}

// KeyARN returns arn:<partition>:kms:<region>:<account>:key/<id>.
func KeyARN(region, account, keyID string) string {
	return "arn:" + Partition(region) + ":kms:" + region + ":" + account + ":key/" + keyID
}

// AliasARN returns arn:<partition>:kms:<region>:<account>:<alias name>; the
// alias name includes its "alias/" prefix.
func AliasARN(region, account, aliasName string) string {
	return "arn:" + Partition(region) + ":kms:" + region + ":" + account + ":" + aliasName
}

// IdentifierKind says which of the four forms a key identifier takes.
type IdentifierKind int

// The forms of a key identifier (docs "Key identifiers (KeyId)").
const (
	KindKeyID IdentifierKind = iota + 1
	KindKeyARN
	KindAliasName
	KindAliasARN
)

// Identifier is a parsed key identifier.
type Identifier struct {
	Kind IdentifierKind
	// Raw is the identifier as given.
	Raw string
	// KeyID is set for KindKeyID and KindKeyARN.
	KeyID string
	// AliasName is set for KindAliasName and KindAliasARN, with its
	// "alias/" prefix.
	AliasName string
	// Region and Account are set for the ARN kinds.
	Region, Account string
}

// ErrMalformedIdentifier is returned for an identifier that is none of the
// four forms.
var ErrMalformedIdentifier = errors.New("keys: malformed key identifier")

// ParseIdentifier classifies a key identifier. A key ID or key ARN whose ID
// part is not shaped like a key ID is malformed; whether the key exists is
// not this function's business.
func ParseIdentifier(s string) (Identifier, error) {
	id := Identifier{Raw: s}
	switch {
	case strings.HasPrefix(s, "arn:"):
		// arn:<partition>:kms:<region>:<account>:<resource>
		parts := strings.SplitN(s, ":", 6)
		if len(parts) != 6 || parts[1] == "" || parts[2] != "kms" || parts[3] == "" || !isAccountID(parts[4]) {
			return id, ErrMalformedIdentifier
		}
		id.Region, id.Account = parts[3], parts[4]
		resource := parts[5]
		switch {
		case strings.HasPrefix(resource, "key/"):
			id.Kind, id.KeyID = KindKeyARN, strings.TrimPrefix(resource, "key/")
			if !IsKeyID(id.KeyID) {
				return id, ErrMalformedIdentifier
			}
		case strings.HasPrefix(resource, "alias/") && len(resource) > len("alias/"):
			id.Kind, id.AliasName = KindAliasARN, resource
		default:
			return id, ErrMalformedIdentifier
		}
	case strings.HasPrefix(s, "alias/"):
		if len(s) == len("alias/") {
			return id, ErrMalformedIdentifier
		}
		id.Kind, id.AliasName = KindAliasName, s
	default:
		if !IsKeyID(s) {
			return id, ErrMalformedIdentifier
		}
		id.Kind, id.KeyID = KindKeyID, s
	}
	return id, nil
}

// IsAlias reports whether the identifier names an alias.
func (id Identifier) IsAlias() bool { return id.Kind == KindAliasName || id.Kind == KindAliasARN }

// IsARN reports whether the identifier is an ARN.
func (id Identifier) IsARN() bool { return id.Kind == KindKeyARN || id.Kind == KindAliasARN }
