package audit

import (
	"cmp"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
)

// requestParameters and responseElements are CloudTrail's form of the
// decoded request (or response) struct: member names as CloudTrail spells
// them (memberName), and exactly the members the wire form has: absent
// members and the empty ones the JSON encoding omits (omitempty, omitzero)
// are left out, as CloudTrail leaves them out. They never record secrets:
// every []byte member (plaintexts, ciphertexts, key material) is dropped,
// and so is every member tagged `audit:"-"`. An input with no members left
// (or none at all) is recorded as null.
//
// The rules are applied by a plan compiled once per Go type (a codec) that
// appends the JSON straight from the struct: no intermediate
// map[string]any, whose building and encoding were a quarter of an
// Encrypt's allocations. The output is what encoding/json gives for that
// map, so members are sorted by CloudTrail name (encoding/json sorts map
// keys), and so are map keys. Values are recorded as follows:
//
//   - nil pointers, interfaces, slices and maps are left out, as are
//     []byte (and other byte slices), arrays, uint8, uintptr, complex
//     numbers, channels and functions;
//   - time.Time (and types convertible to it, such as the wire's Time):
//     "Jan 2, 2006, 3:04:05 PM" in UTC, left out when zero;
//   - other structs: an object of their members, {} when none is left;
//   - slices: an array of the items not left out;
//   - maps with string keys: an object of the entries not left out (maps
//     with other keys are left out);
//   - strings, bools, integers and floats (as float64) as encoding/json
//     prints them.
//
// Two fields with one CloudTrail name record the later field's value when
// it has one (as the map form did, where the later one overwrote).

// appendParams appends the CloudTrail form of v, a struct or a pointer to
// one, or null.
func appendParams(dst []byte, v any) ([]byte, error) {
	if v == nil {
		return append(dst, "null"...), nil
	}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return append(dst, "null"...), nil
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct || isTime(rv.Type()) {
		return append(dst, "null"...), nil
	}
	start := len(dst)
	dst, _, err := codecOf(rv.Type()).enc(dst, rv)
	if err != nil {
		return dst, err
	}
	if len(dst) == start+2 { // "{}": nothing recorded
		dst = append(dst[:start], "null"...)
	}
	return dst, nil
}

// A codec appends the audit form of a value of one type. enc reports
// whether it appended anything: a value that is left out appends nothing.
type codec struct {
	enc func(dst []byte, v reflect.Value) ([]byte, bool, error)
}

var (
	// codecs caches each type's codec, complete and ready to use.
	codecs sync.Map // reflect.Type -> *codec
	// building serialises compiling, so that the codecs of one type graph
	// are stored together once all of them are complete.
	building sync.Mutex
)

// codecOf returns the codec of t, compiling it (and those of the types it
// contains) on first use.
func codecOf(t reflect.Type) *codec {
	if c, ok := codecs.Load(t); ok {
		return c.(*codec)
	}
	building.Lock()
	defer building.Unlock()
	made := map[reflect.Type]*codec{}
	c := compile(t, made)
	for t, c := range made {
		codecs.Store(t, c)
	}
	return c
}

