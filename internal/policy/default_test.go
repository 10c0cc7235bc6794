package policy

import (
	"reflect"
	"testing"
)

// The GetKeyPolicy example of the KMS API reference, account 111122223333.
const wantDefaultPolicy = `{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::111122223333:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}`

func TestDefaultKeyPolicyText(t *testing.T) {
	if got := DefaultKeyPolicy("aws", "111122223333"); got != wantDefaultPolicy {
		t.Errorf("DefaultKeyPolicy =\n%s\nwant\n%s", got, wantDefaultPolicy)
	}
	if DefaultPolicyName != "default" {
		t.Errorf("DefaultPolicyName = %q", DefaultPolicyName)
	}
}

func TestDefaultKeyPolicyParsesAndValidates(t *testing.T) {
	for _, partition := range []string{"aws", "aws-cn", "aws-us-gov"} {
		d, err := ParseKeyPolicy(DefaultKeyPolicy(partition, "111122223333"))
		if err != nil {
			t.Fatalf("%s: %v", partition, err)
		}
		want := &Document{
			Version: "2012-10-17",
			ID:      "key-default-1",
			Statements: []Statement{{
				Sid:       "Enable IAM User Permissions",
				Effect:    Allow,
				Principal: &Principal{AWS: []string{"arn:" + partition + ":iam::111122223333:root"}},
				Action:    []string{"kms:*"},
				Resource:  []string{"*"},
			}},
		}
		if !reflect.DeepEqual(d, want) {
			t.Errorf("%s: parsed %+v, want %+v", partition, d, want)
		}
	}
}

func TestDefaultKeyPolicyPassesModelChecks(t *testing.T) {
	doc := DefaultKeyPolicy("aws", "111122223333")
	if err := CheckCharacters(doc); err != nil {
		t.Error(err)
	}
	if err := CheckSize(doc); err != nil {
		t.Error(err)
	}
}

// A hostile or broken argument must not be able to break out of the string.
func TestDefaultKeyPolicyQuotesArguments(t *testing.T) {
	doc := DefaultKeyPolicy(`aws"`, `1", "Effect": "Deny`)
	d, err := Parse(doc)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got := d.Statements[0].Principal.AWS[0]; got != `arn:aws":iam::1", "Effect": "Deny:root` {
		t.Errorf("principal = %q", got)
	}
}
