package audit

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// plainRecord is Record without its MarshalJSON: json.Marshal encodes it
// by reflection, the reference AppendJSON must match byte for byte.
type plainRecord Record

func referenceJSON(t testing.TB, r *Record) []byte {
	t.Helper()
	want, err := json.Marshal((*plainRecord)(r))
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	return want
}

func checkAppendJSON(t testing.TB, r *Record) {
	t.Helper()
	want := referenceJSON(t, r)
	got, err := r.AppendJSON([]byte("prefix"))
	if err != nil {
		t.Fatalf("AppendJSON: %v", err)
	}
	if !strings.HasPrefix(string(got), "prefix") || string(got[len("prefix"):]) != string(want) {
		t.Fatalf("AppendJSON differs from encoding/json:\n got %s\nwant prefix%s", got, want)
	}
	viaMarshal, err := json.Marshal(r)
	if err != nil || string(viaMarshal) != string(want) {
		t.Fatalf("json.Marshal(*Record) = %s, %v; want %s", viaMarshal, err, want)
	}
}

// escapeEdges are strings on every branch of encoding/json's string
// escaping.
var escapeEdges = []string{
	"",
	"plain ASCII with spaces ~!@#$%^*()_+-={}[]|:;',.?/`",
	`quote " and backslash \ and slash /`,
	"\x00\x01\x02\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x1b\x1f\x20\x7f",
	"<script>alert('x') && y</script>",
	"line\u2028separator\u2029paragraph",
	"é ü ß 中文 𝄞 \u00a0 \ufeff \uffff",
	"invalid \xff \xfe utf-8 \xc3 truncated \xe2\x82 and \xed\xa0\x80 surrogate \xf4\x90\x80\x80 too big",
	"\xc0\xaf overlong",
	"ends in a lone byte \xe2",
	"\\u2028 written out",
}

// numberEdges are float64s on every branch of encoding/json's number
// format.
var numberEdges = []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1.5, 123456789, 1e20, 1e21, 1.5e21, 1e-6, 9.99e-7, 1e-7,
	5e-324, math.MaxFloat64, -1e-100, 1 << 53, 12345.678e10, 3.0e-5}

func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	full := func(s string) *Record {
		return &Record{
			EventVersion: "1.11" + s,
			UserIdentity: UserIdentity{Type: "AssumedRole" + s, PrincipalID: s, ARN: "arn:" + s, AccountID: s, AccessKeyID: s,
				UserName: s, InvokedBy: s,
				SessionContext: &SessionContext{SessionIssuer: SessionIssuer{Type: "Role", ARN: s, AccountID: s, UserName: s}}},
			EventTime: s, EventSource: s, EventName: s, AWSRegion: s, SourceIPAddress: s, UserAgent: s,
			ErrorCode: s, ErrorMessage: s,
			RequestParameters: map[string]any{
				"keyId": s, s: s, "z" + s: []any{s, 1.5, true, nil, map[string]any{s: "v", "a": []any{}}},
				"n": 32.0, "flag": false, "empty": map[string]any{}, "null": nil,
			},
			ResponseElements:    map[string]any{"keyMetadata": map[string]any{"keyId": s, "creationDate": 1.7e9}},
			AdditionalEventData: map[string]any{"keyMaterialId": s, "numberOfBytes": 16, "f32": float32(0.1), "i64": int64(-7), "u64": uint64(math.MaxUint64), "ss": []string{s, "b"}, "ms": map[string]string{s: s, "a": ""}},
			RequestID:           s, EventID: s, ReadOnly: true,
			Resources: []Resource{{ARN: s, AccountID: s, Type: s}, {ARN: "arn", AccountID: ""}},
			EventType: s, ManagementEvent: true, RecipientAccountID: s, EventCategory: s,
			ServiceEventDetails: map[string]any{"keyMaterialId": s, "rotationType": "AUTOMATIC", s: nil},
		}
	}
	for _, s := range escapeEdges {
		checkAppendJSON(t, full(s))
	}
	for _, f := range numberEdges {
		r := full("x")
		r.RequestParameters["n"] = f
		if f32 := float32(f); !math.IsInf(float64(f32), 0) {
			r.AdditionalEventData["f32"] = f32
		}
		r.ServiceEventDetails["n"] = -f
		checkAppendJSON(t, r)
	}
	// Every omitempty member absent, maps nil or empty, booleans false.
	checkAppendJSON(t, &Record{})
	checkAppendJSON(t, &Record{RequestParameters: map[string]any{}, ResponseElements: map[string]any{}, AdditionalEventData: map[string]any{},
		Resources: []Resource{}, ServiceEventDetails: map[string]any{}})
	rec := APICall(Call{Info: testInfo(), Time: timeOfTest})
	checkAppendJSON(t, rec)
	checkAppendJSON(t, Service(ServiceEvent{Name: "RotateKey", Account: "111122223333", Region: "us-east-1", KeyARN: "arn:k",
		Time: timeOfTest, Details: map[string]any{"keyMaterialId": "m", "rotationType": "AUTOMATIC"}, Err: errTest}))
}

