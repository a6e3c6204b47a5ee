/**
 * An identity: an Ed25519 key that only signs, the static DH keys it certifies, its revocation
 * certificate, the sequence number of its last record, and the successions that lead to it.
 * Plain data: every transition (`rotateStaticKeys`, `nextRecordSequence`, `succeedIdentity`)
 * returns a new Identity and leaves the old one unchanged.
 *
 * Stored state (storage.proto):
 *
 *   message StaticKeySecret {
 *     string suite = 1; bytes secret_key = 2; uint64 not_before = 3; uint64 not_after = 4;
 *     bytes certificate = 5;   // the Signed static-key certificate
 *   }
 *   message IdentityState {
 *     uint32 version = 1;
 *     bytes secret_key = 2;               // Ed25519 seed, 32 bytes
 *     bytes revocation = 3;               // its revocation certificate
 *     uint64 record_sequence = 4;         // sequence of the last record made
 *     repeated StaticKeySecret static_keys = 5;
 *     repeated bytes successions = 6;     // SignedSuccession chain into this key, oldest first
 *   }
 */
import { type CryptoBackend, type DhName, equalBytes } from '@p2pe/crypto';
import {
  type Clock,
  DecodeError,
  ManualClock,
  ProtoMessage,
  ProtoWriter,
  toHex,
  ValidationError,
} from '@p2pe/transport-interfaces';
import {
  backendOf,
  type CreateOptions,
  type CryptoOptions,
  checkTtl,
  checkVersion,
  copy,
  nowOf,
  peerIdOf,
  randomOf,
} from './common';
import {
  DEFAULT_STATIC_KEY_LIFETIME_MS,
  FORMAT_VERSION,
  IDENTITY_SECRET_LENGTH,
  MAX_CERTIFICATE_BYTES,
  MAX_IDENTITY_STATE_BYTES,
  MAX_REVOCATION_BYTES,
  MAX_STATIC_KEY_LIFETIME_MS,
  MAX_STATIC_KEYS,
  MAX_SUCCESSION_BYTES,
  MAX_SUCCESSION_CHAIN,
} from './constants';
import { signRevocation, verifyRevocation } from './revocation';
import {
  isDhName,
  type StaticKey,
  signStaticKeyCertificate,
  verifyStaticKeyCertificate,
} from './static-key';
import { followSuccessions, verifySuccession } from './succession';

/** A static DH key pair of this identity with its certificate. Holds a secret key. */
export interface StaticKeyPair extends StaticKey {
  readonly secretKey: Uint8Array;
  /** Signed static-key certificate, to send in a handshake payload. */
  readonly certificate: Uint8Array;
}

/** The fields of an Identity (its constructor's argument). */
export interface IdentityFields {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
  readonly peerId: Uint8Array;
  readonly revocation: Uint8Array;
  readonly recordSequence: number;
  readonly staticKeys: readonly StaticKeyPair[];
  readonly successions: readonly Uint8Array[];
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** A frozen static key pair that prints (JSON, util.inspect) without its secret key. */
function staticKeyPair(fields: StaticKeyPair): StaticKeyPair {
  const pair = { ...fields };
  const printable = (): object => ({
    suite: pair.suite,
    publicKey: toHex(pair.publicKey),
    notBefore: pair.notBefore,
    notAfter: pair.notAfter,
    secretKey: '[redacted]',
  });
  Object.defineProperty(pair, 'toJSON', { value: printable, enumerable: false });
  Object.defineProperty(pair, INSPECT, {
    value: () => `StaticKeyPair ${JSON.stringify(printable())}`,
    enumerable: false,
  });
  return Object.freeze(pair);
}

/**
 * One identity, with its secrets. Prints (JSON, console, util.inspect) without secret keys.
 * Create with `createIdentity`, store with `encodeIdentity`/`decodeIdentity`.
 */
export class Identity implements IdentityFields {
  /** Ed25519 public key: what codes, words and invites carry. */
  readonly publicKey: Uint8Array;
  /**
   * Ed25519 seed. Secret: a non-enumerable property, so spreads, `Object.keys`/`entries` and
   * inspection without custom hooks do not copy or print it; read it by name.
   */
  declare readonly secretKey: Uint8Array;
  /** SHA-256 of the public key, domain-separated: the DHT key. */
  readonly peerId: Uint8Array;
  /** Revocation certificate of this key: export it and keep it offline. */
  readonly revocation: Uint8Array;
  /** Sequence number of the last record made (records must carry increasing numbers). */
  readonly recordSequence: number;
  /** Static DH keys, newest last. */
  readonly staticKeys: readonly StaticKeyPair[];
  /** Successions from earlier identity keys into this one, oldest first. */
  readonly successions: readonly Uint8Array[];

