package identity

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// FormatVersion is the version of the identities file this build writes
// and reads. A file with another "format" is refused with a message
// naming both, so that an older trent never misreads a newer file.
const FormatVersion = 1

// Document is the identities file: accounts, their IAM users and roles,
// their inline identity-based policies, and their credentials. Secrets
// are held sealed (SealedSecret, SealedSessionToken; base64 in the JSON).
type Document struct {
	Format   int        `json:"format"`
	Accounts []*Account `json:"accounts"`
}

// Account is one AWS account.
type Account struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	// Users and Roles are the account's IAM principals.
	Users []*User `json:"users,omitempty"`
	Roles []*Role `json:"roles,omitempty"`
	// AccessKeys are long-term credentials of the root user (User "")
	// and of users.
	AccessKeys []*AccessKey `json:"accessKeys,omitempty"`
	// Sessions are temporary credentials of role sessions.
	Sessions []*Session `json:"sessions,omitempty"`
}

// User is an IAM user.
type User struct {
	Name string `json:"name"`
	// Path is "/" when omitted.
	Path     string          `json:"path,omitempty"`
	ID       string          `json:"id"`
	Created  time.Time       `json:"created"`
	Policies []*InlinePolicy `json:"policies,omitempty"`
}

// Role is an IAM role. Trent has no STS endpoint: sessions are made by the
// operator (trent role assume), so a role has no trust policy.
type Role struct {
	Name     string          `json:"name"`
	ID       string          `json:"id"`
	Created  time.Time       `json:"created"`
	Policies []*InlinePolicy `json:"policies,omitempty"`
}

// InlinePolicy is a named identity-based policy document, kept as written.
type InlinePolicy struct {
	Name     string `json:"name"`
	Document string `json:"document"`
}

// AccessKey is a long-term access key.
type AccessKey struct {
	ID string `json:"id"`
	// User is the owning IAM user's name, or "" for the account root.
	User         string    `json:"user,omitempty"`
	Created      time.Time `json:"created"`
	SealedSecret []byte    `json:"sealedSecret"`
}

// Session is the temporary credentials of a role session.
type Session struct {
	ID                 string    `json:"id"`
	Role               string    `json:"role"`
	SessionName        string    `json:"sessionName"`
	Created            time.Time `json:"created"`
	Expires            time.Time `json:"expires"`
	SealedSecret       []byte    `json:"sealedSecret"`
	SealedSessionToken []byte    `json:"sealedSessionToken"`
}

// maxFileSize bounds how much of an identities file is read: a path
// pointing at the wrong thing fails fast. 16 MiB holds tens of thousands
// of principals.
const maxFileSize = 16 << 20

