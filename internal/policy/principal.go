package policy

import "strings"

// valid reports whether every principal in p has a form KMS accepts. KMS
// also requires the principals to exist; Trent has no IAM to ask, so only
// the form is checked.
//
// Forms from "AWS JSON policy elements: Principal"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
// Wildcards inside a principal ARN are refused: "You cannot use a wildcard
// to match part of a principal name or ARN". Unique IDs such as
// AIDACKCEVSQ6C2EXAMPLE are refused too, as KMS does (Knowledge Center,
// "kms-policy-error-invalid-principals").
func (p *Principal) valid() bool {
	return allValid(p.AWS, validAWSPrincipal) &&
		allValid(p.Service, validServicePrincipal) &&
		allValid(p.Federated, validFederatedPrincipal) &&
		allValid(p.CanonicalUser, validCanonicalUser)
}

func allValid(list []string, ok func(string) bool) bool {
	for _, s := range list {
		if !ok(s) {
			return false
		}
	}
	return true
}

// validAWSPrincipal accepts "*", an account ID, or the ARN of an account
// root, IAM user, IAM role, assumed-role session or federated-user session.
// IAM groups cannot be principals.
func validAWSPrincipal(s string) bool {
	if s == "*" || isAccountID(s) {
		return true
	}
	service, resource, ok := splitPrincipalARN(s)
	if !ok {
		return false
	}
	switch service {
	case "iam":
		return resource == "root" || hasNamedPrefix(resource, "user/") || hasNamedPrefix(resource, "role/")
	case "sts":
		return hasNamedPrefix(resource, "assumed-role/") || hasNamedPrefix(resource, "federated-user/")
	}
	return false
}

// validServicePrincipal accepts a service DNS name such as
// "logs.us-east-1.amazonaws.com" or "ec2.amazonaws.com.cn".
func validServicePrincipal(s string) bool {
	return isDNSName(s)
}

// validFederatedPrincipal accepts an IAM SAML or OIDC provider ARN, or a
// web identity provider name such as "cognito-identity.amazonaws.com" or
// "accounts.google.com".
func validFederatedPrincipal(s string) bool {
	if service, resource, ok := splitPrincipalARN(s); ok {
		return service == "iam" &&
			(hasNamedPrefix(resource, "saml-provider/") || hasNamedPrefix(resource, "oidc-provider/"))
	}
	return isDNSName(s)
}

// validCanonicalUser accepts an S3 canonical user ID: 64 lowercase hex digits.
func validCanonicalUser(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'f') {
			return false
		}
	}
	return true
}

// splitPrincipalARN splits arn:<partition>:<service>::<account>:<resource>,
// the form of every IAM and STS principal ARN (global services, so the
// region is empty). It refuses wildcards and whitespace anywhere.
func splitPrincipalARN(s string) (service, resource string, ok bool) {
	if strings.ContainsAny(s, "*? \t\r\n") {
		return "", "", false
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !isPartition(parts[1]) ||
		parts[3] != "" || !isAccountID(parts[4]) || parts[5] == "" {
		return "", "", false
	}
	return parts[2], parts[5], true
}

// isPartition accepts "aws" and the "aws-..." partitions (aws-cn,
// aws-us-gov, aws-iso, aws-iso-b, aws-eusc, ...).
func isPartition(s string) bool {
	rest, ok := strings.CutPrefix(s, "aws")
	if !ok {
		return false
	}
	if rest == "" {
		return true
	}
	rest, ok = strings.CutPrefix(rest, "-")
	return ok && allOf(rest, func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' })
}

// isAccountID reports whether s is a 12-digit AWS account ID.
func isAccountID(s string) bool {
	return len(s) == 12 && allOf(s, func(c byte) bool { return c >= '0' && c <= '9' })
}

// hasNamedPrefix reports whether s is prefix followed by a non-empty name.
func hasNamedPrefix(s, prefix string) bool {
	return len(s) > len(prefix) && strings.HasPrefix(s, prefix)
}

// isDNSName accepts dot-separated labels of lowercase letters, digits and
// hyphens, at least two labels, no label empty or starting or ending with a
// hyphen.
func isDNSName(s string) bool {
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || l[0] == '-' || l[len(l)-1] == '-' ||
			!allOf(l, func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' }) {
			return false
		}
	}
	return true
}
