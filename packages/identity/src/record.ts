/**
 * Signed identity records: what a peer publishes in the DHT under its peer id (identity.proto):
 *
 *   message IdentityRecordBody {
 *     uint32 version = 1;
 *     bytes identity_key = 2;            // Ed25519, 32 bytes
 *     uint64 sequence = 3;               // strictly increasing per identity
 *     uint64 expires_at = 4;             // ms since the Unix epoch
 *     repeated StaticKey static_keys = 5;
 *     repeated string suites = 6;        // supported Noise protocol names
 *     repeated string addresses = 7;     // transport addresses, opaque here
 *     repeated bytes relays = 8;         // relay entries, opaque here
 *   }
 *
 * carried as `Signed { body, signature }` with context `p2pe/identity/v1/record`.
 */
import { type DhName, equalBytes } from '@p2pe/crypto';
import {
  type Clock,
  MAX_ADDRESS_LENGTH,
  ProtoWriter,
  StateError,
  ValidationError,
  VerificationError,
} from '@p2pe/transport-interfaces';
import {
  backendOf,
  type CreateOptions,
  checkExpectedKey,
  checkExpiry,
  checkNotRevoked,
  checkTtl,
  copy,
  nowOf,
  peerIdOf,
  type RevocationChecker,
  repeatedStrings,
  type VerifyOptions,
} from './common';
import {
  DEFAULT_RECORD_TTL_MS,
  FORMAT_VERSION,
  IDENTITY_KEY_LENGTH,
  LABEL_RECORD,
  MAX_ADDRESSES,
  MAX_RECORD_BYTES,
  MAX_RECORD_TTL_MS,
  MAX_RELAY_LENGTH,
  MAX_RELAYS,
  MAX_STATIC_KEYS,
  MAX_SUITE_NAME_LENGTH,
  MAX_SUITES,
} from './constants';
import {
  checkSignedBy,
  checkStatementSize,
  decodeEnvelope,
  openStatement,
  type StatementKind,
  signStatement,
} from './envelope';
import { type Identity, withRecordSequence } from './identity';
import {
  type CertifiedStaticKey,
  checkStaticKeyValid,
  decodeStaticKey,
  encodeStaticKey,
  type StaticKey,
} from './static-key';

const RECORD: StatementKind = {
  label: LABEL_RECORD,
  maxBytes: MAX_RECORD_BYTES,
  maxFields: 64,
  fields: [1, 2, 3, 4, 5, 6, 7, 8],
  what: 'record',
};

/** What a record says besides the keys. */
export interface RecordContent {
  /** Transport addresses (opaque to this package). */
  readonly addresses?: readonly string[];
  /** Relay entries (opaque to this package; the DHT layer encodes them). */
  readonly relays?: readonly Uint8Array[];
  /** Supported Noise protocol names, e.g. `Noise_IK_25519_ChaChaPoly_SHA256`. */
  readonly suites?: readonly string[];
  /** @default DEFAULT_RECORD_TTL_MS (1 day); at most MAX_RECORD_TTL_MS (7 days). */
  readonly ttlMs?: number;
}

/** A record whose signature, limits and expiry were checked. */
export interface VerifiedRecord {
  /** The signed record exactly as received: store and forward these bytes. */
  readonly bytes: Uint8Array;
  readonly identityKey: Uint8Array;
  readonly peerId: Uint8Array;
  readonly sequence: number;
  readonly expiresAt: number;
  readonly staticKeys: readonly StaticKey[];
  readonly suites: readonly string[];
  readonly addresses: readonly string[];
  readonly relays: readonly Uint8Array[];
}

/**
 * Signs a record of `identity`: its static keys that have not expired, and `content`. The
 * sequence number is max(last + 1, now): strictly increasing, and still ahead of a published
 * record after a restore from an older backup (as long as the clock is roughly right).
 * Returns the record and the identity with its new `recordSequence` (store it).
 */
export function createRecord(
  identity: Identity,
  content: RecordContent = {},
  options?: CreateOptions,
): { identity: Identity; record: Uint8Array } {
  const crypto = backendOf(options);
  const now = nowOf(options);
  const ttl = content.ttlMs ?? DEFAULT_RECORD_TTL_MS;
  checkTtl(ttl, MAX_RECORD_TTL_MS, 'ttlMs');
  const sequence = Math.max(identity.recordSequence + 1, now);
  const addresses = content.addresses ?? [];
  const relays = content.relays ?? [];
  const suites = content.suites ?? [];
  checkList(addresses, MAX_ADDRESSES, MAX_ADDRESS_LENGTH, 'addresses', true);
  checkList(relays, MAX_RELAYS, MAX_RELAY_LENGTH, 'relays', false);
  checkList(suites, MAX_SUITES, MAX_SUITE_NAME_LENGTH, 'suites', true);
  const w = new ProtoWriter()
    .uint(1, FORMAT_VERSION)
    .bytes(2, identity.publicKey)
    .uint(3, sequence)
    .uint(4, now + ttl);
  for (const k of identity.staticKeys) if (k.notAfter > now) w.message(5, encodeStaticKey(k));
  for (const s of suites) w.string(6, s);
  for (const a of addresses) w.string(7, a);
  for (const r of relays) w.bytes(8, r);
  const body = w.finish();
  const record = signStatement(crypto, RECORD, identity.secretKey, body);
  checkStatementSize(record, RECORD, 'RECORD_TOO_LARGE');
  return { identity: withRecordSequence(identity, sequence), record };
}

