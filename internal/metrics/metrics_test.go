package metrics

import (
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestObserve: each observation lands under the labels it names; a request
// that named no known operation counts as "unknown", statuses map to
// outcomes, and only DisabledException counts as use of a disabled key.
func TestObserve(t *testing.T) {
	m := New()
	m.ObserveRequest("", "UnknownOperationException", 400, time.Millisecond)
	m.ObserveRequest("Decrypt", "KMSInternalException", 500, time.Millisecond)
	m.ObserveRequest("Sign", "DisabledException", 400, time.Millisecond)
	m.ObserveRequest("Sign", "", 200, time.Millisecond)
	m.ObserveSchedulerRun(nil)
	m.ObserveSchedulerRun(errors.New("disk full"))
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`trent_requests_total{error_code="UnknownOperationException",operation="unknown",outcome="client_error"} 1`,
		`trent_requests_total{error_code="KMSInternalException",operation="Decrypt",outcome="server_error"} 1`,
		`trent_requests_total{error_code="",operation="Sign",outcome="success"} 1`,
		`trent_disabled_key_use_total{operation="Sign"} 1`,
		`trent_scheduler_runs_total{outcome="ok"} 1`,
		`trent_scheduler_runs_total{outcome="error"} 1`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(string(body), `trent_disabled_key_use_total{operation="Decrypt"}`) {
		t.Error("a server error counted as use of a disabled key")
	}
}
