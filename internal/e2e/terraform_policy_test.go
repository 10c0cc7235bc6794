package e2e

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The two JSON comparisons the Terraform AWS provider applies to key
// policies, written here from its behaviour (see terraform_test.go for the
// version replayed):
//
//   - structure.NormalizeJsonString (terraform-plugin-sdk): decode into
//     interface{} and encode again, so keys come out sorted and compact.
//     The provider sends policies normalized this way.
//   - awspolicy.PoliciesAreEquivalent (hashicorp/awspolicyequivalence):
//     Version and Id equal; statements equal as a set; in a statement, Sid
//     equal, Effect equal ignoring case, Action/NotAction/Resource/
//     NotResource/Condition values compared as sets where a single string
//     equals a one-element list; principals "*" or a map of type to a set,
//     where a 12-digit account ID equals its arn:...:iam::ID:root.
//
// A read whose policy is not equivalent to the configuration is drift: the
// provider plans an update on every run.

// tfNormalizeJSON is structure.NormalizeJsonString.
func tfNormalizeJSON(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return s, err
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// tfPoliciesEquivalent is awspolicy.PoliciesAreEquivalent.
func tfPoliciesEquivalent(a, b string) (bool, error) {
	da, err := tfCanonicalPolicy(a)
	if err != nil {
		return false, err
	}
	db, err := tfCanonicalPolicy(b)
	if err != nil {
		return false, err
	}
	return da == db, nil
}

// tfCanonicalPolicy renders a policy so that two equivalent policies render
// the same: every set sorted, every single string a one-element list, every
// root ARN its account ID.
func tfCanonicalPolicy(policy string) (string, error) {
	var doc struct {
		Version   string
		Id        string
		Statement any
	}
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		return "", fmt.Errorf("Error unmarshaling policy: %w", err)
	}
	var raw []any
	switch s := doc.Statement.(type) {
	case []any:
		raw = s
	case map[string]any:
		raw = []any{s}
	default:
		return "", fmt.Errorf("Error parsing policy: statement is %T", doc.Statement)
	}
	statements := make([]string, 0, len(raw))
	for _, s := range raw {
		m, ok := s.(map[string]any)
		if !ok {
			return "", fmt.Errorf("Error parsing statement: %T", s)
		}
		c, err := tfCanonicalStatement(m)
		if err != nil {
			return "", err
		}
		statements = append(statements, c)
	}
	slices.Sort(statements)
	out, err := json.Marshal([]any{doc.Version, doc.Id, statements})
	return string(out), err
}

func tfCanonicalStatement(s map[string]any) (string, error) {
	c := map[string]any{}
	for _, name := range []string{"Sid", "Effect"} {
		v, _ := s[name].(string)
		if name == "Effect" {
			v = strings.ToLower(v)
		}
		c[name] = v
	}
	for _, name := range []string{"Action", "NotAction", "Resource", "NotResource"} {
		set, err := tfStringSet(s[name], false)
		if err != nil {
			return "", fmt.Errorf("%s: %w", name, err)
		}
		c[name] = set
	}
	for _, name := range []string{"Principal", "NotPrincipal"} {
		switch p := s[name].(type) {
		case nil:
		case string:
			c[name] = tfPrincipal(p)
		case map[string]any:
			m := map[string][]string{}
			for kind, v := range p {
				set, err := tfStringSet(v, true)
				if err != nil {
					return "", fmt.Errorf("%s: %w", name, err)
				}
				if len(set) > 0 {
					m[kind] = set
				}
			}
			c[name] = m
		default:
			return "", fmt.Errorf("%s is %T", name, p)
		}
	}
	if cond, ok := s["Condition"].(map[string]any); ok {
		m := map[string]map[string][]string{}
		for op, block := range cond {
			keys, ok := block.(map[string]any)
			if !ok {
				return "", fmt.Errorf("Condition %s is %T", op, block)
			}
			m[op] = map[string][]string{}
			for k, v := range keys {
				set, err := tfStringSet(v, false)
				if err != nil {
					return "", fmt.Errorf("Condition %s %s: %w", op, k, err)
				}
				m[op][k] = set
			}
		}
		c["Condition"] = m
	}
	out, err := json.Marshal(c)
	return string(out), err
}

// tfStringSet reads a string or a list of strings (anything else in a
// condition, such as a JSON boolean, by its JSON text) as a sorted list:
// order does not count, the number of members does, as in awspolicy.
func tfStringSet(v any, principals bool) ([]string, error) {
	var items []any
	switch x := v.(type) {
	case nil:
		return []string{}, nil
	case []any:
		items = x
	default:
		items = []any{x}
	}
	set := make([]string, 0, len(items))
	for _, item := range items {
		s, ok := item.(string)
		if !ok {
			b, err := json.Marshal(item)
			if err != nil {
				return nil, err
			}
			s = string(b)
		}
		if principals {
			s = tfPrincipal(s)
		}
		set = append(set, s)
	}
	slices.Sort(set)
	return set, nil
}

var tfRootARN = regexp.MustCompile(`^arn:[^:]+:iam::([0-9]{12}):root$`)

// tfPrincipal maps a root ARN to its account ID: AWS rewrites one into the
// other, and the provider treats them as the same principal.
func tfPrincipal(p string) string {
	if m := tfRootARN.FindStringSubmatch(p); m != nil {
		return m[1]
	}
	return p
}

// TestTerraformPolicyEquivalence checks the replayed comparison itself, so a
// "no drift" verdict elsewhere means what it says.
func TestTerraformPolicyEquivalence(t *testing.T) {
	t.Parallel()
	base := `{"Version":"2012-10-17","Id":"k","Statement":[{"Sid":"a","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},{"Sid":"b","Effect":"Allow","Principal":"*","Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*","Condition":{"Bool":{"kms:GrantIsForAWSResource":true}}}]}`
	for _, tc := range []struct {
		name, other string
		want        bool
	}{
		{"same", base, true},
		{"reordered and spaced", `{ "Statement": [ {"Sid":"b","Effect":"allow","Principal":"*","Action":["kms:Decrypt","kms:Encrypt"],"Resource":["*"],"Condition":{"Bool":{"kms:GrantIsForAWSResource":[true]}}}, {"Resource":"*","Action":["kms:*"],"Principal":{"AWS":["111122223333"]},"Effect":"Allow","Sid":"a"} ], "Id":"k", "Version":"2012-10-17" }`, true},
		{"other Id", strings.Replace(base, `"Id":"k"`, `"Id":"j"`, 1), false},
		{"other action", strings.Replace(base, `"kms:Decrypt"`, `"kms:Sign"`, 1), false},
		{"missing statement", `{"Version":"2012-10-17","Id":"k","Statement":[{"Sid":"a","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`, false},
		{"other principal", strings.Replace(base, `111122223333`, `444455556666`, 1), false},
		{"other condition", strings.Replace(base, `:true}`, `:false}`, 1), false},
	} {
		got, err := tfPoliciesEquivalent(base, tc.other)
		if err != nil || got != tc.want {
			t.Errorf("%s: equivalent = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	if _, err := tfPoliciesEquivalent(base, `{"Statement":`); err == nil {
		t.Error("invalid JSON compared without an error")
	}
	if got, _ := tfNormalizeJSON("{\n  \"b\": [1, 2],\n  \"a\": \"x\"\n}"); got != `{"a":"x","b":[1,2]}` {
		t.Errorf("normalized %s", got)
	}
}
