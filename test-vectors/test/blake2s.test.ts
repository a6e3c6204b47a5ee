/**
 * pyca/cryptography vectors/cryptography_vectors/hashes/blake2/blake2s.txt (commit 0bf531b0,
 * Apache-2.0 OR BSD-3-Clause): 7 unkeyed BLAKE2s cases with 32-byte digests, `Len` in bits.
 */
import { pycaBlake2Checks } from './blake2-suite';

pycaBlake2Checks({
  file: 'blake2-pyca/blake2s.txt',
  hash: 'BLAKE2s',
  digestBytes: 32,
  other: { hash: 'BLAKE2b', digestBytes: 64 },
  blocks: 7,
});
