package policy

import "testing"

func TestParseIdentityPolicyAcceptsIAMPolicies(t *testing.T) {
	for _, doc := range []string{
		externalIAMPolicy,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}`,
		`{"Statement":[{"Effect":"Deny","NotAction":"kms:Describe*","NotResource":"arn:aws:kms:*:111122223333:key/*"}]}`,
		`{"Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}}]}`,
	} {
		if _, err := ParseIdentityPolicy(doc); err != nil {
			t.Errorf("%v\n%s", err, doc)
		}
	}
}

func TestParseIdentityPolicyErrors(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"principal", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}`, msgIdentityPrincipal},
		{"not principal", `{"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}]}`, msgIdentityPrincipal},
		{"no statements", `{"Version":"2012-10-17","Statement":[]}`, msgNoStatements},
		{"bad effect", `{"Statement":[{"Effect":"allow","Action":"kms:*","Resource":"*"}]}`, msgEffect},
		{"no action", `{"Statement":[{"Effect":"Allow","Resource":"*"}]}`, msgNoActions},
		{"no resource", `{"Statement":[{"Effect":"Allow","Action":"kms:*"}]}`, msgNoResources},
		{"bad version", `{"Version":"2020-01-01","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}`, msgVersion},
		{"duplicate sid", `{"Statement":[{"Sid":"a","Effect":"Allow","Action":"kms:*","Resource":"*"},{"Sid":"a","Effect":"Allow","Action":"kms:*","Resource":"*"}]}`, msgDuplicateSid},
		{"duplicate member", `{"Statement":[{"Effect":"Deny","Effect":"Allow","Action":"kms:*","Resource":"*"}]}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseIdentityPolicy(tt.doc)
			if d != nil || err == nil {
				t.Fatalf("accepted: %+v", d)
			}
			if tt.want == "" {
				assertMalformed(t, err)
				return
			}
			wantMalformed(t, err, tt.want)
			if _, err := CompileIdentityPolicy(tt.doc); err == nil {
				t.Error("CompileIdentityPolicy accepted it")
			}
		})
	}
}

func TestIdentityPolicyEvaluation(t *testing.T) {
	p := mustIdentity(t, `{"Statement":[
		{"Sid":"Use","Effect":"Allow","Action":["kms:Encrypt","kms:Decrypt"],"Resource":"arn:aws:kms:us-west-2:111122223333:key/*"},
		{"Sid":"NotProd","Effect":"Deny","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/Stage":"Prod"}}}]}`)
	alice := userSubject(acctA, "alice")
	wantResult(t, p.Evaluate(req(alice, "kms:Decrypt", nil)), Allowed, false, "Use")
	wantResult(t, p.Evaluate(req(alice, "kms:Sign", nil)), NotApplicable, false, "")
	prod := &Context{}
	prod.Set("aws:resourcetag/stage", "Prod")
	wantResult(t, p.Evaluate(req(alice, "kms:Decrypt", prod)), Denied, false, "NotProd")
	// Any subject: an identity policy has no principals of its own.
	wantResult(t, p.Evaluate(req(userSubject(acctB, "bob"), "kms:Encrypt", nil)), Allowed, false, "Use")
}

func TestCompileKeyPolicyErrors(t *testing.T) {
	if p, err := CompileKeyPolicy(`{"Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}`); err == nil || p != nil {
		t.Fatalf("key policy without principal compiled: %v", err)
	} else {
		wantMalformed(t, err, msgNoPrincipal)
	}
}
