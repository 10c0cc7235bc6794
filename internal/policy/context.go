package policy

import (
	"slices"
	"strings"
)

// Context holds a request's condition keys and their values, the "request
// context" of IAM ("IAM JSON policy elements: Condition", The request
// context).
//
// Key names are compared case-insensitively, every part of them: IAM says
// "condition key names are not case-sensitive", and the KMS developer guide
// says so explicitly of kms:EncryptionContext:context-key ("the condition
// key, which consists of the kms:EncryptionContext: prefix and the
// context-key replacement, is not case sensitive", AWS KMS condition keys,
// Case sensitivity of the encryption context condition). The same holds for
// the tag key in aws:RequestTag/<k> and aws:ResourceTag/<k> ("The condition
// tag key Owner matches both Owner and owner because condition key names
// are not case-sensitive", IAM tagging examples). Values are kept as given;
// each operator decides how to compare them (StringEquals is
// case-sensitive, StringEqualsIgnoreCase is not).
//
// A key with no values is absent: Null reports it as null, ...IfExists
// skips it, ForAllValues is true and ForAnyValue false on it ("If the key
// values in the request resolve to an empty data set ... ForAllValues
// returns true, and ... ForAnyValue returns false", IAM multivalued
// context keys).
//
// The zero Context is empty and ready to use. A Context is built by one
// goroutine and then only read.
type Context struct {
	// entries is a short list searched linearly: a KMS request has a
	// handful of keys, and a slice is cheaper than a map to build and
	// to search at that size.
	entries []contextEntry
}

type contextEntry struct {
	key    string // lower case
	values []string
}

// Condition keys the KMS service sets. The names are AWS's; a policy may
// write them in any case.
const (
	KeyEncryptionContextPrefix = "kms:EncryptionContext:"
	KeyEncryptionContextKeys   = "kms:EncryptionContextKeys"
	KeyCallerAccount           = "kms:CallerAccount"
	KeyViaService              = "kms:ViaService"
	KeyPrincipalArn            = "aws:PrincipalArn"
	KeyPrincipalAccount        = "aws:PrincipalAccount"
)

// canonicalKey is the form keys are stored and compared in.
func canonicalKey(key string) string { return strings.ToLower(key) }

// Set gives key the values, replacing any it had. With no values the key
// becomes absent.
func (c *Context) Set(key string, values ...string) {
	c.set(canonicalKey(key), values, false)
}

// Add appends values to key's values. Two encryption context keys that
// differ only in case ("Dept" and "dept") name the same condition key, so
// both values land under it.
func (c *Context) Add(key string, values ...string) {
	c.set(canonicalKey(key), values, true)
}

func (c *Context) set(key string, values []string, add bool) {
	for i := range c.entries {
		if c.entries[i].key != key {
			continue
		}
		switch {
		case add:
			c.entries[i].values = append(c.entries[i].values, values...)
		case len(values) == 0:
			c.entries = append(c.entries[:i], c.entries[i+1:]...)
		default:
			c.entries[i].values = append([]string(nil), values...)
		}
		return
	}
	if len(values) > 0 {
		c.entries = append(c.entries, contextEntry{key: key, values: append([]string(nil), values...)})
	}
}

// Get returns key's values and whether it is present (has at least one
// value). The slice is the Context's own; do not modify it.
func (c *Context) Get(key string) ([]string, bool) {
	return c.lookup(canonicalKey(key))
}

// lookup finds a key already in canonical form; the evaluator calls it with
// keys canonicalised by Compile, so a lookup never allocates.
func (c *Context) lookup(key string) ([]string, bool) {
	if c == nil {
		return nil, false
	}
	for i := range c.entries {
		if c.entries[i].key == key {
			return c.entries[i].values, true
		}
	}
	return nil, false
}

// SetEncryptionContext sets kms:EncryptionContext:<k> to v for every pair
// and kms:EncryptionContextKeys to the keys, as KMS builds them from a
// request's EncryptionContext (AWS KMS condition keys). An empty or nil
// encryption context leaves both absent. The keys are added in sorted
// order, so that the same request always builds the same Context.
func (c *Context) SetEncryptionContext(ec map[string]string) {
	c.Set(KeyEncryptionContextKeys)
	prefix := canonicalKey(KeyEncryptionContextPrefix)
	c.entries = slices.DeleteFunc(c.entries, func(e contextEntry) bool { return strings.HasPrefix(e.key, prefix) })
	keys := make([]string, 0, len(ec))
	for k := range ec {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		c.Add(KeyEncryptionContextPrefix+k, ec[k])
	}
	if len(keys) > 0 {
		c.Set(KeyEncryptionContextKeys, keys...)
	}
}

// SetPrincipal sets the keys that describe the subject:
// aws:PrincipalArn, aws:PrincipalAccount and kms:CallerAccount.
func (c *Context) SetPrincipal(s Subject) {
	if s.PrincipalARN != "" {
		c.Set(KeyPrincipalArn, s.PrincipalARN)
	}
	if s.Account != "" {
		c.Set(KeyPrincipalAccount, s.Account)
		c.Set(KeyCallerAccount, s.Account)
	}
}
