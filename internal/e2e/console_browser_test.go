package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/trent-kms/trent/internal/clock"
)

// Helpers of the console tests: Debian's chromium, installed on demand and
// driven headless through chromedp, on a page of a verifying node.

const chromiumPath = "/usr/bin/chromium"

// insecureHost names the test node's loopback address in the browser
// without being localhost, so that http pages from it are not a secure
// context (see openConsole).
const insecureHost = "trent-console.test"

// consoleActionTimeout bounds every browser step: each is a click, a key
// press or a wait for a page to show what a few local requests returned.
const consoleActionTimeout = 15 * time.Second

var chromiumInstall struct {
	once sync.Once
	err  error
}

// ensureChromium installs Debian's chromium if /usr/bin/chromium is
// missing. A failed install fails the test: the console is tested in it.
func ensureChromium(t *testing.T) {
	t.Helper()
	chromiumInstall.once.Do(func() {
		if _, err := os.Stat(chromiumPath); err == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), installTimeout)
		defer cancel()
		for _, args := range [][]string{{"update"}, {"install", "-y", "chromium"}} {
			if err := aptGet(ctx, args...); err != nil {
				chromiumInstall.err = err
				return
			}
		}
		if _, err := os.Stat(chromiumPath); err != nil {
			chromiumInstall.err = fmt.Errorf("apt-get install chromium did not install %s: %v", chromiumPath, err)
		}
	})
	if chromiumInstall.err != nil {
		t.Fatal(chromiumInstall.err)
	}
}

// startConsoleNode is a verifying node on the wall clock: the browser signs
// with its own clock, which a manual node clock would not match.
func startConsoleNode(t *testing.T) *testNode {
	t.Helper()
	return startVerifyingNode(t, testCredentials(time.Now().Add(time.Hour)), clock.Real{}, nil)
}

// wallClockClient is an SDK client of tn signing with the long-term test
// credentials at the wall clock's time, as the browser does.
func (tn *testNode) wallClockClient(region string) *kms.Client {
	return kms.New(kms.Options{
		Region:           region,
		BaseEndpoint:     aws.String(tn.srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(longTermKeyID, longTermSecret, ""),
		HTTPClient:       tn.srv.Client(),
		RetryMaxAttempts: 1,
	})
}

// consolePage is one browser tab on a node's console.
type consolePage struct {
	t   *testing.T
	ctx context.Context
	// url is the console's address on the node.
	url string
	// downloads is where the browser saves files; shots where screenshots go.
	downloads, shots string
}

// openConsole starts a headless chromium (1280x800, no sandbox: the tests
// run as root) with downloads going to a temp directory, and opens the
// console of tn in it.
func openConsole(t *testing.T, tn *testNode) *consolePage {
	t.Helper()
	ensureChromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.WindowSize(1280, 800), chromedp.UserDataDir(t.TempDir()),
		// insecureHost is a name for the loopback listener that is not
		// localhost: pages from it are not a secure context. The rule
		// maps only this name, and only to 127.0.0.1.
		chromedp.Flag("host-resolver-rules", "MAP "+insecureHost+" 127.0.0.1"))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	p := &consolePage{t: t, ctx: tabCtx, url: tn.srv.URL + "/console/", downloads: t.TempDir(), shots: screenshotDir(t)}
	// The first action starts the browser; it must run on a context without
	// a deadline, or the deadline would end the browser too.
	if err := chromedp.Do(tabCtx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	bctx, cancel := context.WithTimeout(tabCtx, consoleActionTimeout)
	defer cancel()
	if _, err := chromedp.CallBrowser(bctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: p.downloads}); err != nil {
		t.Fatalf("set download behaviour: %v", err)
	}
	p.do("open the console", chromedp.EmulateViewport(1280, 800), chromedp.Navigate(p.url))
	p.waitFor("the page to start", `document.querySelector("#sign-in-form, #key-list, #insecure-context") !== null`)
	return p
}

// screenshotDir is TRENT_TEST_ARTIFACTS if set, else a temp directory.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("TRENT_TEST_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// do runs browser steps within consoleActionTimeout; a failure reports the
// error banner of the page, which usually says why.
func (p *consolePage) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, consoleActionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.t.Fatalf("%s: %v%s", what, err, p.bannerNote())
	}
}

// eval evaluates a JavaScript expression (awaiting a promise) into T.
func eval[T any](p *consolePage, expr string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, consoleActionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v%s", expr, err, p.bannerNote())
	}
	return v
}

