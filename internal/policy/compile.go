package policy

import (
	"strconv"
	"strings"
)

// Policy is a compiled policy document: built once (per key-policy revision
// or identities-file load) and evaluated many times, concurrently. It is
// read-only after Compile, so it needs no locking.
type Policy struct {
	statements []compiledStatement
	// identity is set for an identity-based policy, whose statements
	// name no principal: they apply to the identity they are attached to.
	identity bool
}

// compiledStatement is a Statement with everything that can be decided
// once already decided: principals sorted into kinds, resource ARNs split,
// condition keys canonicalised and policy values parsed.
type compiledStatement struct {
	name   string // Sid, or "Statement[i]"
	effect Effect
	// never is set for a statement that can apply to no request: an
	// Effect other than Allow or Deny, or an unknown condition operator.
	// Only a Document that skipped Validate holds one.
	never bool

	// principals is nil in an identity-based policy, whose statements
	// apply to the identity the policy is attached to.
	principals   *principalSet
	notPrincipal bool

	actions   []actionPattern
	notAction bool

	resources   []resourcePattern
	notResource bool

	conditions []compiledCondition
}

// actionPattern is one Action or NotAction entry. Most entries are plain
// names ("kms:Decrypt"), compared without the wildcard matcher.
type actionPattern struct {
	text     string
	wildcard bool
	// ascii: a plain ASCII name can only equal an action of the same
	// length, which rules most entries out at once.
	ascii bool
}

func compileAction(a string) actionPattern {
	return actionPattern{text: a, wildcard: hasWildcard(a), ascii: isASCII(a)}
}

func (ap *actionPattern) matches(action string) bool {
	switch {
	case ap.wildcard:
		return ap.text == "*" || globMatch(ap.text, action, true)
	case ap.ascii && len(ap.text) != len(action):
		return false
	default:
		// IAM action names are not case-sensitive.
		return strings.EqualFold(ap.text, action)
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// resourcePattern is one Resource or NotResource entry.
type resourcePattern struct {
	any bool // "*": in a key policy, "this KMS key"
	arn arnPattern
	// whole is set when the entry is not a six-part ARN (only in a
	// Document that skipped Validate): it is then matched as one pattern.
	whole string
	isARN bool
}

// Compile builds the evaluator's form of d. d should have passed Validate
// (or validateIdentity); Compile does not fail on one that did not, but a
// statement it cannot make sense of never applies. Compile does not keep
// d: later changes to d do not reach the Policy.
//
// Compile treats d as a resource-based policy (a key policy): a statement
// without Principal or NotPrincipal applies to nobody. CompileIdentity is
// the form for identity-based policies.
func Compile(d *Document) *Policy {
	return compile(d, false)
}

// CompileIdentity compiles an identity-based (IAM) policy that passed
// ParseIdentityPolicy's checks. A statement that names a principal, which
// an identity-based policy may not, applies to nobody.
func CompileIdentity(d *Document) *Policy {
	return compile(d, true)
}

func compile(d *Document, identity bool) *Policy {
	p := &Policy{identity: identity}
	if d == nil {
		return p
	}
	p.statements = make([]compiledStatement, 0, len(d.Statements))
	for i := range d.Statements {
		p.statements = append(p.statements, compileStatement(&d.Statements[i], i, identity))
	}
	return p
}

// CompileKeyPolicy parses and validates text as a key policy
// (ParseKeyPolicy, with its errors) and compiles it.
func CompileKeyPolicy(text string) (*Policy, error) {
	d, err := ParseKeyPolicy(text)
	if err != nil {
		return nil, err
	}
	return Compile(d), nil
}

func compileStatement(st *Statement, index int, identity bool) compiledStatement {
	cs := compiledStatement{
		name:   st.Sid,
		effect: st.Effect,
		never:  st.Effect != Allow && st.Effect != Deny,
	}
	if cs.name == "" {
		cs.name = "Statement[" + strconv.Itoa(index) + "]"
	}
	hasPrincipal := st.Principal != nil || st.NotPrincipal != nil
	if hasPrincipal == identity {
		cs.never = true
	}
	switch {
	case st.Principal != nil:
		cs.principals = compilePrincipals(st.Principal)
	case st.NotPrincipal != nil:
		cs.principals = compilePrincipals(st.NotPrincipal)
		cs.notPrincipal = true
	}
	actions := st.Action
	if actions == nil {
		actions = st.NotAction
		cs.notAction = true
	}
	for _, a := range actions {
		cs.actions = append(cs.actions, compileAction(a))
	}
	resources := st.Resource
	if resources == nil {
		resources = st.NotResource
		cs.notResource = true
	}
	// A statement without actions or resources has no effect (PutKeyPolicy
	// API reference); an empty NotAction must not be read as "every
	// action".
	if len(cs.actions) == 0 || len(resources) == 0 {
		cs.never = true
	}
	for _, r := range resources {
		cs.resources = append(cs.resources, compileResource(r))
	}
	for _, c := range st.Condition {
		cc, ok := compileCondition(c)
		if !ok {
			cs.never = true
			continue
		}
		cs.conditions = append(cs.conditions, cc)
	}
	return cs
}

func compileResource(r string) resourcePattern {
	if r == "*" {
		return resourcePattern{any: true}
	}
	if a, ok := splitARN(r); ok {
		return resourcePattern{arn: a, isARN: true}
	}
	return resourcePattern{whole: r}
}

func (rp *resourcePattern) matches(resource string) bool {
	switch {
	case rp.any:
		return true
	case rp.isARN:
		return arnMatch(&rp.arn, resource)
	default:
		return globMatch(rp.whole, resource, false)
	}
}
