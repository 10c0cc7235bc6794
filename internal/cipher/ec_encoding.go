package cipher

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"fmt"
	"reflect"
)

// Encodings shared by every id-ecPublicKey curve (the NIST curves and
// secp256k1). Go's x509 does not know secp256k1, and it ignores bytes
// after a PKCS#8 and the public key inside it, so Parse reads PKCS#8
// itself for all four curves.

// ecPrivateKeyInfo is the PKCS#8 PrivateKeyInfo (RFC 5208) of an EC key
// with a named curve (RFC 5480). Attributes are allowed and ignored.
type ecPrivateKeyInfo struct {
	Version    int
	Algorithm  ecAlgorithm
	PrivateKey []byte
	Attributes asn1.RawValue `asn1:"optional,tag:0"`
}

type ecAlgorithm struct {
	Algorithm  asn1.ObjectIdentifier
	NamedCurve asn1.ObjectIdentifier
}

// ecPrivateKey is the ECPrivateKey of RFC 5915.
type ecPrivateKey struct {
	Version    int
	PrivateKey []byte
	NamedCurve asn1.ObjectIdentifier `asn1:"optional,explicit,tag:0"`
	PublicKey  asn1.BitString        `asn1:"optional,explicit,tag:1"`
}

// ecSubjectPublicKeyInfo is an RFC 5480 EC public key.
type ecSubjectPublicKeyInfo struct {
	Algorithm ecAlgorithm
	PublicKey asn1.BitString
}

// ecStrictDER unmarshals der into the struct v points to and accepts it
// only if it is exactly the DER encoding of what it read: no trailing
// bytes, no elements encoding/asn1 skips at the end of a SEQUENCE, no
// BER. DER being canonical, re-encoding and comparing is the whole check.
func ecStrictDER(der []byte, v any) error {
	rest, err := asn1.Unmarshal(der, v)
	if err != nil {
		return errors.New("not DER of the expected structure")
	}
	if len(rest) != 0 {
		return errors.New("trailing bytes")
	}
	again, err := asn1.Marshal(reflect.ValueOf(v).Elem().Interface())
	defer clear(again)
	if err != nil || !bytes.Equal(again, der) {
		return errors.New("not DER of the expected structure")
	}
	return nil
}

// ecParsePKCS8 reads a PKCS#8 EC private key on curve. It returns the
// private scalar, left-padded to scalarLen bytes (OpenSSL once dropped
// leading zeros), and the public point of the ECPrivateKey, nil if absent.
// It does not check the scalar's range or the point; the caller does.
// Errors never contain key bytes.
func ecParsePKCS8(der []byte, curve asn1.ObjectIdentifier, scalarLen int) (scalar, pub []byte, err error) {
	var info ecPrivateKeyInfo
	if err := ecStrictDER(der, &info); err != nil {
		return nil, nil, fmt.Errorf("PKCS#8: %v", err)
	}
	defer clear(info.PrivateKey)
	if info.Version != 0 {
		return nil, nil, errors.New("PKCS#8: unsupported version")
	}
	if !info.Algorithm.Algorithm.Equal(oidECPublicKey) || !info.Algorithm.NamedCurve.Equal(curve) {
		return nil, nil, errors.New("PKCS#8: not a key of this curve")
	}
	var ec ecPrivateKey
	if err := ecStrictDER(info.PrivateKey, &ec); err != nil {
		return nil, nil, fmt.Errorf("ECPrivateKey: %v", err)
	}
	defer clear(ec.PrivateKey)
	switch {
	case ec.Version != 1:
		return nil, nil, errors.New("ECPrivateKey: unsupported version")
	case ec.NamedCurve != nil && !ec.NamedCurve.Equal(curve):
		return nil, nil, errors.New("ECPrivateKey: parameters name another curve")
	case len(ec.PrivateKey) == 0 || len(ec.PrivateKey) > scalarLen:
		return nil, nil, errors.New("ECPrivateKey: private key of the wrong length")
	case ec.PublicKey.Bytes != nil && ec.PublicKey.BitLength != 8*len(ec.PublicKey.Bytes):
		return nil, nil, errors.New("ECPrivateKey: public key is not whole bytes")
	}
	scalar = make([]byte, scalarLen)
	copy(scalar[scalarLen-len(ec.PrivateKey):], ec.PrivateKey)
	// A BIT STRING's Bytes alias the input, here info.PrivateKey, which is
	// wiped on return: copy them out.
	return scalar, bytes.Clone(ec.PublicKey.Bytes), nil
}

// ecMarshalPKCS8 is the inverse of ecParsePKCS8: the form OpenSSL's
// "pkcs8 -topk8" and Go's x509.MarshalPKCS8PrivateKey write, without the
// curve inside the ECPrivateKey (the PKCS#8 algorithm names it) and with
// the uncompressed public point.
func ecMarshalPKCS8(curve asn1.ObjectIdentifier, scalar, pubPoint []byte) ([]byte, error) {
	inner, err := asn1.Marshal(ecPrivateKey{
		Version:    1,
		PrivateKey: scalar,
		PublicKey:  asn1.BitString{Bytes: pubPoint, BitLength: 8 * len(pubPoint)},
	})
	defer clear(inner)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(ecPrivateKeyInfo{
		Algorithm:  ecAlgorithm{Algorithm: oidECPublicKey, NamedCurve: curve},
		PrivateKey: inner,
	})
}

// ecParseSPKI reads an EC SubjectPublicKeyInfo on curve, in strict DER,
// and returns its point encoding (a slice of der), which the caller
// validates.
func ecParseSPKI(der []byte, curve asn1.ObjectIdentifier) ([]byte, error) {
	var spki ecSubjectPublicKeyInfo
	if err := ecStrictDER(der, &spki); err != nil {
		return nil, err
	}
	if !spki.Algorithm.Algorithm.Equal(oidECPublicKey) || !spki.Algorithm.NamedCurve.Equal(curve) {
		return nil, errors.New("not a public key of this curve")
	}
	if spki.PublicKey.BitLength != 8*len(spki.PublicKey.Bytes) {
		return nil, errors.New("public key is not whole bytes")
	}
	return spki.PublicKey.Bytes, nil
}

// ecMarshalSPKI is the inverse of ecParseSPKI.
func ecMarshalSPKI(curve asn1.ObjectIdentifier, point []byte) ([]byte, error) {
	return asn1.Marshal(ecSubjectPublicKeyInfo{
		Algorithm: ecAlgorithm{Algorithm: oidECPublicKey, NamedCurve: curve},
		PublicKey: asn1.BitString{Bytes: point, BitLength: 8 * len(point)},
	})
}
