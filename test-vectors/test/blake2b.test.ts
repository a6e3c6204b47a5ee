/**
 * pyca/cryptography vectors/cryptography_vectors/hashes/blake2/blake2b.txt (commit a60a48a2,
 * Apache-2.0 OR BSD-3-Clause): 7 unkeyed BLAKE2b cases with 64-byte digests, `Len` in bits.
 */
import { pycaBlake2Checks } from './blake2-suite';

pycaBlake2Checks({
  file: 'blake2-pyca/blake2b.txt',
  hash: 'BLAKE2b',
  digestBytes: 64,
  other: { hash: 'BLAKE2s', digestBytes: 32 },
  blocks: 7,
});
