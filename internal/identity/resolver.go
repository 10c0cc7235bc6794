package identity

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/seal"
)

// ReloadInterval is how often File checks whether its file changed.
const ReloadInterval = time.Second

// index is one loaded version of the identities file, secrets unsealed,
// ready to answer without I/O. It is never changed once built.
type index struct {
	creds      map[string]Credential
	accounts   map[string]bool
	principals map[string]bool
}

// buildIndex unseals every secret of doc and indexes its credentials and
// principals. Its errors name the access key whose secret failed, never
// the secret.
func buildIndex(doc *Document, sealer Sealer) (*index, error) {
	ix := &index{creds: map[string]Credential{}, accounts: map[string]bool{}, principals: map[string]bool{}}
	for _, a := range doc.Accounts {
		ix.accounts[a.ID] = true
		ix.principals[RootARN(a.ID)] = true
		for _, u := range a.Users {
			ix.principals[UserARN(a.ID, u.Path, u.Name)] = true
		}
		for _, r := range a.Roles {
			ix.principals[RoleARN(a.ID, r.Name)] = true
		}
		for _, k := range a.AccessKeys {
			secretKey, err := unsealString(sealer, k.SealedSecret, purposeSecretKey, a.ID, k.ID)
			if err != nil {
				return nil, unsealError(k.ID, "secret access key", err)
			}
			ix.creds[k.ID] = Credential{Caller: keyCaller(a, k), Secret: secretKey}
		}
		for _, s := range a.Sessions {
			secretKey, err := unsealString(sealer, s.SealedSecret, purposeSecretKey, a.ID, s.ID)
			if err != nil {
				return nil, unsealError(s.ID, "secret access key", err)
			}
			token, err := unsealString(sealer, s.SealedSessionToken, purposeSessionToken, a.ID, s.ID)
			if err != nil {
				return nil, unsealError(s.ID, "session token", err)
			}
			ix.creds[s.ID] = Credential{Caller: sessionCaller(a, s), Secret: secretKey, SessionToken: token, Expires: s.Expires}
		}
	}
	return ix, nil
}

func unsealError(keyID, what string, err error) error {
	if errors.Is(err, seal.ErrWrongRootKey) {
		return fmt.Errorf("the %s of access key %s was sealed under another root key than the one given (%w)", what, keyID, err)
	}
	return fmt.Errorf("the %s of access key %s cannot be unsealed: the file was changed or the record copied from elsewhere (%w)", what, keyID, err)
}

// keyCaller is the principal a long-term access key stands for.
func keyCaller(a *Account, k *AccessKey) Caller {
	if k.User == "" {
		return RootCaller(a.ID, k.ID)
	}
	u := a.User(k.User)
	arn := UserARN(a.ID, u.Path, u.Name)
	return Caller{
		Account: a.ID, AccessKeyID: k.ID, ARN: arn, PrincipalARN: arn,
		PrincipalID: u.ID, Type: TypeIAMUser, Policies: policyDocuments(u.Policies),
	}
}

// sessionCaller is the principal of a role session: CloudTrail names it
// by the assumed-role ARN and "<role ID>:<session name>".
func sessionCaller(a *Account, s *Session) Caller {
	r := a.Role(s.Role)
	return Caller{
		Account: a.ID, AccessKeyID: s.ID,
		ARN:          AssumedRoleARN(a.ID, r.Name, s.SessionName),
		PrincipalARN: RoleARN(a.ID, r.Name),
		PrincipalID:  r.ID + ":" + s.SessionName,
		Type:         TypeAssumedRole,
		Policies:     policyDocuments(r.Policies),
	}
}

func policyDocuments(list []*InlinePolicy) []string {
	if len(list) == 0 {
		return nil
	}
	out := make([]string, len(list))
	for i, p := range list {
		out[i] = p.Document
	}
	return out
}

