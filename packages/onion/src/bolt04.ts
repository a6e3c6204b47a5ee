/**
 * The Lightning Network's onion (BOLT 4, "Onion Routing Protocol"), as a profile of the same
 * Sphinx engine: secp256k1, SHA-256 of the compressed ECDH point as the shared secret, HMAC-SHA256
 * key derivation with the labels "rho", "mu", "um", "ammag", "pad", ChaCha20 streams, 32-byte
 * MACs over β || associated data, variable-length (BigSize-prefixed) hop payloads in a 1300-byte
 * β, and the error-return obfuscation. Here to check the engine against the most widely deployed
 * Sphinx; our own packets use `onionProfile`.
 */

import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { equalBytes } from '@p2pe/crypto';
import {
  assertBytes,
  concatBytes,
  DecodeError,
  utf8,
  ValidationError,
} from '@p2pe/transport-interfaces';
import { type HeaderProfile, type HopKeys, peelHeader, wrapHeader } from './engine';
import { secp256k1Group } from './groups';
import { chachaStream } from './profile';

/** BOLT 4 "Packet Structure": 1300 bytes of hop payloads. */
export const BOLT04_ROUTING_INFO_LENGTH = 1300;
/** version[1] || public key[33] || hop payloads[1300] || hmac[32]. */
export const BOLT04_PACKET_LENGTH = 1 + 33 + BOLT04_ROUTING_INFO_LENGTH + 32;
const HMAC_LENGTH = 32;

/** BOLT 4 "Key Generation": key = HMAC-SHA256(key = label, message = shared secret). */
export function bolt04Key(label: 'rho' | 'mu' | 'um' | 'ammag' | 'pad', secret: Uint8Array) {
  return hmac(sha256, utf8(label), secret);
}

/** BigSize (BOLT 1 "Fundamental Types"), minimal encodings only; returns [value, length]. */
function readBigSize(bytes: Uint8Array): [number, number] {
  const bad = (why: string) => new DecodeError('BOLT04_HOP_PAYLOAD_MALFORMED', why);
  const first = bytes[0]!;
  if (first < 0xfd) return [first, 1];
  const width = first === 0xfd ? 2 : first === 0xfe ? 4 : 8;
  if (bytes.length < 1 + width) throw bad('truncated BigSize');
  let v = 0;
  for (let i = 1; i <= width; i++) v = v * 256 + bytes[i]!;
  const min = width === 2 ? 0xfd : width === 4 ? 0x10000 : 0x100000000;
  if (v < min) throw bad('non-minimal BigSize');
  return [v, 1 + width];
}

const group = secp256k1Group();

/** The BOLT 4 profile for the engine. */
export const bolt04Profile: HeaderProfile = Object.freeze({
  group,
  prefixLength: 1,
  routingInfoLength: BOLT04_ROUTING_INFO_LENGTH,
  macLength: HMAC_LENGTH,
  maxHopDataLength: BOLT04_ROUTING_INFO_LENGTH - HMAC_LENGTH,
  // "Shared Secret": SHA256 of the compressed ECDH point; "Blinding Ephemeral Onion Keys":
  // b = SHA256(ephemeral public key || shared secret).
  deriveHopKeys(sharedElement: Uint8Array, alpha: Uint8Array): HopKeys {
    const ss = sha256(sharedElement);
    return {
      sharedSecret: ss,
      streamKey: bolt04Key('rho', ss),
      macKey: bolt04Key('mu', ss),
      blinding: group.blindingScalar(sha256(concatBytes(alpha, ss))),
      payloadKey: new Uint8Array(0),
      replayTag: ss,
    };
  },
  stream: chachaStream,
  mac: (key: Uint8Array, data: Uint8Array) => hmac(sha256, key, data),
  // "Packet Construction": the HMAC covers hop_payloads || associated_data.
  macInput: (_prefix: Uint8Array, _alpha: Uint8Array, beta: Uint8Array, ad: Uint8Array) =>
    concatBytes(beta, ad),
  // "Packet Structure": a hop payload is BigSize(length) || payload.
  hopDataLength(routing: Uint8Array): number {
    const [length, prefix] = readBigSize(routing);
    if (length === 0 || prefix + length + HMAC_LENGTH > BOLT04_ROUTING_INFO_LENGTH) {
      throw new DecodeError(
        'BOLT04_HOP_PAYLOAD_MALFORMED',
        `hop payload of length ${length} does not fit`,
      );
    }
    return prefix + length;
  },
  // "Packet Construction": the filler-free tail starts as the ChaCha20 stream under the pad key.
  initialPadding: (sessionKey: Uint8Array) =>
    chachaStream(bolt04Key('pad', sessionKey), BOLT04_ROUTING_INFO_LENGTH),
});

export interface Bolt04Hop {
  /** 33-byte compressed secp256k1 public key. */
  readonly publicKey: Uint8Array;
  /** The hop payload, BigSize length prefix included. */
  readonly payload: Uint8Array;
}

