/**
 * The one engine both backends share: argument checks, key generation, error mapping and the
 * cross-backend policies live here, so `nobleBackend` and `nodeBackend` cannot drift apart in
 * what they accept or which error code they throw. A backend only supplies raw primitives.
 * Internal: not exported from the package entry.
 */
import {
  assertBytes,
  fromHex,
  type RandomBytes,
  ValidationError,
  VerificationError,
} from '@p2pe/transport-interfaces';
import { equalBytes, isAllZero } from './bytes';
import {
  GCM_MAX_NONCE_LENGTH,
  GCM_MIN_NONCE_LENGTH,
  HKDF_MAX_BLOCKS,
  P256_KEYGEN_MAX_DRAWS,
} from './constants';
import type {
  AeadName,
  AeadSuite,
  CryptoBackend,
  DhName,
  DhSuite,
  GcmCipher,
  HashName,
  HashSuite,
  KeyPair,
  SignatureSuite,
} from './types';

/** Raw DH. Inputs are already checked (lengths, P-256 scalar range and point prefix). */
export interface DhPrimitive {
  publicKey(secretKey: Uint8Array): Uint8Array;
  /** Throws (any error) when the primitive rejects the public key or the result. */
  dh(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array;
}

/**
 * Raw AEAD. `seal` returns ciphertext || 16-byte tag, in `output` when given (length already
 * checked); `open` throws on a bad tag.
 */
export interface AeadPrimitive {
  seal(
    key: Uint8Array,
    nonce: Uint8Array,
    plaintext: Uint8Array,
    ad: Uint8Array,
    output?: Uint8Array,
  ): Uint8Array;
  open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, ad: Uint8Array): Uint8Array;
}

/** Raw hash, HMAC (RFC 2104) and HKDF (RFC 5869) over one hash function. */
export interface HashPrimitive {
  digest(data: Uint8Array): Uint8Array;
  hmac(key: Uint8Array, data: Uint8Array): Uint8Array;
  /** `salt` undefined means HashLen zero bytes (RFC 5869 §2.2). */
  hkdfExtract(ikm: Uint8Array, salt: Uint8Array | undefined): Uint8Array;
  /** `prk.length ≥ HashLen` and `1 ≤ length ≤ 255 × HashLen` are already checked. */
  hkdfExpand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  hkdf(ikm: Uint8Array, salt: Uint8Array | undefined, info: Uint8Array, length: number): Uint8Array;
}

/** Raw Ed25519. `verify` may throw on malformed input; the engine turns that into `false`. */
export interface SignaturePrimitive {
  publicKey(secretKey: Uint8Array): Uint8Array;
  sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array;
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

export interface Primitives {
  readonly dh: Readonly<Record<DhName, DhPrimitive>>;
  readonly aead: Readonly<Record<AeadName, AeadPrimitive>>;
  /** AES-GCM for any AES key size and IV length (lengths already checked). */
  readonly gcm: AeadPrimitive;
  readonly hash: Readonly<Record<HashName, HashPrimitive>>;
  readonly ed25519: SignaturePrimitive;
}

const EMPTY = new Uint8Array(0);

const DH_PARAMS: Readonly<Record<DhName, { pk: number; sk: number; ss: number; label: string }>> = {
  '25519': { pk: 32, sk: 32, ss: 32, label: 'X25519' },
  '448': { pk: 56, sk: 56, ss: 56, label: 'X448' },
  P256: { pk: 65, sk: 32, ss: 32, label: 'P-256' },
};

const AEAD_PARAMS: Readonly<Record<AeadName, { key: number; nonce: number; tag: number }>> = {
  ChaChaPoly: { key: 32, nonce: 12, tag: 16 },
  XChaChaPoly: { key: 32, nonce: 24, tag: 16 },
  AESGCM: { key: 32, nonce: 12, tag: 16 },
};

const HASH_PARAMS: Readonly<Record<HashName, { out: number; block: number }>> = {
  SHA256: { out: 32, block: 64 },
  SHA512: { out: 64, block: 128 },
  BLAKE2b: { out: 64, block: 128 },
  BLAKE2s: { out: 32, block: 64 },
};

/** The order n of the P-256 group (SEC 2 §2.4.2), big-endian. */
const P256_N = Uint8Array.from([
  0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
  0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
]);

/**
 * 1 ≤ k < n for a 32-byte big-endian P-256 scalar (SEC 1 §3.2.1). Branch-free over the bytes:
 * secret keys go through here.
 */
export function isValidP256Scalar(k: Uint8Array): boolean {
  let lt = 0; // k < n decided
  let gt = 0; // k > n decided
  let nonZero = 0;
  for (let i = 0; i < 32; i++) {
    const a = k[i]!;
    const b = P256_N[i]!;
    const undecided = 1 ^ (lt | gt);
    lt |= undecided & (((a - b) >>> 31) & 1);
    gt |= undecided & (((b - a) >>> 31) & 1);
    nonZero |= a;
  }
  return (lt & (nonZero !== 0 ? 1 : 0)) === 1;
}

/**
 * y-coordinates (with the sign bit cleared) of the 8 points of small order on edwards25519:
 * 1, -1, 0 and the two order-8 values (the torsion subgroup, as noble's
 * `ED25519_TORSION_SUBGROUP`; a test checks the two lists agree).
 */
const ED25519_SMALL_ORDER_Y: readonly Uint8Array[] = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
].map(fromHex);

