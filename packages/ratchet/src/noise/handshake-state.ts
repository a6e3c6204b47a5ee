import { type CryptoBackend, type DhSuite, type KeyPair, nobleBackend } from '@p2pe/crypto';
import {
  assertBytes,
  concatBytes,
  DecodeError,
  P2peError,
  type RandomBytes,
  StateError,
  ValidationError,
  VerificationError,
} from '@p2pe/transport-interfaces';
import { type CipherState, checkNoiseLength } from './cipher-state';
import { NOISE_ERROR_CODES, NOISE_PSK_LENGTH, NOISE_TAG_LENGTH } from './constants';
import type { NoiseHandshakePattern, NoisePreMessageToken, NoiseRole } from './patterns';
import { type NoiseProtocol, parseProtocolName, protocolSuites } from './protocol';
import { SymmetricState } from './symmetric-state';

const EMPTY = new Uint8Array(0);

export interface HandshakeOptions {
  /** A protocol name (§8) such as `Noise_XX_25519_ChaChaPoly_BLAKE2b`, or its parsed form. */
  readonly protocol: string | NoiseProtocol;
  readonly initiator: boolean;
  /** Primitives (default: `nobleBackend`). */
  readonly backend?: CryptoBackend;
  /** §6: data both sides must agree on; mixed into h before anything else. Default: empty. */
  readonly prologue?: Uint8Array;
  /** s: our static key pair, when the pattern sends it or the peer knows it in advance. */
  readonly localStatic?: KeyPair;
  /** rs: the peer's static public key, when the pattern has it as a pre-message (`<- s`). */
  readonly remoteStatic?: Uint8Array;
  /**
   * e: a FIXED ephemeral key pair. For test vectors only: reusing an ephemeral key across
   * handshakes destroys their security. Omit it and a fresh one is drawn from `random`.
   */
  readonly localEphemeral?: KeyPair;
  /** re: the peer's ephemeral, only for patterns with an `e` pre-message. */
  readonly remoteEphemeral?: Uint8Array;
  /** §9: the 32-byte pre-shared keys, in the order their `psk` tokens occur. */
  readonly psks?: readonly Uint8Array[];
  /** Randomness for ephemeral keys (default: the backend's). */
  readonly random?: RandomBytes;
}

/** The outcome of a finished handshake, from this side's point of view. */
export interface NoiseSplit {
  /** The CipherState we encrypt with (null for the responder of a one-way pattern, §7.4). */
  readonly send: CipherState | null;
  /** The CipherState we decrypt with (null for the initiator of a one-way pattern, §7.4). */
  readonly receive: CipherState | null;
  /** h after the last message (§5.2 GetHandshakeHash, §11.2 channel binding). */
  readonly handshakeHash: Uint8Array;
  /** The peer's static public key, when the pattern has one. */
  readonly remoteStatic: Uint8Array | undefined;
}

/** The mutable part of a handshake; a message works on a copy and commits it on success. */
interface Progress {
  symmetric: SymmetricState;
  e: KeyPair | undefined;
  re: Uint8Array | undefined;
  rs: Uint8Array | undefined;
  /** Index of the next message pattern. */
  message: number;
  /** Index of the next psk. */
  psk: number;
}

function copyPair(pair: KeyPair, dh: DhSuite, name: string): KeyPair {
  assertBytes(pair?.publicKey, `${name}.publicKey`, dh.publicKeyLength);
  assertBytes(pair?.secretKey, `${name}.secretKey`, dh.secretKeyLength);
  return { publicKey: pair.publicKey.slice(), secretKey: pair.secretKey.slice() };
}

function sends(pattern: NoiseHandshakePattern, role: NoiseRole, token: 'e' | 's'): boolean {
  return pattern.messages.some((m) => m.from === role && m.tokens.includes(token));
}

/**
 * §5.3 HandshakeState: runs any handshake pattern of `patterns.ts` (one engine, patterns as
 * data). Call `writeMessage` and `readMessage` in the pattern's turn order; when `isFinished`,
 * call `split()` once for the transport CipherStates and the handshake hash.
 *
 * Failure: a `readMessage` or `writeMessage` that throws leaves the HandshakeState UNCHANGED
 * (it works on a copy and commits only on success), so a forged or corrupted message can be
 * dropped and the genuine one still read. This relaxes §5 ("If any error is signaled by the
 * DECRYPT() or DH() functions then the handshake has failed and the HandshakeState is deleted"):
 * an application that wants the spec's behaviour discards the object on the first error. Errors
 * are P2peErrors with NOISE_* codes.
 *
 * A received public key is checked by the DH that uses it, which may come in a later message
 * this side writes (the responder of NN or XX reads `e` in message 1 and uses it for `ee` in
 * message 2): a small-order or off-curve key can then surface as NOISE_BAD_PUBLIC_KEY from
 * `writeMessage`, and every later attempt fails the same way.
 */
