// Package request carries the facts about one API request that every layer
// needs (who asked, in which Region, under which request ID) through a
// context.Context, without the service knowing anything about HTTP.
package request

import (
	"context"

	"github.com/trent-kms/trent/internal/identity"
)

// Info describes one API request.
type Info struct {
	// ID is the request ID sent back in x-amzn-RequestId.
	ID string
	// Operation is the API operation name, e.g. "Encrypt".
	Operation string
	// Region is the AWS Region from the SigV4 credential scope.
	Region string
	// Caller is the authenticated principal.
	Caller identity.Caller
	// Secure is set when the request came over TLS (aws:SecureTransport).
	Secure bool
	// SourceIP and UserAgent are recorded in the audit log.
	SourceIP  string
	UserAgent string
}

type contextKey struct{}

// NewContext returns ctx carrying info.
func NewContext(ctx context.Context, info *Info) context.Context {
	return context.WithValue(ctx, contextKey{}, info)
}

// FromContext returns the request info in ctx, or nil.
func FromContext(ctx context.Context) *Info {
	info, _ := ctx.Value(contextKey{}).(*Info)
	return info
}