/**
 * Ed25519 public-key policy shared by both backends (a subset of what noble's strict RFC 8032
 * mode rejects): the encoded y must be canonical (< 2^255 - 19, RFC 8032 §5.1.3) and the point
 * must not be of small order. OpenSSL would accept small-order keys, which let one signature
 * verify for many messages; rejecting them here gives both backends noble's verdicts.
 */
export function isAcceptableEd25519PublicKey(publicKey: Uint8Array): boolean {
  const y = publicKey.slice();
  y[31]! &= 0x7f;
  // y ≥ p = 2^255 - 19 exactly when y is 0x7fff…ffXX with XX ≥ 0xed.
  let top = y[31] === 0x7f;
  for (let i = 1; i < 31 && top; i++) top = y[i] === 0xff;
  if (top && y[0]! >= 0xed) return false;
  for (const small of ED25519_SMALL_ORDER_Y) if (equalBytes(y, small)) return false;
  return true;
}

/**
 * `length` bytes from a random source, as our own copy: a source that hands out views of a buffer
 * it reuses (a pool, a ring) must not be able to change a secret key after we return it.
 */
function drawBytes(random: RandomBytes, length: number): Uint8Array {
  if (typeof random !== 'function') {
    throw new ValidationError(
      'INVALID_ARGUMENT',
      `"random" expected a function, got ${typeof random}`,
    );
  }
  const out = random(length);
  return assertBytes(out, 'randomBytes output', length).slice();
}

function checkP256Secret(secretKey: Uint8Array): void {
  if (!isValidP256Scalar(secretKey)) {
    throw new ValidationError(
      'DH_INVALID_SECRET_KEY',
      'P-256 secret key is not a scalar in [1, n-1]',
    );
  }
}