export class HandshakeState {
  readonly protocol: NoiseProtocol;
  readonly initiator: boolean;
  readonly #dh: DhSuite;
  readonly #random: RandomBytes;
  readonly #s: KeyPair | undefined;
  readonly #psks: readonly Uint8Array[];
  /** The given fixed ephemeral (vectors), used by the first `e` token. */
  readonly #fixedE: KeyPair | undefined;
  #progress: Progress;
  #split = false;

  /** Initialize() (§5.3). */
  constructor(options: HandshakeOptions) {
    // A parsed protocol is parsed again from its name, so a hand-made pattern cannot slip in.
    const protocol = parseProtocolName(
      typeof options?.protocol === 'string'
        ? options.protocol
        : (options?.protocol?.name as string),
    );
    if (typeof options.initiator !== 'boolean') {
      throw new ValidationError('INVALID_ARGUMENT', '"initiator" expected boolean');
    }
    const backend = options.backend ?? nobleBackend;
    const { dh, aead, hash } = protocolSuites(protocol, backend);
    const pattern = protocol.pattern;
    const role: NoiseRole = options.initiator ? 'initiator' : 'responder';
    const ownPre = options.initiator ? pattern.initiatorPreMessage : pattern.responderPreMessage;
    const peerPre = options.initiator ? pattern.responderPreMessage : pattern.initiatorPreMessage;

    this.protocol = protocol;
    this.initiator = options.initiator;
    this.#dh = dh;
    this.#random = options.random ?? backend.randomBytes;

    // Keys the pattern needs (§5.3: "s, e, rs, re ... may be empty") and keys it must not get.
    const missing = (what: string): ValidationError =>
      new ValidationError(NOISE_ERROR_CODES.MISSING_KEY, `${pattern.name} needs ${what}`);
    const unexpected = (what: string): ValidationError =>
      new ValidationError(
        NOISE_ERROR_CODES.UNEXPECTED_KEY,
        `${pattern.name} receives ${what} in a message; do not pass it`,
      );
    const needS = ownPre.includes('s') || sends(pattern, role, 's');
    if (needS && options.localStatic === undefined) throw missing('a local static key pair');
    this.#s =
      needS && options.localStatic ? copyPair(options.localStatic, dh, 'localStatic') : undefined;
    this.#fixedE =
      options.localEphemeral === undefined
        ? undefined
        : copyPair(options.localEphemeral, dh, 'localEphemeral');
    if (ownPre.includes('e') && this.#fixedE === undefined) throw missing('a local ephemeral');
    const remoteKey = (
      token: NoisePreMessageToken,
      given: Uint8Array | undefined,
      what: string,
    ) => {
      if (peerPre.includes(token)) {
        if (given === undefined) throw missing(what);
        return assertBytes(given, what, dh.publicKeyLength).slice();
      }
      if (given !== undefined) throw unexpected(what);
      return undefined;
    };
    const rs = remoteKey('s', options.remoteStatic, 'remoteStatic');
    const re = remoteKey('e', options.remoteEphemeral, 'remoteEphemeral');
    const psks = options.psks ?? [];
    if (!Array.isArray(psks)) {
      throw new ValidationError(
        NOISE_ERROR_CODES.BAD_PSK,
        '"psks" expected an array of Uint8Array',
      );
    }
    if (psks.length < pattern.pskCount) throw missing(`${pattern.pskCount} psks`);
    if (psks.length > pattern.pskCount) {
      throw new ValidationError(
        NOISE_ERROR_CODES.BAD_PSK,
        `${pattern.name} takes ${pattern.pskCount} psks, got ${psks.length}`,
      );
    }
    this.#psks = psks.map((psk, i) => {
      if (!(psk instanceof Uint8Array) || psk.length !== NOISE_PSK_LENGTH) {
        throw new ValidationError(
          NOISE_ERROR_CODES.BAD_PSK,
          `"psks[${i}]" expected Uint8Array of length ${NOISE_PSK_LENGTH}, got ${
            psk instanceof Uint8Array ? `length=${psk.length}` : typeof psk
          }`,
        );
      }
      return psk.slice();
    });

