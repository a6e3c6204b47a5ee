import type { RandomBytes } from '@p2pe/transport-interfaces';

/** DH functions, named as Noise names them (Noise rev. 34 §12.1, §12.2); P256 is our extension. */
export type DhName = '25519' | '448' | 'P256';
/** AEAD ciphers, named as Noise names them (§12.3, §12.4); XChaChaPoly is our extension. */
export type AeadName = 'ChaChaPoly' | 'XChaChaPoly' | 'AESGCM';
/** Hash functions, named as Noise names them (§12.5-§12.8). */
export type HashName = 'SHA256' | 'SHA512' | 'BLAKE2b' | 'BLAKE2s';

export interface KeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

export interface DhSuite {
  readonly name: DhName;
  /** Encoded public key length: 32 (25519), 56 (448), 65 (P256, uncompressed SEC1). */
  readonly publicKeyLength: number;
  readonly secretKeyLength: number;
  /** DHLEN: length of the shared secret. */
  readonly sharedSecretLength: number;
  generateKeyPair(random?: RandomBytes): KeyPair;
  /** The key pair of a given secret key (for fixed keys in vectors and restores). */
  keyPairFromSecret(secretKey: Uint8Array): KeyPair;
  /**
   * DH(secretKey, publicKey). Throws VerificationError `DH_INVALID_PUBLIC_KEY` for a public key the
   * curve's rules reject (off-curve P-256 point, wrong encoding) and `DH_ZERO_SHARED_SECRET` for an
   * all-zero X25519/X448 output (a small-order point).
   */
  dh(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array;
}

export interface AeadSuite {
  readonly name: AeadName;
  readonly keyLength: number;
  readonly nonceLength: number;
  readonly tagLength: number;
  /**
   * Returns ciphertext || tag, written into `output` when given (exactly `plaintext.length +
   * tagLength` bytes, e.g. the body of a message being built; it may overlap `plaintext`), else
   * into a new array.
   */
  encrypt(
    key: Uint8Array,
    nonce: Uint8Array,
    plaintext: Uint8Array,
    ad?: Uint8Array,
    output?: Uint8Array,
  ): Uint8Array;
  /** Throws VerificationError `AEAD_AUTH_FAILED` when the tag does not verify. */
  decrypt(key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, ad?: Uint8Array): Uint8Array;
}

export interface HashSuite {
  readonly name: HashName;
  /** HASHLEN: 32 or 64. */
  readonly outputLength: number;
  /** BLOCKLEN: 64 or 128. */
  readonly blockLength: number;
  digest(data: Uint8Array): Uint8Array;
  hmac(key: Uint8Array, data: Uint8Array): Uint8Array;
  /** HKDF-Extract (RFC 5869 §2.2). */
  hkdfExtract(ikm: Uint8Array, salt?: Uint8Array): Uint8Array;
  /** HKDF-Expand (RFC 5869 §2.3); length ≤ 255 × outputLength. */
  hkdfExpand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  /** HKDF (RFC 5869 §2): Extract then Expand. */
  hkdf(ikm: Uint8Array, salt: Uint8Array | undefined, info: Uint8Array, length: number): Uint8Array;
}

/**
 * AES-GCM (NIST SP 800-38D) with any AES key size and IV length, 128-bit tags. The Noise suite
 * `AESGCM` is the 256-bit-key, 96-bit-nonce case of this; use it for protocols. This general form
 * exists for interoperability and conformance checks. IVs shorter than 64 bits are refused on
 * both backends (SP 800-38D §8.2 lets implementations restrict IV lengths; noble does so on
 * purpose, and the backends must agree); IVs other than 96 bits go through GHASH (§7.1, step 2).
 */
export interface GcmCipher {
  readonly name: 'AES-128-GCM' | 'AES-192-GCM' | 'AES-256-GCM';
  readonly keyLength: 16 | 24 | 32;
  readonly minNonceLength: number;
  readonly maxNonceLength: number;
  readonly tagLength: 16;
  /** Returns ciphertext || tag. */
  encrypt(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, ad?: Uint8Array): Uint8Array;
  /** Throws VerificationError `AEAD_AUTH_FAILED` when the tag does not verify. */
  decrypt(key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, ad?: Uint8Array): Uint8Array;
}

/** Ed25519 (RFC 8032). */
export interface SignatureSuite {
  readonly name: 'Ed25519';
  readonly publicKeyLength: 32;
  readonly secretKeyLength: 32;
  readonly signatureLength: 64;
  generateKeyPair(random?: RandomBytes): KeyPair;
  keyPairFromSecret(secretKey: Uint8Array): KeyPair;
  sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array;
  /** False for a bad signature or malformed input; never throws on input from outside. */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

/**
 * One complete set of primitives. Both backends give byte-identical results; pick `nobleBackend`
 * (default, everywhere) or `nodeBackend` from `@p2pe/crypto/node` (Node only, faster).
 */
export interface CryptoBackend {
  readonly name: 'noble' | 'node';
  dh(name: DhName): DhSuite;
  aead(name: AeadName): AeadSuite;
  hash(name: HashName): HashSuite;
  /** AES-GCM with a 16-, 24- or 32-byte key and a variable-length IV (see GcmCipher). */
  aesGcm(keyLength: 16 | 24 | 32): GcmCipher;
  readonly ed25519: SignatureSuite;
  /** The backend's secure random source. */
  readonly randomBytes: RandomBytes;
}
