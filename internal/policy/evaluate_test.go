package policy

import "testing"

const (
	acctA   = "111122223333"
	acctB   = "444455556666"
	keyARNA = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
)

func userSubject(account, name string) Subject {
	arn := "arn:aws:iam::" + account + ":user/" + name
	return Subject{ARN: arn, PrincipalARN: arn, Account: account}
}

func rootSubject(account string) Subject {
	arn := "arn:aws:iam::" + account + ":root"
	return Subject{ARN: arn, PrincipalARN: arn, Account: account, Root: true}
}

func sessionSubject(account, role, session string) Subject {
	return Subject{
		ARN:          "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + session,
		PrincipalARN: "arn:aws:iam::" + account + ":role/" + role,
		Account:      account,
	}
}

func serviceSubject(service string) Subject { return Subject{Service: service} }

// mustKeyPolicy compiles a key policy that must be valid.
func mustKeyPolicy(t testing.TB, text string) *Policy {
	t.Helper()
	p, err := CompileKeyPolicy(text)
	if err != nil {
		t.Fatalf("CompileKeyPolicy: %v\n%s", err, text)
	}
	return p
}

func req(s Subject, action string, ctx *Context) *Request {
	return &Request{Subject: s, Action: action, Resource: keyARNA, Context: ctx}
}

func wantResult(t *testing.T, got Result, decision Decision, viaAccount bool, statement string) {
	t.Helper()
	if got.Decision != decision || got.ViaAccount != viaAccount || got.Statement != statement {
		t.Errorf("Evaluate = {%v via=%v %q}, want {%v via=%v %q}", got.Decision, got.ViaAccount, got.Statement, decision, viaAccount, statement)
	}
}

func TestPrincipalMatching(t *testing.T) {
	tests := []struct {
		name      string
		principal string // the Principal element's JSON
		subject   Subject
		decision  Decision
		via       bool
	}{
		{"star", `"*"`, userSubject(acctB, "bob"), Allowed, false},
		{"AWS star", `{"AWS":"*"}`, userSubject(acctB, "bob"), Allowed, false},
		{"AWS star matches a service", `{"AWS":"*"}`, serviceSubject("logs.amazonaws.com"), Allowed, false},
		{"account ID", `{"AWS":"111122223333"}`, userSubject(acctA, "alice"), Allowed, true},
		{"root ARN", `{"AWS":"arn:aws:iam::111122223333:root"}`, userSubject(acctA, "alice"), Allowed, true},
		{"root ARN for the root user", `{"AWS":"arn:aws:iam::111122223333:root"}`, rootSubject(acctA), Allowed, true},
		{"root ARN for a role session", `{"AWS":"arn:aws:iam::111122223333:root"}`, sessionSubject(acctA, "R", "s"), Allowed, true},
		{"root ARN other account", `{"AWS":"arn:aws:iam::111122223333:root"}`, userSubject(acctB, "bob"), NotApplicable, false},
		{"root ARN other partition", `{"AWS":"arn:aws-cn:iam::111122223333:root"}`, userSubject(acctA, "alice"), NotApplicable, false},
		{"user ARN", `{"AWS":"arn:aws:iam::111122223333:user/alice"}`, userSubject(acctA, "alice"), Allowed, false},
		{"other user ARN", `{"AWS":"arn:aws:iam::111122223333:user/alice"}`, userSubject(acctA, "mallory"), NotApplicable, false},
		{"user ARN is case-sensitive", `{"AWS":"arn:aws:iam::111122223333:user/Alice"}`, userSubject(acctA, "alice"), NotApplicable, false},
		{"role ARN matches its sessions", `{"AWS":"arn:aws:iam::111122223333:role/R"}`, sessionSubject(acctA, "R", "s1"), Allowed, false},
		{"role ARN not another role's", `{"AWS":"arn:aws:iam::111122223333:role/R"}`, sessionSubject(acctA, "Q", "s1"), NotApplicable, false},
		{"session ARN exact", `{"AWS":"arn:aws:sts::111122223333:assumed-role/R/s1"}`, sessionSubject(acctA, "R", "s1"), Allowed, false},
		{"session ARN other session", `{"AWS":"arn:aws:sts::111122223333:assumed-role/R/s1"}`, sessionSubject(acctA, "R", "s2"), NotApplicable, false},
		{"service", `{"Service":"logs.amazonaws.com"}`, serviceSubject("logs.amazonaws.com"), Allowed, false},
		{"other service", `{"Service":"logs.amazonaws.com"}`, serviceSubject("ec2.amazonaws.com"), NotApplicable, false},
		{"account principal is not a service", `{"AWS":"111122223333"}`, serviceSubject("logs.amazonaws.com"), NotApplicable, false},
		{"direct beats account in one statement", `{"AWS":["111122223333","arn:aws:iam::111122223333:user/alice"]}`, userSubject(acctA, "alice"), Allowed, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustKeyPolicy(t, `{"Statement":[{"Sid":"S","Effect":"Allow","Principal":`+tt.principal+`,"Action":"kms:*","Resource":"*"}]}`)
			name := ""
			if tt.decision != NotApplicable {
				name = "S"
			}
			wantResult(t, p.Evaluate(req(tt.subject, "kms:Decrypt", nil)), tt.decision, tt.via, name)
		})
	}
}

