package awsjson

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
	"time"

	"github.com/trent-kms/trent/internal/audit"
)

// Operation is one entry of the operation table: an AWS KMS operation name
// bound to a plain typed function. Build it with Op.
type Operation struct {
	// Name is the operation name as in X-Amz-Target (TrentService.<Name>)
	// and in CloudTrail's eventName.
	Name string
	// ReadOnly is CloudTrail's readOnly flag for the operation.
	ReadOnly bool
	// Timeout bounds one call of the operation; zero means the handler's
	// Config.OperationTimeout.
	Timeout time.Duration

	// noOutput is set for an operation whose output has no members: the
	// model gives it no output, and the API Reference answers HTTP 200
	// with an empty body.
	noOutput bool
	// shape guides the strict scanner's member-name check for the input.
	shape *shape
	// invoke decodes body into the input type and calls the function. It
	// returns the decoded input (nil if decoding failed), the output (nil
	// on error or when the function returned none) and the error. A panic
	// in the function comes back as a *panicError, with the input, so the
	// failure is still audited with what was asked.
	invoke func(ctx context.Context, body []byte) (input, output any, err error)
}

// OpOption configures an Operation.
type OpOption func(*Operation)

// ReadOnly marks an operation as read-only in CloudTrail's sense: the
// Describe*, Get* and List* operations, and the cryptographic operations
// that change no state (Encrypt, Decrypt, GenerateDataKey*, GenerateRandom).
// ReEncrypt is not read-only in CloudTrail.
func ReadOnly() OpOption {
	return func(o *Operation) { o.ReadOnly = true }
}

// Timeout sets the operation's deadline.
func Timeout(d time.Duration) OpOption {
	return func(o *Operation) { o.Timeout = d }
}

// Op binds fn to the operation name. In and Out are the operation's own
// wire structs (json tags with the model's member names); fn never sees
// HTTP. An Out without members is the model's "no output": the response is
// an empty body. Otherwise a nil *Out with a nil error is sent as {}.
func Op[In, Out any](name string, fn func(context.Context, *In) (*Out, error), opts ...OpOption) Operation {
	if fn == nil {
		panic("awsjson: Op " + name + " has a nil function")
	}
	out := reflect.TypeFor[Out]()
	o := Operation{Name: name, shape: shapeOf(reflect.TypeFor[In]()),
		noOutput: out.Kind() == reflect.Struct && out.NumField() == 0}
	o.invoke = func(ctx context.Context, body []byte) (any, any, error) {
		in := new(In)
		if err := decodeInput(body, in); err != nil {
			return nil, nil, err
		}
		// The record of the request names what was asked, whatever happens
		// next; the service stages it with the change it makes, if any.
		audit.DetailsFrom(ctx).SetInput(in)
		out, err := call(ctx, fn, in)
		if err != nil {
			return in, nil, err
		}
		if out == nil {
			return in, nil, nil // not a typed nil in an interface
		}
		return in, out, nil
	}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// call runs fn and turns a panic into an error carrying the stack, so one
// bad request cannot take the server down and the panic is logged with the
// request ID.
func call[In, Out any](ctx context.Context, fn func(context.Context, *In) (*Out, error), in *In) (out *Out, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, &panicError{value: p, stack: debug.Stack()}
		}
	}()
	return fn(ctx, in)
}

// panicError is a recovered panic. It is logged, never sent.
type panicError struct {
	value any
	stack []byte
}

func (p *panicError) Error() string { return fmt.Sprintf("panic: %v", p.value) }

// asPanic finds a recovered panic in err's chain.
func asPanic(err error) (*panicError, bool) {
	var p *panicError
	ok := errors.As(err, &p)
	return p, ok
}
