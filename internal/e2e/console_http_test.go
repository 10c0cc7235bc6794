package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/trent-kms/trent/internal/console"
)

// The console as plain HTTP, without a browser: what the node serves at
// /console, that the KMS API around it is unchanged, and that
// DisableConsole turns it off.

func TestConsoleServedByTheNode(t *testing.T) {
	tn := startNode(t)
	resp := getConsole(t, tn, http.MethodGet, "/console", nil)
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/console/" {
		t.Errorf("GET /console: %d to %q, want 301 to /console/", resp.StatusCode, resp.Header.Get("Location"))
	}
	for path, contentType := range map[string]string{
		"/console/":            "text/html; charset=utf-8",
		"/console/app.js":      "text/javascript; charset=utf-8",
		"/console/sigv4.js":    "text/javascript; charset=utf-8",
		"/console/console.css": "text/css; charset=utf-8",
	} {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			resp := getConsole(t, tn, method, path, nil)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != contentType {
				t.Errorf("%s %s: %d, Content-Type %q; want 200, %q", method, path, resp.StatusCode, resp.Header.Get("Content-Type"), contentType)
			}
			for header, want := range map[string]string{
				"Content-Security-Policy": console.ContentSecurityPolicy,
				"X-Content-Type-Options":  "nosniff",
				"X-Frame-Options":         "DENY",
				"Cache-Control":           "no-cache",
			} {
				if got := resp.Header.Get(header); got != want {
					t.Errorf("%s %s: %s %q, want %q", method, path, header, got, want)
				}
			}
		}
	}
	if resp := getConsole(t, tn, http.MethodGet, "/console/nothing-here.js", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /console/nothing-here.js: %d, want 404", resp.StatusCode)
	}
	// The API still works beside it.
	if _, err := tn.client(testRegion, "AKIDCONSOLETEST").ListKeys(context.Background(), &kms.ListKeysInput{}); err != nil {
		t.Fatalf("ListKeys next to the console: %v", err)
	}
}

// awsErrorType is the __type of an AWS JSON error response, "" if the body
// is not one.
func awsErrorType(t *testing.T, resp *http.Response) string {
	t.Helper()
	body, _ := io.ReadAll(resp.Body)
	var e struct {
		Type string `json:"__type"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	return e.Type
}

// TestConsoleLeavesOtherRequestsToTheAPI: only GET and HEAD of /console
// and /console/... are the console's. Everything else gets the wire's own
// answer, UnknownOperationException, as on a node without a console.
func TestConsoleLeavesOtherRequestsToTheAPI(t *testing.T) {
	for _, disabled := range []bool{false, true} {
		tn := startNodeWith(t, nodeOptions{disableConsole: disabled})
		for _, r := range []struct{ method, path string }{
			{http.MethodPost, "/console"}, {http.MethodPost, "/console/"}, {http.MethodPut, "/console/app.js"},
			{http.MethodDelete, "/console/"}, {http.MethodGet, "/"}, {http.MethodGet, "/consoles"}, {http.MethodGet, "/x/console/"},
		} {
			resp := getConsole(t, tn, r.method, r.path, nil)
			if got := awsErrorType(t, resp); resp.StatusCode != http.StatusBadRequest || got != "UnknownOperationException" {
				t.Errorf("console disabled %v: %s %s: %d %q, want the API's 400 UnknownOperationException", disabled, r.method, r.path, resp.StatusCode, got)
			}
		}
	}
}

func TestDisableConsoleAnswers404(t *testing.T) {
	tn := startNodeWith(t, nodeOptions{disableConsole: true})
	for _, path := range []string{"/console", "/console/", "/console/app.js"} {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			resp := getConsole(t, tn, method, path, nil)
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("console disabled: %s %s: %d, want 404", method, path, resp.StatusCode)
			}
			if method == http.MethodGet {
				if body, _ := io.ReadAll(resp.Body); !strings.Contains(string(body), "turned off") {
					t.Errorf("console disabled: GET %s says %q, not why", path, body)
				}
			}
		}
	}
	if _, err := tn.client(testRegion, "AKIDCONSOLETEST").ListKeys(context.Background(), &kms.ListKeysInput{}); err != nil {
		t.Fatalf("ListKeys with the console off: %v", err)
	}
}
