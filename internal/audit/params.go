package audit

import (
	"reflect"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Params converts a decoded request (or response) struct into CloudTrail's
// requestParameters form: member names as CloudTrail spells them
// (memberName), and exactly the members the wire form has: absent members
// and the empty ones the JSON encoding omits (omitempty, omitzero) are left
// out, as CloudTrail leaves them out. It never records secrets: every
// []byte member (plaintexts, ciphertexts, key material) is dropped, and so
// is every member tagged `audit:"-"`. A nil input gives nil (JSON null).
func Params(v any) map[string]any {
	if v == nil {
		return nil
	}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return nil
	}
	out, _ := convert(rv).(map[string]any)
	if len(out) == 0 {
		return nil
	}
	return out
}

var (
	timeType   = reflect.TypeOf(time.Time{})
	stringType = reflect.TypeOf("")
)

// convert returns the audit form of v, or nil to leave v out.
func convert(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return convert(v.Elem())
	case reflect.Struct:
		if v.Type() == timeType || v.Type().ConvertibleTo(timeType) {
			t := v.Convert(timeType).Interface().(time.Time)
			if t.IsZero() {
				return nil
			}
			return t.UTC().Format("Jan 2, 2006, 3:04:05 PM")
		}
		return convertStruct(v)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil // blobs are plaintext, ciphertext or key material
		}
		if v.IsNil() {
			return nil
		}
		items := make([]any, 0, v.Len())
		for i := 0; i < v.Len(); i++ {
			if item := convert(v.Index(i)); item != nil {
				items = append(items, item)
			}
		}
		return items
	case reflect.Map:
		if v.IsNil() || v.Type().Key().Kind() != reflect.String {
			return nil
		}
		m := make(map[string]any, v.Len())
		iter := v.MapRange()
		for iter.Next() {
			if item := convert(iter.Value()); item != nil {
				m[iter.Key().Convert(stringType).Interface().(string)] = item
			}
		}
		return m
	case reflect.String:
		return v.Convert(stringType).Interface()
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int()
	case reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return v.Uint()
	case reflect.Float32, reflect.Float64:
		return v.Float()
	}
	return nil
}

func convertStruct(v reflect.Value) map[string]any {
	out := map[string]any{}
	for _, f := range planOf(v.Type()) {
		fv := v.Field(f.index)
		if omitted(fv, f.opts) {
			continue
		}
		if item := convert(fv); item != nil {
			out[f.name] = item
		}
	}
	return out
}

// auditedField is a struct field that may be recorded: its index, its
// CloudTrail member name and its JSON tag options.
type auditedField struct {
	index int
	name  string
	opts  string
}

// plans caches each struct type's audited fields: reading tags and
// building member names once per type, not once per request.
var plans sync.Map // reflect.Type -> []auditedField

// planOf returns the audited fields of struct type t, in field order.
func planOf(t reflect.Type) []auditedField {
	if p, ok := plans.Load(t); ok {
		return p.([]auditedField)
	}
	var fields []auditedField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() || f.Tag.Get("audit") == "-" {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields = append(fields, auditedField{index: i, name: memberName(name), opts: opts})
	}
	plans.Store(t, fields)
	return fields
}

// omitted reports whether encoding/json leaves the field out: omitempty of
// an empty value, or omitzero of a zero one.
func omitted(v reflect.Value, opts string) bool {
	for opt := range strings.SplitSeq(opts, ",") {
		switch opt {
		case "omitempty":
			switch v.Kind() {
			case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
				if v.Len() == 0 {
					return true
				}
			case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
				reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
				reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
				if v.IsZero() {
					return true
				}
			}
		case "omitzero":
			if z, ok := v.Interface().(interface{ IsZero() bool }); ok {
				if z.IsZero() {
					return true
				}
			} else if v.IsZero() {
				return true
			}
		}
	}
	return false
}

// memberName turns a wire member name into CloudTrail's form, which follows
// Java's Introspector.decapitalize: the first letter is lowered ("KeyId" ->
// "keyId") unless the first two letters are capitals ("AWSAccountId" stays,
// as AWS's CreateKey record example shows).
func memberName(s string) string {
	runes := []rune(s)
	if len(runes) == 0 || (len(runes) > 1 && unicode.IsUpper(runes[0]) && unicode.IsUpper(runes[1])) {
		return s
	}
	runes[0] = unicode.ToLower(runes[0])
	return string(runes)
}
