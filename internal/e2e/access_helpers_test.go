package e2e

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/trent-kms/trent/internal/identity"
)

// principals is an identities table for tests: access key ID -> credential.
// Access keys it does not list resolve as in --dev (the root of the
// account a 12-digit key names, else of testAccount); otherAccount is the
// second tenant.
type principals map[string]identity.Credential

func (p principals) Lookup(id string) (identity.Credential, bool) {
	if c, ok := p[id]; ok {
		return c, true
	}
	return identity.Dev{DefaultAccount: testAccount}.Lookup(id)
}

// iamUser is the credential of user name in account with the given
// identity-based policies.
func iamUser(account, name string, policies ...string) identity.Credential {
	arn := "arn:aws:iam::" + account + ":user/" + name
	return identity.Credential{Caller: identity.Caller{
		Account: account, AccessKeyID: "AKIA" + strings.ToUpper(name), ARN: arn, PrincipalARN: arn,
		PrincipalID: "AIDA" + strings.ToUpper(name), Type: identity.TypeIAMUser, Policies: policies,
	}}
}

// roleSession is the credential of a session of role in account.
func roleSession(account, role, session string, policies ...string) identity.Credential {
	return identity.Credential{Caller: identity.Caller{
		Account: account, AccessKeyID: "ASIA" + strings.ToUpper(session),
		ARN:          "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + session,
		PrincipalARN: "arn:aws:iam::" + account + ":role/" + role,
		PrincipalID:  "AROA" + strings.ToUpper(role) + ":" + session, Type: identity.TypeAssumedRole, Policies: policies,
	}}
}

// allowKMS is an identity-based policy allowing the actions on every key.
func allowKMS(actions ...string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":` + jsonList(actions) + `,"Resource":"*"}]}`
}

// denyKMS is an identity-based policy denying the actions on every key.
func denyKMS(actions ...string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":` + jsonList(actions) + `,"Resource":"*"}]}`
}

func jsonList(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = `"` + s + `"`
	}
	return "[" + strings.Join(quoted, ",") + "]"
}

// keyPolicy is a key policy of the given statements (JSON objects) after
// one that keeps the owner account in full control, so that the lockout
// safety check passes.
func keyPolicy(statements ...string) string {
	all := append([]string{`{"Sid":"Owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount +
		`:root"},"Action":"kms:*","Resource":"*"}`}, statements...)
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(all, ",") + `]}`
}

// startAccessNode starts a node that resolves the test principals.
func startAccessNode(t *testing.T, p principals) *testNode {
	t.Helper()
	return startNodeWith(t, nodeOptions{identity: p})
}

// as returns a client signing as the principal with access key id.
func (tn *testNode) as(id string) *kms.Client { return tn.client(testRegion, id) }

// denied is AWS's AccessDeniedException text for caller on resource.
func denied(caller, action, resource, why string) string {
	return "User: " + caller + " is not authorized to perform: kms:" + action + " on resource: " + resource + " " + why
}

func noResourcePolicy(action string) string {
	return "because no resource-based policy allows the kms:" + action + " action"
}

func noIdentityPolicy(action string) string {
	return "because no identity-based policy allows the kms:" + action + " action"
}

const (
	explicitResourceDeny = "with an explicit deny in a resource-based policy"
	explicitIdentityDeny = "with an explicit deny in an identity-based policy"
)
