package awsjson

import (
	"bytes"
	"encoding"
	"encoding/json"
	"reflect"
	"strings"

	"github.com/trent-kms/trent/internal/kmserr"
)

// shape is what the strict check knows about the Go type a JSON value
// decodes into: for a struct, its members by exact JSON name; for a map,
// slice or array, the shape of its elements. A nil *shape means "nothing to
// check below here" (scalars, any, types with their own UnmarshalJSON).
//
// It exists because encoding/json v1 is more lenient than AWS JSON in two
// ways that depend on the target type:
//   - It matches member names case-insensitively: {"KeyId":"a","keyid":"b"}
//     decodes KeyId as "b", while AWS treats "keyid" as an unknown member
//     and ignores it. Refusing a member name that equals a known one only
//     under case folding removes that parser differential; exact unknown
//     names stay ignored, for forward compatibility as AWS does.
//   - It decodes a null map value or list element as the zero value. A null
//     structure member means "absent" in AWS JSON, but the maps and lists
//     of the KMS model are dense: Smithy allows null in a list or map only
//     when it has the @sparse trait (smithy.io, "Type refinement traits",
//     sparse trait), and no KMS shape has it. So a null inside one is
//     refused, as Smithy's server SDKs do.
type shape struct {
	fields map[string]*shape // non-nil for structs; nil for maps and lists
	elem   *shape            // maps and lists: the shape of the elements
}

// member returns the shape of member name's value, or an error if name
// differs only in case from a member of this struct.
func (sh *shape) member(name []byte, at int) (*shape, error) {
	if sh == nil || sh.fields == nil {
		return sh.element(), nil
	}
	if child, ok := sh.fields[string(name)]; ok {
		return child, nil
	}
	// bytes.EqualFold is the folding encoding/json uses (see its foldName).
	for known := range sh.fields {
		if bytes.EqualFold([]byte(known), name) {
			return nil, kmserr.Serialization(
				"The request body has a member name at offset %d that matches a known member only when case is ignored; member names are case-sensitive.", at)
		}
	}
	return nil, nil // unknown member: ignored, as AWS does
}

// collection reports whether sh is a map or list, whose values may not be
// null.
func (sh *shape) collection() bool {
	return sh != nil && sh.fields == nil
}

// element returns the shape of map values and list elements.
func (sh *shape) element() *shape {
	if sh == nil {
		return nil
	}
	return sh.elem
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// shapeOf builds the shape of t. Recursive types are handled through seen.
func shapeOf(t reflect.Type) *shape {
	return buildShape(t, map[reflect.Type]*shape{})
}

func buildShape(t reflect.Type, seen map[reflect.Type]*shape) *shape {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	// A type that decodes itself sees its bytes as one value; encoding/json
	// applies no member matching inside it.
	if reflect.PointerTo(t).Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
		return nil
	}
	if sh, ok := seen[t]; ok {
		return sh
	}
	switch t.Kind() {
	case reflect.Struct:
		sh := &shape{fields: map[string]*shape{}}
		seen[t] = sh
		addFields(sh, t, seen)
		return sh
	case reflect.Map, reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			return nil // []byte is a base64 string
		}
		// Kept even when the elements need no check of their own: the
		// collection still refuses null elements.
		sh := &shape{}
		seen[t] = sh
		sh.elem = buildShape(t.Elem(), seen)
		return sh
	}
	return nil
}

// addFields records the JSON names of t's fields the way encoding/json
// names them: the tag name, else the Go name; "-" and unexported fields are
// skipped; untagged embedded structs contribute their fields.
func addFields(sh *shape, t reflect.Type, seen map[reflect.Type]*shape) {
	var promoted []reflect.StructField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			promoted = append(promoted, f)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		sh.fields[name] = buildShape(f.Type, seen)
	}
	// Fields of embedded structs lose to the outer struct's own fields, as
	// in encoding/json.
	for _, f := range promoted {
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		inner := &shape{fields: map[string]*shape{}}
		addFields(inner, ft, seen)
		for name, child := range inner.fields {
			if _, ok := sh.fields[name]; !ok {
				sh.fields[name] = child
			}
		}
	}
}
