package policy

import "strings"

// Operator is a condition operator such as "ForAnyValue:StringLikeIfExists",
// split into the parts the evaluator needs.
//
// The names come from "IAM JSON policy elements: Condition operators"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html)
// and the set qualifiers from "Multivalued context keys"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html).
type Operator struct {
	// Name is the operator exactly as written in the policy.
	Name string
	// Base is the operator without qualifier or IfExists, e.g. "StringLike".
	Base string
	// Set says how a multivalued context key is compared.
	Set SetQualifier
	// IfExists makes the condition true when the key is absent from the
	// request context.
	IfExists bool
}

// SetQualifier is the ForAnyValue:/ForAllValues: prefix of an operator.
type SetQualifier int

// Set qualifiers. The zero value is invalid; an operator without a prefix
// has SingleValued.
const (
	SingleValued SetQualifier = iota + 1
	ForAnyValue
	ForAllValues
)

const (
	forAnyValuePrefix  = "ForAnyValue:"
	forAllValuesPrefix = "ForAllValues:"
	ifExistsSuffix     = "IfExists"
)

// baseOperators are the operator names IAM defines. Names are matched
// exactly: IAM spells them in this case and a policy with another spelling
// is more likely a mistake than an intent.
var baseOperators = map[string]bool{
	"StringEquals":              true,
	"StringNotEquals":           true,
	"StringEqualsIgnoreCase":    true,
	"StringNotEqualsIgnoreCase": true,
	"StringLike":                true,
	"StringNotLike":             true,
	"NumericEquals":             true,
	"NumericNotEquals":          true,
	"NumericLessThan":           true,
	"NumericLessThanEquals":     true,
	"NumericGreaterThan":        true,
	"NumericGreaterThanEquals":  true,
	"DateEquals":                true,
	"DateNotEquals":             true,
	"DateLessThan":              true,
	"DateLessThanEquals":        true,
	"DateGreaterThan":           true,
	"DateGreaterThanEquals":     true,
	"Bool":                      true,
	"BinaryEquals":              true,
	"IpAddress":                 true,
	"NotIpAddress":              true,
	"ArnEquals":                 true,
	"ArnLike":                   true,
	"ArnNotEquals":              true,
	"ArnNotLike":                true,
	"Null":                      true,
}

// ParseOperator splits an operator name into its parts. It reports false
// for a name IAM does not define. IfExists may follow any operator except
// Null, which is itself an existence test (condition operators page,
// "...IfExists condition operators").
func ParseOperator(name string) (Operator, bool) {
	op := Operator{Name: name, Set: SingleValued}
	rest := name
	switch {
	case strings.HasPrefix(rest, forAnyValuePrefix):
		op.Set, rest = ForAnyValue, rest[len(forAnyValuePrefix):]
	case strings.HasPrefix(rest, forAllValuesPrefix):
		op.Set, rest = ForAllValues, rest[len(forAllValuesPrefix):]
	}
	if base, ok := strings.CutSuffix(rest, ifExistsSuffix); ok && base != "Null" {
		op.IfExists, rest = true, base
	}
	if !baseOperators[rest] {
		return Operator{}, false
	}
	op.Base = rest
	return op, true
}

// valid reports whether op is what ParseOperator would return for op.Name,
// so that a Document built by hand cannot smuggle in a bogus operator.
func (op Operator) valid() bool {
	p, ok := ParseOperator(op.Name)
	return ok && p == op
}