function checkList(
  list: readonly (string | Uint8Array)[],
  maxCount: number,
  maxLength: number,
  name: string,
  isString: boolean,
): void {
  if (!Array.isArray(list) || list.length > maxCount) {
    throw new ValidationError('INVALID_ARGUMENT', `"${name}" expected at most ${maxCount} entries`);
  }
  for (const item of list) {
    const ok = isString ? typeof item === 'string' : item instanceof Uint8Array;
    const length = typeof item === 'string' ? new TextEncoder().encode(item).length : item.length;
    if (!ok || length > maxLength) {
      throw new ValidationError(
        'INVALID_ARGUMENT',
        `"${name}" entries expected ${isString ? 'strings' : 'Uint8Array'} of at most ${maxLength} bytes`,
      );
    }
  }
}

export interface VerifyRecordOptions extends VerifyOptions {
  /** The identity the record must belong to. */
  readonly identityKey?: Uint8Array;
  /**
   * The peer id (DHT key) the record was stored or found under: its identity key must hash to it
   * (`IDENTITY_MISMATCH` otherwise), so no one can store their record under another's peer id.
   */
  readonly peerId?: Uint8Array;
  /** The record held so far for this identity: the new one must not be older. */
  readonly previous?: VerifiedRecord;
}

/**
 * Verifies a signed record: size limit, envelope, version, fields and their limits, revocation,
 * the signature over the exact body bytes, the expected identity and peer id, expiry
 * (`now < expiresAt`), a lifetime of at most MAX_RECORD_TTL_MS, and, given `previous`, that it is
 * not older (the same sequence with the same signed body is the same record).
 *
 * Errors: DecodeError/LimitError (malformed, too large); VerificationError `SIGNATURE_INVALID`,
 * `IDENTITY_REVOKED`, `IDENTITY_MISMATCH`; StateError `RECORD_EXPIRED`, `RECORD_TTL_TOO_LONG`,
 * `RECORD_STALE` (sequence below previous), `RECORD_SEQUENCE_REUSED` (same sequence, other bytes).
 */
export function verifyRecord(bytes: Uint8Array, options?: VerifyRecordOptions): VerifiedRecord {
  const crypto = backendOf(options);
  const statement = openStatement(bytes, RECORD);
  const { body, msg } = statement;
  const identityKey = copy(msg.requiredBytes(2, { length: IDENTITY_KEY_LENGTH }));
  const sequence = msg.requiredUint(3);
  const expiresAt = msg.requiredUint(4);
  const staticKeys = msg.repeatedBytes(5, MAX_STATIC_KEYS).map(decodeStaticKey);
  const suites = repeatedStrings(msg, 6, MAX_SUITES, MAX_SUITE_NAME_LENGTH);
  const addresses = repeatedStrings(msg, 7, MAX_ADDRESSES, MAX_ADDRESS_LENGTH);
  const relays = msg.repeatedBytes(8, MAX_RELAYS, { maxLength: MAX_RELAY_LENGTH }).map(copy);
  checkSignedBy(crypto, RECORD, identityKey, statement, options);
  checkExpiry(nowOf(options), expiresAt, MAX_RECORD_TTL_MS, 'record', {
    expired: 'RECORD_EXPIRED',
    tooLong: 'RECORD_TTL_TOO_LONG',
  });
  const peerId = peerIdOf(identityKey, { crypto });
  if (options?.peerId !== undefined && !equalBytes(options.peerId, peerId)) {
    throw new VerificationError('IDENTITY_MISMATCH', 'record belongs to another peer id');
  }
  const record: VerifiedRecord = {
    bytes: copy(bytes),
    identityKey,
    peerId,
    sequence,
    expiresAt,
    staticKeys,
    suites,
    addresses,
    relays,
  };
  const previous = options?.previous;
  if (previous !== undefined) {
    checkExpectedKey(previous.identityKey, identityKey, 'record');
    if (sequence < previous.sequence) {
      throw new StateError('RECORD_STALE', `record sequence ${sequence} < ${previous.sequence}`);
    }
    // Same sequence: the same statement is fine (gossip repeats it), another one is not. Compare
    // the signed bodies, not the envelopes: the envelope is unsigned, so anyone relaying the
    // record can re-encode it (e.g. a padded length varint) without changing what was signed,
    // and that must not look like the owner signing two records with one sequence number.
    if (
      sequence === previous.sequence &&
      !equalBytes(decodeEnvelope(previous.bytes, MAX_RECORD_BYTES, 1).body, body)
    ) {
      throw new StateError('RECORD_SEQUENCE_REUSED', `record sequence ${sequence} reused`);
    }
  }
  return record;
}

/**
 * True when `candidate` should replace `current` (same identity, higher sequence). For a store
 * that keeps one record per peer: a newer record never loses to an older one.
 */
export function isNewerRecord(candidate: VerifiedRecord, current: VerifiedRecord): boolean {
  return (
    equalBytes(candidate.identityKey, current.identityKey) && candidate.sequence > current.sequence
  );
}

/**
 * The static key of `suite` a record offers for a handshake now (the newest valid one), bound to
 * the record's identity, or undefined. A `VerifiedRecord` may have been verified (and cached)
 * before a revocation was learned: pass `revocations` and a record of a revoked identity fails
 * here too, with VerificationError `IDENTITY_REVOKED`.
 */
export function pickStaticKey(
  record: VerifiedRecord,
  suite: DhName,
  options?: { readonly clock?: Clock; readonly revocations?: RevocationChecker },
): CertifiedStaticKey | undefined {
  checkNotRevoked(options, record.identityKey, 'record');
  const now = nowOf(options);
  let best: StaticKey | undefined;
  for (const k of record.staticKeys) {
    if (k.suite !== suite) continue;
    try {
      checkStaticKeyValid(k, now);
    } catch {
      continue;
    }
    if (best === undefined || k.notBefore >= best.notBefore) best = k;
  }
  return best === undefined
    ? undefined
    : { ...best, identityKey: record.identityKey, peerId: record.peerId };
}
