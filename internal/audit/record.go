package audit

import (
	"crypto/rand"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/request"
)

// CloudTrail constants for KMS records (AWS developer guide, "Logging AWS
// KMS API calls with AWS CloudTrail").
const (
	eventVersion  = "1.11"
	eventSource   = "kms.amazonaws.com"
	eventCategory = "Management"
	// timeFormat is CloudTrail's eventTime format: UTC, whole seconds.
	timeFormat = "2006-01-02T15:04:05Z"
)

// UserIdentity is CloudTrail's userIdentity element.
type UserIdentity struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId,omitempty"`
	ARN         string `json:"arn,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
	AccessKeyID string `json:"accessKeyId,omitempty"`
	// UserName is set for IAM users.
	UserName string `json:"userName,omitempty"`
	// SessionContext is set for role sessions: the role that issued
	// the temporary credentials.
	SessionContext *SessionContext `json:"sessionContext,omitempty"`
	InvokedBy      string          `json:"invokedBy,omitempty"`
}

// SessionContext is CloudTrail's userIdentity.sessionContext.
type SessionContext struct {
	SessionIssuer SessionIssuer `json:"sessionIssuer"`
}

// SessionIssuer is the role behind a role session.
type SessionIssuer struct {
	Type      string `json:"type"`
	ARN       string `json:"arn"`
	AccountID string `json:"accountId"`
	UserName  string `json:"userName"`
}

// userIdentity is CloudTrail's userIdentity of a caller: for an IAM user
// its name, for a role session the role that issued it.
func userIdentity(c identity.Caller) UserIdentity {
	u := UserIdentity{
		Type:        c.Type,
		PrincipalID: c.PrincipalID,
		ARN:         c.ARN,
		AccountID:   c.Account,
		AccessKeyID: c.AccessKeyID,
	}
	switch c.Type {
	case identity.TypeIAMUser:
		u.UserName = lastSegment(c.ARN)
	case identity.TypeAssumedRole:
		u.SessionContext = &SessionContext{SessionIssuer: SessionIssuer{
			Type: "Role", ARN: c.PrincipalARN, AccountID: c.Account, UserName: lastSegment(c.PrincipalARN),
		}}
	}
	return u
}

// lastSegment is the name at the end of an IAM ARN's path.
func lastSegment(arn string) string {
	return arn[strings.LastIndexByte(arn, '/')+1:]
}

// Record is one CloudTrail event record.
type Record struct {
	EventVersion        string         `json:"eventVersion"`
	UserIdentity        UserIdentity   `json:"userIdentity"`
	EventTime           string         `json:"eventTime"`
	EventSource         string         `json:"eventSource"`
	EventName           string         `json:"eventName"`
	AWSRegion           string         `json:"awsRegion"`
	SourceIPAddress     string         `json:"sourceIPAddress,omitempty"`
	UserAgent           string         `json:"userAgent,omitempty"`
	ErrorCode           string         `json:"errorCode,omitempty"`
	ErrorMessage        string         `json:"errorMessage,omitempty"`
	RequestParameters   map[string]any `json:"requestParameters"`
	ResponseElements    map[string]any `json:"responseElements"`
	AdditionalEventData map[string]any `json:"additionalEventData,omitempty"`
	RequestID           string         `json:"requestID,omitempty"`
	EventID             string         `json:"eventID"`
	ReadOnly            bool           `json:"readOnly"`
	Resources           []Resource     `json:"resources,omitempty"`
	EventType           string         `json:"eventType"`
	ManagementEvent     bool           `json:"managementEvent"`
	RecipientAccountID  string         `json:"recipientAccountId"`
	EventCategory       string         `json:"eventCategory"`
	ServiceEventDetails map[string]any `json:"serviceEventDetails,omitempty"`

	// A record built by APICall is written at once (FileWriter.Write,
	// Shipper.Stage), so it keeps the sources of its largest parts and
	// AppendJSON encodes them straight from there: input and output are
	// the decoded request and the response, recorded in their CloudTrail
	// form (params.go) instead of RequestParameters and ResponseElements,
	// and details holds the request's resources and additionalEventData
	// instead of Resources and AdditionalEventData. Records read back from
	// a log have the exported fields only.
	input, output any
	details       *Details
}

// Call describes one finished API call.
type Call struct {
	Info *request.Info
	// ReadOnly is CloudTrail's readOnly flag for the operation.
	ReadOnly bool
	// Input and Output are the decoded request and the response (nil on
	// error). Output is recorded only for calls that are not read-only, as
	// CloudTrail does: KMS records responseElements for CreateKey and other
	// changes, and null for reads and cryptographic operations.
	Input, Output any
	Err           error
	Time          time.Time
	Details       *Details
}

// APICall builds the record of an API call.
func APICall(c Call) *Record {
	info := c.Info
	rec := &Record{
		EventVersion:       eventVersion,
		UserIdentity:       userIdentity(info.Caller),
		EventTime:          c.Time.UTC().Format(timeFormat),
		EventSource:        eventSource,
		EventName:          info.Operation,
		AWSRegion:          info.Region,
		SourceIPAddress:    info.SourceIP,
		UserAgent:          truncate(info.UserAgent, maxUserAgent),
		input:              c.Input,
		RequestID:          info.ID,
		ReadOnly:           c.ReadOnly,
		EventType:          "AwsApiCall",
		ManagementEvent:    true,
		RecipientAccountID: info.Caller.Account,
		EventCategory:      eventCategory,
	}
	if c.Details != nil {
		rec.EventID = c.Details.EventID
		rec.details = c.Details
	} else {
		rec.EventID = newEventID()
	}
	if c.Err != nil {
		var kerr *kmserr.Error
		if errors.As(c.Err, &kerr) {
			rec.ErrorCode, rec.ErrorMessage = kerr.Code, kerr.Message
		} else {
			rec.ErrorCode, rec.ErrorMessage = kmserr.CodeInternal, "An internal error occurred."
		}
	} else if !c.ReadOnly {
		rec.output = c.Output
	}
	return rec
}

// ServiceEvent describes something Trent did on its own, such as rotating
// or deleting a key.
type ServiceEvent struct {
	// Name is the CloudTrail eventName: "RotateKey", "DeleteKey".
	Name    string
	Account string
	Region  string
	KeyARN  string
	Time    time.Time
	// Details goes to serviceEventDetails (e.g. keyMaterialId).
	Details map[string]any
	// Err is set when the action failed.
	Err error
}

// Service builds the record of a service event, in the shape CloudTrail
// uses for KMS's own actions (eventType AwsServiceEvent, invoked by
// kms.amazonaws.com).
func Service(e ServiceEvent) *Record {
	rec := &Record{
		EventVersion:        eventVersion,
		UserIdentity:        UserIdentity{Type: "AWSService", InvokedBy: eventSource, AccountID: e.Account},
		EventTime:           e.Time.UTC().Format(timeFormat),
		EventSource:         eventSource,
		EventName:           e.Name,
		AWSRegion:           e.Region,
		SourceIPAddress:     eventSource,
		UserAgent:           eventSource,
		EventID:             newEventID(),
		ReadOnly:            false,
		Resources:           []Resource{{ARN: e.KeyARN, AccountID: e.Account, Type: "AWS::KMS::Key"}},
		EventType:           "AwsServiceEvent",
		ManagementEvent:     true,
		RecipientAccountID:  e.Account,
		EventCategory:       eventCategory,
		ServiceEventDetails: e.Details,
	}
	if e.Err != nil {
		rec.ErrorCode, rec.ErrorMessage = kmserr.CodeInternal, "The service event failed."
	}
	return rec
}

// maxUserAgent bounds the client-chosen User-Agent kept in a record, so a
// client cannot bloat the audit log (CloudTrail also truncates it).
const maxUserAgent = 1024

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary so the record stays valid UTF-8.
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// newEventID returns a random UUID for eventID. It is hex-encoded by hand
// into one array, so that the string is its only allocation (fmt.Sprintf
// took a dozen).
func newEventID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		// crypto/rand.Read does not fail on supported platforms (Go 1.24+
		// crashes the program instead), so this is unreachable.
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var id [36]byte
	j := 0
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			id[j] = '-'
			j++
		}
		id[j], id[j+1] = hexDigits[c>>4], hexDigits[c&0xf]
		j += 2
	}
	return string(id[:])
}
