package kms

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"regexp"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/store"
)

// Grant tokens. AWS's are opaque base64 strings that name a grant and make
// it usable before it is visible everywhere (docs "Using a grant token");
// every CreateGrant returns a new one, and all tokens of a grant are
// interchangeable (API Reference, CreateGrant Name). Trent's token is
// self-describing, so RetireGrant can find the grant from the token alone,
// and unforgeable:
//
//	base64url( version 0x01 ‖ len ‖ key ARN ‖ grant ID (32 bytes) ‖ nonce (16) ‖ tag (32) )
//
// tag = HMAC-SHA256(grant's TokenKey, version ‖ len ‖ key ARN ‖ grant ID ‖
// nonce). The TokenKey is 32 random bytes stored with the grant, so a token
// can only be made by CreateGrant, and it dies with its grant. A token that
// does not parse, or whose tag does not verify, is
// InvalidGrantTokenException; a well-formed token whose grant was retired
// or revoked names nothing (the grant and its key are gone, so it cannot be
// told from a forged one): it confers nothing in GrantTokens, and
// RetireGrant answers NotFoundException.

const (
	grantTokenVersion = 0x01
	grantIDBytes      = 32
	grantNonceBytes   = 16
	grantTagBytes     = sha256.Size
	grantTokenKeySize = 32
)

var errMalformedGrantToken = errors.New("kms: malformed grant token")

// grantToken is a parsed token.
type grantToken struct {
	keyARN  string
	grantID string // 64 lowercase hex
	signed  []byte // what the tag covers
	tag     []byte
}

// mintGrantToken makes a new token for grant g, with a fresh nonce.
func mintGrantToken(g *grantRecord, rand io.Reader) (string, error) {
	id, err := decodeGrantID(g.ID)
	if err != nil {
		return "", err
	}
	arn := g.keyARN()
	b := []byte{grantTokenVersion, byte(len(arn))}
	b = append(b, arn...)
	b = append(b, id...)
	nonce := make([]byte, grantNonceBytes)
	if _, err := io.ReadFull(rand, nonce); err != nil {
		return "", err
	}
	b = append(b, nonce...)
	b = append(b, grantTokenTag(g.TokenKey, b)...)
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func grantTokenTag(key, signed []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(signed)
	return m.Sum(nil)
}

// parseGrantToken decodes a token's structure; the tag is checked against
// the grant it names (openGrantToken).
func parseGrantToken(s string) (*grantToken, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 2 || b[0] != grantTokenVersion {
		return nil, errMalformedGrantToken
	}
	n := int(b[1])
	if len(b) != 2+n+grantIDBytes+grantNonceBytes+grantTagBytes {
		return nil, errMalformedGrantToken
	}
	arn := string(b[2 : 2+n])
	id, err := keys.ParseIdentifier(arn)
	if err != nil || id.Kind != keys.KindKeyARN {
		return nil, errMalformedGrantToken
	}
	idStart := 2 + n
	signedEnd := idStart + grantIDBytes + grantNonceBytes
	return &grantToken{
		keyARN:  arn,
		grantID: hex.EncodeToString(b[idStart : idStart+grantIDBytes]),
		signed:  b[:signedEnd],
		tag:     b[signedEnd:],
	}, nil
}

// openGrantToken finds the grant a token names and checks the token's tag.
// It returns (nil, nil) for a well-formed token whose grant does not exist
// (retired, revoked, or its key deleted).
func openGrantToken(tx store.Tx, raw string) (*grantRecord, error) {
	t, err := parseGrantToken(raw)
	if err != nil {
		return nil, invalidGrantToken()
	}
	id, _ := keys.ParseIdentifier(t.keyARN)
	g, err := getRecord[*grantRecord](tx, grantKeyOf(id, t.grantID))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if !hmac.Equal(t.tag, grantTokenTag(g.TokenKey, t.signed)) {
		return nil, invalidGrantToken()
	}
	return g, nil
}

// openGrantTokens opens every token of a GrantTokens member: any invalid
// token fails the request (InvalidGrantTokenException), and tokens of
// grants that no longer exist are left out.
func openGrantTokens(tx store.Tx, tokens []string) ([]*grantRecord, error) {
	var out []*grantRecord
	for _, t := range tokens {
		g, err := openGrantToken(tx, t)
		if err != nil {
			return nil, err
		}
		if g != nil {
			out = append(out, g)
		}
	}
	return out, nil
}

// invalidGrantToken is AWS's InvalidGrantTokenException (message
// unverified: the API Reference describes the error as "the specified grant
// token is not valid").
func invalidGrantToken() error {
	return kmserr.New(codeInvalidGrantToken, 400, "Invalid grant token")
}

// Error codes of the grant operations that package kmserr has no
// constructor for (service model: both 400).
const (
	codeInvalidGrantToken = "InvalidGrantTokenException"
	codeInvalidGrantID    = "InvalidGrantIdException"
	codeInvalidArn        = "InvalidArnException"
)

// Grant IDs are 64 lowercase hex characters, like AWS's (docs CloudTrail
// example "f020fe75197b93991dc8491d6f19dd3cebb24ee62277a05914386724f3d48758").
var grantIDPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

func decodeGrantID(s string) ([]byte, error) {
	if !grantIDPattern.MatchString(s) {
		return nil, errMalformedGrantToken
	}
	return hex.DecodeString(s)
}

// grantKeyOf is the store key of the grant a parsed key ARN and grant ID
// name.
func grantKeyOf(id keys.Identifier, grantID string) string {
	return layout.Grant(id.Account, id.Region, id.KeyID, grantID)
}

// encodeTokenBytes is a token's text form.
func encodeTokenBytes(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
