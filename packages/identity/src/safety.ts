/**
 * Comparing identities by eye and by ear.
 *
 * Safety number (as Signal's numeric fingerprint): for each identity key K, a 30-digit half:
 *   h_0 = SHA-512(`p2pe/identity/v1/safety-number` || 0x00 || K)
 *   h_i = SHA-512(h_{i-1} || K)                      for i = 1 … 5200
 *   the first 30 bytes of h_5200 as 6 big-endian 40-bit numbers, each mod 100000, 5 digits each.
 * That is 5,201 SHA-512 evaluations; Signal's NumericFingerprintGenerator makes 5,200 (its h_0
 * hashes version 0x0000 || key || stable id || key), and its 5-digit chunks are the same. Signal
 * hashes a stable identifier (phone number, account id) beside the key; our peer id is a hash of
 * the key, so hashing it as well would bind nothing more. The safety number of two identities is
 * the two halves in ascending order (as Signal's): 60 digits, the same on both sides, shown as 12
 * groups of 5. Because of the sorting, only a comparison of all 60 digits is worth anything: a
 * man in the middle whose key's half sorts before both victims' halves (about 3 tries) shows the
 * same first 30 digits to both.
 *
 * Short authentication string: HKDF-SHA256(ikm = session transcript hash, salt = none,
 * info = `p2pe/identity/v1/sas`), cut into 11-bit indices of the BIP-39 English list. Its b bits
 * hold against a man in the middle only when he cannot vary both of his handshakes after seeing
 * the other sides' contributions; when he can, a birthday search over 2^(b/2) variants per side
 * makes the words agree (2^27.5 for the default 5 words). The session layer must commit to its
 * keys first (ZRTP-style hash commitment) for the full b bits.
 */

import { concatBytes, utf8, ValidationError } from '@p2pe/transport-interfaces';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { backendOf, type CryptoOptions, checkKeyArgument } from './common';
import {
  DEFAULT_SAS_WORDS,
  LABEL_SAFETY_NUMBER,
  LABEL_SAS,
  MAX_SAS_WORDS,
  MIN_SAS_WORDS,
  SAFETY_NUMBER_HALF_DIGITS,
  SAFETY_NUMBER_ITERATIONS,
} from './constants';

/** The 30-digit half of a safety number that belongs to one identity key. */
export function safetyNumberHalf(identityKey: Uint8Array, options?: CryptoOptions): string {
  checkKeyArgument(identityKey, 'identityKey');
  const sha512 = backendOf(options).hash('SHA512');
  let h = sha512.digest(concatBytes(utf8(LABEL_SAFETY_NUMBER), Uint8Array.of(0), identityKey));
  for (let i = 0; i < SAFETY_NUMBER_ITERATIONS; i++) h = sha512.digest(concatBytes(h, identityKey));
  let digits = '';
  for (let block = 0; block < SAFETY_NUMBER_HALF_DIGITS / 5; block++) {
    let v = 0;
    // 40-bit big-endian integer: stays exact in a double (< 2^53).
    for (let j = 0; j < 5; j++) v = v * 256 + h[block * 5 + j]!;
    digits += String(v % 100_000).padStart(5, '0');
  }
  return digits;
}

/**
 * The safety number of two identities: 60 digits in 12 groups of 5, the same whichever side
 * computes it. Compare it in person (or scan it) to rule out a man in the middle.
 */
export function safetyNumber(
  identityKeyA: Uint8Array,
  identityKeyB: Uint8Array,
  options?: CryptoOptions,
): string {
  const halves = [safetyNumberHalf(identityKeyA, options), safetyNumberHalf(identityKeyB, options)];
  halves.sort();
  const digits = halves.join('');
  return digits.match(/.{5}/g)!.join(' ');
}

export interface SasOptions extends CryptoOptions {
  /** Number of words, 3 to 8. @default DEFAULT_SAS_WORDS (5 words, 55 bits) */
  readonly words?: number;
}

/**
 * A short authentication string for a live session: words both sides read aloud over a call.
 * `transcriptHash` is the session's handshake hash (Noise `h`, 32 or 64 bytes), identical on both
 * sides only when no one sits in the middle.
 */
export function shortAuthString(transcriptHash: Uint8Array, options?: SasOptions): string[] {
  if (
    !(transcriptHash instanceof Uint8Array) ||
    (transcriptHash.length !== 32 && transcriptHash.length !== 64)
  ) {
    throw new ValidationError(
      'INVALID_LENGTH',
      `"transcriptHash" expected Uint8Array of length 32 or 64, got ${transcriptHash instanceof Uint8Array ? `length=${transcriptHash.length}` : typeof transcriptHash}`,
    );
  }
  const count = options?.words ?? DEFAULT_SAS_WORDS;
  if (!Number.isInteger(count) || count < MIN_SAS_WORDS || count > MAX_SAS_WORDS) {
    throw new ValidationError(
      'INVALID_ARGUMENT',
      `"words" expected an integer in [${MIN_SAS_WORDS}, ${MAX_SAS_WORDS}]`,
    );
  }
  const okm = backendOf(options)
    .hash('SHA256')
    .hkdf(transcriptHash, undefined, utf8(LABEL_SAS), Math.ceil((count * 11) / 8));
  const out: string[] = [];
  for (let w = 0; w < count; w++) {
    let index = 0;
    for (let b = 0; b < 11; b++) {
      const bit = w * 11 + b;
      index = (index << 1) | ((okm[bit >> 3]! >> (7 - (bit & 7))) & 1);
    }
    out.push(wordlist[index]!);
  }
  return out;
}
