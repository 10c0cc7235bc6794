package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestBytesNeverPrintsMaterial(t *testing.T) {
	material := []byte("canary-secret-material-0123456789")
	s := New(append([]byte(nil), material...))
	// A copy made by value (a struct holding a Bytes, a dereference) must
	// redact as well as the pointer does.
	copied := *s
	var outputs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		outputs = append(outputs, fmt.Sprintf(verb, s), fmt.Sprintf(verb, copied),
			fmt.Sprintf(verb, struct{ K Bytes }{copied}), fmt.Sprintf(verb, []Bytes{copied}))
	}
	for _, v := range []any{struct{ K *Bytes }{s}, struct{ K Bytes }{copied}} {
		js, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		outputs = append(outputs, string(js))
	}
	var logged bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logged, nil))
	log.Info("x", "material", s)
	log.Info("x", "material", copied)
	outputs = append(outputs, logged.String())
	for _, out := range outputs {
		if strings.Contains(out, "canary") || strings.Contains(out, fmt.Sprintf("%x", material)) {
			t.Fatalf("secret leaked: %s", out)
		}
		if !strings.Contains(out, redacted) {
			t.Fatalf("output %q does not say %s", out, redacted)
		}
	}
	if !bytes.Equal(s.Reveal(), material) {
		t.Fatal("Reveal does not return the material")
	}
	s.Wipe()
	if !bytes.Equal(s.Reveal(), make([]byte, len(material))) {
		t.Fatal("Wipe left material behind")
	}
}

func TestNilBytesPrintsSafely(t *testing.T) {
	var s *Bytes
	if got := fmt.Sprintf("%v %x", s, s); strings.Contains(got, "PANIC") {
		t.Fatalf("printing a nil *Bytes panicked: %s", got)
	}
	if s.Len() != 0 || s.Reveal() != nil {
		t.Fatal("a nil *Bytes is empty")
	}
	s.Wipe() // harmless
}
