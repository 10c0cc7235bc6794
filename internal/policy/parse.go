package policy

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Parse reads a key policy strictly: the JSON must be valid (see the
// package comment for how it is stricter than encoding/json), the top level
// must be an object, and every element must be one IAM defines for a
// resource policy, of the type IAM allows. It does not apply the semantic
// rules of a key policy; Validate does. The error is a *kmserr.Error of
// code MalformedPolicyDocumentException.
//
// Element names are matched exactly ("effect" is not "Effect"), as the IAM
// grammar spells them (reference_policies_grammar.html).
func Parse(doc string) (*Document, error) {
	root, err := scanJSON(doc)
	if err != nil {
		return nil, syntax("%s.", sentence(err.Error()))
	}
	if root.kind != kindObject {
		return nil, syntax("The policy must be a JSON object.")
	}
	d := &Document{}
	for _, m := range root.members {
		switch m.name {
		case "Version":
			if d.Version, err = stringElement(m); err != nil {
				return nil, err
			}
			// An empty Version is present but names no version;
			// Document.Version cannot tell it from an absent one.
			if d.Version == "" {
				return nil, malformed(msgVersion)
			}
		case "Id":
			if d.ID, err = stringElement(m); err != nil {
				return nil, err
			}
		case "Statement":
			if d.Statements, err = parseStatements(m.val); err != nil {
				return nil, err
			}
		default:
			return nil, syntax("Unsupported element %q.", m.name)
		}
	}
	return d, nil
}

// ParseKeyPolicy parses doc and validates it as a key policy: what
// CreateKey, PutKeyPolicy and ReplicateKey need after the caller has run
// CheckCharacters and CheckSize.
func ParseKeyPolicy(doc string) (*Document, error) {
	d, err := Parse(doc)
	if err != nil {
		return nil, err
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return d, nil
}

// parseStatements accepts one statement object or a list of them
// (reference_policies_elements_statement.html).
func parseStatements(v value) ([]Statement, error) {
	switch v.kind {
	case kindObject:
		st, err := parseStatement(v)
		if err != nil {
			return nil, err
		}
		return []Statement{st}, nil
	case kindArray:
		sts := make([]Statement, 0, len(v.elems))
		for _, e := range v.elems {
			if e.kind != kindObject {
				return nil, syntax("Element %q must be an object or a list of objects.", "Statement")
			}
			st, err := parseStatement(e)
			if err != nil {
				return nil, err
			}
			sts = append(sts, st)
		}
		return sts, nil
	default:
		return nil, syntax("Element %q must be an object or a list of objects.", "Statement")
	}
}

func parseStatement(v value) (Statement, error) {
	var st Statement
	var err error
	for _, m := range v.members {
		switch m.name {
		case "Sid":
			st.Sid, err = stringElement(m)
		case "Effect":
			var e string
			e, err = stringElement(m)
			st.Effect = Effect(e)
		case "Principal":
			st.Principal, err = parsePrincipal(m.val)
		case "NotPrincipal":
			st.NotPrincipal, err = parsePrincipal(m.val)
		case "Action":
			st.Action, err = stringList(m)
		case "NotAction":
			st.NotAction, err = stringList(m)
		case "Resource":
			st.Resource, err = stringList(m)
		case "NotResource":
			st.NotResource, err = stringList(m)
		case "Condition":
			st.Condition, err = parseCondition(m.val)
		default:
			err = syntax("Unsupported element %q in a statement.", m.name)
		}
		if err != nil {
			return Statement{}, err
		}
	}
	return st, nil
}

// parsePrincipal reads "*" or an object of principal types, each a string
// or a list of strings (reference_policies_elements_principal.html). Any
// other shape is an invalid principal, which KMS reports with its
// invalid-principals text.
func parsePrincipal(v value) (*Principal, error) {
	if v.kind == kindString {
		if v.text != "*" {
			return nil, malformed(msgInvalidPrincipals)
		}
		return &Principal{All: true}, nil
	}
	if v.kind != kindObject {
		return nil, malformed(msgInvalidPrincipals)
	}
	p := &Principal{}
	for _, m := range v.members {
		list, err := stringList(m)
		if err != nil {
			return nil, malformed(msgInvalidPrincipals)
		}
		switch m.name {
		case "AWS":
			p.AWS = list
		case "Service":
			p.Service = list
		case "Federated":
			p.Federated = list
		case "CanonicalUser":
			p.CanonicalUser = list
		default:
			return nil, malformed(msgInvalidPrincipals)
		}
	}
	return p, nil
}

// parseCondition reads {"Operator": {"key": value-or-list, ...}, ...}
// (reference_policies_elements_condition.html). Values may be strings,
// numbers or booleans; they are kept as strings.
//
// Two keys of one operator block that differ only in case are refused:
// IAM compares key names case-insensitively, so they would name the same
// key twice, the very ambiguity duplicate member names create.
func parseCondition(v value) ([]Condition, error) {
	if v.kind != kindObject {
		return nil, syntax("Element %q must be an object.", "Condition")
	}
	conds := []Condition{}
	for _, block := range v.members {
		op, ok := ParseOperator(block.name)
		if !ok {
			return nil, malformed(msgUnknownOperator, block.name)
		}
		if block.val.kind != kindObject || len(block.val.members) == 0 {
			return nil, syntax("Condition operator %q must map one or more condition keys to values.", block.name)
		}
		keys := map[string]bool{}
		for _, m := range block.val.members {
			folded := strings.ToLower(m.name)
			if m.name == "" {
				return nil, syntax("Condition operator %q has an empty condition key.", block.name)
			}
			if keys[folded] {
				return nil, syntax("Condition operator %q names condition key %q twice.", block.name, m.name)
			}
			keys[folded] = true
			values, err := conditionValues(m.val)
			if err != nil {
				return nil, syntax("Condition key %q must have a value or a non-empty list of values.", m.name)
			}
			conds = append(conds, Condition{Operator: op, Key: m.name, Values: values})
		}
	}
	return conds, nil
}

func conditionValues(v value) ([]string, error) {
	if scalar(v) {
		return []string{v.text}, nil
	}
	if v.kind != kindArray || len(v.elems) == 0 {
		return nil, errors.New("not a value list")
	}
	out := make([]string, 0, len(v.elems))
	for _, e := range v.elems {
		if !scalar(e) {
			return nil, errors.New("not a value list")
		}
		out = append(out, e.text)
	}
	return out, nil
}

func scalar(v value) bool {
	return v.kind == kindString || v.kind == kindNumber || v.kind == kindBool
}

func stringElement(m member) (string, error) {
	if m.val.kind != kindString {
		return "", syntax("Element %q must be a string.", m.name)
	}
	return m.val.text, nil
}

// stringList reads a string or a list of strings. An empty list gives an
// empty, non-nil slice, so the element still counts as present.
func stringList(m member) ([]string, error) {
	switch m.val.kind {
	case kindString:
		return []string{m.val.text}, nil
	case kindArray:
		out := make([]string, 0, len(m.val.elems))
		for _, e := range m.val.elems {
			if e.kind != kindString {
				return nil, syntax("Element %q must be a string or a list of strings.", m.name)
			}
			out = append(out, e.text)
		}
		return out, nil
	default:
		return nil, syntax("Element %q must be a string or a list of strings.", m.name)
	}
}

// sentence capitalises the first letter of a scanner message.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