// File is the Resolver and Directory backed by the identities file. It
// answers from memory (secrets are unsealed at load), is safe for
// concurrent use, and with Run reloads the file when it changes. A file
// that fails to load on reload leaves the previous state in force.
type File struct {
	path   string
	sealer Sealer
	clock  clock.Clock
	log    *slog.Logger

	current atomic.Pointer[index]

	mu sync.Mutex // serialises reloads; guards the fields below
	// seen is the stamp of the last version read, loaded or not, so a bad
	// version is reported once rather than every second.
	seen      fileStamp
	lastError string
}

// OpenFile loads the identities file at path. It fails if the file is
// missing, invalid, or holds a secret sealer cannot unseal.
func OpenFile(path string, sealer Sealer, c clock.Clock, log *slog.Logger) (*File, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	f := &File{path: path, sealer: sealer, clock: c, log: log}
	ix, stamp, err := f.load()
	if err != nil {
		return nil, err
	}
	f.current.Store(ix)
	f.seen = stamp
	return f, nil
}

// Path is the file's path.
func (f *File) Path() string { return f.path }

func (f *File) load() (*index, fileStamp, error) {
	data, stamp, err := readFile(f.path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, stamp, fmt.Errorf("%w at %s", ErrNoFile, f.path)
		}
		return nil, stamp, fmt.Errorf("reading identities file: %w", err)
	}
	doc, err := ParseDocument(data)
	if err != nil {
		return nil, stamp, fmt.Errorf("identities file %s: %w", f.path, err)
	}
	ix, err := buildIndex(doc, f.sealer)
	if err != nil {
		return nil, stamp, fmt.Errorf("identities file %s: %w", f.path, err)
	}
	return ix, stamp, nil
}

// Lookup implements Resolver.
func (f *File) Lookup(accessKeyID string) (Credential, bool) {
	c, ok := f.current.Load().creds[accessKeyID]
	return c, ok
}

// AccountExists implements Directory.
func (f *File) AccountExists(id string) bool { return f.current.Load().accounts[id] }

// PrincipalExists implements Directory: the ARN of an account root, an IAM
// user or an IAM role in the file. ARNs in the aws-cn and aws-us-gov
// partitions name the same principals.
func (f *File) PrincipalExists(arn string) bool {
	return f.current.Load().principals[standardPartition(arn)]
}

// standardPartition rewrites an ARN in another partition to "aws", as the
// file's principals are indexed.
func standardPartition(arn string) string {
	for _, p := range []string{"arn:aws-cn:", "arn:aws-us-gov:"} {
		if rest, ok := strings.CutPrefix(arn, p); ok {
			return "arn:aws:" + rest
		}
	}
	return arn
}

// Run checks the file every ReloadInterval and reloads it when it
// changed, until ctx is done.
func (f *File) Run(ctx context.Context) {
	clock.Every(ctx, f.clock, ReloadInterval, func() { f.Reload() })
}

// Reload reloads the file if it changed since it was last read, and
// reports whether a new version is now in force. On failure it logs a
// warning with the reason (which names no secret) and keeps the previous
// state.
func (f *File) Reload() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	stamp, err := statStamp(f.path)
	if err != nil {
		f.warn("cannot check the identities file; the last loaded version stays in force", err)
		return false
	}
	if stamp == f.seen {
		return false
	}
	ix, stamp, err := f.load()
	if err != nil {
		f.seen = stamp
		f.warn("the identities file changed but cannot be loaded; the last loaded version stays in force", err)
		return false
	}
	f.seen = stamp
	f.lastError = ""
	f.current.Store(ix)
	f.log.Info("reloaded the identities file", "path", f.path, "access_keys", len(ix.creds))
	return true
}

// warn logs a reload failure once per distinct reason.
func (f *File) warn(msg string, err error) {
	if err.Error() == f.lastError {
		return
	}
	f.lastError = err.Error()
	f.log.Warn(msg, "path", f.path, "error", err.Error())
}
