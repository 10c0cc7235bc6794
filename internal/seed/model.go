// Package seed reads seed files: the keys, aliases, tags, policies and
// rotation settings `trent serve --seed` creates at start-up, with fixed
// key IDs and, if given, fixed key material. It reads two formats into one
// model: Trent's own (docs/seeding.md) and the seed files of
// nsmithuk/local-kms, so fixtures move over unchanged.
//
// The package only parses: it checks the shape of the file (unknown fields,
// wrong types, undecodable material) and names file:line for every error.
// Whether a key spec, a tag or a policy is acceptable is the service's
// business (kms.Service.Seed), which applies the same rules as the API.
package seed

import (
	"fmt"
	"time"

	"github.com/trent-kms/trent/internal/secret"
)

// Format names the format a seed file was written in.
type Format string

// The formats.
const (
	FormatTrent    Format = "trent"
	FormatLocalKMS Format = "local-kms"
)

// File is a parsed seed file.
type File struct {
	Path   string
	Format Format
	Sets   []Set
}

// Set is what a seed file creates in one account and Region.
type Set struct {
	Pos     Pos
	Account string
	Region  string
	Keys    []Key
	// Aliases are aliases of the set's keys or of keys that already exist
	// in the account and Region.
	Aliases []Alias
}

// Key is one key to create.
type Key struct {
	Pos Pos
	// ID is the key ID the key gets.
	ID          string
	Description *string
	// Spec, Usage and Origin are the CreateKey values; empty means the
	// API's default (Spec empty with asymmetric material: the spec of
	// that material).
	Spec, Usage, Origin string
	// Materials are the key's material versions, oldest first; the last
	// is current. None: generated (AWS_KMS) or pending import (EXTERNAL).
	Materials []Material
	// Enabled false creates the key disabled; nil means enabled.
	Enabled *bool
	// Policy is the key policy (JSON); nil means the default policy.
	Policy   *string
	Tags     []Tag
	Rotation *Rotation
}

// Material is one version of key material as the file gives it: raw bytes
// for symmetric and HMAC keys, a DER private key (PKCS#8, PKCS#1 or SEC1)
// for key pairs.
type Material struct {
	Pos   Pos
	Bytes *secret.Bytes
}

// Tag is a key tag.
type Tag struct {
	Key, Value string
}

// Rotation is a key's automatic rotation setting.
type Rotation struct {
	Pos     Pos
	Enabled bool
	// PeriodInDays is the rotation period; 0 means the API's default.
	PeriodInDays *int
	// Next, if set, is when the next automatic rotation is due (local-kms
	// NextKeyRotation); otherwise a period after the key is created.
	Next time.Time
}

// Alias is an alias to create.
type Alias struct {
	Pos  Pos
	Name string
	// Target is the key ID or key ARN the alias names.
	Target string
}

// Pos is a place in a seed file.
type Pos struct {
	File string
	Line int
}

func (p Pos) String() string { return fmt.Sprintf("%s:%d", p.File, p.Line) }

// Wipe clears the material the file held.
func (f *File) Wipe() {
	for _, s := range f.Sets {
		for _, k := range s.Keys {
			for _, m := range k.Materials {
				m.Bytes.Wipe()
			}
		}
	}
}
