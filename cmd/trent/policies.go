package main

import (
	"fmt"
	"io"
	"os"

	"github.com/trent-kms/trent/internal/identity"
)

// maxPolicyFileSize bounds a policy file read: IAM's largest inline quota
// is 10,240 characters, so anything far larger is the wrong file.
const maxPolicyFileSize = 1 << 20

// policyFlags are --policy-file and --policy-name of user and role create.
type policyFlags struct {
	file, name *string
}

func definePolicyFlags(cmd *command) policyFlags {
	return policyFlags{
		file: cmd.flags.String("policy-file", "", "JSON identity-based policy to attach inline (with --policy-name)"),
		name: cmd.flags.String("policy-name", "", "name of the inline policy from --policy-file"),
	}
}

// read returns the policy document, or "" when none was asked for.
func (p policyFlags) read() (string, error) {
	switch {
	case *p.file == "" && *p.name == "":
		return "", nil
	case *p.file == "":
		return "", usagef("--policy-name needs --policy-file")
	case *p.name == "":
		return "", usagef("--policy-file needs --policy-name")
	}
	if err := identity.CheckPolicyName(*p.name); err != nil {
		return "", asUsage(err)
	}
	return readPolicyFile(*p.file)
}

func readPolicyFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPolicyFileSize+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxPolicyFileSize {
		return "", fmt.Errorf("policy file %s is larger than %d bytes", path, maxPolicyFileSize)
	}
	return string(b), nil
}

// policyTarget are the flags that name one inline policy, shared by the
// policy actions: --account, --user or --role, and --name.
type policyTarget struct {
	account, user, role, name *string
}

func definePolicyTarget(cmd *command, nameHelp string) policyTarget {
	return policyTarget{
		account: requiredAccount(cmd.flags),
		user:    cmd.flags.String("user", "", "the IAM user whose policy it is (or --role)"),
		role:    cmd.flags.String("role", "", "the IAM role whose policy it is (or --user)"),
		name:    cmd.flags.String("name", "", nameHelp),
	}
}

// check validates the flags, in the order their errors are reported, and
// returns the policy's owner.
func (p policyTarget) check() (identity.PolicyOwner, error) {
	if err := checkAccountFlag(*p.account); err != nil {
		return identity.PolicyOwner{}, err
	}
	owner, err := checkOwner(*p.user, *p.role)
	if err != nil {
		return identity.PolicyOwner{}, err
	}
	return owner, asUsage(identity.CheckPolicyName(*p.name))
}

// edit runs fn on the target's account in the identities file.
func (p policyTarget) edit(files *identityFiles, fn func(a *identity.Account) error) error {
	return files.edit(false, func(d *identity.Document, _ identity.Issuer) error {
		a, err := d.MustAccount(*p.account)
		if err != nil {
			return err
		}
		return fn(a)
	})
}

func checkOwner(user, role string) (identity.PolicyOwner, error) {
	switch {
	case user != "" && role != "":
		return identity.PolicyOwner{}, usagef("name --user or --role, not both")
	case user != "":
		return identity.PolicyOwner{User: user}, asUsage(identity.CheckUserName(user))
	case role != "":
		return identity.PolicyOwner{Role: role}, asUsage(identity.CheckRoleName(role))
	}
	return identity.PolicyOwner{}, usagef("--user or --role is required")
}

var policyPut = identityAction{
	name: "put",
	help: `usage: trent policy put --account A (--user U | --role R) --name N --file p.json [flags]

Adds the inline identity-based policy N to the user or role, or replaces
it, as aws iam put-user-policy and put-role-policy do. The policy is checked
against the IAM policy grammar. Prints nothing.
`,
	define: func(cmd *command, files *identityFiles) func(io.Writer) error {
		target := definePolicyTarget(cmd, "policy name: 1 to 128 of letters, digits and _+=,.@- (required)")
		file := cmd.flags.String("file", "", "the JSON policy document (required)")
		return func(io.Writer) error {
			owner, err := target.check()
			if err != nil {
				return err
			}
			if *file == "" {
				return usagef("--file is required")
			}
			document, err := readPolicyFile(*file)
			if err != nil {
				return err
			}
			return target.edit(files, func(a *identity.Account) error { return a.PutPolicy(owner, *target.name, document) })
		}
	},
}

var policyDelete = identityAction{
	name: "delete",
	help: `usage: trent policy delete --account A (--user U | --role R) --name N [flags]

Removes the inline policy N from the user or role. Prints nothing.
`,
	define: func(cmd *command, files *identityFiles) func(io.Writer) error {
		target := definePolicyTarget(cmd, "policy name (required)")
		return func(io.Writer) error {
			owner, err := target.check()
			if err != nil {
				return err
			}
			return target.edit(files, func(a *identity.Account) error { return a.DeletePolicy(owner, *target.name) })
		}
	},
}
