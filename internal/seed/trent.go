package seed

import (
	"sort"

	"go.yaml.in/yaml/v3"
)

var (
	setFields      = []string{"account", "region", "keys", "aliases"}
	keyFields      = []string{"id", "description", "spec", "usage", "origin", "material", "enabled", "policy", "tags", "rotation", "aliases"}
	aliasFields    = []string{"name", "target"}
	rotationFields = []string{"enabled", "periodInDays"}
)

// trent reads Trent's format: a list of accounts, or the fields of one
// account at the top level.
func (r reader) trent(top *yaml.Node, d Defaults) ([]Set, error) {
	m, err := r.fields(top, "the seed file", append([]string{"accounts"}, setFields...)...)
	if err != nil {
		return nil, err
	}
	accounts, ok := m["accounts"]
	if !ok {
		s, err := r.set(top, d, "the seed file")
		if err != nil {
			return nil, err
		}
		return []Set{s}, nil
	}
	for _, f := range setFields {
		if n, both := m[f]; both {
			return nil, r.errorf(n, "%s cannot be given at the top level next to accounts; put it in an entry of accounts", f)
		}
	}
	items, err := r.seq(accounts, "accounts")
	if err != nil {
		return nil, err
	}
	sets := make([]Set, 0, len(items))
	for _, it := range items {
		s, err := r.set(it, d, "an entry of accounts")
		if err != nil {
			return nil, err
		}
		sets = append(sets, s)
	}
	return sets, nil
}

// set reads one account's keys and aliases.
func (r reader) set(n *yaml.Node, d Defaults, what string) (Set, error) {
	m, err := r.fields(n, what, setFields...)
	if err != nil {
		return Set{}, err
	}
	s := Set{Pos: r.pos(n), Account: d.Account, Region: d.Region}
	if a, err := r.strOr(m, "account"); err != nil {
		return Set{}, err
	} else if a != "" {
		s.Account = a
	}
	if reg, err := r.strOr(m, "region"); err != nil {
		return Set{}, err
	} else if reg != "" {
		s.Region = reg
	}
	keys, err := r.seq(m["keys"], "keys")
	if err != nil {
		return Set{}, err
	}
	for _, kn := range keys {
		k, aliases, err := r.trentKey(kn)
		if err != nil {
			return Set{}, err
		}
		s.Keys = append(s.Keys, k)
		s.Aliases = append(s.Aliases, aliases...)
	}
	aliases, err := r.seq(m["aliases"], "aliases")
	if err != nil {
		return Set{}, err
	}
	for _, an := range aliases {
		am, err := r.fields(an, "an alias", aliasFields...)
		if err != nil {
			return Set{}, err
		}
		a := Alias{Pos: r.pos(an)}
		if a.Name, err = r.required(an, am, "name"); err != nil {
			return Set{}, err
		}
		if a.Target, err = r.required(an, am, "target"); err != nil {
			return Set{}, err
		}
		s.Aliases = append(s.Aliases, a)
	}
	return s, nil
}

// required reads a string field that must be there.
func (r reader) required(n *yaml.Node, m map[string]*yaml.Node, field string) (string, error) {
	v, ok := m[field]
	if !ok {
		return "", r.errorf(n, "%s is required", field)
	}
	return r.str(v, field)
}

// trentKey reads one key and the aliases given with it.
func (r reader) trentKey(n *yaml.Node) (Key, []Alias, error) {
	m, err := r.fields(n, "a key", keyFields...)
	if err != nil {
		return Key{}, nil, err
	}
	k := Key{Pos: r.pos(n)}
	if k.ID, err = r.required(n, m, "id"); err != nil {
		return Key{}, nil, err
	}
	if k.Description, err = r.optStr(m, "description"); err != nil {
		return Key{}, nil, err
	}
	for field, dst := range map[string]*string{"spec": &k.Spec, "usage": &k.Usage, "origin": &k.Origin} {
		if *dst, err = r.strOr(m, field); err != nil {
			return Key{}, nil, err
		}
	}
	if mn, ok := m["material"]; ok {
		items, err := r.strList(mn, "material")
		if err != nil {
			return Key{}, nil, err
		}
		for _, it := range items {
			mat, err := r.material(it)
			if err != nil {
				k.wipe()
				return Key{}, nil, err
			}
			k.Materials = append(k.Materials, mat)
		}
	}
	if err := r.trentKeySettings(m, &k); err != nil {
		k.wipe()
		return Key{}, nil, err
	}
	var aliases []Alias
	if an, ok := m["aliases"]; ok {
		items, err := r.strList(an, "aliases")
		if err != nil {
			k.wipe()
			return Key{}, nil, err
		}
		for _, it := range items {
			aliases = append(aliases, Alias{Pos: r.pos(it), Name: it.Value, Target: k.ID})
		}
	}
	return k, aliases, nil
}

// trentKeySettings reads enabled, policy, tags and rotation.
func (r reader) trentKeySettings(m map[string]*yaml.Node, k *Key) error {
	if en, ok := m["enabled"]; ok {
		b, err := r.boolean(en, "enabled")
		if err != nil {
			return err
		}
		k.Enabled = &b
	}
	if pn, ok := m["policy"]; ok {
		p, err := r.policy(pn)
		if err != nil {
			return err
		}
		k.Policy = p
	}
	if tn, ok := m["tags"]; ok && !isNull(tn) {
		if tn.Kind != yaml.MappingNode {
			return r.errorf(tn, "tags must be a mapping of tag keys to values")
		}
		for i := 0; i+1 < len(tn.Content); i += 2 {
			kn, vn := tn.Content[i], resolve(tn.Content[i+1])
			tk, err := r.str(kn, "a tag key")
			if err != nil {
				return err
			}
			tv, err := r.str(vn, "the value of tag "+tk)
			if err != nil {
				return err
			}
			k.Tags = append(k.Tags, Tag{Key: tk, Value: tv})
		}
		// A mapping's order means nothing; a stable one keeps errors and
		// records the same from run to run.
		sort.SliceStable(k.Tags, func(i, j int) bool { return k.Tags[i].Key < k.Tags[j].Key })
	}
	if rn, ok := m["rotation"]; ok {
		rm, err := r.fields(rn, "rotation", rotationFields...)
		if err != nil {
			return err
		}
		rot := &Rotation{Pos: r.pos(rn), Enabled: true}
		if en, ok := rm["enabled"]; ok {
			if rot.Enabled, err = r.boolean(en, "rotation.enabled"); err != nil {
				return err
			}
		}
		if pn, ok := rm["periodInDays"]; ok {
			p, err := r.integer(pn, "rotation.periodInDays")
			if err != nil {
				return err
			}
			rot.PeriodInDays = &p
		}
		k.Rotation = rot
	}
	return nil
}

func (k *Key) wipe() {
	for _, m := range k.Materials {
		m.Bytes.Wipe()
	}
}
