/**
 * Our packet profile (`p2pe-onion-v1`): the Sphinx engine configured with a DH suite of
 * @p2pe/crypto, HKDF-SHA256 key derivation with one label per purpose, ChaCha20 for the header
 * stream, HMAC-SHA256/128 for the header MAC and fixed 33-byte routing commands.
 *
 * Sizes (E = element length, r = maxHops, C = 33 command bytes, M = 16 MAC bytes, B = payload):
 *   header = 1 (version) + 2 (epoch) + E + r·(C + M) + M
 *   packet = header + B
 * X25519 and P-256 (x-only, E = 32), r = 5: header = 3 + 32 + 245 + 16 = 296 bytes.
 * X448 (E = 56), r = 5: 320 bytes.
 */
import { chacha20 } from '@noble/ciphers/chacha.js';
import {
  type CryptoBackend,
  type DhName,
  type DhSuite,
  type HashSuite,
  nobleBackend,
} from '@p2pe/crypto';
import { concatBytes, utf8, ValidationError } from '@p2pe/transport-interfaces';
import {
  ADDRESS_HINT_LENGTH,
  COMMAND_LENGTH,
  DEFAULT_MAX_HOPS,
  DEFAULT_PAYLOAD_LENGTH,
  EPOCH_FIELD_LENGTH,
  HEADER_MAC_LENGTH,
  LABELS,
  LIONESS_KEY_LENGTH,
  MAX_HOPS_LIMIT,
  MAX_PAYLOAD_LENGTH,
  MIN_PAYLOAD_LENGTH,
  PAYLOAD_ZERO_LENGTH,
  PEER_ID_LENGTH,
  REPLAY_TAG_LENGTH,
} from './constants';
import type { HeaderProfile, HopKeys } from './engine';
import { montgomeryGroup, p256Group, type SphinxGroup } from './groups';

/** The suites of our profile; X25519 is the default. */
export type OnionSuite = 'X25519' | 'X448' | 'P-256';
export const ONION_SUITES: readonly OnionSuite[] = Object.freeze(['X25519', 'X448', 'P-256']);

const DH_OF: Readonly<Record<OnionSuite, DhName>> = {
  X25519: '25519',
  X448: '448',
  'P-256': 'P256',
};

export interface OnionProfileOptions {
  /** @default 'X25519' */
  suite?: OnionSuite;
  /** Where DH and HMAC/HKDF run. @default nobleBackend */
  backend?: CryptoBackend;
  /** @default DEFAULT_MAX_HOPS (5) */
  maxHops?: number;
  /** Bytes of (padded) payload in every packet. @default DEFAULT_PAYLOAD_LENGTH (1024) */
  payloadLength?: number;
}

/** A configured packet format: every packet of one profile has `packetLength` bytes. */
export interface OnionProfile {
  readonly suite: OnionSuite;
  readonly backend: CryptoBackend;
  /** The DH suite node keys belong to (`backend.dh(...)`). */
  readonly dh: DhSuite;
  /** SHA-256 of the backend: HKDF, the header MAC and LIONESS's keyed hash. */
  readonly hash: HashSuite;
  readonly maxHops: number;
  readonly payloadLength: number;
  readonly headerLength: number;
  readonly packetLength: number;
  /** Bytes of an encoded reply block (SURB). */
  readonly surbLength: number;
  /** Longest message in a packet without an embedded SURB. */
  readonly maxMessageLength: number;
  /** Longest message beside an embedded SURB; -1 when the payload cannot hold a SURB at all. */
  readonly maxMessageLengthWithSurb: number;
  /** The engine's view of this profile. */
  readonly header: HeaderProfile;
}

const NONCE = new Uint8Array(12);
/** Zeros the keystream is XORed onto (read only). Shared: each array allocated costs a hop time. */
const ZEROS = new Uint8Array(2048);

/** ChaCha20 keystream (RFC 8439 §2.4, zero nonce, counter 0): every key is used for one stream. */
export function chachaStream(key: Uint8Array, length: number): Uint8Array {
  return chacha20(
    key,
    NONCE,
    length <= ZEROS.length ? ZEROS.subarray(0, length) : new Uint8Array(length),
  );
}

/** `a || b || c` as a view when they already lie one after another in one array, else a copy. */
function adjacentOrConcat(a: Uint8Array, b: Uint8Array, c: Uint8Array): Uint8Array {
  if (
    a.buffer === b.buffer &&
    b.buffer === c.buffer &&
    b.byteOffset === a.byteOffset + a.length &&
    c.byteOffset === b.byteOffset + b.length
  ) {
    return new Uint8Array(a.buffer, a.byteOffset, a.length + b.length + c.length);
  }
  return concatBytes(a, b, c);
}

function checkInt(value: number, name: string, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ValidationError(
      'INVALID_ARGUMENT',
      `"${name}" expected an integer in [${min}, ${max}], got ${value}`,
    );
  }
  return value;
}

