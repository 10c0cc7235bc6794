package policy

import "testing"

// Policies and cases from the AWS KMS developer guide, run through
// Authorize. Each case names the page it comes from.

// consoleDefaultPolicy is the default key policy the KMS console writes
// ("Default key policy": "Allows key administrators to administer the KMS
// key", "Allows key users to use the KMS key", "Allows key users to use a
// KMS key with AWS services" with kms:GrantIsForAWSResource).
const consoleDefaultPolicy = `{
  "Id": "key-consolepolicy-3",
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
     "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
    {"Sid": "Allow access for Key Administrators", "Effect": "Allow",
     "Principal": {"AWS": "arn:aws:iam::111122223333:role/KMSAdminRole"},
     "Action": ["kms:Create*","kms:Describe*","kms:Enable*","kms:List*","kms:Put*","kms:Update*","kms:Revoke*",
                "kms:Disable*","kms:Get*","kms:Delete*","kms:TagResource","kms:UntagResource",
                "kms:ScheduleKeyDeletion","kms:CancelKeyDeletion","kms:RotateKeyOnDemand"],
     "Resource": "*"},
    {"Sid": "Allow use of the key", "Effect": "Allow",
     "Principal": {"AWS": "arn:aws:iam::111122223333:role/ExampleRole"},
     "Action": ["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],
     "Resource": "*"},
    {"Sid": "Allow attachment of persistent resources", "Effect": "Allow",
     "Principal": {"AWS": "arn:aws:iam::111122223333:role/ExampleRole"},
     "Action": ["kms:CreateGrant","kms:ListGrants","kms:RevokeGrant"],
     "Resource": "*",
     "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}}
  ]
}`

// awsManagedEBSPolicy is the shape of an AWS managed key's policy, the one
// for aws/ebs ("AWS KMS condition keys", kms:CallerAccount and
// kms:ViaService; "AWS managed keys").
const awsManagedEBSPolicy = `{
  "Version": "2012-10-17",
  "Id": "auto-ebs-2",
  "Statement": [
    {"Sid": "Allow access through EBS for all principals in the account that are authorized to use EBS",
     "Effect": "Allow", "Principal": {"AWS": "*"},
     "Action": ["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:CreateGrant","kms:DescribeKey"],
     "Resource": "*",
     "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333", "kms:ViaService": "ec2.us-west-2.amazonaws.com"}}},
    {"Sid": "Allow direct access to key metadata to the account", "Effect": "Allow",
     "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
     "Action": ["kms:Describe*","kms:Get*","kms:List*","kms:RevokeGrant"],
     "Resource": "*"}
  ]
}`

