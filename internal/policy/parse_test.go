package policy

import (
	"reflect"
	"testing"

	"github.com/trent-kms/trent/internal/kmserr"
)

// wantMalformed fails unless err is a MalformedPolicyDocumentException with
// exactly the message want.
func wantMalformed(t *testing.T, err error, want string) {
	t.Helper()
	e, ok := kmserr.As(err)
	if !ok {
		t.Fatalf("error = %v, want a *kmserr.Error", err)
	}
	if e.Code != kmserr.CodeMalformedPolicyDocument || e.Status != 400 {
		t.Errorf("code = %s %d, want %s 400", e.Code, e.Status, kmserr.CodeMalformedPolicyDocument)
	}
	if e.Message != want {
		t.Errorf("message = %q\nwant      %q", e.Message, want)
	}
}

// stmt wraps statement members in a policy with one statement.
func stmt(members string) string {
	return `{"Version":"2012-10-17","Statement":[{` + members + `}]}`
}

const okStatement = `"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"`

func TestParseShapeErrors(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"not JSON", `not a policy`, `Syntax errors in policy. Invalid character 'n' at offset 0.`},
		{"array at top", `[]`, `Syntax errors in policy. The policy must be a JSON object.`},
		{"string at top", `"{}"`, `Syntax errors in policy. The policy must be a JSON object.`},
		{"trailing data", `{"Statement":[]} x`, `Syntax errors in policy. Unexpected data after the top-level value at offset 17.`},
		{"unknown top-level element", `{"Version":"2012-10-17","Statment":[]}`, `Syntax errors in policy. Unsupported element "Statment".`},
		{"lower-case element", `{"version":"2012-10-17"}`, `Syntax errors in policy. Unsupported element "version".`},
		{"Version not a string", `{"Version":2012}`, `Syntax errors in policy. Element "Version" must be a string.`},
		{"Version empty", `{"Version":""}`, msgVersion},
		{"Id not a string", `{"Id":null}`, `Syntax errors in policy. Element "Id" must be a string.`},
		{"Statement a string", `{"Statement":"x"}`, `Syntax errors in policy. Element "Statement" must be an object or a list of objects.`},
		{"Statement list of strings", `{"Statement":["x"]}`, `Syntax errors in policy. Element "Statement" must be an object or a list of objects.`},
		{"unknown statement element", stmt(okStatement + `,"Effekt":"Allow"`), `Syntax errors in policy. Unsupported element "Effekt" in a statement.`},
		{"Sid a number", stmt(okStatement + `,"Sid":1`), `Syntax errors in policy. Element "Sid" must be a string.`},
		{"Effect a list", stmt(`"Effect":["Allow"]`), `Syntax errors in policy. Element "Effect" must be a string.`},
		{"Action an object", stmt(`"Action":{}`), `Syntax errors in policy. Element "Action" must be a string or a list of strings.`},
		{"Action list with a number", stmt(`"Action":["kms:Encrypt",1]`), `Syntax errors in policy. Element "Action" must be a string or a list of strings.`},
		{"Resource null", stmt(`"Resource":null`), `Syntax errors in policy. Element "Resource" must be a string or a list of strings.`},
		{"NotResource true", stmt(`"NotResource":true`), `Syntax errors in policy. Element "NotResource" must be a string or a list of strings.`},
		{"Principal a bare ARN", stmt(`"Principal":"arn:aws:iam::111122223333:root"`), msgInvalidPrincipals},
		{"Principal a list", stmt(`"Principal":["*"]`), msgInvalidPrincipals},
		{"Principal unknown type", stmt(`"Principal":{"User":"x"}`), msgInvalidPrincipals},
		{"Principal value a number", stmt(`"Principal":{"AWS":111122223333}`), msgInvalidPrincipals},
		{"NotPrincipal nested list", stmt(`"NotPrincipal":{"AWS":[["*"]]}`), msgInvalidPrincipals},
		{"Condition a list", stmt(`"Condition":[]`), `Syntax errors in policy. Element "Condition" must be an object.`},
		{"unknown operator", stmt(`"Condition":{"StringEqualz":{"kms:ViaService":"x"}}`), `Policy contains a statement with an unsupported condition operator: "StringEqualz".`},
		{"operator in wrong case", stmt(`"Condition":{"stringequals":{"kms:ViaService":"x"}}`), `Policy contains a statement with an unsupported condition operator: "stringequals".`},
		{"NullIfExists", stmt(`"Condition":{"NullIfExists":{"kms:ViaService":"true"}}`), `Policy contains a statement with an unsupported condition operator: "NullIfExists".`},
		{"two set qualifiers", stmt(`"Condition":{"ForAnyValue:ForAllValues:StringLike":{"k":"v"}}`), `Policy contains a statement with an unsupported condition operator: "ForAnyValue:ForAllValues:StringLike".`},
		{"operator block a string", stmt(`"Condition":{"Bool":"true"}`), `Syntax errors in policy. Condition operator "Bool" must map one or more condition keys to values.`},
		{"operator block empty", stmt(`"Condition":{"Bool":{}}`), `Syntax errors in policy. Condition operator "Bool" must map one or more condition keys to values.`},
		{"empty condition key", stmt(`"Condition":{"Bool":{"":"true"}}`), `Syntax errors in policy. Condition operator "Bool" has an empty condition key.`},
		{"condition key twice by case", stmt(`"Condition":{"StringEquals":{"kms:ViaService":"a","KMS:viaservice":"b"}}`), `Syntax errors in policy. Condition operator "StringEquals" names condition key "KMS:viaservice" twice.`},
		{"condition value null", stmt(`"Condition":{"Null":{"k":null}}`), `Syntax errors in policy. Condition key "k" must have a value or a non-empty list of values.`},
		{"condition value object", stmt(`"Condition":{"StringEquals":{"k":{}}}`), `Syntax errors in policy. Condition key "k" must have a value or a non-empty list of values.`},
		{"condition values empty", stmt(`"Condition":{"StringEquals":{"k":[]}}`), `Syntax errors in policy. Condition key "k" must have a value or a non-empty list of values.`},
		{"condition values nested", stmt(`"Condition":{"StringEquals":{"k":[["v"]]}}`), `Syntax errors in policy. Condition key "k" must have a value or a non-empty list of values.`},
		// The security reason for the strict scanner: encoding/json would
		// read each of these as the last value.
		{"duplicate at top level", `{"Version":"2012-10-17","Version":"2008-10-17","Statement":[]}`, `Syntax errors in policy. Duplicate element "Version" at offset 24.`},
		{"duplicate Effect in a statement", `{"Statement":{"Effect":"Deny","Effect":"Allow"}}`, `Syntax errors in policy. Duplicate element "Effect" at offset 30.`},
		{"duplicate Effect by escape", `{"Statement":{"Effect":"Deny","Eff\u0065ct":"Allow"}}`, `Syntax errors in policy. Duplicate element "Effect" at offset 30.`},
		{"duplicate principal type", `{"Statement":{"Principal":{"AWS":"1","AWS":"*"}}}`, `Syntax errors in policy. Duplicate element "AWS" at offset 37.`},
		{"duplicate condition operator", `{"Statement":{"Condition":{"Bool":{"a":"true"},"Bool":{"b":"true"}}}}`, `Syntax errors in policy. Duplicate element "Bool" at offset 47.`},
		{"duplicate condition key", `{"Statement":{"Condition":{"StringEquals":{"kms:CallerAccount":"1","kms:CallerAccount":"2"}}}}`, `Syntax errors in policy. Duplicate element "kms:CallerAccount" at offset 67.`},
		{"invalid UTF-8 in a Sid", "{\"Statement\":{\"Sid\":\"caf\xe9\"}}", `Syntax errors in policy. Invalid UTF-8 at offset 24.`},
		{"lone surrogate in a principal", `{"Statement":{"Principal":{"AWS":"\udfff"}}}`, `Syntax errors in policy. Unpaired surrogate escape at offset 34.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse(tt.doc)
			if err == nil {
				t.Fatalf("Parse accepted: %+v", d)
			}
			if d != nil {
				t.Errorf("Parse returned a document with an error")
			}
			wantMalformed(t, err, tt.want)
		})
	}
}

func TestParseForms(t *testing.T) {
	tests := []struct {
		name, doc string
		want      *Document
	}{
		{
			name: "statement as an object, no Version",
			doc:  `{"Statement":{"Effect":"Deny","Principal":"*","NotAction":"kms:Decrypt","NotResource":["arn:aws:kms:*:*:key/*"]}}`,
			want: &Document{Statements: []Statement{{
				Effect:      Deny,
				Principal:   &Principal{All: true},
				NotAction:   []string{"kms:Decrypt"},
				NotResource: []string{"arn:aws:kms:*:*:key/*"},
			}}},
		},
		{
			name: "every principal type, single and list",
			doc: `{"Version":"2008-10-17","Id":"x","Statement":[{"Sid":"S 1","Effect":"Allow","NotPrincipal":{` +
				`"AWS":["111122223333","arn:aws:iam::111122223333:role/R"],"Service":"logs.amazonaws.com",` +
				`"Federated":["cognito-identity.amazonaws.com"],"CanonicalUser":"` + canonicalUser + `"},` +
				`"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"}]}`,
			want: &Document{Version: "2008-10-17", ID: "x", Statements: []Statement{{
				Sid:    "S 1",
				Effect: Allow,
				NotPrincipal: &Principal{
					AWS:           []string{"111122223333", "arn:aws:iam::111122223333:role/R"},
					Service:       []string{"logs.amazonaws.com"},
					Federated:     []string{"cognito-identity.amazonaws.com"},
					CanonicalUser: []string{canonicalUser},
				},
				Action:   []string{"kms:Encrypt", "kms:Decrypt"},
				Resource: []string{"*"},
			}}},
		},
		{
			name: "condition values are normalised to strings, in order",
			doc: stmt(`"Condition":{"NumericLessThan":{"k1":10,"k2":[1.5e3,"-2"]},` +
				`"ForAllValues:StringLikeIfExists":{"kms:EncryptionContextKeys":["a*","b"]},"Bool":{"aws:SecureTransport":false}}`),
			want: &Document{Version: "2012-10-17", Statements: []Statement{{
				Condition: []Condition{
					{Operator: Operator{Name: "NumericLessThan", Base: "NumericLessThan", Set: SingleValued}, Key: "k1", Values: []string{"10"}},
					{Operator: Operator{Name: "NumericLessThan", Base: "NumericLessThan", Set: SingleValued}, Key: "k2", Values: []string{"1.5e3", "-2"}},
					{Operator: Operator{Name: "ForAllValues:StringLikeIfExists", Base: "StringLike", Set: ForAllValues, IfExists: true}, Key: "kms:EncryptionContextKeys", Values: []string{"a*", "b"}},
					{Operator: Operator{Name: "Bool", Base: "Bool", Set: SingleValued}, Key: "aws:SecureTransport", Values: []string{"false"}},
				},
			}}},
		},
		{
			name: "empty lists are present but empty",
			doc:  stmt(`"Action":[],"Resource":[],"Principal":{},"Condition":{}`),
			want: &Document{Version: "2012-10-17", Statements: []Statement{{
				Action:    []string{},
				Resource:  []string{},
				Principal: &Principal{},
				Condition: []Condition{},
			}}},
		},
		{
			name: "escapes are decoded",
			doc:  stmt(`"Sid":"caf\u00e9 \ud83d\ude00 \"q\""`),
			want: &Document{Version: "2012-10-17", Statements: []Statement{{Sid: "café 😀 \"q\""}}},
		},
		{
			name: "empty statement list",
			doc:  `{"Statement":[]}`,
			want: &Document{Statements: []Statement{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse(tt.doc)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(d, tt.want) {
				t.Errorf("Parse =\n%#v\nwant\n%#v", d, tt.want)
			}
		})
	}
}

const canonicalUser = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"

func TestParseOperator(t *testing.T) {
	tests := []struct {
		name string
		want Operator
		ok   bool
	}{
		{"StringEquals", Operator{Name: "StringEquals", Base: "StringEquals", Set: SingleValued}, true},
		{"StringEqualsIfExists", Operator{Name: "StringEqualsIfExists", Base: "StringEquals", Set: SingleValued, IfExists: true}, true},
		{"ForAnyValue:StringEquals", Operator{Name: "ForAnyValue:StringEquals", Base: "StringEquals", Set: ForAnyValue}, true},
		{"ForAllValues:ArnNotLikeIfExists", Operator{Name: "ForAllValues:ArnNotLikeIfExists", Base: "ArnNotLike", Set: ForAllValues, IfExists: true}, true},
		{"Null", Operator{Name: "Null", Base: "Null", Set: SingleValued}, true},
		{"NotIpAddressIfExists", Operator{Name: "NotIpAddressIfExists", Base: "NotIpAddress", Set: SingleValued, IfExists: true}, true},
		{"DateGreaterThanEquals", Operator{Name: "DateGreaterThanEquals", Base: "DateGreaterThanEquals", Set: SingleValued}, true},
		{"BinaryEquals", Operator{Name: "BinaryEquals", Base: "BinaryEquals", Set: SingleValued}, true},
		{"NullIfExists", Operator{}, false},
		{"IfExists", Operator{}, false},
		{"StringEqualsIfExistsIfExists", Operator{}, false},
		{"ForAnyValue:", Operator{}, false},
		{"ForSomeValues:StringEquals", Operator{}, false},
		{"StringEquals ", Operator{}, false},
		{"", Operator{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseOperator(tt.name)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ParseOperator(%q) = %+v, %v; want %+v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

// Parse runs on every CreateKey/PutKeyPolicy and, until the service caches
// parsed policies, on every authorisation.
func BenchmarkParseKeyPolicy(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(consolePolicy)))
	for b.Loop() {
		if _, err := ParseKeyPolicy(consolePolicy); err != nil {
			b.Fatal(err)
		}
	}
}
