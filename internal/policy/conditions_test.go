package policy

import "testing"

// cond compiles one condition as a policy would hold it.
func cond(t *testing.T, operator, key string, values ...string) compiledCondition {
	t.Helper()
	op, ok := ParseOperator(operator)
	if !ok {
		t.Fatalf("operator %q", operator)
	}
	cc, ok := compileCondition(Condition{Operator: op, Key: key, Values: values})
	if !ok {
		t.Fatalf("compileCondition(%q) failed", operator)
	}
	return cc
}

// ctxOf builds a Context from key, values... pairs; a key with a nil slice
// is left absent.
func ctxOf(pairs map[string][]string) *Context {
	c := &Context{}
	for k, v := range pairs {
		c.Set(k, v...)
	}
	return c
}

type condCase struct {
	name     string
	operator string
	key      string
	values   []string
	ctx      map[string][]string
	want     bool
}

func runCondCases(t *testing.T, cases []condCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cc := cond(t, tc.operator, tc.key, tc.values...)
			if got := cc.holds(ctxOf(tc.ctx)); got != tc.want {
				t.Errorf("%s %s %q against %v = %v, want %v", tc.operator, tc.key, tc.values, tc.ctx, got, tc.want)
			}
		})
	}
}

func TestStringOperators(t *testing.T) {
	svc := "kms:ViaService"
	ec2 := map[string][]string{svc: {"ec2.us-west-2.amazonaws.com"}}
	runCondCases(t, []condCase{
		{"StringEquals exact", "StringEquals", svc, []string{"ec2.us-west-2.amazonaws.com"}, ec2, true},
		{"StringEquals is case-sensitive on values", "StringEquals", svc, []string{"EC2.us-west-2.amazonaws.com"}, ec2, false},
		{"StringEquals values are ORed", "StringEquals", svc, []string{"rds.us-west-2.amazonaws.com", "ec2.us-west-2.amazonaws.com"}, ec2, true},
		{"StringEquals key name is case-insensitive", "StringEquals", "KMS:VIASERVICE", []string{"ec2.us-west-2.amazonaws.com"}, ec2, true},
		{"StringEquals no wildcards", "StringEquals", svc, []string{"ec2.*"}, ec2, false},
		{"StringEquals absent key is false", "StringEquals", svc, []string{"x"}, nil, false},
		{"StringNotEquals differs", "StringNotEquals", svc, []string{"rds.us-west-2.amazonaws.com"}, ec2, true},
		{"StringNotEquals equal", "StringNotEquals", svc, []string{"ec2.us-west-2.amazonaws.com"}, ec2, false},
		// "If a single negated matching condition operator includes
		// multiple values for a context key, those values are evaluated
		// using a logical NOR."
		{"StringNotEquals is NOR over values", "StringNotEquals", svc, []string{"rds.us-west-2.amazonaws.com", "ec2.us-west-2.amazonaws.com"}, ec2, false},
		// "If the policy condition requires that the key is not
		// matched ... and the right key is not present, the condition
		// is true."
		{"StringNotEquals absent key is true", "StringNotEquals", svc, []string{"x"}, nil, true},
		{"StringEqualsIgnoreCase", "StringEqualsIgnoreCase", svc, []string{"EC2.US-WEST-2.AMAZONAWS.COM"}, ec2, true},
		{"StringNotEqualsIgnoreCase", "StringNotEqualsIgnoreCase", svc, []string{"EC2.US-WEST-2.AMAZONAWS.COM"}, ec2, false},
		{"StringLike star", "StringLike", svc, []string{"ec2.*.amazonaws.com"}, ec2, true},
		{"StringLike question", "StringLike", svc, []string{"ec?.us-west-2.amazonaws.com"}, ec2, true},
		{"StringLike case-sensitive", "StringLike", svc, []string{"EC2.*"}, ec2, false},
		{"StringNotLike", "StringNotLike", svc, []string{"rds.*"}, ec2, true},
		{"StringNotLike matching", "StringNotLike", svc, []string{"rds.*", "ec2.*"}, ec2, false},
		{"StringNotLike absent is true", "StringNotLike", svc, []string{"rds.*"}, nil, true},
		{"IfExists absent is true", "StringEqualsIfExists", svc, []string{"rds.us-west-2.amazonaws.com"}, nil, true},
		{"IfExists present compares", "StringEqualsIfExists", svc, []string{"rds.us-west-2.amazonaws.com"}, ec2, false},
		{"NotEqualsIfExists present compares", "StringNotEqualsIfExists", svc, []string{"ec2.us-west-2.amazonaws.com"}, ec2, false},
	})
}

