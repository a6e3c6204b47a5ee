import type { AeadSuite, HashSuite } from '@p2pe/crypto';
import { concatBytes, utf8 } from '@p2pe/transport-interfaces';
import { CipherState } from './cipher-state';
import { NOISE_KEY_LENGTH } from './constants';

const EMPTY = new Uint8Array(0);

/**
 * HKDF(chaining_key, input_key_material, num_outputs) of §4.3: HMAC-HASH with the chaining key,
 * then 2 or 3 outputs of HASHLEN bytes (RFC 5869 with an empty info, written out as the spec
 * does so it can be checked line by line).
 */
export function noiseHkdf(
  hash: HashSuite,
  chainingKey: Uint8Array,
  inputKeyMaterial: Uint8Array,
  outputs: 2 | 3,
): Uint8Array[] {
  const tempKey = hash.hmac(chainingKey, inputKeyMaterial);
  const out1 = hash.hmac(tempKey, Uint8Array.of(0x01));
  const out2 = hash.hmac(tempKey, concatBytes(out1, Uint8Array.of(0x02)));
  if (outputs === 2) {
    tempKey.fill(0);
    return [out1, out2];
  }
  const out3 = hash.hmac(tempKey, concatBytes(out2, Uint8Array.of(0x03)));
  tempKey.fill(0);
  return [out1, out2, out3];
}

/** §5.2: a HASHLEN of 64 truncates temp_k to 32 bytes. */
function cipherKey(tempK: Uint8Array): Uint8Array {
  return tempK.length === NOISE_KEY_LENGTH ? tempK : tempK.slice(0, NOISE_KEY_LENGTH);
}

/**
 * §5.2 SymmetricState: the chaining key ck, the handshake hash h and a CipherState. Each instance
 * owns its arrays (a clone copies them), so a clone is fully independent and a replaced or
 * destroyed chaining key can be overwritten. Prints as `[redacted]`.
 */
export class SymmetricState {
  readonly #hash: HashSuite;
  readonly #aead: AeadSuite;
  #ck: Uint8Array;
  #h: Uint8Array;
  #cipher: CipherState;

  /** InitializeSymmetric(protocol_name) (§5.2). */
  constructor(protocolName: string, hash: HashSuite, aead: AeadSuite) {
    this.#hash = hash;
    this.#aead = aead;
    const name = utf8(protocolName);
    if (name.length <= hash.outputLength) {
      this.#h = new Uint8Array(hash.outputLength);
      this.#h.set(name);
    } else {
      this.#h = hash.digest(name);
    }
    this.#ck = this.#h.slice(); // §5.2 ck = h, as a separate array: ck is wiped, h is not
    this.#cipher = new CipherState(aead);
  }

  /** MixKey(input_key_material) (§5.2). */
  mixKey(inputKeyMaterial: Uint8Array): void {
    const [ck, tempK] = noiseHkdf(this.#hash, this.#ck, inputKeyMaterial, 2) as [
      Uint8Array,
      Uint8Array,
    ];
    this.#replaceCk(ck);
    this.#replaceCipher(tempK);
  }

  /** MixHash(data) (§5.2). */
  mixHash(data: Uint8Array): void {
    this.#h = this.#hash.digest(concatBytes(this.#h, data));
  }

  /** MixKeyAndHash(input_key_material) (§5.2), used for psk tokens (§9.2). */
  mixKeyAndHash(inputKeyMaterial: Uint8Array): void {
    const [ck, tempH, tempK] = noiseHkdf(this.#hash, this.#ck, inputKeyMaterial, 3) as [
      Uint8Array,
      Uint8Array,
      Uint8Array,
    ];
    this.#replaceCk(ck);
    this.mixHash(tempH);
    this.#replaceCipher(tempK);
  }

  /** The previous chaining key is ours alone: overwrite it (best effort, see README). */
  #replaceCk(ck: Uint8Array): void {
    this.#ck.fill(0);
    this.#ck = ck;
  }

  /** InitializeKey(temp_k) (§5.2), truncated to 32 bytes when HASHLEN is 64; wipes the old key. */
  #replaceCipher(tempK: Uint8Array): void {
    this.#cipher.destroy();
    this.#cipher = new CipherState(this.#aead, cipherKey(tempK));
    tempK.fill(0);
  }

  /** GetHandshakeHash() (§5.2): a copy of h. */
  getHandshakeHash(): Uint8Array {
    return this.#h.slice();
  }

  hasKey(): boolean {
    return this.#cipher.hasKey();
  }

  /** EncryptAndHash(plaintext) (§5.2). */
  encryptAndHash(plaintext: Uint8Array): Uint8Array {
    const ciphertext = this.#cipher.encryptWithAd(this.#h, plaintext);
    this.mixHash(ciphertext);
    return ciphertext;
  }

  /** DecryptAndHash(ciphertext) (§5.2). */
  decryptAndHash(ciphertext: Uint8Array): Uint8Array {
    const plaintext = this.#cipher.decryptWithAd(this.#h, ciphertext);
    this.mixHash(ciphertext);
    return plaintext;
  }

  /** Split() (§5.2): the CipherStates for initiator→responder and responder→initiator. */
  split(): [CipherState, CipherState] {
    const [k1, k2] = noiseHkdf(this.#hash, this.#ck, EMPTY, 2) as [Uint8Array, Uint8Array];
    const c1 = new CipherState(this.#aead, cipherKey(k1));
    const c2 = new CipherState(this.#aead, cipherKey(k2));
    k1.fill(0);
    k2.fill(0);
    return [c1, c2];
  }

  /**
   * Overwrites ck and the cipher key with zeros (best effort) and empties both; h stays readable
   * for channel binding (§11.2). Clones are not affected: they own copies.
   */
  destroy(): void {
    this.#ck.fill(0);
    this.#ck = new Uint8Array(0);
    this.#cipher.destroy();
  }

  /** An independent copy (used to work on a copy and commit only on success). */
  clone(): SymmetricState {
    // An empty name skips the hash (§5.2: names up to HASHLEN are padded, not hashed).
    const copy = new SymmetricState('', this.#hash, this.#aead);
    copy.#ck = this.#ck.slice();
    copy.#h = this.#h.slice();
    copy.#cipher = this.#cipher.clone();
    return copy;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `SymmetricState { hash: ${this.#hash.name}, cipher: ${this.#aead.name}, hasKey: ${this.hasKey()} }`;
  }
}