  /** Internal: use `createIdentity` or `decodeIdentity`. */
  constructor(fields: IdentityFields) {
    this.publicKey = fields.publicKey;
    Object.defineProperty(this, 'secretKey', { value: fields.secretKey, enumerable: false });
    this.peerId = fields.peerId;
    this.revocation = fields.revocation;
    this.recordSequence = fields.recordSequence;
    this.staticKeys = Object.freeze([...fields.staticKeys]);
    this.successions = Object.freeze([...fields.successions]);
    Object.freeze(this);
  }

  /**
   * The newest static key of `suite` valid at the clock's time, or undefined. Use it to answer
   * handshakes and put its certificate in the payload.
   */
  staticKey(suite: DhName, options?: { readonly clock?: Clock }): StaticKeyPair | undefined {
    const now = nowOf(options);
    let best: StaticKeyPair | undefined;
    for (const k of this.staticKeys) {
      if (k.suite !== suite || now < k.notBefore || now >= k.notAfter) continue;
      if (best === undefined || k.notBefore >= best.notBefore) best = k;
    }
    return best;
  }

  /** The static key pair with this public key (a handshake may use a previous one). */
  findStaticKey(suite: DhName, publicKey: Uint8Array): StaticKeyPair | undefined {
    return this.staticKeys.find((k) => k.suite === suite && equalBytes(k.publicKey, publicKey));
  }

  toJSON(): object {
    return {
      publicKey: toHex(this.publicKey),
      peerId: toHex(this.peerId),
      secretKey: '[redacted]',
      recordSequence: this.recordSequence,
      staticKeys: this.staticKeys.map((k) => ({
        suite: k.suite,
        publicKey: toHex(k.publicKey),
        notBefore: k.notBefore,
        notAfter: k.notAfter,
        secretKey: '[redacted]',
      })),
      successions: this.successions.length,
    };
  }

  toString(): string {
    return `Identity(${toHex(this.peerId).slice(0, 16)}…)`;
  }