func TestSetQualifiers(t *testing.T) {
	keys := "kms:EncryptionContextKeys"
	two := map[string][]string{keys: {"Department", "Project"}}
	runCondCases(t, []condCase{
		{"ForAllValues every value listed", "ForAllValues:StringEquals", keys, []string{"Department", "Project", "Other"}, two, true},
		{"ForAllValues one value unlisted", "ForAllValues:StringEquals", keys, []string{"Department"}, two, false},
		// "If the key values in the request resolve to an empty data
		// set ... ForAllValues returns true, and ... ForAnyValue
		// returns false."
		{"ForAllValues absent key is true", "ForAllValues:StringEquals", keys, []string{"Department"}, nil, true},
		{"ForAnyValue one listed", "ForAnyValue:StringEquals", keys, []string{"Project"}, two, true},
		{"ForAnyValue none listed", "ForAnyValue:StringEquals", keys, []string{"Stage"}, two, false},
		{"ForAnyValue absent key is false", "ForAnyValue:StringEquals", keys, []string{"Project"}, nil, false},
		{"ForAnyValue values are case-sensitive", "ForAnyValue:StringEquals", keys, []string{"project"}, two, false},
		{"ForAnyValue StringLike", "ForAnyValue:StringLike", keys, []string{"Proj*"}, two, true},
		// Negated with a set qualifier: each request value is tested
		// against the NOR of the policy values.
		{"ForAllValues:StringNotEquals none forbidden", "ForAllValues:StringNotEquals", keys, []string{"Stage"}, two, true},
		{"ForAllValues:StringNotEquals one forbidden", "ForAllValues:StringNotEquals", keys, []string{"Project"}, two, false},
		{"ForAnyValue:StringNotEquals some other", "ForAnyValue:StringNotEquals", keys, []string{"Project"}, two, true},
		{"ForAnyValue:StringNotEquals all forbidden", "ForAnyValue:StringNotEquals", keys, []string{"Project", "Department"}, two, false},
		{"ForAnyValue:StringNotEquals absent is false", "ForAnyValue:StringNotEquals", keys, []string{"Project"}, nil, false},
		{"ForAllValues IfExists absent", "ForAllValues:StringEqualsIfExists", keys, []string{"x"}, nil, true},
		{"ForAnyValue IfExists absent", "ForAnyValue:StringEqualsIfExists", keys, []string{"x"}, nil, true},
		// A single-valued operator on several request values: any
		// match for the positive operator, none for the negated one.
		{"single-valued operator on a multivalued key", "StringEquals", keys, []string{"Project"}, two, true},
		{"negated single-valued operator on a multivalued key", "StringNotEquals", keys, []string{"Project"}, two, false},
	})
}

func TestNullOperator(t *testing.T) {
	k := "kms:BypassPolicyLockoutSafetyCheck"
	set := map[string][]string{k: {"false"}}
	runCondCases(t, []condCase{
		{"Null true absent", "Null", k, []string{"true"}, nil, true},
		{"Null true present", "Null", k, []string{"true"}, set, false},
		{"Null false present", "Null", k, []string{"false"}, set, true},
		{"Null false absent", "Null", k, []string{"false"}, nil, false},
		{"Null values are ORed", "Null", k, []string{"true", "false"}, nil, true},
		{"Null boolean case-insensitive", "Null", k, []string{"TRUE"}, nil, true},
		{"Null non-boolean never holds", "Null", k, []string{"maybe"}, nil, false},
		{"Null key case-insensitive", "Null", "KMS:bypassPolicyLockoutSafetyCheck", []string{"false"}, set, true},
	})
}

func TestNumericOperators(t *testing.T) {
	k := "kms:NumberOfBytes"
	n32 := map[string][]string{k: {"32"}}
	runCondCases(t, []condCase{
		{"Equals", "NumericEquals", k, []string{"32"}, n32, true},
		{"Equals decimal", "NumericEquals", k, []string{"32.0"}, n32, true},
		{"NotEquals", "NumericNotEquals", k, []string{"64"}, n32, true},
		{"NotEquals same", "NumericNotEquals", k, []string{"32"}, n32, false},
		{"LessThan", "NumericLessThan", k, []string{"64"}, n32, true},
		{"LessThan equal", "NumericLessThan", k, []string{"32"}, n32, false},
		{"LessThanEquals", "NumericLessThanEquals", k, []string{"32"}, n32, true},
		{"GreaterThan", "NumericGreaterThan", k, []string{"16"}, n32, true},
		{"GreaterThan bigger", "NumericGreaterThan", k, []string{"64"}, n32, false},
		{"GreaterThanEquals", "NumericGreaterThanEquals", k, []string{"32"}, n32, true},
		{"bad policy value never matches", "NumericEquals", k, []string{"thirty-two"}, n32, false},
		{"bad policy value is skipped in NOR", "NumericNotEquals", k, []string{"x"}, n32, true},
		{"NaN is not a number", "NumericEquals", k, []string{"NaN"}, map[string][]string{k: {"NaN"}}, false},
		{"bad request value never matches", "NumericLessThan", k, []string{"64"}, map[string][]string{k: {"many"}}, false},
		{"absent", "NumericLessThan", k, []string{"64"}, nil, false},
		{"absent IfExists", "NumericLessThanIfExists", k, []string{"64"}, nil, true},
	})
}

