package keys

// KeySpec is the type of key material (the KeySpec enum). Only
// SYMMETRIC_DEFAULT is implemented today; the other values are known so that
// requests naming them get AWS's "unsupported" errors rather than validation
// errors.
type KeySpec string

// KeyUsage is what a key is for (the KeyUsageType enum).
type KeyUsage string

// Origin is where key material comes from (the OriginType enum).
type Origin string

// Manager says who manages a key (the KeyManagerType enum).
type Manager string

// Key specs, usages, origins and managers used by the service.
const (
	SpecSymmetricDefault KeySpec = "SYMMETRIC_DEFAULT"

	UsageEncryptDecrypt KeyUsage = "ENCRYPT_DECRYPT"

	OriginAWSKMS           Origin = "AWS_KMS"
	OriginExternal         Origin = "EXTERNAL"
	OriginAWSCloudHSM      Origin = "AWS_CLOUDHSM"
	OriginExternalKeyStore Origin = "EXTERNAL_KEY_STORE"

	ManagerCustomer Manager = "CUSTOMER"
	ManagerAWS      Manager = "AWS"
)

// EncryptionAlgorithmSymmetricDefault is the only encryption algorithm of a
// SYMMETRIC_DEFAULT key (AES-256-GCM).
const EncryptionAlgorithmSymmetricDefault = "SYMMETRIC_DEFAULT"

// compatibleUsages lists the key usages each key spec allows (docs "Key spec
// reference"). A spec missing from the map is unknown.
var compatibleUsages = map[KeySpec][]KeyUsage{
	"SYMMETRIC_DEFAULT":     {"ENCRYPT_DECRYPT"},
	"RSA_2048":              {"ENCRYPT_DECRYPT", "SIGN_VERIFY"},
	"RSA_3072":              {"ENCRYPT_DECRYPT", "SIGN_VERIFY"},
	"RSA_4096":              {"ENCRYPT_DECRYPT", "SIGN_VERIFY"},
	"ECC_NIST_P256":         {"SIGN_VERIFY", "KEY_AGREEMENT"},
	"ECC_NIST_P384":         {"SIGN_VERIFY", "KEY_AGREEMENT"},
	"ECC_NIST_P521":         {"SIGN_VERIFY", "KEY_AGREEMENT"},
	"ECC_SECG_P256K1":       {"SIGN_VERIFY"},
	"ECC_NIST_EDWARDS25519": {"SIGN_VERIFY"},
	"HMAC_224":              {"GENERATE_VERIFY_MAC"},
	"HMAC_256":              {"GENERATE_VERIFY_MAC"},
	"HMAC_384":              {"GENERATE_VERIFY_MAC"},
	"HMAC_512":              {"GENERATE_VERIFY_MAC"},
	"SM2":                   {"ENCRYPT_DECRYPT", "SIGN_VERIFY", "KEY_AGREEMENT"},
	"ML_DSA_44":             {"SIGN_VERIFY"},
	"ML_DSA_65":             {"SIGN_VERIFY"},
	"ML_DSA_87":             {"SIGN_VERIFY"},
	"ML_KEM_512":            {"ENCAPSULATE_DECAPSULATE"},
	"ML_KEM_768":            {"ENCAPSULATE_DECAPSULATE"},
	"ML_KEM_1024":           {"ENCAPSULATE_DECAPSULATE"},
}

// Compatible reports whether a key of spec may have usage u.
func Compatible(spec KeySpec, u KeyUsage) bool {
	for _, c := range compatibleUsages[spec] {
		if c == u {
			return true
		}
	}
	return false
}
