package main

import (
	"io"

	"github.com/trent-kms/trent/internal/identity"
)

var userCreate = identityAction{
	name: "create",
	help: `usage: trent user create --account A --name alice [--path /team/] [--policy-file p.json --policy-name N] [flags]

Adds an IAM user to the account, optionally with an inline policy. It makes
no access key: 'trent access-key create --account A --user alice' does.
Prints the user as aws iam create-user does.
`,
	define: func(cmd *command, files *identityFiles) func(io.Writer) error {
		account := requiredAccount(cmd.flags)
		name := cmd.flags.String("name", "", "user name: 1 to 64 of letters, digits and _+=,.@- (required)")
		path := cmd.flags.String("path", "/", "IAM path, part of the user's ARN")
		pol := definePolicyFlags(cmd)
		return func(stdout io.Writer) error {
			if err := checkAccountFlag(*account); err != nil {
				return err
			}
			if err := asUsage(identity.CheckUserName(*name)); err != nil {
				return err
			}
			if err := asUsage(identity.CheckPath(*path)); err != nil {
				return err
			}
			document, err := pol.read()
			if err != nil {
				return err
			}
			var out struct{ User userJSON }
			err = files.edit(false, func(d *identity.Document, iss identity.Issuer) error {
				a, err := d.MustAccount(*account)
				if err != nil {
					return err
				}
				u, err := a.AddUser(*name, *path, iss)
				if err != nil {
					return err
				}
				if document != "" {
					if err := a.PutPolicy(identity.PolicyOwner{User: u.Name}, *pol.name, document); err != nil {
						return err
					}
				}
				out.User = userJSON{
					Path: *path, UserName: u.Name, UserID: u.ID,
					Arn: identity.UserARN(a.ID, u.Path, u.Name), CreateDate: awsTime(u.Created),
				}
				return nil
			})
			if err != nil {
				return err
			}
			return printJSON(stdout, out)
		}
	},
}

// userJSON is aws iam create-user's User.
type userJSON struct {
	Path       string `json:"Path"`
	UserName   string `json:"UserName"`
	UserID     string `json:"UserId"`
	Arn        string `json:"Arn"`
	CreateDate string `json:"CreateDate"`
}
