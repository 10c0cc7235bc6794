package sigv4

import "strings"

// This file splits the Authorization header into its three parameters.
// Every request outside --dev goes through it, so the usual header (the
// algorithm, then Credential, SignedHeaders and Signature once each, which
// is what every SDK writes) is read in one pass over the string without
// building a slice of fields or a map (scanParams). Anything else (an
// unknown or repeated parameter, an element without '=', a missing or
// wrong algorithm) is tokenised again the general way (tokeniseParams),
// which alone decides the error, so the fast path cannot change what a
// client is told.

// authParams are the values of the parameters Trent reads, indexed by
// paramIndex; "" if absent.
type authParams [3]string

// paramIndex is the index in authParams of the parameter called name, or
// -1 for a parameter Trent does not read.
func paramIndex(name string) int {
	switch name {
	case paramCredential:
		return 0
	case paramSignedHeaders:
		return 1
	case paramSignature:
		return 2
	}
	return -1
}

// get returns the parameter called name.
func (p *authParams) get(name string) string { return p[paramIndex(name)] }

// headerParams returns the parameters of the header, or the error that
// refuses it before its parameters are looked at.
func headerParams(header string) (authParams, error) {
	if p, ok := scanParams(header); ok {
		return p, nil
	}
	return tokeniseParams(header)
}

// scanParams reads the usual header: ok is false for anything
// tokeniseParams might answer differently, and then p means nothing.
func scanParams(header string) (p authParams, ok bool) {
	tok, rest := nextField(header)
	if tok != Algorithm {
		return authParams{}, false
	}
	var seen [3]bool
	for {
		if tok, rest = nextField(rest); tok == "" {
			return p, true
		}
		key, value, found := strings.Cut(tok, "=")
		i := paramIndex(key)
		if !found || i < 0 || seen[i] {
			return authParams{}, false
		}
		seen[i] = true
		p[i] = value
	}
}

// nextField returns the first field of s and what follows it. Fields are
// separated by runs of spaces, tabs and commas (see ParseAuthorization);
// field is "" when s has no more fields. Working on bytes is the same as
// strings.FieldsFunc on runes here: the separators are ASCII, and no byte
// of a multi-byte UTF-8 sequence (or of an invalid one) is below 0x80.
func nextField(s string) (field, rest string) {
	i := 0
	for i < len(s) && isSeparator(s[i]) {
		i++
	}
	j := i
	for j < len(s) && !isSeparator(s[j]) {
		j++
	}
	return s[i:j], s[j:]
}

func isSeparator(c byte) bool { return c == ' ' || c == '\t' || c == ',' }

// tokeniseParams is the general reading of the header, with AWS's errors.
func tokeniseParams(header string) (authParams, error) {
	fields := strings.FieldsFunc(header, func(r rune) bool { return r < 0x80 && isSeparator(byte(r)) })
	if len(fields) == 0 {
		return authParams{}, missingToken()
	}
	if fields[0] != Algorithm {
		return authParams{}, incomplete("Unsupported AWS 'algorithm'. The Authorization header must start with '" + Algorithm + "'.")
	}

	var p authParams
	seen := make(map[string]bool, 3)
	for _, f := range fields[1:] {
		key, value, ok := strings.Cut(f, "=")
		if !ok {
			return authParams{}, incomplete("An element of the Authorization header is not a valid key=value pair (missing equal-sign).")
		}
		if seen[key] {
			return authParams{}, incomplete(repeatedParam(key))
		}
		seen[key] = true
		// Unknown parameters are ignored: they cannot change what the
		// signature covers, and AWS does not document rejecting them.
		if i := paramIndex(key); i >= 0 {
			p[i] = value
		}
	}
	return p, nil
}