  [INSPECT](): string {
    return `Identity ${JSON.stringify(this.toJSON())}`;
  }
}

export interface CreateIdentityOptions extends CreateOptions {
  /** Suites to make static keys for. @default ['25519'] */
  readonly suites?: readonly DhName[];
  /** @default DEFAULT_STATIC_KEY_LIFETIME_MS (30 days) */
  readonly staticKeyLifetimeMs?: number;
}

/**
 * Makes a new identity: an Ed25519 key pair, its revocation certificate, and one certified static
 * key per suite valid from now for `staticKeyLifetimeMs`.
 */
export function createIdentity(options?: CreateIdentityOptions): Identity {
  const crypto = backendOf(options);
  const keyPair = crypto.ed25519.generateKeyPair(randomOf(options));
  return makeIdentity(crypto, keyPair.secretKey, {
    recordSequence: 0,
    successions: [],
    staticKeys: newStaticKeys(crypto, keyPair.secretKey, keyPair.publicKey, options, []),
  });
}

/** An identity from its Ed25519 seed (for restores and fixed keys in vectors). */
export function identityFromSecret(
  secretKey: Uint8Array,
  options?: CreateIdentityOptions,
): Identity {
  const crypto = backendOf(options);
  const keyPair = crypto.ed25519.keyPairFromSecret(secretKey);
  return makeIdentity(crypto, copy(keyPair.secretKey), {
    recordSequence: 0,
    successions: [],
    staticKeys: newStaticKeys(crypto, keyPair.secretKey, keyPair.publicKey, options, []),
  });
}

/** Internal: the identity of `secretKey` with the given state. */
export function makeIdentity(
  crypto: CryptoBackend,
  secretKey: Uint8Array,
  state: {
    recordSequence: number;
    staticKeys: readonly StaticKeyPair[];
    successions: readonly Uint8Array[];
    revocation?: Uint8Array;
  },
): Identity {
  const publicKey = crypto.ed25519.keyPairFromSecret(secretKey).publicKey;
  return new Identity({
    publicKey,
    secretKey,
    peerId: peerIdOf(publicKey, { crypto }),
    revocation: state.revocation ?? signRevocation(secretKey, publicKey, { crypto }),
    recordSequence: state.recordSequence,
    staticKeys: state.staticKeys,
    successions: state.successions,
  });
}

/** Internal: fresh certified static keys for the requested suites. */
export function newStaticKeys(
  crypto: CryptoBackend,
  identitySecret: Uint8Array,
  identityKey: Uint8Array,
  options: CreateIdentityOptions | undefined,
  defaultSuites: readonly DhName[],
): StaticKeyPair[] {
  const suites = options?.suites ?? (defaultSuites.length > 0 ? defaultSuites : ['25519']);
  const lifetime = options?.staticKeyLifetimeMs ?? DEFAULT_STATIC_KEY_LIFETIME_MS;
  checkTtl(lifetime, MAX_STATIC_KEY_LIFETIME_MS, 'staticKeyLifetimeMs');
  if (suites.length === 0 || new Set(suites).size !== suites.length) {
    throw new ValidationError('INVALID_ARGUMENT', '"suites" expected distinct DH suite names');
  }
  const now = nowOf(options);
  const random = randomOf(options);
  return suites.map((suite) => {
    if (!isDhName(suite)) throw new ValidationError('UNKNOWN_SUITE', 'unknown DH suite');
    const pair = crypto.dh(suite).generateKeyPair(random);
    return certifyPair(crypto, identitySecret, identityKey, {
      suite,
      publicKey: pair.publicKey,
      secretKey: pair.secretKey,
      notBefore: now,
      notAfter: now + lifetime,
    });
  });
}

/** Internal: (re-)certifies a static key pair under an identity key. */
function certifyPair(
  crypto: CryptoBackend,
  identitySecret: Uint8Array,
  identityKey: Uint8Array,
  key: Omit<StaticKeyPair, 'certificate'>,
): StaticKeyPair {
  const pub: StaticKey = {
    suite: key.suite,
    publicKey: key.publicKey,
    notBefore: key.notBefore,
    notAfter: key.notAfter,
  };
  const certificate = signStaticKeyCertificate(identitySecret, identityKey, pub, { crypto });
  return staticKeyPair({ ...pub, secretKey: key.secretKey, certificate });
}

/**
 * Rotates static keys: a new certified key for each suite (default: the suites held now), valid
 * from now. Per suite, the newest previous key is kept until it expires so handshakes already
 * sent to it still work; older and expired keys are dropped.
 */
export function rotateStaticKeys(identity: Identity, options?: CreateIdentityOptions): Identity {
  const crypto = backendOf(options);
  const now = nowOf(options);
  const held = [...new Set(identity.staticKeys.map((k) => k.suite))];
  const fresh = newStaticKeys(crypto, identity.secretKey, identity.publicKey, options, held);
  const kept: StaticKeyPair[] = [];
  for (const suite of new Set(fresh.map((k) => k.suite))) {
    const previous = identity.staticKeys
      .filter((k) => k.suite === suite && k.notAfter > now)
      .sort((a, b) => b.notBefore - a.notBefore)[0];
    if (previous !== undefined) kept.push(previous);
  }
  for (const k of identity.staticKeys) {
    // Suites not rotated now keep their current keys.
    if (!fresh.some((f) => f.suite === k.suite) && k.notAfter > now) kept.push(k);
  }
  const staticKeys = [...kept, ...fresh];
  if (staticKeys.length > MAX_STATIC_KEYS) {
    throw new ValidationError('TOO_MANY_STATIC_KEYS', `more than ${MAX_STATIC_KEYS} static keys`);
  }
  return makeIdentity(crypto, identity.secretKey, {
    recordSequence: identity.recordSequence,
    staticKeys,
    successions: identity.successions,
    revocation: identity.revocation,
  });
}

/** Internal: the identity with its record sequence advanced to `sequence`. */
export function withRecordSequence(identity: Identity, sequence: number): Identity {
  return new Identity({ ...fieldsOf(identity), recordSequence: sequence });
}

function fieldsOf(identity: Identity): IdentityFields {
  return {
    publicKey: identity.publicKey,
    secretKey: identity.secretKey,
    peerId: identity.peerId,
    revocation: identity.revocation,
    recordSequence: identity.recordSequence,
    staticKeys: identity.staticKeys,
    successions: identity.successions,
  };
}

/** Serialises an identity with its secrets (storage.proto `IdentityState`). Store it encrypted. */
export function encodeIdentity(identity: Identity): Uint8Array {
  const w = new ProtoWriter()
    .uint(1, FORMAT_VERSION)
    .bytes(2, identity.secretKey)
    .bytes(3, identity.revocation)
    .uint(4, identity.recordSequence);
  for (const k of identity.staticKeys) {
    w.message(
      5,
      new ProtoWriter()
        .string(1, k.suite)
        .bytes(2, k.secretKey)
        .uint(3, k.notBefore)
        .uint(4, k.notAfter)
        .bytes(5, k.certificate)
        .finish(),
    );
  }
  for (const s of identity.successions) w.bytes(6, s);
  return w.finish();
}

/**
 * Reads `encodeIdentity` output: size limit, version, fields; then checks that the public keys
 * derived from the secrets match the revocation certificate and the static-key certificates
 * (whose signatures are verified, without the clock: an expired key is still state).
 * Errors: DecodeError/LimitError, `INVALID_IDENTITY_STATE` when the parts do not belong together.
 */
export function decodeIdentity(bytes: Uint8Array, options?: CryptoOptions): Identity {
  const crypto = backendOf(options);
  const msg = ProtoMessage.decode(bytes, MAX_IDENTITY_STATE_BYTES, 64);
  checkVersion(msg.requiredUint(1), FORMAT_VERSION, 'identity state');
  msg.assertKnown([1, 2, 3, 4, 5, 6]);
  const secretKey = copy(msg.requiredBytes(2, { length: IDENTITY_SECRET_LENGTH }));
  const revocation = copy(msg.requiredBytes(3, { maxLength: MAX_REVOCATION_BYTES }));
  const recordSequence = msg.requiredUint(4);
  const successions = msg
    .repeatedBytes(6, MAX_SUCCESSION_CHAIN, { maxLength: MAX_SUCCESSION_BYTES })
    .map(copy);
  const publicKey = crypto.ed25519.keyPairFromSecret(secretKey).publicKey;
  const mismatch = (what: string): DecodeError =>
    new DecodeError('INVALID_IDENTITY_STATE', `identity state: ${what} does not match the key`);
  let revoked: Uint8Array;
  try {
    revoked = verifyRevocation(revocation, { crypto });
  } catch (cause) {
    throw new DecodeError('INVALID_IDENTITY_STATE', 'identity state: bad revocation', { cause });
  }
  if (!equalBytes(revoked, publicKey)) throw mismatch('revocation');
  const staticKeys: StaticKeyPair[] = [];
  for (const entry of msg.repeatedBytes(5, MAX_STATIC_KEYS, { maxLength: 1024 })) {
    const k = ProtoMessage.decode(entry, 1024, 8);
    k.assertKnown([1, 2, 3, 4, 5]);
    const suite = k.requiredString(1, 16);
    if (!isDhName(suite)) throw new DecodeError('UNKNOWN_SUITE', 'unknown static key suite');
    const dh = crypto.dh(suite);
    const secret = copy(k.requiredBytes(2, { length: dh.secretKeyLength }));
    const certificate = copy(k.requiredBytes(5, { maxLength: MAX_CERTIFICATE_BYTES }));
    let pair: ReturnType<typeof dh.keyPairFromSecret>;
    try {
      pair = dh.keyPairFromSecret(secret);
    } catch (cause) {
      throw new DecodeError('INVALID_IDENTITY_STATE', 'identity state: bad static key', { cause });
    }
    let cert: ReturnType<typeof verifyStaticKeyCertificate>;
    try {
      // Validity period is not checked here: clock at notBefore makes the time check pass.
      const notBefore = k.requiredUint(3);
      cert = verifyStaticKeyCertificate(certificate, {
        crypto,
        identityKey: publicKey,
        staticKey: pair.publicKey,
        suite,
        clock: new ManualClock(notBefore),
      });
    } catch (cause) {
      throw new DecodeError('INVALID_IDENTITY_STATE', 'identity state: bad certificate', {
        cause,
      });
    }
    if (cert.notBefore !== k.requiredUint(3) || cert.notAfter !== k.requiredUint(4)) {
      throw mismatch('static key validity');
    }
    staticKeys.push(
      staticKeyPair({
        suite,
        publicKey: pair.publicKey,
        secretKey: secret,
        notBefore: cert.notBefore,
        notAfter: cert.notAfter,
        certificate,
      }),
    );
  }
  if (successions.length > 0) {
    // The successions must lead, in order, from the first key to this one.
    let end: Uint8Array;
    try {
      const first = verifySuccession(successions[0]!, { crypto }).oldKey;
      end = followSuccessions(first, successions, { crypto });
    } catch (cause) {
      throw new DecodeError('INVALID_IDENTITY_STATE', 'identity state: bad successions', {
        cause,
      });
    }
    if (!equalBytes(end, publicKey)) throw mismatch('succession chain');
  }
  return makeIdentity(crypto, secretKey, { recordSequence, staticKeys, successions, revocation });
}
