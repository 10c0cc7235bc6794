package keys

import "crypto"

// KeySpec is the type of key material (the KeySpec enum).
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

	UsageEncryptDecrypt         KeyUsage = "ENCRYPT_DECRYPT"
	UsageSignVerify             KeyUsage = "SIGN_VERIFY"
	UsageGenerateVerifyMAC      KeyUsage = "GENERATE_VERIFY_MAC"
	UsageKeyAgreement           KeyUsage = "KEY_AGREEMENT"
	UsageEncapsulateDecapsulate KeyUsage = "ENCAPSULATE_DECAPSULATE"

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

// SpecInfo is everything AWS KMS fixes for one key spec (docs "Key spec
// reference", shared/spec/README.md §4). Every per-spec rule of the
// service reads it; no handler asks "is this key symmetric?".
type SpecInfo struct {
	Spec KeySpec
	// Material is the kind of key material, a cipher.Kind name ("AES_256"
	// for SYMMETRIC_DEFAULT, the spec's own name otherwise). keys imports
	// nothing of Trent's, so it is a string here.
	Material string
	// Usages are the key usages the spec allows, each with the
	// algorithms a key of that usage offers, in AWS's order.
	Usages []UsageAlgorithms
	// Rotates: automatic and on-demand rotation exist only for symmetric
	// encryption keys.
	Rotates bool
	// Pair: the material is an asymmetric key pair, with a public key.
	Pair bool
	// Bits is the RSA modulus size, which bounds OAEP plaintexts.
	Bits int
	// Regions says where AWS offers the spec: SM2 only in its China
	// Regions, ML-KEM everywhere but there.
	Regions Regions
}

// Regions is where AWS offers a key spec.
type Regions int

// Where AWS offers a key spec.
const (
	Everywhere Regions = iota
	ChinaOnly
	OutsideChina
)

// chinaPartition is the partition of AWS's China Regions.
const chinaPartition = "aws-cn"

// AvailableIn reports whether AWS offers the spec in region. Elsewhere a
// request for it gets UnsupportedOperationException (recorded for SM2
// outside China: "KeySpec SM2 is not supported in this Region"; the API
// Reference says the ML-KEM specs are not available in China Regions).
func (s *SpecInfo) AvailableIn(region string) bool {
	china := Partition(region) == chinaPartition
	switch s.Regions {
	case ChinaOnly:
		return china
	case OutsideChina:
		return !china
	}
	return true
}

// UsageAlgorithms is one usage of a spec and its algorithms.
type UsageAlgorithms struct {
	Usage      KeyUsage
	Algorithms []string
}

var (
	rsaUsages = []UsageAlgorithms{
		{UsageEncryptDecrypt, []string{"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"}},
		// PKCS#1 v1.5 first, as AWS lists them (AWS CLI reference,
		// describe-key example 2).
		{UsageSignVerify, []string{"RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
			"RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512"}},
	}
	mldsaUsages = []UsageAlgorithms{{UsageSignVerify, []string{"ML_DSA_SHAKE_256"}}}
	mlkemUsages = []UsageAlgorithms{{UsageEncapsulateDecapsulate, []string{"ML_KEM"}}}
)

func nistUsages(sign string) []UsageAlgorithms {
	return []UsageAlgorithms{{UsageSignVerify, []string{sign}}, {UsageKeyAgreement, []string{"ECDH"}}}
}

func macUsages(alg string) []UsageAlgorithms {
	return []UsageAlgorithms{{UsageGenerateVerifyMAC, []string{alg}}}
}

