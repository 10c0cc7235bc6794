package audit

import (
	"context"
	"sync"
)

// Resource is one entry of a CloudTrail record's "resources" list.
type Resource struct {
	ARN       string `json:"ARN"`
	AccountID string `json:"accountId"`
	Type      string `json:"type,omitempty"`
}

// Details collects what only the service knows about a request (which key
// it touched, which key material it used) while the operation runs. The wire
// layer installs an empty Details in the request context, the operation fills
// it, and the wire layer copies it into the audit record, for failures too.
type Details struct {
	// EventID is the CloudTrail eventID the request's record will carry,
	// fixed up front so the service can refer to it (GetKeyLastUsage).
	EventID    string
	mu         sync.Mutex
	resources  []Resource
	additional map[string]any
}

type detailsKey struct{}

// WithDetails returns ctx carrying a new, empty Details, and that Details.
func WithDetails(ctx context.Context) (context.Context, *Details) {
	d := &Details{EventID: newEventID()}
	return context.WithValue(ctx, detailsKey{}, d), d
}

// DetailsFrom returns the Details in ctx. Outside a request it returns a
// throwaway Details, so callers never need a nil check.
func DetailsFrom(ctx context.Context) *Details {
	if d, ok := ctx.Value(detailsKey{}).(*Details); ok {
		return d
	}
	return &Details{EventID: newEventID()}
}

// AddKey records that the request used the KMS key with this ARN. Adding the
// same ARN twice keeps one entry.
func (d *Details) AddKey(arn, account string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, r := range d.resources {
		if r.ARN == arn {
			return
		}
	}
	d.resources = append(d.resources, Resource{ARN: arn, AccountID: account, Type: "AWS::KMS::Key"})
}

// SetAdditional records one additionalEventData member, e.g. keyMaterialId.
func (d *Details) SetAdditional(name string, value any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.additional == nil {
		d.additional = map[string]any{}
	}
	d.additional[name] = value
}

// Resources returns a copy of the recorded resources.
func (d *Details) Resources() []Resource {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]Resource(nil), d.resources...)
}

// Additional returns a copy of the recorded additionalEventData.
func (d *Details) Additional() map[string]any {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.additional == nil {
		return nil
	}
	out := make(map[string]any, len(d.additional))
	for k, v := range d.additional {
		out[k] = v
	}
	return out
}
