package strictjson

// Text is what a Scanner reads: a request body arrives as []byte, a policy
// document is held as a string. Token texts are of the same type, and are
// sub-slices of the input whenever no unescaping is needed.
type Text interface {
	string | []byte
}

// Kind is the kind of a token. The zero value is not a kind.
type Kind uint8

const (
	BeginObject Kind = iota + 1
	EndObject
	BeginArray
	EndArray
	// Name is a member name. The token after it is the member's value.
	Name
	String
	Number
	True
	False
	Null
	// End follows the top-level value when nothing but whitespace is left.
	End
)

var kindNames = [...]string{
	BeginObject: "'{'",
	EndObject:   "'}'",
	BeginArray:  "'['",
	EndArray:    "']'",
	Name:        "member name",
	String:      "string",
	Number:      "number",
	True:        "true",
	False:       "false",
	Null:        "null",
	End:         "end of input",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "invalid kind"
}

// Token is one token of the input.
type Token[T Text] struct {
	Kind Kind
	// Offset is the byte offset of the token's first byte (the opening
	// quote of a string or name).
	Offset int
	// Text is, for Name and String, the content decoded from its escapes;
	// for Number, the number as written. It is empty for other kinds.
	Text T
}