func TestDateOperators(t *testing.T) {
	k := "aws:CurrentTime"
	now := map[string][]string{k: {"2026-06-15T12:00:00Z"}}
	epoch := map[string][]string{"aws:EpochTime": {"1781524800"}} // 2026-06-15T12:00:00Z
	runCondCases(t, []condCase{
		{"LessThan ISO", "DateLessThan", k, []string{"2026-12-31T23:59:59Z"}, now, true},
		{"LessThan past", "DateLessThan", k, []string{"2026-01-01T00:00:00Z"}, now, false},
		{"GreaterThan date only", "DateGreaterThan", k, []string{"2026-06-15"}, now, true},
		{"Equals offset form", "DateEquals", k, []string{"2026-06-15T14:00:00+02:00"}, now, true},
		{"Equals fractional", "DateEquals", k, []string{"2026-06-15T12:00:00.000Z"}, now, true},
		{"NotEquals", "DateNotEquals", k, []string{"2026-06-15T12:00:01Z"}, now, true},
		{"LessThanEquals", "DateLessThanEquals", k, []string{"2026-06-15T12:00:00Z"}, now, true},
		{"GreaterThanEquals", "DateGreaterThanEquals", k, []string{"2026-06-15T12:00:00Z"}, now, true},
		{"policy epoch against ISO", "DateLessThan", k, []string{"1781524801"}, now, true},
		{"policy ISO against epoch", "DateEquals", "aws:EpochTime", []string{"2026-06-15T12:00:00Z"}, epoch, true},
		{"bad date never matches", "DateLessThan", k, []string{"next tuesday"}, now, false},
		{"absent", "DateLessThan", k, []string{"2030-01-01T00:00:00Z"}, nil, false},
	})
}

