package policy

import (
	"reflect"
	"testing"
)

// FuzzEvaluate parses arbitrary documents (as key policies and as
// identity policies, validated or not) and evaluates them against
// arbitrary requests: Compile and Evaluate must never panic, and both must
// be deterministic — compiling the same document twice, or evaluating the
// same request twice, gives the same answer. Authorize must agree with the
// per-policy results it is built from on explicit denies.
func FuzzEvaluate(f *testing.F) {
	seeds := []struct {
		doc, action, resource, arn, key, value string
		root                                   bool
	}{
		{wantDefaultPolicy, "kms:Decrypt", keyARNA, "arn:aws:iam::111122223333:user/alice", "kms:ViaService", "ec2.us-west-2.amazonaws.com", false},
		{consoleDefaultPolicy, "kms:CreateGrant", keyARNA, "arn:aws:sts::111122223333:assumed-role/ExampleRole/s", "kms:GrantIsForAWSResource", "true", false},
		{awsManagedEBSPolicy, "kms:GenerateDataKey", keyARNA, "arn:aws:iam::111122223333:root", "kms:CallerAccount", "111122223333", true},
		{crossAccountPolicy, "KMS:SIGN", keyARNA, "arn:aws:sts::444455556666:assumed-role/ExampleRole/s", "aws:SourceIp", "::ffff:10.0.0.1", false},
		{`{"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":["111122223333"]},"NotAction":"kms:?*","NotResource":"arn:*:*:*:*:*","Condition":{"ForAllValues:DateLessThanIfExists":{"aws:CurrentTime":["2020-01-01","1700000000"]},"Null":{"x:y":"true"}}}]}`,
			"kms:Encrypt", "", "", "aws:currenttime", "2019-12-31T23:59:59Z", false},
		{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/33"},"BinaryEquals":{"b:b":"AAEC"},"NumericLessThan":{"n:n":1e3}}}]}`,
			"s3:GetObject", "arn:aws:s3:::bucket/key", "arn:aws:iam::111122223333:user/alice", "n:n", "999", false},
	}
	for _, s := range seeds {
		f.Add(s.doc, s.action, s.resource, s.arn, s.key, s.value, s.root)
	}
	f.Fuzz(func(t *testing.T, doc, action, resource, arn, key, value string, root bool) {
		d, err := Parse(doc)
		if err != nil {
			return
		}
		ctx := &Context{}
		ctx.Set(key, value)
		ctx.Add(key, value+"*")
		subject := Subject{ARN: arn, PrincipalARN: arn, Account: accountOf(arn), Root: root}
		r := &Request{Subject: subject, Action: action, Resource: resource, Context: ctx}

		for _, compile := range []func(*Document) *Policy{Compile, CompileIdentity} {
			p1, p2 := compile(d), compile(d)
			if !reflect.DeepEqual(p1, p2) {
				t.Fatal("Compile is not deterministic")
			}
			res := p1.Evaluate(r)
			if again := p1.Evaluate(r); again != res {
				t.Fatalf("Evaluate not deterministic: %+v then %+v", res, again)
			}
			if other := p2.Evaluate(r); other != res {
				t.Fatalf("two compilations disagree: %+v vs %+v", res, other)
			}
			if res.Decision == NotApplicable && (res.ViaAccount || res.Statement != "") {
				t.Fatalf("NotApplicable with details: %+v", res)
			}
			if res.Decision != NotApplicable && res.Statement == "" {
				t.Fatalf("decision without a statement: %+v", res)
			}
		}
		// A validated document gives the same answers: Validate only
		// refuses, it never changes the Document.
		if d.Validate() == nil {
			if got, want := Compile(d).Evaluate(r), mustCompileText(t, doc).Evaluate(r); got != want {
				t.Fatalf("Compile(Parse) %+v differs from CompileKeyPolicy %+v", got, want)
			}
		}
		kp, ip := Compile(d), CompileIdentity(d)
		v := Authorize(&Authorization{Request: r, KeyAccount: "111122223333", KeyPolicy: kp, IdentityPolicies: []*Policy{ip}, GrantAllows: root})
		if kp.Evaluate(r).Decision == Denied && (v.Allowed || v.Denial != ExplicitDenyResource) {
			t.Fatalf("key policy denies but Authorize says %+v", v)
		}
		if v.Allowed != (v.Denial == NoDenial) {
			t.Fatalf("inconsistent verdict %+v", v)
		}
		if v.Allowed && v.Message(arn, action, resource) != "" || !v.Allowed && v.Message(arn, action, resource) == "" {
			t.Fatalf("message does not fit verdict %+v", v)
		}
	})
}

func mustCompileText(t *testing.T, doc string) *Policy {
	t.Helper()
	p, err := CompileKeyPolicy(doc)
	if err != nil {
		t.Fatalf("CompileKeyPolicy of a valid document: %v", err)
	}
	return p
}

// accountOf takes the account field of an ARN, so the fuzzer's subjects
// are consistent with their ARNs.
func accountOf(arn string) string {
	parts, ok := splitARN(arn)
	if !ok {
		return ""
	}
	return parts[4]
}
