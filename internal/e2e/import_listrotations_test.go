package e2e

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// TestListKeyRotationsOfImportedMaterial: ListKeyRotations names an
// imported key's material with its import state: IMPORTED with its
// expiration while imported, PENDING_IMPORT once deleted, and CURRENT
// throughout.
func TestListKeyRotationsOfImportedMaterial(t *testing.T) {
	t.Parallel()
	c := startNode(t).kms()
	md := must[*kms.CreateKeyOutput](t)(c.CreateKey(ctx, &kms.CreateKeyInput{Origin: types.OriginTypeExternal})).KeyMetadata
	token, wrapped := wrapForImport(t, c, *md.KeyId, randomBytes(32))
	imp := must[*kms.ImportKeyMaterialOutput](t)(c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: md.KeyId,
		ImportToken: token, EncryptedKeyMaterial: wrapped, ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire}))
	list := func() types.RotationsListEntry {
		t.Helper()
		out := must[*kms.ListKeyRotationsOutput](t)(c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: md.KeyId,
			IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial}))
		if len(out.Rotations) != 1 {
			t.Fatalf("ListKeyRotations: %d entries, want the one imported material", len(out.Rotations))
		}
		return out.Rotations[0]
	}
	e := list()
	if *e.KeyMaterialId != *imp.KeyMaterialId || e.KeyMaterialState != types.KeyMaterialStateCurrent ||
		e.ImportState != types.ImportStateImported || e.ExpirationModel != types.ExpirationModelTypeKeyMaterialDoesNotExpire {
		t.Errorf("imported: %s %s %s %s", *e.KeyMaterialId, e.KeyMaterialState, e.ImportState, e.ExpirationModel)
	}
	must[*kms.DeleteImportedKeyMaterialOutput](t)(c.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: md.KeyId}))
	e = list()
	if *e.KeyMaterialId != *imp.KeyMaterialId || e.KeyMaterialState != types.KeyMaterialStateCurrent || e.ImportState != types.ImportStatePendingImport {
		t.Errorf("after deletion: %s %s %s", *e.KeyMaterialId, e.KeyMaterialState, e.ImportState)
	}
}
