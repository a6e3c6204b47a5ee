/**
 * LIONESS (Anderson and Biham, "Two Practical and Provably Secure Block Ciphers: BEAR and LION",
 * FSE 1996): a wide-block cipher over the whole payload from a stream cipher and a keyed hash, as
 * Sphinx prescribes for payloads (its PRP π, §3.1). Changing any bit of a ciphertext
 * turns the whole decryption into unrelated bytes, so a modified payload cannot be passed on as a
 * modified plaintext (the tagging attack): the zero block at the start of every payload catches it.
 *
 * Block = L (32 bytes) || R (the rest). Subkeys K1..K4 (32 bytes each) are the first 128 bytes
 * of the ChaCha20 keystream under the 32-byte LIONESS key.
 *   R ^= S(L ^ K1);  L ^= H_K2(R);  R ^= S(L ^ K3);  L ^= H_K4(R)
 * S is ChaCha20 (RFC 8439, zero nonce, counter 0; every round key is distinct) from @noble; H is
 * HMAC-SHA256 (RFC 2104) through the crypto backend (noble's HMAC with `nobleBackend`), which keeps
 * the keyed hash on node:crypto's fast path when the node backend is in use.
 */
import { chacha20 } from '@noble/ciphers/chacha.js';
import type { HashSuite } from '@p2pe/crypto';
import { assertBytes, ValidationError } from '@p2pe/transport-interfaces';
import { LIONESS_KEY_LENGTH } from './constants';

const HALF = 32;
const NONCE = new Uint8Array(12);
const SUBKEY_ZEROS = new Uint8Array(4 * HALF); // read only: noble writes the keystream elsewhere

function roundStream(left: Uint8Array, key: Uint8Array, right: Uint8Array): void {
  const k = new Uint8Array(HALF);
  for (let i = 0; i < HALF; i++) k[i] = left[i]! ^ key[i]!;
  chacha20(k, NONCE, right, right); // in place: R ^= keystream
}

function roundHash(hash: HashSuite, left: Uint8Array, key: Uint8Array, right: Uint8Array): void {
  const h = hash.hmac(key, right);
  for (let i = 0; i < HALF; i++) left[i]! ^= h[i]!;
}

function subkeys(key: Uint8Array, block: Uint8Array): Uint8Array[] {
  assertBytes(key, 'key', LIONESS_KEY_LENGTH);
  assertBytes(block, 'block');
  if (block.length <= HALF) {
    throw new ValidationError(
      'INVALID_LENGTH',
      `"block" expected more than ${HALF} bytes, got length=${block.length}`,
    );
  }
  const k = chacha20(key, NONCE, SUBKEY_ZEROS);
  return [0, 1, 2, 3].map((i) => k.subarray(i * HALF, (i + 1) * HALF));
}

/** LIONESS encryption of `block` under a 32-byte key; returns a new array. */
export function lionessEncrypt(hash: HashSuite, key: Uint8Array, block: Uint8Array): Uint8Array {
  const [k1, k2, k3, k4] = subkeys(key, block) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  const out = block.slice();
  const left = out.subarray(0, HALF);
  const right = out.subarray(HALF);
  roundStream(left, k1, right);
  roundHash(hash, left, k2, right);
  roundStream(left, k3, right);
  roundHash(hash, left, k4, right);
  return out;
}

/** LIONESS decryption (the rounds in reverse); returns a new array. */
export function lionessDecrypt(hash: HashSuite, key: Uint8Array, block: Uint8Array): Uint8Array {
  const out = block.slice();
  lionessDecryptInPlace(hash, key, out);
  return out;
}

/** LIONESS decryption over `block` itself (a relay decrypts into the packet it forwards). */
export function lionessDecryptInPlace(hash: HashSuite, key: Uint8Array, block: Uint8Array): void {
  const [k1, k2, k3, k4] = subkeys(key, block) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  const left = block.subarray(0, HALF);
  const right = block.subarray(HALF);
  roundHash(hash, left, k4, right);
  roundStream(left, k3, right);
  roundHash(hash, left, k2, right);
  roundStream(left, k1, right);
}
