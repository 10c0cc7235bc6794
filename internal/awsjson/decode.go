package awsjson

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strings"

	"github.com/trent-kms/trent/internal/kmserr"
)

// emptyObject stands in for an empty request body and is the body of an
// output-less response.
var emptyObject = []byte("{}")

// decodeInput unmarshals a body that checkStrict has already accepted into
// in. Unknown members are ignored and a JSON null leaves a member absent,
// both as AWS does. Errors are SerializationException whose messages name
// the member (by its JSON name) and the JSON type expected, never a Go type
// and never body content.
func decodeInput(body []byte, in any) error {
	err := json.Unmarshal(body, in)
	if err == nil {
		return nil
	}
	// A wire type with its own UnmarshalJSON (an enum, a timestamp) may
	// already speak AWS.
	if e, ok := kmserr.As(err); ok {
		return e
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return typeError(typeErr)
	}
	var b64Err base64.CorruptInputError
	if errors.As(err, &b64Err) {
		return kmserr.Serialization("The request body has a blob member that is not valid base64.")
	}
	// Anything else (a custom UnmarshalJSON's own error, say) may quote the
	// input, so its text is not passed on.
	return kmserr.Serialization("The request body could not be decoded into the operation's input.")
}

// typeError words a type mismatch in JSON terms.
func typeError(e *json.UnmarshalTypeError) error {
	t := e.Type
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	member := e.Field
	if member == "" {
		return kmserr.Serialization("The request body has a value of the wrong type: expected %s.", jsonKind(t))
	}
	// A number of the right kind that did not fit (300 into a byte, 1.5
	// into an integer) is reported as such: "expected a number" would
	// puzzle the caller.
	if strings.HasPrefix(e.Value, "number") && isNumeric(t) {
		if k := t.Kind(); k == reflect.Float32 || k == reflect.Float64 {
			return kmserr.Serialization("Member '%s' has a number that is out of range.", member)
		}
		return kmserr.Serialization("Member '%s' has a number that is not an integer in the allowed range.", member)
	}
	return kmserr.Serialization("Member '%s' has a value of the wrong type: expected %s.", member, jsonKind(t))
}

func isNumeric(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// jsonKind names the JSON value a Go type is decoded from.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "a base64-encoded string"
		}
		return "a list"
	case reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a different JSON type"
}
