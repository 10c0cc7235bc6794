package main

import (
	"io"

	"github.com/trent-kms/trent/internal/identity"
)

var roleCreate = identityAction{
	name: "create",
	help: `usage: trent role create --account A --name Admin [--policy-file p.json --policy-name N] [flags]

Adds an IAM role to the account, optionally with an inline policy. Sessions
of the role are made with 'trent role assume'. Prints the role as aws iam
create-role does.
`,
	define: func(cmd *command, files *identityFiles) func(io.Writer) error {
		account := requiredAccount(cmd.flags)
		name := cmd.flags.String("name", "", "role name: 1 to 64 of letters, digits and _+=,.@- (required)")
		pol := definePolicyFlags(cmd)
		return func(stdout io.Writer) error {
			if err := checkAccountFlag(*account); err != nil {
				return err
			}
			if err := asUsage(identity.CheckRoleName(*name)); err != nil {
				return err
			}
			document, err := pol.read()
			if err != nil {
				return err
			}
			var out struct{ Role roleJSON }
			err = files.edit(false, func(d *identity.Document, iss identity.Issuer) error {
				a, err := d.MustAccount(*account)
				if err != nil {
					return err
				}
				r, err := a.AddRole(*name, iss)
				if err != nil {
					return err
				}
				if document != "" {
					if err := a.PutPolicy(identity.PolicyOwner{Role: r.Name}, *pol.name, document); err != nil {
						return err
					}
				}
				out.Role = roleJSON{Path: "/", RoleName: r.Name, RoleID: r.ID, Arn: identity.RoleARN(a.ID, r.Name), CreateDate: awsTime(r.Created)}
				return nil
			})
			if err != nil {
				return err
			}
			return printJSON(stdout, out)
		}
	},
}

// roleJSON is aws iam create-role's Role.
type roleJSON struct {
	Path       string `json:"Path"`
	RoleName   string `json:"RoleName"`
	RoleID     string `json:"RoleId"`
	Arn        string `json:"Arn"`
	CreateDate string `json:"CreateDate"`
}

var roleAssume = identityAction{
	name: "assume",
	help: `usage: trent role assume --account A --role R --session-name s [--duration 1h] [flags]

Makes temporary credentials for a session of the role, valid from now for
--duration (15m to 12h), and prints them as aws sts assume-role does. The
secret access key and session token are shown only this once. Expired
sessions are removed from the file on the way.
`,
	define: func(cmd *command, files *identityFiles) func(io.Writer) error {
		account := requiredAccount(cmd.flags)
		role := cmd.flags.String("role", "", "role name (required)")
		session := cmd.flags.String("session-name", "", "role session name: 2 to 64 of letters, digits and _+=,.@- (required)")
		duration := cmd.flags.Duration("duration", identity.DefaultSessionDuration, "how long the credentials work, 15m to 12h")
		return func(stdout io.Writer) error {
			if err := checkAccountFlag(*account); err != nil {
				return err
			}
			if err := asUsage(identity.CheckRoleName(*role)); err != nil {
				return err
			}
			if err := asUsage(identity.CheckSessionName(*session)); err != nil {
				return err
			}
			if *duration < identity.MinSessionDuration || *duration > identity.MaxSessionDuration {
				return usagef("--duration %v is out of range: from %v to %v", *duration, identity.MinSessionDuration, identity.MaxSessionDuration)
			}
			var out assumeRoleJSON
			err := files.edit(false, func(d *identity.Document, iss identity.Issuer) error {
				a, err := d.MustAccount(*account)
				if err != nil {
					return err
				}
				k, err := d.AssumeRole(a, *role, *session, *duration, iss)
				if err != nil {
					return err
				}
				out.Credentials.AccessKeyID = k.AccessKeyID
				out.Credentials.SecretAccessKey = string(k.Secret.Reveal())
				out.Credentials.SessionToken = string(k.SessionToken.Reveal())
				out.Credentials.Expiration = awsTime(k.Expires)
				out.AssumedRoleUser.AssumedRoleID = k.Caller.PrincipalID
				out.AssumedRoleUser.Arn = k.Caller.ARN
				return nil
			})
			if err != nil {
				return err
			}
			return printJSON(stdout, out)
		}
	},
}

// assumeRoleJSON is aws sts assume-role's output.
type assumeRoleJSON struct {
	Credentials struct {
		AccessKeyID     string `json:"AccessKeyId"`
		SecretAccessKey string `json:"SecretAccessKey"`
		SessionToken    string `json:"SessionToken"`
		Expiration      string `json:"Expiration"`
	}
	AssumedRoleUser struct {
		AssumedRoleID string `json:"AssumedRoleId"`
		Arn           string `json:"Arn"`
	}
}