// crossAccountPolicy adds to the default policy the statements of
// "Allowing users in other accounts to use a KMS key" for account
// 444455556666.
const crossAccountPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
     "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
    {"Sid": "Allow an external account to use this KMS key", "Effect": "Allow",
     "Principal": {"AWS": ["arn:aws:iam::444455556666:root"]},
     "Action": ["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],
     "Resource": "*"},
    {"Sid": "Allow a named external role", "Effect": "Allow",
     "Principal": {"AWS": "arn:aws:iam::444455556666:role/ExampleRole"},
     "Action": "kms:Sign", "Resource": "*"}
  ]
}`

// externalIAMPolicy is the IAM policy of "Allowing users in other
// accounts": it names the key by ARN.
const externalIAMPolicy = `{
  "Version": "2012-10-17",
  "Statement": [{"Sid": "AllowUseOfKeyInAccount111122223333", "Effect": "Allow",
    "Action": ["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey","kms:Sign"],
    "Resource": "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}]
}`

func mustIdentity(t testing.TB, text string) *Policy {
	t.Helper()
	p, err := CompileIdentityPolicy(text)
	if err != nil {
		t.Fatalf("CompileIdentityPolicy: %v", err)
	}
	return p
}

type authCase struct {
	name     string
	subject  Subject
	action   string
	ctx      func(*Context)
	identity []string
	grant    bool
	want     Denial // NoDenial: allowed
	byGrant  bool
}

func runAuthCases(t *testing.T, keyPolicy string, cases []authCase) {
	t.Helper()
	kp := mustKeyPolicy(t, keyPolicy)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := &Context{}
			ctx.SetPrincipal(tc.subject)
			if tc.ctx != nil {
				tc.ctx(ctx)
			}
			a := &Authorization{
				Request:     &Request{Subject: tc.subject, Action: tc.action, Resource: keyARNA, Context: ctx},
				KeyAccount:  acctA,
				KeyPolicy:   kp,
				GrantAllows: tc.grant,
			}
			for _, text := range tc.identity {
				a.IdentityPolicies = append(a.IdentityPolicies, mustIdentity(t, text))
			}
			v := Authorize(a)
			if v.Allowed != (tc.want == NoDenial) || v.Denial != tc.want || v.ByGrant != tc.byGrant {
				t.Errorf("Authorize = %+v, want denial %v byGrant=%v", v, tc.want, tc.byGrant)
			}
		})
	}
}

func allowIAM(actions string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":` + actions + `,"Resource":"*"}]}`
}

func denyIAM(actions string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"NoDecrypt","Effect":"Deny","Action":` + actions + `,"Resource":"*"}]}`
}

// TestDefaultKeyPolicyAuthorization: "Default key policy" — "Allows access
// to the AWS account and enables IAM policies": the root user has access,
// other identities need an IAM policy.
func TestDefaultKeyPolicyAuthorization(t *testing.T) {
	runAuthCases(t, DefaultKeyPolicy("aws", acctA), []authCase{
		{name: "root of the key's account", subject: rootSubject(acctA), action: "kms:ScheduleKeyDeletion"},
		{name: "user without IAM policy", subject: userSubject(acctA, "alice"), action: "kms:Decrypt", want: NoIdentityPolicyAllows},
		{name: "user with IAM policy", subject: userSubject(acctA, "alice"), action: "kms:Decrypt", identity: []string{allowIAM(`"kms:Decrypt"`)}},
		{name: "IAM policy for another action", subject: userSubject(acctA, "alice"), action: "kms:Decrypt", identity: []string{allowIAM(`"kms:Encrypt"`)}, want: NoIdentityPolicyAllows},
		{name: "one of several IAM policies allows", subject: userSubject(acctA, "alice"), action: "kms:Decrypt", identity: []string{allowIAM(`"kms:Encrypt"`), allowIAM(`"kms:*"`)}},
		{name: "role session with IAM policy", subject: sessionSubject(acctA, "R", "s"), action: "kms:GenerateDataKey", identity: []string{allowIAM(`"kms:GenerateDataKey*"`)}},
		{name: "IAM explicit deny", subject: userSubject(acctA, "alice"), action: "kms:Decrypt", identity: []string{allowIAM(`"kms:*"`), denyIAM(`"kms:Decrypt"`)}, want: ExplicitDenyIdentity},
		{name: "other account's user, even with IAM", subject: userSubject(acctB, "bob"), action: "kms:Decrypt", identity: []string{allowIAM(`"kms:*"`)}, want: NoResourcePolicyAllows},
		{name: "other account's root", subject: rootSubject(acctB), action: "kms:Decrypt", want: NoResourcePolicyAllows},
		{name: "a service not in the policy", subject: serviceSubject("logs.amazonaws.com"), action: "kms:Decrypt", want: NoResourcePolicyAllows},
	})
}

// TestConsoleDefaultPolicyAuthorization: "Default key policy", the
// console's statements for key administrators, key users and AWS
// services (kms:GrantIsForAWSResource).
func TestConsoleDefaultPolicyAuthorization(t *testing.T) {
	forAWSResource := func(v string) func(*Context) {
		return func(c *Context) { c.Set("kms:GrantIsForAWSResource", v) }
	}
	admin := sessionSubject(acctA, "KMSAdminRole", "admin")
	user := sessionSubject(acctA, "ExampleRole", "app")
	runAuthCases(t, consoleDefaultPolicy, []authCase{
		{name: "administrator schedules deletion", subject: admin, action: "kms:ScheduleKeyDeletion"},
		{name: "administrator puts a policy", subject: admin, action: "kms:PutKeyPolicy"},
		{name: "administrator cannot decrypt without IAM", subject: admin, action: "kms:Decrypt", want: NoIdentityPolicyAllows},
		{name: "administrator decrypts with IAM (root statement enables IAM)", subject: admin, action: "kms:Decrypt", identity: []string{allowIAM(`"kms:Decrypt"`)}},
		{name: "key user encrypts without IAM", subject: user, action: "kms:Encrypt"},
		{name: "key user ReEncryptFrom via wildcard", subject: user, action: "kms:ReEncryptFrom"},
		{name: "key user cannot disable the key", subject: user, action: "kms:DisableKey", want: NoIdentityPolicyAllows},
		{name: "key user grants for an AWS resource", subject: user, action: "kms:CreateGrant", ctx: forAWSResource("true")},
		{name: "key user grant not for an AWS resource", subject: user, action: "kms:CreateGrant", ctx: forAWSResource("false"), want: NoIdentityPolicyAllows},
		{name: "key user grant, key absent", subject: user, action: "kms:CreateGrant", want: NoIdentityPolicyAllows},
		{name: "another role of the account", subject: sessionSubject(acctA, "Other", "s"), action: "kms:Encrypt", want: NoIdentityPolicyAllows},
	})
}

// TestAWSManagedKeyPolicyAuthorization: the aws/ebs policy shape —
// Principal "*" limited by kms:CallerAccount and kms:ViaService ("AWS KMS
// condition keys", kms:CallerAccount and kms:ViaService).
func TestAWSManagedKeyPolicyAuthorization(t *testing.T) {
	via := func(service string) func(*Context) {
		return func(c *Context) { c.Set("kms:ViaService", service) }
	}
	runAuthCases(t, awsManagedEBSPolicy, []authCase{
		{name: "through EBS, same account, no IAM needed", subject: userSubject(acctA, "alice"), action: "kms:Decrypt", ctx: via("ec2.us-west-2.amazonaws.com")},
		{name: "through EBS as a role session", subject: sessionSubject(acctA, "R", "s"), action: "kms:GenerateDataKeyWithoutPlaintext", ctx: via("ec2.us-west-2.amazonaws.com")},
		{name: "directly, not through EBS", subject: userSubject(acctA, "alice"), action: "kms:Decrypt", want: NoResourcePolicyAllows},
		{name: "through another service", subject: userSubject(acctA, "alice"), action: "kms:Decrypt", ctx: via("rds.us-west-2.amazonaws.com"), want: NoResourcePolicyAllows},
		{name: "through EBS in another Region", subject: userSubject(acctA, "alice"), action: "kms:Decrypt", ctx: via("ec2.us-east-1.amazonaws.com"), want: NoResourcePolicyAllows},
		{name: "other account through EBS", subject: userSubject(acctB, "bob"), action: "kms:Decrypt", ctx: via("ec2.us-west-2.amazonaws.com"), identity: []string{allowIAM(`"kms:*"`)}, want: NoResourcePolicyAllows},
		{name: "metadata through the account needs IAM", subject: userSubject(acctA, "alice"), action: "kms:DescribeKey", want: NoIdentityPolicyAllows},
		{name: "metadata with IAM", subject: userSubject(acctA, "alice"), action: "kms:GetKeyPolicy", identity: []string{allowIAM(`"kms:Get*"`)}},
		{name: "no policy change for anyone", subject: rootSubject(acctA), action: "kms:PutKeyPolicy", want: NoResourcePolicyAllows},
	})
}

// TestCrossAccountAuthorization: "Allowing users in other accounts to use
// a KMS key" — the key policy gives the external account permission, and
// IAM policies in that account delegate it.
func TestCrossAccountAuthorization(t *testing.T) {
	runAuthCases(t, crossAccountPolicy, []authCase{
		{name: "external user with IAM policy", subject: userSubject(acctB, "bob"), action: "kms:Decrypt", identity: []string{externalIAMPolicy}},
		{name: "external user without IAM policy", subject: userSubject(acctB, "bob"), action: "kms:Decrypt", want: NoIdentityPolicyAllows},
		{name: "external root user needs no IAM policy", subject: rootSubject(acctB), action: "kms:Decrypt"},
		{name: "external user, action the key policy does not give", subject: userSubject(acctB, "bob"), action: "kms:ScheduleKeyDeletion", identity: []string{allowIAM(`"kms:*"`)}, want: NoResourcePolicyAllows},
		{name: "IAM policy for another key", subject: userSubject(acctB, "bob"), action: "kms:Decrypt",
			identity: []string{`{"Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"arn:aws:kms:us-west-2:111122223333:key/other"}]}`}, want: NoIdentityPolicyAllows},
		// Named directly, but in another account: IAM must still allow.
		{name: "named external role without IAM", subject: sessionSubject(acctB, "ExampleRole", "s"), action: "kms:Sign", want: NoIdentityPolicyAllows},
		{name: "named external role with IAM", subject: sessionSubject(acctB, "ExampleRole", "s"), action: "kms:Sign", identity: []string{externalIAMPolicy}},
		{name: "third account", subject: userSubject("777788889999", "carol"), action: "kms:Decrypt", identity: []string{allowIAM(`"kms:*"`)}, want: NoResourcePolicyAllows},
	})
	// kms:CallerAccount with Principal "*": the same rule across accounts.
	runAuthCases(t, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Decrypt","Resource":"*",
		"Condition":{"StringEquals":{"kms:CallerAccount":["111122223333","444455556666"]}}}]}`, []authCase{
		{name: "CallerAccount same account, no IAM", subject: userSubject(acctA, "alice"), action: "kms:Decrypt"},
		{name: "CallerAccount other account needs IAM", subject: userSubject(acctB, "bob"), action: "kms:Decrypt", want: NoIdentityPolicyAllows},
		{name: "CallerAccount other account with IAM", subject: userSubject(acctB, "bob"), action: "kms:Decrypt", identity: []string{allowIAM(`"kms:Decrypt"`)}},
		{name: "CallerAccount not listed", subject: userSubject("777788889999", "carol"), action: "kms:Decrypt", identity: []string{allowIAM(`"kms:Decrypt"`)}, want: NoResourcePolicyAllows},
	})
}

// TestEncryptionContextPolicies: "AWS KMS condition keys",
// kms:EncryptionContext:context-key and kms:EncryptionContextKeys.
func TestEncryptionContextPolicies(t *testing.T) {
	ec := func(pairs map[string]string) func(*Context) {
		return func(c *Context) { c.SetEncryptionContext(pairs) }
	}
	role := sessionSubject(acctA, "RoleForExampleApp", "s")
	// Require AppName=ExampleApp; other pairs permitted.
	runAuthCases(t, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/RoleForExampleApp"},
		"Action":"kms:GenerateDataKey","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:AppName":"ExampleApp"}}}]}`, []authCase{
		{name: "required pair", subject: role, action: "kms:GenerateDataKey", ctx: ec(map[string]string{"AppName": "ExampleApp"})},
		{name: "required pair and another", subject: role, action: "kms:GenerateDataKey", ctx: ec(map[string]string{"AppName": "ExampleApp", "Stage": "Test"})},
		{name: "key in other case matches", subject: role, action: "kms:GenerateDataKey", ctx: ec(map[string]string{"appname": "ExampleApp"})},
		{name: "value in other case does not", subject: role, action: "kms:GenerateDataKey", ctx: ec(map[string]string{"AppName": "exampleapp"}), want: NoResourcePolicyAllows},
		{name: "no encryption context", subject: role, action: "kms:GenerateDataKey", want: NoResourcePolicyAllows},
	})
	// Require the pair and forbid every other key (ForAllValues on
	// kms:EncryptionContextKeys).
	runAuthCases(t, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},
		"Action":"kms:GenerateDataKey","Resource":"*","Condition":{
			"StringEquals":{"kms:EncryptionContext:AppName":"ExampleApp"},
			"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["AppName"]}}}]}`, []authCase{
		{name: "only the required pair", subject: userSubject(acctA, "alice"), action: "kms:GenerateDataKey", ctx: ec(map[string]string{"AppName": "ExampleApp"})},
		{name: "an extra pair is refused", subject: userSubject(acctA, "alice"), action: "kms:GenerateDataKey", ctx: ec(map[string]string{"AppName": "ExampleApp", "Stage": "Test"}), want: NoResourcePolicyAllows},
		{name: "no context: ForAllValues alone would pass, the pair fails", subject: userSubject(acctA, "alice"), action: "kms:GenerateDataKey", want: NoResourcePolicyAllows},
	})
	// Case-sensitive key: ForAnyValue:StringEquals on EncryptionContextKeys.
	runAuthCases(t, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/RoleForExampleApp"},
		"Action":"kms:GenerateDataKey","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"kms:EncryptionContextKeys":"AppName"}}}]}`, []authCase{
		{name: "key in its case", subject: role, action: "kms:GenerateDataKey", ctx: ec(map[string]string{"AppName": "x"})},
		{name: "key in other case", subject: role, action: "kms:GenerateDataKey", ctx: ec(map[string]string{"appname": "x"}), want: NoResourcePolicyAllows},
		{name: "no context", subject: role, action: "kms:GenerateDataKey", want: NoResourcePolicyAllows},
	})
	// Forbid Stage=Restricted or Stage=Production with a Deny.
	runAuthCases(t, `{"Statement":[
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/RoleForExampleApp"},"Action":"kms:GenerateDataKey","Resource":"*"},
		{"Sid":"NoRestricted","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:role/RoleForExampleApp"},"Action":"kms:GenerateDataKey","Resource":"*",
		 "Condition":{"StringEquals":{"kms:EncryptionContext:Stage":["Restricted","Production"]}}}]}`, []authCase{
		{name: "Stage=Test allowed", subject: role, action: "kms:GenerateDataKey", ctx: ec(map[string]string{"Stage": "Test"})},
		{name: "Stage=Restricted denied", subject: role, action: "kms:GenerateDataKey", ctx: ec(map[string]string{"Stage": "Restricted"}), want: ExplicitDenyResource},
		{name: "Stage=Production denied, even with a grant", subject: role, action: "kms:GenerateDataKey", ctx: ec(map[string]string{"Stage": "Production"}), grant: true, want: ExplicitDenyResource},
		{name: "no context allowed", subject: role, action: "kms:GenerateDataKey"},
	})
}