    const symmetric = new SymmetricState(protocol.name, hash, aead);
    symmetric.mixHash(assertBytes(options.prologue ?? EMPTY, 'prologue'));
    this.#progress = { symmetric, e: undefined, re, rs, message: 0, psk: 0 };
    if (ownPre.includes('e')) this.#progress.e = this.#fixedE;
    // §7.1/§5.3: the initiator's pre-message keys are hashed first, then the responder's.
    // §9.2: in psk mode an `e` (pre-message too) is also mixed into the key.
    const psk = pattern.pskCount > 0;
    const initiatorKeys = options.initiator ? this.#ownPre() : { s: rs, e: re };
    const responderKeys = options.initiator ? { s: rs, e: re } : this.#ownPre();
    for (const [tokens, keys] of [
      [pattern.initiatorPreMessage, initiatorKeys],
      [pattern.responderPreMessage, responderKeys],
    ] as const) {
      for (const t of tokens) {
        const key = keys[t]!;
        symmetric.mixHash(key);
        if (psk && t === 'e') symmetric.mixKey(key);
      }
    }
  }

  #ownPre(): { s: Uint8Array | undefined; e: Uint8Array | undefined } {
    return { s: this.#s?.publicKey, e: this.#progress.e?.publicKey };
  }

  /** True once the last handshake message has been written or read. */
  get isFinished(): boolean {
    return this.#progress.message >= this.protocol.pattern.messages.length;
  }

  /** True when the next handshake message is ours to write. */
  get isMyTurn(): boolean {
    const next = this.protocol.pattern.messages[this.#progress.message];
    return next !== undefined && (next.from === 'initiator') === this.initiator;
  }

  /** Index of the next handshake message (0-based). */
  get messageIndex(): number {
    return this.#progress.message;
  }

  /** h as it is now (§5.2 GetHandshakeHash). */
  getHandshakeHash(): Uint8Array {
    return this.#progress.symmetric.getHandshakeHash();
  }

  /** The peer's static public key, once known (pre-message or received). */
  get remoteStatic(): Uint8Array | undefined {
    return this.#progress.rs?.slice();
  }

  #checkTurn(writing: boolean): void {
    if (this.isFinished) {
      throw new StateError(NOISE_ERROR_CODES.WRONG_TURN, 'the handshake has finished');
    }
    if (this.isMyTurn !== writing) {
      throw new StateError(
        NOISE_ERROR_CODES.WRONG_TURN,
        `handshake message ${this.#progress.message} is the ${writing ? 'peer' : 'local side'}'s to write`,
      );
    }
  }

  /** The DH of a token (§5.3): first letter the initiator's key, second the responder's. */
  #dhToken(p: Progress, token: 'ee' | 'es' | 'se' | 'ss'): Uint8Array {
    const mine = (this.initiator ? token[0] : token[1]) as 'e' | 's';
    const theirs = (this.initiator ? token[1] : token[0]) as 'e' | 's';
    const local = mine === 'e' ? p.e : this.#s;
    const remote = theirs === 'e' ? p.re : p.rs;
    if (local === undefined || remote === undefined) {
      // §7.3 makes this impossible for a valid pattern.
      throw new StateError(NOISE_ERROR_CODES.MISSING_KEY, `no key for the ${token} token`);
    }
    try {
      return this.#dh.dh(local.secretKey, remote);
    } catch (cause) {
      if (P2peError.is(cause) && cause.category === 'verification') {
        throw new VerificationError(
          NOISE_ERROR_CODES.BAD_PUBLIC_KEY,
          `the DH of the ${token} token refused a public key`,
          { cause },
        );
      }
      throw cause;
    }
  }

  /** WriteMessage(payload) (§5.3). Returns the handshake message to send. */
  writeMessage(payload: Uint8Array = EMPTY): Uint8Array {
    this.#checkTurn(true);
    assertBytes(payload, 'payload');
    checkNoiseLength(payload.length, 'payload', false);
    const p = this.#copy();
    const pattern = this.protocol.pattern;
    const psk = pattern.pskCount > 0;
    const parts: Uint8Array[] = [];
    for (const token of pattern.messages[p.message]!.tokens) {
      switch (token) {
        case 'e': {
          if (p.e === undefined) p.e = this.#fixedE ?? this.#dh.generateKeyPair(this.#random);
          parts.push(p.e.publicKey);
          p.symmetric.mixHash(p.e.publicKey);
          if (psk) p.symmetric.mixKey(p.e.publicKey); // §9.2
          break;
        }
        case 's':
          parts.push(p.symmetric.encryptAndHash(this.#s!.publicKey));
          break;
        case 'psk':
          p.symmetric.mixKeyAndHash(this.#psks[p.psk++]!); // §9.2
          break;
        default:
          p.symmetric.mixKey(this.#dhToken(p, token));
      }
    }
    parts.push(p.symmetric.encryptAndHash(payload));
    const message = concatBytes(...parts);
    checkNoiseLength(message.length, 'handshake message', false);
    p.message++;
    this.#progress = p;
    return message;
  }

  /**
   * ReadMessage(message) (§5.3). Returns the payload. On any error the state is unchanged.
   * Throws DecodeError NOISE_BAD_MESSAGE_LENGTH (too short or > 65535 bytes), VerificationError
   * NOISE_DECRYPT_FAILED (tampered, wrong key, wrong psk, wrong prologue) or NOISE_BAD_PUBLIC_KEY,
   * StateError NOISE_WRONG_TURN.
   */
  readMessage(message: Uint8Array): Uint8Array {
    this.#checkTurn(false);
    assertBytes(message, 'message');
    const tooShort = () =>
      new DecodeError(
        NOISE_ERROR_CODES.BAD_MESSAGE_LENGTH,
        `handshake message ${this.#progress.message} of ${message.length} bytes is too short`,
      );
    checkNoiseLength(message.length, 'handshake message', true);
    const p = this.#copy();
    const pattern = this.protocol.pattern;
    const psk = pattern.pskCount > 0;
    const keyLength = this.#dh.publicKeyLength;
    let offset = 0;
    const take = (length: number): Uint8Array => {
      if (offset + length > message.length) throw tooShort();
      const out = message.slice(offset, offset + length);
      offset += length;
      return out;
    };
    for (const token of pattern.messages[p.message]!.tokens) {
      switch (token) {
        case 'e': {
          p.re = take(keyLength);
          p.symmetric.mixHash(p.re);
          if (psk) p.symmetric.mixKey(p.re); // §9.2
          break;
        }
        case 's': {
          const length = keyLength + (p.symmetric.hasKey() ? NOISE_TAG_LENGTH : 0);
          p.rs = p.symmetric.decryptAndHash(take(length));
          break;
        }
        case 'psk':
          p.symmetric.mixKeyAndHash(this.#psks[p.psk++]!); // §9.2
          break;
        default:
          p.symmetric.mixKey(this.#dhToken(p, token));
      }
    }
    const payload = p.symmetric.decryptAndHash(message.subarray(offset));
    p.message++;
    this.#progress = p;
    return payload;
  }

  /**
   * Split() (§5.2) once the handshake is finished: c1 (initiator→responder) and c2
   * (responder→initiator) as `send`/`receive` for this side, and the handshake hash. One call
   * only (two calls would hand out the same keys twice). Afterwards our copies of the chaining
   * key, the handshake cipher key, the ephemeral and static secret keys and the psks are
   * overwritten with zeros (best effort: JavaScript may keep other copies); h stays readable
   * through `getHandshakeHash()` for channel binding (§5, §11.2).
   */
  split(): NoiseSplit {
    if (!this.isFinished) {
      throw new StateError(NOISE_ERROR_CODES.NOT_FINISHED, 'split() before the last message');
    }
    if (this.#split) throw new StateError(NOISE_ERROR_CODES.ALREADY_SPLIT, 'split() twice');
    const p = this.#progress;
    const [c1, c2] = p.symmetric.split();
    const handshakeHash = p.symmetric.getHandshakeHash();
    this.#split = true;
    // Best-effort wipe of the handshake's secrets; every array here is our own copy.
    p.symmetric.destroy();
    p.e?.secretKey.fill(0);
    this.#fixedE?.secretKey.fill(0);
    this.#s?.secretKey.fill(0);
    for (const psk of this.#psks) psk.fill(0);
    p.e = undefined;
    const oneWay = this.protocol.pattern.oneWay;
    let send: CipherState | null = this.initiator ? c1 : c2;
    let receive: CipherState | null = this.initiator ? c2 : c1;
    // §7.4: after a one-way handshake only the initiator sends; the other CipherState is unused.
    if (oneWay) {
      if (this.initiator) receive = null;
      else send = null;
      c2.destroy();
    }
    return { send, receive, handshakeHash, remoteStatic: p.rs?.slice() };
  }

  #copy(): Progress {
    const p = this.#progress;
    return { ...p, symmetric: p.symmetric.clone() };
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `HandshakeState { protocol: ${this.protocol.name}, initiator: ${this.initiator}, message: ${this.#progress.message} }`;
  }
}