function makeDh(name: DhName, prim: DhPrimitive, defaultRandom: RandomBytes): DhSuite {
  const { pk, sk, ss, label } = DH_PARAMS[name];
  const checkSecret = (secretKey: Uint8Array): void => {
    assertBytes(secretKey, 'secretKey', sk);
    if (name === 'P256') checkP256Secret(secretKey);
  };
  const checkPublic = (publicKey: Uint8Array): void => {
    if (name !== 'P256') {
      assertBytes(publicKey, 'publicKey', pk);
      return;
    }
    // SEC 1 §2.3.3/§2.3.4: 0x04 || X || Y (65 bytes) or 0x02/0x03 || X (33 bytes). The hybrid
    // forms 0x06/0x07 (which OpenSSL accepts) and the infinity encoding 0x00 are refused.
    assertBytes(publicKey, 'publicKey');
    if (publicKey.length !== 65 && publicKey.length !== 33) {
      throw new ValidationError(
        'INVALID_LENGTH',
        `"publicKey" expected Uint8Array of length 65 or 33, got length=${publicKey.length}`,
      );
    }
    const prefix = publicKey[0];
    const ok = publicKey.length === 65 ? prefix === 0x04 : prefix === 0x02 || prefix === 0x03;
    if (!ok) {
      throw new VerificationError(
        'DH_INVALID_PUBLIC_KEY',
        `P-256 public key has an invalid SEC 1 prefix for length ${publicKey.length}`,
      );
    }
  };
  const pair = (secretKey: Uint8Array): KeyPair => ({
    publicKey: prim.publicKey(secretKey),
    secretKey,
  });
  return Object.freeze({
    name,
    publicKeyLength: pk,
    secretKeyLength: sk,
    sharedSecretLength: ss,
    generateKeyPair(random: RandomBytes = defaultRandom): KeyPair {
      if (name !== 'P256') return pair(drawBytes(random, sk));
      // FIPS 186-5 A.2.2 (key pair by rejection sampling): draw 32 bytes until 1 ≤ c ≤ n-1 and
      // take d = c. A.4.2 writes the check as c ≤ n-2, d = c + 1; A.2.2 allows equivalent
      // processes, and this one is the same uniform choice. Seeded vectors depend on this exact
      // mapping, so it must not change.
      for (let i = 0; i < P256_KEYGEN_MAX_DRAWS; i++) {
        const candidate = drawBytes(random, sk);
        if (isValidP256Scalar(candidate)) return pair(candidate);
      }
      throw new ValidationError(
        'RANDOM_SOURCE_FAILED',
        `no valid P-256 scalar in ${P256_KEYGEN_MAX_DRAWS} draws: the random source is broken`,
      );
    },
    keyPairFromSecret(secretKey: Uint8Array): KeyPair {
      checkSecret(secretKey);
      return pair(secretKey.slice());
    },
    dh(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
      checkSecret(secretKey);
      checkPublic(publicKey);
      let out: Uint8Array;
      try {
        out = prim.dh(secretKey, publicKey);
      } catch (cause) {
        // Inputs are checked above, so the primitive refused the point itself.
        if (name === 'P256') {
          throw new VerificationError(
            'DH_INVALID_PUBLIC_KEY',
            `P-256 public key of length ${publicKey.length} is not a point on the curve`,
            { cause },
          );
        }
        throw zeroSecret(label, cause);
      }
      // RFC 7748 §6.1 ("MAY check ... whether K is the all-zero value and abort if so"): an
      // all-zero X25519/X448 output means the peer sent a point of small order; refuse it rather
      // than derive keys from a known value. Noise rev. 34 §12.1/§12.2 allow this (while
      // discouraging it as a source of variance between implementations).
      if (out.length !== ss || (name !== 'P256' && isAllZero(out))) throw zeroSecret(label);
      return out;
    },
  });
}

function zeroSecret(label: string, cause?: unknown): VerificationError {
  return new VerificationError(
    'DH_ZERO_SHARED_SECRET',
    `${label} public key is of small order (the shared secret would be all zero)`,
    cause === undefined ? undefined : { cause },
  );
}

const TAG_LENGTH = 16;

/** Opens `ciphertext`, turning every failure into one typed AEAD_AUTH_FAILED. */
function openOrFail(
  name: string,
  prim: AeadPrimitive,
  key: Uint8Array,
  nonce: Uint8Array,
  ciphertext: Uint8Array,
  ad: Uint8Array,
): Uint8Array {
  // Too short to hold a tag: it cannot be authentic. Same code as a bad tag, so a caller
  // (and an attacker) sees one kind of decryption failure.
  if (ciphertext.length < TAG_LENGTH) {
    throw new VerificationError(
      'AEAD_AUTH_FAILED',
      `${name} ciphertext of length ${ciphertext.length} is shorter than the ${TAG_LENGTH}-byte tag`,
    );
  }
  try {
    return prim.open(key, nonce, ciphertext, ad);
  } catch (cause) {
    throw new VerificationError(
      'AEAD_AUTH_FAILED',
      `${name} tag did not verify (ciphertext length ${ciphertext.length})`,
      { cause },
    );
  }
}

