package audit

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/trent-kms/trent/internal/request"
)

// Resource is one entry of a CloudTrail record's "resources" list.
type Resource struct {
	ARN       string `json:"ARN"`
	AccountID string `json:"accountId"`
	Type      string `json:"type,omitempty"`
}

// Details is the audit record of one API request in the making. The wire
// layer starts it once the operation and the caller are known
// (WithDetails) and attaches the decoded input (SetInput); the operation
// adds what only it knows (AddKey, SetAdditional). The record is then
// written exactly once:
//
//   - by the service, staged in the store transaction that commits the
//     request's change (MarkStaged), so that no change is ever committed
//     without its record, nor acknowledged before the record is durable;
//   - otherwise by the wire layer when the request ends (reads, failures:
//     requests that changed nothing).
type Details struct {
	// EventID is the CloudTrail eventID the request's record will carry,
	// fixed up front so the service can refer to it (GetKeyLastUsage).
	EventID string

	info     *request.Info
	readOnly bool
	at       time.Time

	mu        sync.Mutex
	input     any
	resources []Resource
	// additional is additionalEventData, sorted by name as its JSON is:
	// a request records one or two members, which a slice holds in one
	// allocation where a map took two.
	additional []additionalMember
	staged     bool
}

// additionalMember is one member of additionalEventData.
type additionalMember struct {
	name  string
	value any
}

func compareAdditional(m additionalMember, name string) int { return strings.Compare(m.name, name) }

type detailsKey struct{}

// WithDetails returns ctx carrying a new Details for the request described
// by info, whose operation is read-only in CloudTrail's sense or not, and
// which started at at.
func WithDetails(ctx context.Context, info *request.Info, readOnly bool, at time.Time) (context.Context, *Details) {
	d := &Details{EventID: newEventID(), info: info, readOnly: readOnly, at: at}
	return context.WithValue(ctx, detailsKey{}, d), d
}

// DetailsFrom returns the Details in ctx. Outside a request it returns a
// throwaway Details whose Record is nil, so callers never need a nil check.
func DetailsFrom(ctx context.Context) *Details {
	if d, ok := ctx.Value(detailsKey{}).(*Details); ok {
		return d
	}
	return &Details{EventID: newEventID()}
}

// SetInput attaches the decoded request.
func (d *Details) SetInput(in any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.input = in
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
	i, found := slices.BinarySearchFunc(d.additional, name, compareAdditional)
	if found {
		d.additional[i].value = value
		return
	}
	d.additional = slices.Insert(d.additional, i, additionalMember{name, value})
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
	if len(d.additional) == 0 {
		return nil
	}
	m := make(map[string]any, len(d.additional))
	for _, a := range d.additional {
		m[a.name] = a.value
	}
	return m
}

// Mark is a point in what a Details has recorded.
type Mark struct {
	resources  int
	additional []additionalMember
}

// Mark returns the current point. A store transaction whose function may
// run more than once rewinds to it at the start of every attempt, so that
// an attempt that was rolled back leaves nothing in the record.
func (d *Details) Mark() Mark {
	d.mu.Lock()
	defer d.mu.Unlock()
	return Mark{resources: len(d.resources), additional: slices.Clone(d.additional)}
}

// Rewind forgets what was recorded after m.
func (d *Details) Rewind(m Mark) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.resources = d.resources[:min(m.resources, len(d.resources))]
	// A copy: SetAdditional changes members in place, and the mark may be
	// rewound to again.
	d.additional = slices.Clone(m.additional)
}

// Record builds the request's record with its outcome: output (nil for
// none) or err. It returns nil for a throwaway Details (outside a request).
func (d *Details) Record(output any, err error) *Record {
	if d.info == nil {
		return nil
	}
	d.mu.Lock()
	input := d.input
	d.mu.Unlock()
	return APICall(Call{Info: d.info, ReadOnly: d.readOnly, Input: input, Output: output, Err: err, Time: d.at, Details: d})
}

// MarkStaged notes that the record was committed with the request's change.
func (d *Details) MarkStaged() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.staged = true
}

// Staged reports whether the record was committed with the request's
// change; the wire layer then does not write it again.
func (d *Details) Staged() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.staged
}
