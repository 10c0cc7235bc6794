package console

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// Prefix is the path the console is served under; Root redirects to it.
const (
	Prefix = "/console/"
	Root   = "/console"
)

//go:embed assets
var embedded embed.FS

// ContentSecurityPolicy lets the page load only its own files, run only its
// own script files (no inline script or style, no eval) and talk only to
// the origin it came from, where the KMS API is. frame-ancestors 'none'
// (with X-Frame-Options for older browsers) stops other sites from framing
// the console to trick clicks on "Schedule key deletion".
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"

// contentTypes are the media types of the asset extensions; a file of any
// other extension is not served (the embed set is ours, so this only
// guards against adding one without thinking about its type).
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".svg":  "image/svg+xml",
	".png":  "image/png",
}

// asset is one embedded file, ready to serve.
type asset struct {
	body        []byte
	contentType string
	etag        string
}

// handler serves the embedded assets.
type handler struct {
	assets map[string]asset
}

// OwnsPath reports whether p is the console's: /console or anything under
// /console/.
func OwnsPath(p string) bool { return p == Root || strings.HasPrefix(p, Prefix) }

// Handler returns the console's handler. It answers GET and HEAD of
// /console (a redirect to /console/), /console/ (the page) and
// /console/<asset>; anything else under /console/ is 404 and other methods
// are 405.
func Handler() http.Handler {
	h := &handler{assets: map[string]asset{}}
	err := fs.WalkDir(embedded, "assets", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ct, ok := contentTypes[path.Ext(name)]
		if !ok {
			return nil
		}
		body, err := embedded.ReadFile(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		h.assets[strings.TrimPrefix(name, "assets/")] = asset{body: body, contentType: ct,
			etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
		return nil
	})
	if err != nil {
		// The files are compiled in: failing to read them is a broken build.
		panic("console: reading embedded assets: " + err.Error())
	}
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header())
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "The console is served to GET and HEAD requests only.", http.StatusMethodNotAllowed)
		return
	}
	if r.URL.Path == Root {
		// Relative URLs in the page resolve against /console/, so the page
		// must be loaded from there.
		target := Prefix
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
		return
	}
	name, ok := strings.CutPrefix(r.URL.Path, Prefix)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if name == "" {
		name = "index.html"
	}
	a, ok := h.assets[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", a.contentType)
	// no-cache: the browser may keep a copy but asks each time (answered
	// with 304 through the ETag), so a new Trent build is never mixed with
	// modules cached from an old one.
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", a.etag)
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.body))
}

// setSecurityHeaders sets the headers every console response carries,
// errors included.
func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
}

// Disabled answers console paths when the console is turned off: 404, with
// a message saying why, so an operator who expects the console learns the
// setting instead of guessing at a broken URL.
func Disabled() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setSecurityHeaders(w.Header())
		http.Error(w, "The web console is turned off on this node (--console=false).", http.StatusNotFound)
	})
}
