package main

import (
	"io"

	"github.com/trent-kms/trent/internal/identity"
)

var accessKeyCreate = identityAction{
	name: "create",
	help: `usage: trent access-key create --account A [--user U] [flags]

Makes a long-term access key for the user, or for the account's root user
when --user is not given (at most two each, as in IAM). Prints it as aws iam
create-access-key does; the secret access key is shown only this once.
`,
	define: func(cmd *command, files *identityFiles) func(io.Writer) error {
		account := requiredAccount(cmd.flags)
		user := cmd.flags.String("user", "", "the IAM user (default: the account root)")
		return func(stdout io.Writer) error {
			if err := checkAccountFlag(*account); err != nil {
				return err
			}
			if *user != "" {
				if err := asUsage(identity.CheckUserName(*user)); err != nil {
					return err
				}
			}
			var out struct{ AccessKey accessKeyJSON }
			err := files.edit(false, func(d *identity.Document, iss identity.Issuer) error {
				a, err := d.MustAccount(*account)
				if err != nil {
					return err
				}
				k, err := d.CreateAccessKey(a, *user, iss)
				if err != nil {
					return err
				}
				out.AccessKey = newAccessKeyJSON(k)
				return nil
			})
			if err != nil {
				return err
			}
			return printJSON(stdout, out)
		}
	},
}

var accessKeyDelete = identityAction{
	name: "delete",
	help: `usage: trent access-key delete --id AKIA... [flags]

Deletes a long-term access key, or a role session's temporary credentials
(ASIA...). A running trent serve stops accepting it within seconds. Prints
nothing.
`,
	define: func(cmd *command, files *identityFiles) func(io.Writer) error {
		id := cmd.flags.String("id", "", "the access key ID (required)")
		return func(io.Writer) error {
			if !identity.IsLongTermKeyID(*id) && !identity.IsTemporaryKeyID(*id) {
				return usagef("--id %q is not an access key ID (AKIA... or ASIA..., 20 characters)", *id)
			}
			return files.edit(false, func(d *identity.Document, _ identity.Issuer) error {
				return d.DeleteAccessKey(*id)
			})
		}
	},
}