/** Builds a BOLT 4 onion; also returns each hop's shared secret (the origin keeps them). */
export function createBolt04Onion(
  sessionKey: Uint8Array,
  hops: readonly Bolt04Hop[],
  associatedData: Uint8Array,
): { onion: Uint8Array; sharedSecrets: Uint8Array[] } {
  assertBytes(sessionKey, 'sessionKey', 32);
  assertBytes(associatedData, 'associatedData');
  if (hops.length < 1) throw new ValidationError('INVALID_ARGUMENT', '"hops" expected 1 or more');
  const wrapped = wrapHeader(
    bolt04Profile,
    sessionKey,
    hops.map((h) => group.elementFromPublicKey(h.publicKey)),
    hops.map((h) => assertBytes(h.payload, 'payload')),
    Uint8Array.of(0),
    associatedData,
  );
  return { onion: wrapped.header, sharedSecrets: wrapped.hops.map((h) => h.sharedSecret) };
}

export interface Bolt04Peeled {
  readonly payload: Uint8Array;
  readonly sharedSecret: Uint8Array;
  /** The onion for the next hop; undefined at the final hop (next HMAC all zero). */
  readonly nextOnion: Uint8Array | undefined;
}

/** One hop of a BOLT 4 onion ("Accepting and Forwarding a Payment"). */
export function peelBolt04Onion(
  nodeSecret: Uint8Array,
  onion: Uint8Array,
  associatedData: Uint8Array,
): Bolt04Peeled {
  assertBytes(onion, 'onion');
  if (onion.length !== BOLT04_PACKET_LENGTH) {
    throw new DecodeError(
      'BOLT04_PACKET_SIZE',
      `onion expected ${BOLT04_PACKET_LENGTH} bytes, got length=${onion.length}`,
    );
  }
  if (onion[0] !== 0) {
    throw new DecodeError('BOLT04_PACKET_VERSION', `onion version ${onion[0]} is not 0`);
  }
  const zero = new Uint8Array(HMAC_LENGTH);
  const peeled = peelHeader(
    bolt04Profile,
    nodeSecret,
    onion,
    associatedData,
    (_data, nextMac) => !equalBytes(nextMac, zero),
  );
  return {
    payload: peeled.hopData,
    sharedSecret: peeled.keys.sharedSecret,
    nextOnion: peeled.nextHeader,
  };
}

/**
 * "Returning Errors", at the failing node: HMAC(um, msg) || msg, msg = u16 failure_len ||
 * failuremsg || u16 pad_len || pad, padded so failure + pad = `padTo` bytes, then obfuscated.
 */
export function createBolt04Error(
  sharedSecret: Uint8Array,
  failureMessage: Uint8Array,
  padTo = 256,
): { payload: Uint8Array; packet: Uint8Array } {
  const padLength = Math.max(0, padTo - failureMessage.length);
  const payload = new Uint8Array(4 + failureMessage.length + padLength);
  payload[0] = failureMessage.length >>> 8;
  payload[1] = failureMessage.length & 0xff;
  payload.set(failureMessage, 2);
  payload[2 + failureMessage.length] = padLength >>> 8;
  payload[3 + failureMessage.length] = padLength & 0xff;
  const plain = concatBytes(hmac(sha256, bolt04Key('um', sharedSecret), payload), payload);
  return { payload, packet: wrapBolt04Error(sharedSecret, plain) };
}

/** "Returning Errors", at every hop on the way back: XOR with the ammag stream. */
export function wrapBolt04Error(sharedSecret: Uint8Array, packet: Uint8Array): Uint8Array {
  const stream = chachaStream(bolt04Key('ammag', sharedSecret), packet.length);
  const out = packet.slice();
  for (let i = 0; i < out.length; i++) out[i]! ^= stream[i]!;
  return out;
}

/**
 * The origin: strips the hops' obfuscation in path order until a layer's HMAC verifies; returns
 * the failing hop's index and failure message, or undefined when no hop's HMAC matches.
 */
export function decodeBolt04Error(
  sharedSecrets: readonly Uint8Array[],
  packet: Uint8Array,
): { hop: number; failureMessage: Uint8Array } | undefined {
  let current = packet;
  for (let i = 0; i < sharedSecrets.length; i++) {
    current = wrapBolt04Error(sharedSecrets[i]!, current);
    if (current.length < HMAC_LENGTH + 4) return undefined;
    const body = current.subarray(HMAC_LENGTH);
    const mac = hmac(sha256, bolt04Key('um', sharedSecrets[i]!), body);
    if (equalBytes(mac, current.subarray(0, HMAC_LENGTH))) {
      const length = (body[0]! << 8) | body[1]!;
      if (2 + length > body.length) return undefined;
      return { hop: i, failureMessage: body.slice(2, 2 + length) };
    }
  }
  return undefined;
}
