package strictjson

import "unicode/utf8"

// smallObject is how many member names an object's duplicate check
// compares pairwise before it switches to a map: pairwise is cheaper and
// allocation-free for the handful of members KMS inputs and policy
// statements have, a map keeps a huge adversarial object linear.
const smallObject = 16

// Scanner reads the tokens of one JSON text. It is not safe for concurrent
// use. The first error is sticky: Next returns it again.
type Scanner[T Text] struct {
	data     T
	pos      int
	maxDepth int
	depth    int // containers open
	// state is where the scanner stands in the innermost open container,
	// or at the top level when depth is 0.
	state state
	// The stack holds an entry for each open container and, above an
	// object's entry, the names of that object's members so far. Its first
	// entries live in the Scanner itself and hold no pointers, so that
	// checking a small document allocates nothing (see entryAt).
	inline [inlineEntries]entry
	more   []entry // entries past the inline ones
	n      int     // entries in use
	top    int     // index of the innermost container's entry
	// escaped holds the decoded names, of the open objects, that had
	// escapes.
	escaped []T
	// seen holds the names of objects with more than smallObject members,
	// by the index of the object's entry.
	seen map[int]map[string]struct{}
	// The token Next returns, or the error it returns.
	off  int
	text T
	err  error
}

// inlineEntries is how many stack entries need no allocation: enough for a
// KMS request (a few containers, a dozen names).
const inlineEntries = 24

type state uint8

const (
	atStart    state = iota // before the top-level value
	afterOpen               // just after '{' or '['
	afterName               // after a member name: ':' and a value are due
	afterValue              // after a value: ',' or the closing bracket is due
)

// entry is an open container (kind BeginObject or BeginArray; a is the
// index of the container around it, b how many escaped names there were
// when it opened) or a member name (kind Name; the name is data[a:b], or
// escaped[a] if esc).
type entry struct {
	a, b int
	kind Kind
	esc  bool
}

// NewScanner returns a Scanner of data that allows at most maxDepth
// objects and arrays open at once (the top-level container counts as one).
func NewScanner[T Text](data T, maxDepth int) *Scanner[T] {
	return &Scanner[T]{data: data, maxDepth: maxDepth, top: -1}
}

func (s *Scanner[T]) entryAt(i int) *entry {
	if i < inlineEntries {
		return &s.inline[i]
	}
	return &s.more[i-inlineEntries]
}

func (s *Scanner[T]) push(e entry) {
	if s.n < inlineEntries {
		s.inline[s.n] = e
	} else {
		s.more = append(s.more[:s.n-inlineEntries], e)
	}
	s.n++
}

// nameAt is the member name in entry i.
func (s *Scanner[T]) nameAt(i int) T {
	e := s.entryAt(i)
	if e.esc {
		return s.escaped[e.a]
	}
	return s.data[e.a:e.b]
}

// Next returns the next token, or the reason the input is not strict JSON.
// After the top-level value it returns End, and keeps returning it.
func (s *Scanner[T]) Next() (Token[T], error) {
	if k := s.next(); k != 0 {
		return Token[T]{Kind: k, Offset: s.off, Text: s.text}, nil
	}
	return Token[T]{}, s.err
}

// next reads a token into s.off and s.text (empty but for names, strings
// and numbers) and returns its kind, or 0 with s.err set. This and the
// functions it calls return only a Kind rather than a Token, which keeps
// the hot path from copying tokens through each call.
func (s *Scanner[T]) next() Kind {
	if s.err != nil {
		return 0
	}
	var empty T
	s.text = empty
	if s.state == atStart {
		// The whole text is checked once, up front (RFC 8259 §8.1), so that
		// the scanner can treat every byte at or above 0x80 as part of a
		// valid sequence inside a string.
		if off := invalidUTF8(s.data); off >= 0 {
			return s.failAt(InvalidUTF8, off)
		}
	}
	s.skipSpace()
	if s.depth == 0 {
		if s.state == afterValue {
			if s.pos < len(s.data) {
				return s.fail(TrailingData)
			}
			s.off = s.pos
			return End
		}
		s.state = afterValue
		return s.value()
	}
	if s.entryAt(s.top).kind == BeginObject {
		return s.inObject()
	}
	return s.inArray()
}

// inObject reads the next token of the innermost open object.
func (s *Scanner[T]) inObject() Kind {
	switch s.state {
	case afterName:
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			return s.fail(ExpectedColon)
		}
		s.pos++
		s.skipSpace()
		s.state = afterValue
		return s.value()
	case afterValue:
		if s.pos >= len(s.data) {
			return s.fail(UnexpectedEnd)
		}
		switch s.data[s.pos] {
		case '}':
			return s.close(EndObject)
		case ',':
			s.pos++
			s.skipSpace()
		default:
			return s.fail(ExpectedCommaOrObjectEnd)
		}
	default: // afterOpen
		if s.pos < len(s.data) && s.data[s.pos] == '}' {
			return s.close(EndObject)
		}
	}
	return s.name()
}

