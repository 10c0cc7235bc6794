package identity

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/trent-kms/trent/internal/secret"
)

// The changes trent's subcommands make to the identities document. Each
// checks what IAM would check and leaves the document unchanged when it
// fails; Edit writes the result.

// Errors the changes wrap, so callers can tell them apart.
var (
	ErrNotFound      = errors.New("no such entity")
	ErrAlreadyExists = errors.New("entity already exists")
	ErrLimitExceeded = errors.New("limit exceeded")
)

// Issuer is what new credentials are made with.
type Issuer struct {
	Sealer Sealer
	// Rand supplies IDs, secrets and sealing nonces (crypto/rand if nil).
	Rand io.Reader
	// Now is when the change is made: creation dates and session expiry
	// are computed from it.
	Now time.Time
}

// maxAccessKeysPerPrincipal is IAM's quota: two access keys per user, and
// per account root.
const maxAccessKeysPerPrincipal = 2

// Role session durations STS accepts: 15 minutes, and at most 12 hours
// (the largest MaxSessionDuration a role can have).
const (
	MinSessionDuration     = 15 * time.Minute
	MaxSessionDuration     = 12 * time.Hour
	DefaultSessionDuration = time.Hour
)

// IssuedKey is a new credential, shown once. The secrets are redacted
// wherever the value is printed or logged by accident.
type IssuedKey struct {
	Account     string
	User        string // the user, or "" for the root or a role session
	AccessKeyID string
	Secret      *secret.Bytes
	// SessionToken and Expires are set for role sessions.
	SessionToken *secret.Bytes
	Expires      time.Time
	Created      time.Time
	// Caller is the principal the key stands for.
	Caller Caller
}

// AddAccount adds an account; id "" draws a new 12-digit ID.
func (d *Document) AddAccount(id, name string, rand io.Reader) (*Account, error) {
	if err := CheckAccountName(name); err != nil {
		return nil, err
	}
	if id == "" {
		for {
			var err error
			if id, err = NewAccountID(rand); err != nil {
				return nil, err
			}
			if d.Account(id) == nil {
				break
			}
		}
	}
	if err := CheckAccountID(id); err != nil {
		return nil, err
	}
	if d.Account(id) != nil {
		return nil, fmt.Errorf("%w: account %s already exists", ErrAlreadyExists, id)
	}
	a := &Account{ID: id, Name: name}
	d.Accounts = append(d.Accounts, a)
	return a, nil
}

// MustAccount returns the account with id or an ErrNotFound error.
func (d *Document) MustAccount(id string) (*Account, error) {
	if err := CheckAccountID(id); err != nil {
		return nil, err
	}
	a := d.Account(id)
	if a == nil {
		return nil, fmt.Errorf("%w: account %s does not exist", ErrNotFound, id)
	}
	return a, nil
}

// AddUser adds an IAM user. path "" is "/".
func (a *Account) AddUser(name, path string, iss Issuer) (*User, error) {
	if err := CheckUserName(name); err != nil {
		return nil, err
	}
	if path == "/" {
		path = ""
	}
	if path != "" {
		if err := CheckPath(path); err != nil {
			return nil, err
		}
	}
	if u := a.User(name); u != nil {
		return nil, fmt.Errorf("%w: user with name %s already exists in account %s", ErrAlreadyExists, u.Name, a.ID)
	}
	id, err := NewUserID(iss.Rand)
	if err != nil {
		return nil, err
	}
	u := &User{Name: name, Path: path, ID: id, Created: iss.Now.UTC()}
	a.Users = append(a.Users, u)
	return u, nil
}

// AddRole adds an IAM role.
func (a *Account) AddRole(name string, iss Issuer) (*Role, error) {
	if err := CheckRoleName(name); err != nil {
		return nil, err
	}
	if r := a.Role(name); r != nil {
		return nil, fmt.Errorf("%w: role with name %s already exists in account %s", ErrAlreadyExists, r.Name, a.ID)
	}
	id, err := NewRoleID(iss.Rand)
	if err != nil {
		return nil, err
	}
	r := &Role{Name: name, ID: id, Created: iss.Now.UTC()}
	a.Roles = append(a.Roles, r)
	return r, nil
}

