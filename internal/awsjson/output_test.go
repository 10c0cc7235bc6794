package awsjson

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/kmserr"
)

// TestNoOutputAnswersAnEmptyBody: an operation whose model has no output
// (EnableKey, TagResource, ...) answers HTTP 200 with an empty body, as the
// API Reference shows ("HTTP/1.1 200" and nothing else), not {}.
func TestNoOutputAnswersAnEmptyBody(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.Operations = append(c.Operations, Op("UpdateKeyDescription", func(context.Context, *keyIDInput) (*emptyOutput, error) {
			return &emptyOutput{}, nil
		}))
	})
	for _, op := range []string{"EnableKey", "UpdateKeyDescription"} {
		resp := f.serve(newRequest(op, `{"KeyId":"k"}`)).Result()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || len(body) != 0 || resp.Header.Get("Content-Length") != "0" {
			t.Errorf("%s: status %d, Content-Length %q, body %q; want 200 and an empty body", op, resp.StatusCode, resp.Header.Get("Content-Length"), body)
		}
	}
	// An operation with output members still answers a JSON object.
	resp := f.serve(newRequest("GenerateRandom", `{"NumberOfBytes":1}`)).Result()
	if body, _ := io.ReadAll(resp.Body); string(body) != `{"Plaintext":"AA=="}` {
		t.Errorf("GenerateRandom body %q", body)
	}
}

// TestOperationDeadline: every operation runs under a deadline, so a
// request stuck behind a slow disk or a lock ends with a retryable fault
// instead of holding its connection and goroutine for ever.
func TestOperationDeadline(t *testing.T) {
	const deadline = 50 * time.Millisecond
	f := newFixture(t, func(c *Config) {
		c.Operations = append(c.Operations, Op("ScheduleKeyDeletion", func(ctx context.Context, _ *keyIDInput) (*emptyOutput, error) {
			if _, ok := ctx.Deadline(); !ok {
				return nil, kmserr.Validation("no deadline")
			}
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(10 * time.Second):
				return nil, kmserr.Validation("the deadline never came")
			}
		}, Timeout(deadline)))
		c.OperationTimeout = time.Hour
	})
	started := time.Now()
	resp := f.serve(newRequest("ScheduleKeyDeletion", `{"KeyId":"k"}`)).Result()
	checkResponse(t, resp, 500, kmserr.CodeInternal, internalText)
	if took := time.Since(started); took > 5*time.Second {
		t.Fatalf("the request took %v with a %v deadline", took, deadline)
	}
	// Without a Timeout option the configured default applies.
	var got time.Duration
	f = newFixture(t, func(c *Config) {
		c.Operations = append(c.Operations, Op("ListKeys", func(ctx context.Context, _ *keyIDInput) (*emptyOutput, error) {
			d, _ := ctx.Deadline()
			got = time.Until(d)
			return nil, nil
		}))
		c.OperationTimeout = 7 * time.Minute
	})
	f.serve(newRequest("ListKeys", `{}`))
	if got <= 6*time.Minute || got > 7*time.Minute {
		t.Fatalf("default deadline %v away, want about 7m", got)
	}
}

// TestStagedRecordIsNotWrittenAgain: a request whose record the service
// committed with its change is not audited a second time by the wire.
func TestStagedRecordIsNotWrittenAgain(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.Operations = append(c.Operations, Op("CreateAlias", func(ctx context.Context, in *keyIDInput) (*emptyOutput, error) {
			d := audit.DetailsFrom(ctx)
			// The record encodes its parameters from the request when written.
			if line, err := json.Marshal(d.Record(nil, nil)); err != nil || !strings.Contains(string(line), `"requestParameters":{"keyId":"k"}`) {
				return nil, kmserr.Validation("the record lacks the request: %s", line)
			}
			d.MarkStaged()
			return nil, nil
		}))
	})
	resp := f.serve(newRequest("CreateAlias", `{"KeyId":"k"}`)).Result()
	checkResponse(t, resp, 200, "", "")
	if n := len(f.audit.all()); n != 0 {
		t.Fatalf("%d records written by the wire for a staged request", n)
	}
}
