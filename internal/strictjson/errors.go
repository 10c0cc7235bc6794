package strictjson

import "fmt"

// Code says what is wrong with the input. The zero value is not a code.
type Code uint8

const (
	InvalidUTF8 Code = iota + 1
	UnexpectedEnd
	// UnexpectedChar: a byte that cannot start a value where one is due.
	UnexpectedChar
	InvalidLiteral
	InvalidNumber
	// NumberOutOfRange: a number beyond float64's range (1e400).
	NumberOutOfRange
	ExpectedName
	ExpectedColon
	ExpectedCommaOrObjectEnd
	ExpectedCommaOrArrayEnd
	// TrailingData: more than whitespace after the top-level value.
	TrailingData
	// TooDeep: a container opened beyond the scanner's depth limit.
	TooDeep
	DuplicateName
	ControlChar
	InvalidEscape
	InvalidUnicodeEscape
	// UnpairedSurrogate: a \u escape of half a UTF-16 surrogate pair that is
	// not followed (high) or preceded (low) by its other half.
	UnpairedSurrogate
	UnterminatedString
	// UnterminatedEscape: the input ends inside an escape sequence.
	UnterminatedEscape
)

var codeTexts = [...]string{
	InvalidUTF8:              "invalid UTF-8",
	UnexpectedEnd:            "unexpected end of input",
	UnexpectedChar:           "unexpected character",
	InvalidLiteral:           "invalid literal",
	InvalidNumber:            "invalid number",
	NumberOutOfRange:         "number out of range",
	ExpectedName:             "expected a member name",
	ExpectedColon:            "expected ':' after a member name",
	ExpectedCommaOrObjectEnd: "expected ',' or '}'",
	ExpectedCommaOrArrayEnd:  "expected ',' or ']'",
	TrailingData:             "unexpected data after the top-level value",
	TooDeep:                  "nesting too deep",
	DuplicateName:            "duplicate member name",
	ControlChar:              "control character in string",
	InvalidEscape:            "invalid escape",
	InvalidUnicodeEscape:     `invalid \u escape`,
	UnpairedSurrogate:        "unpaired surrogate escape",
	UnterminatedString:       "unterminated string",
	UnterminatedEscape:       "unterminated escape",
}

// String is a short lower-case description, for callers that have no
// wording of their own.
func (c Code) String() string {
	if int(c) < len(codeTexts) && codeTexts[c] != "" {
		return codeTexts[c]
	}
	return fmt.Sprintf("strictjson.Code(%d)", c)
}

// SyntaxError reports why a Scanner refused its input, and where.
// It never holds any of the input: a caller that may quote the input (a
// policy author's own document) can find the text at Offset; one that must
// not (a request body) does not have to scrub it.
type SyntaxError struct {
	Code Code
	// Offset is the byte offset of the fault: the first byte of the
	// offending token, escape or UTF-8 sequence (for a malformed number,
	// the byte where a digit is due), or the length of the input when it
	// ends too early.
	Offset int
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s at offset %d", e.Code, e.Offset)
}
