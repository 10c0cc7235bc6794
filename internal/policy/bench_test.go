package policy

import "testing"

func benchRequest(b *testing.B, s Subject, action string) *Request {
	b.Helper()
	ctx := &Context{}
	ctx.SetPrincipal(s)
	ctx.SetEncryptionContext(map[string]string{"AppName": "ExampleApp", "Stage": "Test"})
	ctx.Set("kms:ViaService", "ec2.us-west-2.amazonaws.com")
	ctx.Set("aws:SourceIp", "192.0.2.10")
	return &Request{Subject: s, Action: action, Resource: keyARNA, Context: ctx}
}

// benchEvaluate measures one key policy deciding one allowed request.
func benchEvaluate(b *testing.B, keyPolicy string, s Subject, action string) {
	p := mustKeyPolicy(b, keyPolicy)
	r := benchRequest(b, s, action)
	b.ReportAllocs()
	for b.Loop() {
		if p.Evaluate(r).Decision != Allowed {
			b.Fatal("not allowed")
		}
	}
}

func BenchmarkEvaluateDefaultPolicy(b *testing.B) {
	benchEvaluate(b, DefaultKeyPolicy("aws", acctA), userSubject(acctA, "alice"), "kms:Decrypt")
}

func BenchmarkEvaluateConsolePolicy(b *testing.B) {
	benchEvaluate(b, consoleDefaultPolicy, sessionSubject(acctA, "ExampleRole", "s"), "kms:GenerateDataKey")
}

func BenchmarkEvaluateConditions(b *testing.B) {
	benchEvaluate(b, `{"Statement":[
		{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Encrypt","kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*",
		 "Condition":{"StringEquals":{"kms:CallerAccount":"111122223333","kms:ViaService":"ec2.us-west-2.amazonaws.com","kms:EncryptionContext:AppName":"ExampleApp"},
		              "ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["AppName","Stage"]},
		              "IpAddress":{"aws:SourceIp":["192.0.2.0/24","2001:db8::/32"]}}},
		{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:Stage":"Restricted"}}}]}`, userSubject(acctA, "alice"), "kms:Decrypt")
}

func BenchmarkAuthorizeDefaultPolicyWithIAM(b *testing.B) {
	a := &Authorization{
		Request:          benchRequest(b, userSubject(acctA, "alice"), "kms:Decrypt"),
		KeyAccount:       acctA,
		KeyPolicy:        mustKeyPolicy(b, DefaultKeyPolicy("aws", acctA)),
		IdentityPolicies: []*Policy{mustIdentity(b, allowIAM(`["kms:Encrypt","kms:Decrypt","kms:GenerateDataKey*"]`))},
	}
	b.ReportAllocs()
	for b.Loop() {
		if !Authorize(a).Allowed {
			b.Fatal("not allowed")
		}
	}
}

func BenchmarkAuthorizeCrossAccount(b *testing.B) {
	a := &Authorization{
		Request:          benchRequest(b, userSubject(acctB, "bob"), "kms:Decrypt"),
		KeyAccount:       acctA,
		KeyPolicy:        mustKeyPolicy(b, crossAccountPolicy),
		IdentityPolicies: []*Policy{mustIdentity(b, externalIAMPolicy)},
	}
	b.ReportAllocs()
	for b.Loop() {
		if !Authorize(a).Allowed {
			b.Fatal("not allowed")
		}
	}
}
