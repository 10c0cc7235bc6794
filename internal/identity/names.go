package identity

import (
	"fmt"
	"regexp"
	"strings"
)

// IAM's name and ID rules, as the IAM API Reference states them for
// CreateUser, CreateRole, PutUserPolicy and AssumeRole, and as the IDs it
// issues look (reference_identifiers.html, "Unique identifiers" and
// "access key ID prefixes").
var (
	// userOrRoleName: UserName and RoleName are 1..64 of [\w+=,.@-].
	userOrRoleName = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	// policyName: PolicyName is 1..128 of [\w+=,.@-].
	policyName = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	// sessionName: RoleSessionName is 2..64 of [\w+=,.@-].
	sessionName = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	// iamPath: Path is "/" or "/.../" of printable ASCII (! to ~), at most
	// 512 characters.
	iamPath = regexp.MustCompile(`^(/|/[\x21-\x7E]*/)$`)

	// Long-term access key IDs start AKIA, temporary ones ASIA, user and
	// role unique IDs AIDA and AROA; AWS fills the rest with base32
	// letters and digits.
	longTermKeyID  = regexp.MustCompile(`^AKIA[A-Z2-7]{16}$`)
	temporaryKeyID = regexp.MustCompile(`^ASIA[A-Z2-7]{16}$`)
	userID         = regexp.MustCompile(`^AIDA[A-Z2-7]{17}$`)
	roleID         = regexp.MustCompile(`^AROA[A-Z2-7]{17}$`)
)

// maxPathLen is IAM's limit on a Path.
const maxPathLen = 512

// maxAccountNameLen bounds an account's display name. AWS account names are
// at most 50 characters.
const maxAccountNameLen = 50

// CheckUserName returns an error saying what is wrong with an IAM user name.
func CheckUserName(name string) error { return checkName("user name", name, userOrRoleName, "1 to 64") }

// CheckRoleName returns an error saying what is wrong with an IAM role name.
func CheckRoleName(name string) error { return checkName("role name", name, userOrRoleName, "1 to 64") }

// CheckPolicyName returns an error saying what is wrong with an inline
// policy name.
func CheckPolicyName(name string) error {
	return checkName("policy name", name, policyName, "1 to 128")
}

// CheckSessionName returns an error saying what is wrong with a role
// session name.
func CheckSessionName(name string) error {
	return checkName("role session name", name, sessionName, "2 to 64")
}

func checkName(what, name string, re *regexp.Regexp, length string) error {
	if re.MatchString(name) {
		return nil
	}
	return fmt.Errorf("%s %q is not valid: use %s letters, digits and the characters _+=,.@-", what, name, length)
}

// CheckPath returns an error saying what is wrong with an IAM path.
func CheckPath(path string) error {
	if len(path) <= maxPathLen && iamPath.MatchString(path) {
		return nil
	}
	return fmt.Errorf("path %q is not valid: an IAM path is / or starts and ends with / (at most %d printable ASCII characters)", path, maxPathLen)
}

// CheckAccountID returns an error unless id is a 12-digit account ID.
func CheckAccountID(id string) error {
	if IsAccountID(id) {
		return nil
	}
	return fmt.Errorf("account ID %q is not valid: an AWS account ID is 12 digits", id)
}

// CheckAccountName returns an error saying what is wrong with an account's
// display name. It may be empty.
func CheckAccountName(name string) error {
	if len(name) > maxAccountNameLen {
		return fmt.Errorf("account name is %d characters, at most %d are allowed", len(name), maxAccountNameLen)
	}
	if strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return fmt.Errorf("account name %q contains control characters", name)
	}
	return nil
}

// IsLongTermKeyID reports whether id looks like an AKIA... access key ID.
func IsLongTermKeyID(id string) bool { return longTermKeyID.MatchString(id) }

// IsTemporaryKeyID reports whether id looks like an ASIA... access key ID.
func IsTemporaryKeyID(id string) bool { return temporaryKeyID.MatchString(id) }

// RootARN is the ARN of account's root user.
func RootARN(account string) string { return "arn:aws:iam::" + account + ":root" }

// UserARN is the ARN of an IAM user; path is "/" or "/a/b/".
func UserARN(account, path, name string) string {
	return "arn:aws:iam::" + account + ":user" + normalPath(path) + name
}

// RoleARN is the ARN of an IAM role.
func RoleARN(account, name string) string { return "arn:aws:iam::" + account + ":role/" + name }

// AssumedRoleARN is the ARN of a role session, as STS reports the caller.
func AssumedRoleARN(account, role, session string) string {
	return "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + session
}

// normalPath is path, or "/" when it is empty (the file omits the default).
func normalPath(path string) string {
	if path == "" {
		return "/"
	}
	return path
}
