package main

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestHTTPServerHeaderLimit serves newHTTPServer on a real loopback
// listener: requests with the headers of a real SigV4 call, even with a
// large STS session token, are served, and a request whose headers exceed
// the limit gets 431 before the handler sees it.
func TestHTTPServerHeaderLimit(t *testing.T) {
	served := make(chan struct{}, 10)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served <- struct{}{}
		io.WriteString(w, "ok")
	})
	srv := newHTTPServer(handler, slog.New(slog.DiscardHandler))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	for _, tt := range []struct {
		name       string
		extra      int // bytes of one more header
		wantStatus int
	}{
		{"normal", 0, http.StatusOK},
		// STS session tokens run to a few KiB; 16 KiB is far beyond any.
		{"large session token", 16 << 10, http.StatusOK},
		// net/http allows 4 KiB of slack over MaxHeaderBytes.
		{"oversized headers", maxHeaderBytes + 16<<10, http.StatusRequestHeaderFieldsTooLarge},
	} {
		status := postRaw(t, ln.Addr().String(), tt.extra)
		if status != tt.wantStatus {
			t.Errorf("%s: status %d, want %d", tt.name, status, tt.wantStatus)
		}
		wantServed := tt.wantStatus == http.StatusOK
		select {
		case <-served:
			if !wantServed {
				t.Errorf("%s: the handler saw the request", tt.name)
			}
		default:
			if wantServed {
				t.Errorf("%s: the handler did not see the request", tt.name)
			}
		}
	}
}

// postRaw writes a SigV4-style KMS request, with an X-Amz-Security-Token of
// tokenLen bytes if tokenLen > 0, on a new connection and returns the
// response status. It writes by hand so that nothing on the client side
// limits or reshapes the headers.
func postRaw(t *testing.T, addr string, tokenLen int) int {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	body := `{"KeyId":"alias/demo"}`
	var req strings.Builder
	fmt.Fprintf(&req, "POST / HTTP/1.1\r\nHost: %s\r\n", addr)
	req.WriteString("Content-Type: application/x-amz-json-1.1\r\nX-Amz-Target: TrentService.DescribeKey\r\n")
	req.WriteString("X-Amz-Date: 20260301T120000Z\r\n")
	req.WriteString("Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260301/us-east-1/kms/aws4_request, " +
		"SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=" + strings.Repeat("ab", 32) + "\r\n")
	if tokenLen > 0 {
		fmt.Fprintf(&req, "X-Amz-Security-Token: %s\r\n", strings.Repeat("A", tokenLen))
	}
	fmt.Fprintf(&req, "Content-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
	// The server may stop reading an oversized request and answer at once;
	// a failed write is then expected, and the answer is still there.
	_, _ = io.WriteString(conn, req.String())
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