// inArray reads the next token of the innermost open array.
func (s *Scanner[T]) inArray() Kind {
	if s.state == afterValue {
		if s.pos >= len(s.data) {
			return s.fail(UnexpectedEnd)
		}
		switch s.data[s.pos] {
		case ']':
			return s.close(EndArray)
		case ',':
			s.pos++
			s.skipSpace()
		default:
			return s.fail(ExpectedCommaOrArrayEnd)
		}
	} else if s.pos < len(s.data) && s.data[s.pos] == ']' { // afterOpen
		return s.close(EndArray)
	}
	s.state = afterValue
	return s.value()
}

// name reads a member name and refuses one the object already has. Names
// are compared after unescaping: {"a":1,"\u0061":2} has a duplicate.
func (s *Scanner[T]) name() Kind {
	if s.pos >= len(s.data) || s.data[s.pos] != '"' {
		return s.fail(ExpectedName)
	}
	at := s.pos
	name, esc, ok := s.str()
	if !ok {
		return 0
	}
	first := s.top + 1 // the object's first name
	if s.n-first < smallObject {
		for i := first; i < s.n; i++ {
			if string(s.nameAt(i)) == string(name) {
				return s.failAt(DuplicateName, at)
			}
		}
		e := entry{a: at + 1, b: s.pos - 1, kind: Name}
		if esc {
			e.a, e.esc = len(s.escaped), true
			s.escaped = append(s.escaped, name)
		}
		s.push(e)
	} else {
		// Past smallObject names the object's names move to a map, and
		// no more are added to the stack.
		seen := s.seen[s.top]
		if seen == nil {
			seen = make(map[string]struct{}, 2*smallObject)
			for i := first; i < s.n; i++ {
				seen[string(s.nameAt(i))] = struct{}{}
			}
			if s.seen == nil {
				s.seen = map[int]map[string]struct{}{}
			}
			s.seen[s.top] = seen
		}
		if _, dup := seen[string(name)]; dup {
			return s.failAt(DuplicateName, at)
		}
		seen[string(name)] = struct{}{}
	}
	s.state = afterName
	s.off, s.text = at, name
	return Name
}

// value reads the token that starts a value.
func (s *Scanner[T]) value() Kind {
	if s.pos >= len(s.data) {
		return s.fail(UnexpectedEnd)
	}
	s.off = s.pos
	switch c := s.data[s.pos]; {
	case c == '"':
		var ok bool
		if s.text, _, ok = s.str(); !ok {
			return 0
		}
		return String
	case c == '-' || c >= '0' && c <= '9':
		var ok bool
		if s.text, ok = s.number(); !ok {
			return 0
		}
		return Number
	case c == '{':
		return s.open(BeginObject)
	case c == '[':
		return s.open(BeginArray)
	case c == 't':
		return s.literal("true", True)
	case c == 'f':
		return s.literal("false", False)
	case c == 'n':
		return s.literal("null", Null)
	}
	return s.fail(UnexpectedChar)
}

func (s *Scanner[T]) open(k Kind) Kind {
	if s.depth >= s.maxDepth {
		return s.fail(TooDeep)
	}
	s.push(entry{a: s.top, b: len(s.escaped), kind: k})
	s.top = s.n - 1
	s.depth++
	s.state = afterOpen
	s.pos++
	return k
}

func (s *Scanner[T]) close(k Kind) Kind {
	if s.seen != nil {
		delete(s.seen, s.top)
	}
	e := s.entryAt(s.top)
	s.escaped = s.escaped[:e.b]
	s.n = s.top
	s.top = e.a
	s.depth--
	s.state = afterValue
	s.off = s.pos
	s.pos++
	return k
}

func (s *Scanner[T]) fail(c Code) Kind { return s.failAt(c, s.pos) }

func (s *Scanner[T]) failAt(c Code, off int) Kind {
	s.err = &SyntaxError{c, off}
	return 0
}

// skipSpace skips the four whitespace characters of RFC 8259 §2.
func (s *Scanner[T]) skipSpace() {
	data, i := s.data, s.pos
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	s.pos = i
}

// invalidUTF8 returns the offset of the first byte of data that is not
// part of a valid UTF-8 sequence, or -1.
func invalidUTF8[T Text](data T) int {
	var ok bool
	switch d := any(data).(type) {
	case string:
		ok = utf8.ValidString(d)
	case []byte:
		ok = utf8.Valid(d)
	}
	if ok {
		return -1
	}
	for off := 0; off < len(data); {
		r, n := utf8.DecodeRuneInString(string(data[off:min(off+utf8.UTFMax, len(data))]))
		if r == utf8.RuneError && n <= 1 {
			return off
		}
		off += n
	}
	return len(data) // not reached: utf8.Valid said otherwise
}
