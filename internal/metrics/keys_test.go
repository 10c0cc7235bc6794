package metrics

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/clock"
)

func scrapeBody(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	return string(body)
}

// TestKeyCountPacing: a count that took a second is reused for 100
// seconds, not just the minimum 10; a failed count is counted as an error
// and the last good count stays; after stop, scrapes start no counts.
func TestKeyCountPacing(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC))
	m := New()
	runs, fail := 0, false
	stop := m.CountKeysWith(context.Background(), clk, func(context.Context) ([]KeyCount, error) {
		runs++
		clk.Advance(time.Second) // the count "takes" a second
		if fail {
			return nil, errors.New("store closed")
		}
		return []KeyCount{{State: "Enabled", Spec: "HMAC_256", Keys: runs}}, nil
	})
	body := scrapeBody(t, m)
	if runs != 1 || !strings.Contains(body, `trent_keys{spec="HMAC_256",state="Enabled"} 1`) {
		t.Fatalf("first scrape: %d counts\n%s", runs, body)
	}
	clk.Advance(99 * time.Second)
	if scrapeBody(t, m); runs != 1 {
		t.Fatalf("a count that took 1s was redone after 99s")
	}
	clk.Advance(time.Second)
	fail = true
	body = scrapeBody(t, m)
	if runs != 2 || !strings.Contains(body, "trent_keys_count_errors_total 1") ||
		!strings.Contains(body, `trent_keys{spec="HMAC_256",state="Enabled"} 1`) {
		t.Fatalf("failed count: %d counts\n%s", runs, body)
	}
	stop()
	clk.Advance(time.Hour)
	if scrapeBody(t, m); runs != 2 {
		t.Fatal("a scrape after stop started a count")
	}
}
