package sigv4

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/kmserr"
)

// The AWS SigV4 test suite (aws-c-auth, see testdata/SOURCE.md), signed
// for the service "service": each case is run through the canonical
// request builder and the verifier, in the header and presigned forms.

type suiteContext struct {
	Credentials struct {
		AccessKeyID     string `json:"access_key_id"`
		SecretAccessKey string `json:"secret_access_key"`
		Token           string `json:"token"`
	} `json:"credentials"`
	Normalize bool      `json:"normalize"`
	Region    string    `json:"region"`
	Service   string    `json:"service"`
	Timestamp time.Time `json:"timestamp"`
}

// suiteSkips names the forms of cases a verifier cannot accept, and why.
var suiteSkips = map[string]string{
	// The signer added X-Amz-Security-Token to the query after signing
	// ("omit_session_token"), so the canonical query string leaves out a
	// parameter the request carries. A verifier signs every parameter but
	// X-Amz-Signature; AWS signs the token for KMS.
	"post-sts-header-after/query": "session token appended after signing",
}

func suiteCases(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob("testdata/v4/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no suite cases: %v", err)
	}
	return dirs
}

func readSuiteFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func suiteContextOf(t *testing.T, dir string) suiteContext {
	t.Helper()
	var c suiteContext
	if err := json.Unmarshal([]byte(readSuiteFile(t, dir, "context.json")), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// parseSuiteRequest reads a raw request file with net/http. Two cases put
// a literal space in the path ("/example space/"), which is not valid
// HTTP/1.1: it is read as %20, and RequestURI is restored to the bytes the
// signer saw, which is what the verifier canonicalises.
func parseSuiteRequest(raw string) (*http.Request, []byte, error) {
	line, rest, _ := strings.Cut(raw, "\n")
	sp1, sp2 := strings.Index(line, " "), strings.LastIndex(line, " ")
	target := line[sp1+1 : sp2]
	fixed := line[:sp1+1] + strings.ReplaceAll(target, " ", "%20") + line[sp2:]
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(fixed + "\n" + rest)))
	if err != nil {
		return nil, nil, err
	}
	r.RequestURI = target
	body, err := io.ReadAll(r.Body)
	return r, body, err
}

func suiteVerifier(c suiteContext) *HMACVerifier {
	// The token is not checked here, so that a tampered token must be
	// caught by the signature.
	v := NewVerifier(c.Service, func(a Authorization) (string, error) {
		if a.AccessKeyID != c.Credentials.AccessKeyID {
			return "", UnrecognizedClient()
		}
		return c.Credentials.SecretAccessKey, nil
	})
	v.normalize = c.Normalize
	return v
}

// suiteCanonical computes the canonical request of a signed request.
func suiteCanonical(r *http.Request, body []byte, c suiteContext, presigned bool) (string, error) {
	var a Authorization
	var err error
	if presigned {
		a, _, err = parsePresigned(r.URL.Query(), c.Service)
	} else {
		a, err = parseAuthorization(r.Header.Get("Authorization"), c.Service)
	}
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(body)
	in := requestInput(r)
	in.signedHeaders, in.payloadHash, in.normalize, in.presigned = a.SignedHeaders, hex.EncodeToString(sum[:]), c.Normalize, presigned
	return canonicalRequest(in), nil
}

var suiteForms = []struct{ name, prefix string }{{"header", "header-"}, {"query", "query-"}}

func TestSuiteCanonicalRequest(t *testing.T) {
	for _, dir := range suiteCases(t) {
		c := suiteContextOf(t, dir)
		for _, f := range suiteForms {
			name := filepath.Base(dir) + "/" + f.name
			t.Run(name, func(t *testing.T) {
				if why, ok := suiteSkips[name]; ok {
					t.Skip(why)
				}
				r, body, err := parseSuiteRequest(readSuiteFile(t, dir, f.prefix+"signed-request.txt"))
				if err != nil {
					t.Fatal(err)
				}
				got, err := suiteCanonical(r, body, c, f.name == "query")
				if err != nil {
					t.Fatal(err)
				}
				if want := readSuiteFile(t, dir, f.prefix+"canonical-request.txt"); got != want {
					t.Fatalf("canonical request:\n%s\nwant:\n%s", got, want)
				}
				scope := c.Timestamp.Format("20060102") + "/" + c.Region + "/" + c.Service + "/" + terminator
				sts := string(stringToSign(c.Timestamp.Format(timeFormat), scope, got))
				if want := readSuiteFile(t, dir, f.prefix+"string-to-sign.txt"); sts != want {
					t.Fatalf("string to sign:\n%s\nwant:\n%s", sts, want)
				}
			})
		}
	}
}

func TestSuiteVerify(t *testing.T) {
	for _, dir := range suiteCases(t) {
		c := suiteContextOf(t, dir)
		for _, f := range suiteForms {
			name := filepath.Base(dir) + "/" + f.name
			t.Run(name, func(t *testing.T) {
				if why, ok := suiteSkips[name]; ok {
					t.Skip(why)
				}
				raw := readSuiteFile(t, dir, f.prefix+"signed-request.txt")
				v := suiteVerifier(c)
				if err := verifyRaw(v, raw, c.Timestamp); err != nil {
					t.Fatalf("signed request refused: %v", err)
				}
				sig := strings.TrimSpace(readSuiteFile(t, dir, f.prefix+"signature.txt"))
				for what, tampered := range suiteTamperings(t, raw, sig, c) {
					err := verifyRaw(v, tampered, c.Timestamp)
					e, ok := kmserr.As(err)
					if !ok || e.Code != kmserr.CodeInvalidSignature && e.Code != kmserr.CodeIncompleteSignature {
						t.Errorf("%s: got %v, want a signature error", what, err)
					}
				}
			})
		}
	}
}

