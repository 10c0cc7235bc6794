package policy

import (
	"strings"
	"testing"
)

// consolePolicy is shaped like the key policy the KMS console writes
// ("Default key policy", sections "Allows key administrators to administer
// the KMS key" and "Allows key users to use the KMS key"), with conditions
// of the kinds the developer guide shows (kms:ViaService, kms:CallerAccount,
// kms:GrantIsForAWSResource, kms:EncryptionContext:).
const consolePolicy = `{
    "Id": "key-consolepolicy-3",
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "kms:*",
            "Resource": "*"
        },
        {
            "Sid": "Allow access for Key Administrators",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:role/ExampleAdminRole"},
            "Action": [
                "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*",
                "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*",
                "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion",
                "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand"
            ],
            "Resource": "*"
        },
        {
            "Sid": "Allow use of the key",
            "Effect": "Allow",
            "Principal": {"AWS": [
                "arn:aws:iam::111122223333:role/ExampleUserRole",
                "arn:aws:sts::444455556666:assumed-role/ExampleRole/session-1"
            ]},
            "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "kms:ViaService": ["ec2.us-west-2.amazonaws.com", "rds.us-west-2.amazonaws.com"],
                    "kms:CallerAccount": "111122223333"
                },
                "StringEqualsIfExists": {"kms:EncryptionContext:Department": "IT"}
            }
        },
        {
            "Sid": "Allow attachment of persistent resources",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:role/ExampleUserRole"},
            "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
            "Resource": "*",
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": true}}
        },
        {
            "Sid": "Deny use outside the organisation's network",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "kms:*",
            "Resource": "*",
            "Condition": {
                "NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]},
                "Bool": {"aws:ViaAWSService": "false"},
                "ForAnyValue:StringNotLike": {"aws:PrincipalOrgPaths": "o-a1b2c3d4e5/*"}
            }
        },
        {
            "Sid": "Allow CloudTrail to encrypt logs",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "kms:GenerateDataKey*",
            "Resource": "*",
            "Condition": {"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:111122223333:trail/*"}}
        }
    ]
}`

func TestRealisticPolicyValidates(t *testing.T) {
	d, err := ParseKeyPolicy(consolePolicy)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(d.Statements); n != 6 {
		t.Fatalf("%d statements, want 6", n)
	}
	use := d.Statements[2]
	if use.Sid != "Allow use of the key" || len(use.Condition) != 3 || use.Condition[0].Key != "kms:ViaService" {
		t.Errorf("statement 3 = %+v", use)
	}
	if got := d.Statements[3].Condition[0].Values; len(got) != 1 || got[0] != "true" {
		t.Errorf("Bool value = %q, want [true]", got)
	}
	if err := CheckCharacters(consolePolicy); err != nil {
		t.Error(err)
	}
}