// TestNotPrincipalChain follows the examples of "AWS JSON policy
// elements: NotPrincipal": a subject escapes a Deny with NotPrincipal only
// when its account, its role (for a session) and its own ARN are all
// listed.
func TestNotPrincipalChain(t *testing.T) {
	const (
		bob     = `"arn:aws:iam::444455556666:user/Bob"`
		root    = `"arn:aws:iam::444455556666:root"`
		role    = `"arn:aws:iam::444455556666:role/cross-account-read-only-role"`
		session = `"arn:aws:sts::444455556666:assumed-role/cross-account-read-only-role/cross-account-audit-app"`
	)
	bobS := userSubject(acctB, "Bob")
	auditS := sessionSubject(acctB, "cross-account-read-only-role", "cross-account-audit-app")
	tests := []struct {
		name   string
		listed string
		s      Subject
		denied bool
	}{
		{"user and account listed: Bob escapes", bob + "," + root, bobS, false},
		{"user listed without account: Bob is denied", bob, bobS, true},
		{"another user of the listed account is denied", bob + "," + root, userSubject(acctB, "Eve"), true},
		{"root user of the listed account escapes", bob + "," + root, rootSubject(acctB), false},
		{"bare account ID counts as the account", bob + `,"444455556666"`, bobS, false},
		{"session, role and account listed: escapes", session + "," + role + "," + root, auditS, false},
		{"session without role: denied", session + "," + root, auditS, true},
		{"role and account without session: denied", role + "," + root, auditS, true},
		{"other session of the role: denied", session + "," + role + "," + root, sessionSubject(acctB, "cross-account-read-only-role", "other"), true},
		{"other account: denied", bob + "," + root, userSubject(acctA, "Bob"), true},
		{"star excludes everyone", `"*"`, bobS, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustKeyPolicy(t, `{"Statement":[
				{"Sid":"Allow","Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"},
				{"Sid":"DenyOthers","Effect":"Deny","NotPrincipal":{"AWS":[`+tt.listed+`]},"Action":"kms:*","Resource":"*"}]}`)
			got := p.Evaluate(req(tt.s, "kms:Decrypt", nil))
			if (got.Decision == Denied) != tt.denied {
				t.Errorf("decision %v, want denied=%v", got.Decision, tt.denied)
			}
		})
	}
	// A service subject escapes only when it is listed.
	p := mustKeyPolicy(t, `{"Statement":[{"Effect":"Deny","NotPrincipal":{"Service":"logs.amazonaws.com"},"Action":"kms:*","Resource":"*"}]}`)
	if got := p.Evaluate(req(serviceSubject("logs.amazonaws.com"), "kms:Decrypt", nil)); got.Decision != NotApplicable {
		t.Errorf("listed service: %v", got.Decision)
	}
	if got := p.Evaluate(req(serviceSubject("ec2.amazonaws.com"), "kms:Decrypt", nil)); got.Decision != Denied {
		t.Errorf("unlisted service: %v", got.Decision)
	}
}