/** AES-GCM over any key size and IV length (SP 800-38D); see GcmCipher. */
function makeGcm(keyLength: 16 | 24 | 32, prim: AeadPrimitive): GcmCipher {
  const name = `AES-${keyLength * 8}-GCM` as GcmCipher['name'];
  const check = (key: Uint8Array, nonce: Uint8Array, data: Uint8Array, ad: Uint8Array): void => {
    assertBytes(key, 'key', keyLength);
    assertBytes(nonce, 'nonce');
    if (nonce.length < GCM_MIN_NONCE_LENGTH || nonce.length > GCM_MAX_NONCE_LENGTH) {
      throw new ValidationError(
        'INVALID_LENGTH',
        `"nonce" expected Uint8Array of length ${GCM_MIN_NONCE_LENGTH}..${GCM_MAX_NONCE_LENGTH}, got length=${nonce.length}`,
      );
    }
    assertBytes(data, 'data');
    assertBytes(ad, 'ad');
  };
  return Object.freeze({
    name,
    keyLength,
    minNonceLength: GCM_MIN_NONCE_LENGTH,
    maxNonceLength: GCM_MAX_NONCE_LENGTH,
    tagLength: TAG_LENGTH,
    encrypt(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, ad = EMPTY): Uint8Array {
      check(key, nonce, plaintext, ad);
      return prim.seal(key, nonce, plaintext, ad);
    },
    decrypt(key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, ad = EMPTY): Uint8Array {
      check(key, nonce, ciphertext, ad);
      return openOrFail(name, prim, key, nonce, ciphertext, ad);
    },
  });
}

function makeAead(name: AeadName, prim: AeadPrimitive): AeadSuite {
  const { key: keyLength, nonce: nonceLength, tag: tagLength } = AEAD_PARAMS[name];
  const check = (
    key: Uint8Array,
    nonce: Uint8Array,
    data: Uint8Array,
    dataName: 'plaintext' | 'ciphertext',
    ad: Uint8Array,
  ): void => {
    assertBytes(key, 'key', keyLength);
    assertBytes(nonce, 'nonce', nonceLength);
    assertBytes(data, dataName);
    assertBytes(ad, 'ad');
  };
  return Object.freeze({
    name,
    keyLength,
    nonceLength,
    tagLength,
    encrypt(
      key: Uint8Array,
      nonce: Uint8Array,
      plaintext: Uint8Array,
      ad = EMPTY,
      output?: Uint8Array,
    ): Uint8Array {
      check(key, nonce, plaintext, 'plaintext', ad);
      if (output !== undefined) assertBytes(output, 'output', plaintext.length + tagLength);
      return prim.seal(key, nonce, plaintext, ad, output);
    },
    decrypt(key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, ad = EMPTY): Uint8Array {
      check(key, nonce, ciphertext, 'ciphertext', ad);
      return openOrFail(name, prim, key, nonce, ciphertext, ad);
    },
  });
}

function makeHash(name: HashName, prim: HashPrimitive): HashSuite {
  const { out: outputLength, block: blockLength } = HASH_PARAMS[name];
  const checkLength = (length: number): void => {
    const max = HKDF_MAX_BLOCKS * outputLength;
    if (!Number.isSafeInteger(length) || length < 0 || length > max) {
      throw new ValidationError(
        'INVALID_LENGTH',
        `"length" expected an integer in [0, ${max}] for HKDF-${name}, got ${describeNumber(length)}`,
      );
    }
  };
  const checkSalt = (salt: Uint8Array | undefined): void => {
    if (salt !== undefined) assertBytes(salt, 'salt');
  };
  return Object.freeze({
    name,
    outputLength,
    blockLength,
    digest(data: Uint8Array): Uint8Array {
      assertBytes(data, 'data');
      return prim.digest(data);
    },
    hmac(key: Uint8Array, data: Uint8Array): Uint8Array {
      assertBytes(key, 'key');
      assertBytes(data, 'data');
      return prim.hmac(key, data);
    },
    hkdfExtract(ikm: Uint8Array, salt?: Uint8Array): Uint8Array {
      assertBytes(ikm, 'ikm');
      checkSalt(salt);
      return prim.hkdfExtract(ikm, salt);
    },
    hkdfExpand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
      assertBytes(prk, 'prk');
      // RFC 5869 §2.3: PRK is "a pseudorandom key of at least HashLen octets".
      if (prk.length < outputLength) {
        throw new ValidationError(
          'INVALID_LENGTH',
          `"prk" expected Uint8Array of length >= ${outputLength}, got length=${prk.length}`,
        );
      }
      assertBytes(info, 'info');
      checkLength(length);
      if (length === 0) return new Uint8Array(0);
      return prim.hkdfExpand(prk, info, length);
    },
    hkdf(
      ikm: Uint8Array,
      salt: Uint8Array | undefined,
      info: Uint8Array,
      length: number,
    ): Uint8Array {
      assertBytes(ikm, 'ikm');
      checkSalt(salt);
      assertBytes(info, 'info');
      checkLength(length);
      if (length === 0) return new Uint8Array(0);
      return prim.hkdf(ikm, salt, info, length);
    },
  });
}

