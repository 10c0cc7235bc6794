package policy

import (
	"strings"

	"github.com/trent-kms/trent/internal/kmserr"
)

// Policy language versions IAM accepts
// (reference_policies_elements_version.html). Key policies may also omit
// Version; AWS's own older key policies use 2008-10-17.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Validate applies the rules of a key policy to a parsed document and
// returns the first fault as a *kmserr.Error of code
// MalformedPolicyDocumentException, or nil. It is deterministic: statements
// are checked in order, and within one statement Effect, principals,
// actions, resources and conditions in that order.
//
// Rules (key-policy-overview.html, "Elements in a key policy"): at least one
// statement; each has Effect Allow or Deny, a Principal or NotPrincipal,
// an Action or NotAction, and a Resource or NotResource; Sids are unique.
//
// Missing Action or Resource is refused, as the KMS console does. Note that
// the PutKeyPolicy API reference says the API itself accepts such a
// statement and gives it no effect; refusing is the stricter choice.
func (d *Document) Validate() error {
	if err := d.validate(); err != nil {
		return err
	}
	return nil
}

// validate returns a typed pointer; Validate converts a nil one to a nil
// error interface.
func (d *Document) validate() *kmserr.Error {
	return d.validateStatements((*Statement).validate)
}

// validateStatements applies the document-level rules (version, at least
// one statement, unique Sids) and check to every statement, in order.
func (d *Document) validateStatements(check func(*Statement) *kmserr.Error) *kmserr.Error {
	if d.Version != "" && d.Version != Version2012 && d.Version != Version2008 {
		return malformed(msgVersion)
	}
	if len(d.Statements) == 0 {
		return malformed(msgNoStatements)
	}
	sids := make(map[string]bool, len(d.Statements))
	for i := range d.Statements {
		st := &d.Statements[i]
		if err := check(st); err != nil {
			return err
		}
		// IAM refuses repeated Sids (reference_policies_elements_sid.html
		// says they must be unique within a policy); an empty Sid is
		// treated as absent.
		if st.Sid != "" {
			if sids[st.Sid] {
				return malformed(msgDuplicateSid)
			}
			sids[st.Sid] = true
		}
	}
	return nil
}

func (st *Statement) validate() *kmserr.Error {
	if st.Effect != Allow && st.Effect != Deny {
		return malformed(msgEffect)
	}
	if err := st.validatePrincipals(); err != nil {
		return err
	}
	if err := st.validateActions(); err != nil {
		return err
	}
	if err := st.validateResources(); err != nil {
		return err
	}
	return st.validateConditions()
}

// validatePrincipals: "Each statement in the key policy must contain one or
// more principals" (PutKeyPolicy, Policy parameter).
func (st *Statement) validatePrincipals() *kmserr.Error {
	p := st.Principal
	switch {
	case st.Principal != nil && st.NotPrincipal != nil:
		return malformed(msgBothPrincipals)
	case p == nil:
		p = st.NotPrincipal
	}
	if p == nil || p.empty() {
		return malformed(msgNoPrincipal)
	}
	if !p.valid() {
		return malformed(msgInvalidPrincipals)
	}
	return nil
}

func (st *Statement) validateActions() *kmserr.Error {
	if st.Action != nil && st.NotAction != nil {
		return malformed(msgBothActions)
	}
	actions := st.Action
	if actions == nil {
		actions = st.NotAction
	}
	if len(actions) == 0 {
		return malformed(msgNoActions)
	}
	for _, a := range actions {
		if err := validateAction(a); err != nil {
			return err
		}
	}
	return nil
}

// validateAction accepts "*" and "vendor:name" patterns. Key policies may
// name other services' actions (they have no effect on a KMS key but are
// accepted), so the vendor is checked for form only. The texts for a
// missing vendor and an extra colon are IAM's.
func validateAction(a string) *kmserr.Error {
	if a == "*" {
		return nil
	}
	vendor, name, ok := strings.Cut(a, ":")
	switch {
	case !ok:
		return malformed(msgNoVendor)
	case strings.Contains(name, ":"):
		return malformed(msgOneColon)
	case !(vendor == "*" || allOf(vendor, isVendorChar)) || name == "" || !allOf(name, isActionChar):
		return malformed(msgBadAction, a)
	}
	return nil
}

func (st *Statement) validateResources() *kmserr.Error {
	if st.Resource != nil && st.NotResource != nil {
		return malformed(msgBothResources)
	}
	resources := st.Resource
	if resources == nil {
		resources = st.NotResource
	}
	if len(resources) == 0 {
		return malformed(msgNoResources)
	}
	for _, r := range resources {
		if !validResource(r) {
			return malformed(msgBadResource, r)
		}
	}
	return nil
}

// validResource accepts "*" (in a key policy: this KMS key) or an ARN with
// all six parts, where the partition and service may not be empty
// (reference_policies_elements_resource.html). Wildcards are allowed.
func validResource(r string) bool {
	if r == "*" {
		return true
	}
	parts := strings.SplitN(r, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[1] != "" && parts[2] != ""
}

// validateConditions re-checks what Parse already guarantees, so that a
// Document built in code is held to the same rules as a parsed one.
func (st *Statement) validateConditions() *kmserr.Error {
	for _, c := range st.Condition {
		if !c.Operator.valid() {
			return malformed(msgUnknownOperator, c.Operator.Name)
		}
		if c.Key == "" {
			return syntax("Condition operator %q has an empty condition key.", c.Operator.Name)
		}
		if len(c.Values) == 0 {
			return syntax("Condition key %q must have a value or a non-empty list of values.", c.Key)
		}
	}
	return nil
}

func allOf(s string, ok func(byte) bool) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// isVendorChar follows IAM's service prefixes (letters, digits, '-', '.').
func isVendorChar(c byte) bool { return isAlnum(c) || c == '-' || c == '.' }

// isActionChar allows action names and the * and ? wildcards
// (reference_policies_elements_action.html).
func isActionChar(c byte) bool {
	return isAlnum(c) || c == '*' || c == '?' || c == '-' || c == '_'
}
