import type { AeadName, DhName, HashName } from './types';

/** Every DH suite, default first (for loops in tests and suite negotiation). */
export const DH_NAMES: readonly DhName[] = Object.freeze(['25519', '448', 'P256'] as const);
/** Every AEAD suite, default first. */
export const AEAD_NAMES: readonly AeadName[] = Object.freeze([
  'ChaChaPoly',
  'XChaChaPoly',
  'AESGCM',
] as const);
/** Every hash suite, default first. */
export const HASH_NAMES: readonly HashName[] = Object.freeze([
  'SHA256',
  'SHA512',
  'BLAKE2b',
  'BLAKE2s',
] as const);

/**
 * Domain-separation label of the test-only DRBG: its ChaCha20 key is SHA-256(label || 0x00 ||
 * seed), so a seed used elsewhere (e.g. as a key) never yields the same stream.
 */
export const TEST_DRBG_LABEL = 'p2pe/crypto/v1/test-drbg';

/**
 * Most 64-byte ChaCha20 blocks one test DRBG may produce: RFC 8439 §2.3 has a 32-bit block
 * counter, and a stream must never wrap. noble's `chacha20` refuses block number 2^32-1 itself
 * (it throws a plain Error there), so blocks 0 … 2^32-2 are usable: 2^32-1 blocks, about 256 GiB,
 * far beyond any test. Stopping here first keeps the refusal a LimitError `DRBG_EXHAUSTED`.
 */
export const TEST_DRBG_MAX_BLOCKS = 2 ** 32 - 1;

/**
 * IV lengths `aesGcm` accepts, in bytes. Below 8: noble refuses them on purpose (SP 800-38D §8.2
 * allows an implementation to restrict IV lengths), so both backends do. Above 1024: no protocol
 * uses such IVs; the bound keeps GHASH work over an IV proportionate.
 */
export const GCM_MIN_NONCE_LENGTH = 8;
export const GCM_MAX_NONCE_LENGTH = 1024;

/** node:crypto refuses AES-GCM IVs longer than 128 bytes; the node backend uses noble above. */
export const NODE_GCM_MAX_NONCE_LENGTH = 128;

/** RFC 5869 §2.3: HKDF-Expand output length L ≤ 255 × HashLen (the one-byte block counter). */
export const HKDF_MAX_BLOCKS = 255;

/**
 * node:crypto's `hkdfSync` refuses `info` longer than 1024 bytes; above that the node backend
 * computes RFC 5869 over its own HMAC instead (same result).
 */
export const NODE_HKDF_MAX_INFO_LENGTH = 1024;

/**
 * Upper bound on the draws of P-256 key generation by rejection sampling (FIPS 186-5 A.2.2).
 * A 32-byte draw is out of range with probability < 2^-32, so reaching this bound means the
 * random source is broken (e.g. returns constant 0xff bytes), not bad luck.
 */
export const P256_KEYGEN_MAX_DRAWS = 64;
