package policy

// Subject is who asks.
type Subject struct {
	// ARN is the caller: arn:aws:iam::111122223333:user/alice,
	// arn:aws:iam::111122223333:root or
	// arn:aws:sts::111122223333:assumed-role/R/s.
	ARN string
	// PrincipalARN is aws:PrincipalArn: the role's ARN for a role
	// session, else ARN. A policy naming a role matches its sessions
	// through it.
	PrincipalARN string
	// Account is the caller's 12-digit account ID.
	Account string
	// Root is set for the account's root user.
	Root bool
	// Service is set when the subject is an AWS service principal (such
	// as "logs.amazonaws.com"), else "".
	Service string
}

// Request is one authorisation question: may Subject do Action on Resource
// with this Context?
type Request struct {
	Subject Subject
	// Action is the IAM action, such as "kms:Encrypt".
	Action string
	// Resource is the key ARN. A key policy's Resource "*" means this key.
	Resource string
	// Context holds the condition keys; nil is an empty context.
	Context *Context
}

// Decision is what one policy says about a request.
type Decision uint8

// Decisions. The zero value is NotApplicable, which allows nothing.
const (
	// NotApplicable: no statement applies (an implicit deny).
	NotApplicable Decision = iota
	// Allowed: an Allow statement applies and no Deny does.
	Allowed
	// Denied: a Deny statement applies (an explicit deny).
	Denied
)

func (d Decision) String() string {
	switch d {
	case NotApplicable:
		return "NotApplicable"
	case Allowed:
		return "Allowed"
	case Denied:
		return "Denied"
	}
	return "Decision(?)"
}

// Result is one policy's answer.
type Result struct {
	Decision Decision
	// ViaAccount is set when the request is Allowed and every Allow
	// statement that applied named the subject only through an account
	// principal (an account ID or its :root ARN). For KMS that delegates
	// to IAM: "the key policy must allow the account ... and IAM policies
	// must allow the principal" (AWS KMS developer guide, Key policies,
	// "Allows access to the AWS account and enables IAM policies"). It is
	// false when some Allow named the subject directly (its user or role
	// ARN, a service principal, or "*"), and in identity-based policies,
	// which have no principals.
	ViaAccount bool
	// Statement names the deciding statement (Sid, or "Statement[i]"):
	// the Deny that applied, or the Allow that decided (a direct one if
	// any). Empty when NotApplicable. For logs and tests.
	Statement string
}

// Evaluate applies the policy to r. An explicit Deny wins over any Allow
// ("Policy evaluation logic": "An explicit deny in any policy overrides
// any allows"); with neither, the result is NotApplicable. A nil Policy is
// NotApplicable. Evaluate does not allocate.
func (p *Policy) Evaluate(r *Request) Result {
	if p == nil || r == nil {
		return Result{}
	}
	var (
		allowed, direct bool
		allowedBy       string
	)
	for i := range p.statements {
		st := &p.statements[i]
		if st.never || !st.matchesAction(r.Action) {
			continue
		}
		m := st.matchesPrincipal(&r.Subject)
		if m == matchNone || !st.matchesResource(r.Resource) || !st.conditionsHold(r.Context) {
			continue
		}
		if st.effect == Deny {
			return Result{Decision: Denied, Statement: st.name}
		}
		if !allowed || m == matchDirect && !direct {
			allowedBy = st.name
		}
		allowed = true
		direct = direct || m == matchDirect
	}
	if !allowed {
		return Result{}
	}
	return Result{Decision: Allowed, ViaAccount: !direct, Statement: allowedBy}
}

func (st *compiledStatement) matchesAction(action string) bool {
	found := false
	for i := range st.actions {
		if st.actions[i].matches(action) {
			found = true
			break
		}
	}
	return found != st.notAction
}

func (st *compiledStatement) matchesPrincipal(s *Subject) principalMatch {
	switch {
	case st.principals == nil:
		// An identity-based policy: it applies to its identity.
		return matchDirect
	case st.notPrincipal:
		if st.principals.excludes(s) {
			return matchNone
		}
		return matchDirect
	default:
		return st.principals.match(s)
	}
}

func (st *compiledStatement) matchesResource(resource string) bool {
	found := false
	for i := range st.resources {
		if st.resources[i].matches(resource) {
			found = true
			break
		}
	}
	return found != st.notResource
}

func (st *compiledStatement) conditionsHold(ctx *Context) bool {
	for i := range st.conditions {
		if !st.conditions[i].holds(ctx) {
			return false
		}
	}
	return true
}