function makeHeaderProfile(
  backend: CryptoBackend,
  group: SphinxGroup,
  maxHops: number,
): HeaderProfile {
  const hash = backend.hash('SHA256');
  // RFC 5869 §2.3 HKDF-Expand for L ≤ HashLen is one block: T(1) = HMAC(PRK, info || 0x01).
  // Written as that one HMAC (the result is HKDF-Expand's), saving the per-call cost of the
  // general routine on the per-hop path; a test checks it against `hkdfExpand`.
  const block1 = (purpose: string) => concatBytes(utf8(purpose), Uint8Array.of(1));
  const info = {
    stream: block1(LABELS.headerStream),
    mac: block1(LABELS.headerMac),
    payload: block1(LABELS.payload),
    tag: block1(LABELS.replayTag),
    blinding: block1(LABELS.blinding),
  };
  const blindingLabel = utf8(LABELS.blinding);
  const paddingLabel = utf8(LABELS.headerPadding);
  const expand = (prk: Uint8Array, infoBlock: Uint8Array, length: number) =>
    hash.hmac(prk, infoBlock).slice(0, length);
  const L = maxHops * (COMMAND_LENGTH + HEADER_MAC_LENGTH);
  return Object.freeze({
    group,
    prefixLength: 1 + EPOCH_FIELD_LENGTH,
    routingInfoLength: L,
    macLength: HEADER_MAC_LENGTH,
    maxHopDataLength: COMMAND_LENGTH,
    // RFC 5869: PRK = HKDF-Extract(salt = α, IKM = DH output); one Expand per purpose, so each
    // key is bound to this hop's α (Sphinx binds b to α the same way, h_b(α, s), §3.1): an
    // α' ≠ α with the same s (X25519's ignored top bit, a small-order component) gets other keys,
    // and γ covers α as well.
    deriveHopKeys(sharedElement: Uint8Array, alpha: Uint8Array): HopKeys {
      const prk = hash.hkdfExtract(sharedElement, alpha);
      return {
        sharedSecret: sharedElement,
        streamKey: expand(prk, info.stream, 32),
        macKey: expand(prk, info.mac, 32),
        blinding: group.blindingScalar(
          group.blindingInputLength <= 32
            ? expand(prk, info.blinding, group.blindingInputLength)
            : hash.hkdfExpand(prk, blindingLabel, group.blindingInputLength),
        ),
        payloadKey: expand(prk, info.payload, LIONESS_KEY_LENGTH),
        replayTag: expand(prk, info.tag, REPLAY_TAG_LENGTH),
      };
    },
    stream: chachaStream,
    mac: (key: Uint8Array, data: Uint8Array) => hash.hmac(key, data).subarray(0, HEADER_MAC_LENGTH),
    // γ covers the version and epoch too, so neither can be changed in transit. In a received
    // header the three parts are adjacent, so the MAC reads them in place.
    macInput: adjacentOrConcat,
    hopDataLength: () => COMMAND_LENGTH,
    initialPadding(sessionSecret: Uint8Array): Uint8Array {
      return chachaStream(hash.hkdf(sessionSecret, undefined, paddingLabel, 32), L);
    },
  });
}

/** Builds a profile; the defaults give the packet format described in the README. */
export function onionProfile(options: OnionProfileOptions = {}): OnionProfile {
  const suite = options.suite ?? 'X25519';
  if (!ONION_SUITES.includes(suite)) {
    throw new ValidationError(
      'INVALID_ARGUMENT',
      `"suite" expected one of ${ONION_SUITES.join(', ')}`,
    );
  }
  const backend = options.backend ?? nobleBackend;
  const maxHops = checkInt(options.maxHops ?? DEFAULT_MAX_HOPS, 'maxHops', 1, MAX_HOPS_LIMIT);
  const payloadLength = checkInt(
    options.payloadLength ?? DEFAULT_PAYLOAD_LENGTH,
    'payloadLength',
    MIN_PAYLOAD_LENGTH,
    MAX_PAYLOAD_LENGTH,
  );
  const dh = backend.dh(DH_OF[suite]);
  const group = suite === 'P-256' ? p256Group(dh) : montgomeryGroup(dh);
  const header = makeHeaderProfile(backend, group, maxHops);
  const headerLength =
    header.prefixLength + group.elementLength + header.routingInfoLength + header.macLength;
  // SURB = version || first hop (peer id, hint) || header || 32-byte reply key.
  const surbLength = 1 + PEER_ID_LENGTH + ADDRESS_HINT_LENGTH + headerLength + 32;
  // Payload plaintext = zero[32] || flags[1] || surb? || length[2] || message || zero padding.
  const maxMessageLength = payloadLength - PAYLOAD_ZERO_LENGTH - 1 - 2;
  return Object.freeze({
    suite,
    backend,
    dh,
    hash: backend.hash('SHA256'),
    maxHops,
    payloadLength,
    headerLength,
    packetLength: headerLength + payloadLength,
    surbLength,
    maxMessageLength,
    maxMessageLengthWithSurb: Math.max(-1, maxMessageLength - surbLength),
    header,
  });
}
