import {
  type AeadName,
  type CryptoBackend,
  type DhName,
  equalBytes,
  type HashName,
} from '@p2pe/crypto';
import {
  concatBytes,
  DecodeError,
  P2peError,
  ProtoMessage,
  ProtoWriter,
} from '@p2pe/transport-interfaces';
import {
  MAX_AD_BYTES,
  MAX_PREVIOUS_RECEIVE_KEYS,
  MAX_SKIPPED_KEYS,
  MAX_STATE_BYTES,
  RATCHET_STATE_VERSION,
} from './constants';
import {
  DoubleRatchet,
  type RatchetOptions,
  type RatchetState,
  type SkippedKey,
  skippedKeyId,
} from './ratchet';
import { type RatchetSuite, ratchetSuite } from './suite';

const MAX_COUNTER = 0xffff_ffff;

/**
 * Encodes a session's whole state (storage.proto RatchetState) as versioned bytes. The bytes hold
 * every secret of the session: store them encrypted at rest.
 */
export function serializeRatchet(ratchet: DoubleRatchet): Uint8Array {
  const s = ratchet.state;
  const names = ratchet.suite.names;
  const w = new ProtoWriter()
    .uint(1, RATCHET_STATE_VERSION)
    .string(2, names.dh)
    .string(3, names.aead)
    .string(4, names.hash)
    .bool(5, s.headerEncryption)
    .bytes(6, s.ad)
    .bytes(7, s.dhs.publicKey)
    .bytes(8, s.dhs.secretKey);
  if (s.dhr !== undefined) w.bytes(9, s.dhr);
  w.bytes(10, s.rootKey);
  if (s.sendChainKey !== undefined) w.bytes(11, s.sendChainKey);
  if (s.receiveChainKey !== undefined) w.bytes(12, s.receiveChainKey);
  w.uint(13, s.ns).uint(14, s.nr).uint(15, s.pn).bool(16, s.pendingSendRatchet);
  if (s.hks !== undefined) w.bytes(17, s.hks);
  if (s.hkr !== undefined) w.bytes(18, s.hkr);
  if (s.nhks !== undefined) w.bytes(19, s.nhks);
  if (s.nhkr !== undefined) w.bytes(20, s.nhkr);
  for (const k of s.skipped.values()) {
    w.message(
      21,
      new ProtoWriter()
        .bytes(1, k.chain)
        .uint(2, k.n)
        .bytes(3, k.messageKey)
        .uint(4, k.storedAt)
        .finish(),
    );
  }
  for (const c of s.previousChains) w.bytes(22, c);
  const body = w.finish();
  const check = stateCheck(ratchet.suite.backend, body);
  return concatBytes(body, new ProtoWriter().bytes(CHECK_FIELD, check).finish());
}

/** Field 30: a 16-byte SHA-256 check of all bytes before it, so truncation is always caught. */
const CHECK_FIELD = 30;
const CHECK_LENGTH = 16;
const CHECK_SUFFIX = 3 + CHECK_LENGTH; // tag (2 bytes) + length (1 byte) + check

function stateCheck(backend: CryptoBackend, body: Uint8Array): Uint8Array {
  return backend.hash('SHA256').digest(body).slice(0, CHECK_LENGTH);
}

/**
 * Restores a session from `serializeRatchet` bytes: size limit, version, suite, then every field
 * with its length. Throws DecodeError (or LimitError for oversized input); never a partial state.
 */
