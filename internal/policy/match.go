package policy

import (
	"unicode"
	"unicode/utf8"
)

// IAM wildcard matching, shared by Action/NotAction, Resource/NotResource,
// StringLike and the Arn* operators: '*' matches any run of characters
// (also none), '?' exactly one character. Nothing else is special; a
// pattern cannot escape a wildcard ("IAM JSON policy elements: Condition
// operators", String condition operators, and "Action" element).
//
// The matchers work on the strings as they are, rune by rune, and never
// allocate: they run on every request.

// globMatch reports whether s matches pattern. With fold, letters compare
// case-insensitively (Unicode simple folding), as IAM compares action names.
func globMatch(pattern, s string, fold bool) bool {
	p, i := 0, 0
	// star is the pattern position after the last '*' seen, and
	// starS the position in s that star is currently made to cover up to;
	// on a mismatch the last '*' swallows one more character.
	star, starS := -1, 0
	for i < len(s) {
		if p < len(pattern) {
			switch pattern[p] {
			case '*':
				p++
				star, starS = p, i
				continue
			case '?':
				p++
				i += runeLen(s[i:])
				continue
			default:
				// ASCII on both sides, the usual case: no decoding.
				if pc, sc := pattern[p], s[i]; pc < utf8.RuneSelf && sc < utf8.RuneSelf {
					if pc == sc || fold && asciiLower(rune(pc)) == asciiLower(rune(sc)) {
						p++
						i++
						continue
					}
					break
				}
				pr, pn := utf8.DecodeRuneInString(pattern[p:])
				sr, sn := utf8.DecodeRuneInString(s[i:])
				if pn == sn && pattern[p:p+pn] == s[i:i+sn] ||
					fold && pr != utf8.RuneError && sr != utf8.RuneError && equalFoldRune(pr, sr) {
					p += pn
					i += sn
					continue
				}
			}
		}
		if star < 0 {
			return false
		}
		starS += runeLen(s[starS:])
		p, i = star, starS
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// runeLen is the length in bytes of the first character of s.
func runeLen(s string) int {
	if s[0] < utf8.RuneSelf {
		return 1
	}
	_, n := utf8.DecodeRuneInString(s)
	return n
}

// equalFoldRune reports whether a and b are the same letter ignoring case,
// with the folding strings.EqualFold uses.
func equalFoldRune(a, b rune) bool {
	if a == b {
		return true
	}
	if a < utf8.RuneSelf && b < utf8.RuneSelf {
		return asciiLower(a) == asciiLower(b)
	}
	for f := unicode.SimpleFold(a); f != a; f = unicode.SimpleFold(f) {
		if f == b {
			return true
		}
	}
	return false
}

func asciiLower(r rune) rune {
	if r >= 'A' && r <= 'Z' {
		return r + 'a' - 'A'
	}
	return r
}

// hasWildcard reports whether pattern has a '*' or '?'.
func hasWildcard(pattern string) bool {
	for i := 0; i < len(pattern); i++ {
		if pattern[i] == '*' || pattern[i] == '?' {
			return true
		}
	}
	return false
}

// arnPattern is an ARN split into its six colon-separated parts
// (arn:partition:service:region:account:resource). The resource part keeps
// any further colons.
type arnPattern [6]string

// splitARN splits s into its six parts; ok is false when s has fewer than
// six.
func splitARN(s string) (parts arnPattern, ok bool) {
	for k := 0; k < 5; k++ {
		j := indexColon(s)
		if j < 0 {
			return arnPattern{}, false
		}
		parts[k], s = s[:j], s[j+1:]
	}
	parts[5] = s
	return parts, true
}

func indexColon(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return i
		}
	}
	return -1
}

// arnMatch is ArnLike (and ArnEquals, which IAM defines the same way):
// "Each of the six colon-delimited components of the ARN is checked
// separately and each can include multi-character match wildcards (*) or
// single-character match wildcards (?)", case-sensitively. A value that is
// not an ARN of six parts never matches. It walks s without splitting it,
// so that it does not allocate.
func arnMatch(p *arnPattern, s string) bool {
	for k := 0; k < 5; k++ {
		j := indexColon(s)
		if j < 0 || !globMatch(p[k], s[:j], false) {
			return false
		}
		s = s[j+1:]
	}
	return globMatch(p[5], s, false)
}
