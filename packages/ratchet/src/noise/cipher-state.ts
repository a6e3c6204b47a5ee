import type { AeadSuite } from '@p2pe/crypto';
import {
  assertBytes,
  DecodeError,
  LimitError,
  P2peError,
  StateError,
  ValidationError,
  VerificationError,
} from '@p2pe/transport-interfaces';
import {
  NOISE_ERROR_CODES,
  NOISE_KEY_LENGTH,
  NOISE_MAX_MESSAGE_LENGTH,
  NOISE_MAX_NONCE,
  NOISE_TAG_LENGTH,
} from './constants';

const EMPTY = new Uint8Array(0);

/**
 * §3: every Noise message, handshake or transport, is at most 65535 bytes. Throws LimitError
 * NOISE_MESSAGE_TOO_LARGE for something we would send, DecodeError NOISE_BAD_MESSAGE_LENGTH for
 * something we received. Internal (shared with handshake-state.ts), not exported from the index.
 */
export function checkNoiseLength(length: number, what: string, received: boolean): void {
  if (length <= NOISE_MAX_MESSAGE_LENGTH) return;
  const text = `${what} of ${length} bytes exceeds the Noise limit of ${NOISE_MAX_MESSAGE_LENGTH}`;
  if (received) throw new DecodeError(NOISE_ERROR_CODES.BAD_MESSAGE_LENGTH, text);
  throw new LimitError(NOISE_ERROR_CODES.MESSAGE_TOO_LARGE, text);
}

/**
 * How each cipher encodes the 64-bit counter n in its nonce. ChaChaPoly (§12.3): 32 zero bits ||
 * little-endian n; AESGCM (§12.4): 32 zero bits || big-endian n. XChaChaPoly (an extension, as
 * snow does it): 128 zero bits || little-endian n, in a 24-byte nonce.
 */
const NONCE_LAYOUT: Readonly<Record<string, { length: number; littleEndian: boolean }>> = {
  ChaChaPoly: { length: 12, littleEndian: true },
  AESGCM: { length: 12, littleEndian: false },
  XChaChaPoly: { length: 24, littleEndian: true },
};

/** The AEAD nonce of counter `n` for a cipher (§12.3, §12.4). */
export function noiseNonce(cipher: string, n: bigint): Uint8Array {
  const layout = NONCE_LAYOUT[cipher];
  if (layout === undefined) {
    throw new ValidationError(
      NOISE_ERROR_CODES.UNSUPPORTED_ALGORITHM,
      'no nonce layout for cipher',
    );
  }
  if (typeof n !== 'bigint' || n < 0n || n > NOISE_MAX_NONCE) {
    throw new ValidationError('INVALID_ARGUMENT', '"n" expected a bigint in [0, 2^64-1]');
  }
  const nonce = new Uint8Array(layout.length);
  new DataView(nonce.buffer).setBigUint64(layout.length - 8, n, layout.littleEndian);
  return nonce;
}

/**
 * §5.1 CipherState: a key k (maybe empty) and a 64-bit nonce n. Encrypts and decrypts handshake
 * fields and, after Split(), transport messages. Messages are limited to 65535 bytes (§3).
 *
 * A failed decryption changes nothing (n is not incremented, §5.1). Prints as `[redacted]`.
 */
export class CipherState {
  readonly #aead: AeadSuite;
  #k: Uint8Array | undefined;
  #n = 0n;

  /** InitializeKey(key) (§5.1): `key` undefined means empty (no encryption). */
  constructor(aead: AeadSuite, key?: Uint8Array) {
    if (NONCE_LAYOUT[aead.name] === undefined) {
      throw new ValidationError(
        NOISE_ERROR_CODES.UNSUPPORTED_ALGORITHM,
        'no nonce layout for cipher',
      );
    }
    this.#aead = aead;
    if (key !== undefined) this.#k = assertBytes(key, 'key', NOISE_KEY_LENGTH).slice();
  }

  /** The cipher's name (§12.3, §12.4). */
  get cipher(): string {
    return this.#aead.name;
  }

  /** HasKey() (§5.1). */
  hasKey(): boolean {
    return this.#k !== undefined;
  }

  /** The next nonce n that will be used. */
  get nonce(): bigint {
    return this.#n;
  }

