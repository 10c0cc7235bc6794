package policy

import "strings"

// Mentions reports whether a condition of p reads the condition key name,
// or, when name ends in '/' or ':' ("aws:ResourceTag/",
// "kms:EncryptionContext:"), any key under that prefix. Names compare
// case-insensitively, as condition key names do, and without allocating.
//
// A key that no condition mentions cannot change a decision, so the
// service sets only the keys the policies in play mention: under the
// default key policy, which has no condition, a request builds no context
// at all, and keys that cost a store read (kms:ResourceAliases,
// aws:ResourceTag/*) are read only for a policy that uses them.
func (p *Policy) Mentions(name string) bool {
	if p == nil {
		return false
	}
	prefix := strings.HasSuffix(name, "/") || strings.HasSuffix(name, ":")
	for i := range p.statements {
		for _, c := range p.statements[i].conditions {
			if strings.EqualFold(c.key, name) ||
				prefix && len(c.key) > len(name) && strings.EqualFold(c.key[:len(name)], name) {
				return true
			}
		}
	}
	return false
}