func TestValidateRules(t *testing.T) {
	const p, a, r = `"Principal":{"AWS":"111122223333"}`, `"Action":"kms:Decrypt"`, `"Resource":"*"`
	allow := `"Effect":"Allow",`
	tests := []struct {
		name, doc, want string // want "" means valid
	}{
		// Version (reference_policies_elements_version.html).
		{"no Version", `{"Statement":{` + okStatement + `}}`, ""},
		{"Version 2008", `{"Version":"2008-10-17","Statement":{` + okStatement + `}}`, ""},
		{"Version unknown", `{"Version":"2012-10-18","Statement":{` + okStatement + `}}`, msgVersion},
		{"Id any string", `{"Id":"anything at all","Statement":{` + okStatement + `}}`, ""},

		// Statements.
		{"no Statement", `{"Version":"2012-10-17"}`, msgNoStatements},
		{"empty Statement list", `{"Version":"2012-10-17","Statement":[]}`, msgNoStatements},
		{"empty object", `{}`, msgNoStatements},

		// Effect.
		{"Deny", stmt(`"Effect":"Deny",` + p + "," + a + "," + r), ""},
		{"no Effect", stmt(p + "," + a + "," + r), msgEffect},
		{"Effect lower case", stmt(`"Effect":"allow",` + p + "," + a + "," + r), msgEffect},
		{"Effect other", stmt(`"Effect":"Audit",` + p + "," + a + "," + r), msgEffect},

		// Principals.
		{"no principal", stmt(allow + a + "," + r), msgNoPrincipal},
		{"empty principal object", stmt(allow + `"Principal":{},` + a + "," + r), msgNoPrincipal},
		{"empty principal list", stmt(allow + `"Principal":{"AWS":[]},` + a + "," + r), msgNoPrincipal},
		{"Principal and NotPrincipal", stmt(allow + p + `,"NotPrincipal":"*",` + a + "," + r), msgBothPrincipals},
		{"NotPrincipal alone", stmt(`"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},` + a + "," + r), ""},
		{"Principal star", stmt(allow + `"Principal":"*",` + a + "," + r), ""},
		{"AWS star", stmt(allow + `"Principal":{"AWS":"*"},` + a + "," + r), ""},
		{"account root", stmt(allow + `"Principal":{"AWS":"arn:aws:iam::111122223333:root"},` + a + "," + r), ""},
		{"IAM user with path", stmt(allow + `"Principal":{"AWS":"arn:aws:iam::111122223333:user/division/Alice"},` + a + "," + r), ""},
		{"role in GovCloud", stmt(allow + `"Principal":{"AWS":"arn:aws-us-gov:iam::111122223333:role/R"},` + a + "," + r), ""},
		{"assumed-role session", stmt(allow + `"Principal":{"AWS":"arn:aws:sts::111122223333:assumed-role/R/s"},` + a + "," + r), ""},
		{"federated-user session", stmt(allow + `"Principal":{"AWS":"arn:aws:sts::111122223333:federated-user/Bob"},` + a + "," + r), ""},
		{"service principal", stmt(allow + `"Principal":{"Service":["logs.us-east-1.amazonaws.com","ec2.amazonaws.com.cn"]},` + a + "," + r), ""},
		{"SAML provider", stmt(allow + `"Principal":{"Federated":"arn:aws:iam::111122223333:saml-provider/Okta"},` + a + "," + r), ""},
		{"web identity", stmt(allow + `"Principal":{"Federated":"accounts.google.com"},` + a + "," + r), ""},
		{"canonical user", stmt(allow + `"Principal":{"CanonicalUser":"` + canonicalUser + `"},` + a + "," + r), ""},
		{"account ID too short", stmt(allow + `"Principal":{"AWS":"11112222333"},` + a + "," + r), msgInvalidPrincipals},
		{"unique ID", stmt(allow + `"Principal":{"AWS":"AIDACKCEVSQ6C2EXAMPLE"},` + a + "," + r), msgInvalidPrincipals},
		{"user name only", stmt(allow + `"Principal":{"AWS":"Alice"},` + a + "," + r), msgInvalidPrincipals},
		{"wildcard in ARN", stmt(allow + `"Principal":{"AWS":"arn:aws:iam::111122223333:role/*"},` + a + "," + r), msgInvalidPrincipals},
		{"IAM group", stmt(allow + `"Principal":{"AWS":"arn:aws:iam::111122223333:group/Admins"},` + a + "," + r), msgInvalidPrincipals},
		{"role without a name", stmt(allow + `"Principal":{"AWS":"arn:aws:iam::111122223333:role/"},` + a + "," + r), msgInvalidPrincipals},
		{"ARN with region", stmt(allow + `"Principal":{"AWS":"arn:aws:iam:us-east-1:111122223333:root"},` + a + "," + r), msgInvalidPrincipals},
		{"ARN of another service", stmt(allow + `"Principal":{"AWS":"arn:aws:kms:us-east-1:111122223333:key/k"},` + a + "," + r), msgInvalidPrincipals},
		{"ARN bad partition", stmt(allow + `"Principal":{"AWS":"arn:amazon:iam::111122223333:root"},` + a + "," + r), msgInvalidPrincipals},
		{"one bad among good", stmt(allow + `"Principal":{"AWS":["111122223333","nobody"]},` + a + "," + r), msgInvalidPrincipals},
		{"service star", stmt(allow + `"Principal":{"Service":"*"},` + a + "," + r), msgInvalidPrincipals},
		{"service without a dot", stmt(allow + `"Principal":{"Service":"logs"},` + a + "," + r), msgInvalidPrincipals},
		{"federated role ARN", stmt(allow + `"Principal":{"Federated":"arn:aws:iam::111122223333:role/R"},` + a + "," + r), msgInvalidPrincipals},
		{"canonical user upper case", stmt(allow + `"Principal":{"CanonicalUser":"` + strings.ToUpper(canonicalUser) + `"},` + a + "," + r), msgInvalidPrincipals},

		// Actions.
		{"no Action", stmt(allow + p + "," + r), msgNoActions},
		{"empty Action list", stmt(allow + p + `,"Action":[],` + r), msgNoActions},
		{"Action and NotAction", stmt(allow + p + "," + a + `,"NotAction":"kms:Encrypt",` + r), msgBothActions},
		{"NotAction alone", stmt(allow + p + `,"NotAction":["kms:ScheduleKeyDeletion"],` + r), ""},
		{"Action star", stmt(allow + p + `,"Action":"*",` + r), ""},
		{"Action wildcards", stmt(allow + p + `,"Action":["kms:Get*","kms:?ncrypt","KMS:decrypt"],` + r), ""},
		{"another service's action", stmt(allow + p + `,"Action":["s3:GetObject","execute-api:Invoke"],` + r), ""},
		{"Action without vendor", stmt(allow + p + `,"Action":"Decrypt",` + r), msgNoVendor},
		{"Action with two colons", stmt(allow + p + `,"Action":"kms:Decrypt:x",` + r), msgOneColon},
		{"Action empty name", stmt(allow + p + `,"Action":"kms:",` + r), `Policy contains a statement with an invalid action: "kms:".`},
		{"Action empty vendor", stmt(allow + p + `,"Action":":Decrypt",` + r), `Policy contains a statement with an invalid action: ":Decrypt".`},
		{"Action with a space", stmt(allow + p + `,"Action":"kms:Encrypt Decrypt",` + r), `Policy contains a statement with an invalid action: "kms:Encrypt Decrypt".`},
		{"Action empty string", stmt(allow + p + `,"Action":"",` + r), msgNoVendor},

		// Resources.
		{"no Resource", stmt(allow + p + "," + a), msgNoResources},
		{"empty Resource list", stmt(allow + p + "," + a + `,"Resource":[]`), msgNoResources},
		{"Resource and NotResource", stmt(allow + p + "," + a + "," + r + `,"NotResource":"*"`), msgBothResources},
		{"key ARN", stmt(allow + p + "," + a + `,"Resource":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"`), ""},
		{"wildcard ARN", stmt(allow + p + "," + a + `,"Resource":"arn:aws:kms:*:111122223333:*"`), ""},
		{"Resource not an ARN", stmt(allow + p + "," + a + `,"Resource":"my-key"`), `Resource my-key must be in ARN format or "*".`},
		{"Resource short ARN", stmt(allow + p + "," + a + `,"Resource":"arn:aws:kms:us-east-1"`), `Resource arn:aws:kms:us-east-1 must be in ARN format or "*".`},
		{"Resource empty", stmt(allow + p + "," + a + `,"Resource":""`), `Resource  must be in ARN format or "*".`},

		// Conditions.
		{"empty Condition", stmt(allow + p + "," + a + "," + r + `,"Condition":{}`), ""},
		{"IfExists and set qualifiers", stmt(allow + p + "," + a + "," + r +
			`,"Condition":{"ForAllValues:StringEqualsIgnoreCaseIfExists":{"kms:EncryptionContextKeys":["a","b"]},"Null":{"kms:GrantConstraintType":"false"},"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/x"}}`), ""},

		// Sids.
		{"Sid with spaces", stmt(`"Sid":"Allow use of the key",` + okStatement), ""},
		{"duplicate Sid", `{"Statement":[{"Sid":"A",` + okStatement + `},{"Sid":"A",` + okStatement + `}]}`, msgDuplicateSid},
		{"Sids differ in case", `{"Statement":[{"Sid":"a",` + okStatement + `},{"Sid":"A",` + okStatement + `}]}`, ""},
		{"empty Sids repeat", `{"Statement":[{"Sid":"",` + okStatement + `},{"Sid":"",` + okStatement + `}]}`, ""},

		// The first fault in document order wins.
		{"first statement's fault first", `{"Statement":[{"Effect":"Allow"},{"Effect":"Nope"}]}`, msgNoPrincipal},
		{"Effect before principal", stmt(`"Effect":"x"`), msgEffect},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse(tt.doc)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			err = d.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate accepted")
			}
			wantMalformed(t, err, tt.want)
			// ParseKeyPolicy gives the same answer and no document.
			d2, err2 := ParseKeyPolicy(tt.doc)
			if d2 != nil || err2 == nil || err2.Error() != err.Error() {
				t.Errorf("ParseKeyPolicy = %v, %v; Validate said %v", d2, err2, err)
			}
		})
	}
}

