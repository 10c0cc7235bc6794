package audit

import (
	"math"
	"testing"
	"time"
)

type (
	wireTime  time.Time // like the wire's Time: time.Time's layout
	keyState  string
	labelKey  string
	context2  map[string]string
	innerItem struct {
		Name  *string `json:"Name,omitempty"`
		Value string  `json:"Value"`
	}
	listNode struct {
		Value string    `json:"Value"`
		Next  *listNode `json:"Next,omitempty"`
	}
	zeroByMethod struct{ N int }
)

func (z zeroByMethod) IsZero() bool { return z.N == 42 }

// paramsRules holds one field per rule of the CloudTrail form (params.go);
// its expected JSON is written out by hand in TestParamsRules.
type paramsRules struct {
	KeyId          *string              `json:"KeyId,omitempty"`
	State          keyState             `json:"KeyState"`
	States         []keyState           `json:"States"`
	Context        map[string]string    `json:"Context"`
	NamedContext   context2             `json:"NamedContext"`
	Labels         map[labelKey]string  `json:"Labels"`
	Pointers       map[string]*string   `json:"Pointers"`
	Nested         map[string]innerItem `json:"Nested"`
	IntKeys        map[int]string       `json:"IntKeys"`
	NilMap         map[string]string    `json:"NilMap"`
	EmptyMap       map[string]string    `json:"EmptyMap"`
	Items          []innerItem          `json:"Items"`
	ItemPointers   []*innerItem         `json:"ItemPointers"`
	Blobs          [][]byte             `json:"Blobs"`
	Blob           []byte               `json:"Blob"`
	NilSlice       []string             `json:"NilSlice"`
	EmptySlice     []string             `json:"EmptySlice"`
	Array          [2]string            `json:"Array"`
	Empty          innerItem            `json:"Empty"`
	Created        *wireTime            `json:"Created,omitempty"`
	Deleted        *wireTime            `json:"Deleted,omitempty"`
	Plain          time.Time            `json:"Plain"`
	ZeroTime       time.Time            `json:"ZeroTime"`
	OmitZeroTime   time.Time            `json:"OmitZeroTime,omitzero"`
	OmitZeroMethod zeroByMethod         `json:"OmitZeroMethod,omitzero"`
	KeptByMethod   zeroByMethod         `json:"KeptByMethod,omitzero"`
	OmitZeroInt    int                  `json:"OmitZeroInt,omitzero"`
	Any            any                  `json:"Any"`
	NilAny         any                  `json:"NilAny"`
	List           *listNode            `json:"List"`
	Int            int64                `json:"Int"`
	Uint           uint64               `json:"Uint"`
	Byte           uint8                `json:"Byte"`
	Float32        float32              `json:"Float32"`
	Float64        float64              `json:"Float64"`
	False          bool                 `json:"False"`
	OmitFalse      bool                 `json:"OmitFalse,omitempty"`
	OmitZero       int32                `json:"OmitZero,omitempty"`
	OmitEmpty      string               `json:"OmitEmpty,omitempty"`
	EmptyString    string               `json:"EmptyString"`
	Untagged       string
	URLValue       string `json:"URL"`
	Escaped        string `json:"Escaped"`
	Secret         string `json:"Secret" audit:"-"`
	Ignored        string `json:"-"`
	unexported     string
	Early          string `json:"Same"`
	Late           string `json:"same,omitempty"`
	EarlyKept      string `json:"Kept"`
	LateEmpty      string `json:"kept,omitempty"`
}

func TestParamsRules(t *testing.T) {
	created := wireTime(time.Date(2026, 3, 4, 17, 5, 6, 0, time.FixedZone("x", 3600)))
	in := &paramsRules{
		KeyId:          ptr("1234abcd"),
		State:          "Enabled",
		States:         []keyState{"Enabled", "Disabled"},
		Context:        map[string]string{"b": "2", "a": "1", "B": "3", "é": "4", "<": "&"},
		NamedContext:   context2{"y": "1", "x": "2"},
		Labels:         map[labelKey]string{"z": "1", "m": "2"},
		Pointers:       map[string]*string{"set": ptr("v"), "unset": nil},
		Nested:         map[string]innerItem{"k": {Name: ptr("n"), Value: "v"}},
		IntKeys:        map[int]string{1: "one"},
		EmptyMap:       map[string]string{},
		Items:          []innerItem{{Value: "a"}, {Name: ptr("b"), Value: ""}},
		ItemPointers:   []*innerItem{nil, {Value: "c"}, nil},
		Blobs:          [][]byte{[]byte("secret")},
		Blob:           []byte("secret"),
		EmptySlice:     []string{},
		Array:          [2]string{"a", "b"},
		Created:        &created,
		Deleted:        &wireTime{},
		Plain:          time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC),
		OmitZeroMethod: zeroByMethod{N: 42},
		KeptByMethod:   zeroByMethod{N: 0},
		Any:            map[string]any{"n": 1, "s": []string{"x"}},
		List:           &listNode{Value: "1", Next: &listNode{Value: "2"}},
		Int:            -9007199254740993,
		Uint:           math.MaxUint64,
		Byte:           7,
		Float32:        0.1,
		Float64:        1e21,
		Untagged:       "u",
		URLValue:       "https://x",
		Escaped:        "<\u2028\xff>",
		Secret:         "canary",
		Ignored:        "canary",
		unexported:     "canary",
		Early:          "early",
		Late:           "late",
		EarlyKept:      "early wins when the later one is left out",
	}
	// Members sorted by CloudTrail name, map keys sorted (byte order, as
	// encoding/json sorts them). Left out: nil pointers, interfaces, slices
	// and maps, the zero times, omitempty/omitzero members that are empty,
	// maps without string keys, arrays, uint8, byte slices, audit:"-",
	// json:"-" and unexported fields. Of two members named alike, the later
	// field's value wins when it has one. This expectation was checked
	// against the reflect -> map[string]any -> encoding/json converter the
	// codecs replaced.
	want := `{"URL":"https://x","any":{"n":1,"s":["x"]},` +
		`"blobs":[],` +
		`"context":{"\u003c":"\u0026","B":"3","a":"1","b":"2","é":"4"},` +
		`"created":"Mar 4, 2026, 4:05:06 PM",` +
		`"empty":{"value":""},` +
		`"emptyMap":{},"emptySlice":[],"emptyString":"",` +
		`"escaped":"\u003c\u2028\ufffd\u003e",` +
		`"false":false,"float32":0.10000000149011612,"float64":1e+21,` +
		`"int":-9007199254740993,` +
		`"itemPointers":[{"value":"c"}],` +
		`"items":[{"value":"a"},{"name":"b","value":""}],` +
		`"kept":"early wins when the later one is left out",` +
		`"keptByMethod":{"n":0},` +
		`"keyId":"1234abcd","keyState":"Enabled",` +
		`"labels":{"m":"2","z":"1"},` +
		`"list":{"next":{"value":"2"},"value":"1"},` +
		`"namedContext":{"x":"2","y":"1"},` +
		`"nested":{"k":{"name":"n","value":"v"}},` +
		`"plain":"Dec 31, 2026, 12:00:00 AM",` +
		`"pointers":{"set":"v"},` +
		`"same":"late",` +
		`"states":["Enabled","Disabled"],` +
		`"uint":18446744073709551615,` +
		`"untagged":"u"}`
	if got := paramsJSON(t, in); got != want {
		t.Fatalf("params:\n got %s\nwant %s", got, want)
	}
}
