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
	var outputs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		outputs = append(outputs, fmt.Sprintf(verb, s))
	}
	js, err := json.Marshal(struct{ K *Bytes }{s})
	if err != nil {
		t.Fatal(err)
	}
	outputs = append(outputs, string(js))
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "material", s)
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
