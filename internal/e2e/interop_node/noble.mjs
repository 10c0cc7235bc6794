// An independent implementation of ML-DSA (FIPS 204) and ML-KEM (FIPS 203),
// @noble/post-quantum, for the interoperability tests of
// interop_node_test.go. Its argument names a file holding a JSON array of
// jobs; standard output is a JSON array of their results, in order. Byte
// strings are base64, as Go's encoding/json writes []byte.
//
//   {"op": "ml-dsa-verify", "param": "65", "publicKey", "message", "signature"}
//       -> {"valid": bool}  pure ML-DSA, empty context (FIPS 204 Algorithm 3)
//   {"op": "ml-kem-encapsulate", "param": "768", "publicKey"}
//       -> {"cipherText", "sharedSecret"}
//   {"op": "ml-kem-keygen", "param": "768", "seed"}  seed = d || z, 64 bytes
//       -> {"publicKey"}
import { readFileSync } from 'node:fs';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { ml_kem512, ml_kem768, ml_kem1024 } from '@noble/post-quantum/ml-kem.js';

const dsa = { 44: ml_dsa44, 65: ml_dsa65, 87: ml_dsa87 };
const kem = { 512: ml_kem512, 768: ml_kem768, 1024: ml_kem1024 };

const bytes = (s) => new Uint8Array(Buffer.from(s, 'base64'));
const b64 = (u) => Buffer.from(u).toString('base64');

function pick(table, param) {
  const scheme = table[param];
  if (!scheme) throw new Error(`unknown parameter set ${param}`);
  return scheme;
}

function run(job) {
  switch (job.op) {
    case 'ml-dsa-verify':
      return { valid: pick(dsa, job.param).verify(bytes(job.signature), bytes(job.message), bytes(job.publicKey)) };
    case 'ml-kem-encapsulate': {
      const { cipherText, sharedSecret } = pick(kem, job.param).encapsulate(bytes(job.publicKey));
      return { cipherText: b64(cipherText), sharedSecret: b64(sharedSecret) };
    }
    case 'ml-kem-keygen':
      return { publicKey: b64(pick(kem, job.param).keygen(bytes(job.seed)).publicKey) };
    default:
      throw new Error(`unknown op ${job.op}`);
  }
}

const jobs = JSON.parse(readFileSync(process.argv[2], 'utf8'));
process.stdout.write(JSON.stringify(jobs.map(run)));
