package audit

import (
	"reflect"
	"strings"
	"time"
	"unicode"
)

// Params converts a decoded request (or response) struct into CloudTrail's
// requestParameters form: member names in lowerCamelCase, absent members
// left out. It never records secrets: every []byte member (plaintexts,
// ciphertexts, key material) is dropped, and so is every member tagged
// `audit:"-"`. A nil input gives nil (JSON null).
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
	t := v.Type()
	out := map[string]any{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() || f.Tag.Get("audit") == "-" {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if item := convert(v.Field(i)); item != nil {
			out[lowerCamel(name)] = item
		}
	}
	return out
}

// lowerCamel turns a wire member name into CloudTrail's form: "KeyId" ->
// "keyId"; a leading run of capitals is lowered except the one that starts
// the next word ("AWSAccountId" -> "awsAccountId").
func lowerCamel(s string) string {
	runes := []rune(s)
	n := 0
	for n < len(runes) && unicode.IsUpper(runes[n]) {
		n++
	}
	switch {
	case n == 0:
		return s
	case n == 1 || n == len(runes):
		for i := 0; i < n; i++ {
			runes[i] = unicode.ToLower(runes[i])
		}
	default:
		for i := 0; i < n-1; i++ {
			runes[i] = unicode.ToLower(runes[i])
		}
	}
	return string(runes)
}
