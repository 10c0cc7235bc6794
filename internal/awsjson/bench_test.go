package awsjson

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

// BenchmarkHandlerOverhead measures the wire around a trivial operation:
// routing, SigV4 parsing, identity, body read, strict check, decode, audit
// call and encode. The audit callback does nothing, so only the wire's own
// cost is counted.
func BenchmarkHandlerOverhead(b *testing.B) {
	for _, bc := range []struct{ name, op, body string }{
		{"GenerateRandom", "GenerateRandom", `{"NumberOfBytes":32}`},
		{"EncryptWithContext", "Encrypt", `{"KeyId":"` + testKeyARN + `","Plaintext":"aGVsbG8gd29ybGQ=",` +
			`"EncryptionContext":{"department":"10103.0","purpose":"test","tenant":"acme"}}`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f := newFixture(b, func(c *Config) {
				c.Logger = slog.New(slog.DiscardHandler)
				c.Audit = func(context.Context, Completed) error { return nil }
			})
			req := newRequest(bc.op, bc.body)
			body := strings.NewReader(bc.body)
			w := &discardWriter{header: http.Header{}}
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.body)))
			for b.Loop() {
				body.Reset(bc.body)
				req.Body = io.NopCloser(body)
				clear(w.header)
				w.status = 0
				f.handler.ServeHTTP(w, req)
				if w.status != http.StatusOK {
					b.Fatalf("status %d", w.status)
				}
			}
		})
	}
}

// BenchmarkCheckStrict measures the strict check alone, the part of the
// wire's overhead that grows with the body, on the bodies of
// BenchmarkHandlerOverhead and on one with many list elements.
func BenchmarkCheckStrict(b *testing.B) {
	tokens := `"` + strings.Repeat("t", 40) + `"`
	for _, bc := range []struct{ name, body string }{
		{"GenerateRandom", `{"NumberOfBytes":32}`},
		{"EncryptWithContext", `{"KeyId":"` + testKeyARN + `","Plaintext":"aGVsbG8gd29ybGQ=",` +
			`"EncryptionContext":{"department":"10103.0","purpose":"test","tenant":"acme"}}`},
		{"GrantTokens", `{"KeyId":"` + testKeyARN + `","GrantTokens":[` + strings.Repeat(tokens+",", 9) + tokens + `]}`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			sh := shapeOf(reflect.TypeFor[encryptInput]())
			body := []byte(bc.body)
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if err := checkStrict(body, sh); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkHandlerHTTP is the same call through a real listener and the
// standard client, for scale against the wire's own overhead.
func BenchmarkHandlerHTTP(b *testing.B) {
	f := newFixture(b, func(c *Config) {
		c.Logger = slog.New(slog.DiscardHandler)
		c.Audit = nil
	})
	srv := httptest.NewServer(f.handler)
	defer srv.Close()
	client := srv.Client()
	const body = `{"NumberOfBytes":32}`
	b.ReportAllocs()
	for b.Loop() {
		r, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
		r.Header = newRequest("GenerateRandom", body).Header
		resp, err := client.Do(r)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

// discardWriter is a ResponseWriter that keeps only the status, so the
// benchmark does not measure a recorder's buffering.
type discardWriter struct {
	header http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.header }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(status int)      { w.status = status }
