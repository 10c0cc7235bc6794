package main

import (
	"flag"
	"io"

	"github.com/trent-kms/trent/internal/identity"
)

var accountCreate = identityAction{
	name: "create",
	help: `usage: trent account create [--id 444455556666] [--name prod] [flags]

Adds an account to the identities file (creating the file if needed) and
an access key for the account's root user. Prints the account and the key;
the secret access key is shown only this once.
`,
	define: func(cmd *command, files *identityFiles) func(io.Writer) error {
		id := cmd.flags.String("id", "", "12-digit account ID (default: a random one)")
		name := cmd.flags.String("name", "", "the account's name, for people")
		return func(stdout io.Writer) error {
			if *id != "" {
				if err := identity.CheckAccountID(*id); err != nil {
					return asUsage(err)
				}
			}
			if err := identity.CheckAccountName(*name); err != nil {
				return asUsage(err)
			}
			var out struct {
				Account   accountJSON
				AccessKey accessKeyJSON
			}
			err := files.edit(true, func(d *identity.Document, iss identity.Issuer) error {
				a, err := d.AddAccount(*id, *name, iss.Rand)
				if err != nil {
					return err
				}
				k, err := d.CreateAccessKey(a, "", iss)
				if err != nil {
					return err
				}
				out.Account = accountJSON{ID: a.ID, Name: a.Name, Arn: identity.RootARN(a.ID)}
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

type accountJSON struct {
	ID   string `json:"Id"`
	Name string `json:"Name,omitempty"`
	Arn  string `json:"Arn"`
}

var accountList = identityAction{
	name: "list",
	help: `usage: trent account list [flags]

Lists the accounts in the identities file. It reads no secret, so it needs
no root key.
`,
	define: func(_ *command, files *identityFiles) func(io.Writer) error {
		return func(stdout io.Writer) error {
			doc, err := identity.Load(files.path())
			if err != nil {
				return err
			}
			out := struct{ Accounts []accountJSON }{Accounts: []accountJSON{}}
			for _, a := range doc.Accounts {
				out.Accounts = append(out.Accounts, accountJSON{ID: a.ID, Name: a.Name, Arn: identity.RootARN(a.ID)})
			}
			return printJSON(stdout, out)
		}
	},
}

// requiredAccount defines --account, which most actions need.
func requiredAccount(fs *flag.FlagSet) *string {
	return fs.String("account", "", "12-digit account ID (required)")
}

// checkAccountFlag is the usage check of --account.
func checkAccountFlag(id string) error {
	if id == "" {
		return usagef("--account is required")
	}
	return asUsage(identity.CheckAccountID(id))
}