// ParseDocument decodes and validates an identities file. Unknown members
// are refused, so that a misspelt member is an error instead of being
// ignored. Errors never quote sealed values.
func ParseDocument(data []byte) (*Document, error) {
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("the file is larger than %d bytes", maxFileSize)
	}
	// The format first: a newer file may have members this build does not
	// know, and "unknown member" would hide the real reason.
	var head struct {
		Format *int `json:"format"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("not valid JSON: %v", err)
	}
	if head.Format == nil {
		return nil, errors.New(`it has no "format" member`)
	}
	if *head.Format != FormatVersion {
		return nil, fmt.Errorf("it is in format %d; this trent reads format %d", *head.Format, FormatVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	doc := &Document{}
	if err := dec.Decode(doc); err != nil {
		return nil, fmt.Errorf("not a valid identities file: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON object")
	}
	if err := doc.Validate(); err != nil {
		return nil, err
	}
	return doc, nil
}

// Encode returns the file's bytes: indented JSON, ending in a newline.
func (d *Document) Encode() ([]byte, error) {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Validate checks every rule the file must keep: the format, valid and
// unique names and IDs (names are unique ignoring case, as in IAM), keys
// that belong to principals that exist, and identity policies that parse.
func (d *Document) Validate() error {
	if d.Format != FormatVersion {
		return fmt.Errorf("format %d; this trent reads format %d", d.Format, FormatVersion)
	}
	accounts := map[string]bool{}
	keyIDs := map[string]bool{}
	for i, a := range d.Accounts {
		if a == nil {
			return fmt.Errorf("accounts[%d] is null", i)
		}
		if err := CheckAccountID(a.ID); err != nil {
			return fmt.Errorf("accounts[%d]: %w", i, err)
		}
		if accounts[a.ID] {
			return fmt.Errorf("account %s appears twice", a.ID)
		}
		accounts[a.ID] = true
		if err := a.validate(keyIDs); err != nil {
			return fmt.Errorf("account %s: %w", a.ID, err)
		}
	}
	return nil
}

func (a *Account) validate(keyIDs map[string]bool) error {
	if err := CheckAccountName(a.Name); err != nil {
		return err
	}
	users := map[string]bool{}
	for i, u := range a.Users {
		if u == nil {
			return fmt.Errorf("users[%d] is null", i)
		}
		if err := CheckUserName(u.Name); err != nil {
			return err
		}
		if u.Path != "" {
			if err := CheckPath(u.Path); err != nil {
				return fmt.Errorf("user %s: %w", u.Name, err)
			}
		}
		if users[strings.ToLower(u.Name)] {
			return fmt.Errorf("user %s appears twice (IAM user names are unique ignoring case)", u.Name)
		}
		users[strings.ToLower(u.Name)] = true
		if !userID.MatchString(u.ID) {
			return fmt.Errorf("user %s: id %q is not an AIDA... unique ID", u.Name, u.ID)
		}
		if err := validatePolicies("user", u.Policies); err != nil {
			return fmt.Errorf("user %s: %w", u.Name, err)
		}
	}
	roles := map[string]bool{}
	for i, r := range a.Roles {
		if r == nil {
			return fmt.Errorf("roles[%d] is null", i)
		}
		if err := CheckRoleName(r.Name); err != nil {
			return err
		}
		if roles[strings.ToLower(r.Name)] {
			return fmt.Errorf("role %s appears twice (IAM role names are unique ignoring case)", r.Name)
		}
		roles[strings.ToLower(r.Name)] = true
		if !roleID.MatchString(r.ID) {
			return fmt.Errorf("role %s: id %q is not an AROA... unique ID", r.Name, r.ID)
		}
		if err := validatePolicies("role", r.Policies); err != nil {
			return fmt.Errorf("role %s: %w", r.Name, err)
		}
	}
	for i, k := range a.AccessKeys {
		if k == nil {
			return fmt.Errorf("accessKeys[%d] is null", i)
		}
		if !IsLongTermKeyID(k.ID) {
			return fmt.Errorf("accessKeys[%d]: %q is not an AKIA... access key ID", i, k.ID)
		}
		if keyIDs[k.ID] {
			return fmt.Errorf("access key %s appears twice", k.ID)
		}
		keyIDs[k.ID] = true
		if k.User != "" && a.User(k.User) == nil {
			return fmt.Errorf("access key %s belongs to user %s, which does not exist", k.ID, k.User)
		}
		if len(k.SealedSecret) == 0 {
			return fmt.Errorf("access key %s has no sealedSecret", k.ID)
		}
	}
	for i, s := range a.Sessions {
		if s == nil {
			return fmt.Errorf("sessions[%d] is null", i)
		}
		if !IsTemporaryKeyID(s.ID) {
			return fmt.Errorf("sessions[%d]: %q is not an ASIA... access key ID", i, s.ID)
		}
		if keyIDs[s.ID] {
			return fmt.Errorf("access key %s appears twice", s.ID)
		}
		keyIDs[s.ID] = true
		if a.Role(s.Role) == nil {
			return fmt.Errorf("session %s belongs to role %s, which does not exist", s.ID, s.Role)
		}
		if err := CheckSessionName(s.SessionName); err != nil {
			return fmt.Errorf("session %s: %w", s.ID, err)
		}
		if s.Expires.IsZero() {
			return fmt.Errorf("session %s has no expiry", s.ID)
		}
		if len(s.SealedSecret) == 0 || len(s.SealedSessionToken) == 0 {
			return fmt.Errorf("session %s lacks its sealedSecret or sealedSessionToken", s.ID)
		}
	}
	return nil
}

func validatePolicies(kind string, list []*InlinePolicy) error {
	names := map[string]bool{}
	for i, p := range list {
		if p == nil {
			return fmt.Errorf("policies[%d] is null", i)
		}
		if err := CheckPolicyName(p.Name); err != nil {
			return err
		}
		if names[p.Name] {
			return fmt.Errorf("policy %s appears twice", p.Name)
		}
		names[p.Name] = true
		if err := CheckIdentityPolicy(p.Document); err != nil {
			return fmt.Errorf("policy %s: %w", p.Name, err)
		}
	}
	return checkInlinePolicyQuota(kind, list)
}

// Account returns the account with id, or nil.
func (d *Document) Account(id string) *Account {
	for _, a := range d.Accounts {
		if a.ID == id {
			return a
		}
	}
	return nil
}

// User returns the user named name (ignoring case, as IAM does), or nil.
func (a *Account) User(name string) *User {
	for _, u := range a.Users {
		if strings.EqualFold(u.Name, name) {
			return u
		}
	}
	return nil
}

// Role returns the role named name (ignoring case), or nil.
func (a *Account) Role(name string) *Role {
	for _, r := range a.Roles {
		if strings.EqualFold(r.Name, name) {
			return r
		}
	}
	return nil
}
