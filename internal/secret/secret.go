// Package secret holds plaintext key material and other secret bytes in a
// type that cannot leak by accident: fmt, slog and encoding/json all print
// [REDACTED]. The bytes are reachable only through Reveal, which makes every
// use greppable.
package secret

import (
	"fmt"
	"log/slog"
)

const redacted = "[REDACTED]"

// Bytes is secret byte material.
type Bytes struct {
	Redacted
	b []byte
}

// New takes ownership of b (the caller must not keep using it).
func New(b []byte) *Bytes { return &Bytes{b: b} }

// Reveal returns the secret bytes. Callers must not log, persist or return
// them unprotected, and must not modify them.
func (s *Bytes) Reveal() []byte {
	if s == nil {
		return nil
	}
	return s.b
}

// Len returns the number of secret bytes.
func (s *Bytes) Len() int {
	if s == nil {
		return 0
	}
	return len(s.b)
}

// Wipe overwrites the bytes with zeros. Copies made by the runtime (GC moves,
// earlier slices) cannot be wiped; this only shortens the window.
func (s *Bytes) Wipe() {
	if s == nil {
		return
	}
	clear(s.b)
}

// Redacted prints and marshals as [REDACTED] through fmt (every verb),
// slog and encoding/json and text. Bytes embeds it, and so does every type
// that holds a secret (package cipher's private keys): the promoted methods
// make the whole value redact.
//
// The methods have value receivers so that a copy (a struct field holding
// one, a dereferenced pointer) redacts as well as the pointer does: with
// pointer receivers fmt would print a copy's fields through reflection.
type Redacted struct{}

// String implements fmt.Stringer.
func (Redacted) String() string { return redacted }

// GoString implements fmt.GoStringer so %#v does not print the value.
func (Redacted) GoString() string { return redacted }

// Format implements fmt.Formatter for every verb (%x, %v, %s, %q, ...).
func (Redacted) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// LogValue implements slog.LogValuer.
func (Redacted) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON implements json.Marshaler.
func (Redacted) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText implements encoding.TextMarshaler.
func (Redacted) MarshalText() ([]byte, error) { return []byte(redacted), nil }
