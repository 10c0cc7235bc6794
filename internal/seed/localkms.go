package seed

import (
	"go.yaml.in/yaml/v3"
)

// local-kms's seed format (nsmithuk/local-kms, README "Seeding file
// format", src/seed.go and the UnmarshalYAML methods of src/cmk):
//
//	Keys:
//	  Symmetric: {Aes: [{Metadata, BackingKeys, NextKeyRotation}]}
//	  Asymmetric: {Rsa: [{Metadata, PrivateKeyPem}], Ecc: [...]}
//	Aliases: [{AliasName, TargetKeyId}]
//
// and its legacy form, where Keys is the list of AES keys. Metadata holds
// KeyId, Description, KeyUsage, Origin and Enabled. local-kms takes its
// account and Region from KMS_ACCOUNT_ID and KMS_REGION; here a file may
// name them with the top-level Account and Region (Trent's extension),
// else the defaults apply.
var (
	localTopFields      = []string{"Keys", "Aliases", "Account", "Region"}
	localKeysFields     = []string{"Symmetric", "Asymmetric"}
	localSymFields      = []string{"Aes"}
	localAsymFields     = []string{"Rsa", "Ecc"}
	localAesFields      = []string{"Metadata", "BackingKeys", "NextKeyRotation"}
	localPairFields     = []string{"Metadata", "PrivateKeyPem"}
	localMetadataFields = []string{"KeyId", "Description", "KeyUsage", "Origin", "Enabled"}
	localAliasFields    = []string{"AliasName", "TargetKeyId", "AliasArn"}
)

func (r reader) localKMS(top *yaml.Node, d Defaults) ([]Set, error) {
	m, err := r.fields(top, "the seed file", localTopFields...)
	if err != nil {
		return nil, err
	}
	s := Set{Pos: r.pos(top), Account: d.Account, Region: d.Region}
	if a, err := r.strOr(m, "Account"); err != nil {
		return nil, err
	} else if a != "" {
		s.Account = a
	}
	if reg, err := r.strOr(m, "Region"); err != nil {
		return nil, err
	} else if reg != "" {
		s.Region = reg
	}
	if kn, ok := m["Keys"]; ok && !isNull(kn) {
		if s.Keys, err = r.localKeys(kn); err != nil {
			return nil, err
		}
	}
	aliases, err := r.seq(m["Aliases"], "Aliases")
	if err != nil {
		return nil, err
	}
	for _, an := range aliases {
		am, err := r.fields(an, "an alias", localAliasFields...)
		if err != nil {
			return nil, err
		}
		a := Alias{Pos: r.pos(an)}
		if a.Name, err = r.required(an, am, "AliasName"); err != nil {
			return nil, err
		}
		if a.Target, err = r.required(an, am, "TargetKeyId"); err != nil {
			return nil, err
		}
		s.Aliases = append(s.Aliases, a)
	}
	return []Set{s}, nil
}

// localKeys reads Keys: the current form, or the legacy list of AES keys.
func (r reader) localKeys(n *yaml.Node) ([]Key, error) {
	if n.Kind == yaml.SequenceNode {
		return r.localList(n, "Keys", r.localAes)
	}
	m, err := r.fields(n, "Keys", localKeysFields...)
	if err != nil {
		return nil, err
	}
	var out []Key
	if sn, ok := m["Symmetric"]; ok && !isNull(sn) {
		sm, err := r.fields(sn, "Keys.Symmetric", localSymFields...)
		if err != nil {
			return nil, err
		}
		ks, err := r.localList(sm["Aes"], "Keys.Symmetric.Aes", r.localAes)
		if err != nil {
			return nil, err
		}
		out = append(out, ks...)
	}
	if an, ok := m["Asymmetric"]; ok && !isNull(an) {
		am, err := r.fields(an, "Keys.Asymmetric", localAsymFields...)
		if err != nil {
			return nil, err
		}
		for _, field := range localAsymFields {
			ks, err := r.localList(am[field], "Keys.Asymmetric."+field, r.localPair)
			if err != nil {
				return nil, err
			}
			out = append(out, ks...)
		}
	}
	return out, nil
}

