package kms

import (
	"encoding/base64"
	"strings"

	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/store"
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

// listPage walks one page of a listing stored under prefix, in key order.
// after is the item name (key without prefix) the previous page ended on,
// skip (optional) leaves items out of the listing, and add receives each
// listed item. It returns the next page's marker, or nil on the last page.
func listPage(tx store.Tx, list, prefix, after string, limit int, skip func(name string) bool, add func(name string, item store.Item) error) (*string, error) {
	startAfter := ""
	if after != "" {
		startAfter = prefix + after
	}
	listed, last := 0, ""
	for {
		items, err := tx.Scan(prefix, startAfter, limit+1)
		if err != nil {
			return nil, err
		}
		for _, item := range items {
			startAfter = item.Key
			name := strings.TrimPrefix(item.Key, prefix)
			if skip != nil && skip(name) {
				continue
			}
			if listed == limit {
				marker := encodeMarker(list, last)
				return &marker, nil
			}
			if err := add(name, item); err != nil {
				return nil, err
			}
			listed, last = listed+1, name
		}
		if len(items) <= limit {
			return nil, nil
		}
	}
}
