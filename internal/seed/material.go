package seed

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/trent-kms/trent/internal/secret"
)

// Messages about material never quote it: a seed's material is as secret
// as any other key material once it is loaded.

// material reads a Trent material string: a PEM private key, or base64
// (raw bytes for symmetric and HMAC keys, a DER private key for key
// pairs, as LocalStack's _custom_key_material_ tag takes them).
func (r reader) material(n *yaml.Node) (Material, error) {
	s, err := r.str(n, "material")
	if err != nil {
		return Material{}, err
	}
	if strings.Contains(s, "-----BEGIN") {
		return r.pemMaterial(n, s, "material")
	}
	// Block scalars and folded lines may carry whitespace; base64 has none.
	compact := strings.Join(strings.Fields(s), "")
	b, err := base64.StdEncoding.DecodeString(compact)
	if err != nil || len(b) == 0 {
		return Material{}, r.errorf(n, "material is neither a PEM private key nor standard base64")
	}
	return Material{Pos: r.pos(n), Bytes: secret.New(b)}, nil
}

// pemMaterial reads the one private key block of a PEM text. Blocks that
// hold no private key (the EC PARAMETERS block `openssl ecparam -genkey`
// writes first) are skipped.
func (r reader) pemMaterial(n *yaml.Node, text, field string) (Material, error) {
	rest := []byte(text)
	var der []byte
	for {
		block, more := pem.Decode(rest)
		if block == nil {
			break
		}
		rest = more
		switch {
		case block.Type == "ENCRYPTED PRIVATE KEY" || block.Headers["Proc-Type"] != "":
			return Material{}, r.errorf(n, "%s is an encrypted private key; give it unencrypted", field)
		case strings.HasSuffix(block.Type, "PRIVATE KEY"):
			if der != nil {
				return Material{}, r.errorf(n, "%s holds more than one private key", field)
			}
			der = block.Bytes
		}
	}
	if der == nil {
		return Material{}, r.errorf(n, "%s holds no PEM private key block", field)
	}
	return Material{Pos: r.pos(n), Bytes: secret.New(der)}, nil
}

// hexMaterial reads a local-kms backing key: 32 bytes, hex.
func (r reader) hexMaterial(n *yaml.Node) (Material, error) {
	s, err := r.str(n, "BackingKeys")
	if err != nil {
		return Material{}, err
	}
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return Material{}, r.errorf(n, "a backing key must be hex encoded")
	}
	if len(b) != 32 {
		clear(b)
		return Material{}, r.errorf(n, "a backing key must be exactly 32 bytes (64 hex digits), not %d bytes", len(b))
	}
	return Material{Pos: r.pos(n), Bytes: secret.New(b)}, nil
}
