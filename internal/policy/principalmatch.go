package policy

import "strings"

// principalSet is a compiled Principal or NotPrincipal element.
//
// Matching follows "AWS JSON policy elements: Principal":
//   - "*" and {"AWS": "*"} are everyone ("All principals");
//   - an account ID and arn:<partition>:iam::<account>:root both mean the
//     account ("AWS account principals"): any identity of that account
//     matches, but only through the account, which for KMS means an
//     identity-based policy must allow too (see Result.ViaAccount);
//   - a user ARN matches that user;
//   - a role ARN matches the role's sessions ("When you specify a role ARN
//     as the principal, permissions are granted to the role sessions"),
//     which Subject.PrincipalARN carries;
//   - an assumed-role session ARN matches that session exactly;
//   - a service principal matches a request made by that service.
//
// Federated and CanonicalUser principals never match: Trent has no
// identities of those kinds.
type principalSet struct {
	all      bool
	accounts []accountPrincipal
	arns     []string // user, role, session and federated-user ARNs
	services []string
}

// accountPrincipal is an account named by ID (any partition) or by its
// root ARN (that partition only).
type accountPrincipal struct {
	account   string
	partition string // "" for a bare account ID
}

// principalMatch is how a statement's principals match a subject.
type principalMatch uint8

const (
	matchNone principalMatch = iota
	// matchViaAccount: only an account principal names the subject.
	matchViaAccount
	// matchDirect: the subject is named itself (ARN, role, service, "*").
	matchDirect
)

func compilePrincipals(p *Principal) *principalSet {
	ps := &principalSet{all: p.All}
	for _, a := range p.AWS {
		switch {
		case a == "":
			// Names nobody; only a Document that skipped Validate
			// holds one.
		case a == "*":
			ps.all = true
		case isAccountID(a):
			ps.accounts = append(ps.accounts, accountPrincipal{account: a})
		default:
			if partition, account, ok := rootARN(a); ok {
				ps.accounts = append(ps.accounts, accountPrincipal{account: account, partition: partition})
			} else {
				ps.arns = append(ps.arns, a)
			}
		}
	}
	for _, svc := range p.Service {
		if svc != "" {
			ps.services = append(ps.services, svc)
		}
	}
	return ps
}

// rootARN recognises arn:<partition>:iam::<account>:root.
func rootARN(s string) (partition, account string, ok bool) {
	parts, ok := splitARN(s)
	if !ok || parts[0] != "arn" || parts[2] != "iam" || parts[3] != "" || parts[5] != "root" || !isAccountID(parts[4]) {
		return "", "", false
	}
	return parts[1], parts[4], true
}

// partitionOf returns the partition of an ARN, "" if s is not one.
func partitionOf(arn string) string {
	rest, ok := strings.CutPrefix(arn, "arn:")
	if !ok {
		return ""
	}
	if i := indexColon(rest); i >= 0 {
		return rest[:i]
	}
	return ""
}

func (ps *principalSet) match(s *Subject) principalMatch {
	if ps.all {
		return matchDirect
	}
	if s.Service != "" {
		if containsString(ps.services, s.Service) {
			return matchDirect
		}
		return matchNone
	}
	for _, a := range ps.arns {
		if a == s.ARN || a == s.PrincipalARN && s.PrincipalARN != "" {
			return matchDirect
		}
	}
	if ps.namesAccount(s) {
		return matchViaAccount
	}
	return matchNone
}

func (ps *principalSet) namesAccount(s *Subject) bool {
	if s.Account == "" || s.Service != "" {
		return false
	}
	for _, a := range ps.accounts {
		if a.account == s.Account && (a.partition == "" || a.partition == partitionOf(s.ARN)) {
			return true
		}
	}
	return false
}

// excludes reports whether a NotPrincipal element leaves s out of its
// statement. AWS evaluates an identity as the chain account -> role ->
// session (or account -> user) and applies a NotPrincipal statement when
// any link of the chain is not listed: "you must also specify the account
// ARN of the not-denied principal. Otherwise, the policy might deny access
// to the entire account containing the principal ... If an assumed-role
// user is being evaluated, AWS might validate the account first, then the
// role, and then the assumed-role user" ("AWS JSON policy elements:
// NotPrincipal"). So s is excluded only when every link is listed: its
// account, its role (for a session) and its own ARN. The root user's chain
// is its account alone.
func (ps *principalSet) excludes(s *Subject) bool {
	if ps.all {
		return true
	}
	if s.Service != "" {
		return containsString(ps.services, s.Service)
	}
	if !ps.namesAccount(s) {
		return false
	}
	if s.Root {
		return true
	}
	if s.PrincipalARN != "" && s.PrincipalARN != s.ARN && !containsString(ps.arns, s.PrincipalARN) {
		return false
	}
	return containsString(ps.arns, s.ARN)
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