func TestActionMatching(t *testing.T) {
	tests := []struct {
		element string
		action  string
		want    bool
	}{
		{`"Action":"kms:*"`, "kms:Decrypt", true},
		{`"Action":"*"`, "kms:Decrypt", true},
		{`"Action":"kms:Decrypt"`, "kms:Decrypt", true},
		{`"Action":"kms:Decrypt"`, "kms:Encrypt", false},
		// IAM action names are not case-sensitive.
		{`"Action":"KMS:decrypt"`, "kms:Decrypt", true},
		{`"Action":"kms:ReEncrypt*"`, "kms:ReEncryptFrom", true},
		{`"Action":"kms:ReEncrypt*"`, "kms:ReEncryptTo", true},
		{`"Action":"kms:Describe?ey"`, "kms:DescribeKey", true},
		{`"Action":["kms:Encrypt","kms:Decrypt"]`, "kms:Decrypt", true},
		{`"Action":"s3:*"`, "kms:Decrypt", false},
		{`"NotAction":"kms:Decrypt"`, "kms:Decrypt", false},
		{`"NotAction":"kms:Decrypt"`, "kms:Encrypt", true},
		{`"NotAction":["kms:*Key*"]`, "kms:ScheduleKeyDeletion", false},
		{`"NotAction":["kms:*Key*"]`, "kms:Sign", true},
	}
	for _, tt := range tests {
		p := mustKeyPolicy(t, `{"Statement":[{"Effect":"Allow","Principal":"*",`+tt.element+`,"Resource":"*"}]}`)
		if got := p.Evaluate(req(userSubject(acctA, "alice"), tt.action, nil)).Decision == Allowed; got != tt.want {
			t.Errorf("%s vs %s: allowed=%v, want %v", tt.element, tt.action, got, tt.want)
		}
	}
}

func TestResourceMatching(t *testing.T) {
	tests := []struct {
		element string
		want    bool
	}{
		{`"Resource":"*"`, true},
		{`"Resource":"` + keyARNA + `"`, true},
		{`"Resource":"arn:aws:kms:us-west-2:111122223333:key/*"`, true},
		{`"Resource":"arn:aws:kms:*:111122223333:*"`, true},
		{`"Resource":"arn:aws:kms:us-east-1:111122223333:key/*"`, false},
		{`"Resource":"arn:aws:kms:us-west-2:111122223333:alias/*"`, false},
		{`"Resource":"arn:aws:kms:us-west-2:111122223333:KEY/*"`, false},
		{`"NotResource":"arn:aws:kms:us-east-1:*:*"`, true},
		{`"NotResource":"arn:aws:kms:us-west-2:*:*"`, false},
	}
	for _, tt := range tests {
		p := mustKeyPolicy(t, `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*",`+tt.element+`}]}`)
		if got := p.Evaluate(req(userSubject(acctA, "alice"), "kms:Decrypt", nil)).Decision == Allowed; got != tt.want {
			t.Errorf("%s: allowed=%v, want %v", tt.element, got, tt.want)
		}
	}
}

func TestExplicitDenyWinsWhateverTheOrder(t *testing.T) {
	allow := `{"Sid":"A","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}`
	deny := `{"Sid":"D","Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*"}`
	for _, doc := range []string{`{"Statement":[` + allow + `,` + deny + `]}`, `{"Statement":[` + deny + `,` + allow + `]}`} {
		p := mustKeyPolicy(t, doc)
		wantResult(t, p.Evaluate(req(userSubject(acctA, "alice"), "kms:Decrypt", nil)), Denied, false, "D")
		wantResult(t, p.Evaluate(req(userSubject(acctA, "alice"), "kms:Encrypt", nil)), Allowed, true, "A")
	}
}