// waitFor waits until the JavaScript condition holds.
func (p *consolePage) waitFor(what, condition string) {
	p.t.Helper()
	if err := p.poll(condition); err != nil {
		p.t.Fatalf("wait for %s: %v%s", what, err, p.bannerNote())
	}
}

func (p *consolePage) poll(condition string) error {
	ctx, cancel := context.WithTimeout(p.ctx, consoleActionTimeout)
	defer cancel()
	return chromedp.Do(ctx, chromedp.Poll[chromedp.Void](condition,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(consoleActionTimeout-time.Second)))
}

// waitText waits until the element css selects has exactly the text want.
func (p *consolePage) waitText(css, want string) {
	p.t.Helper()
	err := p.poll(fmt.Sprintf(`(document.querySelector(%s)?.textContent ?? "").trim() === %s`, jsString(css), jsString(want)))
	if err != nil {
		p.t.Fatalf("wait for %s to read %q: it reads %q: %v%s", css, want, p.textOrMissing(css), err, p.bannerNote())
	}
}

// text is the trimmed text of the element css selects, "" if there is none.
func (p *consolePage) textOrMissing(css string) string {
	ctx, cancel := context.WithTimeout(p.ctx, 2*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%s)?.textContent ?? "<missing>").trim()`, jsString(css))))
	return s
}

func (p *consolePage) text(css string) string {
	p.t.Helper()
	return eval[string](p, fmt.Sprintf(`(document.querySelector(%s)?.textContent ?? "").trim()`, jsString(css)))
}

// bannerNote is the page's error banner, for failure messages.
func (p *consolePage) bannerNote() string {
	if s := p.textOrMissing("#error"); s != "" && s != "<missing>" {
		return "\nthe page shows the error: " + s
	}
	return ""
}

// goTo moves the single-page app to a route (a same-document navigation,
// so no load event) and waits for the page to show sel.
func (p *consolePage) goTo(hash, sel string) {
	p.t.Helper()
	eval[chromedp.Void](p, fmt.Sprintf(`location.hash = %s`, jsString(hash)))
	p.waitFor(sel, fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(sel)))
}

// click clicks the element css selects with the mouse, as a user would.
func (p *consolePage) click(css string) {
	p.t.Helper()
	p.do("click "+css, chromedp.Click(chromedp.CSS(css), chromedp.NodeVisible))
}

// typeInto replaces an input's value by typing text into it.
func (p *consolePage) typeInto(css, text string) {
	p.t.Helper()
	eval[chromedp.Void](p, fmt.Sprintf(`document.querySelector(%s).value = ""`, jsString(css)))
	p.do("type into "+css, chromedp.SendKeys(chromedp.CSS(css), text))
}

// signIn fills the sign-in form (token only for temporary credentials) and
// submits it.
func (p *consolePage) signIn(keyID, secret, token string) {
	p.t.Helper()
	p.waitFor("the sign-in form", `document.querySelector("#sign-in-form") !== null`)
	p.typeInto("#access-key-id", keyID)
	p.typeInto("#secret-access-key", secret)
	if token != "" {
		p.typeInto("#session-token", token)
	}
	p.click("#sign-in")
}

// keyAction opens "Key actions" and picks an action.
func (p *consolePage) keyAction(id string) {
	p.t.Helper()
	p.click("#key-actions summary")
	p.click("#" + id)
}

// screenshot saves the viewport as name.png in the artefacts directory,
// scrolled to the element css selects if css is not empty.
func (p *consolePage) screenshot(name, css string) {
	p.t.Helper()
	if css != "" {
		eval[chromedp.Void](p, fmt.Sprintf(`document.querySelector(%s).scrollIntoView()`, jsString(css)))
	}
	ctx, cancel := context.WithTimeout(p.ctx, consoleActionTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(p.shots, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("screenshot: %s", path)
}

// waitDownload waits for the browser to finish saving name and returns its
// bytes.
func (p *consolePage) waitDownload(name string) []byte {
	p.t.Helper()
	path := filepath.Join(p.downloads, name)
	deadline := time.Now().Add(consoleActionTimeout)
	for {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			// Chromium writes to a .crdownload file and renames it when
			// done, so a file under its own name is complete.
			return b
		}
		if time.Now().After(deadline) {
			entries, _ := os.ReadDir(p.downloads)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			p.t.Fatalf("download %s did not arrive in %s (it holds %s)%s", name, p.downloads, strings.Join(names, ", "), p.bannerNote())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// getConsole GETs a console path without following redirects.
func getConsole(t *testing.T, tn *testNode, method, path string, header http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, tn.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	c := *tn.srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.Timeout = 10 * time.Second
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}
