package awsjson

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/request"
	"github.com/trent-kms/trent/internal/sigv4"
)

// DefaultMaxBodyBytes is the request body limit when Config leaves it zero:
// 1 MiB holds the largest KMS input (a policy of up to 131,072 characters,
// escaped as \u00XX for the Latin-1 characters its pattern allows, plus ten
// 8 KiB grant tokens) with room to spare (notes/reliability.md row 10).
const DefaultMaxBodyBytes = 1 << 20

// DefaultOperationTimeout bounds an operation when Config leaves it zero.
// Every operation finishes in milliseconds unless it waits for a disk or a
// lock; the deadline ends such a wait with a retryable fault (a 5xx, which
// SDKs retry) well before the HTTP server's write timeout cuts the
// connection without an answer.
const DefaultOperationTimeout = 20 * time.Second

// Config wires the handler.
type Config struct {
	// Operations is the operation table. Names must be unique.
	Operations []Operation
	// Identity maps the access key of a request to its credential.
	// Required.
	Identity identity.Resolver
	// Verify turns on SigV4 verification (auth.go): every request must be
	// signed, in the Authorization header or the presigned query string,
	// with the secret Identity returns for its access key, within five
	// minutes of Clock. Off (--dev), the access key alone picks the caller
	// and the signature is not checked.
	Verify bool
	// Clock gives request start times and durations. Required.
	Clock clock.Clock
	// Logger receives one debug line per request and warnings and errors
	// with the request ID. Nil means slog.Default().
	Logger *slog.Logger
	// MaxBodyBytes limits request bodies; zero or less means
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Observe, if set, is told of every request when it ends: its
	// operation ("" if none was recognised), error code ("" on success),
	// HTTP status and duration on Clock (the metrics).
	Observe func(operation, errorCode string, status int, elapsed time.Duration)
	// Audit is called once for every request whose operation and caller
	// are known, successful or not, before the response is sent (it may
	// batch the record: audit.FileWriter.Write), unless
	// the service already committed the request's record with the change
	// the request made (audit.Details.Staged). If it fails the client gets
	// KMSInternalException instead of the result: such a request changed
	// nothing, so failing it loses nothing. Nil means no auditing, for
	// tests and benchmarks only.
	Audit func(ctx context.Context, c Completed) error
	// OperationTimeout is the deadline of an operation that sets none of
	// its own; zero or less means DefaultOperationTimeout.
	OperationTimeout time.Duration
	// NewRequestID returns the ID sent in x-amzn-RequestId. Nil means a
	// random UUID (version 4), the form AWS uses.
	NewRequestID func() string
}

// Completed is what the wire layer knows about a finished request, handed
// to Config.Audit to build the CloudTrail-style record.
type Completed struct {
	// Info is the request: ID, operation, Region, caller, source.
	Info *request.Info
	// ReadOnly is the operation's CloudTrail readOnly flag.
	ReadOnly bool
	// Input is the decoded input (a pointer to the operation's input
	// struct), or nil if the body could not be read or decoded.
	Input any
	// Output is the operation's output, or nil on error or when the
	// operation has none.
	Output any
	// Err is nil or a *kmserr.Error: what the client is told.
	Err error
	// Time is when the request started, from Config.Clock.
	Time time.Time
	// Details holds what the operation recorded (keys touched, extra
	// event data) and builds the record.
	Details *audit.Details
}

type handler struct {
	cfg   Config
	ops   map[string]Operation
	log   *slog.Logger
	limit int64
	newID func() string
	// verifier is nil unless Config.Verify.
	verifier *sigv4.HMACVerifier
}

// NewHandler returns the HTTP handler of the AWS JSON 1.1 wire protocol. It
// panics on a configuration that is a programming error (a missing
// resolver or clock, an unnamed or duplicate operation), so that mistakes
// surface at startup, not on the first request.
func NewHandler(cfg Config) http.Handler {
	if cfg.Identity == nil || cfg.Clock == nil {
		panic("awsjson: Config.Identity and Config.Clock are required")
	}
	h := &handler{cfg: cfg, ops: make(map[string]Operation, len(cfg.Operations)),
		log: cfg.Logger, limit: cfg.MaxBodyBytes, newID: cfg.NewRequestID}
	for _, op := range cfg.Operations {
		if op.Name == "" || op.invoke == nil {
			panic("awsjson: operations must be built with Op and have a name")
		}
		if _, dup := h.ops[op.Name]; dup {
			panic("awsjson: duplicate operation " + op.Name)
		}
		h.ops[op.Name] = op
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.limit <= 0 {
		h.limit = DefaultMaxBodyBytes
	}
	if h.newID == nil {
		h.newID = newRequestID
	}
	if h.cfg.OperationTimeout <= 0 {
		h.cfg.OperationTimeout = DefaultOperationTimeout
	}
	if cfg.Verify {
		// The secret is looked up per request (VerifyWith); the verifier
		// itself holds only the signing-key cache.
		h.verifier = sigv4.NewVerifier(sigv4.Service, nil)
	}
	return h
}

// ServeHTTP handles one request. The response is written only at the end,
// after the audit call, so a panic anywhere before can still be answered
// with a well-formed 500.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := h.cfg.Clock.Now()
	info := &request.Info{ID: h.newID(), SourceIP: sourceIP(r), UserAgent: r.UserAgent(), Secure: r.TLS != nil}
	var e *kmserr.Error
	defer func() {
		if p := recover(); p != nil {
			e = kmserr.Internal(&panicError{value: p, stack: debug.Stack()})
			writeError(w, info.ID, e)
		}
		h.logRequest(r.Context(), info, e, start)
	}()

	body, e := h.serve(w, r, info, start)
	if e != nil {
		writeError(w, info.ID, e)
		return
	}
	writeJSON(w, info.ID, body)
}