// compile returns the codec of t. made holds the codecs compiled in this
// round, possibly still incomplete, so that a recursive type refers to its
// own codec.
func compile(t reflect.Type, made map[reflect.Type]*codec) *codec {
	if c, ok := codecs.Load(t); ok {
		return c.(*codec)
	}
	if c := made[t]; c != nil {
		return c
	}
	c := &codec{}
	made[t] = c
	switch t.Kind() {
	case reflect.Pointer:
		elem := compile(t.Elem(), made)
		c.enc = func(dst []byte, v reflect.Value) ([]byte, bool, error) {
			if v.IsNil() {
				return dst, false, nil
			}
			return elem.enc(dst, v.Elem())
		}
	case reflect.Interface:
		c.enc = func(dst []byte, v reflect.Value) ([]byte, bool, error) {
			if v.IsNil() {
				return dst, false, nil
			}
			e := v.Elem()
			return codecOf(e.Type()).enc(dst, e)
		}
	case reflect.Struct:
		if isTime(t) {
			c.enc = encodeTime
		} else {
			c.enc = compileStruct(t, made)
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			c.enc = leaveOut // blobs are plaintext, ciphertext or key material
		} else {
			c.enc = compileSlice(t, made)
		}
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			c.enc = leaveOut
		} else {
			c.enc = compileMap(t, made)
		}
	case reflect.String:
		c.enc = func(dst []byte, v reflect.Value) ([]byte, bool, error) {
			return appendString(dst, v.String()), true, nil
		}
	case reflect.Bool:
		c.enc = func(dst []byte, v reflect.Value) ([]byte, bool, error) {
			return strconv.AppendBool(dst, v.Bool()), true, nil
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		c.enc = func(dst []byte, v reflect.Value) ([]byte, bool, error) {
			return strconv.AppendInt(dst, v.Int(), 10), true, nil
		}
	case reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		c.enc = func(dst []byte, v reflect.Value) ([]byte, bool, error) {
			return strconv.AppendUint(dst, v.Uint(), 10), true, nil
		}
	case reflect.Float32, reflect.Float64:
		c.enc = func(dst []byte, v reflect.Value) ([]byte, bool, error) {
			dst, err := appendFloat(dst, v.Float(), 64)
			return dst, err == nil, err
		}
	default:
		c.enc = leaveOut
	}
	return c
}

func leaveOut(dst []byte, _ reflect.Value) ([]byte, bool, error) { return dst, false, nil }

var timeType = reflect.TypeFor[time.Time]()

// isTime reports whether t is time.Time or a type with its layout (the
// wire's Time).
func isTime(t reflect.Type) bool {
	return t == timeType || (t.Kind() == reflect.Struct && t.ConvertibleTo(timeType))
}

// timeOf returns the time.Time in v, a value of a type for which isTime
// holds. An addressable value is read in place: its type has time.Time's
// layout, so this is what v.Convert would copy, without the allocation.
func timeOf(v reflect.Value) time.Time {
	if v.CanAddr() {
		return *(*time.Time)(v.Addr().UnsafePointer())
	}
	return v.Convert(timeType).Interface().(time.Time)
}

func encodeTime(dst []byte, v reflect.Value) ([]byte, bool, error) {
	t := timeOf(v)
	if t.IsZero() {
		return dst, false, nil
	}
	// The layout's characters need no escaping.
	dst = append(dst, '"')
	dst = t.UTC().AppendFormat(dst, "Jan 2, 2006, 3:04:05 PM")
	return append(dst, '"'), true, nil
}

// member is a struct field that may be recorded.
type member struct {
	index int
	name  string
	key   string // `"name":`, escaped
	codec *codec
	// omitEmpty and omitZero are the field's JSON options.
	omitEmpty, omitZero bool
	// zeroer is set when omitZero and the field's type has an IsZero
	// method, which omitzero then asks.
	zeroer bool
	// sameName is set when the member before has the same name (see
	// compileStruct).
	sameName bool
}

