package audit

import (
	"strconv"
	"sync"
)

// AppendJSON appends the record's JSON form to dst: exactly what
// encoding/json gives for the Record struct (member order, omitempty, map
// keys sorted, string escaping), without its reflection. A record built
// by APICall encodes its request parameters, response elements, resources
// and additional data from their sources (see Record), so AppendJSON is
// the one way to encode it; MarshalJSON calls it. It fails only where
// json.Marshal fails too (a NaN or infinite number, a value encoding/json
// cannot encode).
func (r *Record) AppendJSON(dst []byte) ([]byte, error) {
	var err error
	dst = append(dst, `{"eventVersion":`...)
	dst = appendString(dst, r.EventVersion)
	dst = append(dst, `,"userIdentity":`...)
	dst = r.UserIdentity.appendJSON(dst)
	dst = append(dst, `,"eventTime":`...)
	dst = appendString(dst, r.EventTime)
	dst = append(dst, `,"eventSource":`...)
	dst = appendString(dst, r.EventSource)
	dst = append(dst, `,"eventName":`...)
	dst = appendString(dst, r.EventName)
	dst = append(dst, `,"awsRegion":`...)
	dst = appendString(dst, r.AWSRegion)
	dst = appendOptional(dst, `,"sourceIPAddress":`, r.SourceIPAddress)
	dst = appendOptional(dst, `,"userAgent":`, r.UserAgent)
	dst = appendOptional(dst, `,"errorCode":`, r.ErrorCode)
	dst = appendOptional(dst, `,"errorMessage":`, r.ErrorMessage)

	dst = append(dst, `,"requestParameters":`...)
	if r.input != nil {
		dst, err = appendParams(dst, r.input)
	} else {
		dst, err = appendAnyMap(dst, r.RequestParameters)
	}
	if err != nil {
		return dst, err
	}
	dst = append(dst, `,"responseElements":`...)
	if r.output != nil {
		dst, err = appendParams(dst, r.output)
	} else {
		dst, err = appendAnyMap(dst, r.ResponseElements)
	}
	if err != nil {
		return dst, err
	}

	// additionalEventData and resources come from the request's Details,
	// read under its lock rather than copied out of it for every record.
	resources := r.Resources
	if d := r.details; d != nil {
		d.mu.Lock()
		defer d.mu.Unlock()
		resources = d.resources
		if len(d.additional) > 0 {
			dst = append(dst, `,"additionalEventData":{`...)
			for i, a := range d.additional {
				if i > 0 {
					dst = append(dst, ',')
				}
				if dst, err = appendAny(appendKey(dst, a.name), a.value); err != nil {
					return dst, err
				}
			}
			dst = append(dst, '}')
		}
	} else if len(r.AdditionalEventData) > 0 {
		dst = append(dst, `,"additionalEventData":`...)
		if dst, err = appendAnyMap(dst, r.AdditionalEventData); err != nil {
			return dst, err
		}
	}
	dst = appendOptional(dst, `,"requestID":`, r.RequestID)
	dst = append(dst, `,"eventID":`...)
	dst = appendString(dst, r.EventID)
	dst = append(dst, `,"readOnly":`...)
	dst = strconv.AppendBool(dst, r.ReadOnly)
	if len(resources) > 0 {
		dst = append(dst, `,"resources":[`...)
		for i, res := range resources {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"ARN":`...)
			dst = appendString(dst, res.ARN)
			dst = append(dst, `,"accountId":`...)
			dst = appendString(dst, res.AccountID)
			dst = appendOptional(dst, `,"type":`, res.Type)
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `,"eventType":`...)
	dst = appendString(dst, r.EventType)
	dst = append(dst, `,"managementEvent":`...)
	dst = strconv.AppendBool(dst, r.ManagementEvent)
	dst = append(dst, `,"recipientAccountId":`...)
	dst = appendString(dst, r.RecipientAccountID)
	dst = append(dst, `,"eventCategory":`...)
	dst = appendString(dst, r.EventCategory)
	if len(r.ServiceEventDetails) > 0 {
		dst = append(dst, `,"serviceEventDetails":`...)
		if dst, err = appendAnyMap(dst, r.ServiceEventDetails); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

// MarshalJSON encodes the record with AppendJSON, so that json.Marshal of
// a record built by APICall holds its parameters too.
func (r Record) MarshalJSON() ([]byte, error) {
	return r.AppendJSON(nil)
}

// appendOptional appends member (`,"name":`) and s unless s is empty
// (omitempty).
func appendOptional(dst []byte, member, s string) []byte {
	if s == "" {
		return dst
	}
	return appendString(append(dst, member...), s)
}

func (u *UserIdentity) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"type":`...)
	dst = appendString(dst, u.Type)
	dst = appendOptional(dst, `,"principalId":`, u.PrincipalID)
	dst = appendOptional(dst, `,"arn":`, u.ARN)
	dst = appendOptional(dst, `,"accountId":`, u.AccountID)
	dst = appendOptional(dst, `,"accessKeyId":`, u.AccessKeyID)
	dst = appendOptional(dst, `,"userName":`, u.UserName)
	if s := u.SessionContext; s != nil {
		dst = append(dst, `,"sessionContext":{"sessionIssuer":{"type":`...)
		dst = appendString(dst, s.SessionIssuer.Type)
		dst = append(dst, `,"arn":`...)
		dst = appendString(dst, s.SessionIssuer.ARN)
		dst = append(dst, `,"accountId":`...)
		dst = appendString(dst, s.SessionIssuer.AccountID)
		dst = append(dst, `,"userName":`...)
		dst = appendString(dst, s.SessionIssuer.UserName)
		dst = append(dst, `}}`...)
	}
	dst = appendOptional(dst, `,"invokedBy":`, u.InvokedBy)
	return append(dst, '}')
}

// lines recycles the buffers records are encoded into.
var lines = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// maxPooledLine bounds the buffers kept for reuse, so that one huge record
// (a key policy in its parameters) does not stay in memory.
const maxPooledLine = 64 << 10

// encodeLine encodes rec followed by a newline into a pooled buffer; the
// caller gives the buffer back with releaseLine once done with it.
func encodeLine(rec *Record) (*[]byte, error) {
	bp := lines.Get().(*[]byte)
	b, err := rec.AppendJSON((*bp)[:0])
	*bp = append(b, '\n')
	if err != nil {
		releaseLine(bp)
		return nil, err
	}
	return bp, nil
}

func releaseLine(bp *[]byte) {
	if cap(*bp) <= maxPooledLine {
		lines.Put(bp)
	}
}