// serve runs the request and returns the encoded output or the error.
func (h *handler) serve(w http.ResponseWriter, r *http.Request, info *request.Info, start time.Time) ([]byte, *kmserr.Error) {
	op, err := h.route(r)
	if err != nil {
		return nil, asKMSError(err)
	}
	info.Operation = op.Name
	in, bodyErr, err := h.admit(w, r)
	if err != nil {
		// Not audited: nobody is known to have asked, and recording
		// unauthenticated requests would let anyone fill the audit log.
		// (The CloudTrail documentation we found does not say whether AWS
		// records requests that fail signature checks.)
		return nil, asKMSError(err)
	}
	info.Caller, info.Region = in.caller, in.region

	timeout := op.Timeout
	if timeout <= 0 {
		timeout = h.cfg.OperationTimeout
	}
	// The deadline's timer starts only if the operation waits on it
	// (clock.WithLazyTimeout); most finish without asking, and the timer
	// was a few percent of an Encrypt's CPU.
	ctx, cancel := clock.WithLazyTimeout(request.NewContext(r.Context(), info), timeout)
	defer cancel()
	ctx, details := audit.WithDetails(ctx, info, op.ReadOnly, start)
	input, output, resp, err := h.run(ctx, op, in.bytes, bodyErr)
	e := unavailable(op.Name, asKMSError(err))

	c := Completed{Info: info, ReadOnly: op.ReadOnly, Input: input, Time: start, Details: details}
	if e != nil {
		c.Err = e // only a non-nil *kmserr.Error, never a typed nil in an interface
	} else {
		c.Output = output
	}
	if h.cfg.Audit != nil && !details.Staged() {
		if err := h.cfg.Audit(ctx, c); err != nil {
			// Fail closed: a call that could not be audited must not look
			// like it succeeded. The operation's own error, if any, is in
			// the log line's cause.
			outcome := "success"
			if e != nil {
				outcome = e.Code
			}
			return nil, kmserr.Internal(fmt.Errorf("audit record not written (operation outcome: %s): %w", outcome, err))
		}
	}
	return resp, e
}

// run checks and decodes the body admit received (or fails with the error
// reading it gave), calls the operation and encodes its output. input is
// returned even when the operation fails, so the failure is audited with
// what was asked.
func (h *handler) run(ctx context.Context, op Operation, body []byte, bodyErr error) (input, output any, resp []byte, err error) {
	if bodyErr != nil {
		return nil, nil, nil, bodyErr
	}
	if len(body) == 0 {
		body = emptyObject // a client may send no body when no member is set
	}
	if err := checkStrict(body, op.shape); err != nil {
		return nil, nil, nil, err
	}
	input, output, err = op.invoke(ctx, body)
	if err != nil {
		return input, nil, nil, err
	}
	if op.noOutput {
		return input, nil, []byte{}, nil
	}
	if output == nil {
		return input, nil, emptyObject, nil
	}
	resp, err = json.Marshal(output)
	if err != nil {
		return input, nil, nil, kmserr.Internal(fmt.Errorf("encode %s output: %w", op.Name, err))
	}
	return input, output, resp, nil
}

// logRequest writes the per-request debug line and, for server faults, an
// error line with the cause (and the stack of a panic). Bodies are never
// logged.
func (h *handler) logRequest(ctx context.Context, info *request.Info, e *kmserr.Error, start time.Time) {
	status, code := http.StatusOK, ""
	if e != nil {
		status, code = wireStatus(e), e.Code
	}
	if h.cfg.Observe != nil {
		h.cfg.Observe(info.Operation, code, status, h.cfg.Clock.Now().Sub(start))
	}
	// The debug line is off in production; LogAttrs would find that out
	// only after the attributes (and the clock reading) had been made.
	if h.log.Enabled(ctx, slog.LevelDebug) {
		attrs := []slog.Attr{
			slog.String("request_id", info.ID),
			slog.String("operation", info.Operation),
			slog.Int("status", status),
			slog.String("error_code", code),
			slog.Float64("duration_seconds", h.cfg.Clock.Now().Sub(start).Seconds()),
		}
		if e != nil && status < 500 && e.Cause() != nil {
			attrs = append(attrs, slog.String("cause", e.Cause().Error()))
		}
		h.log.LogAttrs(ctx, slog.LevelDebug, "request", attrs...)
	}
	if status >= 500 {
		h.logFault(ctx, info, e)
	}
}

func (h *handler) logFault(ctx context.Context, info *request.Info, e *kmserr.Error) {
	attrs := []slog.Attr{
		slog.String("request_id", info.ID),
		slog.String("operation", info.Operation),
		slog.String("error_code", e.Code),
	}
	if cause := e.Cause(); cause != nil {
		attrs = append(attrs, slog.String("cause", cause.Error()))
		if p, ok := asPanic(cause); ok {
			attrs = append(attrs, slog.String("stack", string(p.stack)))
		}
	}
	h.log.LogAttrs(ctx, slog.LevelError, "request failed with a server fault", attrs...)
}