// compileStruct compiles a struct's members: exported fields that are not
// tagged `audit:"-"` nor `json:"-"`, in CloudTrail name order. Fields that
// share a name are ordered last field first, and the first of them that is
// recorded wins: the later field's value, as when a map held them.
func compileStruct(t reflect.Type, made map[reflect.Type]*codec) func([]byte, reflect.Value) ([]byte, bool, error) {
	var members []member
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
		m := member{index: i, name: memberName(name), codec: compile(f.Type, made)}
		m.key = string(appendKey(nil, m.name))
		for opt := range strings.SplitSeq(opts, ",") {
			switch opt {
			case "omitempty":
				m.omitEmpty = true
			case "omitzero":
				m.omitZero = true
				m.zeroer = f.Type.Kind() != reflect.Interface && f.Type.Implements(zeroerType)
			}
		}
		members = append(members, m)
	}
	slices.SortFunc(members, func(a, b member) int {
		return cmp.Or(strings.Compare(a.name, b.name), cmp.Compare(b.index, a.index))
	})
	for i := 1; i < len(members); i++ {
		members[i].sameName = members[i].name == members[i-1].name
	}
	return func(dst []byte, v reflect.Value) ([]byte, bool, error) {
		dst = append(dst, '{')
		n := 0
		lastRecorded := ""
		for i := range members {
			m := &members[i]
			if m.sameName && n > 0 && lastRecorded == m.name {
				continue
			}
			fv := v.Field(m.index)
			if m.omitted(fv) {
				continue
			}
			mark := len(dst)
			if n > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, m.key...)
			var ok bool
			var err error
			if dst, ok, err = m.codec.enc(dst, fv); err != nil {
				return dst, false, err
			}
			if !ok {
				dst = dst[:mark]
				continue
			}
			n++
			lastRecorded = m.name
		}
		return append(dst, '}'), true, nil
	}
}

type zeroer interface{ IsZero() bool }

var zeroerType = reflect.TypeFor[zeroer]()

// omitted reports whether encoding/json leaves the field out: omitempty of
// an empty value, or omitzero of a zero one.
func (m *member) omitted(v reflect.Value) bool {
	if m.omitEmpty {
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
	}
	if m.omitZero {
		switch {
		case v.Kind() == reflect.Interface:
			if z, ok := v.Interface().(zeroer); ok {
				return z.IsZero()
			}
			return v.IsZero()
		case m.zeroer && v.Kind() == reflect.Pointer && v.IsNil():
			return true // left out anyway
		case m.zeroer && isTime(v.Type()):
			return timeOf(v).IsZero()
		case m.zeroer:
			return v.Interface().(zeroer).IsZero()
		default:
			return v.IsZero()
		}
	}
	return false
}

func compileSlice(t reflect.Type, made map[reflect.Type]*codec) func([]byte, reflect.Value) ([]byte, bool, error) {
	elem := compile(t.Elem(), made)
	return func(dst []byte, v reflect.Value) ([]byte, bool, error) {
		if v.IsNil() {
			return dst, false, nil
		}
		dst = append(dst, '[')
		n := 0
		for i := 0; i < v.Len(); i++ {
			mark := len(dst)
			if n > 0 {
				dst = append(dst, ',')
			}
			var ok bool
			var err error
			if dst, ok, err = elem.enc(dst, v.Index(i)); err != nil {
				return dst, false, err
			}
			if !ok {
				dst = dst[:mark]
				continue
			}
			n++
		}
		return append(dst, ']'), true, nil
	}
}

var stringMapType = reflect.TypeFor[map[string]string]()

func compileMap(t reflect.Type, made map[reflect.Type]*codec) func([]byte, reflect.Value) ([]byte, bool, error) {
	if t.ConvertibleTo(stringMapType) {
		// map[string]string (encryption contexts, tags) without reflection:
		// every entry is recorded.
		return func(dst []byte, v reflect.Value) ([]byte, bool, error) {
			if v.IsNil() {
				return dst, false, nil
			}
			if v.Type() != stringMapType {
				v = v.Convert(stringMapType)
			}
			return appendStringMap(dst, v.Interface().(map[string]string)), true, nil
		}
	}
	elem := compile(t.Elem(), made)
	return func(dst []byte, v reflect.Value) ([]byte, bool, error) {
		if v.IsNil() {
			return dst, false, nil
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		dst = append(dst, '{')
		n := 0
		for _, k := range keys {
			mark := len(dst)
			if n > 0 {
				dst = append(dst, ',')
			}
			dst = appendKey(dst, k.String())
			var ok bool
			var err error
			if dst, ok, err = elem.enc(dst, v.MapIndex(k)); err != nil {
				return dst, false, err
			}
			if !ok {
				dst = dst[:mark]
				continue
			}
			n++
		}
		return append(dst, '}'), true, nil
	}
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