// TestSourceIPDeny: the IAM example "AWS: Denies access to AWS based on
// the source IP", as a key policy statement next to the default one.
func TestSourceIPDeny(t *testing.T) {
	from := func(ip string) func(*Context) {
		return func(c *Context) { c.Set("aws:SourceIp", ip) }
	}
	runAuthCases(t, `{"Statement":[
		{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
		{"Sid":"DenyOutsideRange","Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*",
		 "Condition":{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]}}}]}`, []authCase{
		{name: "inside the range", subject: rootSubject(acctA), action: "kms:Decrypt", ctx: from("192.0.2.10")},
		{name: "inside the second range", subject: rootSubject(acctA), action: "kms:Decrypt", ctx: from("203.0.113.99")},
		{name: "outside", subject: rootSubject(acctA), action: "kms:Decrypt", ctx: from("198.51.100.1"), want: ExplicitDenyResource},
		// NotIpAddress on an absent key is true: no source IP, denied.
		{name: "no source IP", subject: rootSubject(acctA), action: "kms:Decrypt", want: ExplicitDenyResource},
	})
}

// TestGrantsInAuthorize: "Grants in AWS KMS" — a grant allows without key
// policy or IAM permission, in the key's account or another, but never
// past an explicit deny.
func TestGrantsInAuthorize(t *testing.T) {
	runAuthCases(t, DefaultKeyPolicy("aws", acctA), []authCase{
		{name: "same account, no IAM, grant", subject: userSubject(acctA, "alice"), action: "kms:Decrypt", grant: true, byGrant: true},
		{name: "other account, grant", subject: userSubject(acctB, "bob"), action: "kms:Decrypt", grant: true, byGrant: true},
		{name: "IAM deny beats the grant", subject: userSubject(acctA, "alice"), action: "kms:Decrypt", grant: true, identity: []string{denyIAM(`"kms:*"`)}, want: ExplicitDenyIdentity},
		{name: "policy allows anyway: not by grant", subject: rootSubject(acctA), action: "kms:Decrypt", grant: true},
	})
	runAuthCases(t, `{"Statement":[
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
		{"Sid":"NoDecrypt","Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}`, []authCase{
		{name: "key policy deny beats the grant", subject: userSubject(acctA, "alice"), action: "kms:Decrypt", grant: true, want: ExplicitDenyResource},
		{name: "key policy deny beats IAM and root", subject: rootSubject(acctA), action: "kms:Decrypt", identity: nil, want: ExplicitDenyResource},
	})
}