// A Document built in code is held to the rules Parse enforces.
func TestValidateHandBuiltDocument(t *testing.T) {
	base := func() *Document {
		return &Document{Statements: []Statement{{
			Effect:    Allow,
			Principal: &Principal{All: true},
			Action:    []string{"kms:Decrypt"},
			Resource:  []string{"*"},
		}}}
	}
	if err := base().Validate(); err != nil {
		t.Fatalf("base: %v", err)
	}
	tests := []struct {
		name string
		cond Condition
		want string
	}{
		{"unknown operator", Condition{Operator: Operator{Name: "Like", Base: "Like", Set: SingleValued}, Key: "k", Values: []string{"v"}},
			`Policy contains a statement with an unsupported condition operator: "Like".`},
		{"operator parts disagree with name", Condition{Operator: Operator{Name: "StringEquals", Base: "StringLike", Set: SingleValued}, Key: "k", Values: []string{"v"}},
			`Policy contains a statement with an unsupported condition operator: "StringEquals".`},
		{"zero set qualifier", Condition{Operator: Operator{Name: "StringEquals", Base: "StringEquals"}, Key: "k", Values: []string{"v"}},
			`Policy contains a statement with an unsupported condition operator: "StringEquals".`},
		{"empty key", Condition{Operator: mustOperator(t, "Bool"), Values: []string{"true"}},
			`Syntax errors in policy. Condition operator "Bool" has an empty condition key.`},
		{"no values", Condition{Operator: mustOperator(t, "Bool"), Key: "k"},
			`Syntax errors in policy. Condition key "k" must have a value or a non-empty list of values.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := base()
			d.Statements[0].Condition = []Condition{tt.cond}
			wantMalformed(t, d.Validate(), tt.want)
		})
	}
}

func mustOperator(t *testing.T, name string) Operator {
	t.Helper()
	op, ok := ParseOperator(name)
	if !ok {
		t.Fatalf("ParseOperator(%q) failed", name)
	}
	return op
}

func TestParseKeyPolicyStopsAtSyntax(t *testing.T) {
	d, err := ParseKeyPolicy(`{"Statement":[}`)
	if d != nil {
		t.Errorf("document returned with an error")
	}
	wantMalformed(t, err, `Syntax errors in policy. Invalid character '}' at offset 14.`)
}