// specs is the key-spec table.
var specs = []SpecInfo{
	{Spec: SpecSymmetricDefault, Material: "AES_256", Rotates: true,
		Usages: []UsageAlgorithms{{UsageEncryptDecrypt, []string{EncryptionAlgorithmSymmetricDefault}}}},
	{Pair: true, Spec: "RSA_2048", Material: "RSA_2048", Bits: 2048, Usages: rsaUsages},
	{Pair: true, Spec: "RSA_3072", Material: "RSA_3072", Bits: 3072, Usages: rsaUsages},
	{Pair: true, Spec: "RSA_4096", Material: "RSA_4096", Bits: 4096, Usages: rsaUsages},
	{Pair: true, Spec: "ECC_NIST_P256", Material: "ECC_NIST_P256", Usages: nistUsages("ECDSA_SHA_256")},
	{Pair: true, Spec: "ECC_NIST_P384", Material: "ECC_NIST_P384", Usages: nistUsages("ECDSA_SHA_384")},
	{Pair: true, Spec: "ECC_NIST_P521", Material: "ECC_NIST_P521", Usages: nistUsages("ECDSA_SHA_512")},
	{Pair: true, Spec: "ECC_SECG_P256K1", Material: "ECC_SECG_P256K1",
		Usages: []UsageAlgorithms{{UsageSignVerify, []string{"ECDSA_SHA_256"}}}},
	{Pair: true, Spec: "ECC_NIST_EDWARDS25519", Material: "ECC_NIST_EDWARDS25519",
		Usages: []UsageAlgorithms{{UsageSignVerify, []string{"ED25519_SHA_512", "ED25519_PH_SHA_512"}}}},
	{Spec: "HMAC_224", Material: "HMAC_224", Usages: macUsages("HMAC_SHA_224")},
	{Spec: "HMAC_256", Material: "HMAC_256", Usages: macUsages("HMAC_SHA_256")},
	{Spec: "HMAC_384", Material: "HMAC_384", Usages: macUsages("HMAC_SHA_384")},
	{Spec: "HMAC_512", Material: "HMAC_512", Usages: macUsages("HMAC_SHA_512")},
	{Pair: true, Spec: "ML_DSA_44", Material: "ML_DSA_44", Usages: mldsaUsages},
	{Pair: true, Spec: "ML_DSA_65", Material: "ML_DSA_65", Usages: mldsaUsages},
	{Pair: true, Spec: "ML_DSA_87", Material: "ML_DSA_87", Usages: mldsaUsages},
	{Pair: true, Spec: "ML_KEM_512", Material: "ML_KEM_512", Usages: mlkemUsages, Regions: OutsideChina},
	{Pair: true, Spec: "ML_KEM_768", Material: "ML_KEM_768", Usages: mlkemUsages, Regions: OutsideChina},
	{Pair: true, Spec: "ML_KEM_1024", Material: "ML_KEM_1024", Usages: mlkemUsages, Regions: OutsideChina},
	{Pair: true, Spec: "SM2", Material: "SM2", Regions: ChinaOnly, Usages: []UsageAlgorithms{
		{UsageEncryptDecrypt, []string{"SM2PKE"}},
		{UsageSignVerify, []string{"SM2DSA"}},
		{UsageKeyAgreement, []string{"ECDH"}},
	}},
}

var specByName = func() map[KeySpec]*SpecInfo {
	m := make(map[KeySpec]*SpecInfo, len(specs))
	for i := range specs {
		m[specs[i].Spec] = &specs[i]
	}
	return m
}()

// Spec returns the table's entry for spec, or nil for a spec AWS does not
// have.
func Spec(spec KeySpec) *SpecInfo { return specByName[spec] }

// SpecInfo returns the key-spec table's entry for the key's spec. A stored
// key always has a spec of the table; should one not (a record written by
// a newer version), the entry is empty: no usages, no algorithms, no
// rotation, so every use of the key is refused rather than a nil entry
// crashing the request.
func (k *Key) SpecInfo() *SpecInfo {
	if s := Spec(k.Spec); s != nil {
		return s
	}
	return &SpecInfo{Spec: k.Spec}
}

// Specs returns every key spec of the table.
func Specs() []KeySpec {
	out := make([]KeySpec, len(specs))
	for i := range specs {
		out[i] = specs[i].Spec
	}
	return out
}

// Algorithms returns the algorithms of usage u, nil if the spec does not
// allow u.
func (s *SpecInfo) Algorithms(u KeyUsage) []string {
	for _, ua := range s.Usages {
		if ua.Usage == u {
			return ua.Algorithms
		}
	}
	return nil
}

// Allows reports whether the spec allows usage u.
func (s *SpecInfo) Allows(u KeyUsage) bool { return s.Algorithms(u) != nil }

// Offers reports whether a key of this spec and usage u offers algorithm
// alg.
func (s *SpecInfo) Offers(u KeyUsage, alg string) bool {
	for _, a := range s.Algorithms(u) {
		if a == alg {
			return true
		}
	}
	return false
}

// Compatible reports whether a key of spec may have usage u.
func Compatible(spec KeySpec, u KeyUsage) bool {
	s := Spec(spec)
	return s != nil && s.Allows(u)
}

// MaxPlaintext is the largest plaintext Encrypt takes under encryption
// algorithm alg (model, Encrypt): 4096 bytes for SYMMETRIC_DEFAULT, 1024
// for SM2PKE; for RSAES-OAEP the modulus length less twice the hash length
// less two (RFC 8017 §7.1.1), which gives AWS's published 214/190 bytes for
// RSA_2048, 342/318 for RSA_3072 and 470/446 for RSA_4096.
func (s *SpecInfo) MaxPlaintext(alg string) int {
	switch {
	case alg == EncryptionAlgorithmSM2PKE:
		return maxSM2Plaintext
	case s.Bits > 0:
		return s.Bits/8 - 2*OAEPHash(alg).Size() - 2
	}
	return MaxPlaintextBytes
}

// EncryptionAlgorithmSM2PKE is SM2 public-key encryption (China Regions).
const EncryptionAlgorithmSM2PKE = "SM2PKE"

// maxSM2Plaintext is the model's SM2PKE limit.
const maxSM2Plaintext = 1024

// MaxPlaintextBytes is the model's limit on every plaintext.
const MaxPlaintextBytes = 4096

// OAEPHash is the hash (for OAEP and its MGF1) of an RSAES_OAEP algorithm.
func OAEPHash(alg string) crypto.Hash {
	if alg == "RSAES_OAEP_SHA_1" {
		return crypto.SHA1
	}
	return crypto.SHA256
}
