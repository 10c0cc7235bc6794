package awsjson

import (
	"errors"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/kmserr"
)

// enumValue decodes itself and, like a service enum type might, answers in
// AWS's terms.
type enumValue string

func (v *enumValue) UnmarshalJSON(b []byte) error {
	if string(b) != `"GOOD"` {
		return kmserr.Validation("Value at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set")
	}
	*v = "GOOD"
	return nil
}

// leakyValue decodes itself and returns an error that quotes its input.
type leakyValue struct{}

func (*leakyValue) UnmarshalJSON(b []byte) error { return errors.New("cannot parse " + string(b)) }

type decodeTarget struct {
	S     *string           `json:"S"`
	B     *bool             `json:"B"`
	I     *int32            `json:"I"`
	U     uint8             `json:"U"`
	F     float32           `json:"F"`
	Blob  []byte            `json:"Blob"`
	List  []string          `json:"List"`
	Map   map[string]string `json:"Map"`
	Inner *struct {
		Deep []int64 `json:"Deep"`
	} `json:"Inner"`
	Enum  enumValue  `json:"Enum"`
	Leaky leakyValue `json:"Leaky"`
}

func TestDecodeInputErrors(t *testing.T) {
	for _, tt := range []struct{ body, code, message string }{
		{`{"S":1}`, kmserr.CodeSerialization, "Member 'S' has a value of the wrong type: expected a string."},
		{`{"B":"true"}`, kmserr.CodeSerialization, "Member 'B' has a value of the wrong type: expected a boolean."},
		{`{"I":"7"}`, kmserr.CodeSerialization, "Member 'I' has a value of the wrong type: expected an integer."},
		{`{"I":2147483648}`, kmserr.CodeSerialization, "Member 'I' has a number that is not an integer in the allowed range."},
		{`{"U":-1}`, kmserr.CodeSerialization, "Member 'U' has a number that is not an integer in the allowed range."},
		{`{"F":1e39}`, kmserr.CodeSerialization, "Member 'F' has a number that is out of range."},
		{`{"F":"x"}`, kmserr.CodeSerialization, "expected a number."},
		{`{"Blob":12}`, kmserr.CodeSerialization, "Member 'Blob' has a value of the wrong type: expected a base64-encoded string."},
		{`{"Blob":"not base64!"}`, kmserr.CodeSerialization, "blob member that is not valid base64"},
		{`{"List":{}}`, kmserr.CodeSerialization, "Member 'List' has a value of the wrong type: expected a list."},
		{`{"Map":[]}`, kmserr.CodeSerialization, "Member 'Map' has a value of the wrong type: expected an object."},
		{`{"Map":{"k":1}}`, kmserr.CodeSerialization, "Member 'Map' has a value of the wrong type: expected a string."},
		{`{"Inner":{"Deep":[1,"2"]}}`, kmserr.CodeSerialization, "Member 'Inner.Deep' has a value of the wrong type: expected an integer."},
		{`{"Inner":"x"}`, kmserr.CodeSerialization, "Member 'Inner' has a value of the wrong type: expected an object."},
		{`{"Enum":"BAD"}`, kmserr.CodeValidation, "failed to satisfy constraint"},
		{`{"Leaky":"SECRET"}`, kmserr.CodeSerialization, "could not be decoded into the operation's input"},
	} {
		var v decodeTarget
		err := decodeInput([]byte(tt.body), &v)
		e, ok := kmserr.As(err)
		if !ok || e.Code != tt.code || !strings.Contains(e.Message, tt.message) {
			t.Errorf("decodeInput(%s) = %v, want %s containing %q", tt.body, err, tt.code, tt.message)
			continue
		}
		if strings.Contains(e.Message, "SECRET") || strings.Contains(e.Message, "decodeTarget") || strings.Contains(e.Message, "int32") {
			t.Errorf("message %q names body content or Go types", e.Message)
		}
	}
}

func TestDecodeInputAWSSemantics(t *testing.T) {
	var v decodeTarget
	body := `{"S":null,"B":true,"Blob":"aGk=","Unknown":{"x":[1]},"Enum":"GOOD","Map":{"k":"v"}}`
	if err := decodeInput([]byte(body), &v); err != nil {
		t.Fatal(err)
	}
	if v.S != nil || v.B == nil || !*v.B || string(v.Blob) != "hi" || v.Enum != "GOOD" || v.Map["k"] != "v" {
		t.Errorf("decoded %+v", v)
	}
	// A top-level value of the wrong kind has no member to name.
	var s decodeTarget
	if err := decodeInput([]byte(`[]`), &s); err == nil || !strings.Contains(err.Error(), "expected an object") {
		t.Errorf("top-level array: %v", err)
	}
}