func TestViaAccountAndDecidingStatement(t *testing.T) {
	p := mustKeyPolicy(t, `{"Statement":[
		{"Sid":"Account","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:Decrypt","Resource":"*"}]}`)
	// alice is named directly for Decrypt: not via the account, and the
	// direct statement decides.
	wantResult(t, p.Evaluate(req(userSubject(acctA, "alice"), "kms:Decrypt", nil)), Allowed, false, "Statement[1]")
	// For Encrypt only the account statement applies.
	wantResult(t, p.Evaluate(req(userSubject(acctA, "alice"), "kms:Encrypt", nil)), Allowed, true, "Account")
	wantResult(t, p.Evaluate(req(userSubject(acctB, "bob"), "kms:Encrypt", nil)), NotApplicable, false, "")
	var nilPolicy *Policy
	wantResult(t, nilPolicy.Evaluate(req(userSubject(acctA, "alice"), "kms:Encrypt", nil)), NotApplicable, false, "")
}

func TestConditionsAreANDedAcrossKeysAndOperators(t *testing.T) {
	p := mustKeyPolicy(t, `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*",
		"Condition":{"StringEquals":{"kms:CallerAccount":"111122223333","kms:ViaService":"ec2.us-west-2.amazonaws.com"},
		             "Bool":{"aws:SecureTransport":"true"}}}]}`)
	full := &Context{}
	full.Set("kms:CallerAccount", acctA)
	full.Set("kms:ViaService", "ec2.us-west-2.amazonaws.com")
	full.Set("aws:SecureTransport", "true")
	if got := p.Evaluate(req(userSubject(acctA, "alice"), "kms:Decrypt", full)); got.Decision != Allowed {
		t.Fatalf("all conditions hold: %v", got.Decision)
	}
	for _, drop := range []string{"kms:CallerAccount", "kms:ViaService", "aws:SecureTransport"} {
		c := &Context{}
		for _, k := range []string{"kms:CallerAccount", "kms:ViaService", "aws:SecureTransport"} {
			if k != drop {
				v, _ := full.Get(k)
				c.Set(k, v...)
			}
		}
		if got := p.Evaluate(req(userSubject(acctA, "alice"), "kms:Decrypt", c)); got.Decision != NotApplicable {
			t.Errorf("without %s: %v", drop, got.Decision)
		}
	}
}

// TestCompileOfUnvalidatedDocuments: Compile must not read a statement
// that Validate would refuse as "applies to everything".
func TestCompileOfUnvalidatedDocuments(t *testing.T) {
	alice := req(userSubject(acctA, "alice"), "kms:Decrypt", nil)
	for name, d := range map[string]*Document{
		"no principal":      {Statements: []Statement{{Effect: Allow, Action: []string{"*"}, Resource: []string{"*"}}}},
		"empty NotAction":   {Statements: []Statement{{Effect: Allow, Principal: &Principal{All: true}, NotAction: []string{}, Resource: []string{"*"}}}},
		"no actions":        {Statements: []Statement{{Effect: Allow, Principal: &Principal{All: true}, Resource: []string{"*"}}}},
		"empty NotResource": {Statements: []Statement{{Effect: Allow, Principal: &Principal{All: true}, Action: []string{"*"}, NotResource: []string{}}}},
		"bad effect":        {Statements: []Statement{{Effect: "allow", Principal: &Principal{All: true}, Action: []string{"*"}, Resource: []string{"*"}}}},
		"empty principal":   {Statements: []Statement{{Effect: Allow, Principal: &Principal{AWS: []string{""}}, Action: []string{"*"}, Resource: []string{"*"}}}},
		"unknown operator": {Statements: []Statement{{Effect: Allow, Principal: &Principal{All: true}, Action: []string{"*"}, Resource: []string{"*"},
			Condition: []Condition{{Operator: Operator{Name: "Bogus", Base: "Bogus", Set: SingleValued}, Key: "k:k", Values: []string{"v"}}}}}},
		"nil document": nil,
	} {
		if got := Compile(d).Evaluate(alice); got.Decision != NotApplicable {
			t.Errorf("%s: %v", name, got.Decision)
		}
	}
	// A principal in an identity policy: the statement applies to nobody.
	d := &Document{Statements: []Statement{{Effect: Allow, Principal: &Principal{All: true}, Action: []string{"*"}, Resource: []string{"*"}}}}
	if got := CompileIdentity(d).Evaluate(alice); got.Decision != NotApplicable {
		t.Errorf("identity policy with a principal: %v", got.Decision)
	}
}
