package kms

// The import operations (GetParametersForImport, ImportKeyMaterial,
// DeleteImportedKeyMaterial): their wire shapes and the rules they share.
// Each operation is in a file of its own (import_*.go); the import record
// and tokens in importrecord.go.

import (
	"regexp"

	"github.com/trent-kms/trent/internal/cipher"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
)

// GetParametersForImportInput is the GetParametersForImport request.
type GetParametersForImportInput struct {
	KeyId             *string `json:"KeyId,omitempty"`
	WrappingAlgorithm *string `json:"WrappingAlgorithm,omitempty"`
	WrappingKeySpec   *string `json:"WrappingKeySpec,omitempty"`
}

// GetParametersForImportOutput is the GetParametersForImport response.
type GetParametersForImportOutput struct {
	KeyId             string `json:"KeyId"`
	ImportToken       []byte `json:"ImportToken"`
	PublicKey         []byte `json:"PublicKey"`
	ParametersValidTo *Time  `json:"ParametersValidTo"`
}

// ImportKeyMaterialInput is the ImportKeyMaterial request.
type ImportKeyMaterialInput struct {
	KeyId                  *string `json:"KeyId,omitempty"`
	ImportToken            []byte  `json:"ImportToken,omitempty"`
	EncryptedKeyMaterial   []byte  `json:"EncryptedKeyMaterial,omitempty" audit:"-"`
	ValidTo                *Time   `json:"ValidTo,omitempty"`
	ExpirationModel        *string `json:"ExpirationModel,omitempty"`
	ImportType             *string `json:"ImportType,omitempty"`
	KeyMaterialDescription *string `json:"KeyMaterialDescription,omitempty"`
	KeyMaterialId          *string `json:"KeyMaterialId,omitempty"`
}

// ImportKeyMaterialOutput is the ImportKeyMaterial response.
type ImportKeyMaterialOutput struct {
	KeyId         string `json:"KeyId"`
	KeyMaterialId string `json:"KeyMaterialId,omitempty"`
}

// DeleteImportedKeyMaterialInput is the DeleteImportedKeyMaterial request.
type DeleteImportedKeyMaterialInput struct {
	KeyId         *string `json:"KeyId,omitempty"`
	KeyMaterialId *string `json:"KeyMaterialId,omitempty"`
}

// DeleteImportedKeyMaterialOutput is the DeleteImportedKeyMaterial
// response.
type DeleteImportedKeyMaterialOutput struct {
	KeyId         string `json:"KeyId"`
	KeyMaterialId string `json:"KeyMaterialId,omitempty"`
}

// The model's enums and limits of the import operations.
const (
	expirationExpires       = "KEY_MATERIAL_EXPIRES"
	expirationDoesNotExpire = "KEY_MATERIAL_DOES_NOT_EXPIRE"
	importNew               = "NEW_KEY_MATERIAL"
	// maxValidTo: ValidTo may be at most 365 days after the request
	// (model, ImportKeyMaterial).
	maxValidTo = 365 * keys.Day
)

// wrappingSpecs are the WrappingKeySpec values Trent offers, with the
// material kind of the wrapping key. SM2 is offered in the China Regions
// only, as the key spec is.
var wrappingSpecs = map[string]cipher.Kind{
	"RSA_2048": cipher.KindRSA2048, "RSA_3072": cipher.KindRSA3072, "RSA_4096": cipher.KindRSA4096,
	"SM2": cipher.KindSM2,
}

// wrappingAlgorithms are the WrappingAlgorithm values Trent accepts, with
// whether they wrap with an SM2 key (SM2PKE, with an SM2 wrapping key
// only) rather than an RSA one. RSAES_PKCS1_V1_5 is refused as AWS has
// since October 2023.
var wrappingAlgorithms = map[string]bool{
	"RSAES_OAEP_SHA_1": false, "RSAES_OAEP_SHA_256": false,
	"RSA_AES_KEY_WRAP_SHA_1": false, "RSA_AES_KEY_WRAP_SHA_256": false,
	"SM2PKE": true,
}

// checkWrapping refuses a wrapping AWS does not offer in region: SM2 and
// SM2PKE only in the China Regions, and only together (model,
// GetParametersForImport). The messages are (unverified).
func checkWrapping(alg, spec, region string) (cipher.Kind, error) {
	sm2Alg, ok := wrappingAlgorithms[alg]
	if !ok {
		return "", kmserr.UnsupportedOperation("The wrapping algorithm %s is not supported.", alg)
	}
	kind := wrappingSpecs[spec]
	if kind == "" || (kind == cipher.KindSM2 || sm2Alg) && !keys.Spec("SM2").AvailableIn(region) {
		return "", kmserr.UnsupportedOperation("The wrapping key spec %s with algorithm %s is not supported in this Region.", spec, alg)
	}
	if (kind == cipher.KindSM2) != sm2Alg {
		return "", kmserr.Validation("The wrapping algorithm %s cannot be used with the wrapping key spec %s.", alg, spec)
	}
	return kind, nil
}

var (
	keyMaterialIDPattern          = regexp.MustCompile(`^[a-f0-9]+$`)
	keyMaterialDescriptionPattern = regexp.MustCompile(`^[a-zA-Z0-9:/_\s.-]+$`)
)

// checkExternal refuses a key whose material is not imported, with AWS's
// recorded message.
func checkExternal(k *keys.Key) error {
	if k.Origin != keys.OriginExternal {
		return kmserr.UnsupportedOperation("%s origin is %s which is not valid for this operation.", k.ARN(), k.Origin)
	}
	return nil
}
