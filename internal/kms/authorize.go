package kms

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/policy"
	"github.com/trent-kms/trent/internal/request"
	"github.com/trent-kms/trent/internal/store"
)

// authorize decides whether the caller may take a's action on k, with
// AWS's evaluation logic (policy.Authorize): the key policy, the caller's
// identity-based policies and, when no policy denies explicitly, the key's
// grants.
func (s *Service) authorize(_ context.Context, tx store.Tx, info *request.Info, k *keys.Key, a *access) error {
	kp, err := s.policies.keyPolicy(tx, k)
	if err != nil {
		return err
	}
	ids, err := s.policies.identityPolicies(info.Caller.Policies)
	if err != nil {
		return err
	}
	req := &policy.Request{
		Subject:  subject(info),
		Action:   "kms:" + a.policyAction(),
		Resource: k.ARN(),
	}
	if req.Context, err = s.keyContext(tx, info, req.Subject, k, a, kp, ids); err != nil {
		return err
	}
	if a.decide != nil {
		if a.decide(req, ids) {
			return nil
		}
		return accessDenied(req, policy.NoResourcePolicyAllows)
	}
	az := policy.Authorization{Request: req, KeyAccount: k.Account, KeyPolicy: kp, IdentityPolicies: ids}
	v := policy.Authorize(&az)
	if !v.Allowed && !explicitDeny(v.Denial) {
		// Grants are consulted only when the policies neither allow nor
		// deny: they cost a store read, and no grant overrides a Deny.
		grantID, err := s.grantAllows(tx, k, info.Caller, a.policyAction(), a.encryptionContext, a.grantTokens, identityAllows(req, ids))
		if err != nil {
			return storeErr(err)
		}
		if grantID != "" {
			az.GrantAllows = true
			if v = policy.Authorize(&az); v.Allowed && a.viaGrant != nil {
				*a.viaGrant = grantID
			}
		}
	}
	if v.Allowed {
		return nil
	}
	return accessDenied(req, v.Denial)
}

// authorizeAccount decides an operation that names no key (CreateKey,
// ListKeys, ListAliases, GenerateRandom, ListRetirableGrants): AWS governs
// these by IAM policies alone ("AWS KMS permissions", "IAM policy only"),
// so the root user may and an IAM principal needs an identity-based policy
// that allows the action on resource "*".
func (s *Service) authorizeAccount(info *request.Info, action string, setContext func(*policy.Context)) error {
	ids, err := s.policies.identityPolicies(info.Caller.Policies)
	if err != nil {
		return err
	}
	c := newConditions(nil, ids)
	sub := subject(info)
	s.requestContext(c, sub, info)
	if setContext != nil {
		setContext(c.ctx)
	}
	req := &policy.Request{Subject: sub, Action: "kms:" + action, Resource: "*", Context: c.ctx}
	if info.Caller.IsRoot() {
		return nil
	}
	denial := policy.NoIdentityPolicyAllows
	for _, p := range ids {
		switch p.Evaluate(req).Decision {
		case policy.Denied:
			return accessDenied(req, policy.ExplicitDenyIdentity)
		case policy.Allowed:
			denial = policy.NoDenial
		}
	}
	if denial == policy.NoDenial {
		return nil
	}
	return accessDenied(req, denial)
}

// explicitDeny reports whether d is an explicit Deny.
func explicitDeny(d policy.Denial) bool {
	return d == policy.ExplicitDenyResource || d == policy.ExplicitDenyIdentity
}

// identityAllows reports whether one of the caller's identity-based
// policies allows the request: what a grant to the caller's account needs
// for a principal other than the account's root user.
func identityAllows(req *policy.Request, ids []*policy.Policy) bool {
	for _, p := range ids {
		if p.Evaluate(req).Decision == policy.Allowed {
			return true
		}
	}
	return false
}

// accessDenied is AWS's AccessDeniedException for a denied request.
func accessDenied(req *policy.Request, d policy.Denial) error {
	return kmserr.AccessDenied("%s", policy.Verdict{Denial: d}.Message(req.Subject.ARN, req.Action, req.Resource))
}

// subject is the policy view of the caller of a request. Callers'
// ARNs are kept in the aws partition; in another partition's Regions (the
// China Regions) the same principal is arn:aws-cn:..., as the key policies
// of keys there name it.
func subject(info *request.Info) policy.Subject {
	c := info.Caller
	return policy.Subject{ARN: inPartition(c.ARN, info.Region), PrincipalARN: inPartition(c.PrincipalARN, info.Region),
		Account: c.Account, Root: c.IsRoot()}
}

// inPartition rewrites an arn:aws: ARN into the partition of region.
func inPartition(arn, region string) string {
	p := keys.Partition(region)
	if p == "aws" {
		return arn
	}
	if rest, ok := strings.CutPrefix(arn, "arn:aws:"); ok {
		return "arn:" + p + ":" + rest
	}
	return arn
}

// requestContext sets the global condition keys every request has; sub
// is the caller as the request's policy.Request names it.
func (s *Service) requestContext(c *conditions, sub policy.Subject, info *request.Info) {
	c.set(policy.KeyPrincipalArn, sub.PrincipalARN)
	c.set(policy.KeyPrincipalAccount, sub.Account)
	c.set(policy.KeyCallerAccount, sub.Account)
	if c.wants(condCurrentTime) || c.wants(condEpochTime) {
		now := s.clock.Now().UTC()
		c.set(condCurrentTime, now.Format(time.RFC3339))
		c.set(condEpochTime, strconv.FormatInt(now.Unix(), 10))
	}
	if info.SourceIP != "" {
		c.set(condSourceIP, info.SourceIP)
	}
	c.set(condSecureTransport, strconv.FormatBool(info.Secure))
}

// Global condition keys of every request.
const (
	condCurrentTime     = "aws:CurrentTime"
	condEpochTime       = "aws:EpochTime"
	condSourceIP        = "aws:SourceIp"
	condSecureTransport = "aws:SecureTransport"
)
