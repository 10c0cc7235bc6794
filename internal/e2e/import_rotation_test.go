package e2e

import (
	"bytes"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// TestRotateImportedMaterial: on-demand rotation of a symmetric key with
// imported material (AWS "Rotate imported key material"): new material
// imported with ImportType NEW_KEY_MATERIAL waits as PENDING_ROTATION,
// RotateKeyOnDemand makes it current, old ciphertexts keep decrypting, each
// material can be deleted and imported again on its own, and each expires
// on its own ValidTo.
func TestRotateImportedMaterial(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	md := createExternalKey(t, c, "", "")
	first, second := randomBytes(32), randomBytes(32)
	id1 := mustImport(t, tn, *md.KeyId, first, oaep256)
	enc := func() []byte {
		t.Helper()
		return encryptUnder(t, c, *md.KeyId, []byte("rotated"), nil)
	}
	c1 := enc()

	_, err := c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: md.KeyId})
	wantError(t, err, "KMSInvalidStateException", "No available key material pending rotation for the key: "+*md.Arn+".")

	validTo := tn.clock.Now().Add(48 * time.Hour)
	imp := must[*kms.ImportKeyMaterialOutput](t)(importMaterial(t, tn, *md.KeyId, second, oaep256, kms.ImportKeyMaterialInput{
		ImportType: types.ImportTypeNewKeyMaterial, KeyMaterialDescription: aws.String("second material"),
		ExpirationModel: types.ExpirationModelTypeKeyMaterialExpires, ValidTo: &validTo}))
	id2 := aws.ToString(imp.KeyMaterialId)
	if id2 == id1 || len(id2) != 64 {
		t.Fatalf("new material ID %q (first %q)", id2, id1)
	}
	// Pending material is not used yet.
	if got := aws.ToString(describeKeyMetadata(t, c, *md.KeyId).CurrentKeyMaterialId); got != id1 {
		t.Errorf("before rotation CurrentKeyMaterialId %s, want %s", got, id1)
	}
	if got, err := openTrentBlob(t, first, *md.KeyId, enc()); err != nil || !bytes.Equal(got, []byte("rotated")) {
		t.Errorf("before rotation a new ciphertext does not open with the first material: %v", err)
	}
	states := func() map[string]types.RotationsListEntry {
		t.Helper()
		out := must[*kms.ListKeyRotationsOutput](t)(c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: md.KeyId,
			IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial}))
		m := map[string]types.RotationsListEntry{}
		for _, e := range out.Rotations {
			m[aws.ToString(e.KeyMaterialId)] = e
		}
		return m
	}
	s := states()
	if s[id1].KeyMaterialState != types.KeyMaterialStateCurrent || s[id2].KeyMaterialState != types.KeyMaterialStatePendingRotation ||
		s[id2].ImportState != types.ImportStateImported || aws.ToString(s[id2].KeyMaterialDescription) != "second material" ||
		s[id2].ValidTo == nil || !s[id2].ValidTo.Equal(validTo) {
		t.Errorf("after the new import: %+v", s)
	}
	// One material at a time waits for rotation.
	_, err = importMaterial(t, tn, *md.KeyId, randomBytes(32), oaep256, kms.ImportKeyMaterialInput{
		ImportType: types.ImportTypeNewKeyMaterial, ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire})
	apiError(t, err, "KMSInvalidStateException")

	rot := must[*kms.RotateKeyOnDemandOutput](t)(c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: md.KeyId}))
	if aws.ToString(rot.KeyId) != *md.KeyId {
		t.Errorf("RotateKeyOnDemand KeyId %s", aws.ToString(rot.KeyId))
	}
	got := describeKeyMetadata(t, c, *md.KeyId)
	if aws.ToString(got.CurrentKeyMaterialId) != id2 || got.ExpirationModel != types.ExpirationModelTypeKeyMaterialExpires ||
		got.ValidTo == nil || !got.ValidTo.Equal(validTo) {
		t.Errorf("after rotation: CurrentKeyMaterialId %s, %s, ValidTo %v", aws.ToString(got.CurrentKeyMaterialId), got.ExpirationModel, got.ValidTo)
	}
	s = states()
	if s[id1].KeyMaterialState != types.KeyMaterialStateNonCurrent || s[id2].KeyMaterialState != types.KeyMaterialStateCurrent ||
		s[id2].RotationType != types.RotationTypeOnDemand {
		t.Errorf("after rotation: %+v", s)
	}
	c2 := enc()
	if got, err := openTrentBlob(t, second, *md.KeyId, c2); err != nil || !bytes.Equal(got, []byte("rotated")) {
		t.Errorf("after rotation a new ciphertext does not open with the second material: %v", err)
	}
	decryptsTo(t, c, c1, []byte("rotated"))

	// Deleting the non-current material leaves the key usable, without
	// the ciphertexts made under that material; importing it again with
	// its ID brings them back.
	del := must[*kms.DeleteImportedKeyMaterialOutput](t)(c.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: md.KeyId, KeyMaterialId: aws.String(id1)}))
	if aws.ToString(del.KeyMaterialId) != id1 {
		t.Errorf("DeleteImportedKeyMaterial KeyMaterialId %s, want %s", aws.ToString(del.KeyMaterialId), id1)
	}
	wantKeyState(t, c, *md.KeyId, types.KeyStateEnabled)
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: c1})
	apiError(t, err, "KMSInvalidStateException")
	decryptsTo(t, c, c2, []byte("rotated"))
	if s := states(); s[id1].ImportState != types.ImportStatePendingImport || s[id2].ImportState != types.ImportStateImported {
		t.Errorf("after deleting the first material: %+v", s)
	}
	must[*kms.ImportKeyMaterialOutput](t)(importMaterial(t, tn, *md.KeyId, first, oaep256, kms.ImportKeyMaterialInput{
		ImportType: types.ImportTypeExistingKeyMaterial, KeyMaterialId: aws.String(id1),
		ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire}))
	decryptsTo(t, c, c1, []byte("rotated"))
	if got := aws.ToString(describeKeyMetadata(t, c, *md.KeyId).CurrentKeyMaterialId); got != id2 {
		t.Errorf("re-importing old material changed the current material to %s", got)
	}

	// The current material expires on its own ValidTo: the key is
	// PendingImport; the first material, which does not expire, stays.
	tn.clock.Advance(48*time.Hour + time.Second)
	tn.runDue()
	wantKeyState(t, c, *md.KeyId, types.KeyStatePendingImport)
	if s := states(); s[id2].ImportState != types.ImportStatePendingImport || s[id1].ImportState != types.ImportStateImported {
		t.Errorf("after expiry: %+v", s)
	}
	if n := expiryRecords(t, tn, *md.Arn); n != 1 {
		t.Errorf("%d DeleteExpiredKeyMaterial records, want 1", n)
	}
}
