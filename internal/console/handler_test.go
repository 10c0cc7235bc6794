package console

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func serve(t *testing.T, h http.Handler, method, path string, header http.Header) *http.Response {
	t.Helper()
	r := httptest.NewRequest(method, path, nil)
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

func TestAssetsHaveTypesAndSecurityHeaders(t *testing.T) {
	h := Handler()
	for _, tc := range []struct{ path, contentType, contains string }{
		{"/console/", "text/html; charset=utf-8", `<script type="module" src="app.js"></script>`},
		{"/console/index.html", "text/html; charset=utf-8", "<title>"},
		{"/console/app.js", "text/javascript; charset=utf-8", "import"},
		{"/console/sigv4.js", "text/javascript; charset=utf-8", "AWS4-HMAC-SHA256"},
		{"/console/console.css", "text/css; charset=utf-8", "--accent"},
	} {
		resp := serve(t, h, http.MethodGet, tc.path, nil)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", tc.path, resp.StatusCode)
			continue
		}
		if got := resp.Header.Get("Content-Type"); got != tc.contentType {
			t.Errorf("GET %s: Content-Type %q, want %q", tc.path, got, tc.contentType)
		}
		if !strings.Contains(string(body), tc.contains) {
			t.Errorf("GET %s: body lacks %q", tc.path, tc.contains)
		}
		checkSecurityHeaders(t, "GET "+tc.path, resp.Header)
		if got := resp.Header.Get("Cache-Control"); got != "no-cache" {
			t.Errorf("GET %s: Cache-Control %q, want no-cache", tc.path, got)
		}
	}
}

func checkSecurityHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	want := map[string]string{
		"Content-Security-Policy": ContentSecurityPolicy,
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "no-referrer",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %s %q, want %q", what, k, got, v)
		}
	}
}

// TestPolicyForbidsInlineScript guards the policy itself: a later edit
// that allowed inline script, eval or other origins would defeat it.
func TestPolicyForbidsInlineScript(t *testing.T) {
	for _, bad := range []string{"'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:", "data:"} {
		if strings.Contains(ContentSecurityPolicy, bad) {
			t.Errorf("the Content-Security-Policy allows %s", bad)
		}
	}
	for _, need := range []string{"default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(ContentSecurityPolicy, need) {
			t.Errorf("the Content-Security-Policy lacks %s", need)
		}
	}
}

// TestNoInlineScriptOrStyle checks the page obeys its own policy: no
// inline <script> bodies, no on* handler attributes, no style attributes
// (the browser would refuse them, so they would be silent bugs), and no
// innerHTML in the modules (all text goes through textContent).
func TestNoInlineScriptOrStyle(t *testing.T) {
	h := Handler().(*handler)
	for name, a := range h.assets {
		text := string(a.body)
		switch {
		case strings.HasSuffix(name, ".html"):
			for _, bad := range []string{"<script>", " onclick=", " onload=", " style=", "javascript:"} {
				if strings.Contains(text, bad) {
					t.Errorf("%s contains %q", name, bad)
				}
			}
		case strings.HasSuffix(name, ".js"):
			for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "eval(", "new Function", "localStorage.setItem", "document.cookie"} {
				if strings.Contains(text, bad) {
					t.Errorf("%s contains %q", name, bad)
				}
			}
		}
	}
	if len(h.assets) < 5 {
		t.Fatalf("only %d assets embedded", len(h.assets))
	}
}

func TestRedirectNotFoundAndMethods(t *testing.T) {
	h := Handler()
	resp := serve(t, h, http.MethodGet, "/console", nil)
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/console/" {
		t.Errorf("GET /console: %d to %q, want 301 to /console/", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, p := range []string{"/console/missing.js", "/console/assets/app.js", "/console/../go.mod", "/elsewhere"} {
		if resp := serve(t, h, http.MethodGet, p, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, resp.StatusCode)
		}
	}
	resp = serve(t, h, http.MethodPost, "/console/", nil)
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /console/: %d, Allow %q; want 405, GET, HEAD", resp.StatusCode, resp.Header.Get("Allow"))
	}
	checkSecurityHeaders(t, "POST /console/", resp.Header)
	resp = serve(t, h, http.MethodHead, "/console/app.js", nil)
	if body, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusOK || len(body) != 0 ||
		resp.Header.Get("Content-Type") != "text/javascript; charset=utf-8" {
		t.Errorf("HEAD /console/app.js: %d, %d body bytes, Content-Type %q", resp.StatusCode, len(body), resp.Header.Get("Content-Type"))
	}
}

func TestETagRevalidation(t *testing.T) {
	h := Handler()
	etag := serve(t, h, http.MethodGet, "/console/app.js", nil).Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	resp := serve(t, h, http.MethodGet, "/console/app.js", http.Header{"If-None-Match": {etag}})
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("GET with If-None-Match of the current ETag: %d, want 304", resp.StatusCode)
	}
	resp = serve(t, h, http.MethodGet, "/console/app.js", http.Header{"If-None-Match": {`"old"`}})
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET with a stale ETag: %d, want 200", resp.StatusCode)
	}
}

func TestDisabledAnswers404(t *testing.T) {
	resp := serve(t, Disabled(), http.MethodGet, "/console/", nil)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "--console=false") {
		t.Errorf("disabled console: %d %q", resp.StatusCode, body)
	}
}
