package seed

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// reader walks a YAML node tree strictly: every mapping may hold only the
// fields its caller names, once each, and every value must have the type
// the field wants. Decoding into structs with KnownFields would do the
// first check, but loses it below any custom unmarshaller and cannot say
// on which line a value that parses but is wrong (bad base64, say) sits.
type reader struct{ file string }

func (r reader) pos(n *yaml.Node) Pos { return Pos{File: r.file, Line: n.Line} }

// errorf returns an error at n's line.
func (r reader) errorf(n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%s: %s", r.pos(n), fmt.Sprintf(format, args...))
}

// resolve follows a YAML alias (*name) to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// fields returns the members of the mapping n, what names it in errors,
// refusing members not in allowed and members given twice.
func (r reader) fields(n *yaml.Node, what string, allowed ...string) (map[string]*yaml.Node, error) {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		return nil, r.errorf(n, "%s must be a mapping", what)
	}
	out := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || !slices.Contains(allowed, k.Value) {
			return nil, r.errorf(k, "unknown field %q in %s (allowed: %s)", k.Value, what, strings.Join(allowed, ", "))
		}
		if _, dup := out[k.Value]; dup {
			return nil, r.errorf(k, "field %q given twice in %s", k.Value, what)
		}
		out[k.Value] = resolve(v)
	}
	return out, nil
}

// isNull reports whether n is absent or an explicit null.
func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// str reads a scalar as a string. Unquoted numbers are strings too (an
// account ID), but not null, booleans or collections.
func (r reader) str(n *yaml.Node, field string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" || n.Tag == "!!bool" {
		return "", r.errorf(n, "%s must be a string", field)
	}
	return n.Value, nil
}

// optStr reads an optional string field: nil when absent.
func (r reader) optStr(m map[string]*yaml.Node, field string) (*string, error) {
	n, ok := m[field]
	if !ok {
		return nil, nil
	}
	s, err := r.str(n, field)
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// strOr reads an optional string field, "" when absent.
func (r reader) strOr(m map[string]*yaml.Node, field string) (string, error) {
	s, err := r.optStr(m, field)
	if s == nil || err != nil {
		return "", err
	}
	return *s, nil
}

func (r reader) boolean(n *yaml.Node, field string) (bool, error) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		return false, r.errorf(n, "%s must be true or false", field)
	}
	var b bool
	if err := n.Decode(&b); err != nil {
		return false, r.errorf(n, "%s must be true or false", field)
	}
	return b, nil
}

func (r reader) integer(n *yaml.Node, field string) (int, error) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		return 0, r.errorf(n, "%s must be a whole number", field)
	}
	i, err := strconv.Atoi(n.Value)
	if err != nil {
		return 0, r.errorf(n, "%s must be a whole number", field)
	}
	return i, nil
}

// timestamp reads an ISO 8601 date and time (a YAML timestamp or a string
// holding one).
func (r reader) timestamp(n *yaml.Node, field string) (time.Time, error) {
	var t time.Time
	if n.Kind != yaml.ScalarNode || n.Decode(&t) != nil {
		if n.Kind == yaml.ScalarNode {
			if parsed, err := time.Parse(time.RFC3339, n.Value); err == nil {
				return parsed, nil
			}
		}
		return time.Time{}, r.errorf(n, "%s must be an ISO 8601 date and time such as 2026-09-12T15:19:21+00:00", field)
	}
	return t, nil
}

// seq returns the items of a sequence; absent or null is empty.
func (r reader) seq(n *yaml.Node, field string) ([]*yaml.Node, error) {
	if isNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, r.errorf(n, "%s must be a list", field)
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		out[i] = resolve(c)
	}
	return out, nil
}

// strings reads a string, or a list of strings, as a list.
func (r reader) strList(n *yaml.Node, field string) ([]*yaml.Node, error) {
	if n.Kind == yaml.ScalarNode {
		if _, err := r.str(n, field); err != nil {
			return nil, err
		}
		return []*yaml.Node{n}, nil
	}
	items, err := r.seq(n, field)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if _, err := r.str(it, field); err != nil {
			return nil, err
		}
	}
	return items, nil
}

// policy reads a key policy: JSON text, or a YAML mapping written as the
// same document.
func (r reader) policy(n *yaml.Node) (*string, error) {
	if n.Kind == yaml.ScalarNode {
		s, err := r.str(n, "policy")
		return &s, err
	}
	if n.Kind != yaml.MappingNode {
		return nil, r.errorf(n, "policy must be JSON text or a mapping")
	}
	var doc any
	if err := n.Decode(&doc); err != nil {
		return nil, r.errorf(n, "policy: %v", err)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, r.errorf(n, "policy cannot be written as JSON: %v", err)
	}
	s := string(b)
	return &s, nil
}