// TestAppendJSONRefusesWhatEncodingJSONRefuses: a record json.Marshal
// cannot encode fails to encode, rather than writing something else.
func TestAppendJSONRefusesWhatEncodingJSONRefuses(t *testing.T) {
	for _, v := range []any{math.NaN(), math.Inf(1), float32(math.Inf(-1)), make(chan int)} {
		r := &Record{ServiceEventDetails: map[string]any{"x": v}}
		if _, err := json.Marshal((*plainRecord)(r)); err == nil {
			t.Fatalf("encoding/json accepts %v", v)
		}
		if _, err := r.AppendJSON(nil); err == nil {
			t.Errorf("AppendJSON accepts %v", v)
		}
	}
	if _, err := appendParams(nil, &struct{ F float64 }{math.NaN()}); err == nil {
		t.Error("appendParams accepts NaN")
	}
}

// FuzzAppendJSON compares AppendJSON with encoding/json on records made of
// arbitrary strings and numbers.
func FuzzAppendJSON(f *testing.F) {
	for i, s := range escapeEdges {
		f.Add(s, escapeEdges[(i+1)%len(escapeEdges)], numberEdges[i%len(numberEdges)], int64(i)-5, i%2 == 0)
	}
	f.Fuzz(func(t *testing.T, s, k string, n float64, i int64, b bool) {
		if math.IsNaN(n) || math.IsInf(n, 0) {
			n = 0 // refused by both; TestAppendJSONRefusesWhatEncodingJSONRefuses
		}
		r := &Record{
			EventVersion: s, UserIdentity: UserIdentity{Type: k, ARN: s, UserName: k},
			EventName: k, UserAgent: s, ErrorMessage: k,
			RequestParameters:   map[string]any{k: s, s: n, "i": i, "b": b, "l": []any{s, k, n}},
			AdditionalEventData: map[string]any{k: map[string]string{s: k, k: s}, "f32": float32(i)},
			EventID:             s, ReadOnly: b,
			Resources:           []Resource{{ARN: s, AccountID: k, Type: s}},
			ServiceEventDetails: map[string]any{s: n, k: i},
		}
		if b {
			r.UserIdentity.SessionContext = &SessionContext{SessionIssuer: SessionIssuer{ARN: k, UserName: s}}
		}
		checkAppendJSON(t, r)
	})
}

// TestAPICallRecordJSON: a record built from a request's Details encodes
// its parameters, resources and additionalEventData from their sources, in
// encoding/json's form of the maps they used to be copied into.
func TestAPICallRecordJSON(t *testing.T) {
	_, d := WithDetails(t.Context(), testInfo(), false, timeOfTest)
	d.SetInput(&sampleInput{KeyId: ptr("k"), EncryptionContext: map[string]string{"b": "2", "a": "<1>"}, Plaintext: []byte("canary")})
	d.AddKey("arn:k", "111122223333")
	d.SetAdditional("z", "last")
	d.SetAdditional("keyMaterialId", "old")
	d.SetAdditional("a", 1)
	d.SetAdditional("keyMaterialId", "m")
	rec := d.Record(&sampleInput{KeyId: ptr("out"), Description: "d"}, nil)
	got, err := rec.AppendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	ref := *rec
	ref.RequestParameters = map[string]any{"keyId": "k", "description": "", "encryptionContext": map[string]any{"a": "<1>", "b": "2"}}
	ref.ResponseElements = map[string]any{"keyId": "out", "description": "d"}
	ref.Resources = []Resource{{ARN: "arn:k", AccountID: "111122223333", Type: "AWS::KMS::Key"}}
	ref.AdditionalEventData = map[string]any{"z": "last", "keyMaterialId": "m", "a": 1}
	if want := referenceJSON(t, &ref); string(got) != string(want) {
		t.Fatalf("record:\n got %s\nwant %s", got, want)
	}
	if strings.Contains(string(got), "canary") {
		t.Fatal("a secret reached the record")
	}
}
