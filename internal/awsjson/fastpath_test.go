package awsjson

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// TestResponseHeaderKeys: the keys setHeaders writes straight into the map
// are what Header.Set makes of AWS's spelling, and the map is the one the
// Set calls left before.
func TestResponseHeaderKeys(t *testing.T) {
	for aws, key := range map[string]string{"x-amzn-RequestId": keyRequestID, "X-Amzn-ErrorType": keyErrorType,
		"Content-Type": keyContentType, "Content-Length": keyContentLength} {
		if c := textproto.CanonicalMIMEHeaderKey(aws); c != key {
			t.Errorf("%s is keyed %q, want %q", aws, key, c)
		}
	}
	for _, errorType := range []string{"", "NotFoundException"} {
		want := http.Header{}
		want.Set("x-amzn-RequestId", "id")
		want.Set("Content-Type", contentType11)
		want.Set("Content-Length", "1234")
		if errorType != "" {
			want.Set("X-Amzn-ErrorType", errorType)
		}
		got := http.Header{"Content-Type": {"text/plain"}}
		setHeaders(got, "id", 1234, errorType)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("setHeaders(%q) = %v, want %v", errorType, got, want)
		}
	}
}

// TestReadAll: a body is read whole whatever its announced length says,
// and a read error that is not the end of the body is reported.
func TestReadAll(t *testing.T) {
	body := strings.Repeat("0123456789", 300)
	for _, size := range []int64{-1, 0, 1, 10, int64(len(body)) - 1, int64(len(body)), int64(len(body)) + 1, 10000} {
		for name, r := range map[string]io.Reader{
			"reader":   strings.NewReader(body),
			"one byte": iotest.OneByteReader(strings.NewReader(body)),
			"data+EOF": iotest.DataErrReader(strings.NewReader(body)),
		} {
			got, err := readAll(r, size)
			if err != nil || string(got) != body {
				t.Errorf("size %d, %s: read %d bytes, %v", size, name, len(got), err)
			}
		}
	}
	boom := errors.New("boom")
	if _, err := readAll(io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(boom)), 3); err != boom {
		t.Errorf("err = %v, want %v", err, boom)
	}
}

// TestReadBodyLimits: readBody's answers at and around the limit, with and
// without an announced length, and for a body cut off or ended by a wrapped
// EOF (which bytes.Buffer.ReadFrom, used before, treated as the end).
func TestReadBodyLimits(t *testing.T) {
	const limit = 100
	for _, tt := range []struct {
		n       int
		cl      int64
		wantErr string
	}{
		{0, 0, ""}, {limit, limit, ""}, {limit, -1, ""}, {limit + 1, -1, "RequestEntityTooLarge"},
		{limit + 1, limit + 1, "RequestEntityTooLarge"}, {limit + 1, limit, "RequestEntityTooLarge"}, {5, 10, ""},
	} {
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(make([]byte, tt.n)))
		r.ContentLength = tt.cl
		got, err := readBody(httptest.NewRecorder(), r, limit)
		if tt.wantErr == "" && (err != nil || len(got) != tt.n) || tt.wantErr != "" && (err == nil || !strings.Contains(fmt.Sprint(err), tt.wantErr)) {
			t.Errorf("%d bytes, Content-Length %d: read %d, %v; want error %q", tt.n, tt.cl, len(got), err, tt.wantErr)
		}
	}
	wrapped := io.MultiReader(strings.NewReader("{}"), iotest.ErrReader(fmt.Errorf("closed: %w", io.EOF)))
	r := httptest.NewRequest(http.MethodPost, "/", io.NopCloser(wrapped))
	if got, err := readBody(httptest.NewRecorder(), r, limit); err != nil || string(got) != "{}" {
		t.Errorf("wrapped EOF: read %q, %v", got, err)
	}
	r = httptest.NewRequest(http.MethodPost, "/", io.NopCloser(iotest.ErrReader(errors.New("reset"))))
	if _, err := readBody(httptest.NewRecorder(), r, limit); err == nil || !strings.Contains(err.Error(), "could not be read") {
		t.Errorf("read error: %v", err)
	}
}
