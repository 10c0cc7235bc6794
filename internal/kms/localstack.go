package kms

import (
	"context"
	"encoding/base64"
	"strings"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/cipher"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/secret"
)

// LocalStack's CreateKey tags, honoured in dev mode only (Config.
// LocalStackTags) so that fixtures written for LocalStack run unchanged
// (localstack-core/localstack/services/kms: utils.py, models.py):
//
//   - _custom_id_ is the new key's ID. LocalStack keeps it as an ordinary
//     tag, and so does Trent.
//   - _custom_key_material_ is the key's material, base64: raw bytes for
//     SYMMETRIC_DEFAULT and HMAC keys, a DER private key for key pairs
//     (LocalStack loads it with load_der_private_key). LocalStack filters it
//     out of the key's tags, and so does Trent; it also leaves it out of
//     the request's audit record.
//
// Outside dev mode both are ordinary tags, as they are in AWS.
const (
	tagCustomID          = "_custom_id_"
	tagCustomKeyMaterial = "_custom_key_material_"
)

// customKey is what LocalStack's tags asked of a new key.
type customKey struct {
	id       string
	material *secret.Bytes
}

// takeLocalStackTags reads LocalStack's tags from a CreateKey request. It
// returns the request without the material tag, and records the request
// in the audit log with that tag's value redacted. The caller wipes the
// returned material.
func (s *Service) takeLocalStackTags(ctx context.Context, in *CreateKeyInput) (*CreateKeyInput, customKey, error) {
	var c customKey
	if !s.localStackTags {
		return in, c, nil
	}
	var kept, recorded []Tag
	var values []*string
	for _, t := range in.Tags {
		if t.TagKey == nil || *t.TagKey != tagCustomKeyMaterial {
			kept = append(kept, t)
			recorded = append(recorded, t)
			continue
		}
		values = append(values, t.TagValue)
		redacted := "[REDACTED]"
		recorded = append(recorded, Tag{TagKey: t.TagKey, TagValue: &redacted})
	}
	if len(values) > 0 {
		logged := *in
		logged.Tags = recorded
		audit.DetailsFrom(ctx).SetInput(&logged)
		stripped := *in
		stripped.Tags = kept
		in = &stripped
	}
	switch {
	case len(values) > 1:
		return nil, c, kmserr.Tag("Duplicate tag keys")
	case len(values) == 1:
		if values[0] == nil {
			return nil, c, kmserr.Validation("The tag %s needs a value: the base64-encoded key material.", tagCustomKeyMaterial)
		}
		b, err := base64.StdEncoding.DecodeString(*values[0])
		if err != nil || len(b) == 0 {
			return nil, c, kmserr.Validation("The value of tag %s must be base64-encoded key material.", tagCustomKeyMaterial)
		}
		c.material = secret.New(b)
	}
	for _, t := range in.Tags {
		if t.TagKey == nil || *t.TagKey != tagCustomID || t.TagValue == nil {
			continue
		}
		if !isFixedKeyID(*t.TagValue) {
			c.material.Wipe()
			return nil, customKey{}, kmserr.Validation("The value of tag %s must be a key ID: a UUID in lower case, such as 1234abcd-12ab-34cd-56ef-1234567890ab.", tagCustomID)
		}
		c.id = *t.TagValue
	}
	return in, c, nil
}

// key parses the material the tags gave for a key of spec and origin; nil
// when they gave none.
func (c customKey) key(spec keys.KeySpec, origin keys.Origin) (cipher.Key, error) {
	if c.material == nil {
		return nil, nil
	}
	if origin != keys.OriginAWSKMS {
		return nil, kmserr.Validation("The tag %s cannot be used with Origin %s; import the material instead.", tagCustomKeyMaterial, origin)
	}
	key, err := parseGivenMaterial(spec, c.material.Reveal())
	if err != nil {
		return nil, kmserr.Validation("The value of tag %s is not valid: %v.", tagCustomKeyMaterial, err)
	}
	return key, nil
}

// isFixedKeyID reports whether id may be chosen as a key ID: a UUID in
// the lower case AWS writes key IDs in (a request naming the key must
// spell it the same way). Multi-Region IDs (mrk-) are not: Trent has no
// multi-Region keys.
func isFixedKeyID(id string) bool {
	return keys.IsKeyID(id) && !strings.HasPrefix(id, "mrk-") && id == strings.ToLower(id)
}