export function restoreRatchet(
  bytes: Uint8Array,
  backend: CryptoBackend,
  options: RatchetOptions = {},
): DoubleRatchet {
  const m = ProtoMessage.decode(bytes, MAX_STATE_BYTES, MAX_SKIPPED_KEYS + 64);
  const version = m.requiredUint(1);
  if (version !== RATCHET_STATE_VERSION) {
    throw new DecodeError(
      'RATCHET_STATE_VERSION',
      `stored ratchet state version ${version}, expected ${RATCHET_STATE_VERSION}`,
    );
  }
  const check = m.requiredBytes(CHECK_FIELD, { length: CHECK_LENGTH });
  const body = bytes.subarray(0, bytes.length - CHECK_SUFFIX);
  if (
    check.byteOffset - bytes.byteOffset !== bytes.length - CHECK_LENGTH ||
    !equalBytes(check, stateCheck(backend, body))
  ) {
    throw new DecodeError('RATCHET_STATE_CORRUPT', 'stored ratchet state fails its check');
  }
  m.assertKnown([
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
    12,
    13,
    14,
    15,
    16,
    17,
    18,
    19,
    20,
    21,
    22,
    CHECK_FIELD,
  ]);
  let suite: RatchetSuite;
  try {
    suite = ratchetSuite(backend, {
      dh: m.requiredString(2, 16) as DhName,
      aead: m.requiredString(3, 16) as AeadName,
      hash: m.requiredString(4, 16) as HashName,
    });
  } catch (err) {
    if (P2peError.is(err) && err.category === 'validation') {
      throw new DecodeError('RATCHET_STATE_SUITE', 'stored ratchet state names an unknown suite', {
        cause: err,
      });
    }
    throw err;
  }
  const hl = suite.hash.outputLength;
  const kl = suite.aead.keyLength;
  const pl = suite.dh.publicKeyLength;
  const he = m.bool(5) ?? false;
  const optKey = (field: number, length: number): Uint8Array | undefined =>
    m.bytes(field, { length })?.slice();
  const counter = (field: number): number => {
    const v = m.uint(field) ?? 0;
    if (v > MAX_COUNTER)
      throw new DecodeError('RATCHET_STATE_RANGE', `field ${field} out of range`);
    return v;
  };
  const skipped = new Map<string, SkippedKey>();
  for (const raw of m.repeatedBytes(21, MAX_SKIPPED_KEYS, { maxLength: 256 })) {
    const e = ProtoMessage.decode(raw, 256, 8);
    e.assertKnown([1, 2, 3, 4]);
    const chain = e.requiredBytes(1, { length: he ? kl : pl }).slice();
    const n = e.uint(2) ?? 0;
    if (n > MAX_COUNTER) throw new DecodeError('RATCHET_STATE_RANGE', 'skipped key n out of range');
    const entry: SkippedKey = {
      chain,
      n,
      messageKey: e.requiredBytes(3, { length: kl }).slice(),
      storedAt: e.uint(4) ?? 0,
    };
    skipped.set(skippedKeyId(chain, n), entry);
  }
  const state: RatchetState = {
    headerEncryption: he,
    ad: m.requiredBytes(6, { maxLength: MAX_AD_BYTES }).slice(),
    dhs: {
      publicKey: m.requiredBytes(7, { length: pl }).slice(),
      secretKey: m.requiredBytes(8, { length: suite.dh.secretKeyLength }).slice(),
    },
    dhr: optKey(9, pl),
    rootKey: m.requiredBytes(10, { length: hl }).slice(),
    sendChainKey: optKey(11, hl),
    receiveChainKey: optKey(12, hl),
    ns: counter(13),
    nr: counter(14),
    pn: counter(15),
    pendingSendRatchet: m.bool(16) ?? false,
    hks: optKey(17, kl),
    hkr: optKey(18, kl),
    nhks: optKey(19, kl),
    nhkr: optKey(20, kl),
    skipped,
    previousChains: m
      .repeatedBytes(22, MAX_PREVIOUS_RECEIVE_KEYS, { length: he ? kl : pl })
      .map((b) => b.slice()),
  };
  if (state.pendingSendRatchet && state.dhr === undefined) {
    throw new DecodeError('RATCHET_STATE_INCONSISTENT', 'pending ratchet step without a peer key');
  }
  if (!he && (state.hks || state.hkr || state.nhks || state.nhkr)) {
    throw new DecodeError('RATCHET_STATE_INCONSISTENT', 'header keys without header encryption');
  }
  return new DoubleRatchet(suite, state, options);
}
