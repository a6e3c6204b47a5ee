import { chacha20 } from '@noble/ciphers/chacha.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  concatBytes,
  LimitError,
  type RandomBytes,
  utf8,
  ValidationError,
} from '@p2pe/transport-interfaces';
import { TEST_DRBG_LABEL, TEST_DRBG_MAX_BLOCKS } from './constants';
import { describeNumber } from './engine';

const BLOCK = 64;

/**
 * A seeded, deterministic `RandomBytes` for TESTS, SIMULATIONS AND VECTOR GENERATORS ONLY.
 *
 * NEVER use it in production: anyone who knows or guesses the seed knows every "random" byte,
 * hence every key generated from it. Production code uses `systemRandomBytes` (the default
 * everywhere a `RandomBytes` is optional).
 *
 * Construction: the ChaCha20 keystream (RFC 8439 §2.4, all-zero 96-bit nonce, block counter from
 * 0) under the key SHA-256(`p2pe/crypto/v1/test-drbg` || 0x00 || seed); a string seed is taken as
 * its UTF-8 bytes. Successive calls continue the one stream, so the output depends only on the
 * seed and the total number of bytes drawn before, not on how the draws were split. Other
 * implementations can reproduce our vectors from this description.
 */
export function deterministicRandomForTestsOnly(seed: Uint8Array | string): RandomBytes {
  const seedBytes = typeof seed === 'string' ? utf8(seed) : seed;
  if (!(seedBytes instanceof Uint8Array)) {
    throw new ValidationError('INVALID_ARGUMENT', '"seed" expected Uint8Array or string');
  }
  const key = sha256(concatBytes(utf8(TEST_DRBG_LABEL), Uint8Array.of(0), seedBytes));
  const nonce = new Uint8Array(12);
  let counter = 0; // next keystream block
  let pending: Uint8Array = new Uint8Array(0); // unread tail of the last block

  return (length: number): Uint8Array => {
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new ValidationError(
        'INVALID_ARGUMENT',
        `"length" expected a non-negative integer, got ${describeNumber(length)}`,
      );
    }
    const out = new Uint8Array(length);
    const fromPending = Math.min(length, pending.length);
    out.set(pending.subarray(0, fromPending));
    pending = pending.subarray(fromPending);
    const rest = length - fromPending;
    if (rest > 0) {
      const blocks = Math.ceil(rest / BLOCK);
      if (counter + blocks > TEST_DRBG_MAX_BLOCKS) {
        throw new LimitError('DRBG_EXHAUSTED', `test DRBG exhausted after ${counter} blocks`);
      }
      const stream = chacha20(key, nonce, new Uint8Array(blocks * BLOCK), undefined, counter);
      counter += blocks;
      out.set(stream.subarray(0, rest), fromPending);
      pending = stream.subarray(rest);
    }
    return out;
  };
}
