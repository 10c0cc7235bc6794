package audit

import (
	"testing"

	"github.com/trent-kms/trent/internal/identity"
)

func TestUserIdentityOfEachPrincipalType(t *testing.T) {
	user := userIdentity(identity.Caller{Type: identity.TypeIAMUser, Account: "111122223333",
		ARN: "arn:aws:iam::111122223333:user/dev/alice", PrincipalARN: "arn:aws:iam::111122223333:user/dev/alice",
		PrincipalID: "AIDAEXAMPLE", AccessKeyID: "AKIAEXAMPLE"})
	if user.UserName != "alice" || user.SessionContext != nil || user.ARN != "arn:aws:iam::111122223333:user/dev/alice" ||
		user.AccessKeyID != "AKIAEXAMPLE" || user.PrincipalID != "AIDAEXAMPLE" {
		t.Errorf("IAM user: %+v", user)
	}
	role := userIdentity(identity.Caller{Type: identity.TypeAssumedRole, Account: "111122223333",
		ARN: "arn:aws:sts::111122223333:assumed-role/Admin/ops", PrincipalARN: "arn:aws:iam::111122223333:role/Admin"})
	if role.UserName != "" || role.SessionContext == nil ||
		role.SessionContext.SessionIssuer != (SessionIssuer{Type: "Role", ARN: "arn:aws:iam::111122223333:role/Admin", AccountID: "111122223333", UserName: "Admin"}) {
		t.Errorf("role session: %+v", role)
	}
	root := userIdentity(identity.RootCaller("111122223333", "AKIAROOT"))
	if root.Type != "Root" || root.UserName != "" || root.SessionContext != nil || root.ARN != "arn:aws:iam::111122223333:root" {
		t.Errorf("root: %+v", root)
	}
}
