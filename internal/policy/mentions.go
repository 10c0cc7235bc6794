package policy

import "strings"

// Mentions reports whether a condition of p reads the condition key name,
// or, when name ends in '/', any key under that prefix
// ("aws:ResourceTag/"). Names compare case-insensitively, as condition key
// names do. The service asks before it sets keys that cost a store read
// (kms:ResourceAliases, aws:ResourceTag/*), so that a request pays for
// them only under a policy that uses them.
func (p *Policy) Mentions(name string) bool {
	if p == nil {
		return false
	}
	name = canonicalKey(name)
	prefix := strings.HasSuffix(name, "/")
	for i := range p.statements {
		for _, c := range p.statements[i].conditions {
			if c.key == name || prefix && strings.HasPrefix(c.key, name) {
				return true
			}
		}
	}
	return false
}
