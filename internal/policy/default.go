package policy

import (
	"encoding/json"
	"strings"
)

// DefaultPolicyName is the only key policy name KMS has: GetKeyPolicy,
// PutKeyPolicy and ListKeyPolicies know no other ("The only valid value is
// default", PutKeyPolicy PolicyName).
const DefaultPolicyName = "default"

// DefaultKeyPolicy returns the key policy KMS attaches to a key created by
// CreateKey or ReplicateKey without a Policy ("Default key policy",
// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
// It gives the account, and so IAM policies in it, full access to the key.
//
// The text is byte for byte what GetKeyPolicy returns in the API reference
// example: Jackson's default pretty printer, with " : " between name and
// value, "[ {" ... "} ]" around the statement list and two-space indents.
// The Sid is the API's "Enable IAM User Permissions"; the developer guide
// shows "Enable IAM policies", but clients compare against what the API
// returns. No newline at the end.
//
// partition and account are written as JSON strings, so the result is valid
// JSON whatever they hold; the caller passes a real partition ("aws",
// "aws-cn", ...) and a 12-digit account ID.
func DefaultKeyPolicy(partition, account string) string {
	root := jsonString("arn:" + partition + ":iam::" + account + ":root")
	var b strings.Builder
	b.WriteString("{\n")
	b.WriteString(`  "Version" : "2012-10-17",` + "\n")
	b.WriteString(`  "Id" : "key-default-1",` + "\n")
	b.WriteString(`  "Statement" : [ {` + "\n")
	b.WriteString(`    "Sid" : "Enable IAM User Permissions",` + "\n")
	b.WriteString(`    "Effect" : "Allow",` + "\n")
	b.WriteString(`    "Principal" : {` + "\n")
	b.WriteString(`      "AWS" : ` + root + "\n")
	b.WriteString(`    },` + "\n")
	b.WriteString(`    "Action" : "kms:*",` + "\n")
	b.WriteString(`    "Resource" : "*"` + "\n")
	b.WriteString(`  } ]` + "\n")
	b.WriteString("}")
	return b.String()
}

// jsonString quotes s as a JSON string.
func jsonString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		// json.Marshal of a string cannot fail; invalid UTF-8 is
		// replaced, not refused.
		panic("policy: quoting a string: " + err.Error())
	}
	return string(b)
}
