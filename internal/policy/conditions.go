package policy

import (
	"encoding/base64"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// A condition is compiled once: its key canonicalised, its policy values
// parsed for the operator (numbers, dates, CIDRs, ARNs, base64). A policy
// value that does not parse for its operator (a bad CIDR, "ten" for
// NumericEquals) is dropped: it can never match. AWS rejects some of these
// when a policy is stored and evaluates others as non-matching; KMS
// documents neither, and Validate does not refuse them, so "never matches"
// is the choice that cannot widen access through an Allow. For a negated
// operator the dropped value simply takes no part in the "none of them"
// test.
//
// Semantics, from "IAM JSON policy elements: Condition operators" and
// "Conditions with multiple context keys or values":
//   - all conditions of a statement must hold (AND);
//   - the policy values of one condition are ORed; for a negated operator
//     (StringNotEquals, NotIpAddress, ArnNotLike, ...) they are NORed: the
//     request value must match none of them;
//   - "If the key that you specify in a policy condition is not present in
//     the request context, the values do not match and the condition is
//     false. If the policy condition requires that the key is not matched,
//     such as StringNotLike or ArnNotLike, and the right key is not present,
//     the condition is true. This logic applies to all condition operators
//     except ...IfExists and Null check";
//   - ...IfExists: true when the key is absent, else the operator;
//   - Null "true": the key is absent; "false": it is present;
//   - ForAnyValue: some request value satisfies the operator (false on an
//     absent or empty key); ForAllValues: every request value does (true on
//     an absent or empty key).
//
// A single-valued operator given several request values (a multivalued key
// without a set qualifier, which IAM says not to write) is true for a
// positive operator when any request value matches, and for a negated one
// when none does: the negated operator stays the exact opposite of its
// positive twin.

// opKind is the comparison a base operator makes, without its negation.
type opKind uint8

const (
	opStringEquals opKind = iota + 1
	opStringEqualsIgnoreCase
	opStringLike
	opNumericEquals
	opNumericLessThan
	opNumericLessThanEquals
	opNumericGreaterThan
	opNumericGreaterThanEquals
	opDateEquals
	opDateLessThan
	opDateLessThanEquals
	opDateGreaterThan
	opDateGreaterThanEquals
	opBool
	opBinaryEquals
	opIPAddress
	opArnLike
	opNull
)

// baseKinds maps each base operator to its comparison and negation.
var baseKinds = map[string]struct {
	kind    opKind
	negated bool
}{
	"StringEquals":              {opStringEquals, false},
	"StringNotEquals":           {opStringEquals, true},
	"StringEqualsIgnoreCase":    {opStringEqualsIgnoreCase, false},
	"StringNotEqualsIgnoreCase": {opStringEqualsIgnoreCase, true},
	"StringLike":                {opStringLike, false},
	"StringNotLike":             {opStringLike, true},
	"NumericEquals":             {opNumericEquals, false},
	"NumericNotEquals":          {opNumericEquals, true},
	"NumericLessThan":           {opNumericLessThan, false},
	"NumericLessThanEquals":     {opNumericLessThanEquals, false},
	"NumericGreaterThan":        {opNumericGreaterThan, false},
	"NumericGreaterThanEquals":  {opNumericGreaterThanEquals, false},
	"DateEquals":                {opDateEquals, false},
	"DateNotEquals":             {opDateEquals, true},
	"DateLessThan":              {opDateLessThan, false},
	"DateLessThanEquals":        {opDateLessThanEquals, false},
	"DateGreaterThan":           {opDateGreaterThan, false},
	"DateGreaterThanEquals":     {opDateGreaterThanEquals, false},
	"Bool":                      {opBool, false},
	"BinaryEquals":              {opBinaryEquals, false},
	"IpAddress":                 {opIPAddress, false},
	"NotIpAddress":              {opIPAddress, true},
	"ArnEquals":                 {opArnLike, false},
	"ArnLike":                   {opArnLike, false},
	"ArnNotEquals":              {opArnLike, true},
	"ArnNotLike":                {opArnLike, true},
	"Null":                      {opNull, false},
}

// compiledCondition is one Condition, ready to evaluate. Only the value
// slice for its kind is set.
type compiledCondition struct {
	key      string // canonical (lower case)
	kind     opKind
	negated  bool
	set      SetQualifier
	ifExists bool

	strs     []string // String*, Bool (lower case)
	nums     []float64
	times    []time.Time
	binaries []string // decoded bytes
	prefixes []netip.Prefix
	arns     []arnPattern
	nulls    []bool // Null: true means "must be absent"
}

// compileCondition returns ok false for an operator the evaluator does not
// know, which only a Document that skipped Validate can hold; the caller
// makes such a statement never apply.
func compileCondition(c Condition) (compiledCondition, bool) {
	bk, ok := baseKinds[c.Operator.Base]
	if !ok {
		return compiledCondition{}, false
	}
	cc := compiledCondition{
		key:      canonicalKey(c.Key),
		kind:     bk.kind,
		negated:  bk.negated,
		set:      c.Operator.Set,
		ifExists: c.Operator.IfExists,
	}
	for _, v := range c.Values {
		switch cc.kind {
		case opStringEquals, opStringEqualsIgnoreCase, opStringLike:
			cc.strs = append(cc.strs, v)
		case opBool:
			cc.strs = append(cc.strs, strings.ToLower(v))
		case opNumericEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
			if n, ok := parseNumber(v); ok {
				cc.nums = append(cc.nums, n)
			}
		case opDateEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
			if t, ok := parseDate(v); ok {
				cc.times = append(cc.times, t)
			}
		case opBinaryEquals:
			if b, err := base64.StdEncoding.DecodeString(v); err == nil {
				cc.binaries = append(cc.binaries, string(b))
			}
		case opIPAddress:
			if p, ok := parseCIDR(v); ok {
				cc.prefixes = append(cc.prefixes, p)
			}
		case opArnLike:
			if a, ok := splitARN(v); ok {
				cc.arns = append(cc.arns, a)
			}
		case opNull:
			switch strings.ToLower(v) {
			case "true":
				cc.nulls = append(cc.nulls, true)
			case "false":
				cc.nulls = append(cc.nulls, false)
			}
		}
	}
	return cc, true
}

// holds evaluates the condition against the request context.
func (cc *compiledCondition) holds(ctx *Context) bool {
	values, present := ctx.lookup(cc.key)
	if cc.kind == opNull {
		for _, wantAbsent := range cc.nulls {
			if wantAbsent != present {
				return true
			}
		}
		return false
	}
	if !present {
		switch {
		case cc.ifExists:
			return true
		case cc.set == ForAllValues:
			return true
		case cc.set == ForAnyValue:
			return false
		default:
			return cc.negated
		}
	}
	switch cc.set {
	case ForAnyValue:
		for _, v := range values {
			if cc.matchesAny(v) != cc.negated {
				return true
			}
		}
		return false
	case ForAllValues:
		for _, v := range values {
			if cc.matchesAny(v) == cc.negated {
				return false
			}
		}
		return true
	default:
		for _, v := range values {
			if cc.matchesAny(v) {
				return !cc.negated
			}
		}
		return cc.negated
	}
}

// matchesAny reports whether the request value v matches at least one
// policy value under the positive form of the operator.
func (cc *compiledCondition) matchesAny(v string) bool {
	switch cc.kind {
	case opStringEquals:
		for _, p := range cc.strs {
			if v == p {
				return true
			}
		}
	case opStringEqualsIgnoreCase:
		for _, p := range cc.strs {
			if strings.EqualFold(v, p) {
				return true
			}
		}
	case opStringLike:
		for _, p := range cc.strs {
			if globMatch(p, v, false) {
				return true
			}
		}
	case opBool:
		for _, p := range cc.strs {
			if strings.EqualFold(v, p) {
				return true
			}
		}
	case opNumericEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
		n, ok := parseNumber(v)
		if !ok {
			return false
		}
		for _, p := range cc.nums {
			if compareHolds(cc.kind, cmpFloat(n, p)) {
				return true
			}
		}
	case opDateEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
		t, ok := parseDate(v)
		if !ok {
			return false
		}
		for _, p := range cc.times {
			if compareHolds(cc.kind, t.Compare(p)) {
				return true
			}
		}
	case opBinaryEquals:
		// The request value is base64 too (IAM: "compare ... to a
		// base-64 encoded representation"); compare the bytes, so that
		// padding or encoding variants of the same bytes agree.
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return false
		}
		for _, p := range cc.binaries {
			if string(b) == p {
				return true
			}
		}
	case opIPAddress:
		a, err := netip.ParseAddr(v)
		if err != nil {
			return false
		}
		a = a.Unmap()
		for _, p := range cc.prefixes {
			if p.Contains(a) {
				return true
			}
		}
	case opArnLike:
		for i := range cc.arns {
			if arnMatch(&cc.arns[i], v) {
				return true
			}
		}
	}
	return false
}

