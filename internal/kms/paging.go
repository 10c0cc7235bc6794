package kms

import (
	"encoding/base64"
	"strings"

	"github.com/trent-kms/trent/internal/kmserr"
)

// Pagination markers are opaque to clients. Trent's say which list they
// belong to and where the last page ended ("<list>:<last item>", base64url),
// so a marker from another list or a made-up one is refused with
// InvalidMarkerException instead of silently restarting the list.

const markerVersion = "m1"

func encodeMarker(list, last string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(markerVersion + ":" + list + ":" + last))
}

// decodeMarker returns the last item of the previous page; "" for no marker.
func decodeMarker(list string, marker *string) (string, error) {
	if marker == nil {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(*marker)
	if err != nil {
		return "", kmserr.InvalidMarker()
	}
	last, ok := strings.CutPrefix(string(raw), markerVersion+":"+list+":")
	if !ok || last == "" {
		return "", kmserr.InvalidMarker()
	}
	return last, nil
}

// pageLimit returns the requested page size or the operation's default.
func pageLimit(limit *int32, def int) int {
	if limit == nil {
		return def
	}
	return int(*limit)
}