// PolicyOwner names the user or the role whose inline policies a change
// is about: exactly one of User and Role is set.
type PolicyOwner struct {
	User, Role string
}

// policies returns the owner's policy list, its kind and its name.
func (a *Account) policies(o PolicyOwner) (*[]*InlinePolicy, string, error) {
	switch {
	case o.User != "" && o.Role == "":
		u := a.User(o.User)
		if u == nil {
			return nil, "", fmt.Errorf("%w: the user with name %s cannot be found in account %s", ErrNotFound, o.User, a.ID)
		}
		return &u.Policies, "user", nil
	case o.Role != "" && o.User == "":
		r := a.Role(o.Role)
		if r == nil {
			return nil, "", fmt.Errorf("%w: the role with name %s cannot be found in account %s", ErrNotFound, o.Role, a.ID)
		}
		return &r.Policies, "role", nil
	}
	return nil, "", errors.New("name either a user or a role")
}

// PutPolicy adds or replaces the owner's inline policy name, as IAM's
// PutUserPolicy and PutRolePolicy do.
func (a *Account) PutPolicy(o PolicyOwner, name, document string) error {
	if err := CheckPolicyName(name); err != nil {
		return err
	}
	if err := CheckIdentityPolicy(document); err != nil {
		return fmt.Errorf("malformed policy document: %w", err)
	}
	list, kind, err := a.policies(o)
	if err != nil {
		return err
	}
	updated := slices.Clone(*list)
	i := slices.IndexFunc(updated, func(p *InlinePolicy) bool { return p.Name == name })
	if i >= 0 {
		updated[i] = &InlinePolicy{Name: name, Document: document}
	} else {
		updated = append(updated, &InlinePolicy{Name: name, Document: document})
	}
	if err := checkInlinePolicyQuota(kind, updated); err != nil {
		return fmt.Errorf("%w: %v", ErrLimitExceeded, err)
	}
	*list = updated
	return nil
}

// DeletePolicy removes the owner's inline policy name.
func (a *Account) DeletePolicy(o PolicyOwner, name string) error {
	list, kind, err := a.policies(o)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(*list, func(p *InlinePolicy) bool { return p.Name == name })
	if i < 0 {
		return fmt.Errorf("%w: the %s has no inline policy named %s", ErrNotFound, kind, name)
	}
	*list = slices.Delete(*list, i, i+1)
	return nil
}

// CreateAccessKey issues a long-term access key for the user, or for the
// account root when user is "".
func (d *Document) CreateAccessKey(a *Account, user string, iss Issuer) (IssuedKey, error) {
	if user != "" {
		u := a.User(user)
		if u == nil {
			return IssuedKey{}, fmt.Errorf("%w: the user with name %s cannot be found in account %s", ErrNotFound, user, a.ID)
		}
		user = u.Name
	}
	held := 0
	for _, k := range a.AccessKeys {
		if strings.EqualFold(k.User, user) {
			held++
		}
	}
	if held >= maxAccessKeysPerPrincipal {
		return IssuedKey{}, fmt.Errorf("%w: cannot exceed quota for AccessKeysPerUser: %d", ErrLimitExceeded, maxAccessKeysPerPrincipal)
	}
	id, err := d.newKeyID(NewLongTermKeyID, iss.Rand)
	if err != nil {
		return IssuedKey{}, err
	}
	secretKey, err := NewSecretAccessKey(iss.Rand)
	if err != nil {
		return IssuedKey{}, err
	}
	sealed, err := sealString(iss.Sealer, secretKey, purposeSecretKey, a.ID, id, iss.Rand)
	if err != nil {
		return IssuedKey{}, fmt.Errorf("sealing the secret access key: %w", err)
	}
	k := &AccessKey{ID: id, User: user, Created: iss.Now.UTC(), SealedSecret: sealed}
	a.AccessKeys = append(a.AccessKeys, k)
	return IssuedKey{
		Account: a.ID, User: user, AccessKeyID: id, Secret: secret.New([]byte(secretKey)),
		Created: k.Created, Caller: keyCaller(a, k),
	}, nil
}