// compareHolds reports whether a comparison result c (request value versus
// policy value: -1 less, 0 equal, 1 greater) satisfies the operator.
func compareHolds(kind opKind, c int) bool {
	switch kind {
	case opNumericEquals, opDateEquals:
		return c == 0
	case opNumericLessThan, opDateLessThan:
		return c < 0
	case opNumericLessThanEquals, opDateLessThanEquals:
		return c <= 0
	case opNumericGreaterThan, opDateGreaterThan:
		return c > 0
	case opNumericGreaterThanEquals, opDateGreaterThanEquals:
		return c >= 0
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// parseNumber reads an integer or decimal number. NaN and infinities are
// not numbers a policy can mean.
func parseNumber(s string) (float64, bool) {
	n, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return 0, false
	}
	return n, true
}

// dateLayouts are the ISO 8601 forms IAM's date operators accept
// ("2020-01-01T00:00:00Z" in the docs' examples, a date alone, and times
// with an offset or fractional seconds). A time without a zone is taken
// as UTC, as AWS's own values always are.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02",
}

// parseDate reads an ISO 8601 date or time, or epoch seconds ("You can
// also use epoch (UNIX) time", condition operators, Date condition
// operators), as aws:EpochTime gives them.
func parseDate(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if isEpoch(s) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		return time.Unix(n, 0).UTC(), true
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func isEpoch(s string) bool {
	if s[0] == '-' {
		s = s[1:]
	}
	return allOf(s, func(c byte) bool { return c >= '0' && c <= '9' })
}

// parseCIDR reads a CIDR block or a single address (which IAM treats as
// the /32 or /128 block of that address), IPv4 or IPv6.
func parseCIDR(s string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			if !p.IsValid() {
				return netip.Prefix{}, false
			}
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}
