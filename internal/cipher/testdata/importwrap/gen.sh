#!/bin/sh
# Regenerates the import-wrapping fixtures of importwrap_test.go with
# OpenSSL (these were made with OpenSSL 3.0.19), wrapping key material
# exactly as AWS KMS's documentation shows ("Importing key material, step 3:
# encrypt the key material"). Run it from this directory. The keys here are
# test keys, made for these fixtures and used nowhere else.
set -eu

# The wrapping key pair; AWS's GetParametersForImport returns the public
# half as DER SubjectPublicKeyInfo, and the user encrypts to that.
# (OpenSSL 3.0's genpkey writes PKCS#1 when asked for DER; pkcs8 -topk8
# gives the PKCS#8 form, as AWS's documentation does for the material.)
pkcs8() { # out genpkey-options...
	out=$1
	shift
	openssl genpkey "$@" | openssl pkcs8 -topk8 -nocrypt -outform DER -out "$out"
}
pkcs8 wrapping_key.der -algorithm RSA -pkeyopt rsa_keygen_bits:2048
openssl pkey -inform DER -in wrapping_key.der -pubout -outform DER -out wrapping_public.der

# Key material: 32 random bytes (SYMMETRIC_DEFAULT or HMAC), an ECC_NIST_P256
# private key and an RSA_2048 private key, both DER PKCS#8.
openssl rand -out material_symmetric.bin 32
pkcs8 material_p256.der -algorithm EC -pkeyopt ec_paramgen_curve:P-256
pkcs8 material_rsa2048.der -algorithm RSA -pkeyopt rsa_keygen_bits:2048

# RSAES_OAEP_SHA_1 / RSAES_OAEP_SHA_256: the material itself, RSA-OAEP.
oaep() { # hash in out
	openssl pkeyutl -encrypt -in "$2" -out "$3" -inkey wrapping_public.der -keyform DER -pubin \
		-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:"$1" -pkeyopt rsa_mgf1_md:"$1"
}
for h in sha1 sha256; do
	oaep $h material_symmetric.bin symmetric_RSAES_OAEP_$h.bin
	oaep $h material_p256.der p256_RSAES_OAEP_$h.bin
done

# RSA_AES_KEY_WRAP_SHA_1 / _SHA_256: an ephemeral AES-256 key wraps the
# material (AES Key Wrap with Padding, RFC 5649), the AES key is RSA-OAEP
# encrypted, and the blob is the RSA ciphertext followed by the wrap. The
# ephemeral key is kept (aes_key.bin) so the tests can re-encrypt it under
# other wrapping keys and reuse OpenSSL's wrap.
openssl rand -out aes_key.bin 32
for m in symmetric.bin p256.der rsa2048.der; do
	openssl enc -id-aes256-wrap-pad -K "$(xxd -p <aes_key.bin | tr -d '\n')" -iv A65959A6 \
		-in material_$m -out kwp_${m%.*}.bin
	for h in sha1 sha256; do
		oaep $h aes_key.bin aes_key_$h.bin
		cat aes_key_$h.bin kwp_${m%.*}.bin >${m%.*}_RSA_AES_KEY_WRAP_$h.bin
		rm aes_key_$h.bin
	done
done
