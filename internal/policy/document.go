package policy

// Document is a parsed key policy. It is built by Parse and checked by
// Validate; the evaluator reads it as it is, so every list keeps the order of
// the policy text and every value is kept as written (no case folding, no
// expansion of account IDs to root ARNs).
type Document struct {
	// Version is "" when the policy has no Version element.
	Version string
	// ID is the optional Id element.
	ID string
	// Statements holds the Statement element, whether the policy wrote it
	// as one object or as a list.
	Statements []Statement
}

// Statement is one policy statement.
//
// Element lists (Action, Resource, ...) are nil when the element is absent
// and non-nil when present, even if the policy wrote an empty list, so that
// Validate can tell "missing" from "both present". A policy that passed
// Validate has exactly one non-empty list of each pair.
type Statement struct {
	// Sid is "" when absent. Key policy Sids may contain spaces, unlike
	// IAM policy Sids (key-policy-overview, "Key policy format").
	Sid    string
	Effect Effect

	// Exactly one of Principal and NotPrincipal is non-nil in a valid
	// key policy: every key policy statement needs a principal.
	Principal    *Principal
	NotPrincipal *Principal

	Action      []string
	NotAction   []string
	Resource    []string
	NotResource []string

	// Condition lists one entry per (operator, key) pair in the order of
	// the policy text. All entries must hold for the statement to apply.
	Condition []Condition
}

// Effect is a statement's Effect element.
type Effect string

// Effects. The zero value is invalid: a statement without an Effect is
// refused by Validate.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Principal is a Principal or NotPrincipal element.
//
// "Principal": "*" sets All. Note that {"AWS": "*"} means the same thing in
// IAM (reference_policies_elements_principal.html, "All principals"); it is
// kept as written, in AWS, and the evaluator must treat both forms alike.
type Principal struct {
	All           bool
	AWS           []string
	Service       []string
	Federated     []string
	CanonicalUser []string
}

// empty reports whether p names nobody, as in {} or {"AWS": []}.
func (p *Principal) empty() bool {
	return !p.All && len(p.AWS) == 0 && len(p.Service) == 0 &&
		len(p.Federated) == 0 && len(p.CanonicalUser) == 0
}

// Condition is one condition: an operator applied to one context key and a
// list of policy values, e.g. StringEquals kms:ViaService
// ["ec2.us-east-1.amazonaws.com"].
type Condition struct {
	Operator Operator
	// Key is the condition key as written. IAM compares condition key
	// names case-insensitively (reference_policies_elements_condition.html).
	Key string
	// Values holds the policy values. JSON numbers keep their literal text
	// ("10", "1.5e3") and booleans become "true" or "false", as IAM
	// compares them as strings.
	Values []string
}