func TestBoolBinaryIPAndARNOperators(t *testing.T) {
	runCondCases(t, []condCase{
		{"Bool true", "Bool", "kms:GrantIsForAWSResource", []string{"true"}, map[string][]string{"kms:GrantIsForAWSResource": {"true"}}, true},
		{"Bool false", "Bool", "kms:GrantIsForAWSResource", []string{"true"}, map[string][]string{"kms:GrantIsForAWSResource": {"false"}}, false},
		{"Bool case", "Bool", "aws:SecureTransport", []string{"TRUE"}, map[string][]string{"aws:SecureTransport": {"true"}}, true},
		{"Bool absent", "Bool", "aws:SecureTransport", []string{"false"}, nil, false},
		{"BoolIfExists absent", "BoolIfExists", "aws:SecureTransport", []string{"false"}, nil, true},
		{"BinaryEquals", "BinaryEquals", "k:bin", []string{"QmluYXJ5VmFsdWU="}, map[string][]string{"k:bin": {"QmluYXJ5VmFsdWU="}}, true},
		{"BinaryEquals differs", "BinaryEquals", "k:bin", []string{"QmluYXJ5VmFsdWU="}, map[string][]string{"k:bin": {"QmluYXJ5VmFsdWF="}}, false},
		{"BinaryEquals bad base64", "BinaryEquals", "k:bin", []string{"!!"}, map[string][]string{"k:bin": {"!!"}}, false},
		{"IpAddress in v4 CIDR", "IpAddress", "aws:SourceIp", []string{"203.0.113.0/24"}, map[string][]string{"aws:SourceIp": {"203.0.113.7"}}, true},
		{"IpAddress outside", "IpAddress", "aws:SourceIp", []string{"203.0.113.0/24"}, map[string][]string{"aws:SourceIp": {"203.0.114.7"}}, false},
		{"IpAddress single address", "IpAddress", "aws:SourceIp", []string{"203.0.113.7"}, map[string][]string{"aws:SourceIp": {"203.0.113.7"}}, true},
		{"IpAddress unmasked CIDR", "IpAddress", "aws:SourceIp", []string{"203.0.113.9/24"}, map[string][]string{"aws:SourceIp": {"203.0.113.200"}}, true},
		{"IpAddress v6", "IpAddress", "aws:SourceIp", []string{"2001:DB8:1234:5678::/64"}, map[string][]string{"aws:SourceIp": {"2001:db8:1234:5678::1"}}, true},
		{"IpAddress v6 outside", "IpAddress", "aws:SourceIp", []string{"2001:DB8:1234:5678::/64"}, map[string][]string{"aws:SourceIp": {"2001:db8:1234:5679::1"}}, false},
		{"IpAddress v4-mapped request", "IpAddress", "aws:SourceIp", []string{"127.0.0.0/8"}, map[string][]string{"aws:SourceIp": {"::ffff:127.0.0.1"}}, true},
		{"IpAddress v4 policy, v6 request", "IpAddress", "aws:SourceIp", []string{"0.0.0.0/0"}, map[string][]string{"aws:SourceIp": {"::1"}}, false},
		{"IpAddress bad CIDR never matches", "IpAddress", "aws:SourceIp", []string{"203.0.113.0/33"}, map[string][]string{"aws:SourceIp": {"203.0.113.7"}}, false},
		{"IpAddress bad request value", "IpAddress", "aws:SourceIp", []string{"0.0.0.0/0"}, map[string][]string{"aws:SourceIp": {"localhost"}}, false},
		{"NotIpAddress outside", "NotIpAddress", "aws:SourceIp", []string{"203.0.113.0/24"}, map[string][]string{"aws:SourceIp": {"198.51.100.1"}}, true},
		{"NotIpAddress inside", "NotIpAddress", "aws:SourceIp", []string{"198.51.100.0/24", "203.0.113.0/24"}, map[string][]string{"aws:SourceIp": {"203.0.113.1"}}, false},
		{"NotIpAddress absent", "NotIpAddress", "aws:SourceIp", []string{"203.0.113.0/24"}, nil, true},
		{"ArnLike role", "ArnLike", "aws:PrincipalArn", []string{"arn:aws:iam::*:role/Admin*"}, map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::111122223333:role/AdminRole"}}, true},
		{"ArnEquals with wildcard", "ArnEquals", "aws:PrincipalArn", []string{"arn:aws:iam::111122223333:role/*"}, map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::111122223333:role/R"}}, true},
		{"ArnLike wrong account", "ArnLike", "aws:PrincipalArn", []string{"arn:aws:iam::444455556666:*"}, map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::111122223333:role/R"}}, false},
		{"ArnNotLike", "ArnNotLike", "aws:PrincipalArn", []string{"arn:aws:iam::444455556666:*"}, map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::111122223333:role/R"}}, true},
		{"ArnNotEquals absent", "ArnNotEquals", "aws:PrincipalArn", []string{"arn:aws:iam::444455556666:*"}, nil, true},
		{"ArnLike non-ARN request value", "ArnLike", "aws:PrincipalArn", []string{"arn:*:*:*:*:*"}, map[string][]string{"aws:PrincipalArn": {"alice"}}, false},
	})
}

func TestEncryptionContextConditionKeys(t *testing.T) {
	c := &Context{}
	c.SetEncryptionContext(map[string]string{"AppName": "ExampleApp", "Stage": "Test"})
	// "The key name is not case sensitive. The case sensitivity of the
	// value is determined by the condition operator" (AWS KMS condition
	// keys, kms:EncryptionContext:context-key).
	for _, tc := range []struct {
		operator, key, value string
		want                 bool
	}{
		{"StringEquals", "kms:EncryptionContext:AppName", "ExampleApp", true},
		{"StringEquals", "kms:EncryptionContext:Appname", "ExampleApp", true},
		{"StringEquals", "KMS:ENCRYPTIONCONTEXT:APPNAME", "ExampleApp", true},
		{"StringEquals", "kms:EncryptionContext:AppName", "exampleapp", false},
		{"StringEqualsIgnoreCase", "kms:EncryptionContext:AppName", "exampleapp", true},
		{"StringEquals", "kms:EncryptionContext:Department", "IT", false},
		{"ForAnyValue:StringEquals", "kms:EncryptionContextKeys", "AppName", true},
		// The keys in kms:EncryptionContextKeys are values, compared
		// case-sensitively by StringEquals.
		{"ForAnyValue:StringEquals", "kms:EncryptionContextKeys", "appname", false},
	} {
		cc := cond(t, tc.operator, tc.key, tc.value)
		if got := cc.holds(c); got != tc.want {
			t.Errorf("%s %s %q = %v, want %v", tc.operator, tc.key, tc.value, got, tc.want)
		}
	}
}