func verifyRaw(v *HMACVerifier, raw string, now time.Time) error {
	r, body, err := parseSuiteRequest(raw)
	if err != nil {
		return err
	}
	_, err = v.Verify(r, body, now)
	return err
}

// suiteTamperings changes one byte of the signature, the date, the scope
// (Region), the method, the query, the body and each signed header's value
// in the raw request, and adds one to the path and the query.
func suiteTamperings(t *testing.T, raw, sig string, c suiteContext) map[string]string {
	t.Helper()
	out := map[string]string{}
	add := func(what, from, to string) {
		if !strings.Contains(raw, from) {
			t.Fatalf("%s: %q not in request", what, from)
		}
		out[what] = strings.Replace(raw, from, to, 1)
	}
	add("signature", sig, sig[:63]+flipHex(sig[63]))
	date := c.Timestamp.Format(timeFormat)
	if strings.Contains(raw, "X-Amz-Date:"+date) {
		add("date", "X-Amz-Date:"+date, "X-Amz-Date:"+date[:14]+"1Z")
	} else {
		add("date", "X-Amz-Date="+date, "X-Amz-Date="+date[:14]+"1Z")
	}
	if strings.Contains(raw, "/"+c.Region+"/") {
		add("scope", "/"+c.Region+"/", "/"+c.Region[:len(c.Region)-1]+"2/")
	} else {
		add("scope", "%2F"+c.Region+"%2F", "%2F"+c.Region[:len(c.Region)-1]+"2%2F")
	}
	for what, changed := range requestLineTamperings(raw) {
		out[what] = changed
	}
	if head, body, ok := strings.Cut(raw, "\n\n"); ok && body != "" {
		out["body"] = head + "\n\n" + body[:len(body)-1] + otherByte(body[len(body)-1])
	}
	r, _, err := parseSuiteRequest(raw)
	if err != nil {
		t.Fatal(err)
	}
	signed := r.URL.Query().Get(qSignedHeaders)
	if a, err := parseAuthorization(r.Header.Get("Authorization"), c.Service); err == nil {
		signed = strings.Join(a.SignedHeaders, ";")
	}
	lines := strings.Split(raw, "\n")
	for _, name := range strings.Split(signed, ";") {
		if name == "content-length" {
			continue // changing it breaks the framing, not the signature
		}
		for i, l := range lines[1:] {
			k, val, ok := strings.Cut(l, ":")
			if !ok || strings.ToLower(k) != name || val == "" {
				continue
			}
			changed := append([]string(nil), lines...)
			last := val[len(val)-1]
			repl := byte('x')
			if last == 'x' {
				repl = 'y'
			}
			changed[i+1] = k + ":" + val[:len(val)-1] + string(repl)
			out["header "+name] = strings.Join(changed, "\n")
			break
		}
		if _, ok := out["header "+name]; !ok {
			t.Fatalf("signed header %s not found", name)
		}
	}
	return out
}

// requestLineTamperings changes the method (one byte), the path (one byte
// more: a byte changed inside a segment that normalisation removes, such as
// "/example/..", would leave the canonical path as it was) and the query
// (a value changed, or one parameter more).
func requestLineTamperings(raw string) map[string]string {
	line, rest, _ := strings.Cut(raw, "\n")
	sp1, sp2 := strings.Index(line, " "), strings.LastIndex(line, " ")
	method, target, proto := line[:sp1], line[sp1+1:sp2], line[sp2:]
	path, query, hasQuery := strings.Cut(target, "?")
	build := func(m, p, q string, withQuery bool) string {
		t := p
		if withQuery {
			t += "?" + q
		}
		return m + " " + t + proto + "\n" + rest
	}
	out := map[string]string{
		"method": build(method[:len(method)-1]+otherByte(method[len(method)-1]), path, query, hasQuery),
		"path":   build(method, path+"x", query, hasQuery),
		"query":  build(method, path, query+"&x=y", true),
	}
	if hasQuery && query != "" && !strings.HasSuffix(query, "=") {
		out["query value"] = build(method, path, query[:len(query)-1]+otherByte(query[len(query)-1]), true)
	}
	return out
}

// otherByte is a letter other than c.
func otherByte(c byte) string {
	if c == 'x' {
		return "y"
	}
	return "x"
}

func flipHex(c byte) string {
	if c == '0' {
		return "1"
	}
	return "0"
}

// TestSuiteRequestBytes guards the loader: what it parses must be the file.
func TestSuiteRequestBytes(t *testing.T) {
	raw := readSuiteFile(t, "testdata/v4/get-utf8", "header-signed-request.txt")
	r, _, err := parseSuiteRequest(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal([]byte(r.RequestURI), []byte("/\xe1\x88\xb4")) {
		t.Fatalf("RequestURI = %q", r.RequestURI)
	}
}