function makeEd25519(prim: SignaturePrimitive, defaultRandom: RandomBytes): SignatureSuite {
  const pair = (secretKey: Uint8Array): KeyPair => ({
    publicKey: prim.publicKey(secretKey),
    secretKey,
  });
  return Object.freeze({
    name: 'Ed25519' as const,
    publicKeyLength: 32 as const,
    secretKeyLength: 32 as const,
    signatureLength: 64 as const,
    generateKeyPair(random: RandomBytes = defaultRandom): KeyPair {
      return pair(drawBytes(random, 32));
    },
    keyPairFromSecret(secretKey: Uint8Array): KeyPair {
      assertBytes(secretKey, 'secretKey', 32);
      return pair(secretKey.slice());
    },
    sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
      assertBytes(secretKey, 'secretKey', 32);
      assertBytes(message, 'message');
      return prim.sign(secretKey, message);
    },
    verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
      // Non-bytes are a caller bug (ValidationError); wrong lengths or bad points from outside
      // are just a signature that does not verify.
      assertBytes(signature, 'signature');
      assertBytes(message, 'message');
      assertBytes(publicKey, 'publicKey');
      if (signature.length !== 64 || publicKey.length !== 32) return false;
      if (!isAcceptableEd25519PublicKey(publicKey)) return false;
      try {
        return prim.verify(signature, message, publicKey) === true;
      } catch {
        return false;
      }
    },
  });
}

/** A number as text; anything else only by its type (never echo a caller's data). */
export function describeNumber(value: unknown): string {
  return typeof value === 'number' ? String(value) : typeof value;
}

function unknownSuite(kind: string, name: unknown): ValidationError {
  const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, 32)) : typeof name;
  return new ValidationError('UNKNOWN_SUITE', `unknown ${kind} suite ${shown}`);
}

/** Builds a complete `CryptoBackend` from raw primitives. Suites are built once and frozen. */
export function createBackend(
  name: CryptoBackend['name'],
  prims: Primitives,
  randomBytes: RandomBytes,
): CryptoBackend {
  const dh = new Map<string, DhSuite>();
  const aead = new Map<string, AeadSuite>();
  const hash = new Map<string, HashSuite>();
  for (const n of Object.keys(DH_PARAMS) as DhName[]) {
    dh.set(n, makeDh(n, prims.dh[n], randomBytes));
  }
  for (const n of Object.keys(AEAD_PARAMS) as AeadName[]) aead.set(n, makeAead(n, prims.aead[n]));
  for (const n of Object.keys(HASH_PARAMS) as HashName[]) hash.set(n, makeHash(n, prims.hash[n]));
  const gcm = new Map<number, GcmCipher>(
    ([16, 24, 32] as const).map((length) => [length, makeGcm(length, prims.gcm)]),
  );
  return Object.freeze({
    name,
    dh(n: DhName): DhSuite {
      const suite = dh.get(n);
      if (suite === undefined) throw unknownSuite('DH', n);
      return suite;
    },
    aead(n: AeadName): AeadSuite {
      const suite = aead.get(n);
      if (suite === undefined) throw unknownSuite('AEAD', n);
      return suite;
    },
    hash(n: HashName): HashSuite {
      const suite = hash.get(n);
      if (suite === undefined) throw unknownSuite('hash', n);
      return suite;
    },
    aesGcm(keyLength: 16 | 24 | 32): GcmCipher {
      const cipher = gcm.get(keyLength);
      if (cipher === undefined) {
        throw new ValidationError(
          'INVALID_LENGTH',
          `AES key length must be 16, 24 or 32, got ${keyLength}`,
        );
      }
      return cipher;
    },
    ed25519: makeEd25519(prims.ed25519, randomBytes),
    randomBytes,
  });
}