  /**
   * SetNonce(n) (§5.1): for out-of-order transport messages (§11.4) where the application carries
   * n itself. Never reuse a nonce with one key.
   */
  setNonce(n: bigint): void {
    if (typeof n !== 'bigint' || n < 0n || n > NOISE_MAX_NONCE) {
      throw new ValidationError('INVALID_ARGUMENT', '"nonce" expected a bigint in [0, 2^64-1]');
    }
    this.#n = n;
  }

  /** EncryptWithAd(ad, plaintext) (§5.1): returns the plaintext itself while k is empty. */
  encryptWithAd(ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    assertBytes(ad, 'ad');
    assertBytes(plaintext, 'plaintext');
    const k = this.#k;
    const total = plaintext.length + (k === undefined ? 0 : NOISE_TAG_LENGTH);
    checkNoiseLength(total, 'message', false);
    if (k === undefined) return plaintext.slice();
    this.#checkNonce();
    const out = this.#aead.encrypt(k, noiseNonce(this.#aead.name, this.#n), plaintext, ad);
    this.#n++;
    return out;
  }

  /**
   * DecryptWithAd(ad, ciphertext) (§5.1). Throws VerificationError NOISE_DECRYPT_FAILED (the
   * AEAD's error as `cause`) when the tag does not verify; n is then unchanged.
   */
  decryptWithAd(ad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    assertBytes(ad, 'ad');
    assertBytes(ciphertext, 'ciphertext');
    checkNoiseLength(ciphertext.length, 'message', true);
    const k = this.#k;
    if (k === undefined) return ciphertext.slice();
    if (ciphertext.length < NOISE_TAG_LENGTH) {
      throw new DecodeError(
        NOISE_ERROR_CODES.BAD_MESSAGE_LENGTH,
        `ciphertext of ${ciphertext.length} bytes is shorter than the ${NOISE_TAG_LENGTH}-byte tag`,
      );
    }
    this.#checkNonce();
    let out: Uint8Array;
    try {
      out = this.#aead.decrypt(k, noiseNonce(this.#aead.name, this.#n), ciphertext, ad);
    } catch (cause) {
      if (P2peError.is(cause) && cause.category === 'verification') {
        throw new VerificationError(
          NOISE_ERROR_CODES.DECRYPT_FAILED,
          `Noise message of ${ciphertext.length} bytes failed to authenticate`,
          { cause },
        );
      }
      throw cause;
    }
    this.#n++;
    return out;
  }

  /**
   * Rekey() (§4.2, §11.3): k = first 32 bytes of ENCRYPT(k, 2^64-1, empty, 32 zero bytes).
   * n is unchanged. Both sides must rekey at the same point of the stream.
   */
  rekey(): void {
    const k = this.#k;
    if (k === undefined) throw new StateError(NOISE_ERROR_CODES.NO_KEY, 'rekey without a key');
    const next = this.#aead.encrypt(
      k,
      noiseNonce(this.#aead.name, NOISE_MAX_NONCE),
      new Uint8Array(NOISE_KEY_LENGTH),
      EMPTY,
    );
    k.fill(0);
    this.#k = next.slice(0, NOISE_KEY_LENGTH);
    next.fill(0); // it holds the new key too
  }

  /**
   * A copy of the key k, for deriving keys of a following protocol (e.g. seeding a Double
   * Ratchet from a finished handshake) and for test vectors. Secret: never log or send it.
   */
  exportKey(): Uint8Array {
    if (this.#k === undefined) throw new StateError(NOISE_ERROR_CODES.NO_KEY, 'no key to export');
    return this.#k.slice();
  }

  /** Best-effort wipe (JavaScript cannot promise the engine kept no copy); k becomes empty. */
  destroy(): void {
    this.#k?.fill(0);
    this.#k = undefined;
  }

  /** An independent copy (used to work on a copy and commit only on success). */
  clone(): CipherState {
    const copy = new CipherState(this.#aead, this.#k);
    copy.#n = this.#n;
    return copy;
  }

  #checkNonce(): void {
    // §5.1: 2^64-1 is reserved; reaching it means the key must not be used any more. (n is never
    // negative: setNonce checks its argument, and n only ever counts up from there.)
    if (this.#n >= NOISE_MAX_NONCE) {
      throw new LimitError(NOISE_ERROR_CODES.NONCE_EXHAUSTED, 'CipherState nonce reached 2^64-1');
    }
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `CipherState { cipher: ${this.#aead.name}, hasKey: ${this.hasKey()}, nonce: ${this.#n} }`;
  }
}
