package kms

import (
	"encoding/base64"
	"regexp"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/kmserr"
)

// markerLists are the lists that issue markers today.
var markerLists = []string{"keys", "aliases", "rotations", "tags"}

func TestMarkerRoundTrip(t *testing.T) {
	t.Parallel()
	lasts := []string{
		"1234abcd-12ab-34cd-56ef-1234567890ab",
		"alias/with:colon/and/slashes",
		"00000002",
		"tag key with spaces, ünïcödé and 🔑",
		"m1:keys:looks-like-a-marker",
	}
	for _, list := range markerLists {
		for _, last := range lasts {
			m := encodeMarker(list, last)
			got, err := decodeMarker(list, &m)
			if err != nil {
				t.Fatalf("%s marker for %q: %v", list, last, err)
			}
			if got != last {
				t.Fatalf("%s marker for %q decodes to %q", list, last, got)
			}
		}
	}
}

// TestMarkerFitsTheModel: clients send the marker back in Marker, which the
// model limits to 1..1024 characters of [\u0020-\u00FF]; a marker Trent
// issues for its longest item must pass its own validation.
func TestMarkerFitsTheModel(t *testing.T) {
	t.Parallel()
	modelPattern := regexp.MustCompile(`^[\x{0020}-\x{00FF}]*$`)
	longest := map[string]string{
		"keys":      "mrk-" + strings.Repeat("f", 32),
		"aliases":   "alias/" + strings.Repeat("a", maxAliasNameLength-len("alias/")),
		"rotations": "ffffffff",
		"tags":      strings.Repeat("🔑", 128), // 128 characters of 4 bytes each
	}
	for _, list := range markerLists {
		m := encodeMarker(list, longest[list])
		if !modelPattern.MatchString(m) {
			t.Errorf("%s marker %q breaks the model's pattern", list, m)
		}
		var v validator
		v.paging(nil, &m, 1000)
		if err := v.err(); err != nil {
			t.Errorf("%s marker of %d characters refused: %v", list, len(m), err)
		}
	}
}

func TestMarkerRefused(t *testing.T) {
	t.Parallel()
	raw := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	id := "1234abcd-12ab-34cd-56ef-1234567890ab"
	tests := []struct{ name, list, marker string }{
		{"from another list", "aliases", encodeMarker("keys", id)},
		{"from a list whose name extends this one", "key", encodeMarker("keys", id)},
		{"empty string", "keys", ""},
		{"not base64", "keys", "not a marker!"},
		{"padded standard base64", "keys", base64.StdEncoding.EncodeToString([]byte("m1:keys:" + id))},
		{"base64 of garbage", "keys", raw("garbage")},
		{"unknown version", "keys", raw("m0:keys:" + id)},
		{"no version", "keys", raw("keys:" + id)},
		{"empty last item", "keys", encodeMarker("keys", "")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			last, err := decodeMarker(tc.list, &tc.marker)
			e, ok := kmserr.As(err)
			if !ok || e.Code != kmserr.CodeInvalidMarker || e.Status != 400 || e.Message == "" {
				t.Fatalf("decodeMarker(%q, %q) = %q, %v; want InvalidMarkerException", tc.list, tc.marker, last, err)
			}
			if last != "" {
				t.Fatalf("a refused marker still returned a position %q", last)
			}
		})
	}
}

// TestNoMarkerStartsAtTheBeginning: an absent marker is the first page.
func TestNoMarkerStartsAtTheBeginning(t *testing.T) {
	t.Parallel()
	for _, list := range markerLists {
		last, err := decodeMarker(list, nil)
		if err != nil || last != "" {
			t.Fatalf("decodeMarker(%s, nil) = %q, %v; want \"\", nil", list, last, err)
		}
	}
}

func TestPageLimit(t *testing.T) {
	t.Parallel()
	if got := pageLimit(nil, 100); got != 100 {
		t.Errorf("pageLimit(nil, 100) = %d, want the default", got)
	}
	if got := pageLimit(pointerTo[int32](7), 100); got != 7 {
		t.Errorf("pageLimit(7, 100) = %d, want 7", got)
	}
}
