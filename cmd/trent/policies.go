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

// ownerFlags are --user and --role of the policy actions.
func ownerFlags(cmd *command) (user, role *string) {
	user = cmd.flags.String("user", "", "the IAM user whose policy it is (or --role)")
	role = cmd.flags.String("role", "", "the IAM role whose policy it is (or --user)")
	return user, role
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
		account := requiredAccount(cmd.flags)
		user, role := ownerFlags(cmd)
		name := cmd.flags.String("name", "", "policy name: 1 to 128 of letters, digits and _+=,.@- (required)")
		file := cmd.flags.String("file", "", "the JSON policy document (required)")
		return func(io.Writer) error {
			if err := checkAccountFlag(*account); err != nil {
				return err
			}
			owner, err := checkOwner(*user, *role)
			if err != nil {
				return err
			}
			if err := asUsage(identity.CheckPolicyName(*name)); err != nil {
				return err
			}
			if *file == "" {
				return usagef("--file is required")
			}
			document, err := readPolicyFile(*file)
			if err != nil {
				return err
			}
			return files.edit(false, func(d *identity.Document, _ identity.Issuer) error {
				a, err := d.MustAccount(*account)
				if err != nil {
					return err
				}
				return a.PutPolicy(owner, *name, document)
			})
		}
	},
}

var policyDelete = identityAction{
	name: "delete",
	help: `usage: trent policy delete --account A (--user U | --role R) --name N [flags]

Removes the inline policy N from the user or role. Prints nothing.
`,
	define: func(cmd *command, files *identityFiles) func(io.Writer) error {
		account := requiredAccount(cmd.flags)
		user, role := ownerFlags(cmd)
		name := cmd.flags.String("name", "", "policy name (required)")
		return func(io.Writer) error {
			if err := checkAccountFlag(*account); err != nil {
				return err
			}
			owner, err := checkOwner(*user, *role)
			if err != nil {
				return err
			}
			if err := asUsage(identity.CheckPolicyName(*name)); err != nil {
				return err
			}
			return files.edit(false, func(d *identity.Document, _ identity.Issuer) error {
				a, err := d.MustAccount(*account)
				if err != nil {
					return err
				}
				return a.DeletePolicy(owner, *name)
			})
		}
	},
}
