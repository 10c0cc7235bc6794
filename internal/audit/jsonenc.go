package audit

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// The audit log is written with a hand-written JSON encoder instead of
// encoding/json: every request writes a record, and encoding/json's
// reflection and map-key sorting were a fifth of an Encrypt's CPU. The
// encoder's output is byte for byte what json.Marshal gives for the same
// value (jsonenc_test.go and FuzzAppendJSON compare the two), so the log
// does not change: the helpers below copy encoding/json's rules for
// strings, numbers and map-key order.

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string escaped as encoding/json does by
// default: '"', '\\' and control characters escaped (\b \f \n \r \t by
// name), '<' '>' '&' as \u003c \u003e \u0026 (HTML-safe), U+2028 and
// U+2029 as \u2028 \u2029, and each byte of invalid UTF-8 as \ufffd.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendKey appends "key": for an object member.
func appendKey(dst []byte, key string) []byte {
	return append(appendString(dst, key), ':')
}

// appendFloat appends f as encoding/json prints a float of the given bit
// size: shortest representation, exponent form outside [1e-6, 1e21) with
// a two-digit negative exponent shortened (1e-07 -> 1e-7). Like
// encoding/json it refuses NaN and the infinities.
func appendFloat(dst []byte, f float64, bits int) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return dst, fmt.Errorf("json: unsupported value: %s", strconv.FormatFloat(f, 'g', -1, bits))
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	dst = strconv.AppendFloat(dst, f, format, -1, bits)
	if format == 'e' {
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst, nil
}

// sortedKeys returns m's keys in encoding/json's order (byte order). buf
// is the caller's scratch space, so that small maps sort without
// allocating.
func sortedKeys[V any](m map[string]V, buf []string) []string {
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// appendStringMap appends a map[string]string as a JSON object.
func appendStringMap(dst []byte, m map[string]string) []byte {
	if m == nil {
		return append(dst, "null"...)
	}
	var buf [8]string
	dst = append(dst, '{')
	for i, k := range sortedKeys(m, buf[:]) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(appendKey(dst, k), m[k])
	}
	return append(dst, '}')
}

// appendAnyMap appends a map[string]any as a JSON object.
func appendAnyMap(dst []byte, m map[string]any) ([]byte, error) {
	if m == nil {
		return append(dst, "null"...), nil
	}
	var buf [8]string
	dst = append(dst, '{')
	for i, k := range sortedKeys(m, buf[:]) {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = appendAny(appendKey(dst, k), m[k]); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

// appendAny appends v as encoding/json would. It knows the types records
// hold (what json.Unmarshal makes of a record read back, and what the
// service puts into additionalEventData and serviceEventDetails); any
// other type is handed to encoding/json.
func appendAny(dst []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return appendString(dst, v), nil
	case bool:
		return strconv.AppendBool(dst, v), nil
	case float64:
		return appendFloat(dst, v, 64)
	case float32:
		return appendFloat(dst, float64(v), 32)
	case int:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(dst, v, 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case uint64:
		return strconv.AppendUint(dst, v, 10), nil
	case map[string]any:
		return appendAnyMap(dst, v)
	case map[string]string:
		return appendStringMap(dst, v), nil
	case []any:
		if v == nil {
			return append(dst, "null"...), nil
		}
		dst = append(dst, '[')
		for i, item := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendAny(dst, item); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case []string:
		if v == nil {
			return append(dst, "null"...), nil
		}
		dst = append(dst, '[')
		for i, s := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, s)
		}
		return append(dst, ']'), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return dst, err
	}
	return append(dst, b...), nil
}