// TestServicePrincipalAuthorization: a key policy statement for a service
// principal, as for CloudWatch Logs ("Encrypt log data in CloudWatch Logs
// using AWS KMS" key policy).
func TestServicePrincipalAuthorization(t *testing.T) {
	runAuthCases(t, `{"Statement":[{"Effect":"Allow","Principal":{"Service":"logs.us-west-2.amazonaws.com"},
		"Action":["kms:Encrypt*","kms:Decrypt*","kms:ReEncrypt*","kms:GenerateDataKey*","kms:Describe*"],"Resource":"*",
		"Condition":{"ArnLike":{"kms:EncryptionContext:aws:logs:arn":"arn:aws:logs:us-west-2:111122223333:log-group:*"}}}]}`, []authCase{
		{name: "logs with its context", subject: serviceSubject("logs.us-west-2.amazonaws.com"), action: "kms:GenerateDataKey",
			ctx: func(c *Context) {
				c.SetEncryptionContext(map[string]string{"aws:logs:arn": "arn:aws:logs:us-west-2:111122223333:log-group:my-group"})
			}},
		{name: "logs, other account's log group", subject: serviceSubject("logs.us-west-2.amazonaws.com"), action: "kms:GenerateDataKey",
			ctx: func(c *Context) {
				c.SetEncryptionContext(map[string]string{"aws:logs:arn": "arn:aws:logs:us-west-2:444455556666:log-group:g"})
			}, want: NoResourcePolicyAllows},
		{name: "another service", subject: serviceSubject("sns.amazonaws.com"), action: "kms:GenerateDataKey", want: NoResourcePolicyAllows},
	})
}
