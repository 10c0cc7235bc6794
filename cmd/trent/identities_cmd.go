package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/seal"
	"github.com/trent-kms/trent/internal/server"
)

// The subcommands that manage the identities file: trent account, user,
// role, policy and access-key. Each action is "trent <group> <action>
// [flags]"; each prints JSON in the shape the matching AWS CLI command
// prints (aws iam create-access-key, aws sts assume-role, ...), secrets
// included the one time they are shown.

// identityAction is one action of a group.
type identityAction struct {
	name string
	help string
	// run parses nothing itself: define adds its flags to cmd, and the
	// returned function does the work once they are parsed.
	define func(cmd *command, files *identityFiles) func(stdout io.Writer) error
}

// identityGroups are the groups and their actions, in help order.
var identityGroups = map[string][]identityAction{
	"account":    {accountCreate, accountList},
	"user":       {userCreate},
	"role":       {roleCreate, roleAssume},
	"policy":     {policyPut, policyDelete},
	"access-key": {accessKeyCreate, accessKeyDelete},
}

var groupSummaries = map[string]string{
	"account":    "accounts (create makes an account and an access key for its root)",
	"user":       "IAM users",
	"role":       "IAM roles and their sessions (temporary credentials)",
	"policy":     "inline identity-based policies of users and roles",
	"access-key": "long-term access keys",
}

// runIdentityGroup runs `trent <group> <action> args...`.
func runIdentityGroup(group string, args []string, stdout, stderr io.Writer) int {
	actions := identityGroups[group]
	help := groupHelp(group, actions)
	if len(args) == 0 {
		fmt.Fprintf(stderr, "trent %s: name an action\n\n%s", group, help)
		return 2
	}
	if args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, help)
		return 0
	}
	for _, a := range actions {
		if a.name == args[0] {
			return runIdentityAction(group, a, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "trent %s: unknown action %q\n\n%s", group, args[0], help)
	return 2
}

func groupHelp(group string, actions []identityAction) string {
	var b strings.Builder
	fmt.Fprintf(&b, "usage: trent %s <action> [flags]\n\nManages %s in the identities file.\n\nactions:\n", group, groupSummaries[group])
	for _, a := range actions {
		usageLine, _, _ := strings.Cut(a.help, "\n")
		fmt.Fprintf(&b, "  %s\n", strings.TrimPrefix(usageLine, "usage: "))
	}
	fmt.Fprintf(&b, "\nRun 'trent %s <action> --help' for an action's flags.\n", group)
	return b.String()
}

// usageErr marks an error in what the user typed: exit code 2.
type usageErr struct{ error }

func usagef(format string, args ...any) error { return usageErr{fmt.Errorf(format, args...)} }

// asUsage turns a validation error into a usage error.
func asUsage(err error) error {
	if err == nil {
		return nil
	}
	return usageErr{err}
}

func runIdentityAction(group string, a identityAction, args []string, stdout, stderr io.Writer) int {
	name := group + " " + a.name
	cmd := newCommand(name, a.help)
	files := &identityFiles{}
	files.define(cmd)
	do := a.define(cmd, files)
	if code, done := cmd.parse(args, stdout, stderr); done {
		return code
	}
	if cmd.flags.NArg() > 0 {
		return cmd.usageError(stderr, fmt.Errorf("unexpected arguments: %v", cmd.flags.Args()))
	}
	err := do(stdout)
	var ue usageErr
	switch {
	case errors.As(err, &ue):
		return cmd.usageError(stderr, ue.error)
	case err != nil:
		fmt.Fprintf(stderr, "trent %s: %v\n", name, err)
		return 1
	}
	return 0
}

// identityFiles are the flags every action has: where the identities file
// and the root key are, as trent serve finds them.
type identityFiles struct {
	dataDir, rootKeyFile, identities string
}

func (f *identityFiles) define(cmd *command) {
	fs := cmd.flags
	fs.StringVar(&f.dataDir, "data-dir", envString("TRENT_DATA_DIR", server.DefaultDataDir), "data directory of trent serve (TRENT_DATA_DIR)")
	fs.StringVar(&f.rootKeyFile, "root-key-file", envString("TRENT_ROOT_KEY_FILE", ""),
		"root key file secrets are sealed under; default the --dev root key in the data directory (TRENT_ROOT_KEY_FILE)")
	fs.StringVar(&f.identities, "identities", envString("TRENT_IDENTITIES", ""),
		"identities file; default <data-dir>/"+server.IdentitiesFileName+" (TRENT_IDENTITIES)")
}

func (f *identityFiles) path() string {
	if f.identities != "" {
		return f.identities
	}
	return filepath.Join(f.dataDir, server.IdentitiesFileName)
}

// keyring loads the root key: --root-key-file, or the one --dev made in
// the data directory.
func (f *identityFiles) keyring() (*seal.Keyring, error) {
	path := f.rootKeyFile
	if path == "" {
		path = filepath.Join(f.dataDir, server.DevRootKeyFileName)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("a root key file is required to seal the secrets: pass --root-key-file (or TRENT_ROOT_KEY_FILE; "+
				"'trent create-root-key <path>' makes one), or --data-dir of a --dev server (there is no %s in %s)", server.DevRootKeyFileName, f.dataDir)
		}
	}
	return seal.LoadKeyFile(path)
}

// edit runs change on the identities file under its lock.
func (f *identityFiles) edit(create bool, change func(d *identity.Document, iss identity.Issuer) error) error {
	keyring, err := f.keyring()
	if err != nil {
		return err
	}
	iss := identity.Issuer{Sealer: keyring, Now: clock.Real{}.Now().Truncate(time.Second)}
	err = identity.Edit(f.path(), keyring, identity.EditOptions{Create: create}, func(d *identity.Document) error {
		return change(d, iss)
	})
	if errors.Is(err, identity.ErrNoFile) {
		return fmt.Errorf("%w; 'trent account create' makes one", err)
	}
	return err
}

// printJSON writes v as the AWS CLI does: indented by four spaces.
func printJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "    ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// awsTime formats t as the AWS CLI prints dates.
func awsTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05+00:00") }

// accessKeyJSON is aws iam create-access-key's AccessKey.
type accessKeyJSON struct {
	UserName        string `json:"UserName,omitempty"`
	AccessKeyID     string `json:"AccessKeyId"`
	Status          string `json:"Status"`
	SecretAccessKey string `json:"SecretAccessKey"`
	CreateDate      string `json:"CreateDate"`
}

func newAccessKeyJSON(k identity.IssuedKey) accessKeyJSON {
	return accessKeyJSON{
		UserName: k.User, AccessKeyID: k.AccessKeyID, Status: "Active",
		SecretAccessKey: string(k.Secret.Reveal()), CreateDate: awsTime(k.Created),
	}
}