// AssumeRole issues temporary credentials for a session of the role,
// valid for duration from iss.Now. Sessions that have expired are removed
// from the document on the way: they can no longer be used.
func (d *Document) AssumeRole(a *Account, role, sessionName string, duration time.Duration, iss Issuer) (IssuedKey, error) {
	if err := CheckSessionName(sessionName); err != nil {
		return IssuedKey{}, err
	}
	if duration < MinSessionDuration || duration > MaxSessionDuration {
		return IssuedKey{}, fmt.Errorf("duration %v is not valid: a role session lasts from %v to %v", duration, MinSessionDuration, MaxSessionDuration)
	}
	r := a.Role(role)
	if r == nil {
		return IssuedKey{}, fmt.Errorf("%w: the role with name %s cannot be found in account %s", ErrNotFound, role, a.ID)
	}
	d.RemoveExpiredSessions(iss.Now)
	id, err := d.newKeyID(NewTemporaryKeyID, iss.Rand)
	if err != nil {
		return IssuedKey{}, err
	}
	secretKey, err := NewSecretAccessKey(iss.Rand)
	if err != nil {
		return IssuedKey{}, err
	}
	token, err := NewSessionToken(iss.Rand)
	if err != nil {
		return IssuedKey{}, err
	}
	sealedSecret, err := sealString(iss.Sealer, secretKey, purposeSecretKey, a.ID, id, iss.Rand)
	if err != nil {
		return IssuedKey{}, fmt.Errorf("sealing the secret access key: %w", err)
	}
	sealedToken, err := sealString(iss.Sealer, token, purposeSessionToken, a.ID, id, iss.Rand)
	if err != nil {
		return IssuedKey{}, fmt.Errorf("sealing the session token: %w", err)
	}
	// STS reports expiry in whole seconds.
	now := iss.Now.UTC().Truncate(time.Second)
	s := &Session{
		ID: id, Role: r.Name, SessionName: sessionName, Created: now, Expires: now.Add(duration),
		SealedSecret: sealedSecret, SealedSessionToken: sealedToken,
	}
	a.Sessions = append(a.Sessions, s)
	return IssuedKey{
		Account: a.ID, AccessKeyID: id, Secret: secret.New([]byte(secretKey)),
		SessionToken: secret.New([]byte(token)), Expires: s.Expires, Created: now, Caller: sessionCaller(a, s),
	}, nil
}

// RemoveExpiredSessions drops the sessions whose credentials expired at or
// before now.
func (d *Document) RemoveExpiredSessions(now time.Time) {
	for _, a := range d.Accounts {
		a.Sessions = slices.DeleteFunc(a.Sessions, func(s *Session) bool { return !s.Expires.After(now) })
	}
}

// DeleteAccessKey removes a long-term access key or a role session's
// temporary credentials, in whichever account holds it.
func (d *Document) DeleteAccessKey(id string) error {
	for _, a := range d.Accounts {
		if i := slices.IndexFunc(a.AccessKeys, func(k *AccessKey) bool { return k.ID == id }); i >= 0 {
			a.AccessKeys = slices.Delete(a.AccessKeys, i, i+1)
			return nil
		}
		if i := slices.IndexFunc(a.Sessions, func(s *Session) bool { return s.ID == id }); i >= 0 {
			a.Sessions = slices.Delete(a.Sessions, i, i+1)
			return nil
		}
	}
	return fmt.Errorf("%w: the access key with id %s cannot be found", ErrNotFound, id)
}

// newKeyID draws an access key ID that no key in the document has.
func (d *Document) newKeyID(draw func(io.Reader) (string, error), rand io.Reader) (string, error) {
	for {
		id, err := draw(rand)
		if err != nil {
			return "", err
		}
		if !d.hasKeyID(id) {
			return id, nil
		}
	}
}

func (d *Document) hasKeyID(id string) bool {
	for _, a := range d.Accounts {
		for _, k := range a.AccessKeys {
			if k.ID == id {
				return true
			}
		}
		for _, s := range a.Sessions {
			if s.ID == id {
				return true
			}
		}
	}
	return false
}