// localList reads a list of keys with one reader per item.
func (r reader) localList(n *yaml.Node, field string, one func(*yaml.Node) (Key, error)) ([]Key, error) {
	items, err := r.seq(n, field)
	if err != nil {
		return nil, err
	}
	out := make([]Key, 0, len(items))
	for _, it := range items {
		k, err := one(it)
		if err != nil {
			for i := range out {
				out[i].wipe()
			}
			return nil, err
		}
		out = append(out, k)
	}
	return out, nil
}

// localMetadata reads a key's Metadata into k.
func (r reader) localMetadata(n *yaml.Node, m map[string]*yaml.Node, k *Key) error {
	mn, ok := m["Metadata"]
	if !ok {
		return r.errorf(n, "Metadata is required")
	}
	md, err := r.fields(mn, "Metadata", localMetadataFields...)
	if err != nil {
		return err
	}
	if k.ID, err = r.required(mn, md, "KeyId"); err != nil {
		return err
	}
	if k.Description, err = r.optStr(md, "Description"); err != nil {
		return err
	}
	if k.Usage, err = r.strOr(md, "KeyUsage"); err != nil {
		return err
	}
	if k.Origin, err = r.strOr(md, "Origin"); err != nil {
		return err
	}
	if en, ok := md["Enabled"]; ok {
		b, err := r.boolean(en, "Enabled")
		if err != nil {
			return err
		}
		k.Enabled = &b
	}
	return nil
}

// localAes reads an AES key. More than one backing key is a key that has
// been rotated: the last is current, the earlier ones still decrypt.
// NextKeyRotation turns automatic rotation on, due at that date.
func (r reader) localAes(n *yaml.Node) (Key, error) {
	m, err := r.fields(n, "an Aes key", localAesFields...)
	if err != nil {
		return Key{}, err
	}
	k := Key{Pos: r.pos(n), Spec: "SYMMETRIC_DEFAULT"}
	if err := r.localMetadata(n, m, &k); err != nil {
		return Key{}, err
	}
	backing, err := r.seq(m["BackingKeys"], "BackingKeys")
	if err != nil {
		return Key{}, err
	}
	if len(backing) == 0 && k.Origin != "EXTERNAL" {
		// local-kms: "At least one backing key must be supplied".
		return Key{}, r.errorf(n, "key %s: BackingKeys needs at least one backing key (only an EXTERNAL key may have none)", k.ID)
	}
	if len(backing) > 1 && k.Origin == "EXTERNAL" {
		return Key{}, r.errorf(m["BackingKeys"], "key %s: an EXTERNAL key has at most one backing key", k.ID)
	}
	for _, bn := range backing {
		mat, err := r.hexMaterial(bn)
		if err != nil {
			k.wipe()
			return Key{}, err
		}
		k.Materials = append(k.Materials, mat)
	}
	if nn, ok := m["NextKeyRotation"]; ok && !isNull(nn) {
		next, err := r.timestamp(nn, "NextKeyRotation")
		if err != nil {
			k.wipe()
			return Key{}, err
		}
		k.Rotation = &Rotation{Pos: r.pos(nn), Enabled: true, Next: next}
	}
	return k, nil
}

// localPair reads an RSA or ECC key; its spec is that of the PEM key.
func (r reader) localPair(n *yaml.Node) (Key, error) {
	m, err := r.fields(n, "an asymmetric key", localPairFields...)
	if err != nil {
		return Key{}, err
	}
	k := Key{Pos: r.pos(n)}
	if err := r.localMetadata(n, m, &k); err != nil {
		return Key{}, err
	}
	if k.Usage == "" {
		// local-kms: "KeyUsage ... is mandatory" for RSA and ECC keys.
		return Key{}, r.errorf(n, "key %s: Metadata.KeyUsage is required for an asymmetric key", k.ID)
	}
	text, err := r.required(n, m, "PrivateKeyPem")
	if err != nil {
		return Key{}, err
	}
	mat, err := r.pemMaterial(m["PrivateKeyPem"], text, "PrivateKeyPem")
	if err != nil {
		return Key{}, err
	}
	k.Materials = []Material{mat}
	return k, nil
}
