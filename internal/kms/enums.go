package kms

import "github.com/aws/aws-sdk-go-v2/service/kms/types"

// Enum value sets come from the AWS SDK's generated types, which track the
// service model; the validator reports them in AWS's format.

func enumValues[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}

var (
	keySpecValues               = enumValues(types.KeySpec("").Values())
	customerMasterKeySpecValues = enumValues(types.CustomerMasterKeySpec("").Values())
	keyUsageValues              = enumValues(types.KeyUsageType("").Values())
	originValues                = enumValues(types.OriginType("").Values())
	encryptionAlgorithmValues   = enumValues(types.EncryptionAlgorithmSpec("").Values())
	dataKeySpecValues           = enumValues(types.DataKeySpec("").Values())
	includeKeyMaterialValues    = enumValues(types.IncludeKeyMaterial("").Values())
	dryRunModifierValues        = enumValues(types.DryRunModifierType("").Values())
)

var (
	signingAlgorithmValues       = enumValues(types.SigningAlgorithmSpec("").Values())
	messageTypeValues            = enumValues(types.MessageType("").Values())
	macAlgorithmValues           = enumValues(types.MacAlgorithmSpec("").Values())
	keyAgreementAlgorithmValues  = enumValues(types.KeyAgreementAlgorithmSpec("").Values())
	encapsulationAlgorithmValues = enumValues(types.EncapsulationAlgorithmSpec("").Values())
	dataKeyPairSpecValues        = enumValues(types.DataKeyPairSpec("").Values())
	wrappingAlgorithmValues      = enumValues(types.AlgorithmSpec("").Values())
	wrappingKeySpecValues        = enumValues(types.WrappingKeySpec("").Values())
	expirationModelValues        = enumValues(types.ExpirationModelType("").Values())
	importTypeValues             = enumValues(types.ImportType("").Values())
)
