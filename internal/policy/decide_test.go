package policy

import "testing"

// TestVerdictMessages pins AWS's AccessDeniedException texts, as KMS sends
// them (observed in the field: "User: arn:aws:sts::...:assumed-role/... is
// not authorized to perform: kms:Decrypt on resource: arn:aws:kms:... because
// no resource-based policy allows the kms:Decrypt action"; the explicit-deny
// forms are IAM's texts shared by every service).
func TestVerdictMessages(t *testing.T) {
	const caller = "arn:aws:iam::111122223333:user/alice"
	head := "User: " + caller + " is not authorized to perform: kms:Decrypt on resource: " + keyARNA
	for _, tt := range []struct {
		denial Denial
		want   string
	}{
		{NoResourcePolicyAllows, head + " because no resource-based policy allows the kms:Decrypt action"},
		{ExplicitDenyResource, head + " with an explicit deny in a resource-based policy"},
		{NoIdentityPolicyAllows, head + " because no identity-based policy allows the kms:Decrypt action"},
		{ExplicitDenyIdentity, head + " with an explicit deny in an identity-based policy"},
		{NoDenial, ""},
	} {
		if got := (Verdict{Denial: tt.denial}).Message(caller, "kms:Decrypt", keyARNA); got != tt.want {
			t.Errorf("%v:\n got %q\nwant %q", tt.denial, got, tt.want)
		}
	}
	if got := (Verdict{Allowed: true}).Message(caller, "kms:Decrypt", keyARNA); got != "" {
		t.Errorf("allowed verdict has message %q", got)
	}
}

func TestAuthorizeWithoutRequestOrPolicy(t *testing.T) {
	if v := Authorize(nil); v.Allowed || v.Denial != NoResourcePolicyAllows {
		t.Errorf("Authorize(nil) = %+v", v)
	}
	if v := Authorize(&Authorization{}); v.Allowed {
		t.Errorf("no request: %+v", v)
	}
	// No key policy: nothing allows, except a grant.
	r := req(rootSubject(acctA), "kms:Decrypt", nil)
	if v := Authorize(&Authorization{Request: r, KeyAccount: acctA}); v.Allowed || v.Denial != NoResourcePolicyAllows {
		t.Errorf("nil key policy = %+v", v)
	}
	if v := Authorize(&Authorization{Request: r, KeyAccount: acctA, GrantAllows: true}); !v.Allowed || !v.ByGrant {
		t.Errorf("nil key policy with a grant = %+v", v)
	}
}

func TestAuthorizeNamesTheDecidingStatement(t *testing.T) {
	kp := mustKeyPolicy(t, DefaultKeyPolicy("aws", acctA))
	id := mustIdentity(t, `{"Statement":[{"Sid":"UseKeys","Effect":"Allow","Action":"kms:*","Resource":"*"}]}`)
	deny := mustIdentity(t, `{"Statement":[{"Sid":"NoDelete","Effect":"Deny","Action":"kms:ScheduleKeyDeletion","Resource":"*"}]}`)
	a := &Authorization{Request: req(userSubject(acctA, "alice"), "kms:Decrypt", nil), KeyAccount: acctA, KeyPolicy: kp, IdentityPolicies: []*Policy{id, deny}}
	if v := Authorize(a); !v.Allowed || v.Statement != "UseKeys" {
		t.Errorf("allowed through IAM: %+v", v)
	}
	a.Request = req(userSubject(acctA, "alice"), "kms:ScheduleKeyDeletion", nil)
	if v := Authorize(a); v.Allowed || v.Denial != ExplicitDenyIdentity || v.Statement != "NoDelete" {
		t.Errorf("denied by IAM: %+v", v)
	}
	a.Request = req(rootSubject(acctA), "kms:Decrypt", nil)
	a.IdentityPolicies = nil
	if v := Authorize(a); !v.Allowed || v.Statement != "Enable IAM User Permissions" {
		t.Errorf("root: %+v", v)
	}
}

// TestAuthorizeKeyPolicyDenyReportedFirst: when both kinds of policy deny
// explicitly, the key policy's Deny is reported (see Authorize).
func TestAuthorizeKeyPolicyDenyReportedFirst(t *testing.T) {
	kp := mustKeyPolicy(t, `{"Statement":[{"Sid":"KeyDeny","Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*"}]}`)
	id := mustIdentity(t, denyIAM(`"kms:*"`))
	v := Authorize(&Authorization{Request: req(userSubject(acctA, "alice"), "kms:Decrypt", nil), KeyAccount: acctA, KeyPolicy: kp, IdentityPolicies: []*Policy{id}})
	if v.Allowed || v.Denial != ExplicitDenyResource || v.Statement != "KeyDeny" {
		t.Errorf("%+v", v)
	}
}

func TestDecisionAndDenialStrings(t *testing.T) {
	for v, want := range map[string]string{
		NotApplicable.String():          "NotApplicable",
		Allowed.String():                "Allowed",
		Denied.String():                 "Denied",
		Decision(9).String():            "Decision(?)",
		NoDenial.String():               "NoDenial",
		NoResourcePolicyAllows.String(): "NoResourcePolicyAllows",
		ExplicitDenyResource.String():   "ExplicitDenyResource",
		NoIdentityPolicyAllows.String(): "NoIdentityPolicyAllows",
		ExplicitDenyIdentity.String():   "ExplicitDenyIdentity",
		Denial(9).String():              "Denial(?)",
	} {
		if v != want {
			t.Errorf("String() = %q, want %q", v, want)
		}
	}
}

// TestPolicyIsSafeForConcurrentUse evaluates one compiled policy from many
// goroutines; run under -race it proves Evaluate and Authorize only read.
func TestPolicyIsSafeForConcurrentUse(t *testing.T) {
	kp := mustKeyPolicy(t, consoleDefaultPolicy)
	id := mustIdentity(t, allowIAM(`"kms:*"`))
	done := make(chan Verdict)
	for g := 0; g < 8; g++ {
		go func() {
			var v Verdict
			for i := 0; i < 200; i++ {
				ctx := &Context{}
				ctx.Set("kms:GrantIsForAWSResource", "true")
				v = Authorize(&Authorization{Request: req(sessionSubject(acctA, "ExampleRole", "s"), "kms:CreateGrant", ctx),
					KeyAccount: acctA, KeyPolicy: kp, IdentityPolicies: []*Policy{id}})
			}
			done <- v
		}()
	}
	for g := 0; g < 8; g++ {
		if v := <-done; !v.Allowed {
			t.Errorf("goroutine verdict %+v", v)
		}
	}
}
